"""Could the China talks' claim on USTR's time delay the US-Japan deal? (an estimate).

The model's US-Japan deal comes in round 5 where the record's came in round 13
(docs/findings.md, "The US-Japan deal comes in round 5, not 9-16"). One candidate for
the missing delay: the same US negotiators (USTR) ran the China talks, which took the
first months of 2019 (the 90-day truce of December 2018 to the breakdown of May 2019),
while the formal US-Japan talks opened only in April 2019. Before building an
attention limit into the agents, this script measures how much such a limit could
delay the deal in this model at all.

The counterfactual: the US attends one table a round and gives the China table
priority, so a round in which the US-China table is open (talks going on) is lost to
the US-Japan table; the US-Japan deal then needs as many of its own rounds as it used
without the limit. Holding each run's US-China timeline as it was (first order: the
delay could feed back on US-China), the deal moves to the round in which the US-Japan
table has had that many rounds free of China talks. A second line puts the record's
China talks in place of the model's: rounds 4-8, January to May 2019 (the eight US-China
rounds from 7-9 January to the breakdown of 9-10 May 2019, USTR [S34]). Same seeds and
perturbation draws as ``strategic_record.py`` (those of ``escalation.toml``); no value
is estimated.

With ``--ranges`` the script also asks whether the model's China talks could be as
long as the record's anywhere in the documented ranges of the Section 301 demand that
sets them (tag2018.toml, ``demands.us_section301``: its value to the US 0.25-1.5% of
GDP, China's private cost of reform each value ×0.5-×2, the curvature 1-3): for each
end of each range, on the same seeds, the round of the first US-China agreement, how
many of rounds 4-8 held China talks and the US-Japan deal with the model's China talks
lost to it.
Run: ``python experiments/us_attention.py [--runs 200] [--ranges]``.
"""

from __future__ import annotations

import argparse
import math

import numpy as np
from search_effort import at_least
from strategic_record import draws

import negsim
from negsim.negotiation.model import NegotiationModel, release

#: Rounds of the record's US-China talks before the May 2019 breakdown [S34].
RECORD_CHINA_ROUNDS = list(range(4, 9))

TAG2018 = negsim.load_scenario("tag2018")

#: The round of the G20 summit in Buenos Aires (1 December 2018).
G20_ROUND = TAG2018.summits["g20_buenos_aires"].round

#: China's cost-of-reform types (% of China's GDP), scaled in ``RANGES``.
COSTS = list(TAG2018.demands["us_section301"].cost.values)

#: The ends of the Section 301 demand's documented ranges (tag2018.toml), one at a time.
RANGES = {
    "the file (value 0.25, costs as listed, curvature 2)": {},
    "value 1.5 (the range's top)": {"demands.us_section301.value": 1.5},
    "costs x0.5": {"demands.us_section301.cost.values": [c * 0.5 for c in COSTS]},
    "costs x2": {"demands.us_section301.cost.values": [c * 2 for c in COSTS]},
    "curvature 1": {"demands.us_section301.curvature": 1.0},
    "curvature 3": {"demands.us_section301.curvature": 3.0},
}


def timelines(seed: int, extra: dict | None = None) -> tuple[list[int], list[int], int | None]:
    """Rounds with an offer at the US-Japan and at the US-China table, and the deal's round.

    A table open for talks takes one offer a round (``NegotiationModel.step``), so the
    rounds of its offers are the rounds in which its talks took the negotiators' time.
    ``extra`` overrides the scenario on top of the seed's perturbations.
    """
    return _run(seed, extra or {})[:3]


def _run(seed: int, extra: dict) -> tuple[list[int], list[int], int | None, float, bool]:
    scenario = negsim.load_scenario("tag2018", {**draws(seed), **extra})
    model = NegotiationModel(scenario, "bilateral", rng=seed, collect="none")
    g20_truce = False
    while model.running:  # NegotiationModel.run, with a look at the G20 summit's round
        model.step()
        if model.round == G20_ROUND:
            g20_truce = model.truces > 0
    japan = next(t for t in model.tables if t.name == "US-JP")
    rounds = {
        name: sorted({offer["round"] for offer in model.offers if offer["table"] == name})
        for name in ("US-JP", "US-CN")
    }
    accepted = [o["round"] for o in model.offers if o["table"] == "US-CN" and o["accepted"]]
    deal = japan.agreement_round
    release(model)
    first = float(min(accepted, default=math.nan))
    return rounds["US-JP"], rounds["US-CN"], deal, first, g20_truce


