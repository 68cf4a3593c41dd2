"""One block of states side by side in SIMD lanes: the arithmetic of each chord step.

The steps of :func:`negsim.economy.lanes.solve_offers`, each a loop over the lanes
of a block (the last axis of every buffer), with the arithmetic of the per-state
kernel (:mod:`negsim.economy.kernel`) in the same order: prepare the states' terms,
evaluate them (flows, demand, spending, the CES sums), their residuals, a chord
step, keep the accepted lanes and read off price indices.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from negsim.economy import exp_log


@njit(cache=True)
def prepare(ref_w, ref_n, ref_t, entries, values, t0, share, eps, z0, width, w, net, theta):
    """Terms of the block's states (as ``prepare_near``): the reference, entries set.

    The first block copies the reference into every lane; the others only set the
    entries (no other cell of the buffers is ever written).
    """
    cells = w.shape[0]
    s = eps.shape[0]
    if z0 == 0:
        for c in range(cells):
            for z in range(w.shape[1]):
                w[c, z] = ref_w[c]
                net[c, z] = ref_n[c]
                theta[c, z] = ref_t[c]
    for z in range(width):
        for e in range(entries.shape[0]):
            flat = entries[e]  # (j, i, r) of importer j, exporter i, sector r
            tariff = values[z0 + z, e]
            gross = 1.0 + tariff
            lam0 = share[flat]
            w[flat, z] = (
                lam0 * exp_log.exp(-eps[flat % s] * exp_log.log(gross / (1.0 + t0[flat])))
                if lam0 > 0
                else 0.0
            )
            net[flat, z] = 1.0 / gross
            theta[flat, z] = tariff / gross


@njit(cache=True)
def state(u, w, net, theta, alpha, income, deficit, eps, width, buffers):
    """``kernel._state`` for each state of the block: flows, demand, spending and Φ.

    ``income`` and the lanes' rows are flat over (i, s); ``buffers``: the outputs and
    scratch (λ, flows, demand, output, spending, Φ, ρ, powers and two lane rows).
    """
    lam, flows, demand, out, expend, phis, rho, power, inverse, share = buffers
    m, s = alpha.shape
    for a in range(m * s):
        r = a % s
        ok = True
        for z in range(width):
            x, y = u[a, z], -eps[r] * u[a, z]
            ok &= exp_log.exp_in_range(x) & exp_log.exp_in_range(y)
            out[a, z] = exp_log.exp_fast(x) * income[a]
            power[a, z] = exp_log.exp_fast(y)
        if not ok:  # a price far off: the C library's exp, the same bits as above
            for z in range(width):
                out[a, z] = np.exp(u[a, z]) * income[a]
                power[a, z] = np.exp(-eps[r] * u[a, z])
    for j in range(m):
        for z in range(width):
            rho[j, z] = 0.0
        for r in range(s):
            js = j * s + r
            for z in range(width):
                phis[js, z] = 0.0
            for i in range(m):
                c = (j * m + i) * s + r
                for z in range(width):
                    x = w[c, z] * power[i * s + r, z]
                    lam[c, z] = x
                    phis[js, z] += x
            for z in range(width):
                phi = phis[js, z]
                inverse[z] = 1.0 / phi if phi > 0 else 0.0
                share[z] = 0.0
            for i in range(m):
                c = (j * m + i) * s + r
                for z in range(width):
                    lam[c, z] *= inverse[z]
                    share[z] += lam[c, z] * theta[c, z]
            for z in range(width):
                rho[j, z] += alpha[j, r] * share[z]
        for z in range(width):
            total = deficit[j]
            for r in range(s):
                total += out[j * s + r, z]
            expend[j, z] = total / (1.0 - rho[j, z])
    for a in range(m * s):
        for z in range(width):
            demand[a, z] = 0.0
    for j in range(m):
        for i in range(m):
            for r in range(s):
                c = (j * m + i) * s + r
                a = i * s + r
                for z in range(width):
                    x = lam[c, z] * alpha[j, r] * expend[j, z] * net[c, z]
                    flows[c, z] = x
                    demand[a, z] += x


@njit(cache=True)
def residual(demand, out, active, scale, width, resid, norm, biggest, numeraire):
    """``kernel._residual`` of each state of the block (numeraire kept apart)."""
    n = demand.shape[0]
    world = numeraire  # world output first, then the numeraire's residual
    for z in range(width):
        norm[z] = 0.0
        biggest[z] = 0.0
        world[z] = 0.0
    for a in range(n):
        on = active[a]
        for z in range(width):
            v = (demand[a, z] - out[a, z]) * scale if on else 0.0
            resid[a, z] = v
            norm[z] += v * v
            biggest[z] = max(biggest[z], abs(v))
            world[z] += out[a, z]
    for z in range(width):
        numeraire[z] = world[z] * scale - 1.0
        norm[z] += numeraire[z] * numeraire[z]
        norm[z] = np.sqrt(norm[z])


@njit(cache=True)
def chord_step(chord_t, resid, numeraire, u, width, step, trial):
    """``trial = u − J⁻¹ resid`` per state, the numeraire's residual last (as the kernel).

    ``step[a] = 0 − Σ_c J⁻¹[a, c] resid[c]`` adds its terms in the order of c.
    """
    n = resid.shape[0]
    for z in range(width):
        resid[n - 1, z] = numeraire[z]
    for a in range(n):
        for z in range(width):
            step[a, z] = 0.0
    for c in range(n):
        column = chord_t[c]
        for a in range(n):
            x = column[a]
            for z in range(width):
                step[a, z] -= x * resid[c, z]
    for a in range(n):
        for z in range(width):
            trial[a, z] = u[a, z] + step[a, z]


@njit(cache=True)
def keep(accept, width, new, kept):
    """Copy the lanes of the accepted states from ``new`` to ``kept``."""
    for c in range(new.shape[0]):
        for z in range(width):
            if accept[z]:
                kept[c, z] = new[c, z]


@njit(cache=True)
def index(phis, alpha, eps, z, index):
    """Price index changes P̂ = Φ^(−1/ε_s) (E3) of lane ``z``, as ``kernel._index_of``."""
    m, s = alpha.shape
    for j in range(m):
        for r in range(s):
            if alpha[j, r] <= 0:
                continue
            index[j, r] = exp_log.exp(exp_log.log(max(phis[j * s + r, z], 1e-300)) / -eps[r])
