"""Unilateral optimal tariffs and trade wars (Johnson 1953; Ossa 2014).

An economy's best response is the MFN tariff per sector (the same on every foreign
supplier) that maximises its real income (E8), the others' tariffs given. It is
found sector by sector (coordinate ascent, a few passes, as sectors interact through
factor prices and spending) on nested grids, each a single batched solve: 0 to the
cap in 10-point steps, then 1-point and 0.1-point steps around the best.
A trade war iterates every economy's best response, ROW included, until no tariff
moves by more than 0.1 point (model.md E10).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from negsim.economy.world import World

CAP = 3.0  # highest tariff searched (the schema's ceiling on any tariff)
PASSES = 4  # coordinate-ascent passes over the sectors at most
SETTLED = 1e-3  # a best response or a war has settled when no tariff moves more


def _search(world: World, tariffs: np.ndarray, importer: int, sector: int, cap: float) -> float:
    """The importer's best MFN tariff in one sector, the rest of ``tariffs`` given."""
    foreign = np.arange(world.n + 1) != importer
    low, high, points = 0.0, cap, 31
    best = 0.0
    for _ in range(3):
        grid = np.round(np.linspace(low, high, points), 9)  # 0.188, not 0.18800000000000003
        batch = np.repeat(tariffs[None], len(grid), axis=0)
        batch[:, importer, foreign, sector] = grid[:, None]
        eq = world.solve(batch, strict=False)  # a state with no equilibrium is never chosen
        if not eq.converged.any():
            world.solve(batch[:1])  # raises SolverError, saying why
        welfare = np.where(eq.converged, eq.welfare[:, importer], -np.inf)
        best = float(grid[int(np.argmax(welfare))])
        spacing = grid[1] - grid[0]
        low, high, points = max(0.0, best - spacing), min(cap, best + spacing), 21
    return best


def best_response(world: World, tariffs: np.ndarray, importer: int, cap: float = CAP) -> np.ndarray:
    """Importer's real-income-maximising MFN tariffs, others' tariffs given (E10).

    Returns:
        A copy of ``tariffs`` (n+1, n+1, S) with the importer's row replaced.
    """
    result = np.array(tariffs, dtype=float, copy=True)
    foreign = np.arange(world.n + 1) != importer
    for _ in range(PASSES):
        before = result[importer].copy()
        for sector in range(world.n_sectors):
            result[importer, foreign, sector] = _search(world, result, importer, sector, cap)
        if np.abs(result[importer] - before).max() < SETTLED:
            break
    return result


def optimal_tariffs(world: World, tariffs: np.ndarray | None = None) -> np.ndarray:
    """Each economy's unilateral optimal MFN tariff per sector, others at ``tariffs``.

    Returns:
        Tariffs (n+1, S): row ``j`` is economy ``j``'s best response to the others'
        tariffs at ``tariffs`` (default: the baseline).
    """
    start = world.base_tariffs if tariffs is None else np.asarray(tariffs, dtype=float)
    out = np.zeros((world.n + 1, world.n_sectors))
    for j in range(world.n + 1):
        other = (j + 1) % (world.n + 1)
        out[j] = best_response(world, start, j)[j, other]
    return out


def trade_war(world: World, tariffs: np.ndarray | None = None, rounds: int = 30) -> np.ndarray:
    """Tariffs when every economy, ROW included, plays its best response (Nash, E10).

    Iterated best responses (each economy in turn, given the latest tariffs of the
    others), from ``tariffs`` (default: the baseline) until none moves by more than
    :data:`SETTLED`, or after ``rounds`` passes.
    """
    result = np.array(world.base_tariffs if tariffs is None else tariffs, dtype=float)
    for _ in range(rounds):
        before = result.copy()
        for j in range(world.n + 1):
            result = best_response(world, result, j)
        if np.abs(result - before).max() < SETTLED:
            break
    return result
