"""Divide-the-gains games: the textbook check of the negotiation machinery.

A unit pie is split among ``n`` parties who discount each round by their own
factor. The game runs through the same protocol code as the trade scenarios (a
:class:`~negsim.negotiation.protocols.Table` with alternating or rotating proposers and
unanimity) and the same :class:`~negsim.negotiation.agents.CountryAgent`, here playing the
``equilibrium`` strategy: subgame-perfect offers by backward induction from the
horizon, which for long horizons are Rubinstein's (1982) stationary offers and for
short ones Stahl's (1972). See docs/validation.md.
"""

from __future__ import annotations

import mesa
import numpy as np
from pydantic import BaseModel, Field, model_validator

from negsim.negotiation import strategies
from negsim.negotiation.protocols import division_table, unanimous


class DivisionScenario(BaseModel):
    """A divide-the-gains game.

    Attributes:
        countries: the parties, in proposing order.
        discounts: each party's per-round discount factor, in (0, 1).
        horizon: the last round (after it everyone gets nothing).
    """

    name: str = "divide"
    countries: list[str] = Field(min_length=2)
    discounts: list[float]
    horizon: int = Field(default=500, ge=1, le=100_000)

    @model_validator(mode="after")
    def _check(self) -> DivisionScenario:
        if len(self.discounts) != len(self.countries):
            raise ValueError("discounts: one per country")
        if not all(0.0 < d < 1.0 for d in self.discounts):
            raise ValueError("discounts: each must lie strictly between 0 and 1")
        return self


def divide_the_gains(discounts: list[float], horizon: int = 500) -> DivisionScenario:
    """A divide-the-gains game among ``len(discounts)`` parties named P1, P2, ..."""
    names = [f"P{k + 1}" for k in range(len(discounts))]
    return DivisionScenario(countries=names, discounts=list(discounts), horizon=horizon)


class DivisionAgent(mesa.Agent):
    """A party playing the ``equilibrium`` strategy: subgame-perfect offers (model.md N9)."""

    model: DivisionModel

    def __init__(self, model: DivisionModel, code: str, index: int, discount: float) -> None:
        super().__init__(model)
        self.code = code
        self.index = index
        self.discount = discount

    def division_offer(self, round_: int) -> np.ndarray:
        """Equilibrium offer in a divide-the-gains game: the SPE split (model.md N9)."""
        return strategies.backward_induction(self.model.discounts, self.model.proposers(round_))

    def division_accepts(self, share: float, round_: int) -> bool:
        """Accept a share at least worth waiting for: δ times the continuation (N9)."""
        later = strategies.backward_induction(
            self.model.discounts, self.model.proposers(round_ + 1)
        )
        return share >= self.discount * later[self.index] - 1e-12


class DivisionModel(mesa.Model):
    """Parties playing the equilibrium strategy over the split of a unit pie.

    Args:
        scenario: the game.
        rng: seed or generator (the equilibrium strategy draws nothing; kept for
            the Mesa interface).
        first: index of the first proposer.

    Attributes:
        shares: the agreed shares, or ``None`` before (or without) agreement.
        agreement_round: the round of agreement.
    """

    def __init__(self, scenario: DivisionScenario, rng: int | None = None, first: int = 0):
        super().__init__(rng=rng)
        self.config = scenario
        self.discounts = np.array(scenario.discounts)
        self.country_agents = [
            DivisionAgent(self, code, i, d)
            for i, (code, d) in enumerate(zip(scenario.countries, scenario.discounts, strict=True))
        ]
        self.table = division_table(len(scenario.countries))
        self.table.turn = first
        self.shares: np.ndarray | None = None
        self.agreement_round: int | None = None
        self.datacollector = mesa.DataCollector(
            model_reporters={"round": lambda m: m.steps, "agreed": lambda m: m.shares is not None}
        )

    def proposers(self, first_round: int) -> list[int]:
        """The proposer of every round from ``first_round`` to the horizon."""
        table = self.table
        n = len(table.parties)
        offset = table.turn + (first_round - self.steps)
        return [
            table.parties[(offset + k) % n]
            for k in range(max(0, self.config.horizon - first_round + 1))
        ]

    def step(self) -> None:
        """One round: the proposer offers, the others accept or reject."""
        round_ = self.steps
        table = self.table
        proposer = self.country_agents[table.proposer()]
        offer = proposer.division_offer(round_)
        answers = {
            p: self.country_agents[p].division_accepts(offer[p], round_)
            for p in table.parties
            if p != proposer.index
        }
        if unanimous(answers):
            self.shares = offer
            self.agreement_round = round_
            table.status = "agreed"
            table.agreement_round = round_
        table.turn += 1
        self.datacollector.collect(self)
        if self.shares is not None or round_ >= self.config.horizon:
            self.running = False

    def run(self) -> np.ndarray | None:
        """Play until agreement or the horizon; return the agreed shares."""
        while self.running:
            self.step()
        return self.shares
