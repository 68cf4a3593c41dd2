"""Benchmark: one tag2018 run (full horizon) per protocol, on one core.

Prints one JSON line per protocol with the median, 10th and 90th percentile run
time over ``--seeds`` seeds. Targets: a few milliseconds (issue 3); at most 2 ms
bilateral and 3 ms multilateral (issue 7).
Run: ``python benchmarks/run.py [--seeds 200]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import emit

from negsim.config import load_scenario
from negsim.model import simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=200)
    args = parser.parse_args()
    scenario = load_scenario("tag2018")
    for protocol in ("bilateral", "multilateral"):
        simulate(scenario, protocol, 0)  # warm-up
        times, rounds = [], []
        for seed in range(args.seeds):
            start = time.perf_counter()
            outcome = simulate(scenario, protocol, seed)
            times.append((time.perf_counter() - start) * 1e3)
            rounds.append(outcome.rounds)
        emit(
            "tag2018_run",
            protocol=protocol,
            seeds=args.seeds,
            median_ms=round(float(np.median(times)), 3),
            p10_ms=round(float(np.percentile(times, 10)), 3),
            p90_ms=round(float(np.percentile(times, 90)), 3),
            mean_rounds=round(float(np.mean(rounds)), 2),
            median_ms_per_round=round(float(np.median(np.array(times) / np.array(rounds))), 3),
        )


if __name__ == "__main__":
    main()
