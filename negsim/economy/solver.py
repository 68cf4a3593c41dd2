"""Exact hat algebra: the equilibrium of a batch of tariff states, solved in changes.

The economy is the multi-sector Armington model of ``docs/model.md#economy``
(E1-E9): every country (ROW included) owns a sector-specific factor in each sector,
whose output is a distinct national variety; buyers substitute between the
varieties of a sector with trade elasticity ε_s (CES) and spend fixed shares of
their income on sectors (Cobb-Douglas); tariff revenue is rebated to the importer;
each economy's trade deficit is held at its baseline value (in units of world
factor income, the numeraire). Solved in changes from the calibrated baseline, as
Dekle, Eaton & Kortum (2007): the unknowns are the factor price changes p̂[i, s],
found by batched Newton steps on the market-clearing conditions (E6).

Arrays are importer-major: ``flows[j, i, s]`` is what ``j`` buys from ``i`` in
sector ``s`` at producers' prices; the diagonal ``flows[j, j, s]`` is domestic sales.
A batch of ``K`` states has a leading axis. Nothing here knows of scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

try:  # the compiled Newton solve (model.md E6); the numpy path is the fallback
    from negsim.economy import kernel as _kernel
except ImportError:  # pragma: no cover - numba not installed
    _kernel = None  # type: ignore[assignment]

TOLERANCE = 1e-10  # market-clearing residual, as a share of world output (model.md E6)
MAX_ITERATIONS = 60
MAX_STEP = 1.0  # largest change of a log factor price in one Newton step


class SolverError(RuntimeError):
    """The equilibrium of some states of a batch was not found; names the rows."""


@dataclass(frozen=True)
class Baseline:
    """The calibrated world, in the arrays the solver reads (model.md E1).

    Attributes:
        flows: baseline flows X0[j, i, s] at producers' prices, USD bn, (m, m, S),
            the diagonal being domestic sales.
        tariffs: baseline tariffs t0[j, i, s], zero on the diagonal.
        elasticity: trade elasticity ε_s per sector, (S,), each > 0.
    """

    flows: np.ndarray
    tariffs: np.ndarray
    elasticity: np.ndarray

    def __post_init__(self) -> None:
        """Derive incomes, deficits, spending shares (model.md E1)."""
        x0, t0 = self.flows, self.tariffs
        m = x0.shape[0]
        spend = x0 * (1.0 + t0)  # at buyers' prices
        market = spend.sum(axis=1)  # E0[j, s]
        object.__setattr__(self, "income", x0.sum(axis=0))  # Y0[i, s]
        object.__setattr__(self, "spending", market.sum(axis=1))  # E0[j]
        object.__setattr__(self, "revenue", (t0 * x0).sum(axis=(1, 2)))  # R0[j]
        object.__setattr__(
            self, "deficit", x0.sum(axis=(1, 2)) - x0.sum(axis=(0, 2))
        )  # D[j] = imports - exports
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(market[:, None, :] > 0, spend / market[:, None, :], 0.0)
        object.__setattr__(self, "share", share)  # λ0[j, i, s]
        object.__setattr__(self, "sector_share", market / self.spending[:, None])  # α[j, s]
        object.__setattr__(self, "world_income", float(self.income.sum()))
        object.__setattr__(self, "active", self.income > 0)  # (i, s) with output
        object.__setattr__(self, "m", m)

    income: np.ndarray = None  # type: ignore[assignment]
    spending: np.ndarray = None  # type: ignore[assignment]
    revenue: np.ndarray = None  # type: ignore[assignment]
    deficit: np.ndarray = None  # type: ignore[assignment]
    share: np.ndarray = None  # type: ignore[assignment]
    sector_share: np.ndarray = None  # type: ignore[assignment]
    world_income: float = 0.0
    active: np.ndarray = None  # type: ignore[assignment]
    m: int = 0


@dataclass
class Equilibrium:
    """The equilibrium of a batch of K tariff states, in changes from the baseline.

    Attributes:
        tariffs: the tariffs, (K, m, m, S), zero on the diagonal.
        price: factor price changes p̂[i, s], (K, m, S) (E6).
        flows: flows X[j, i, s] at producers' prices, USD bn of the baseline, (K, m, m, S).
        spending: spending E[j] at buyers' prices, (K, m) (E5).
        price_index: sector price index changes P̂[j, s], (K, m, S) (E3).
        residual: largest market-clearing residual / world output, (K,).
        iterations: Newton steps taken.
        exact: False for states at the linearised prices of model.md E11 (screening:
            E6 holds only to ``residual``, and ``converged`` is not required).
    """

    baseline: Baseline
    tariffs: np.ndarray
    price: np.ndarray
    flows: np.ndarray
    spending: np.ndarray
    price_index: np.ndarray
    residual: np.ndarray
    iterations: int
    exact: bool = True

    @property
    def converged(self) -> np.ndarray:
        """Whether each state's residual is below :data:`TOLERANCE`, (K,)."""
        return self.residual < TOLERANCE

    @property
    def income(self) -> np.ndarray:
        """Factor income Y[i, s] = p̂ Y0 by sector: the sector's rents, (K, m, S)."""
        return self.price * self.baseline.income

    @property
    def cost_of_living(self) -> np.ndarray:
        """Consumer price index change P̂[j] = Π_s P̂[j, s]^α[j, s], (K, m) (E7)."""
        return np.exp((np.log(self.price_index) * self.baseline.sector_share).sum(axis=-1))

    @property
    def real_income(self) -> np.ndarray:
        """Real income change Ŵ[j] = Ê[j] / P̂[j], (K, m) (E7)."""
        return self.spending / self.baseline.spending / self.cost_of_living

    @property
    def welfare(self) -> np.ndarray:
        """Equivalent variation EV[j] = E0[j] (Ŵ[j] − 1), USD bn, (K, m) (E8)."""
        return self.baseline.spending * (self.real_income - 1.0)

    @property
    def real_rents(self) -> np.ndarray:
        """Change of each sector's real factor income, (p̂/P̂[i] − 1)·Y0, USD bn (E9)."""
        b = self.baseline
        return (self.price / self.cost_of_living[..., None] - 1.0) * b.income

    @property
    def revenue(self) -> np.ndarray:
        """Tariff revenue R[j] = Σ t X, USD bn, (K, m) (E5)."""
        return (self.tariffs * self.flows).sum(axis=(-2, -1))


