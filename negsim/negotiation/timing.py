"""When to sign: a country weighs a deal now against the same deal after its election (B11).

Politics moves with the proximity of a country's next election (P5, P7). A deal that
costs a government more as its election nears (a farm cut before a rural vote) is
worth less to sign now than after the vote, when waiting is free: while talks freeze
every threat between the parties (B6), the state in force holds meanwhile. With
``<C>.strategy.election_timing`` a country takes that cost off its value of each
offer, as proposer and as responder, and counts it in the others' values where
they weigh timing too (their elections and strategies are public).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from negsim.economy import Equilibrium
    from negsim.negotiation.model import NegotiationModel
    from negsim.negotiation.protocols import Table


class ElectionTiming:
    """Moves of a :class:`~negsim.negotiation.agents.CountryAgent` about when to sign (B11)."""

    model: NegotiationModel
    index: int

    def take_timing(self, table: Table, utilities: np.ndarray, trade: Equilibrium | None) -> None:
        """Take each party's timing cost (B11) off its utilities of offers (K, n), in place."""
        utilities -= self.timing_costs(table, trade, len(utilities))

    def timing_costs(self, table: Table, trade: Equilibrium | None, rows: int) -> np.ndarray:
        """Each party's cost of signing each offer now rather than after its election, (rows, n).

        ``lift · max(0, s(in force) − s(offer))`` (B11), with ``s`` a state's slope of
        politics in election proximity (``in force``: the tariffs in force) and ``lift``
        how far waiting would raise the party's proximity; zero for parties that do not
        weigh timing, when a threat between the parties runs on (waiting is not free) or
        when ``trade`` is missing.
        """
        model = self.model
        costs = np.zeros((rows, len(model.codes)))
        timers = [p for p in table.parties if model.country_agents[p].strategy.election_timing]
        if not timers or trade is None:
            return costs
        if any(not threat.suspended for threat in model.pending(table)):
            return costs
        discount = np.array([agent.strategy.discount for agent in model.country_agents])
        lift = model.payoffs.election_lift(model.round, discount)
        if not (lift[timers] > 0).any():
            return costs
        slope = model.payoffs.electoral_slope(trade)[:rows]
        now = model.payoffs.electoral_slope(model.current_payoffs.trade)[0]
        costs[:, timers] = lift[timers] * np.maximum(0.0, now[timers] - slope[:, timers])
        return costs
