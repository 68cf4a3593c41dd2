"""negsim: an agent-based simulator of trade negotiations built on Mesa.

The public surface:

- :func:`load_scenario` loads and validates a scenario (built-in name or TOML file),
  with overrides by dotted path;
- :func:`load_results` reads the results folder of a sweep
  (:mod:`negsim.sweeps`) into one DataFrame;
- :class:`~negsim.economy.World` and :class:`~negsim.payoffs.PayoffModel` hold the
  calibrated economy and the payoff functions;
- :class:`NegotiationModel` (a Mesa model, one step per round) and
  :func:`simulate`, which runs one negotiation and returns its :class:`Outcome`.
"""

from __future__ import annotations

from importlib.metadata import version

from negsim.economy import World
from negsim.negotiation.model import NegotiationModel, simulate
from negsim.payoffs import PayoffModel
from negsim.record.outcome import Outcome
from negsim.scenarios import Scenario, ScenarioError, builtin_scenarios, load_scenario
from negsim.sweeps import load_results

__version__ = version("negsim")  # one source: pyproject.toml

__all__ = [
    "NegotiationModel",
    "Outcome",
    "PayoffModel",
    "Scenario",
    "ScenarioError",
    "World",
    "__version__",
    "builtin_scenarios",
    "load_results",
    "load_scenario",
    "simulate",
]