def delayed_deal(japan_rounds: list[int], china_rounds: list[int], horizon: int) -> float:
    """The deal's round when rounds of China talks are lost to Japan (NaN: none by the horizon)."""
    needed = len(japan_rounds)
    busy = set(china_rounds)
    free = 0
    for round_ in range(japan_rounds[0], horizon + 1):
        if round_ in busy:
            continue
        free += 1
        if free == needed:
            return float(round_)
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=at_least(2), default=200, help="seeds")
    parser.add_argument(
        "--ranges", action="store_true", help="also at the ends of the Section 301 ranges"
    )
    args = parser.parse_args()
    horizon = TAG2018.horizon
    before, model_china, record_china, overlap = [], [], [], []
    for seed in range(args.runs):
        japan_rounds, china_rounds, deal = timelines(seed)
        overlap.append(len(set(china_rounds) & set(RECORD_CHINA_ROUNDS)))
        if deal is None:
            continue
        before.append(float(deal))
        model_china.append(delayed_deal(japan_rounds, china_rounds, horizon))
        record_china.append(delayed_deal(japan_rounds, RECORD_CHINA_ROUNDS, horizon))
    base = np.array(before)
    print(f"tag2018 bilateral, {args.runs} seeds with the escalation.toml perturbations")
    print(f"US-Japan deals: {len(base)}; median round {np.median(base):g} ({spread(base)})")
    print(
        f"rounds 4-8 with US-China talks: mean {np.mean(overlap):.2f} of 5 "
        f"(the record: 5), none in {np.mean(np.array(overlap) == 0):.0%} of runs"
    )
    for label, rounds in (
        ("the model's China talks", model_china),
        ("the record's China talks (rounds 4-8)", record_china),
    ):
        after = np.array(rounds)
        delay = (after - base)[~np.isnan(after)]
        print(
            f"one table a round, China first, {label}: median round {np.nanmedian(after):g} "
            f"({spread(after)}), delay mean {delay.mean():.2f} rounds, "
            f"runs delayed {np.mean(delay > 0):.0%}, no deal by the horizon {np.isnan(after).sum()}"
        )
    if args.ranges:
        print("\nthe Section 301 demand at the ends of its ranges (same seeds):")
        for label, extra in RANGES.items():
            print(f"{label}: {range_line(args.runs, horizon, extra)}")


def _share(hits: np.ndarray) -> str:
    """The share of ``hits`` that are true, or a dash where there is none to count."""
    return f"{hits.mean():.0%}" if hits.size else "–"


def range_line(runs: int, horizon: int, extra: dict) -> str:
    """The China talks' length and the US-Japan deal with them lost to it, as text."""
    firsts, talks, attended, truces = [], [], [], []
    for seed in range(runs):
        japan_rounds, china_rounds, deal, first, truce = _run(seed, extra)
        firsts.append(first)
        truces.append(truce)
        talks.append(len(set(china_rounds) & set(RECORD_CHINA_ROUNDS)))
        if deal is not None:
            attended.append(delayed_deal(japan_rounds, china_rounds, horizon))
    first, after, truce = np.array(firsts), np.array(attended), np.array(truces)
    return (
        f"first US-China agreement median round {np.nanmedian(first):g} ({spread(first)}), "
        f"none in {np.mean(np.isnan(first)):.0%}; a G20 truce in {truce.mean():.0%} of runs, "
        f"the first agreement in its round in {_share(first[truce] == G20_ROUND)} "
        f"of those; rounds 4-8 with China talks "
        f"{np.mean(talks):.2f} of 5; US-Japan deal, China first, median round "
        f"{np.nanmedian(after):g} ({spread(after)})"
    )


def spread(rounds: np.ndarray) -> str:
    """The 10-90% range of deal rounds, as text."""
    low, high = np.nanpercentile(rounds, [10, 90], method="nearest")
    return f"10-90%: {low:g}-{high:g}"


if __name__ == "__main__":
    main()
