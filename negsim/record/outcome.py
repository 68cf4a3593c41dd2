"""The outcome record of a run, and bargaining-theory reference points.

:class:`Outcome` holds the end state of a run and flattens it with
:meth:`Outcome.to_record` into the keys of DESIGN.md ("Names in the outcome
record"). :func:`nash_solution` and :func:`kalai_smorodinsky` find the reference
points of a table on a cloud of feasible payoff points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from negsim.record.schema import COMPONENTS, RecordSchema

if TYPE_CHECKING:
    from negsim.negotiation.model import NegotiationModel
    from negsim.scenarios import Scenario


def nash_solution(points: np.ndarray, disagreement: np.ndarray) -> np.ndarray:
    """The Nash bargaining solution among feasible payoff points (model.md R1).

    Args:
        points: payoff vectors, shape (K, m).
        disagreement: the outside options, shape (m,).

    Returns:
        The point maximising ``Π_i (u_i - d_i)`` over points that give every party
        at least its outside option; the disagreement point if there is none.
    """
    gains = np.asarray(points) - disagreement
    ok = (gains >= 0).all(axis=1)
    if not ok.any():
        return np.asarray(disagreement, dtype=float)
    product = np.where(ok, np.prod(np.clip(gains, 0, None), axis=1), -np.inf)
    return np.asarray(points)[int(np.argmax(product))]


def kalai_smorodinsky(points: np.ndarray, disagreement: np.ndarray) -> np.ndarray:
    """The Kalai-Smorodinsky solution among feasible payoff points (model.md R2).

    Each party's ideal is its best gain over the outside option among individually
    rational points; the solution is the individually rational point that
    maximises the smallest share of the ideal gain (the furthest point on the ray
    from the disagreement point to the ideal).
    """
    points = np.asarray(points, dtype=float)
    gains = points - disagreement
    ok = (gains >= 0).all(axis=1)
    if not ok.any():
        return np.asarray(disagreement, dtype=float)
    ideal = gains[ok].max(axis=0)
    ideal = np.where(ideal > 0, ideal, 1.0)
    share = np.where(ok, (gains / ideal).min(axis=1), -np.inf)
    return points[int(np.argmax(share))]


@dataclass
class Outcome:
    """The end state of one run.

    Attributes:
        scenario: the scenario it ran.
        protocol: ``bilateral`` or ``multilateral``.
        seed: the seed the model's ``rng`` was built from (``None`` if unseeded).
        rounds: rounds played.
        tables: per table name: ``status`` and ``agreement_round``.
        tariffs: tariffs in force at the end, (n+1, n+1, S).
        payoffs: name -> (n,) arrays for ``utility``, ``econ``, ``security``, ``politics``.
        health: alliance health at the end, (n, n).
        threats_executed, retaliations, truces: counts over the run.
        retaliated_by: retaliations per country, (n,).
        coerced: threats executed against each country, (n,).
        agreements: one dict per agreement (table, round, rounds_of_talks, utilities,
            reserves, nash_gap).
        types: each country's private types drawn for the run, ``<C>.<type>``.
        beliefs: posterior means at the end, ``<observer>.<about>.<type>``.
        commitments: purchases committed, USD bn a year, ``<importer>.<exporter>.<sector>``.
        compliance: per table with commitments, the mean share delivered.
        snapbacks: per table, whether commitments (A3) or promised reform (A4) snapped back.
        reforms: per structural demand, the share met (model.md N10); its value to the
            demander and its cost to the target (at its private type) are in politics.
    """

    scenario: Scenario
    protocol: str
    seed: int | None
    rounds: int
    tables: dict[str, dict[str, Any]]
    tariffs: np.ndarray
    payoffs: dict[str, np.ndarray]
    exports: np.ndarray
    health: np.ndarray
    threats_executed: int
    retaliations: int
    retaliated_by: np.ndarray
    coerced: np.ndarray
    agreements: list[dict] = field(default_factory=list)
    truces: int = 0
    types: dict[str, float] = field(default_factory=dict)
    beliefs: dict[str, float] = field(default_factory=dict)
    commitments: dict[str, float] = field(default_factory=dict)
    compliance: dict[str, float] = field(default_factory=dict)
    snapbacks: dict[str, int] = field(default_factory=dict)
    reforms: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_model(cls, model: NegotiationModel) -> Outcome:
        """Collect the outcome of a model in its current state."""
        last = model.payoffs.evaluate(
            model.tariffs[None],
            health=model.health,
            round_=model.round,
            backdowns=model.backdowns,
        )
        politics = last.politics[0].copy()
        for k, demand in enumerate(getattr(model, "demands", [])):  # model.md N10-N11
            target = model.country_agents[demand.on]
            politics[demand.by] += demand.value * demand.met
            politics[demand.on] -= target.costs[k] * demand.met**demand.curvature
        exports = model.world.exports(model.tariffs).sum(axis=-1)
        return cls(
            scenario=model.config,
            protocol=model.protocol,
            seed=model.seed,
            rounds=model.round,
            tables={
                t.name: {"status": t.status, "agreement_round": t.agreement_round}
                for t in model.tables
            },
            tariffs=model.tariffs.copy(),
            payoffs={
                "utility": last.econ[0] + last.security[0] + politics,
                "econ": last.econ[0],
                "security": last.security[0],
                "politics": politics,
            },
            exports=exports,
            health=model.health.copy(),
            threats_executed=model.threats_executed,
            retaliations=model.retaliations,
            retaliated_by=model.retaliated_by.copy(),
            coerced=np.bincount(
                [t.on for t in model.threats if t.status == "executed"], minlength=len(model.codes)
            ),
            agreements=list(model.agreements),
            truces=model.truces,
            commitments={
                ".".join(
                    (model.config.codes[j], model.config.codes[i], model.config.sectors[s])
                ): bought
                for t in model.tables
                if t.commitments is not None
                for (j, i, s), bought in t.commitments.purchases.items()
            },
            compliance={
                t.name: float(np.mean(t.commitments.delivered)) if t.commitments.delivered else 1.0
                for t in model.tables
                if t.commitments is not None
            },
            snapbacks=_snapbacks(model),
            reforms={d.name: float(d.met) for d in getattr(model, "demands", [])},
            types={
                f"{a.code}.{name}": float(getattr(a, name))
                for a in model.country_agents
                for name in ("resolve", "margin")
            },
            beliefs={
                f"{a.code}.{model.codes[other]}.{name}": belief.mean
                for a in model.country_agents
                for other, types in a.beliefs.about.items()
                for name, belief in types.items()
            },
        )

    @property
    def schema(self) -> RecordSchema:
        """The record schema of this run (its scenario and tables)."""
        return RecordSchema.from_scenario(self.scenario, self.tables)

    def to_record(self) -> dict[str, Any]:
        """The flat, JSON-safe record; its keys come from :class:`RecordSchema`."""
        schema = self.schema
        record: dict[str, Any] = {
            "scenario": self.scenario.name,
            "protocol": self.protocol,
            "seed": self.seed,
            "status": "ok",
            "rounds": self.rounds,
            "agreement": int(all(t["status"] == "agreed" for t in self.tables.values())),
        }
        status = {name: table["status"] for name, table in self.tables.items()}
        for name in schema.tables:
            record[schema.table("agreement", name)] = int(status[name] == "agreed")
        for name in schema.tables:
            agreed_round = self.tables[name]["agreement_round"]
            record[schema.table("agreement_round", name)] = (
                math.nan if agreed_round is None else agreed_round
            )
        for name in schema.tables:
            record[schema.table("breakdown", name)] = int(status[name] == "broken")
        for j, i, s, key in schema.tariff_cells():
            record[key] = float(self.tariffs[j, i, s])
        for component in COMPONENTS:
            for k, code in enumerate(schema.countries):
                record[schema.payoff(component, code)] = float(self.payoffs[component][k])
        codes = schema.countries
        for a, b in schema.ordered_pairs():
            balance = self.exports[a, b] - self.exports[b, a]
            record[schema.pair("balance", codes[a], codes[b])] = float(balance)
            record[schema.pair("exports", codes[a], codes[b])] = float(self.exports[a, b])
        for a, b, key in schema.alliance_pairs():
            record[key] = float(self.health[a, b])
        record["threats_executed"] = int(self.threats_executed)
        record["retaliations"] = int(self.retaliations)
        for k, code in enumerate(codes):
            record[schema.country("retaliations", code)] = int(self.retaliated_by[k])
            record[schema.country("coerced", code)] = int(self.coerced[k])
        rounds = {a["table"]: a["rounds_of_talks"] for a in self.agreements}
        for name in schema.tables:
            record[schema.table("rounds_to_agreement", name)] = rounds.get(name, math.nan)
        record["truces"] = int(self.truces)
        for key in schema.commitments:
            record[schema.commitment(key)] = self.commitments.get(key, 0.0)
        for name in schema.tables:
            record[schema.table("compliance", name)] = self.compliance.get(name, math.nan)
        for name in schema.tables:
            record[schema.table("snapback", name)] = self.snapbacks.get(name, 0)
        for name in schema.demands:
            record[schema.reform(name)] = self.reforms.get(name, 0.0)
        for code, name, key in schema.type_cells():
            record[key] = self.types[f"{code}.{name}"]
        for observer, about, name, key in schema.belief_cells():
            record[key] = self.beliefs.get(f"{observer}.{about}.{name}", math.nan)
        gaps = [a["nash_gap"] for a in self.agreements]
        record["nash_gap"] = float(np.mean(gaps)) if gaps else math.nan
        return record


def summary(outcome: Outcome, top: int = 8) -> str:
    """A readable account of a run: tables, coercion, tariff changes, payoffs."""
    scenario = outcome.scenario
    codes, all_codes, sectors = scenario.countries, scenario.codes, scenario.sectors
    lines = [
        f"{scenario.name}, {outcome.protocol} protocol, seed {outcome.seed}: "
        f"{outcome.rounds} rounds played"
    ]
    lines.append("Tables:")
    for name, table in outcome.tables.items():
        if table["status"] == "agreed":
            text = f"agreed in round {table['agreement_round']}"
        elif table["status"] == "broken":
            text = "broke down (walk-out)"
        else:
            text = "no agreement by the horizon"
        lines.append(f"  {name:8s} {text}")
    by_country = ", ".join(
        f"{c} {int(k)}" for c, k in zip(codes, outcome.retaliated_by, strict=True) if k
    )
    lines.append(
        f"Threats executed: {outcome.threats_executed}; retaliations: {outcome.retaliations}"
        + (f" ({by_country})" if by_country else "")
    )
    from negsim.economy import World

    world = World.from_scenario(scenario)
    change = outcome.tariffs - world.base_tariffs
    weight = np.abs(change) * (world.base_imports + 1e-9)
    order = np.argsort(weight, axis=None)[::-1]
    lines.append("Tariff changes that matter most (by trade affected):")
    shown = 0
    for flat in order:
        j, i, s = np.unravel_index(flat, change.shape)
        if abs(change[j, i, s]) < 1e-4 or shown >= top:
            break
        lines.append(
            f"  {all_codes[j]} on {all_codes[i]:3s} {sectors[s]:12s} "
            f"{world.base_tariffs[j, i, s]:6.1%} -> {outcome.tariffs[j, i, s]:6.1%}"
        )
        shown += 1
    if shown == 0:
        lines.append("  none")
    lines.append("Payoffs at the end, % of own GDP relative to the start:")
    lines.append(f"  {'':4s} {'utility':>9s} {'econ':>9s} {'security':>9s} {'politics':>9s}")
    for k, code in enumerate(codes):
        values = [outcome.payoffs[name][k] for name in ("utility", "econ", "security", "politics")]
        lines.append(f"  {code:4s} " + " ".join(f"{v:+9.3f}" for v in values))
    health = [
        f"{codes[a]}-{codes[b]} {outcome.health[a, b]:.2f}"
        for a in range(len(codes))
        for b in range(a + 1, len(codes))
    ]
    lines.append("Alliance health: " + ", ".join(health))
    return "\n".join(lines)


def _snapbacks(model: Any) -> dict[str, int]:
    """Per table, whether commitments (A3) or promised reform (A4) were snapped back."""
    demands = getattr(model, "demands", [])
    out = {}
    for t in model.tables:
        reform = any(demands[k].lapses > 0 for k in getattr(t, "demands", {}))
        if t.commitments is not None or reform:
            out[t.name] = int(reform or (t.commitments is not None and t.commitments.snapped))
    return out
