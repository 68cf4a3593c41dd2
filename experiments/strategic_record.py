"""tag2018 against the 2018-2020 record, and the comparative statics of issue 12.

``python experiments/strategic_record.py record --runs 500`` prints the record
figures (US-Japan deal round, car tariff, Japan's farm tariff, US-China escalation,
truces, end tariffs against the September 2018 start and the economy's full trade
war, who retaliates, commitments agreed and met, the share of the Section 301
demand met) over seeds with the perturbation set of ``escalation.toml``.
``... statics --runs 200`` prints paired differences (same seeds, same perturbation
draws) with 95% intervals for: Japan's reliance on the US 0 -> 1, China's resolve low ->
high, China's retaliation capacity and its cost of reform low -> high, the US value of
the demand, China's compliance with promised reform known low -> known high and known
full -> private (N14), purchase commitments off -> on (A6, N15), China's counter-
measures not mirrored -> mirrored (N16), the snap-back rule (threshold -> payoff,
A7), China's answers of 2018 unseen -> seen (B7) and
the depth of their stand-in, the US midterms moved from round 2 to round 20,
CPTPP on -> off, and for Japan's side: Japan's reliance 0.2 -> 0.95, its upper-house
election (round 10) off and moved to round 5, the electoral cycle of lobby weights (P7)
off -> on, the inside option (B6) off -> on, the US's signal to a reliant partner (N8)
off, and a 90-day notice before signing (3 rounds) against the statute's none for a
19 USC 4202(a) agreement. ``--only TEXT`` keeps the statics whose label holds TEXT.
The +-10% checks of every estimated value, the new ones included, are
``experiments/knife_edges.py``.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from search_effort import at_least

import negsim
from negsim.economy import World, trade_war
from negsim.negotiation.model import NegotiationModel, release
from negsim.sweeps import Experiment

#: The perturbations of ``escalation.toml`` (read from it: one definition), frozen scipy
#: distributions keyed by dotted path.
PERTURBATIONS = {
    path: dist.frozen()
    for path, dist in Experiment.from_file(
        Path(__file__).with_name("escalation.toml")
    ).perturbations.items()
}

STATICS = {
    "Japan's reliance on the US 0 -> 1": (
        {"JP.security.reliance.US": 0.0},
        {"JP.security.reliance.US": 1.0},
    ),
    "China's resolve low -> high": "resolve",
    "US midterms round 2 -> round 20": (
        {},
        {"US.politics.elections": [20, 26]},
    ),
    "CPTPP on -> off": ({}, {"events.cptpp.round": 999}),
    "China's retaliation capacity 0.5 -> 1.5": (
        {"CN.strategy.capacity": 0.5},
        {"CN.strategy.capacity": 1.5},
    ),
    "China's retaliation capacity 0 -> 1": (
        {"CN.strategy.capacity": 0.0},
        {"CN.strategy.capacity": 1.0},
    ),
    "China's cost of reform low -> high (known)": (
        {"demands.us_section301.cost.values": [0.37] * 4},
        {"demands.us_section301.cost.values": [3.0] * 4},
    ),
    "US value of the Section 301 demand 0.25 -> 1.5": (
        {"demands.us_section301.value": 0.25},
        {"demands.us_section301.value": 1.5},
    ),
    "Section 301 demand off -> on": ({"demands.us_section301.value": 0.0}, {}),
    "Section 301 tariffs not tied (nor mirrored, N16) -> tied and mirrored": (
        {"demands.us_section301.tied": False, "demands.us_section301.mirrored": False},
        {},
    ),
    "China's compliance known low 0.2 -> known high 0.8": (
        {"demands.us_section301.compliance.values": [0.2] * 3},
        {"demands.us_section301.compliance.values": [0.8] * 3},
    ),
    "China's compliance known full -> private (N14)": (
        {"demands.us_section301.compliance.values": [1.0] * 3},
        {},
    ),
    "Section 301 demand absent -> present": (
        {
            "demands.us_section301.value": 0.0,
            "demands.us_section301.cost.values": [0.0] * 4,
            "demands.us_section301.tied": False,
            "demands.us_section301.mirrored": False,
        },
        {},
    ),
    # US-China: purchase commitments (A6, N15) and China's counter-measures (N16)
    "purchase commitments off (most $0.001bn) -> $36.5bn (A6, N15)": (
        {"commitments.phase_one_farm.most": 0.001},
        {},
    ),
    "China's counter-measures not mirrored -> mirrored (N16)": (
        {"demands.us_section301.mirrored": False},
        {},
    ),
    # how the monitor decides to snap back (A7 against the threshold rule of A3-A4)
    "snap-back below a threshold (A3-A4) -> when it pays (A7)": (
        {"compliance.snap_back": "threshold"},
        {},
    ),
    # China's answers of 2018 seen before the start (B7)
    "China's 2018 answers seen (B7) none -> three": (
        {"history.cn_answered_2018.times": 0},
        {},
    ),
    "B7's stand-in for the 2018 lists: list 3 at depth 0.5 -> 1": (
        {},
        {"history.cn_answered_2018.depth": 1.0},
    ),
    # Japan's side (model.md P7, C2)
    "Japan's reliance on the US 0.2 -> 0.95": (
        {"JP.security.reliance.US": 0.2},
        {"JP.security.reliance.US": 0.95},
    ),
    "Japan's election round 10 -> none": ({}, {"JP.politics.elections": []}),
    "Japan's election round 10 -> round 5": ({}, {"JP.politics.elections": [5]}),
    "electoral cycle of lobby weights (P7) off -> on": (
        {f"{c}.politics.lobby_peak": 0.0 for c in ("US", "JP", "CN")},
        {},
    ),
    "inside option (B6) off -> on": ({"protocol.inside_option": False}, {}),
    "US signal to a reliant partner (N8) 0.05 -> 0 (with B6)": (
        {},
        {"US.strategy.signal": 0.0},
    ),
    "notice before signing 3 rounds -> 0 (19 USC 4202(a))": (
        {"notices.us_tpa.rounds": 3},
        {},
    ),
}

COLUMNS = (
    "deal_round",
    "jp_farm_tariff",
    "jp_tariff_on_us",
    "escalation",
    "us_cn_tariff",
    "cn_us_tariff",
    "truce",
    "cn_retaliates",
    "us_cn_deal_round",
    "reform",
    "snapback",
    "both_above_start",
    "car_tariff_25",
    "commitment_agreed",
    "compliance",
    "cn_us_paper",
    "both_above_start_paper",
)


def resolve_arms(scenario: negsim.Scenario) -> tuple[dict, dict]:
    """China's resolve, low and high, in whichever form the scenario holds it."""
    strategy = scenario.nations["CN"].strategy
    if hasattr(strategy, "resolve"):  # known to be irresolute -> known to be resolute
        n = len(strategy.resolve.values)
        return {"CN.strategy.resolve.values": [0.0] * n}, {"CN.strategy.resolve.values": [0.2] * n}
    return {"CN.strategy.retaliation": 0.0}, {"CN.strategy.retaliation": 0.95}


