"""The economy linearised at a solved state: warm starts and cheap screening.

Around a solved state (tariffs t_c, log factor prices u_c) the equilibrium factor
prices of a nearby state t are approximated to first order (model.md E11):
``u ≈ u_c + D·(t − t_c)`` on the tariff entries that may move, with
``D = ∂u/∂t = −J⁻¹ ∂F/∂t`` (F the market-clearing conditions of E6, J their
Jacobian at the state). D is found with ∂F/∂t by central differences of the
residuals at u_c (no solve); J⁻¹ is kept as the chord of later steps.

- **screening** (E12) takes two chord steps from the linearised prices and stops:
  demand, flows, spending and price indices follow E2-E5 exactly at those prices,
  but E6 holds only approximately, so the :class:`~negsim.economy.solver.Equilibrium`
  has ``exact=False`` and reports its residual. It ranks candidates before the
  best few are solved exactly.
- **exact solves of offers** (:func:`solve_offers`) start from the linearised prices
  with J⁻¹ as their chord and stop at E6's tolerance; the CES terms of the links an
  offer leaves alone are copied from the solved state (:func:`prepare_near`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit

from negsim.economy import exp_log, kernel, lanes
from negsim.economy.solver import (
    MAX_ITERATIONS,
    MAX_STEP,
    TOLERANCE,
    Baseline,
    Equilibrium,
    _clean,
    finish,
    solve,
)

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
    at_entries: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Keep t_c on the entries (every start subtracts it)."""
        object.__setattr__(self, "at_entries", self.tariffs.reshape(-1)[self.entries])

    def start(self, tariffs: np.ndarray) -> np.ndarray:
        """Linearised log prices u_c + D·(t − t_c) of states (K, m, m, S), (K, m, S) (E11)."""
        k = tariffs.shape[0]
        return self.start_at(tariffs.reshape(k, self.tariffs.size)[:, self.entries])

    def start_at(self, values: np.ndarray) -> np.ndarray:
        """As :meth:`start`, from the states' tariffs on the entries, (K, L)."""
        start = (values - self.at_entries) @ self.slope.T
        start += self.price.reshape(-1)  # in place: the same sums as u_c + D·(t − t_c)
        return start.reshape(len(values), *self.price.shape)


def linearise(
    baseline: Baseline, tariffs: np.ndarray, entries: np.ndarray, price: np.ndarray | None = None
) -> Linearisation:
    """Solve ``tariffs`` exactly, with the slopes of its prices in ``entries`` (E11).

    D = −J⁻¹ ∂F/∂t, with ∂F/∂t by central differences of E6's residuals at the
    state's prices (2·|entries| evaluations of E2-E5, no solve).

    ``price``: the state's exact log factor prices (m, S), if already known.

    Raises:
        negsim.economy.SolverError: the state did not converge.
    """
    b = baseline
    t = _clean(b, tariffs)
    u = np.log(solve(b, t).price) if price is None else np.asarray(price)[None]
    weight0, net, theta = kernel.prepare(t, b.tariffs, b.share, b.elasticity)
    chord = inverse_jacobian(
        weight0, net, theta, b.sector_share, b.income, b.deficit, b.elasticity, b.active, u
    )
    entries = np.asarray(entries, dtype=np.intp)
    size = len(entries)
    moved = np.repeat(t.reshape(1, -1), 2 * size, axis=0)
    rows = np.arange(size)
    moved[rows, entries] += STEP
    moved[size + rows, entries] -= STEP
    # ∂F/∂t by central differences of the residuals at u_c: no solve (E11); the moved
    # states' other links keep the state's terms (prepare_near: the same numbers)
    reference = (weight0[0], net[0], theta[0])
    w, n, th = prepare_near(reference, entries, moved[:, entries], b.tariffs, b.share, b.elasticity)
    resid = residuals(w, n, th, b.sector_share, b.income, b.deficit, b.elasticity, b.active, u[0])
    slope = -chord @ ((resid[:size] - resid[size:]) / (2.0 * STEP)).T
    return Linearisation(t[0], u[0], entries, np.ascontiguousarray(slope), chord)


def screen(
    baseline: Baseline,
    lin: Linearisation,
    tariffs: np.ndarray,
    steps: int = SCREEN_STEPS,
    prepared: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    cleaned: bool = False,
    values: np.ndarray | None = None,
) -> Equilibrium:
    """States (K, m, m, S) at the linearised prices, then ``steps`` chord steps (E12).

    A chord step is kept while it lowers the residual (no Newton step). Rows are
    not solved to the tolerance: the result has ``exact=False`` and carries its
    residuals. ``prepared``, ``cleaned``: as for :func:`~negsim.economy.solver.solve`;
    ``values``: the states' tariffs on the linearisation's entries, if known.
    """
    t = tariffs if cleaned else _clean(baseline, tariffs)
    start = lin.start(t) if values is None else lin.start_at(values)
    eq = solve(
        baseline,
        t,
        start,
        strict=False,
        chord=lin.chord,
        max_iter=steps,
        prepared=prepared,
        newton=False,
        cleaned=True,
    )
    eq.exact = False
    return eq