def _clean(baseline: Baseline, tariffs: np.ndarray) -> np.ndarray:
    """Tariffs as a float batch (K, m, m, S) with zero on the diagonal."""
    t = np.array(tariffs, dtype=float, ndmin=4, copy=True)
    m = baseline.m
    t[:, np.arange(m), np.arange(m), :] = 0.0
    return t


def solve(
    baseline: Baseline,
    tariffs: np.ndarray,
    start: np.ndarray | None = None,
    strict: bool = True,
    compiled: bool = True,
    chord: np.ndarray | None = None,
    max_iter: int = MAX_ITERATIONS,
    prepared: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    newton: bool = True,
    cleaned: bool = False,
) -> Equilibrium:
    """Solve a batch of tariff states by Newton steps on the factor prices.

    Args:
        baseline: the calibrated world.
        tariffs: tariff states (K, m, m, S) or one state (m, m, S).
        start: log factor price changes to start from, (K, m, S) (default 0: the
            baseline).
        strict: raise :class:`SolverError` when a state does not converge; otherwise
            its row keeps ``converged`` False.
        compiled: use the numba kernel when numba is installed (else numpy).
        chord: inverse Jacobian (m·S, m·S) for the chord steps, e.g. that of the state
            in force (model.md E11); default: computed at the first state.
        max_iter: the most Newton (or chord) steps per state; fewer than
            :data:`MAX_ITERATIONS` only for screening (model.md E11), whose rows
            may then stay unconverged (use with ``strict=False``).
        prepared: the CES weights, 1/(1 + t) and t/(1 + t) of the states, (K, m, m, S)
            each, if already computed (:func:`negsim.economy.linear.prepare_near`).
        newton: False for chord steps only, no Newton fallback (the screen, E12).
        cleaned: ``tariffs`` is already a fresh float batch (K, m, m, S) with zero
            diagonal (as :func:`_clean` returns it); it is kept, not copied.

    Returns:
        The equilibria. At the baseline tariffs the baseline is reproduced exactly.
    """
    b = baseline
    t = tariffs if cleaned else _clean(b, tariffs)
    k, m, s = t.shape[0], b.m, len(b.elasticity)
    eps = b.elasticity
    use_kernel = _kernel is not None and compiled
    # (model.md E2) τ̂ = (1 + t) / (1 + t0); CES weight λ0 (p̂ τ̂)^(−ε)
    if prepared is not None:
        weight0, net, theta = prepared
    elif use_kernel:
        weight0, net, theta = _kernel.prepare(t, b.tariffs, b.share, eps)
    else:
        weight0 = b.share[None] * ((1.0 + t) / (1.0 + b.tariffs)) ** (-eps)
        net = 1.0 / (1.0 + t)
        theta = t * net  # t / (1 + t): revenue per USD spent
    u = np.zeros((k, m, s)) if start is None else np.ascontiguousarray(start, dtype=float)
    if use_kernel:
        u, flows, expend, residual, iteration, index = _kernel.solve_batch(
            weight0,
            net,
            theta,
            b.sector_share,
            b.income,
            b.deficit,
            eps,
            b.active,
            u,
            TOLERANCE * 1e-2,
            max_iter,
            MAX_STEP,
            np.zeros((0, 0)) if chord is None else chord,
            newton,
        )
    else:
        u, flows, expend, residual, iteration = _newton(b, u, weight0, net, theta)
        phi = (weight0 * np.exp(-eps * u[:, None])).sum(axis=2)  # Σ λ0 (p̂ τ̂)^(−ε)  (E3)
        index = np.maximum(phi, 1e-300) ** (-1.0 / eps)
        index = np.where(b.sector_share[None] > 0, index, 1.0)
    return finish(b, t, u, flows, expend, index, residual, iteration, strict)


