"""How a country plays a war of attrition at a two-party table (model.md B8-B10).

:class:`AttritionMoves` is a part of :class:`~negsim.negotiation.agents.CountryAgent`.
Where either party of a two-party table may be committed (``strategy.commitment`` >
0), each party's first offer there is its posture; from then on a committed party
repeats it and accepts no offer worth less to it than that, and a rational one repeats it too
and concedes (proposes or accepts the other's posture) with the chance of
:mod:`negsim.negotiation.attrition`. The common belief that each side is committed
(its reputation) is held in a :class:`War` per table and round of talks; each party
updates it by Bayes' rule when it sees the other pass a chance to concede.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from negsim.negotiation import attrition

if TYPE_CHECKING:
    from negsim.negotiation.model import NegotiationModel
    from negsim.negotiation.protocols import Table
    from negsim.scenarios.schema import Strategy


@dataclass
class War:
    """The public state of a war of attrition at one table's round of talks.

    Attributes:
        postures: each party's first offer in these talks.
        reputation: the common belief that each party is committed (starts at its z).
        decided: how many chances to concede each party has had.
        chance: the chance a rational type of each party had at its last chance to
            concede (public: what the other side reads its move with, B10).
        rate: each party's concession rate λ (B8) as last computed, for diagnostics.
    """

    postures: dict[int, np.ndarray] = field(default_factory=dict)
    reputation: dict[int, float] = field(default_factory=dict)
    decided: dict[int, int] = field(default_factory=dict)
    chance: dict[int, float] = field(default_factory=dict)
    rate: dict[int, float] = field(default_factory=dict)

    def ready(self) -> bool:
        """Whether both parties have laid a posture (the war has begun)."""
        return len(self.postures) == 2


class AttritionMoves:
    """Postures, concessions and reputations (a part of the country agent)."""

    model: NegotiationModel
    index: int
    strategy: Strategy
    committed: bool
    walking_pays: bool

    if TYPE_CHECKING:  # the agent's reserves (B6), in agents.py

        def reserves(self, table: Table, outside: np.ndarray) -> np.ndarray:
            """Each party's reserve at ``table`` as it sees them (B6)."""
            ...

    def war(self, table: Table) -> War | None:
        """The war at ``table``'s current talks, or None where none can be fought."""
        model = self.model
        if len(table.parties) != 2:
            return None
        priors = {p: model.country_agents[p].strategy.commitment for p in table.parties}
        if not any(z > 0 for z in priors.values()):
            return None
        key = (table.name, table.talks_from)
        if key not in model.wars:
            model.wars[key] = War(reputation=dict(priors), decided=dict.fromkeys(priors, 0))
        return model.wars[key]

    def lay_posture(self, table: Table, package: np.ndarray) -> None:
        """Its first offer at these talks becomes its posture (B8)."""
        war = self.war(table)
        if war is not None and self.index not in war.postures:
            war.postures[self.index] = package.copy()

    def gains(self, table: Table, war: War) -> np.ndarray:
        """Each party's gain over the state in force at each posture, (2 postures, n)."""
        model = self.model
        postures = np.stack([war.postures[p] for p in table.parties])
        total = model.table_payoffs(table, postures).total
        return total - model.current_payoffs.total[0][None, :]

    def concession_chance(self, table: Table, war: War, party: int) -> float:
        """The chance a rational ``party`` concedes at its next chance (B8-B9).

        Public: computed from the postures, the parties' payoffs, discounts and
        reputations, so the other side computes the same chance it reads a move with.
        """
        model = self.model
        other = next(p for p in table.parties if p != party)
        gains = self.gains(table, war)
        row = {p: k for k, p in enumerate(table.parties)}
        at = {p: gains[row[p]] for p in table.parties}  # gains at p's posture
        if at[other][party] <= 0.0:  # the other's posture is worth nothing to it
            return 0.0
        if war.reputation[other] >= attrition.CERTAIN:
            return 1.0
        discount = {p: model.country_agents[p].strategy.discount for p in table.parties}
        rate_mine = attrition.concession_rate(discount[other], at[party][other], at[other][other])
        rate_theirs = attrition.concession_rate(discount[party], at[other][party], at[party][party])
        war.rate[party], war.rate[other] = rate_mine, rate_theirs
        if war.decided[party] == 0:
            opening = attrition.opening_chance(
                rate_mine, rate_theirs, war.reputation[party], war.reputation[other]
            )
            if opening > 0.0:
                return opening
        return attrition.concession_chance(rate_mine, war.reputation[party])

    def concedes(self, table: Table, war: War) -> bool:
        """Whether it concedes at this chance (a committed country never does)."""
        chance = self.concession_chance(table, war, self.index)
        war.chance[self.index] = chance  # a rational type's chance, whatever its own type
        war.decided[self.index] += 1
        if self.committed or chance <= 0.0:
            return False
        return chance >= 1.0 or bool(self.model.rng.random() < chance)

    def saw_no_concession(self, war: War, party: int) -> None:
        """Bayes' rule on ``party`` being committed after it passed a chance (B10)."""
        chance = war.chance.get(party, 0.0)
        war.reputation[party] = attrition.updated_reputation(war.reputation[party], chance)

    def propose_posture(self, table: Table, war: War) -> None:
        """Lay its posture again, or concede by laying the other's (B8)."""
        model = self.model
        other = next(p for p in table.parties if p != self.index)
        concede = self.concedes(table, war)
        package = war.postures[other] if concede else war.postures[self.index]
        payoffs = model.table_payoffs(table, package[None], breakdown=True)
        utility, outside = payoffs.total[0], payoffs.total[-1]
        reserves = self.reserves(table, outside)
        self.walking_pays = bool(outside[self.index] >= reserves[self.index] - 1e-9)
        dead = all(war.reputation[p] >= attrition.CERTAIN for p in table.parties)
        table.stalled[self.index] = table.stalled[self.index] + 1 if dead else 0
        model.put_offer(table, self.index, package, utility, reserves, True)

    def answer_in_war(self, table: Table, war: War) -> bool:
        """Accept the other's concession; else concede or hold (B8), seeing its move (B10)."""
        offer = table.offer
        assert offer is not None
        if np.array_equal(offer.package, war.postures[self.index]):
            return True
        row = table.parties.index(self.index)
        gains = self.gains(table, war)[:, self.index]  # its gain at each posture
        if gains[1 - row] >= gains[row]:  # the other's posture is worth its own to it
            return True
        self.saw_no_concession(war, offer.proposer)
        if offer.utility[self.index] < offer.reserve[self.index] - 1e-9:
            war.chance[self.index] = 0.0  # below its reserve: no concession, nothing learnt
            war.decided[self.index] += 1
            return False
        return self.concedes(table, war)
