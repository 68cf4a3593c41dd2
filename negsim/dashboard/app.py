"""The entry ``solara run`` serves: the negotiation page at ``/``, the explorer at ``/results``.

``negsim dashboard`` starts ``solara run negsim.dashboard.app --production``; the
folder offered to the explorer and the negotiation page's scenario come from the
environment (``NEGSIM_DASHBOARD_RESULTS``, ``NEGSIM_DASHBOARD_SCENARIO``).
"""

from __future__ import annotations

import solara

from negsim.dashboard.explorer_page import ExplorerPage
from negsim.dashboard.negotiation_page import NegotiationPage

routes = [
    solara.Route(path="/", component=NegotiationPage, label="Negotiation"),
    solara.Route(path="results", component=ExplorerPage, label="Results"),
]
