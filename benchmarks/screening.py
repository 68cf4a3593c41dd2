"""Exact against screened solves: how often the offer chosen changes, and the outcomes.

For each protocol and each seed of ``--seeds`` (paired: the same seeds both ways),
one tag2018 run with ``solve="exact"`` (every candidate solved to the tolerance of
model.md E6) and one with ``solve="screened"`` (the default: candidates ranked on
the economy linearised at the state in force, E11-E12, the offer made solved
exactly). In the screened run, each offer's candidates are also solved exactly and
the proposer's strategy is asked what it would choose from the exact payoffs with
the same random draws (the generator's state is restored, so the run is the one an
uninstrumented screened run plays): the share of offers where both choices agree. With
the directed search (N17, the default) the second half of the candidates is laid out
from the payoffs, so exact and screened payoffs can give candidates apart by a little;
packages within ``SAME`` in every issue count as agreeing.

Outcomes compared, paired by seed (screened − exact, mean and 95% interval,
normal approximation): the US-Japan deal round (seeds where both runs have the
deal; the multilateral table's round under ``multilateral``) and the share of runs
with that deal; the US-China escalation share (a threat executed on China or a
Chinese retaliation); the mean end tariff of the negotiating countries; and the
recorded Nash gap (a diagnostic whose screened form differs, model.md R1). Prints one
JSON object per protocol. Run: ``python benchmarks/screening.py [--seeds 200]``.
"""

# ruff: noqa: I001  (_common first: it pins BLAS to one thread before numpy loads)
from __future__ import annotations

import argparse
import math

from _common import emit

import numpy as np

from negsim.negotiation.agents import CountryAgent
from negsim.negotiation.model import NegotiationModel, release
from negsim.scenarios import load_scenario

Z95 = 1.959964
SAME = 1e-6  # largest difference in any issue of two packages counted as the same


class Agreement:
    """Counts offers whose screened choice equals the exact one (same random draws)."""

    def __init__(self) -> None:
        self.offers = 0
        self.same = 0
        self.gaps: list[float] = []

    @property
    def wrapped(self):
        """A function to stand in for ``CountryAgent.propose``."""
        return lambda agent, table: self.propose(agent, table)

    def propose(self, agent: CountryAgent, table) -> None:
        """As :meth:`CountryAgent.propose`, first asking what exact payoffs would choose.

        Both ways take the whole path of an offer: the sampled candidates (N2), then,
        under ``search = "directed"``, the candidates laid along the trade-offs their
        payoffs reveal (N17), which differ where the screened payoffs do. The chosen
        packages count as the same when no issue differs by more than :data:`SAME`.
        """
        model = agent.model
        before = model.rng.bit_generator.state
        picks = []
        for screened in (False, True):  # the same draws both ways
            model.rng.bit_generator.state = before
            offers, utilities, reserves, _ = agent.weigh_offers(table, screened)
            chosen, _ = agent.pick(table, offers, utilities, reserves)
            picks.append(offers[chosen])
        model.rng.bit_generator.state = before  # the run goes on as if not asked
        gap = float(np.max(np.abs(picks[0] - picks[1])))
        self.offers += 1
        self.same += int(gap <= SAME)
        self.gaps.append(gap)
        ORIGINAL_PROPOSE(agent, table)


ORIGINAL_PROPOSE = CountryAgent.propose


def outcome(record: dict, protocol: str) -> dict:
    """The compared outcomes of one run's record."""
    table = "US-JP" if protocol == "bilateral" else "all"
    deal_round = record.get(f"agreement_round.{table}", math.nan)
    deal_round = math.nan if deal_round is None else float(deal_round)
    china = record.get("coerced.CN", 0) or 0
    china += record.get("retaliations.CN", 0) or 0
    tariffs = [
        v
        for k, v in record.items()
        if k.startswith("tariff.") and k.split(".")[1] in ("US", "JP", "CN")
    ]
    return {
        "deal_round": deal_round,
        "deal": float(not math.isnan(deal_round)),
        "escalation_us_cn": float(china > 0),
        "mean_end_tariff": float(np.mean(tariffs)),
        "nash_gap": float(record.get("nash_gap", math.nan)),
    }


def interval(diffs: np.ndarray) -> dict:
    """Mean of paired differences and its 95% interval (normal approximation)."""
    diffs = diffs[~np.isnan(diffs)]
    n = len(diffs)
    mean = float(diffs.mean()) if n else math.nan
    half = Z95 * float(diffs.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan
    return {"n": n, "mean": round(mean, 5), "ci95": [round(mean - half, 5), round(mean + half, 5)]}


def compare(protocol: str, seeds: int) -> None:
    """Paired exact and screened runs of tag2018 under one protocol."""
    scenario = load_scenario("tag2018")
    counter = Agreement()
    rows: dict[str, list[dict]] = {"exact": [], "screened": []}
    for seed in range(seeds):
        model = NegotiationModel(scenario, protocol, rng=seed, collect="none", solve="exact")
        rows["exact"].append(outcome(model.run().to_record(), protocol))
        release(model)
        CountryAgent.propose = counter.wrapped  # type: ignore[method-assign]
        try:
            model = NegotiationModel(scenario, protocol, rng=seed, collect="none")
            rows["screened"].append(outcome(model.run().to_record(), protocol))
            release(model)
        finally:
            CountryAgent.propose = ORIGINAL_PROPOSE  # type: ignore[method-assign]
    figures = {}
    for name in ("deal_round", "deal", "escalation_us_cn", "mean_end_tariff", "nash_gap"):
        exact = np.array([r[name] for r in rows["exact"]])
        screened = np.array([r[name] for r in rows["screened"]])
        figures[name] = {
            "exact_mean": round(float(np.nanmean(exact)), 5),
            "screened_mean": round(float(np.nanmean(screened)), 5),
            "difference": interval(screened - exact),
        }
    emit(
        "screened_vs_exact",
        scenario="tag2018",
        protocol=protocol,
        seeds=seeds,
        offers=counter.offers,
        share_same_offer=round(counter.same / max(counter.offers, 1), 4),
        offer_gap_quantiles={  # largest issue difference of the two packages, 50/90/99%
            f"q{q}": float(np.quantile(counter.gaps, q / 100)) if counter.gaps else math.nan
            for q in (50, 90, 99)
        },
        **figures,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    args = parser.parse_args()
    for protocol in ("bilateral", "multilateral"):
        compare(protocol, args.seeds)


if __name__ == "__main__":
    main()
