"""Negotiation strategies: aspiration, offer generation, choice, acceptance.

Pure functions over numpy arrays; the agent (``agents.py``) calls them with the
model's random generator. Formulas: ``docs/model.md#strategy``.
"""

from __future__ import annotations

import numpy as np

TOLERANCE = 1e-9


def aspiration(best: float, reserve: float, elapsed: float, deadline: float, concession: float):
    """Target utility of a time-dependent concession strategy (Faratin et al. 1998).

    ``target = reserve + (best - reserve) · (1 - min(1, elapsed/deadline)^(1/e))``;
    ``e < 1`` concedes late (Boulware), ``e > 1`` early (Conceder) (model.md N1).

    Args:
        best: utility of the agent's best hoped-for package, % of GDP.
        reserve: utility of its outside option, % of GDP.
        elapsed: rounds since the table opened (tables open at round 0).
        deadline: rounds by which the agent wants a deal.
        concession: the exponent ``e``.
    """
    progress = min(1.0, max(0.0, elapsed / max(deadline, 1e-9)))
    return reserve + (best - reserve) * (1.0 - progress ** (1.0 / concession))


def sample_offers(
    rng: np.random.Generator,
    own_last: np.ndarray,
    other_last: np.ndarray,
    current: np.ndarray,
    count: int,
    step: float,
    lower: np.ndarray,
    upper: np.ndarray,
) -> np.ndarray:
    """Sample ``count`` candidate packages around the table state and last offers.

    Each candidate starts from a random mix ``(1-α)·own_last + α·other_last``
    (α uniform in 0..1), adds normal noise of spread ``step`` to every issue, and is
    clipped to the red-line bounds. The first three candidates are the own last
    offer, the other side's last offer and the current state, unperturbed
    (model.md N2).

    Returns:
        Candidate packages, shape (count + 3, n_issues).
    """
    n_issues = current.shape[0]
    mix = rng.random((count, 1))
    candidates = np.empty((count + 3, n_issues))
    candidates[0], candidates[1], candidates[2] = own_last, other_last, current
    sampled = candidates[3:]
    np.multiply(1.0 - mix, own_last, out=sampled)
    sampled += mix * other_last  # the centre
    sampled += rng.normal(0.0, step, size=(count, n_issues))
    np.maximum(candidates, lower, out=candidates)  # clip to the red-line bounds
    return np.minimum(candidates, upper, out=candidates)


def choose_offer(
    own: np.ndarray,
    others_estimate: np.ndarray,
    target: float,
    own_reserve: float,
    others_reserve: np.ndarray,
) -> tuple[int, bool]:
    """Pick the candidate to propose.

    Among candidates giving the proposer at least its target and its reserve, pick
    the one whose worst-off other party (by the proposer's noisy model) gains most
    over that party's reserve. With none, propose the proposer's own best (model.md N3).

    Args:
        own: proposer's utility per candidate, (K,).
        others_estimate: modelled utilities of the other parties, (K, m).
        target: the proposer's current aspiration.
        own_reserve: the proposer's outside option.
        others_reserve: modelled outside options of the others, (m,).

    Returns:
        The index of the chosen candidate, and whether any candidate was expected to
        be acceptable to every other party while meeting the proposer's reserve.
    """
    surplus = (others_estimate - others_reserve).min(axis=1)
    hopeful = bool(((own >= own_reserve - TOLERANCE) & (surplus >= 0)).any())
    good = own >= max(target, own_reserve) - TOLERANCE
    if good.any():
        return _first_best(np.where(good, surplus, -np.inf)), hopeful
    return _first_best(own), hopeful


def _first_best(scores: np.ndarray, tolerance: float = 1e-12) -> int:
    """Index of the first score within ``tolerance`` of the best.

    Ties (mirror-image packages in a symmetric world) are then broken by position,
    not by the last bits of floating-point sums, which differ between evaluation
    orders and machines.
    """
    best = scores.max()
    return int(np.flatnonzero(scores >= best - tolerance)[0])


def accepts(utility: float, target: float, reserve: float) -> bool:
    """Accept an offer worth at least the aspiration and the outside option (model.md N4)."""
    return utility >= max(target, reserve) - TOLERANCE


def retaliation_probability(propensity: float, reliance_on_coercer: float) -> float:
    """Chance the target of an executed threat retaliates: ``p · (1 - r)`` (model.md N5)."""
    return propensity * (1.0 - reliance_on_coercer)


def backward_induction(discounts: np.ndarray, proposers: list[int]) -> np.ndarray:
    """Subgame-perfect division of a unit pie agreed at the first of a run of rounds.

    Alternating or rotating offers with unanimity and a known last round (Stahl
    1972; Rubinstein 1982 as the number of rounds grows): in each round the
    proposer offers every responder its discounted continuation value and keeps the
    rest; after the last round everyone gets 0 (model.md N9).

    Args:
        discounts: per-round discount factor of each party, shape (n,).
        proposers: the proposer of each remaining round, first round first.

    Returns:
        The shares agreed in the first round, shape (n,).
    """
    discounts = np.asarray(discounts, dtype=float)
    value = np.zeros(len(discounts))
    for proposer in reversed(proposers):
        offer = discounts * value
        offer[proposer] = 0.0
        offer[proposer] = 1.0 - offer.sum()
        value = offer
    return value
