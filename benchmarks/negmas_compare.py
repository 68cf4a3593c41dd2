"""Side by side, in one process: NegMAS 0.16 SAO against whole negsim tag2018 runs.

Headline (issue 11 item 6, issue 12 item 8): ``negmas_vs_tag2018``, the ratio
"NegMAS SAO negotiation time / negsim tag2018 run time" per protocol (target: at
least 10), both medians measured in this process, interleaved run by run so that
both see the same load. The tag2018 runs use the model's default solve
(``"screened"``, model.md E12); the same figures for ``solve="exact"`` follow.

NegMAS: ``SAOMechanism(issues, n_steps=50)``, three issues of 11 values each, two
time-based aspiration negotiators (``AspirationNegotiator``, the simplest, and
``BoulwareTBNegotiator``) with opposed linear additive utilities.

A secondary figure, ``negsim_table``, per round:
the equivalent table, two parties and three issues, 50 rounds, aspiration
strategies (Boulware, e = 0.5, deadline 50): a two-country, three-sector synthetic
world (``negsim.scenarios.synthetic(2, 3)``, threats and red lines removed) whose
table sets one reciprocal tariff per sector (issue s sets both countries' tariffs
on each other in sector s). Each round the proposer samples 64 packages, every
package and the breakdown state are evaluated in the CES economy with all payoff
components, the proposer chooses and the other answers.

Per-round cost: NegMAS, a negotiation's time over the steps it ran; negsim, a
run's time (model built, rounds played, outcome) over the rounds it ran, and the
steady-state cost of one round at the table. Prints one JSON object per figure and
one with the ratios. Needs the ``bench`` extra (``pip install negsim[bench]``).
Run: ``python benchmarks/negmas_compare.py [--negotiations 30] [--runs 60]``.
"""

# ruff: noqa: I001  (_common first: it pins BLAS to one thread before numpy loads)
from __future__ import annotations

import argparse
import statistics
import time

from _common import emit, table_round

import numpy as np
from negmas import AspirationNegotiator, BoulwareTBNegotiator, SAOMechanism, make_issue
from negmas.preferences import LinearAdditiveUtilityFunction
from negmas.preferences.value_fun import AffineFun

from negsim.scenarios import load_scenario, scenario_from_dict
from negsim.negotiation.model import NegotiationModel, release
from negsim.negotiation.protocols import Table
from negsim.scenarios import synthetic_dict

PROTOCOLS = ("bilateral", "multilateral")
TARGET_RATIO = 10

ROUNDS = 50
VALUES = 11
ISSUES = 3


# ------------------------------------------------------------------ NegMAS


def negmas_negotiation(negotiator: type) -> tuple[float, int]:
    """One SAO negotiation; returns (seconds, steps run)."""
    issues = [make_issue(values=VALUES, name=f"issue{k}") for k in range(ISSUES)]

    def ufun(rising: bool, weights: list[float]) -> LinearAdditiveUtilityFunction:
        slope = 1.0 / (VALUES - 1)
        values = [
            AffineFun(slope=slope if rising else -slope, bias=0.0 if rising else 1.0)
            for _ in issues
        ]
        return LinearAdditiveUtilityFunction(
            values=values, weights=weights, issues=issues, reserved_value=0.0
        )

    start = time.perf_counter()
    mechanism = SAOMechanism(issues=issues, n_steps=ROUNDS)
    mechanism.add(negotiator(name="buyer"), ufun=ufun(True, [0.5, 0.3, 0.2]))
    mechanism.add(negotiator(name="seller"), ufun=ufun(False, [0.2, 0.3, 0.5]))
    state = mechanism.run()
    return time.perf_counter() - start, int(state.step)


# ------------------------------------------------------------------ negsim


def negsim_scenario():
    """Two countries, three sectors, 50 rounds, Boulware aspiration on both sides."""
    data = synthetic_dict(2, ISSUES, seed=0)
    data.update(name="negmas-equivalent", horizon=ROUNDS, threats={}, red_lines={}, events={})
    for code in data["countries"]:
        data[code]["strategy"] = {"kind": "aspiration", "concession": 0.5, "deadline": ROUNDS}
        data[code]["politics"]["elections"] = []
    return scenario_from_dict(data, label="negmas-equivalent")


def reciprocal_table(n_sectors: int) -> Table:
    """Issue s sets both countries' tariff on each other in sector s (3 issues)."""
    sectors = np.arange(n_sectors)
    return Table(
        # not "C01-C02": evaluators are shared by table name, and the scenario's own
        # bilateral table C01-C02 (other issues) would lend this table its evaluator
        name="reciprocal",
        parties=[0, 1],
        importer=np.repeat([0, 1], n_sectors),
        exporter=np.repeat([1, 0], n_sectors),
        sector=np.concatenate([sectors, sectors]),
        issue_of_target=np.concatenate([sectors, sectors]),
        n_issues=n_sectors,
        weights=np.full(2 * n_sectors, 0.5),
    )


