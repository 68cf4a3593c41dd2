"""Would governments that time their concessions around elections delay the deals? (B11).

"Much will wait until after their July elections" (the US president on Japan, 27 May
2019): the record's US-Japan deal came after Japan's upper-house election of July
2019 (round 10). With ``<C>.strategy.election_timing`` a country weighs signing a
deal now against signing the same deal after its next election, while talks freeze
the threats between the parties (model.md B11): a deal whose politics costs more as
the election nears (P7's heavier farm lobby) is worth that much less to sign now.
This script switches it on for every country and measures the deals on paired seeds
with the record's perturbations, at the calibrated weights and at the top of the
ranges of Japan's farm-lobby weight (θ = 0.5, range 0.02-0.5) and of its electoral
cycle (κ = 2, range 0.5-2), where the hand reckoning of findings.md says the farm
cut could cost Japan more at the election than it gains. Nothing is estimated here.
Run: ``python experiments/election_timing.py [--runs 200]``.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from attrition import summary
from search_effort import at_least
from strategic_record import draws

import negsim
from negsim.negotiation.model import NegotiationModel, release
from negsim.validation.statics import paired_effect

COUNTRIES = ("US", "JP", "CN")
JAPAN_ELECTION = 10  # round: the upper-house election of July 2019 (tag2018 [K])
SETTINGS = {  # name: overrides on the record's perturbation draw
    "calibrated": {},
    "farm lobby at the top of its ranges": {
        "JP.politics.lobby.agriculture": 0.5,
        "JP.politics.lobby_peak": 2.0,
    },
}


def run(seed: int, extra: dict, timing: bool) -> dict[str, float]:
    """One run's US-Japan deal round and Japan's farm tariff on US goods, and the US-China deal."""
    overrides = {f"{c}.strategy.election_timing": timing for c in COUNTRIES}
    scenario = negsim.load_scenario("tag2018", {**draws(seed), **extra, **overrides})
    model = NegotiationModel(scenario, "bilateral", rng=seed, collect="none")
    record = model.run().to_record()
    accepted = [o["round"] for o in model.offers if o["table"] == "US-CN" and o["accepted"]]
    release(model)
    us_jp = record.get("agreement_round.US-JP")
    return {
        "us_jp_round": np.nan if us_jp is None else float(us_jp),
        "farm": 100.0 * record["tariff.JP.US.agriculture"],
        "us_cn_first": float(min(accepted)) if accepted else np.nan,
    }


def effect_text(low: np.ndarray, high: np.ndarray) -> str:
    """The paired effect of switching timing on, with its 95% interval, as text."""
    effect = paired_effect(pd.Series(low), pd.Series(high))
    return f"{effect['effect']:+.2f} [{effect['low']:+.2f}, {effect['high']:+.2f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=at_least(2), default=200, help="paired seeds")
    args = parser.parse_args()
    seeds = range(args.runs)
    print(f"tag2018 bilateral, {args.runs} paired seeds with the escalation.toml perturbations")
    for name, extra in SETTINGS.items():
        arms = {}
        for timing in (False, True):
            rows = [run(seed, extra, timing) for seed in seeds]
            arms[timing] = {key: np.array([r[key] for r in rows]) for key in rows[0]}
        for timing, column in arms.items():
            after = column["us_jp_round"] > JAPAN_ELECTION
            print(
                f"{name}, election timing {'on' if timing else 'off'}: US-Japan deal "
                f"{summary(column['us_jp_round'])}, after Japan's election in "
                f"{np.mean(after):.0%} of runs; Japan's farm tariff on US goods mean "
                f"{np.nanmean(column['farm']):.2f}%; first US-China deal "
                f"{summary(column['us_cn_first'])}"
            )
        off, on = arms[False], arms[True]
        print(
            f"{name}, on - off (paired): US-Japan deal round "
            f"{effect_text(off['us_jp_round'], on['us_jp_round'])}; farm tariff "
            f"{effect_text(off['farm'], on['farm'])} pp; first US-China deal round "
            f"{effect_text(off['us_cn_first'], on['us_cn_first'])}"
        )


if __name__ == "__main__":
    main()
