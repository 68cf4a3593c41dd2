"""The Newton solve of E6 compiled with numba, one state at a time (no Python loop).

The same algebra as :func:`negsim.economy.solver.solve` (model.md E2-E6 and the
Jacobian of E6), written as loops that numba compiles: a batch of K states costs
K small dense Newton solves with no numpy call overhead. Used by the solver when
numba is installed; otherwise the solver's numpy path runs.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from negsim.economy import exp_log


@njit(cache=True)
def _state(
    u, weight0, net, theta, alpha, income, deficit, eps, lam, flows, demand, out, expend, phis,
    rho, power,
):  # fmt: skip
    """Shares, flows, demand and spending at log prices u; returns the revenue shares.

    ``phis`` receives Φ[j, s] = Σ_i λ0 (p̂ τ̂)^(−ε) (E3), from which :func:`_index_of`
    gives the price indices at u without computing the powers again. ``rho`` (m,)
    and ``power`` (m, S) are scratch buffers, like the others (no allocation per
    evaluation); ``rho`` is returned.
    """
    m, _, s = weight0.shape
    rho[:] = 0.0
    # power: p̂^(−ε_s), once per supplier
    for i in range(m):
        for r in range(s):
            price = exp_log.exp(u[i, r])
            out[i, r] = price * income[i, r]
            power[i, r] = exp_log.exp(-eps[r] * u[i, r])
    for j in range(m):
        for r in range(s):
            phi = 0.0
            for i in range(m):
                c = weight0[j, i, r] * power[i, r]
                lam[j, i, r] = c
                phi += c
            phis[j, r] = phi
            share = 0.0
            inverse = 1.0 / phi if phi > 0 else 0.0
            for i in range(m):
                lam[j, i, r] *= inverse
                share += lam[j, i, r] * theta[j, i, r]
            rho[j] += alpha[j, r] * share
        total = deficit[j]
        for r in range(s):
            total += out[j, r]
        expend[j] = total / (1.0 - rho[j])
    demand[:] = 0.0
    for j in range(m):
        for i in range(m):
            for r in range(s):
                x = lam[j, i, r] * alpha[j, r] * expend[j] * net[j, i, r]
                flows[j, i, r] = x
                demand[i, r] += x
    return rho


@njit(cache=True)
def _residual(demand, out, active, scale, resid):
    """Market-clearing residuals (share of world output) and their norm, numeraire last."""
    m, s = demand.shape
    norm = 0.0
    biggest = 0.0
    world = 0.0
    for i in range(m):
        for r in range(s):
            v = (demand[i, r] - out[i, r]) * scale if active[i, r] else 0.0
            resid[i * s + r] = v
            norm += v * v
            biggest = max(biggest, abs(v))
            world += out[i, r]
    numeraire = world * scale - 1.0
    norm += numeraire * numeraire
    return np.sqrt(norm), biggest, numeraire


@njit(cache=True)
def _jacobian(lam, flows, demand, out, expend, rho, theta, alpha, deficit, eps, active, scale):
    """∂(Z − Y)/∂ ln p̂ (model.md E6), the numeraire in the last row."""
    m, _, s = flows.shape
    n = m * s
    jac = np.zeros((n, n))
    factor_income = np.zeros(m)
    theta_bar = np.zeros((m, s))
    for j in range(m):
        factor_income[j] = deficit[j]
        for r in range(s):
            factor_income[j] += out[j, r]
            for i in range(m):
                theta_bar[j, r] += lam[j, i, r] * theta[j, i, r]
    for i in range(m):
        for q in range(s):
            row = i * s + q
            for k in range(m):
                # substitution within sector q
                acc = demand[i, q] if i == k else 0.0
                cross = 0.0
                for j in range(m):
                    cross += flows[j, i, q] * lam[j, k, q]
                jac[row, k * s + q] += -eps[q] * (acc - cross)
                for r in range(s):
                    col = k * s + r
                    # income of k, and the revenue share of every buyer j
                    v = flows[k, i, q] * out[k, r] / factor_income[k]
                    for j in range(m):
                        v += (
                            flows[j, i, q]
                            * -eps[r]
                            * alpha[j, r]
                            * lam[j, k, r]
                            * (theta[j, k, r] - theta_bar[j, r])
                            / (1.0 - rho[j])
                        )
                    jac[row, col] += v
            jac[row, row] -= out[i, q]
    for a in range(n):
        for c in range(n):
            jac[a, c] *= scale
    for i in range(m):
        for q in range(s):
            if not active[i, q]:
                row = i * s + q
                for c in range(n):
                    jac[row, c] = 0.0
                jac[row, row] = 1.0
    for i in range(m):
        for r in range(s):
            jac[n - 1, i * s + r] = out[i, r] * scale
    return jac


@njit(cache=True)
def solve_batch(
    weight0,
    net,
    theta,
    alpha,
    income,
    deficit,
    eps,
    active,
    u0,
    tol,
    max_iter,
    max_step,
    chord0,
    newton,
):
    """Newton with backtracking per state.

    Returns u, flows, spending, residuals, the most iterations and the price indices.

    ``chord0``: an inverse Jacobian (m·S, m·S) for the chord steps (that of the state
    in force, model.md E11), or an empty array to compute one at the first state.
    ``newton``: False for chord steps only (the screen of E12), each kept while it
    lowers the residual.
    """
    k, m, _, s = weight0.shape
    n = m * s
    scale = 1.0 / income.sum()
    u_all = u0.copy()
    flows_all = np.zeros((k, m, m, s))
    expend_all = np.zeros((k, m))
    residual_all = np.zeros(k)
    index_all = np.ones((k, m, s))  # price indices P̂ of the solved states (E3)
    most = 0
    lam = np.zeros((m, m, s))
    demand = np.zeros((m, s))
    out = np.zeros((m, s))
    resid = np.zeros(n)
    trial = np.zeros((m, s))
    phis = np.zeros((m, s))  # Φ of the last state evaluated: that at the final u
    rho_buf = np.zeros(m)  # scratch of _state
    power = np.empty((m, s))
    step = np.zeros(n)
    have_chord = chord0.shape[0] == n
    # inverse Jacobian shared by the batch (the chord method), transposed: a step
    # runs down its columns (:func:`_chord_step`)
    chord_t = np.ascontiguousarray(chord0.T) if have_chord else np.zeros((n, n))
    for z in range(k):
        u = u_all[z]
        flows = flows_all[z]
        expend = expend_all[z]
        rho = _state(
            u,
            weight0[z],
            net[z],
            theta[z],
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
            rho_buf,
            power,
        )
        norm, biggest, numeraire = _residual(demand, out, active, scale, resid)
        it = 0
        # chord steps with one inverse Jacobian, while they contract the residual fast
        while biggest >= tol and it < max_iter:
            if not have_chord:
                jac = _jacobian(
                    lam,
                    flows,
                    demand,
                    out,
                    expend,
                    rho,
                    theta[z],
                    alpha,
                    deficit,
                    eps,
                    active,
                    scale,
                )
                chord_t = np.ascontiguousarray(np.linalg.inv(jac).T)
                have_chord = True
            resid[n - 1] = numeraire
            _chord_step(chord_t, resid, step)
            for i in range(m):
                for r in range(s):
                    trial[i, r] = u[i, r] + step[i * s + r]
            rho = _state(
                trial,
                weight0[z],
                net[z],
                theta[z],
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
                rho_buf,
                power,
            )
            new_norm, new_biggest, new_numeraire = _residual(demand, out, active, scale, resid)
            if not new_norm <= (0.5 if newton else 1.0) * norm:  # too slow: Newton from u
                rho = _state(
                    u,
                    weight0[z],
                    net[z],
                    theta[z],
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
                    rho_buf,
                    power,
                )
                norm, biggest, numeraire = _residual(demand, out, active, scale, resid)
                break
            it += 1
            u[:, :] = trial
            norm, biggest, numeraire = new_norm, new_biggest, new_numeraire
        while newton and biggest >= tol and it < max_iter:
            it += 1
            jac = _jacobian(
                lam,
                flows,
                demand,
                out,
                expend,
                rho,
                theta[z],
                alpha,
                deficit,
                eps,
                active,
                scale,
            )
            resid[n - 1] = numeraire
            step = np.linalg.solve(jac, -resid)
            largest = 0.0
            for a in range(n):
                if not np.isfinite(step[a]):
                    step[a] = 0.0
                largest = max(largest, abs(step[a]))
            length = 1.0 if largest <= max_step else max_step / largest
            for _ in range(12):
                for i in range(m):
                    for r in range(s):
                        trial[i, r] = u[i, r] + length * step[i * s + r]
                rho = _state(
                    trial,
                    weight0[z],
                    net[z],
                    theta[z],
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
                    rho_buf,
                    power,
                )
                new_norm, biggest, numeraire = _residual(demand, out, active, scale, resid)
                if new_norm <= norm * (1.0 + 1e-12):
                    break
                length *= 0.5
            norm = new_norm
            u[:, :] = trial
        residual_all[z] = biggest
        most = max(most, it)
        _index_of(phis, eps, alpha, index_all[z])
    return u_all, flows_all, expend_all, residual_all, most, index_all


@njit(cache=True)
def _chord_step(chord_t, resid, step):
    """``step = −J⁻¹ resid`` from the transposed chord: step[a] = 0 − Σ_c J⁻¹[a, c] resid[c].

    Each row's sum adds its terms in the order of c, as a dot product per row would
    (the same numbers); the rows are summed side by side (vectorised).
    """
    n = resid.shape[0]
    for a in range(n):
        step[a] = 0.0
    for c in range(n):
        rc = resid[c]
        column = chord_t[c]
        for a in range(n):
            step[a] -= column[a] * rc


@njit(cache=True)
def prepare(t, t0, share, eps):
    """CES weights λ0 τ̂^(−ε) (E2-E3), 1/(1 + t) and t/(1 + t) per link of each state."""
    k, m, _, s = t.shape
    weight0 = np.empty_like(t)
    net = np.empty_like(t)
    theta = np.empty_like(t)
    for z in range(k):
        for j in range(m):
            for i in range(m):
                for r in range(s):
                    gross = 1.0 + t[z, j, i, r]
                    lam0 = share[j, i, r]
                    weight0[z, j, i, r] = (
                        lam0 * exp_log.exp(-eps[r] * exp_log.log(gross / (1.0 + t0[j, i, r])))
                        if lam0 > 0
                        else 0.0
                    )
                    net[z, j, i, r] = 1.0 / gross
                    theta[z, j, i, r] = t[z, j, i, r] / gross
    return weight0, net, theta


@njit(cache=True)
def _index_of(phis, eps, alpha, index):
    """Price index changes P̂[j, s] = Φ^(−1/ε_s) (E3) from Φ as :func:`_state` leaves it.

    The same numbers as :func:`_index` at the prices of that state.
    """
    m, s = phis.shape
    for j in range(m):
        for r in range(s):
            if alpha[j, r] <= 0:
                continue
            index[j, r] = exp_log.exp(exp_log.log(max(phis[j, r], 1e-300)) / -eps[r])


@njit(cache=True)
def _index(weight0, u, eps, alpha, index, power):
    """Price index changes P̂[j, s] = Φ^(−1/ε_s) (E3) of one state at log prices u."""
    m, _, s = weight0.shape
    for i in range(m):
        for r in range(s):
            power[i, r] = exp_log.exp(-eps[r] * u[i, r])  # once per supplier
    for j in range(m):
        for r in range(s):
            if alpha[j, r] <= 0:
                continue
            phi = 0.0
            for i in range(m):
                phi += weight0[j, i, r] * power[i, r]
            index[j, r] = exp_log.exp(exp_log.log(max(phi, 1e-300)) / -eps[r])


@njit(cache=True)
def price_index(weight0, u, eps, alpha):
    """Sector price index changes P̂[j, s] = Φ^(−1/ε_s) (E3) of solved states."""
    k, m, _, s = weight0.shape
    index = np.ones((k, m, s))
    power = np.empty((m, s))
    for z in range(k):
        _index(weight0[z], u[z], eps, alpha, index[z], power)
    return index
