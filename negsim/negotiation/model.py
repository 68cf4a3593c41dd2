"""The negotiation model: one Mesa step is one negotiation round.

``NegotiationModel`` owns the world state (tariffs in force, alliance health,
threats, agreements) and runs each round in a fixed order:

1. scheduled events (e.g. CPTPP entering into force) change tariffs;
2. threats whose deadline has come are executed or backed down from (unless
   suspended while their parties talk), and targets may retaliate;
3. at every open table the proposer offers, the others accept or reject; a
   rejecting protector may signal weaker commitment; a proposer that finds no
   package the others could accept twice running walks out;
4. alliance health recovers a little.

All randomness comes from the model's ``rng`` (Mesa's ``rng=`` argument).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import mesa
import numpy as np

from negsim.economy import World
from negsim.negotiation.agents import CountryAgent
from negsim.negotiation.protocols import PROTOCOLS, Table, bilateral_table, multilateral_table
from negsim.payoffs import PayoffModel, RedLines, TableEvaluator
from negsim.record.outcome import Outcome, nash_solution
from negsim.scenarios import Scenario, ScenarioError, load_scenario

COLLECT = ("rounds", "final", "none")
NASH_SAMPLE = 256  # random packages on which a table's Nash solution is found
DIAGNOSTIC_KEY = 2**31 - 1  # spawn key of the diagnostics' own seed sequence


_SHARED = threading.local()
SHARED_SCENARIOS = 4  # scenarios whose arrays each thread keeps between runs


def _shared_parts(
    scenario: Scenario,
) -> tuple[World, PayoffModel, RedLines, dict[tuple, TableEvaluator]]:
    """The world, payoff model, red lines and table evaluators of a scenario.

    They depend on the scenario alone and are read-only during a run, so models of
    the same scenario (same content, compared through its JSON) share them: a
    sweep builds them once. Each thread has its own cache (the evaluators keep
    scratch buffers), holding the last ``SHARED_SCENARIOS`` scenarios.
    """
    cache = getattr(_SHARED, "cache", None)
    if cache is None:
        cache = _SHARED.cache = OrderedDict()
    key = scenario.model_dump_json()
    parts = cache.get(key)
    if parts is None:
        world = World.from_scenario(scenario)
        payoffs = PayoffModel.from_scenario(scenario, world)
        parts = cache[key] = (world, payoffs, RedLines.from_scenario(scenario), {})
        while len(cache) > SHARED_SCENARIOS:
            cache.popitem(last=False)
    return parts


@dataclass
class ThreatState:
    """A threat and its fate: ``pending``, ``executed``, ``withdrawn`` or ``backed_down``."""

    name: str
    by: int
    on: int
    sectors: np.ndarray
    level: float
    deadline: int
    suspended: bool
    status: str = "pending"


class NegotiationModel(mesa.Model):
    """Countries negotiating tariffs round by round under one protocol.

    Args:
        scenario: a validated :class:`~negsim.scenarios.Scenario` or a built-in name.
        protocol: ``"bilateral"`` (a table per listed pair) or ``"multilateral"``
            (one table, MFN schedules, unanimity).
        rng: seed or generator; the only source of randomness.
        collect: ``"rounds"`` records every round in ``datacollector``; ``"final"``
            only the end state; ``"none"`` nothing (fastest, for sweeps).
        nash_sample: packages drawn to find a table's Nash solution (a diagnostic:
            drawn from ``diagnostic_rng``, never from ``rng``).

    Attributes:
        config: the negsim scenario being played (Mesa 3.5 reserves ``Model.scenario``
            for its own experimental scenarios, so negsim's lives here).
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
    ) -> None:
        if protocol not in PROTOCOLS:
            raise ValueError(f"unknown protocol {protocol!r}; allowed: {', '.join(PROTOCOLS)}")
        if collect not in COLLECT:
            raise ValueError(f"unknown collect {collect!r}; allowed: {', '.join(COLLECT)}")
        super().__init__(rng=rng)
        self.diagnostic_rng = diagnostic_rng(self.rng)
        self.nash_sample = nash_sample
        self.seed = int(rng) if isinstance(rng, int | np.integer) else None
        self.config = load_scenario(scenario) if isinstance(scenario, str) else scenario
        for code, nation in self.config.nations.items():
            if nation.strategy.kind == "equilibrium":
                raise ScenarioError(
                    f"{code}.strategy.kind: 'equilibrium' is available in divide-the-gains "
                    "games (negsim.negotiation.bargaining) only; allowed here: 'aspiration'"
                )
        self.protocol = protocol
        self.collect = collect
        scenario = self.config
        self.world, self.payoffs, self.red_lines, self._evaluators = _shared_parts(scenario)
        self.codes = scenario.countries
        n = len(self.codes)
        self.horizon = scenario.horizon
        self.diplomacy = scenario.diplomacy
        self.tariffs = self.world.base_tariffs.copy()
        self.health = np.ones((n, n))
        self.backdowns = np.zeros(n)
        self.threats_executed = 0
        self.retaliations = 0
        self.retaliated_by = np.zeros(n, dtype=int)
        self.agreements: list[dict] = []
        self.offers: list[dict] = []
        self.round = 0
        sector_index = {s: k for k, s in enumerate(scenario.sectors)}
        self.threats = [
            ThreatState(
                name=name,
                by=self.codes.index(t.by),
                on=self.codes.index(t.on),
                sectors=np.array([sector_index[s] for s in t.sectors]),
                level=t.level,
                deadline=t.deadline,
                suspended=t.suspended,
            )
            for name, t in scenario.threats.items()
        ]
        self.country_agents = [
            CountryAgent(self, code, i, scenario.nations[code].strategy)
            for i, code in enumerate(self.codes)
        ]
        self._pair_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.tables = self._open_tables()
        self._datacollector: mesa.DataCollector | None = None
        self._last_payoffs = None
        if collect == "rounds":
            self.datacollector.collect(self)

    @property
    def datacollector(self) -> mesa.DataCollector:
        """The model's Mesa ``DataCollector`` (built on first use: sweeps never use it)."""
        if self._datacollector is None:
            self._datacollector = mesa.DataCollector(model_reporters=self._reporters())
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
            table.turn = int(self.rng.integers(len(table.parties)))
            self._estimate_best(table)
        return tables

    def _estimate_best(self, table: Table) -> None:
        """Each party's best hoped-for utility: the best of a sample of packages."""
        current = table.current(self.tariffs)
        bounds = self._bounds(table, current)
        # every party's sample first (same draws, same order), then one evaluation
        samples = [self.country_agents[p].candidates(table, current, bounds) for p in table.parties]
        utilities = self._table_payoffs(table, np.vstack(samples)).total
        start = 0
        for party, sample in zip(table.parties, samples, strict=True):
            rows = utilities[start : start + len(sample), party]
            table.best[party] = float(rows.max())
            table.stalled[party] = 0
            start += len(sample)

    def _bounds(self, table: Table, current: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bounds on offers: red lines, ``max_tariff`` and the tariffs in force.

        With ``protocol.liberalizing`` an agreement binds or cuts tariffs; only
        coercion raises them (model.md N2).
        """
        low, high = table.bounds(self.red_lines.lower, self.red_lines.upper)
        if self.config.protocol.liberalizing:
            high = np.minimum(high, np.maximum(current, low))
        return low, high

    # ------------------------------------------------------------------ evaluation

    def _evaluate_state(self, tariffs: np.ndarray | None = None):
        tariffs = self.tariffs if tariffs is None else tariffs
        return self.payoffs.evaluate(
            tariffs[None], health=self.health, round_=self.round, backdowns=self.backdowns
        )

    def _evaluator(self, table: Table) -> TableEvaluator:
        """The table's restricted payoff evaluator, shared by models of one scenario."""
        evaluator = self._evaluators.get(table.name)
        if evaluator is None:
            evaluator = self._evaluators[table.name] = TableEvaluator(
                self.payoffs, table.importer, table.exporter, table.sector, table.issue_of_target
            )
        return evaluator

    def _table_payoffs(self, table: Table, offers: np.ndarray, breakdown: bool = False):
        """Payoffs of offers put in force with the health an agreement brings.

        With ``breakdown=True`` a last row is added: the state if talks broke down
        now, whose utilities are the parties' outside options. Only the markets the
        table's tariffs touch are computed per offer (:class:`TableEvaluator`).
        """
        evaluator = self._evaluator(table)
        health = self._agreed_health(table)
        alliance = self.payoffs.alliance
        if not breakdown:
            payoffs = evaluator.evaluate(
                evaluator.with_states(offers),
                self.tariffs,
                round_=self.round,
                backdowns=self.backdowns,
            )
            payoffs.security += alliance(health)
            return payoffs
        broken_tariffs, broken_health = self._breakdown_state(table)
        if evaluator.covers(broken_tariffs, self.tariffs):
            payoffs = evaluator.evaluate(
                evaluator.with_states(offers, broken_tariffs),
                self.tariffs,
                round_=self.round,
                backdowns=self.backdowns,
            )
            payoffs.security[:-1] += alliance(health)
            payoffs.security[-1] += alliance(broken_health)
            return payoffs
        # a breakdown that moves tariffs off the table: evaluate full tensors
        states = table.apply(offers, self.tariffs)
        health = np.repeat(health[None], len(offers), axis=0)
        states = np.concatenate([states, broken_tariffs[None]])
        health = np.concatenate([health, broken_health[None]])
        return self.payoffs.evaluate(
            states, health=health, round_=self.round, backdowns=self.backdowns
        )

    def _pairs(self, table: Table) -> tuple[np.ndarray, np.ndarray]:
        """Ordered pairs (a, b), a != b, of the table's parties, as index arrays."""
        pairs = self._pair_cache.get(table.name)
        if pairs is None:
            parties = np.array(table.parties)
            a = np.repeat(parties, len(parties))  # all (a, b), a-major, as a meshgrid
            b = np.tile(parties, len(parties))
            off = a != b
            pairs = self._pair_cache[table.name] = (a[off], b[off])
        return pairs

    @property
    def current_payoffs(self):
        """Payoffs of the state in force (computed on demand, cached within a round)."""
        if self._last_payoffs is None:
            self._last_payoffs = self._evaluate_state()
        return self._last_payoffs

    def _agreed_health(self, table: Table) -> np.ndarray:
        health = self.health.copy()
        a, b = self._pairs(table)
        health[a, b] = np.minimum(1.0, health[a, b] + self.diplomacy.agreement_boost)
        return health

    def _breakdown_state(self, table: Table) -> tuple[np.ndarray, np.ndarray]:
        """Tariffs and health if the table broke down now (the outside option, model.md N6).

        Pending threats between the parties are executed, a target expected to
        retaliate (propensity at least one half) does, and health takes the
        breakdown, coercion and retaliation damage.
        """
        tariffs = self.tariffs.copy()
        health = self.health.copy()
        a, b = self._pairs(table)
        health[a, b] -= self.diplomacy.breakdown_damage
        for threat in self._pending(table):
            self._coerce(threat, tariffs, health, expected=True)
        np.maximum(health, 0.0, out=health)  # clip to 0..1
        np.minimum(health, 1.0, out=health)
        return tariffs, health

    def _pending(self, table: Table) -> list[ThreatState]:
        return [t for t in self.threats if t.status == "pending" and table.involves(t.by, t.on)]

    def _coerce(
        self, threat: ThreatState, tariffs: np.ndarray, health: np.ndarray, expected: bool
    ) -> bool:
        """Put a threat in force on ``tariffs``/``health``; return whether the target retaliates.

        With ``expected=True`` retaliation happens when its probability is at least
        one half (an expectation, no random draw); otherwise it is drawn.
        """
        by, on = threat.by, threat.on
        old = tariffs[by, on, threat.sectors]
        new = np.maximum(old, threat.level)
        tariffs[by, on, threat.sectors] = new
        increment = float((new - old).sum() / new.size)  # the mean, without np.mean's overhead
        health[by, on] -= self.diplomacy.coercion_damage
        health[on, by] -= self.diplomacy.coercion_damage
        target = self.country_agents[on]
        if expected:
            chance = target.strategy.retaliation * (1.0 - self.payoffs.reliance[on, by])
            retaliate = chance >= 0.5
        else:
            retaliate = target.retaliates(by)
        if retaliate and increment > 0:
            sectors = target.strategy.retaliation_sectors or self.config.sectors
            index = [self.config.sectors.index(s) for s in sectors]
            cap = self.config.protocol.max_tariff
            tariffs[on, by, index] = np.minimum(cap, tariffs[on, by, index] + increment)
            health[by, on] -= self.diplomacy.retaliation_damage
            health[on, by] -= self.diplomacy.retaliation_damage
        return bool(retaliate and increment > 0)

    # ------------------------------------------------------------------ the round

    def step(self) -> None:
        """Play one negotiation round."""
        self.round = self.steps
        self._apply_events()
        self._threat_deadlines()
        for table in self.tables:
            if table.open:
                self._negotiate(table)
        recovery = self.diplomacy.recovery
        self.health += recovery * (1.0 - self.health)
        self._last_payoffs = None
        if self.round >= self.horizon or not any(t.open for t in self.tables):
            self.running = False
        if self.collect == "rounds" or (self.collect == "final" and not self.running):
            self.datacollector.collect(self)

    def run(self) -> Outcome:
        """Play rounds until the horizon or until every table has closed."""
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

    def _threat_deadlines(self) -> None:
        for threat in self.threats:
            if threat.status != "pending" or threat.deadline > self.round:
                continue
            talking = any(t.open and t.involves(threat.by, threat.on) for t in self.tables)
            if threat.suspended and talking:
                continue  # suspended while the two are talking
            self._decide(threat)

    def _decide(self, threat: ThreatState) -> None:
        """The coercer executes a due threat or backs down, whichever pays more (model.md N7)."""
        tariffs, health = self.tariffs.copy(), self.health.copy()
        self._coerce(threat, tariffs, health, expected=True)
        both = self.payoffs.evaluate(
            np.stack([tariffs, self.tariffs]),
            health=np.stack([np.clip(health, 0, 1), self.health]),
            round_=self.round,
            backdowns=self.backdowns,
        ).total[:, threat.by]
        audience = self.payoffs.audience_cost[threat.by]
        if both[0] >= both[1] - audience:
            threat.status = "executed"
            self.threats_executed += 1
            if self._coerce(threat, self.tariffs, self.health, expected=False):
                self.retaliations += 1
                self.retaliated_by[threat.on] += 1
            np.clip(self.health, 0.0, 1.0, out=self.health)
        else:
            threat.status = "backed_down"
            self.backdowns[threat.by] += 1

    def _negotiate(self, table: Table) -> None:
        """One offer at one table, and the responses to it."""
        proposer = self.country_agents[table.proposer()]
        current = table.current(self.tariffs)
        bounds = self._bounds(table, current)
        offers = proposer.candidates(table, current, bounds)
        payoffs = self._table_payoffs(table, offers, breakdown=True)
        utilities, reserves = payoffs.total[:-1], payoffs.total[-1]
        choice, hopeful = proposer.choose(utilities, reserves, table, self.round)
        offer = offers[choice]
        table.last_offer[proposer.index] = offer
        table.stalled[proposer.index] = 0 if hopeful else table.stalled[proposer.index] + 1
        responders = [p for p in table.parties if p != proposer.index]
        # an offer worth less to the proposer than walking away is not on the table
        sincere = utilities[choice, proposer.index] >= reserves[proposer.index] - 1e-9
        answers = {
            p: sincere
            and self.country_agents[p].accepts(utilities[choice, p], reserves[p], table, self.round)
            for p in responders
        }
        self.offers.append(
            {
                "round": self.round,
                "table": table.name,
                "proposer": proposer.code,
                "offer": offer,
                "accepted": all(answers.values()),
            }
        )
        accepting = [proposer.index, *[p for p, yes in answers.items() if yes]]
        if all(answers.values()):
            self._agree(table, offer, utilities[choice], reserves, table.parties)
        elif (
            self.protocol == "multilateral"
            and self.config.protocol.plurilateral
            and len(accepting) >= 2
        ):
            self._agree(table, offer, utilities[choice], reserves, accepting)
        else:
            for p, yes in answers.items():
                if not yes:
                    self._signal(self.country_agents[p], proposer.index)
            if table.stalled[proposer.index] >= 2:
                self._break_down(table)
        table.turn += 1

    def _signal(self, protector: CountryAgent, partner: int) -> None:
        """A protector that rejects signals weaker commitment to a reliant partner (model.md N8)."""
        reliance = self.payoffs.reliance[partner, protector.index]
        cut = protector.strategy.signal * reliance
        if cut > 0:
            i, j = protector.index, partner
            self.health[i, j] = self.health[j, i] = max(0.0, self.health[i, j] - cut)

    def _agree(
        self,
        table: Table,
        offer: np.ndarray,
        utility: np.ndarray,
        reserves: np.ndarray,
        members: list[int],
    ) -> None:
        if len(members) < len(table.parties):  # plurilateral: members' schedules only
            keep = np.isin(table.importer, members)
            new = self.tariffs.copy()
            sel = (table.importer[keep], table.exporter[keep], table.sector[keep])
            new[sel] = offer[table.issue_of_target[keep]]
        else:
            new = table.apply(offer[None], self.tariffs)[0]
        self.tariffs = new
        self.health = self._agreed_health(table)
        table.status = "agreed"
        table.agreement_round = self.round
        table.members = sorted(members)
        for threat in self._pending(table):
            threat.status = "withdrawn"
        bounds = self._bounds(table, table.current(self.tariffs))
        self.agreements.append(
            {
                "table": table.name,
                "round": self.round,
                "members": [self.codes[m] for m in table.members],
                "utility": {self.codes[p]: float(utility[p]) for p in table.parties},
                "reserve": {self.codes[p]: float(reserves[p]) for p in table.parties},
                "nash_gap": self._nash_gap(table, offer, utility, reserves, bounds),
            }
        )

    def _nash_gap(
        self,
        table: Table,
        offer: np.ndarray,
        utility: np.ndarray,
        reserves: np.ndarray,
        bounds: tuple[np.ndarray, np.ndarray],
    ) -> float:
        """Distance (% of GDP) of an agreement's payoffs from the table's Nash solution.

        The Nash solution is found on the table's own offer space: ``nash_sample``
        packages drawn uniformly within the issues' bounds, plus the agreed one
        (model.md R1). They come from ``diagnostic_rng``, so the sample size never
        changes the run.
        """
        low, high = bounds
        high = np.minimum(high, self.config.protocol.max_tariff)
        sample = self.diagnostic_rng.uniform(low, high, size=(self.nash_sample, len(low)))
        packages = np.vstack([offer, sample])
        payoffs = self._table_payoffs(table, packages).total[:, table.parties]
        point = nash_solution(payoffs, reserves[table.parties])
        return float(np.linalg.norm(utility[table.parties] - point))

    def _break_down(self, table: Table) -> None:
        """A walk-out: the table closes, health suffers, pending threats fall due."""
        table.status = "broken"
        a, b = self._pairs(table)
        self.health[a, b] -= self.diplomacy.breakdown_damage
        np.clip(self.health, 0.0, 1.0, out=self.health)
        for threat in self._pending(table):
            self._decide(threat)

    # ------------------------------------------------------------------ records

    def _reporters(self) -> dict:
        codes, sectors = self.codes, self.config.sectors
        reporters: dict = {"round": lambda m: m.round}
        for k, code in enumerate(codes):
            reporters[f"utility.{code}"] = lambda m, k=k: float(m.current_payoffs.total[0, k])
            reporters[f"econ.{code}"] = lambda m, k=k: float(m.current_payoffs.econ[0, k])
            reporters[f"security.{code}"] = lambda m, k=k: float(m.current_payoffs.security[0, k])
            reporters[f"politics.{code}"] = lambda m, k=k: float(m.current_payoffs.politics[0, k])
        for table in self.tables:
            reporters[f"status.{table.name}"] = lambda m, t=table: t.status
            reporters[f"offer.{table.name}"] = lambda m, t=table: m._last_offer(t)
            for i, j, s in zip(table.importer, table.exporter, table.sector, strict=True):
                key = f"tariff.{self.config.codes[i]}.{self.config.codes[j]}.{sectors[s]}"
                reporters[key] = lambda m, i=i, j=j, s=s: float(m.tariffs[i, j, s])
        n = len(codes)
        for a in range(n):
            for b in range(a + 1, n):
                key = f"alliance.{codes[a]}-{codes[b]}"
                reporters[key] = lambda m, a=a, b=b: float(m.health[a, b])
        reporters["threats_executed"] = lambda m: m.threats_executed
        reporters["retaliations"] = lambda m: m.retaliations
        return reporters

    def _last_offer(self, table: Table) -> str:
        for record in reversed(self.offers):
            if record["round"] != self.round:
                break
            if record["table"] == table.name:
                values = " ".join(f"{v:.3f}" for v in record["offer"])
                verdict = "accepted" if record["accepted"] else "rejected"
                return f"{record['proposer']}: [{values}] {verdict}"
        return ""

    def outcome(self) -> Outcome:
        """The outcome record of the run so far."""
        return Outcome.from_model(self)


def diagnostic_rng(rng: np.random.Generator) -> np.random.Generator:
    """A generator for diagnostics, derived from the seed of ``rng`` without drawing from it.

    Its seed sequence is the child ``DIAGNOSTIC_KEY`` of ``rng``'s (the same for the
    same seed in any process); the simulation's stream is left untouched.
    """
    parent = rng.bit_generator.seed_seq
    if not isinstance(parent, np.random.SeedSequence):  # a generator built without one
        return np.random.default_rng(DIAGNOSTIC_KEY)
    child = np.random.SeedSequence(
        parent.entropy, spawn_key=(*parent.spawn_key, DIAGNOSTIC_KEY), pool_size=parent.pool_size
    )
    return np.random.default_rng(child)


def simulate(
    scenario: Scenario | str = "tag2018", protocol: str = "bilateral", seed: int = 0
) -> Outcome:
    """Run one negotiation to the end and return its outcome.

    Same scenario, protocol and seed give the same outcome in any process. The model
    is released when the run ends, so a sweep's memory stays constant.
    """
    model = NegotiationModel(scenario, protocol=protocol, rng=seed, collect="none")
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
