"""Does a US demand beyond goods delay the US-Japan deal? (a hypothesis test, not a scenario).

The model's US-Japan deal comes in round 5 where the record's came in round 13
(docs/findings.md, "The US-Japan deal comes in round 5, not 9-16"). One candidate for
the missing delay: USTR's negotiating objectives for Japan (21 December 2018) reached
beyond goods (services, investment, digital trade, currency), Japan held to a
goods-only "Trade Agreement on Goods", and the formal talks waited for April 2019; the
deal of October 2019 came with a separate digital-trade agreement and nothing on
services or currency. This script puts that scope on the US-Japan table as a demand
(model.md N10-N11: a share ``x`` of the US's non-goods objectives met, worth ``value·x``
to the US, costing Japan ``c·x^curvature`` with ``c`` its private type, which the US
learns by Bayes' rule from answers, B5) and measures, on the same seeds and the same
perturbation draws as ``strategic_record.py`` (those of ``escalation.toml``), how the
deal's round, Japan's farm tariff and the share met move against tag2018 without it.

The demand is not in the committed scenario: its values are estimates [E] with no
source that pins them, set before any run (the same values a copy of tag2018 was
first tried with, findings.md) and not changed after: ``value`` 0.1% of US GDP a year,
Japan's cost 0.05, 0.1, 0.2 or 0.4% of its GDP equally likely, ``curvature`` 1 (each
share costs in proportion) or 2 (the first shares cheap: the schema's range is 1-5);
the knife-edge arms take value and costs ×0.5 and ×2. Run:
``python experiments/scope_dispute.py [--runs 200]``.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from search_effort import at_least
from strategic_record import draws, interval

import negsim
from negsim.negotiation.model import NegotiationModel, release

#: The demand as a scenario table would hold it ([E], see the module docstring).
SCOPE = {
    "by": "US",
    "on": "JP",
    "value": 0.1,
    "cost": {"values": [0.05, 0.1, 0.2, 0.4], "weights": [0.25, 0.25, 0.25, 0.25]},
    "curvature": 1.0,
}
COSTS = np.array(SCOPE["cost"]["values"])

#: Arm name -> the demand's fields changed from SCOPE (None: no demand, tag2018 itself).
ARMS: dict[str, dict | None] = {
    "no scope (tag2018)": None,
    "scope, curvature 2": {"curvature": 2.0},
    "scope, curvature 1": {},
    "curvature 1, value x0.5": {"value": 0.05},
    "curvature 1, value x2": {"value": 0.2},
    "curvature 1, costs x0.5": {"cost": {**SCOPE["cost"], "values": list(COSTS * 0.5)}},
    "curvature 1, costs x2": {"cost": {**SCOPE["cost"], "values": list(COSTS * 2)}},
}


def scenario(seed: int, changes: dict | None) -> negsim.Scenario:
    """tag2018 with the seed's perturbations and, unless ``changes`` is None, the scope."""
    data, label = negsim.scenarios.read_toml("tag2018")
    if changes is not None:
        data.setdefault("demands", {})["us_japan_scope"] = {**SCOPE, **changes}
    return negsim.scenarios.scenario_from_dict(data, overrides=draws(seed), label=label)


def run(seed: int, changes: dict | None) -> dict:
    """The US-Japan figures of one bilateral run."""
    model = NegotiationModel(scenario(seed, changes), "bilateral", rng=seed, collect="none")
    record = model.run().to_record()
    release(model)
    agreed = record["agreement.US-JP"] == 1
    return {
        "seed": seed,
        "deal_round": record["agreement_round.US-JP"] if agreed else np.nan,
        "deal_by_16": float(agreed and record["agreement_round.US-JP"] <= 16),
        "jp_farm_tariff": record["tariff.JP.US.agriculture"],
        "share_met": record.get("reform.us_japan_scope", np.nan),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=at_least(2), default=200, help="paired seeds per arm")
    args = parser.parse_args()
    frames = {
        arm: pd.DataFrame([run(seed, changes) for seed in range(args.runs)]).set_index("seed")
        for arm, changes in ARMS.items()
    }
    base = frames["no scope (tag2018)"]
    print(f"tag2018 bilateral, {args.runs} paired seeds with the escalation.toml perturbations")
    print(
        "| arm | deals | median round (10-90%) | round, paired difference | by round 16 "
        "| Japan's farm tariff, paired difference (points) | share met |\n"
        "|---|---|---|---|---|---|---|"
    )
    for arm, frame in frames.items():
        rounds = frame["deal_round"]
        low, high = rounds.quantile([0.1, 0.9]).tolist()
        both = (rounds - base["deal_round"]).to_numpy()
        farm = ((frame["jp_farm_tariff"] - base["jp_farm_tariff"]) * 100).to_numpy()
        print(
            f"| {arm} | {int(rounds.notna().sum())} | {rounds.median():g} ({low:g}-{high:g}) "
            f"| {interval(both)} | {frame['deal_by_16'].mean():.0%} | {interval(farm)} "
            f"| {_share(frame['share_met'].mean())} |"
        )


def _share(value: float) -> str:
    """The mean share met, or a dash where the arm has no scope demand."""
    return "–" if np.isnan(value) else f"{value:.2f}"


if __name__ == "__main__":
    main()
