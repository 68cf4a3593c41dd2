"""Benchmark: evaluating the payoffs of 64 candidate tariff states (tag2018).

Prints one JSON line. Target (issue 2): well under 100 microseconds per call.
Run: ``python benchmarks/payoffs.py``.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from _common import emit

from negsim.config import load_scenario
from negsim.payoffs import PayoffModel


def time_calls(call, repeats: int = 7, number: int = 2000) -> float:
    """Median over ``repeats`` of the mean time of ``number`` calls, in microseconds."""
    for _ in range(200):
        call()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            call()
        samples.append((time.perf_counter() - start) / number * 1e6)
    return statistics.median(samples)


def main() -> None:
    scenario = load_scenario("tag2018")
    model = PayoffModel.from_scenario(scenario)
    world = model.world
    rng = np.random.default_rng(0)
    tariffs = world.base_tariffs + rng.uniform(0, 0.2, size=(64, *world.base_tariffs.shape))
    links = world.link_tariffs(tariffs)
    health = np.ones((3, 3))
    emit(
        "payoffs_64_candidates",
        candidates=64,
        links=int(links.shape[1]),
        microseconds_link_tariffs=round(
            time_calls(lambda: model.evaluate(links, health=health, round_=1, links=True)), 2
        ),
        microseconds_full_tensors=round(
            time_calls(lambda: model.evaluate(tariffs, health=health, round_=1)), 2
        ),
        target_microseconds=100,
    )


if __name__ == "__main__":
    main()