def negsim_model(scenario, seed: int) -> NegotiationModel:
    """A model whose only table is the reciprocal three-issue table."""
    model = NegotiationModel(scenario, "bilateral", rng=seed, collect="none")
    table = reciprocal_table(len(scenario.sectors))
    table.turn = int(model.rng.integers(2))
    model.tables = [table]
    model.estimate_best(table)
    return model


def negsim_negotiation(scenario, seed: int) -> tuple[float, int]:
    """One negsim negotiation at the table; returns (seconds, rounds run)."""
    start = time.perf_counter()
    model = negsim_model(scenario, seed)
    model.run()
    elapsed = time.perf_counter() - start
    release(model)
    return elapsed, model.round


def negsim_round_cost(scenario) -> float:
    """Steady-state cost of one round at the table, microseconds (state held fixed)."""
    model = negsim_model(scenario, 1)
    table = model.tables[0]
    for _ in range(100):
        table_round(model, table)
    samples = []
    for _ in range(9):
        start = time.perf_counter()
        for _ in range(300):
            table_round(model, table)
        samples.append((time.perf_counter() - start) / 300 * 1e6)
    return statistics.median(samples)


def tag2018_run(scenario, protocol: str, seed: int, solve: str) -> float:
    """Seconds of one whole tag2018 run (model built, rounds played, outcome)."""
    start = time.perf_counter()
    model = NegotiationModel(scenario, protocol, rng=seed, collect="none", solve=solve)
    model.run().to_record()
    elapsed = time.perf_counter() - start
    release(model)
    return elapsed


def headline(runs: int) -> None:
    """NegMAS negotiations and tag2018 runs interleaved; medians and their ratios."""
    scenario = load_scenario("tag2018")
    negmas_negotiation(AspirationNegotiator)  # warm-ups (NegMAS, numba, caches)
    for protocol in PROTOCOLS:
        for solve in ("screened", "exact"):
            tag2018_run(scenario, protocol, 0, solve)
    negmas, ours = [], {(p, s): [] for p in PROTOCOLS for s in ("screened", "exact")}
    for seed in range(runs):
        negmas.append(negmas_negotiation(AspirationNegotiator)[0])
        for key, times in ours.items():
            times.append(tag2018_run(scenario, key[0], seed, key[1]))
    negmas_ms = float(np.median(negmas)) * 1e3
    for (protocol, solve), times in ours.items():
        run_ms = float(np.median(times)) * 1e3
        emit(
            "negmas_vs_tag2018",
            protocol=protocol,
            solve=solve,
            runs=runs,
            negmas_negotiator="AspirationNegotiator",
            negmas_median_ms=round(negmas_ms, 3),
            tag2018_median_ms=round(run_ms, 3),
            tag2018_p10_ms=round(float(np.percentile(times, 10)) * 1e3, 3),
            ratio_negmas_over_tag2018=round(negmas_ms / run_ms, 3),
            target_ratio=TARGET_RATIO,
            meets_target=negmas_ms / run_ms >= TARGET_RATIO,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--negotiations", type=int, default=30)
    parser.add_argument("--runs", type=int, default=60, help="tag2018 runs per protocol")
    args = parser.parse_args()
    headline(args.runs)
    count = args.negotiations
    figures = {}
    for negotiator in (AspirationNegotiator, BoulwareTBNegotiator):
        negmas_negotiation(negotiator)  # warm-up
        runs = [negmas_negotiation(negotiator) for _ in range(count)]
        seconds, steps = np.array(runs).T
        per_round = float(np.median(seconds / steps)) * 1e6
        figures[negotiator.__name__] = per_round
        emit(
            "negmas_sao",
            negotiator=negotiator.__name__,
            issues=ISSUES,
            values_per_issue=VALUES,
            n_steps=ROUNDS,
            negotiations=count,
            median_ms_per_negotiation=round(float(np.median(seconds)) * 1e3, 3),
            mean_steps=round(float(steps.mean()), 1),
            median_us_per_round=round(per_round, 1),
        )
    scenario = negsim_scenario()
    negsim_negotiation(scenario, 0)  # warm-up: the scenario's arrays are built once
    runs = [negsim_negotiation(scenario, seed) for seed in range(count)]
    seconds, rounds = np.array(runs).T
    negsim_per_round = float(np.median(seconds / rounds)) * 1e6
    steady = negsim_round_cost(scenario)
    emit(
        "negsim_table",
        table="reciprocal tariffs, 3 sectors",
        parties=2,
        issues=ISSUES,
        horizon=ROUNDS,
        candidates_per_offer=67,
        negotiations=count,
        median_ms_per_negotiation=round(float(np.median(seconds)) * 1e3, 3),
        mean_rounds=round(float(rounds.mean()), 1),
        median_us_per_round=round(negsim_per_round, 1),
        steady_state_us_per_round=round(steady, 1),
    )
    emit(
        "negmas_vs_negsim_table",
        **{
            f"ratio_{name}_over_negsim": round(cost / negsim_per_round, 2)
            for name, cost in figures.items()
        },
        **{
            f"ratio_{name}_over_negsim_steady_state": round(cost / steady, 2)
            for name, cost in figures.items()
        },
    )


if __name__ == "__main__":
    main()
