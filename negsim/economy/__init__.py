"""The general-equilibrium trade economy (docs/model.md#economy).

- :mod:`~negsim.economy.solver`: exact hat algebra (Dekle-Eaton-Kortum 2007), a
  batch of tariff states solved by Newton steps on factor prices;
- :mod:`~negsim.economy.calibration`: a scenario's baseline that adds up;
- :mod:`~negsim.economy.world`: :class:`World`, trade, balances and welfare views;
- :mod:`~negsim.economy.policy`: unilateral optimal tariffs and trade wars;
- :mod:`~negsim.economy.view`: the economist's summary of a world;
- :mod:`~negsim.economy.network`: the trade network as a graph.

This package knows nothing of Mesa, files or the command line.
"""

from __future__ import annotations

from negsim.economy.calibration import ROW
from negsim.economy.policy import best_response, optimal_tariffs, trade_war
from negsim.economy.solver import TOLERANCE, Baseline, Equilibrium, SolverError, solve
from negsim.economy.world import World

__all__ = [
    "ROW",
    "TOLERANCE",
    "Baseline",
    "Equilibrium",
    "SolverError",
    "World",
    "best_response",
    "optimal_tariffs",
    "solve",
    "trade_war",
]