def finish(
    baseline: Baseline,
    tariffs: np.ndarray,
    u: np.ndarray,
    flows: np.ndarray,
    expend: np.ndarray,
    index: np.ndarray,
    residual: np.ndarray,
    iteration: int,
    strict: bool = True,
) -> Equilibrium:
    """The :class:`Equilibrium` of a solve's arrays (log prices ``u``), as :func:`solve` makes it.

    Raises:
        SolverError: ``strict`` and some state did not converge.
    """
    residual = np.where(np.isfinite(residual), residual, np.inf)
    spent: np.ndarray = np.asarray((expend > 0.0).all(axis=-1))  # E5: deficits fixed, E > 0
    if not spent.all():
        residual = np.where(spent, residual, np.inf)
    eq = Equilibrium(baseline, tariffs, np.exp(u), flows, expend, index, residual, int(iteration))
    if strict and not eq.converged.all():
        rows = np.flatnonzero(~eq.converged)
        if not spent[rows].all():
            economies = np.flatnonzero((expend[rows] <= 0.0).any(axis=0)).tolist()
            raise SolverError(
                f"no equilibrium for state(s) {rows[:10].tolist()} of {len(residual)}: "
                f"the spending of economies {economies} would turn negative with their "
                "trade balances held at the baseline (E5)"
            )
        raise SolverError(
            f"equilibrium not found for state(s) {rows[:10].tolist()} of {len(residual)} "
            f"(residual {residual[rows].max():.2e} of world output > {TOLERANCE:.0e})"
        )
    return eq


