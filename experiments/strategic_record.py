"""tag2018 against the 2018-2020 record, and the comparative statics of issue 12.

``python experiments/strategic_record.py record --runs 500`` prints the record
figures (US-Japan deal round, car tariff, Japan's farm tariff, US-China escalation,
truces, end tariffs against the September 2018 start, who retaliates) over seeds
with the perturbation set of ``escalation.toml``. ``... statics --runs 200`` prints
paired differences (same seeds, same perturbation draws) with 95% intervals for:
Japan's reliance on the US 0 -> 1, China's resolve low -> high, the US midterms
moved from round 2 to round 20, CPTPP on -> off, and for Japan's side: Japan's
reliance 0.2 -> 0.95, its upper-house election (round 10) off and moved to round 5,
the electoral cycle of lobby weights (P7) off -> on, and a 90-day notice before
signing (3 rounds) against the statute's none for a 19 USC 4202(a) agreement.
"""

from __future__ import annotations

import argparse
import math

import numpy as np
import pandas as pd
from scipy import stats

import negsim
from negsim.economy import World

PERTURBATIONS = {  # escalation.toml's set, as frozen scipy distributions
    "JP.security.reliance.US": stats.uniform(0.6, 0.35),
    "economy.elasticity": stats.uniform(2.5, 3.5),
    "US.politics.salience_peak": stats.truncnorm(
        (0.05 - 0.25) / 0.1, (0.6 - 0.25) / 0.1, 0.25, 0.1
    ),
    "US.strategy.concession": stats.loguniform(0.3, 0.8),
    "CN.strategy.concession": stats.loguniform(0.4, 0.9),
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
    "notice before signing 3 rounds -> 0 (19 USC 4202(a))": (
        {"notices.us_tpa.rounds": 3},
        {},
    ),
}


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
    record = negsim.simulate(scenario, "bilateral", seed).to_record()
    return measures(record, scenario)


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
    return {
        "deal_round": record["agreement_round.US-JP"],
        "deal_by_16": float(
            record["agreement.US-JP"] == 1 and record["agreement_round.US-JP"] <= 16
        ),
        "car_tariff_25": float(record["tariff.US.JP.autos"] >= 0.25 - 1e-9),
        "jp_farm_tariff": record["tariff.JP.US.agriculture"],
        "jp_tariff_on_us": weighted_tariff(record, world, scenario, "JP", "US"),
        "escalation": float(record.get("escalations.US-CN", record["coerced.CN"]) > 0),
        "truce": float(record.get("truces", 0) > 0),
        "us_cn_tariff": us_cn,
        "cn_us_tariff": cn_us,
        "both_above_start": float(
            us_cn > weighted_tariff(record, world, scenario, "US", "CN", True) + 1e-9
            and cn_us > weighted_tariff(record, world, scenario, "CN", "US", True) + 1e-9
        ),
        "jp_retaliates": float(record["retaliations.JP"] > 0),
        "cn_retaliates": float(record["retaliations.CN"] > 0),
        "us_cn_deal": float(record["agreement.US-CN"] == 1),
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
    print(
        f"  start: US on CN {weighted_tariff({}, world, start, 'US', 'CN', True):.4f}, "
        f"CN on US {weighted_tariff({}, world, start, 'CN', 'US', True):.4f}"
    )


def statics(runs: int, only: str = "") -> None:
    base = negsim.load_scenario("tag2018")
    for label, arms in STATICS.items():
        if only not in label:
            continue
        low, high = resolve_arms(base) if arms == "resolve" else arms
        a = pd.DataFrame([run(seed, low) for seed in range(runs)])
        b = pd.DataFrame([run(seed, high) for seed in range(runs)])
        print(f"{label}: {low} -> {high}, {runs} paired seeds, difference (95% interval)")
        for column in (
            "deal_round",
            "jp_farm_tariff",
            "jp_tariff_on_us",
            "escalation",
            "us_cn_tariff",
            "truce",
            "cn_retaliates",
            "car_tariff_25",
        ):
            print(
                f"  {column:16s} {a[column].mean():8.4f} -> {b[column].mean():8.4f}  "
                f"{interval((b[column] - a[column]).to_numpy(dtype=float))}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["record", "statics"])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--only", default="", help="statics whose label contains this")
    args = parser.parse_args()
    record_figures(args.runs) if args.what == "record" else statics(args.runs, args.only)


if __name__ == "__main__":
    main()
