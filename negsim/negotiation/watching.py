"""How a country watches the deals it made: delivery, readings, snap-backs (model.md A2-A4, A7).

:class:`DealWatching` is a part of :class:`~negsim.negotiation.agents.CountryAgent`:
the importer delivers its purchases (A2); the exporter reads them and the demander
reads promised reform with noise, learning by Bayes' rule (A3-A4); each decides
whether snapping the deal back pays it (A7), and the model puts a snap-back in force.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from negsim.negotiation import strategies
from negsim.negotiation.demands import reading_likelihood

if TYPE_CHECKING:
    from negsim.negotiation.beliefs import Beliefs
    from negsim.negotiation.coercion import ThreatState
    from negsim.negotiation.model import NegotiationModel
    from negsim.negotiation.protocols import Table


class DealWatching:
    """Delivering, reading and snapping back deals (a part of the country agent)."""

    model: NegotiationModel
    index: int
    resolve: float
    beliefs: Beliefs
    _weighed: tuple[tuple[object, ...], tuple[float, float, list[float]]] | None = None

    if TYPE_CHECKING:  # the agent's own look-ahead at a threat (N7), in agents.py

        def execution_values(
            self,
            threat: ThreatState,
            tariffs: np.ndarray | None = None,
            health: np.ndarray | None = None,
        ) -> np.ndarray:
            """Its expected payoff from executing ``threat`` to each depth."""
            ...

    def deliver(self, table: Table) -> None:
        """Deliver this round's purchases on its commitments at ``table`` (model.md A2)."""
        commitments = table.commitments
        if self.index in commitments.importers:
            shortfall = self.model.config.compliance.shortfall
            self.model.deliver(table, 1.0 - float(self.model.rng.uniform(0.0, shortfall)))

    def monitor(self, table: Table) -> None:
        """Read the partner's purchases with noise; snap the deal back if it pays (A3, A7)."""
        commitments = table.commitments
        if self.index not in table.parties or self.index in commitments.importers:
            return
        model = self.model
        rules = model.config.compliance
        reading = commitments.delivered[-1] + model.rng.normal(0.0, rules.noise)
        if not commitments.snapped:
            self.decide_snap_back(table, reading)

    def monitor_reform(self, k: int) -> None:
        """Read the target's delivery of promised reform ``k``, learn, snap back (A4, A7).

        The reading is the target's compliance plus 𝒩(0, noise²) (the scenario's
        ``compliance.noise``); the belief about its compliance is updated by Bayes' rule.
        """
        model = self.model
        demand = model.demands[k]
        rules = model.config.compliance
        delivered = model.country_agents[demand.on].compliance[k]
        reading = delivered + float(model.rng.normal(0.0, rules.noise))
        demand.readings.append(reading)
        belief = self.beliefs.of(demand.on, demand.compliance_name)
        belief.weigh(reading_likelihood(demand, reading, rules.noise))
        self.decide_snap_back(model.deal_table(k), reading)

    def decide_snap_back(self, table: Table, reading: float) -> None:
        """Snap the deal at ``table`` back if that pays (A7), or below the threshold (A3-A4)."""
        rules = self.model.config.compliance
        if rules.snap_back == "threshold":
            snaps = reading < rules.threshold
        else:
            snaps = self.snap_back_pays(table)
        if snaps:
            self.model.snap_back(table)

    def snap_back_pays(self, table: Table) -> bool:
        """Whether snapping back the deal at ``table`` is worth more to it than keeping it (A7).

        Kept: the state in force with the table's purchases at the share expected
        delivered (A8: A2's draws are independent, so a reading tells nothing of the
        next) and the reform the deal promised, worth what it expects delivered (N14).
        Snapped back: the tariffs of before the deal on both sides (A3-A4, N16), valued
        as an outside option is (B4) where the lapse makes a threat of its own due (A5):
        executed to its best depth against the target's reply (N7) if it would execute
        it, else the state restored less its audience cost. Both at today's health and
        weights.
        """
        kept, restored, executions = self.weigh(table)
        keep = kept + self.promised_value(table)
        due = len(executions)
        stay = restored - self.audience_cost
        back = stay - (due - 1) * self.audience_cost if due else stay + self.audience_cost
        for executed in executions:  # N7's choice, valued as B4 values it (resolve decides)
            if executed + self.resolve >= stay:
                back = max(back, executed - (due - 1) * self.audience_cost)
        return back > keep + strategies.TOLERANCE

    def weigh(self, table: Table) -> tuple[float, float, list[float]]:
        """Its payoffs of keeping the deal, of the tariffs restored, of each revived threat.

        Each threat the lapse revives is valued executed to its best depth (N7); the
        reform promised and the audience costs are added by the caller (A7).

        The purchase reading (A3) and the reform reading (A4) of one round weigh the same
        states; the second reuses the first's figures when nothing they rest on moved
        (tariffs, health, backdowns, its belief about each target's resolve).
        """
        model = self.model
        due = [t for t in model.revived_by_lapse(table) if t.by == self.index]
        key = (
            model.round,
            id(table),
            model.tariffs.tobytes(),
            model.health.tobytes(),
            model.backdowns.tobytes(),
            tuple(t.name for t in due),
            tuple(self.beliefs.of(t.on, "resolve").weights.tobytes() for t in due),
        )
        if self._weighed is not None and self._weighed[0] == key:
            return self._weighed[1]
        held = table.commitments
        expected = model.expected_delivery
        kept = model.tariffs.copy() if held is None else held.kept(model.tariffs, expected)
        restored = model.deal_restored(table)
        payoffs = model.payoffs.evaluate(
            np.stack([kept, restored]),
            health=model.health,
            round_=model.round,
            backdowns=model.backdowns,
        )
        executions = [float(self.execution_values(t, restored, model.health).max()) for t in due]
        figures = (
            float(payoffs.total[0, self.index]),
            float(payoffs.total[1, self.index]),
            executions,
        )
        self._weighed = (key, figures)
        return figures

    @property
    def audience_cost(self) -> float:
        """What backing down from a public threat costs it (P6)."""
        return float(self.model.payoffs.audience_cost[self.index])

    def promised_value(self, table: Table) -> float:
        """What the reform promised at ``table`` is worth to it, as it expects delivered (N14)."""
        demands = [self.model.demands[k] for k in self.model.watched_demands(table)]
        return sum(
            d.value * self.beliefs.of(d.on, d.compliance_name).mean * (d.met - d.met_before)
            for d in demands
            if d.by == self.index
        )