def _newton(
    b: Baseline, u: np.ndarray, weight0: np.ndarray, net: np.ndarray, theta: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Batched Newton steps with backtracking in numpy (model.md E6)."""
    k, m, s = u.shape
    inactive = ~b.active.reshape(-1)
    eye = np.eye(m * s)
    scale = 1.0 / b.world_income
    state = _evaluate(b, u, weight0, net, theta)
    norm = _norm(b, state, inactive, scale)
    for iteration in range(MAX_ITERATIONS + 1):
        lam, flows, demand, out, expend, rho = state
        resid = ((demand - out) * scale).reshape(k, -1)
        resid[:, inactive] = 0.0
        residual = np.abs(resid).max(axis=1)
        if residual.max() < TOLERANCE * 1e-3 or iteration == MAX_ITERATIONS:
            break
        jac = _jacobian(b, lam, flows, demand, out, expend, rho, theta) * scale
        jac[:, inactive, :] = eye[inactive]
        # the numeraire: world factor income at its baseline value (E6)
        jac[:, -1, :] = out.reshape(k, -1) * scale
        resid[:, -1] = out.reshape(k, -1).sum(axis=1) * scale - 1.0
        try:
            step = np.linalg.solve(jac, -resid[..., None])[..., 0]
        except np.linalg.LinAlgError:
            step = -resid
        step = np.nan_to_num(step, nan=0.0, posinf=0.0, neginf=0.0)
        largest = np.abs(step).max(axis=1, keepdims=True)
        step *= np.minimum(1.0, MAX_STEP / np.maximum(largest, 1e-300))
        step = step.reshape(k, m, s)
        # backtracking: halve the step of the states whose residual would grow
        length = np.ones((k, 1, 1))
        for _ in range(12):
            trial = u + length * step
            trial_state = _evaluate(b, trial, weight0, net, theta)
            trial_norm = _norm(b, trial_state, inactive, scale)
            worse = ~(trial_norm <= norm * (1.0 + 1e-12)) & (norm > TOLERANCE * 1e-3)
            if not worse.any():
                break
            length[worse] *= 0.5
        u, state, norm = trial, trial_state, trial_norm
    _, flows, _, _, expend, _ = state
    return u, flows, expend, residual, iteration


def _norm(
    b: Baseline, state: tuple[np.ndarray, ...], inactive: np.ndarray, scale: float
) -> np.ndarray:
    """Size of the market-clearing and numeraire residuals of each state, (K,)."""
    demand, out = state[2], state[3]
    k = demand.shape[0]
    resid = ((demand - out) * scale).reshape(k, -1)
    resid[:, inactive] = 0.0
    numeraire = out.reshape(k, -1).sum(axis=1) * scale - 1.0
    return np.sqrt((resid**2).sum(axis=1) + numeraire**2)


def _evaluate(
    b: Baseline, u: np.ndarray, weight0: np.ndarray, net: np.ndarray, theta: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Shares, flows, demand and spending at log factor prices u (model.md E2-E6)."""
    p = np.exp(u)
    c = weight0 * p[:, None] ** (-b.elasticity)  # (K, j, i, s)
    phi = c.sum(axis=2, keepdims=True)
    lam = np.divide(c, phi, out=np.zeros_like(c), where=phi > 0)  # λ[j, i, s]  (E3)
    rho = (b.sector_share * (lam * theta).sum(axis=2)).sum(axis=-1)  # revenue share (E5)
    out = p * b.income  # Y[i, s]
    expend = (out.sum(axis=-1) + b.deficit) / (1.0 - rho)  # E[j]  (E5)
    flows = lam * (b.sector_share * expend[..., None])[:, :, None, :] * net  # X  (E4)
    demand = flows.sum(axis=1)  # Σ_j X[j, i, s]
    return lam, flows, demand, out, expend, rho


def _jacobian(
    b: Baseline,
    lam: np.ndarray,
    flows: np.ndarray,
    demand: np.ndarray,
    out: np.ndarray,
    expend: np.ndarray,
    rho: np.ndarray,
    theta: np.ndarray,
) -> np.ndarray:
    """∂(Z − Y)[i, s] / ∂ ln p̂[k, r], (K, m·S, m·S) (derivation in model.md E6)."""
    k, m, _, s = flows.shape
    eps = b.elasticity
    # own-sector substitution: −ε_s (δ_ik Z_is − Σ_j X_jis λ_jks) δ_sr, per sector s
    by_sector = flows.transpose(0, 3, 2, 1) @ lam.transpose(0, 3, 1, 2)  # (z, s, i, k)
    sub = -eps[:, None, None] * (np.eye(m) * demand.transpose(0, 2, 1)[..., None] - by_sector)
    jac = np.zeros((k, m, s, m, s))
    idx = np.arange(s)
    jac[:, :, idx, :, idx] = sub.transpose(1, 0, 2, 3)  # (s, z, i, k)
    # income: E[j] moves with j's factor income and its tariff revenue share
    income_term = out / (out.sum(axis=-1) + b.deficit)[..., None]  # (z, k, r)
    jac += flows.transpose(0, 2, 3, 1)[..., None] * income_term[:, None, None]
    theta_bar = (lam * theta).sum(axis=2, keepdims=True)
    spread = lam * (theta - theta_bar) / (1.0 - rho)[:, :, None, None]
    h = -eps * b.sector_share[:, None, :] * spread  # (z, j, k, r)
    jac += (flows.reshape(k, m, m * s).transpose(0, 2, 1) @ h.reshape(k, m, m * s)).reshape(
        k, m, s, m, s
    )
    square: np.ndarray = jac.reshape(k, m * s, m * s)
    square[:, np.arange(m * s), np.arange(m * s)] -= out.reshape(k, -1)
    return square
