"""Country agents: each holds its strategy parameters and makes its own choices.

The model owns the world state (tariffs, alliance health, threats); an agent
proposes, accepts or rejects, decides whether to execute a threat and whether to
retaliate, using the functions in ``strategies.py`` and the model's ``rng``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from negsim.negotiation import strategies

if TYPE_CHECKING:
    from negsim.negotiation.model import NegotiationModel
    from negsim.negotiation.protocols import Table
    from negsim.scenarios.schema import Strategy


class CountryAgent(mesa.Agent):
    """A negotiating country.

    Attributes:
        code: the country code (``US``, ``JP``, ...).
        index: its position in the scenario's country list.
        strategy: its strategy parameters (scenario ``<C>.strategy``).
        deadline: the round by which it wants a deal.
    """

    model: NegotiationModel

    def __init__(self, model: NegotiationModel, code: str, index: int, strategy: Strategy):
        super().__init__(model)
        self.code = code
        self.index = index
        self.strategy = strategy
        self.deadline = strategy.deadline or model.config.horizon

    def target(self, table: Table, round_: int, reserve: float) -> float:
        """Current aspiration at a table (model.md N1)."""
        best = max(table.best[self.index], reserve)
        # every table opens at round 0, so the round is the time elapsed
        return strategies.aspiration(best, reserve, round_, self.deadline, self.strategy.concession)

    def candidates(self, table: Table, current: np.ndarray, bounds: tuple) -> np.ndarray:
        """Sample candidate packages for its next offer (model.md N2)."""
        own = table.last_offer.get(self.index, current)
        others = [
            table.last_offer[p] for p in table.parties if p != self.index and p in table.last_offer
        ]
        if len(others) > 1:
            other = np.mean(others, axis=0)
        else:  # one other party (the mean of one is itself) or none yet
            other = others[0] if others else current
        return strategies.sample_offers(
            self.model.rng,
            own,
            other,
            current,
            self.strategy.candidates,
            self.strategy.step,
            *bounds,
        )

    def choose(
        self, utilities: np.ndarray, reserves: np.ndarray, table: Table, round_: int
    ) -> tuple[int, bool]:
        """Pick an offer from candidate utilities (K, n) by its noisy model of the others."""
        others = [p for p in table.parties if p != self.index]
        noise = self.model.rng.normal(
            0.0, self.strategy.noise, size=(utilities.shape[0], len(others))
        )
        estimate = utilities[:, others] + noise
        target = self.target(table, round_, reserves[self.index])
        return strategies.choose_offer(
            utilities[:, self.index], estimate, target, reserves[self.index], reserves[others]
        )

    def accepts(self, utility: float, reserve: float, table: Table, round_: int) -> bool:
        """Accept an offer worth at least its aspiration and outside option (model.md N4)."""
        return strategies.accepts(utility, self.target(table, round_, reserve), reserve)

    def division_offer(self, round_: int) -> np.ndarray:
        """Equilibrium offer in a divide-the-gains game: the SPE split (model.md N9)."""
        return strategies.backward_induction(self.model.discounts, self.model.proposers(round_))

    def division_accepts(self, share: float, round_: int) -> bool:
        """Accept a share at least worth waiting for: δ times the continuation (N9)."""
        later = strategies.backward_induction(
            self.model.discounts, self.model.proposers(round_ + 1)
        )
        return share >= self.strategy.discount * later[self.index] - 1e-12

    def retaliates(self, coercer: int) -> bool:
        """Draw whether it retaliates against an executed threat (model.md N5)."""
        reliance = self.model.payoffs.reliance[self.index, coercer]
        chance = strategies.retaliation_probability(self.strategy.retaliation, reliance)
        return bool(self.model.rng.random() < chance)
