"""Benchmark: evaluating the payoffs of 64 candidate tariff states (general equilibrium).

Prints one JSON line per scenario (tag2018, and world2018 when it exists): the full
evaluation of 64 tariff tensors (one batched equilibrium solve) and a table's
evaluation (``TableEvaluator``: the US-Japan table's 64 offers laid into the state in
force), each solved exactly (E6) and screened on the economy linearised at the state
in force (E11-E12, what a screened model does with candidates), and the cost of that
linearisation (once per state in force and table). Target (issue 11): well under 100
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


def time_calls(call, repeats: int = 7, number: int = 200) -> float:
    """Median over ``repeats`` of the mean time of ``number`` calls, in microseconds."""
    for _ in range(20):
        call()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            call()
        samples.append((time.perf_counter() - start) / number * 1e6)
    return statistics.median(samples)


def figures(name: str = "tag2018", number: int = 200) -> dict:
    """The payoff-evaluation figures of a scenario, as a dict."""
    scenario = load_scenario(name)
    model = PayoffModel.from_scenario(scenario)
    world = model.world
    rng = np.random.default_rng(0)
    tariffs = world.base_tariffs + rng.uniform(0, 0.2, size=(64, *world.base_tariffs.shape))
    n = len(scenario.countries)
    health = np.ones((n, n))
    table = bilateral_table(0, 1, scenario.codes, len(scenario.sectors))
    evaluator = TableEvaluator(
        model, table.importer, table.exporter, table.sector, table.issue_of_target
    )
    offers = rng.uniform(0.0, 0.3, size=(64, table.n_issues))
    offer_links = evaluator.with_states(offers)
    current = world.base_tariffs
    return {
        "scenario": name,
        "candidates": 64,
        "economies": n + 1,
        "sectors": len(scenario.sectors),
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
        "microseconds_table_screened": round(
            time_calls(
                lambda: evaluator.evaluate(offer_links, current, health=health, screened=64),
                number=number,
            ),
            2,
        ),
        "microseconds_linearisation": round(
            time_calls(lambda: _linearise(evaluator, current), number=max(10, number // 10)), 2
        ),
        "target_microseconds": 100,
    }


def _linearise(evaluator: TableEvaluator, current: np.ndarray) -> None:
    """Linearise the economy at ``current`` afresh (model.md E11), bypassing the cache."""
    evaluator._linears.clear()
    evaluator.linearisation(current)


def main() -> None:
    from negsim.scenarios import builtin_scenarios

    for name in ("tag2018", "world2018"):
        if name in builtin_scenarios():
            emit("payoffs_64_candidates", **figures(name))


if __name__ == "__main__":
    main()