def append_rows(eq: Equilibrium, exact: Equilibrium) -> Equilibrium:
    """``eq`` (screened rows) with the rows of ``exact`` appended, in place."""
    for name in ("tariffs", "price", "flows", "spending", "price_index", "residual"):
        setattr(eq, name, np.concatenate([getattr(eq, name), getattr(exact, name)]))
    return eq


def solve_offers(
    baseline: Baseline,
    reference: tuple[np.ndarray, np.ndarray, np.ndarray],
    entries: np.ndarray,
    states: np.ndarray,
    price: np.ndarray,
    lin: Linearisation | None,
    screened: int | None,
    steps: int = SCREEN_STEPS,
    values: np.ndarray | None = None,
    cleaned: bool = False,
) -> Equilibrium:
    """Equilibria of states that differ from a solved state only on ``entries``.

    Args:
        baseline: the calibrated world.
        reference: :func:`~negsim.economy.kernel.prepare` terms of the solved state.
        entries: the flat tariff entries the states may change.
        states: the tariff states, (K, m, m, S).
        price: the solved state's log factor prices (m, S): the Newton start.
        lin: its linearisation (E11), needed unless ``screened`` is None.
        screened: rows screened (E12) first, the rest exact from the linearised
            prices; ``None``: every row exact from ``price``, no linearisation.
        steps: chord steps of a screened row.
        values: the states' tariffs on ``entries``, (K, L), if the caller has them.
        cleaned: ``states`` are a fresh float batch with zero diagonal (as
            :func:`~negsim.economy.solver.solve` reads ``cleaned``).
    """
    b, k = baseline, len(states)
    if values is None:
        values = states.reshape(k, int(np.prod(states.shape[1:])))[:, entries]
    if k >= lanes.FEWEST:  # the states side by side (negsim.economy.lanes)
        if screened is None or lin is None:
            start = np.broadcast_to(price, (k, *price.shape))
            return solve_near(b, reference, entries, states, values, start, None, cleaned)
        if screened >= k:
            return screen_near(b, lin, reference, entries, states, values, steps, cleaned)
        if screened == 0:
            start = lin.start_at(values)
            return solve_near(b, reference, entries, states, values, start, lin.chord, cleaned)
    prepared = prepare_near(reference, entries, values, b.tariffs, b.share, b.elasticity)
    if screened is None or lin is None:
        start = np.broadcast_to(price, (k, *price.shape))
        return solve(b, states, start=start, prepared=prepared, cleaned=cleaned)
    head, rest = slice(0, screened), slice(screened, k)
    eq = None
    if screened:
        head_terms = tuple(a[head] for a in prepared)
        eq = screen(b, lin, states[head], steps, head_terms, cleaned, values[head])
    if screened < k:
        exact = solve(
            b,
            states[rest],
            start=lin.start_at(values[rest]),
            chord=lin.chord,
            prepared=tuple(a[rest] for a in prepared),
            cleaned=cleaned,
        )
        eq = exact if eq is None else append_rows(eq, exact)
    assert eq is not None
    return eq


def solve_near(
    baseline: Baseline,
    reference: tuple[np.ndarray, np.ndarray, np.ndarray],
    entries: np.ndarray,
    states: np.ndarray,
    values: np.ndarray,
    start: np.ndarray,
    chord: np.ndarray | None,
    cleaned: bool = False,
) -> Equilibrium:
    """The solve of states that differ from a prepared one only on ``entries`` (exact, E6).

    The same numbers as :func:`prepare_near` and ``solve(..., start, chord)`` give, in
    one compiled call that lays a few states side by side
    (:func:`negsim.economy.lanes.solve_offers`); ``chord`` None: computed at the first
    state that takes a step, as the solver does. Arguments as for :func:`solve_offers`.

    Raises:
        negsim.economy.SolverError: some state did not converge.
    """
    b = baseline
    t = states if cleaned else _clean(b, states)
    u, flows, expend, residual, iteration, index = lanes.solve_offers(
        reference, entries, np.ascontiguousarray(values, dtype=float), b.tariffs, b.share,
        b.sector_share, b.income, b.deficit, b.elasticity, b.active,
        np.ascontiguousarray(start, dtype=float), TOLERANCE * 1e-2, MAX_ITERATIONS, MAX_STEP,
        np.zeros((0, 0)) if chord is None else chord, True,
    )  # fmt: skip
    return finish(b, t, u, flows, expend, index, residual, iteration)


