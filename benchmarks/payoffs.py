"""Benchmark: evaluating the payoffs of 64 candidate tariff states (tag2018).

Prints one JSON line: the full evaluation (all markets) from link tariffs and from
full tensors, and a table's restricted evaluation (``TableEvaluator``: the US-Japan
table's 64 offers, only the markets they touch). Target (issue 2): well under 100
microseconds per call. Also part of the suite, ``python benchmarks/run.py``.
Run: ``python benchmarks/payoffs.py``.
"""

# ruff: noqa: I001  (_common first: it pins BLAS to one thread before numpy loads)
from __future__ import annotations

import statistics
import time

from _common import emit

import numpy as np

from negsim.scenarios import load_scenario
from negsim.payoffs import PayoffModel, TableEvaluator
from negsim.negotiation.protocols import bilateral_table


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


def figures(number: int = 2000) -> dict:
    """The payoff-evaluation figures, as a dict."""
    scenario = load_scenario("tag2018")
    model = PayoffModel.from_scenario(scenario)
    world = model.world
    rng = np.random.default_rng(0)
    tariffs = world.base_tariffs + rng.uniform(0, 0.2, size=(64, *world.base_tariffs.shape))
    links = world.link_tariffs(tariffs)
    health = np.ones((3, 3))
    table = bilateral_table(0, 1, scenario.codes, len(scenario.sectors))
    evaluator = TableEvaluator(
        model, table.importer, table.exporter, table.sector, table.issue_of_target
    )
    offers = rng.uniform(0.0, 0.3, size=(64, table.n_issues))
    offer_links = evaluator.with_states(offers)
    current = world.base_tariffs
    return {
        "candidates": 64,
        "links": int(links.shape[1]),
        "microseconds_link_tariffs": round(
            time_calls(
                lambda: model.evaluate(links, health=health, round_=1, links=True), number=number
            ),
            2,
        ),
        "microseconds_full_tensors": round(
            time_calls(lambda: model.evaluate(tariffs, health=health, round_=1), number=number),
            2,
        ),
        "microseconds_table_evaluator": round(
            time_calls(
                lambda: evaluator.evaluate(offer_links, current, health=health, round_=1),
                number=number,
            ),
            2,
        ),
        "table_links": len(evaluator.links_set),
        "table_markets": len(evaluator.markets),
        "target_microseconds": 100,
    }


def main() -> None:
    emit("payoffs_64_candidates", **figures())


if __name__ == "__main__":
    main()
