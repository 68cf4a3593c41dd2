"""The screen of E12 compiled across candidates: a few states side by side in SIMD lanes.

:func:`screen_offers` does what :func:`negsim.economy.linear.prepare_near` followed
by the chord steps of :func:`negsim.economy.kernel.solve_batch` (``newton=False``,
the chord of the state in force) do for states that differ from the state in force
only on some entries, with the same arithmetic in the same order for every state:
the same numbers. Only the layout differs: the states of a block of
:data:`LANES` sit side by side in the last axis of every buffer, so each
elementwise operation and each sum over suppliers, sectors or columns runs over
the block at once (vectorised) instead of one small state at a time. A state
whose chord step does not lower its residual keeps its last evaluation, as the
per-state loop keeps it by evaluating it again.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from negsim.economy import kernel
from negsim.economy import lane_block as block

LANES = 32  # states side by side (a block's buffers stay in the second-level cache)
FEWEST = 8  # smaller batches are screened one state at a time (as fast below this)


@njit(cache=True)
def lay(current, entries, values, diagonal):
    """States (K, cells): ``current`` (flat) with ``entries`` set to ``values`` (K, L).

    Then the flat ``diagonal`` cells are zeroed: the copies numpy's repeat and two
    assignments make, in one call.
    """
    k = values.shape[0]
    states = np.empty((k, current.shape[0]))
    for z in range(k):
        states[z] = current
        for e in range(entries.shape[0]):
            states[z, entries[e]] = values[z, e]
        for d in diagonal:
            states[z, d] = 0.0
    return states


@njit(cache=True)
def screen_offers(
    reference, entries, values, t0, share, alpha, income, deficit, eps, active, u0, tol,
    max_iter, chord,
):  # fmt: skip
    """Screened equilibria (E12) of states that differ from a prepared one on ``entries``.

    Args:
        reference: ``kernel.prepare`` terms (weight0, net, theta) of the state in
            force, each (m, m, S).
        entries: the flat tariff entries the states set, (L,).
        values: the states' tariffs on them, (K, L).
        t0: the baseline's tariffs, (m, m, S).
        share: the baseline's CES shares λ0, (m, m, S).
        alpha: sector shares of spending α[j, s], (m, S).
        income: baseline factor income Y0[i, s], (m, S).
        deficit: trade deficits D[j], (m,).
        eps: trade elasticities ε_s, (S,).
        active: the (i, s) with output, (m, S).
        u0: the linearised log prices of the states, (K, m, S) (E11).
        tol: a state stops below this residual (share of world output).
        max_iter: the most chord steps of a state.
        chord: the inverse Jacobian of the state in force, (m·S, m·S).

    Returns:
        As ``kernel.solve_batch(..., newton=False)``: u, flows, spending, residuals
        (those not finite set to inf, as the solver sets them), the most steps taken
        and the price indices.
    """
    return solve_offers(
        reference, entries, values, t0, share, alpha, income, deficit, eps, active, u0, tol,
        max_iter, 1.0, chord, False,
    )  # fmt: skip


@njit(cache=True)
def _first_chord(w, net, theta, z, u, alpha, income, deficit, eps, active):
    """The inverse Jacobian at lane ``z``'s state, as the kernel takes it at its first step."""
    m, s = alpha.shape
    shape = (m, m, s)
    weight0 = np.ascontiguousarray(w[:, z]).reshape(shape)
    net_z = np.ascontiguousarray(net[:, z]).reshape(shape)
    theta_z = np.ascontiguousarray(theta[:, z]).reshape(shape)
    u_z = np.ascontiguousarray(u[:, z]).reshape((m, s))
    lam, flows = np.zeros(shape), np.zeros(shape)
    demand, out, expend = np.zeros((m, s)), np.zeros((m, s)), np.zeros(m)
    rho = kernel._state(
        u_z, weight0, net_z, theta_z, alpha, income, deficit, eps, lam, flows, demand, out,
        expend, np.zeros((m, s)), np.zeros(m), np.empty((m, s)),
    )  # fmt: skip
    scale = 1.0 / income.sum()
    jac = kernel._jacobian(
        lam, flows, demand, out, expend, rho, theta_z, alpha, deficit, eps, active, scale
    )
    return np.ascontiguousarray(np.linalg.inv(jac))