def screen_near(
    baseline: Baseline,
    lin: Linearisation,
    reference: tuple[np.ndarray, np.ndarray, np.ndarray],
    entries: np.ndarray,
    states: np.ndarray,
    values: np.ndarray,
    steps: int = SCREEN_STEPS,
    cleaned: bool = False,
) -> Equilibrium:
    """:func:`screen` of states that differ from the linearised one only on ``entries``.

    The same numbers as :func:`prepare_near` and :func:`screen` give (the same
    operations, in the same order, per state), in one compiled call that lays a few
    states side by side (:func:`negsim.economy.lanes.screen_offers`). Arguments as
    for :func:`solve_offers`; ``values``: the states' tariffs on ``entries``, (K, L).
    """
    b = baseline
    t = states if cleaned else _clean(b, states)
    u, flows, expend, residual, iteration, index = lanes.screen_offers(
        reference, entries, np.ascontiguousarray(values, dtype=float), b.tariffs, b.share,
        b.sector_share, b.income, b.deficit, b.elasticity, b.active,
        np.ascontiguousarray(lin.start_at(values)), TOLERANCE * 1e-2, steps, lin.chord,
    )  # fmt: skip
    eq = Equilibrium(b, t, np.exp(u), flows, expend, index, residual, int(iteration))
    eq.exact = False
    return eq


@njit(cache=True)
def prepare_near(reference, entries, values, t0, share, eps):
    """As :func:`prepare` for states that differ from a prepared one only on ``entries``.

    ``reference``: (weight0, net, theta) of the state in force, each (m, m, S);
    ``values``: the states' tariffs on the flat ``entries``, (K, L). The other
    links' terms are copied, not recomputed (the same numbers :func:`prepare` gives),
    as flat rows (an element loop: numba's copy of a 3-d block is twice as slow).
    """
    ref_weight0, ref_net, ref_theta = reference
    m, _, s = ref_weight0.shape
    k, size = values.shape
    cells = m * m * s
    ref_w, ref_n, ref_t = ref_weight0.ravel(), ref_net.ravel(), ref_theta.ravel()
    t0_flat, share_flat = t0.ravel(), share.ravel()
    weight0 = np.empty((k, cells))
    net = np.empty((k, cells))
    theta = np.empty((k, cells))
    for z in range(k):
        for c in range(cells):
            weight0[z, c] = ref_w[c]
            net[z, c] = ref_n[c]
            theta[z, c] = ref_t[c]
        for e in range(size):
            flat = entries[e]  # (j, i, r) of importer j, exporter i, sector r
            tariff = values[z, e]
            gross = 1.0 + tariff
            lam0 = share_flat[flat]
            weight0[z, flat] = (
                lam0 * exp_log.exp(-eps[flat % s] * exp_log.log(gross / (1.0 + t0_flat[flat])))
                if lam0 > 0
                else 0.0
            )
            net[z, flat] = 1.0 / gross
            theta[z, flat] = tariff / gross
    shape = (k, m, m, s)
    return weight0.reshape(shape), net.reshape(shape), theta.reshape(shape)


@njit(cache=True)
def inverse_jacobian(weight0, net, theta, alpha, income, deficit, eps, active, u):
    """The inverse Jacobian of E6 at one state (index 0 of the arrays): a chord (E11)."""
    _, m, _, s = weight0.shape
    lam = np.zeros((m, m, s))
    flows = np.zeros((m, m, s))
    demand = np.zeros((m, s))
    out = np.zeros((m, s))
    expend = np.zeros(m)
    u0 = u[0]
    phis = np.zeros((m, s))
    rho = kernel._state(
        u0,
        weight0[0],
        net[0],
        theta[0],
        alpha,
        income,
        deficit,
        eps,
        lam,
        flows,
        demand,
        out,
        expend,
        phis,
        np.zeros(m),
        np.empty((m, s)),
    )
    scale = 1.0 / income.sum()
    jac = kernel._jacobian(
        lam, flows, demand, out, expend, rho, theta[0], alpha, deficit, eps, active, scale
    )
    return np.ascontiguousarray(np.linalg.inv(jac))


@njit(cache=True)
def residuals(weight0, net, theta, alpha, income, deficit, eps, active, u):
    """E6's scaled residuals of each state at log prices u, numeraire last, (K, m·S)."""
    k, m, _, s = weight0.shape
    n = m * s
    scale = 1.0 / income.sum()
    out_all = np.zeros((k, n))
    lam = np.zeros((m, m, s))
    flows = np.zeros((m, m, s))
    demand = np.zeros((m, s))
    out = np.zeros((m, s))
    expend = np.zeros(m)
    resid = np.zeros(n)
    phis = np.zeros((m, s))
    rho = np.zeros(m)
    power = np.empty((m, s))
    for z in range(k):
        kernel._state(
            u, weight0[z], net[z], theta[z], alpha, income, deficit, eps, lam, flows, demand, out,
            expend, phis, rho, power,
        )  # fmt: skip
        _, _, numeraire = kernel._residual(demand, out, active, scale, resid)
        resid[n - 1] = numeraire
        out_all[z] = resid
    return out_all
