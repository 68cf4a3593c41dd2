"""The browser dashboard (``negsim dashboard``): Mesa's SolaraViz, working offline.

Two pages: one negotiation played round by round with sliders
(:mod:`negsim.dashboard.negotiation_page`) and a results explorer
(:mod:`negsim.dashboard.explorer_page`); :mod:`negsim.dashboard.app` is the entry
``solara run`` serves. Solara and the rest of the optional extra ``dashboard`` are
imported by those modules only, so importing this package needs neither.
"""

from __future__ import annotations

EXTRA_MODULES = ("solara", "mesa.visualization")
RESULTS_ENV = "NEGSIM_DASHBOARD_RESULTS"
SCENARIO_ENV = "NEGSIM_DASHBOARD_SCENARIO"
