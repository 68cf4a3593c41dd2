"""The negotiation model: one Mesa step is one negotiation round (one month).

``NegotiationModel`` holds the world state (tariffs in force, alliance health,
threats, agreements) and the rules; the countries (:class:`CountryAgent`) make
the moves, called through Mesa's AgentSet in the protocol's order each round:

1. scheduled events (e.g. CPTPP entering into force) change tariffs; deals whose
   notice to a legislature has run out are signed (model.md C2);
2. at a summit, the two sides of a threat about to fall due may agree a truce
   that postpones it (C3);
3. coercers execute (to a chosen depth) or withdraw their due threats, unless
   suspended while the two talk (N7); targets retaliate as their payoff says (N5);
4. at every table open for talks the proposer offers, the others answer, the
   proposer learns from the answers (B2), rejecting protectors may signal (N8)
   and a proposer with nothing acceptable twice running walks out;
5. alliance health recovers a little.

All randomness of the run comes from the model's ``rng`` (Mesa's ``rng=``);
diagnostics draw from ``diagnostic_rng``, derived from the same seed.
"""

from __future__ import annotations

import mesa
import numpy as np

from negsim.negotiation.agents import CountryAgent
from negsim.negotiation.agreements import AgreementRules
from negsim.negotiation.beliefs import TYPES
from negsim.negotiation.coercion import Responses
from negsim.negotiation.commitments import purchase_issues
from negsim.negotiation.demands import add_issues, demands_of
from negsim.negotiation.diagnostics import diagnostic_rng
from negsim.negotiation.history import start_from_history
from negsim.negotiation.kinds import strategy_for
from negsim.negotiation.protocols import (
    PROTOCOLS,
    Offer,
    Table,
    bilateral_table,
    multilateral_table,
)
from negsim.negotiation.reporters import reporters
from negsim.negotiation.rules import CoercionRules, threats_of
from negsim.negotiation.shared import shared_parts
from negsim.negotiation.valuation import Valuation
from negsim.negotiation.views import StateViews
from negsim.negotiation.wars import War
from negsim.record.outcome import Outcome
from negsim.scenarios import Scenario, load_scenario

COLLECT = ("rounds", "final", "none")
SOLVES = ("screened", "exact")  # how candidate packages are solved (model.md E12)
NASH_SAMPLE = 256  # random packages on which a table's Nash solution is found


