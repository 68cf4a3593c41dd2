"""Directed offers: candidates that trade off along the gradients the sample reveals.

A proposer's sampled candidates (N2) are screened for every party's payoff. Their
payoffs, regressed on the issues, give each party's gradient at no further solve; the
second half of the budget is then laid along the directions that raise the proposer's
payoff while keeping the responders' payoffs, to first order, where they are (the
gradient projection of Rosen 1960), and along the direction that raises every
responder's payoff alike, from the best sampled candidate (model.md N17). It is the
trade-off move of Faratin, Sierra and Jennings (2002) with the roles turned: theirs
keeps the proposer's utility and moves towards the opponent, this keeps the opponent's
and moves towards the proposer, and the grid of ``t`` below covers both.

Pure functions over numpy arrays; the agent (``agents.py``) calls them.
"""

from __future__ import annotations

from functools import cache

import numpy as np

#: Steps along the projected gradient, in units of each issue's sampled spread (N17).
ALONG = (0.25, 0.5, 1.0, 2.0)
#: Steps along the responders' common ascent, same units; negative takes from them.
ACROSS = (-0.5, -0.25, -0.1, 0.0, 0.1, 0.25, 0.5, 1.0)
#: Below this many sampled candidates the gradients are not estimated (N2 only).
SMALLEST = 16
RIDGE = 1e-12


def gradients(offers: np.ndarray, utilities: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Least-squares slopes of every party's payoff on the scaled issues (N17, eq. 1).

    Args:
        offers: screened candidates, (K, n) issues.
        utilities: their payoffs, (K, parties).
        scale: each issue's spread in the sample, (n,), all positive.

    Returns:
        ``G`` of shape (n, parties): payoff per unit of each issue's spread.
    """
    z = (offers - offers.mean(axis=0)) / scale
    design = np.column_stack([np.ones(len(z)), z])
    coef, *_ = np.linalg.lstsq(design, utilities - utilities.mean(axis=0), rcond=None)
    return coef[1:]


def directions(
    own: np.ndarray, others: np.ndarray, movable: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The trade-off direction and the responders' common ascent (N17, eqs. 2-3).

    ``d = g - R (RᵀR)⁻¹ Rᵀ g`` (the proposer's gradient ``g`` with the responders'
    gradients ``R`` projected out) and ``a = R (RᵀR)⁻¹ 1`` (raises every responder's
    payoff by the same amount), over the ``movable`` issues, zero elsewhere; each
    scaled to unit length (zero if it vanishes).
    """
    n = len(own)
    d, a = np.zeros(n), np.zeros(n)
    r, g = others[movable], own[movable]
    if r.shape[0] > r.shape[1]:
        gram = r.T @ r + RIDGE * np.eye(r.shape[1])
        d[movable] = g - r @ np.linalg.solve(gram, r.T @ g)
        a[movable] = r @ np.linalg.solve(gram, np.ones(r.shape[1]))
    return _unit(d), _unit(a)


def trade_offs(
    offers: np.ndarray,
    utilities: np.ndarray,
    proposer: int,
    responders: list[int],
    best: int,
    low: np.ndarray,
    high: np.ndarray,
    count: int,
) -> np.ndarray | None:
    """``count`` directed candidates from the best sampled one (model.md N17).

    Candidate ``b + σ ⊙ (s·d + t·a)`` for ``s`` in :data:`ALONG` (stretched to as many
    values as ``count`` needs) and ``t`` in :data:`ACROSS`, clipped to the bounds.
    An issue at a bound that ``d`` would push outwards is held there and the
    directions are taken again over the rest (up to three times: the active set of a
    gradient projection).

    Args:
        offers: the sampled candidates, (K, n); rows 0-2 are the last offers and the
            state in force (N2) and do not enter the spread.
        utilities: their payoffs to every party, the proposer's net of its private
            costs, (K, parties).
        proposer: the proposer's index.
        responders: the other parties at the table.
        best: the row the proposer's strategy would choose from the sample.
        low: the floor of every issue, (n,).
        high: the ceiling of every issue, (n,).
        count: how many candidates to return.

    Returns:
        Candidates (count, n), or None when the sample is too small or does not vary.
    """
    sample = offers[3:]
    scale = sample.std(axis=0)
    varies = scale > 1e-9
    if len(sample) < SMALLEST or count < 1 or not varies.any():
        return None
    g = gradients(offers[:, varies], utilities, scale[varies])
    base = offers[best, varies]
    lo, hi = low[varies], high[varies]
    movable = np.ones(len(base), dtype=bool)
    for _ in range(3):
        d, a = directions(g[:, proposer], g[:, responders], movable)
        outward = ((base <= lo + 1e-12) & (d < 0)) | ((base >= hi - 1e-12) & (d > 0))
        if not outward.any():
            break
        movable &= ~outward
    steps = _grid(count)
    moves = steps[:, :1] * d + steps[:, 1:] * a  # (count, n varying), in spreads
    candidates = np.repeat(offers[best][None], count, axis=0)
    candidates[:, varies] = base + moves * scale[varies]
    np.maximum(candidates, low, out=candidates)
    return np.minimum(candidates, high, out=candidates)


@cache
def _grid(count: int) -> np.ndarray:
    """(s, t) pairs: :data:`ACROSS` for each ``s``, ``s`` spaced as ALONG, ``count`` rows.

    The same for every offer of a budget, so made once (read-only).
    """
    rows = -(-count // len(ACROSS))
    along = np.geomspace(ALONG[0], ALONG[-1], rows) if rows != len(ALONG) else np.array(ALONG)
    grid = np.array([(s, t) for s in along for t in ACROSS])[:count]
    grid.flags.writeable = False
    return grid


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v
