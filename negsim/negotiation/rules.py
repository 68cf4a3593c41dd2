"""The rules of coercion the model enforces: due threats, execution, retaliation, truces.

:class:`CoercionRules` is a part of :class:`~negsim.negotiation.model.NegotiationModel`:
the agents choose (``act_on_threats``, ``answer_coercion``, ``truce_vote``); these
methods put their choices in force, keep the counts and let every other country
learn from what it saw (model.md N5-N7, C3, B2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np

from negsim.negotiation import coercion
from negsim.negotiation.coercion import Responses, ThreatState
from negsim.negotiation.demands import lapse, restored
from negsim.scenarios import Scenario

if TYPE_CHECKING:
    from negsim.negotiation.agents import CountryAgent
    from negsim.negotiation.model import NegotiationModel
    from negsim.negotiation.protocols import Table


class CoercionRules:
    """Threat, retaliation and truce rules (a part of the negotiation model)."""

    threats: list[ThreatState]
    tables: list[Table]
    country_agents: list[CountryAgent]
    tariffs: np.ndarray
    health: np.ndarray
    backdowns: np.ndarray
    round: int
    version: int
    threats_executed: int
    retaliations: int
    truces: int
    snapbacks: int
    moves: list[dict]
    retaliated_by: np.ndarray
    config: Scenario
    codes: list[str]
    agents: Any
    _replies: dict

    def _model(self) -> NegotiationModel:
        return cast("NegotiationModel", self)

    def responses(self, threat: ThreatState, depth: float, executed: bool = False) -> Responses:
        """The target's options if ``threat`` is (or was, this round) executed to ``depth``."""
        key = (threat.name, depth, executed, self.round, self.version if not executed else -1)
        reply = self._replies.get(key)
        if reply is None:
            tariffs, health = threat.before if executed else (self.tariffs, self.health)
            reply = self._replies[key] = coercion.responses(
                self._model(), threat, depth, tariffs, health
            )
        return reply

    def due_threats(self, coercer: int) -> list[ThreatState]:
        """``coercer``'s pending threats at or past their deadline, unless suspended by talks."""
        due = []
        for threat in self.threats:
            if threat.by != coercer or threat.status != "pending" or threat.deadline > self.round:
                continue
            talking = any(t.talking and t.involves(threat.by, threat.on) for t in self.tables)
            if not (threat.suspended and talking):
                due.append(threat)
        return due

    def executed_now(self, target: int) -> list[ThreatState]:
        """Threats executed on ``target`` this round."""
        return [
            t
            for t in self.threats
            if t.on == target and t.status == "executed" and t.executed_round == self.round
        ]

    def execute(self, threat: ThreatState, depth: float) -> None:
        """Put a threat in force to ``depth`` of the way to its level."""
        threat.before = (self.tariffs.copy(), self.health.copy())
        coercion.put_in_force(self._model(), threat, depth, self.tariffs, self.health)
        np.clip(self.health, 0.0, 1.0, out=self.health)
        threat.status, threat.depth, threat.executed_round = "executed", depth, self.round
        self.threats_executed += 1
        self.version += 1
        self._move("executes", threat.by, threat.on, threat.name, threat.sectors, depth=depth)

    def back_down(self, threat: ThreatState) -> None:
        """The coercer withdraws a due threat and pays its audience cost."""
        threat.status = "backed_down"
        self.backdowns[threat.by] += 1
        self.version += 1
        self._move("backs down from", threat.by, threat.on, threat.name, threat.sectors)

    def observe_decision(
        self, threat: ThreatState, values: np.ndarray, stay: float, executes: bool
    ) -> None:
        """Everyone else learns about the coercer's resolve from its decision (B2)."""
        for agent in self.country_agents:
            if agent.index != threat.by:
                belief = agent.beliefs.of(threat.by, "resolve")
                would = values.max() + belief.values >= stay
                belief.update(would if executes else ~would)

    def retaliate(self, threat: ThreatState, reply: Responses, option: int) -> None:
        """Put the target's chosen reply in force; everyone else learns its resolve (B2)."""
        for agent in self.country_agents:
            if agent.index != threat.on:
                belief = agent.beliefs.of(threat.on, "resolve")
                belief.update(reply.best_of(threat.on, belief.values) == option)
        if option == 0:
            return
        sectors = reply.sectors[option]
        coercion.retaliate(
            self._model(),
            threat.on,
            threat.by,
            sectors,
            reply.increments[option],
            self.tariffs,
            self.health,
        )
        np.clip(self.health, 0.0, 1.0, out=self.health)
        self.retaliations += 1
        self.retaliated_by[threat.on] += 1
        self.version += 1
        rise = float(reply.increments[option])
        self._move("retaliates against", threat.on, threat.by, threat.name, sectors, rise=rise)

    def cut_health(self, i: int, j: int, cut: float) -> None:
        """Lower the health of the i-j alliance by ``cut`` (a signal)."""
        self.health[i, j] = self.health[j, i] = max(0.0, self.health[i, j] - cut)
        self.version += 1

    def _summits(self) -> None:
        """At a summit, a threat due within a truce's length is postponed if both agree (C3)."""
        for name, summit in self.config.summits.items():
            if summit.round != self.round:
                continue
            present = {self.codes.index(c) for c in summit.parties}
            for threat in self.threats:
                due_soon = threat.deadline <= self.round + summit.truce
                if (
                    threat.status != "pending"
                    or not due_soon
                    or not {threat.by, threat.on} <= present
                ):
                    continue
                sides = self.agents.select(lambda a, t=threat: a.index in (t.by, t.on))
                votes = sides.map("truce_vote", threat)
                if all(votes):
                    threat.deadline = self.round + summit.truce
                    self.truces += 1
                voters = [self.codes[a.index] for a in sides]
                self.moves.append(
                    {"round": self.round, "move": "truce vote", "summit": name,
                     "threat": threat.name, "votes": dict(zip(voters, votes, strict=True)),
                     "agreed": all(votes)}
                )  # fmt: skip

    def deliver(self, table: Table, share: float) -> None:
        """The importer delivers ``share`` of its commitments' added purchases (A2, A6)."""
        commitments = table.commitments
        for entry, tariff in commitments.in_force(share).items():
            self.tariffs[entry] = tariff
        commitments.delivered.append(share)
        self.version += 1

    def watched_demands(self, table: Table) -> list[int]:
        """The demands a deal at ``table`` met more of and whose delivery is watched (A4)."""
        return [k for k in table.demands if self._model().demands[k].watched]

    def deal_table(self, k: int) -> Table:
        """The table whose deal met more of demand ``k``."""
        return next(t for t in self.tables if k in t.demands and t.status == "agreed")

    def revived_by_lapse(self, table: Table) -> list[ThreatState]:
        """The threats the deal at ``table`` withdrew that its lapse would make due now (A5)."""
        pairs = {
            (self._model().demands[k].by, self._model().demands[k].on)
            for k in self.watched_demands(table)
        }
        return [
            t
            for t in self.threats
            if t.status == "withdrawn" and (t.by, t.on) in pairs and t.deadline <= self.round
        ]

    def deal_restored(self, table: Table) -> np.ndarray:
        """The tariffs if the deal at ``table`` snapped back now (A3-A5): a new array.

        The exporters' tariffs and the committed entries as before the deal (A3), the
        demander's tied tariffs and, mirrored, the target's counter-measures too (A4,
        N16); purchases committed at other tables go on through exclusions (A6).
        """
        held = table.commitments
        if held is not None and not held.snapped:
            tariffs = held.restored(self.tariffs, table.parties)
        else:
            tariffs = self.tariffs.copy()
        for k in self.watched_demands(table):
            tariffs = restored(self._model().demands[k], tariffs)
        for other in self.tables:
            held = other.commitments
            if other is not table and held is not None and not held.snapped and held.delivered:
                for entry, tariff in held.in_force(held.delivered[-1]).items():
                    tariffs[entry] = tariff
        return tariffs

    def snap_back(self, table: Table) -> None:
        """The deal at ``table`` snaps back: its tariffs as before it, its promises lapse.

        Commitments lapse (A3); a reform it promised lapses too, the demander's threats
        on the target the deal withdrew are pending again, due now if their deadline has
        passed, and the table reopens from next round (A4-A5).
        """
        model = self._model()
        lapsed = self.watched_demands(table)
        self.tariffs[...] = self.deal_restored(table)
        if table.commitments is not None:
            table.commitments.snapped = True
        for k in lapsed:
            demand = model.demands[k]
            lapse(demand)
            for threat in self.threats:
                pair = (threat.by, threat.on) == (demand.by, demand.on)
                if threat.status == "withdrawn" and pair:
                    threat.status, threat.deadline = "pending", max(threat.deadline, self.round)
        if lapsed and table.status == "agreed":
            table.status, table.talks_from, table.agreement_round = "open", self.round + 1, None
            table.offer = None
            table.last_offer.clear()
            model.estimate_best(table)
        self.snapbacks += 1
        self.version += 1
        self.moves.append({"round": self.round, "move": "snaps back", "table": table.name})

    def _move(
        self, move: str, by: int, on: int, threat: str, sectors: np.ndarray, **figures: float
    ) -> None:
        """Note a move of coercion in :attr:`moves` (what ``negsim run --trace`` lists)."""
        names = [self.config.sectors[s] for s in np.atleast_1d(sectors)]
        self.moves.append(
            {"round": self.round, "move": move, "by": self.codes[by], "on": self.codes[on],
             "threat": threat, "sectors": names, **figures}
        )  # fmt: skip


def threats_of(config: Scenario) -> list[ThreatState]:
    """The scenario's threats as run-time state (all pending at round 0)."""
    codes, sectors = config.countries, config.sectors
    return [
        ThreatState(
            name=name,
            by=codes.index(t.by),
            on=codes.index(t.on),
            sectors=np.array([sectors.index(s) for s in t.sectors]),
            level=t.level,
            deadline=t.deadline,
            suspended=t.suspended,
        )
        for name, t in config.threats.items()
    ]