class NegotiationModel(CoercionRules, AgreementRules, StateViews, mesa.Model):
    """Countries negotiating tariffs round by round under one protocol.

    Args:
        scenario: a validated :class:`~negsim.scenarios.Scenario` or a built-in name.
        protocol: ``"bilateral"`` (a table per listed pair) or ``"multilateral"``
            (one table, MFN schedules, unanimity).
        rng: seed or generator; the only source of the run's randomness.
        collect: ``"rounds"`` records every round in ``datacollector``; ``"final"``
            only the end state; ``"none"`` nothing (fastest, for sweeps).
        nash_sample: packages drawn to find a table's Nash solution (a diagnostic:
            drawn from ``diagnostic_rng``, never from ``rng``).
        solve: ``"screened"`` (default): candidate packages are ranked on the economy
            linearised at the state in force and only the ones that matter (the offer
            made, the best few) are solved exactly (model.md E12); ``"exact"``: every
            candidate is solved exactly (E6), as before screening, for comparison.

    Attributes:
        config: the negsim scenario being played (Mesa 3.5 reserves ``Model.scenario``).
        tariffs: tariffs in force, (n+1, n+1, S), importer-major.
        health: alliance health h[i, j] in 0..1, symmetric, (n, n).
        tables: the negotiation tables.
        agreements: one dict per agreement (table, round, utilities, reserves).
    """

    def __init__(
        self,
        scenario: Scenario | str = "tag2018",
        protocol: str = "bilateral",
        rng: int | np.random.Generator | None = None,
        collect: str = "rounds",
        nash_sample: int = NASH_SAMPLE,
        solve: str = "screened",
    ) -> None:
        if protocol not in PROTOCOLS:
            raise ValueError(f"unknown protocol {protocol!r}; allowed: {', '.join(PROTOCOLS)}")
        if collect not in COLLECT:
            raise ValueError(f"unknown collect {collect!r}; allowed: {', '.join(COLLECT)}")
        if solve not in SOLVES:
            raise ValueError(f"unknown solve {solve!r}; allowed: {', '.join(SOLVES)}")
        super().__init__(rng=rng)
        self.screened = solve == "screened"
        self._diagnostic_rng: np.random.Generator | None = None
        self.nash_sample = nash_sample
        self.seed = int(rng) if isinstance(rng, int | np.integer) else None
        self.config = load_scenario(scenario) if isinstance(scenario, str) else scenario
        config = self.config
        kinds = [strategy_for(c, config.nations[c].strategy.kind) for c in config.countries]
        self.protocol = protocol
        self.collect = collect
        self.world, self.payoffs, self.red_lines, self.evaluators = shared_parts(config)
        self.codes = config.countries
        n = len(self.codes)
        self.horizon = config.horizon
        self.diplomacy = config.diplomacy
        self.tariffs = self.world.base_tariffs.copy()
        self.health = np.ones((n, n))
        self.backdowns = np.zeros(n)
        self.threats_executed = self.retaliations = self.truces = self.snapbacks = 0
        self.retaliated_by = np.zeros(n, dtype=int)
        self.agreements: list[dict] = []
        self.offers: list[dict] = []
        self.moves: list[dict] = []  # coercion, retaliation, truces, snap-backs (rules.py)
        self.wars: dict[tuple[str, int], War] = {}  # wars of attrition by table talks (B8)
        self.round = 0
        self.version = 0  # bumped whenever tariffs, health or backdowns change
        self.threats = threats_of(config)
        self.demands = demands_of(config)
        self.priors = {
            i: {
                t: (s.values, s.weights)
                for t in TYPES
                for s in [getattr(config.nations[c].strategy, t)]
            }
            for i, c in enumerate(self.codes)
        }
        for demand in self.demands:  # the target's cost is a private type (model.md N11)
            self.priors[demand.on][demand.belief_name] = (demand.costs, demand.weights)
            self.priors[demand.on][demand.compliance_name] = (  # and its compliance (N14)
                demand.compliances,
                demand.compliance_weights,
            )
        self.tables: list[Table] = []  # opened below, once the agents exist
        start_from_history(self)  # resolve priors updated on moves before round 0 (B7)
        self.country_agents = [
            CountryAgent(self, code, i, config.nations[code].strategy, kinds[i])
            for i, code in enumerate(self.codes)
        ]
        self.valuation = Valuation(self)
        self._replies: dict[tuple, Responses] = {}
        self._payoffs_at: tuple | None = None
        self._last_payoffs = None
        self._equilibrium_of: bytes | None = None
        self._equilibrium = None
        self.tables = self._open_tables()
        self._datacollector: mesa.DataCollector | None = None
        if collect == "rounds":
            self.datacollector.collect(self)

    @property
    def diagnostic_rng(self) -> np.random.Generator:
        """The diagnostics' generator, derived from the run's seed (built on first use)."""
        if self._diagnostic_rng is None:
            self._diagnostic_rng = diagnostic_rng(self.rng)
        return self._diagnostic_rng

    @property
    def datacollector(self) -> mesa.DataCollector:
        """The model's Mesa ``DataCollector`` (built on first use: sweeps never use it)."""
        if self._datacollector is None:
            self._datacollector = mesa.DataCollector(model_reporters=reporters(self))
        return self._datacollector

    @datacollector.setter
    def datacollector(self, value: mesa.DataCollector) -> None:
        self._datacollector = value

    # ------------------------------------------------------------------ set-up

    def _open_tables(self) -> list[Table]:
        n_sectors = len(self.config.sectors)
        if self.protocol == "bilateral":
            pairs = [
                sorted((self.codes.index(a), self.codes.index(b))) for a, b in self.config.tables
            ]
            tables = [bilateral_table(a, b, self.codes, n_sectors) for a, b in pairs]
        else:
            parties = list(range(len(self.codes)))
            tables = [multilateral_table(parties, self.world.base_imports, n_sectors)]
        for table in tables:
            add_issues(table, self.demands)
            purchase_issues(self.config, table, self.world, self.evaluators)
            for notice in self.config.notices.values():
                by = self.codes.index(notice.by)
                if by in table.parties and any(
                    self.codes.index(p) in table.parties for p in notice.partners
                ):
                    table.talks_from = max(table.talks_from, notice.talks_from)
                    table.notice = max(table.notice, notice.rounds)
            table.turn = int(self.rng.integers(len(table.parties)))
            self.estimate_best(table)
        return tables

    def estimate_best(self, table: Table) -> None:
        """Each party's best hoped-for utility: the best of a sample of packages."""
        for party, best in zip(table.parties, self.valuation.best_hopes(table), strict=True):
            table.best[party] = best
            table.stalled[party] = 0

    # ------------------------------------------------------------------ the round

    def step(self) -> None:
        """Play one negotiation round in the protocol's order."""
        self.round = self.steps
        self._replies.clear()
        self._apply_events()
        self._sign_due()
        for table in self.tables:  # commitments delivered, then watched (A2-A3)
            if table.commitments is not None and not table.commitments.snapped:
                self.agents.do("deliver", table)
                self.agents.do("monitor", table)
        for k, demand in enumerate(self.demands):  # promised reform watched (A4)
            if demand.watched:
                self.country_agents[demand.by].monitor_reform(k)
        self._summits()
        if any(t.status == "pending" and t.deadline <= self.round for t in self.threats):
            self.agents.select(lambda a: bool(self.due_threats(a.index))).do("act_on_threats")
        if any(t.executed_round == self.round for t in self.threats):
            self.agents.select(lambda a: bool(self.executed_now(a.index))).do("answer_coercion")
        for table in self.tables:
            if table.open and table.talks_from <= self.round:
                self._negotiate(table)
        self.health += self.diplomacy.recovery * (1.0 - self.health)
        self.version += 1
        if self.round >= self.horizon or not (self.talking or self.watching):
            self.running = False
        if self.collect == "rounds" or (self.collect == "final" and not self.running):
            self.datacollector.collect(self)

    @property
    def talking(self) -> bool:
        """Whether any table is still open or agreed and waiting to sign."""
        return any(t.talking for t in self.tables)

    @property
    def watching(self) -> bool:
        """Whether a deal's promises are still watched: reform (A4) or purchases (A2-A3), C5.

        A signed deal is not the end of the story: delivery is read every round until
        the horizon and can trigger a snap-back, so the run goes on while it is watched.
        """
        reform = any(demand.watched for demand in self.demands)
        purchases = any(
            t.commitments is not None and not t.commitments.snapped for t in self.tables
        )
        return reform or purchases

    def run(self) -> Outcome:
        """Play rounds until the horizon, or until no table talks and nothing is watched."""
        while self.running:
            self.step()
        return self.outcome()

    def _apply_events(self) -> None:
        codes = self.config.codes
        for event in self.config.events.values():
            if event.round == self.round:
                j, i = codes.index(event.importer), codes.index(event.exporter)
                index = [self.config.sectors.index(s) for s in event.sectors]
                self.tariffs[j, i, index] = event.level
                self.version += 1

    def _negotiate(self, table: Table) -> None:
        """One offer at one table, the answers, learning, signals, a walk-out."""
        proposer = self.country_agents[table.proposer()]
        proposer.propose(table)
        offer = table.offer
        assert offer is not None
        responders = self.agents.select(
            lambda a: a.index in table.parties and a.index != offer.proposer
        )
        responders.do("respond", table)
        proposer.learn_from_answers(table)
        self.offers[-1]["accepted"] = offer.accepted
        accepting = [offer.proposer, *[p for p, yes in offer.answers.items() if yes]]
        if offer.accepted:
            self._settle(table, offer, table.parties)
        elif (
            self.protocol == "multilateral"
            and self.config.protocol.plurilateral
            and len(accepting) >= 2
        ):
            self._settle(table, offer, accepting)
        else:
            responders.do("signal", table)
            if proposer.walks_out(table):
                self._break_down(table)
        table.turn += 1

    def put_offer(
        self, table: Table, proposer: int, package, utility, reserve, sincere: bool
    ) -> None:
        """Lay an offer on the table (and in the model's record of offers)."""
        table.offer = Offer(proposer, package, utility, reserve, bool(sincere))
        table.last_offer[proposer] = package
        record = {"round": self.round, "table": table.name, "proposer": self.codes[proposer]}
        self.offers.append({**record, "offer": package, "accepted": False})

    def _break_down(self, table: Table) -> None:
        """A walk-out: the table closes, health suffers, pending threats fall due now."""
        table.status = "broken"
        a, b = self.valuation.pairs(table)
        self.health[a, b] -= self.diplomacy.breakdown_damage
        np.clip(self.health, 0.0, 1.0, out=self.health)
        self.version += 1
        for threat in self.pending(table):
            threat.deadline = min(threat.deadline, self.round)
        for agent in [self.country_agents[p] for p in table.parties]:
            if self.due_threats(agent.index):
                agent.act_on_threats()
        targets = self.agents.select(
            lambda a: bool(self.executed_now(a.index)) and a.index in table.parties
        )
        targets.do("answer_coercion")

    def outcome(self) -> Outcome:
        """The outcome record of the run so far."""
        return Outcome.from_model(self)


def simulate(
    scenario: Scenario | str = "tag2018",
    protocol: str = "bilateral",
    seed: int = 0,
    solve: str = "screened",
) -> Outcome:
    """Run one negotiation to the end and return its outcome (the model is released).

    ``solve``: ``"screened"`` or ``"exact"`` (see :class:`NegotiationModel`).
    """
    model = NegotiationModel(scenario, protocol=protocol, rng=seed, collect="none", solve=solve)
    outcome = model.run()
    release(model)
    return outcome


def release(model: mesa.Model) -> None:
    """Drop Mesa's class-level reference to a finished model so it can be freed.

    Mesa up to 3.3 keeps every model ever built alive through ``Agent._ids``, a
    class-level dict keyed by model (mesa issue #3179, fixed by mesa PR #3180);
    with it a sweep grows by a whole model per run. Harmless on a Mesa without it.
    Call it only when no agent will be added to the model any more.
    """
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)
