"""Reputational bargaining: committed types and the war of attrition (model.md B8-B10).

With a prior probability ``strategy.commitment`` (z) a country is *committed* at a
table: it repeats its first offer there (its posture) and accepts no offer worth less
to it than its posture. Once both parties of a two-party table have made a posture, a rational party
mimics the committed type and concedes (proposes, or accepts, the other's posture) at
the hazard that leaves the other indifferent between conceding and waiting (Abreu &
Gul 2000 [S35]): talks become a war of attrition whose length is set by the discount
rates and how far the postures overclaim, not by z. Pure functions; the agents
(:mod:`negsim.negotiation.agents`) call them with the model's payoffs and generator.
"""

from __future__ import annotations

import math

#: A reputation this close to 1 is certainty that the other side is committed.
CERTAIN = 1.0 - 1e-9


def concession_rate(discount_other: float, at_mine: float, at_theirs: float) -> float:
    """The monthly hazard λ_i at which a rational i concedes (model.md B8).

    ``λ_i = r_j · s_j(x_i) / (s_j(x_j) − s_j(x_i))``, ``r_j = −ln δ_j``: j is then
    indifferent between conceding now (``s_j(x_i)``) and waiting for i to concede
    (``s_j(x_j)``). ``s_j`` is j's gain over the state in force.

    Args:
        discount_other: j's discount factor per round, δ_j.
        at_mine: j's gain at i's posture, s_j(x_i).
        at_theirs: j's gain at its own posture, s_j(x_j).

    Returns:
        λ_i; ``inf`` where j never concedes to i's posture (it is worth nothing to j)
        or would take it at once (it is worth as much to j as its own).
    """
    if at_mine <= 0.0 or at_theirs <= at_mine or discount_other <= 0.0:
        return math.inf  # (δ_j = 0: j cannot wait at all)
    return -math.log(discount_other) * at_mine / (at_theirs - at_mine)  # 0 where δ_j = 1


def concession_chance(rate: float, reputation: float) -> float:
    """The chance a rational i concedes this round (model.md B8).

    The other side sees a concession with the unconditional chance ``1 − e^(−λ_i)``
    a round, which keeps it indifferent; a rational i, who is not committed with the
    other's belief ``1 − μ_i``, therefore concedes with ``(1 − e^(−λ_i)) / (1 − μ_i)``,
    and for sure once that reaches 1 (the war's last round).

    Args:
        rate: λ_i, from :func:`concession_rate`.
        reputation: μ_i, the other side's belief that i is committed.
    """
    if math.isinf(rate) or reputation >= CERTAIN:
        return 1.0
    return min(1.0, (1.0 - math.exp(-rate)) / (1.0 - reputation))


def opening_chance(rate_mine: float, rate_theirs: float, z_mine: float, z_theirs: float) -> float:
    """The chance a rational i concedes at the first decision of the war (model.md B9).

    Each side's reputation would reach 1 at ``T = −ln z / λ``; the side that would
    take longer (the weaker) concedes at once with the chance that makes both reach
    1 together (Abreu & Gul 2000, Proposition 1): its reputation after not conceding
    is ``z'_i = z_j^(λ_i/λ_j)``, so ``c = 1 − z_i·(1/z'_i − 1)/(1 − z_i)``. The
    stronger side, and both where either rate is infinite, concede with 0 here.
    """
    if z_mine <= 0.0:  # known to be rational against a side that may be committed
        return 1.0 if z_theirs > 0.0 else 0.0
    if math.isinf(rate_mine) or math.isinf(rate_theirs) or z_theirs <= 0.0:
        return 0.0
    time_mine = -math.log(z_mine) / rate_mine if rate_mine > 0.0 else math.inf
    time_theirs = -math.log(z_theirs) / rate_theirs if rate_theirs > 0.0 else math.inf
    if time_mine <= time_theirs or z_mine >= 1.0:
        return 0.0
    after = z_theirs ** (rate_mine / rate_theirs)
    return 1.0 - z_mine * (1.0 / after - 1.0) / (1.0 - z_mine)


def updated_reputation(reputation: float, chance: float) -> float:
    """Bayes' rule on "committed" after a chance to concede not taken (model.md B10).

    A committed side never concedes; a rational one would have with ``chance``:
    ``μ' = μ / (μ + (1 − μ)(1 − chance))``; with the chance of :func:`concession_chance`
    this is ``μ·e^(λ)``, the reputation of Abreu & Gul's continuous time.
    """
    survive = reputation + (1.0 - reputation) * (1.0 - chance)
    return 1.0 if survive <= 0.0 else min(1.0, reputation / survive)
