"""The economy linearised at a solved state: warm starts and cheap screening.

Around a solved state (tariffs t_c, log factor prices u_c) the equilibrium factor
prices of a nearby state t are approximated to first order (model.md E11):
``u ≈ u_c + D·(t − t_c)`` on the tariff entries that may move, with
``D = ∂u/∂t = −J⁻¹ ∂F/∂t`` (F the market-clearing conditions of E6, J their
Jacobian at the state). D is found by central differences of exact solves started
at u_c; J⁻¹ is kept as the chord of later steps.

- **screening** (E12) takes two chord steps from the linearised prices and stops:
  demand, flows, spending and price indices follow E2-E5 exactly at those prices,
  but E6 holds only approximately, so the :class:`~negsim.economy.solver.Equilibrium`
  has ``exact=False`` and reports its residual. It ranks candidates before the
  best few are solved exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negsim.economy import kernel
from negsim.economy.solver import Baseline, Equilibrium, _clean, solve

STEP = 1e-4  # central-difference step in a tariff (fraction), for D of E11
SCREEN_STEPS = 2  # chord steps a screened state takes from the linearised prices (E12)


@dataclass(frozen=True)
class Linearisation:
    """The economy linearised at one solved state (model.md E11).

    Attributes:
        tariffs: the state's tariffs t_c, (m, m, S).
        price: its exact log factor prices u_c, (m, S).
        entries: flat indices of the tariff entries that may move, (L,).
        slope: D = ∂u/∂t on those entries, (m·S, L).
        chord: J⁻¹, the inverse Jacobian of E6 at the state, (m·S, m·S).
    """

    tariffs: np.ndarray
    price: np.ndarray
    entries: np.ndarray
    slope: np.ndarray
    chord: np.ndarray

    def start(self, tariffs: np.ndarray) -> np.ndarray:
        """Linearised log prices u_c + D·(t − t_c) of states (K, m, m, S), (K, m, S) (E11)."""
        k = tariffs.shape[0]
        flat = tariffs.reshape(k, self.tariffs.size)[:, self.entries]
        change = flat - self.tariffs.reshape(-1)[self.entries]
        return self.price[None] + (change @ self.slope.T).reshape(k, *self.price.shape)


def linearise(
    baseline: Baseline, tariffs: np.ndarray, entries: np.ndarray, price: np.ndarray | None = None
) -> Linearisation:
    """Solve ``tariffs`` exactly, with the slopes of its prices in ``entries`` (E11).

    ``price``: the state's exact log factor prices (m, S), if already known.

    Raises:
        negsim.economy.SolverError: the state or a perturbed state did not converge.
    """
    b = baseline
    t = _clean(b, tariffs)
    u = np.log(solve(b, t).price) if price is None else np.asarray(price)[None]
    weight0, net, theta = kernel.prepare(t, b.tariffs, b.share, b.elasticity)
    chord = kernel.inverse_jacobian(
        weight0, net, theta, b.sector_share, b.income, b.deficit, b.elasticity, b.active, u
    )
    entries = np.asarray(entries, dtype=np.intp)
    size = len(entries)
    moved = np.repeat(t.reshape(1, -1), 2 * size, axis=0)
    rows = np.arange(size)
    moved[rows, entries] += STEP
    moved[size + rows, entries] -= STEP
    start = np.broadcast_to(u[0], (2 * size, *u.shape[1:]))
    shifted = solve(b, moved.reshape(2 * size, *t.shape[1:]), start=start, chord=chord)
    logs = np.log(shifted.price)
    slope = (logs[:size] - logs[size:]).reshape(size, -1).T / (2.0 * STEP)
    return Linearisation(t[0], u[0], entries, np.ascontiguousarray(slope), chord)


def screen(
    baseline: Baseline,
    lin: Linearisation,
    tariffs: np.ndarray,
    steps: int = SCREEN_STEPS,
    prepared: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> Equilibrium:
    """States (K, m, m, S) at the linearised prices, then ``steps`` chord steps (E12).

    A chord step is kept while it lowers the residual (no Newton step). Rows are
    not solved to the tolerance: the result has ``exact=False`` and carries its
    residuals. ``prepared``: as for :func:`~negsim.economy.solver.solve`.
    """
    t = _clean(baseline, tariffs)
    start = lin.start(t)
    eq = solve(
        baseline,
        t,
        start,
        strict=False,
        chord=lin.chord,
        max_iter=steps,
        prepared=prepared,
        newton=False,
    )
    eq.exact = False
    return eq


def append_rows(eq: Equilibrium, exact: Equilibrium) -> Equilibrium:
    """``eq`` (screened rows) with the rows of ``exact`` appended, in place."""
    for name in ("tariffs", "price", "flows", "spending", "price_index", "residual"):
        setattr(eq, name, np.concatenate([getattr(eq, name), getattr(exact, name)]))
    return eq
