"""Search effort: do the headlines of tag2018 depend on how hard the agents search for offers?

Every offer is the best of ``strategy.candidates`` packages, half sampled around the
last offers with spread ``strategy.step`` and half along the trade-offs they reveal
(model.md N2, N17, B3). None of this is a fact about the world: the number of
candidates is how hard a proposer looks, the search how well, and the spread is an
estimate ([E], no range in the file; the arms halve and double it). A result that
moves when the search works harder is a result about the search. Each arm sets every
country's candidates (or spread) and runs the same seeds ``0 .. runs-1`` as the file's
values (paired), tag2018, bilateral; the effect is the mean paired difference with a
95% bootstrap interval.

Run: ``python experiments/search_effort.py --runs 500 --workers 2`` (6 arms of 500
runs, 3,000 in all, about a minute here).
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

import negsim
from negsim.validation.metrics import add_derived, run_many
from negsim.validation.statics import paired_effect

METRICS = (  # (record or derived column, label, shown in points x100)
    ("deal16.US-JP", "US-Japan deal by round 16", True),
    ("agreement_round.US-JP", "US-Japan deal round", False),
    ("escalation.US-CN", "US-China escalation", True),
    ("above_start.US-CN", "both US-China tariffs above the start", True),
    ("retaliated.CN", "China retaliates", True),
    ("tariff.JP.US.agriculture", "Japan's farm tariff on US goods", True),
    ("tw.US.JP", "US tariff on Japan (trade-weighted)", True),
)


def arms(candidates: list[int], steps: list[float]) -> list[tuple[str, dict[str, object]]]:
    """The arms: the file's values, the sampled search, each number of candidates, each spread."""
    codes = negsim.load_scenario("tag2018").countries
    out: list[tuple[str, dict[str, object]]] = [("file's values (64, 0.05, directed)", {})]
    out += [("sampled search (N2 only)", {f"{c}.strategy.search": "sampled" for c in codes})]
    out += [(f"candidates {k}", {f"{c}.strategy.candidates": k for c in codes}) for k in candidates]
    out += [(f"step {s}", {f"{c}.strategy.step": s for c in codes}) for s in steps]
    return out


def checked(chosen: list[tuple[str, dict[str, object]]]) -> str:
    """Why an arm's values are not allowed (the scenario's one-line error), or empty."""
    for _, overrides in chosen:
        try:
            negsim.load_scenario("tag2018", overrides)
        except negsim.ScenarioError as exc:
            return str(exc)
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=at_least(2), default=500, help="seeds per arm (paired)")
    parser.add_argument("--workers", type=at_least(0), default=1, help="processes")
    parser.add_argument("--candidates", type=int, nargs="*", default=[256, 1024])
    parser.add_argument("--steps", type=float, nargs="*", default=[0.025, 0.1])
    args = parser.parse_args()
    began = time.perf_counter()
    scenario = negsim.load_scenario("tag2018")
    chosen = arms(args.candidates, args.steps)
    if problem := checked(chosen):
        parser.error(problem)  # one line, exit status 2
    frames = run_many([("tag2018", o, "bilateral") for _, o in chosen], args.runs, args.workers)
    base = add_derived(frames[0], scenario)
    print(f"tag2018, bilateral, {args.runs} paired seeds per arm; effect vs the file's values\n")
    print("| arm | " + " | ".join(label for _, label, _ in METRICS) + " |")
    print("|---" * (len(METRICS) + 1) + "|")
    print(f"| {chosen[0][0]} | " + " | ".join(_level(base[m], p) for m, _, p in METRICS) + " |")
    for (name, _), frame in zip(chosen[1:], frames[1:], strict=True):
        arm = add_derived(frame, scenario)
        cells = [_effect(base[m], arm[m], p) for m, _, p in METRICS]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(f"\n({len(chosen) * args.runs} runs, {time.perf_counter() - began:.0f} s)")


def at_least(low: int):
    """An argparse type: an integer of at least ``low`` (scope_dispute.py uses it too)."""

    def parse(text: str) -> int:
        value = int(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"{value}: must be at least {low}")
        return value

    return parse


def _level(values: pd.Series, points: bool) -> str:
    mean = float(values.mean())
    return f"{100 * mean:.1f}%" if points else f"{mean:.2f}"


def _effect(low: pd.Series, high: pd.Series, points: bool) -> str:
    e = paired_effect(low, high)
    scale, unit = (100.0, " pp") if points else (1.0, "")
    return f"{scale * e['effect']:+.2f}{unit} [{scale * e['low']:+.2f}, {scale * e['high']:+.2f}]"


if __name__ == "__main__":
    main()
