"""Would committed types and a war of attrition delay the deals? (model.md B8-B10).

Theory's account of months of delay is reputational bargaining (Abreu & Gul 2000):
each side may be committed to its demand, the rational types imitate it, and each
concedes at the rate that keeps the other indifferent, λ_i = r_j·s_j(x_i)/(s_j(x_j) −
s_j(x_i)), so the war lasts long only where the postures overclaim: where each side's
posture gives the other little of what the other's own posture gives it. This script
gives every country the same prior z of being committed (``<C>.strategy.commitment``;
tag2018 has 0) and measures the deals' rounds on paired seeds, with each war's
postures taken as the parties' first offers (B8). It prints, for the US-Japan war,
each party's concession rate at the war's first decision (finite ones; infinite
where the other's posture leaves the other nothing, or as much as its own, so the
side concedes at once). Same seeds and perturbation draws as ``strategic_record.py``;
z is not estimated (the delay does not depend on it, B8).
Run: ``python experiments/attrition.py [--runs 200]``.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from search_effort import at_least
from strategic_record import draws

import negsim
from negsim.negotiation.model import NegotiationModel, release
from negsim.validation.statics import paired_effect

PRIORS = (0.0, 0.05, 0.1, 0.2)
COUNTRIES = ("US", "JP", "CN")


def run(seed: int, z: float) -> dict[str, float]:
    """One run's deal rounds and what its US-Japan war looked like."""
    overrides = {f"{c}.strategy.commitment": z for c in COUNTRIES}
    scenario = negsim.load_scenario("tag2018", {**draws(seed), **overrides})
    model = NegotiationModel(scenario, "bilateral", rng=seed, collect="none")
    model.run()
    japan = next(t for t in model.tables if t.name == "US-JP")
    out = {
        "us_jp_round": _round(japan.agreement_round),
        "us_cn_first": _first_deal(model, "US-CN"),
        "war_us_jp": 0.0,
        "rate_jp": np.nan,
        "rate_us": np.nan,
    }
    war = next((w for (name, _), w in model.wars.items() if name == "US-JP"), None)
    if war is not None and war.ready():
        out["war_us_jp"] = 1.0
        out["rate_us"] = war.rate.get(0, np.nan)
        out["rate_jp"] = war.rate.get(1, np.nan)
    release(model)
    return out


def _round(value: int | None) -> float:
    return np.nan if value is None else float(value)


def _first_deal(model: NegotiationModel, table: str) -> float:
    accepted = [o["round"] for o in model.offers if o["table"] == table and o["accepted"]]
    return float(min(accepted)) if accepted else np.nan


def summary(values: np.ndarray) -> str:
    """Median and 10-90% range of the finite values, as text."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return "none"
    low, mid, high = np.percentile(finite, [10, 50, 90], method="nearest")
    return f"median {mid:g} (10-90%: {low:g}-{high:g}), {finite.size} runs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=at_least(2), default=200, help="paired seeds")
    args = parser.parse_args()
    seeds = range(args.runs)
    arms = {z: [run(seed, z) for seed in seeds] for z in PRIORS}
    print(f"tag2018 bilateral, {args.runs} paired seeds with the escalation.toml perturbations")
    base = arms[0.0]
    for z, rows in arms.items():
        column = {key: np.array([r[key] for r in rows]) for key in rows[0]}
        line = (
            f"z = {z:g}: US-Japan deal {summary(column['us_jp_round'])}; "
            f"first US-China deal {summary(column['us_cn_first'])}"
        )
        if z > 0:
            for key, label in (("us_jp_round", "US-Japan"), ("us_cn_first", "first US-China")):
                low = np.array([r[key] for r in base])
                effect = paired_effect(pd.Series(low), pd.Series(column[key]))
                line += (
                    f"; {label} deal round vs z = 0 {effect['effect']:+.2f} "
                    f"[{effect['low']:+.2f}, {effect['high']:+.2f}]"
                )
            line += f"; US-Japan war begun in {np.mean(column['war_us_jp']):.0%} of runs"
            for code in ("us", "jp"):
                rates = column[f"rate_{code}"]
                known = rates[~np.isnan(rates)]
                line += (
                    f"; {code.upper()}'s concession rate a month {summary(known)}, "
                    f"infinite in {np.mean(np.isinf(known)):.0%}"
                )
        print(line)


if __name__ == "__main__":
    main()