@njit(cache=True)
def _few_left(going, biggest, steps, tol, max_iter, width, handed):
    """Whether at most a quarter of the lanes still step; if so they are handed on.

    The kernel then finishes each from where it stands (its steps from there are
    those the lanes would take): the block stops computing lanes that are done.
    """
    left = 0
    for z in range(width):
        if going[z] and biggest[z] >= tol and steps[z] < max_iter:
            left += 1
    if left == 0 or 4 * left > width:
        return False
    for z in range(width):
        if going[z] and biggest[z] >= tol and steps[z] < max_iter:
            handed[z] = True
    return True


@njit(cache=True)
def _newton_row(w, net, theta, z, u, alpha, income, deficit, eps, active, tol, left, step, chord):
    """Lane ``z`` solved on by the kernel from where it stands (chord steps, then Newton).

    A lane whose chord step was refused takes it again there, refuses it, and goes
    on with Newton steps, as the kernel's own loop does.
    """
    m, s = alpha.shape
    shape = (1, m, m, s)
    return kernel.solve_batch(
        np.ascontiguousarray(w[:, z]).reshape(shape),
        np.ascontiguousarray(net[:, z]).reshape(shape),
        np.ascontiguousarray(theta[:, z]).reshape(shape),
        alpha, income, deficit, eps, active,
        np.ascontiguousarray(u[:, z]).reshape((1, m, s)),
        tol, left, step, chord, True,
    )  # fmt: skip