def draws(seed: int) -> dict[str, float]:
    """The perturbation draw of one seed (its own generator, not the model's)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7,)))
    return {path: float(dist.rvs(random_state=rng)) for path, dist in PERTURBATIONS.items()}


def run(seed: int, extra: dict) -> dict:
    """One run's record with the seed's perturbations and ``extra`` overrides."""
    scenario = negsim.load_scenario("tag2018", {**draws(seed), **extra})
    model = NegotiationModel(scenario, "bilateral", rng=seed, collect="none")
    record = model.run().to_record()
    papers = paper_tariffs(model)
    release(model)
    out = measures(record, scenario)
    # on paper (as Bown's averages, exclusions for committed purchases not counted, A6)
    paper = {**record, **papers}
    world = World.from_scenario(scenario)
    out["cn_us_paper"] = weighted_tariff(paper, world, scenario, "CN", "US")
    out["both_above_start_paper"] = float(
        out["us_cn_tariff"] > weighted_tariff({}, world, scenario, "US", "CN", True) + 1e-9
        and out["cn_us_paper"] > weighted_tariff({}, world, scenario, "CN", "US", True) + 1e-9
    )
    return out


def paper_tariffs(model: NegotiationModel) -> dict[str, float]:
    """``tariff.I.E.S`` at the paper tariff for each commitment still in force (A6)."""
    codes, sectors = model.codes, model.config.sectors
    out = {}
    for table in model.tables:
        held = table.commitments
        if held is not None and not held.snapped:
            for (j, i, s), paper in held.paper.items():
                out[f"tariff.{codes[j]}.{codes[i]}.{sectors[s]}"] = paper
    return out


def weighted_tariff(
    record: dict, world: World, scenario, importer: str, exporter: str, at_start=False
):
    """Trade-weighted tariff of ``importer`` on ``exporter`` (start-of-run import weights)."""
    codes = scenario.codes
    j, i = codes.index(importer), codes.index(exporter)
    weights = world.base_imports[j, i]
    if at_start:
        values = world.base_tariffs[j, i]
    else:
        values = np.array([record[f"tariff.{importer}.{exporter}.{s}"] for s in scenario.sectors])
    return float((weights * values).sum() / weights.sum())


def measures(record: dict, scenario) -> dict:
    """The figures compared with the record."""
    world = World.from_scenario(scenario)
    us_cn = weighted_tariff(record, world, scenario, "US", "CN")
    cn_us = weighted_tariff(record, world, scenario, "CN", "US")
    agreed = record["agreement.US-CN"] == 1
    return {
        "deal_round": record["agreement_round.US-JP"],
        "deal_by_16": float(
            record["agreement.US-JP"] == 1 and record["agreement_round.US-JP"] <= 16
        ),
        "car_tariff_25": float(record["tariff.US.JP.autos"] >= 0.25 - 1e-9),
        "jp_farm_tariff": record["tariff.JP.US.agriculture"],
        "jp_tariff_on_us": weighted_tariff(record, world, scenario, "JP", "US"),
        "escalation": float(record["coerced.CN"] > 0),
        "truce": float(record.get("truces", 0) > 0),
        "us_cn_tariff": us_cn,
        "cn_us_tariff": cn_us,
        "both_above_start": float(
            us_cn > weighted_tariff(record, world, scenario, "US", "CN", True) + 1e-9
            and cn_us > weighted_tariff(record, world, scenario, "CN", "US", True) + 1e-9
        ),
        "jp_retaliates": float(record["retaliations.JP"] > 0),
        "cn_retaliates": float(record["retaliations.CN"] > 0),
        "us_cn_deal": float(agreed),
        "us_cn_deal_round": record["agreement_round.US-CN"] if agreed else math.nan,
        "reform": record.get("reform.us_section301", math.nan),
        "commitment_agreed": float(record.get("commitment.CN.US.agriculture", 0.0) > 0),
        "compliance": record.get("compliance.US-CN", math.nan),
        "snapback": float(record.get("snapback.US-CN", 0)),
        "rounds_of_talks_us_jp": record.get("rounds_to_agreement.US-JP", math.nan),
    }


def interval(values: np.ndarray) -> str:
    """Mean and its 95% t interval."""
    values = values[~np.isnan(values)]
    if len(values) < 2:
        return "n/a"
    mean = values.mean()
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values))
    return f"{mean:+.4f} [{mean - half:+.4f}, {mean + half:+.4f}] (n={len(values)})"


def record_figures(runs: int) -> None:
    frame = pd.DataFrame([run(seed, {}) for seed in range(runs)])
    start = negsim.load_scenario("tag2018")
    world = World.from_scenario(start)
    print(f"tag2018, bilateral, {runs} seeds with the escalation.toml perturbations")
    print(
        f"  US-JP deal: share {frame['deal_round'].notna().mean():.3f}, median round "
        f"{frame['deal_round'].median()}, 10-90% {frame['deal_round'].quantile([0.1, 0.9]).tolist()}"  # noqa: E501
    )
    counts = frame["deal_round"].value_counts(dropna=False).sort_index()
    print("  US-JP deal round: " + ", ".join(f"{r:g}: {n}" for r, n in counts.items()))
    for column in frame.columns:
        if column != "deal_round":
            print(f"  {column:18s} mean {frame[column].mean():.4f}")
    us0 = weighted_tariff({}, world, start, "US", "CN", True)
    cn0 = weighted_tariff({}, world, start, "CN", "US", True)
    print(f"  start: US on CN {us0:.4f}, CN on US {cn0:.4f}")
    war = {"tariff": trade_war(world)}
    codes = start.codes
    us_war, cn_war = (
        _weighted(world, war["tariff"], codes.index(a), codes.index(b))
        for a, b in (("US", "CN"), ("CN", "US"))
    )
    print(f"  full trade war (E10): US on CN {us_war:.4f}, CN on US {cn_war:.4f}")
    for label, column, begin, full in (
        ("US on CN", "us_cn_tariff", us0, us_war),
        ("CN on US", "cn_us_tariff", cn0, cn_war),
        ("CN on US, paper (A6)", "cn_us_paper", cn0, cn_war),
    ):
        end = frame[column]
        print(
            f"  {label} end: median {end.median():.4f}, above start "
            f"{(end > begin + 1e-9).mean():.3f}, below half the war's {(end < full / 2).mean():.3f}"
        )
    deals = frame[frame["us_cn_deal"] == 1]
    print(
        f"  US-CN deal round: median {deals['us_cn_deal_round'].median()}, 10-90% "
        f"{deals['us_cn_deal_round'].quantile([0.1, 0.9]).tolist()}; Section 301 share met: "
        f"median {deals['reform'].median():.3f}, "
        f"10-90% {deals['reform'].quantile([0.1, 0.9]).round(3).tolist()}"
    )
    print(
        f"  commitments agreed in {deals['commitment_agreed'].mean():.3f} of US-CN deals; "
        f"share met where agreed {frame['compliance'].mean():.3f}"
    )


def _weighted(world: World, tariffs: np.ndarray, j: int, i: int) -> float:
    """Trade-weighted tariff of j on i in a tariff state (start-of-run import weights)."""
    weights = world.base_imports[j, i]
    return float((weights * tariffs[j, i]).sum() / weights.sum())


def statics(runs: int) -> None:
    base = negsim.load_scenario("tag2018")
    for label, arms in STATICS.items():
        low, high = resolve_arms(base) if arms == "resolve" else arms
        a = pd.DataFrame([run(seed, low) for seed in range(runs)])
        b = pd.DataFrame([run(seed, high) for seed in range(runs)])
        print(f"{label}: {low} -> {high}, {runs} paired seeds, difference (95% interval)")
        for column in COLUMNS:
            both = a[column].notna() & b[column].notna()  # the means of the pairs differenced
            print(
                f"  {column:16s} {a[column][both].mean():8.4f} -> {b[column][both].mean():8.4f}  "
                f"{interval((b[column] - a[column]).to_numpy(dtype=float))}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["record", "statics"])
    parser.add_argument("--runs", type=at_least(2), default=500)
    parser.add_argument("--only", default="", help="only the statics whose label holds this")
    args = parser.parse_args()
    if args.only and args.what == "record":
        parser.error("--only chooses statics: it has no meaning for 'record'")
    if args.only:
        for label in [k for k in STATICS if args.only not in k]:
            del STATICS[label]
        if not STATICS:
            parser.error(f"--only {args.only}: no static's label holds it")
    {"record": record_figures, "statics": statics}[args.what](args.runs)


if __name__ == "__main__":
    main()