@njit(cache=True)
def solve_offers(
    reference, entries, values, t0, share, alpha, income, deficit, eps, active, u0, tol,
    max_iter, max_step, chord, newton,
):  # fmt: skip
    """Equilibria of states that differ from a prepared one on ``entries``, as the kernel's.

    :func:`screen_offers`'s arguments, and ``max_step`` and ``newton`` as for
    ``kernel.solve_batch``; ``chord`` may be empty (0, 0): then it is the inverse
    Jacobian at the first state that takes a step, as the kernel computes it. With
    ``newton`` a chord step is kept while it halves the residual; a state whose step
    does not is handed to the kernel alone from where it stands (which takes that
    step again, refuses it, and goes on with Newton steps): the kernel's numbers. So
    are the last few states of a block that still step (:func:`_few_left`).
    """
    k = values.shape[0]
    m, s = alpha.shape
    n = m * s
    cells = m * n
    scale = 1.0 / income.sum()
    factor = 0.5 if newton else 1.0
    ref_w, ref_n, ref_t = reference[0].ravel(), reference[1].ravel(), reference[2].ravel()
    t0f, sharef, incomef, activef = t0.ravel(), share.ravel(), income.ravel(), active.ravel()
    have_chord = chord.shape[0] == n
    chord_t = np.ascontiguousarray(chord.T)
    lanes = min(LANES, k)
    w, net, theta = np.empty((cells, lanes)), np.empty((cells, lanes)), np.empty((cells, lanes))
    flows, kept_flows = np.empty((cells, lanes)), np.empty((cells, lanes))
    lam, demand, out, expend = (np.empty((cells, lanes)), np.empty((n, lanes)),
                                np.empty((n, lanes)), np.empty((m, lanes)))  # fmt: skip
    phis, rho, power = np.empty((n, lanes)), np.empty((m, lanes)), np.empty((n, lanes))
    inverse, share_row = np.empty(lanes), np.empty(lanes)
    kept_expend, kept_phis = np.empty((m, lanes)), np.empty((n, lanes))
    # a trial's evaluation, and the first one of a state (straight into what is kept)
    buffers = (lam, flows, demand, out, expend, phis, rho, power, inverse, share_row)
    first = (lam, kept_flows, demand, out, kept_expend, kept_phis, rho, power, inverse, share_row)
    resid, kept_resid = np.empty((n, lanes)), np.empty((n, lanes))
    norm, biggest, numeraire = np.empty(lanes), np.empty(lanes), np.empty(lanes)
    kept_norm, kept_biggest, kept_numeraire = np.empty(lanes), np.empty(lanes), np.empty(lanes)
    u, trial, step = np.empty((n, lanes)), np.empty((n, lanes)), np.empty((n, lanes))
    steps = np.zeros(lanes, dtype=np.int64)
    going = np.ones(lanes, dtype=np.bool_)
    accept = np.ones(lanes, dtype=np.bool_)
    handed = np.zeros(lanes, dtype=np.bool_)  # lanes the kernel finishes
    u_flat = u0.reshape(k, n)
    u_out = np.empty((k, m, s))
    flows_out = np.empty((k, m, m, s))
    expend_out = np.empty((k, m))
    residual_out = np.empty(k)
    index_out = np.ones((k, m, s))
    u_rows, flow_rows = u_out.reshape(k, n), flows_out.reshape(k, cells)
    most = 0
    for z0 in range(0, k, lanes):
        width = min(lanes, k - z0)
        block.prepare(
            ref_w, ref_n, ref_t, entries, values, t0f, sharef, eps, z0, width, w, net, theta
        )
        for a in range(n):
            for z in range(width):
                u[a, z] = u_flat[z0 + z, a]
        block.state(u, w, net, theta, alpha, incomef, deficit, eps, width, first)
        block.residual(
            demand, out, activef, scale, width, kept_resid, kept_norm, kept_biggest,
            kept_numeraire,
        )  # fmt: skip
        for z in range(width):
            going[z] = True
            handed[z] = False
            steps[z] = 0
        if not have_chord and max_iter > 0:
            for z in range(width):
                if kept_biggest[z] >= tol:  # the first state to take a step
                    chord = _first_chord(w, net, theta, z, u, alpha, income, deficit, eps, active)
                    chord_t = np.ascontiguousarray(chord.T)
                    have_chord = True
                    break
        for _ in range(max_iter):
            moving = False
            for z in range(width):
                going[z] = going[z] and kept_biggest[z] >= tol and steps[z] < max_iter
                moving = moving or going[z]
            if not moving:
                break
            block.chord_step(chord_t, kept_resid, kept_numeraire, u, width, step, trial)
            block.state(trial, w, net, theta, alpha, incomef, deficit, eps, width, buffers)
            block.residual(demand, out, activef, scale, width, resid, norm, biggest, numeraire)
            for z in range(width):
                accept[z] = going[z] and norm[z] <= factor * kept_norm[z]
                if going[z] and not accept[z]:
                    handed[z] = True  # on to Newton steps, with the kernel
                going[z] = accept[z]  # a step that does not lower the residual: stop
                if accept[z]:
                    steps[z] += 1
                    kept_norm[z], kept_biggest[z] = norm[z], biggest[z]
                    kept_numeraire[z] = numeraire[z]
            if accept[:width].all():  # every lane kept: swap the buffers, copy nothing
                u, trial, flows, kept_flows = trial, u, kept_flows, flows
                expend, kept_expend, phis, kept_phis = kept_expend, expend, kept_phis, phis
                resid, kept_resid = kept_resid, resid
                buffers = (lam, flows, demand, out, expend, phis, rho, power, inverse, share_row)
                first = (lam, kept_flows, demand, out, kept_expend, kept_phis, rho, power,
                         inverse, share_row)  # fmt: skip
            else:
                for pair in ((trial, u), (flows, kept_flows), (expend, kept_expend)):
                    block.keep(accept, width, pair[0], pair[1])
                block.keep(accept, width, phis, kept_phis)
                block.keep(accept, width, resid, kept_resid)
            if newton and _few_left(going, kept_biggest, steps, tol, max_iter, width, handed):
                break
        for z in range(width):
            row = z0 + z
            if newton and handed[z]:
                got = _newton_row(
                    w, net, theta, z, u, alpha, income, deficit, eps, active, tol,
                    max_iter - steps[z], max_step, chord,
                )  # fmt: skip
                u_out[row], flows_out[row], expend_out[row] = got[0][0], got[1][0], got[2][0]
                biggest_z = got[3][0]
                residual_out[row] = biggest_z if np.isfinite(biggest_z) else np.inf
                most = max(most, steps[z] + got[4])
                index_out[row] = got[5][0]
                continue
            biggest_z = kept_biggest[z]  # not finite: inf, as the solver reports it
            residual_out[row] = biggest_z if np.isfinite(biggest_z) else np.inf
            most = max(most, steps[z])
            for a in range(n):
                u_rows[row, a] = u[a, z]
            for c in range(cells):
                flow_rows[row, c] = kept_flows[c, z]
            for j in range(m):
                expend_out[row, j] = kept_expend[j, z]
            block.index(kept_phis, alpha, eps, z, index_out[row])
    return u_out, flows_out, expend_out, residual_out, most, index_out
