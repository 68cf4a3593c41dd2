"""The benchmark suite: one JSON object per figure, on one core.

Figures (each with the core count, load and versions):

- ``payoffs_64_candidates``: one evaluation of 64 candidate states (full world and
  a table's restricted evaluation);
- ``table_round``: the cost of one negotiation round at one table (sample, evaluate
  candidates and the breakdown state, choose, answer), per protocol;
- ``tag2018_run``: a full tag2018 run per protocol, median over ``--seeds`` seeds (the
  target of issue 11 is relative: see ``negmas_vs_tag2018``); and
  ``tag2018_run_new_scenario_each_run``: the same when every run's scenario differs
  (a sweep with per-run perturbations: nothing built for a scenario is reused);
- ``scaling``: synthetic scenarios with 3, 5, 10, 20 countries and 5, 10 sectors,
  every pair at a table (bilateral) or one table (multilateral); then
  ``scaling_exponent``: the slope of log run time against log countries;
- ``memory``: tracemalloc peak of one run, and traced memory over repeated runs
  (constant: nothing accumulates between runs).

- ``negmas_vs_tag2018`` (with ``--only negmas``, or in the full suite when NegMAS is
  installed): the headline of issue 11, NegMAS 0.16 SAO time over a whole tag2018
  run's time per protocol, in this process (``benchmarks/negmas_compare.py``).

Sweep throughput with 1 and 2 workers is measured by ``benchmarks/sweep.py`` (the
batch runner's benchmark). The NegMAS side-by-side is ``benchmarks/negmas_compare.py``.
Run: ``python benchmarks/run.py [--seeds 200] [--quick]``; about a minute.
"""

# ruff: noqa: I001  (_common first: it pins BLAS to one thread before numpy loads)
from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

from _common import emit, table_round

import numpy as np

import payoffs as payoff_benchmark
from negsim.scenarios import load_scenario
from negsim.negotiation.model import NegotiationModel, simulate
from negsim.scenarios import synthetic

COUNTRIES = (3, 5, 10, 20)
SECTORS = (5, 10)
TWENTY_COUNTRY_TARGET_S = 1.0


def run_times(scenario, protocol: str, seeds) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wall time (ms), rounds and offers made of one run per seed, after a warm-up run."""
    simulate(scenario, protocol, 0)
    times, rounds, offers = [], [], []
    for seed in seeds:
        start = time.perf_counter()
        model = NegotiationModel(scenario, protocol, rng=seed, collect="none")
        model.run()
        times.append((time.perf_counter() - start) * 1e3)
        rounds.append(model.round)
        offers.append(len(model.offers))
    return np.array(times), np.array(rounds), np.array(offers)


def bench_negmas(quick: bool) -> None:
    """The headline ratio NegMAS SAO / tag2018 run per protocol (needs the bench extra)."""
    try:
        import negmas_compare
    except ImportError:  # NegMAS not installed
        emit("negmas_vs_tag2018", skipped="negmas not installed (pip install negsim[bench])")
        return
    negmas_compare.headline(15 if quick else 60)


def bench_payoffs(quick: bool) -> None:
    emit("payoffs_64_candidates", **payoff_benchmark.figures(number=300 if quick else 2000))


def bench_table_round(quick: bool) -> None:
    """Median cost of one round at one tag2018 table, state held fixed."""
    scenario = load_scenario("tag2018")
    for protocol, name in (("bilateral", "US-JP"), ("multilateral", "all")):
        model = NegotiationModel(scenario, protocol, rng=1, collect="none")
        table = next(t for t in model.tables if t.name == name)
        for _ in range(50):
            table_round(model, table)
        samples = []
        for _ in range(5 if quick else 15):
            start = time.perf_counter()
            for _ in range(200):
                table_round(model, table)
            samples.append((time.perf_counter() - start) / 200 * 1e6)
        emit(
            "table_round",
            scenario="tag2018",
            protocol=protocol,
            table=name,
            parties=len(table.parties),
            issues=table.n_issues,
            candidates=int(model.country_agents[table.parties[0]].strategy.candidates) + 3,
            microseconds_per_round=round(float(np.median(samples)), 2),
        )


def bench_tag2018(seeds: int) -> None:
    scenario = load_scenario("tag2018")
    for protocol in ("bilateral", "multilateral"):
        times, rounds, offers = run_times(scenario, protocol, range(seeds))
        median = float(np.median(times))
        emit(
            "tag2018_run",
            protocol=protocol,
            seeds=seeds,
            median_ms=round(median, 3),
            p10_ms=round(float(np.percentile(times, 10)), 3),
            p90_ms=round(float(np.percentile(times, 90)), 3),
            mean_rounds=round(float(rounds.mean()), 2),
            median_ms_per_round=round(float(np.median(times / rounds)), 3),
            median_us_per_table_round=round(float(np.median(times / offers)) * 1e3, 1),
        )


def bench_tag2018_perturbed(seeds: int) -> None:
    """Runs whose scenario differs every time, as in a sweep with per-run perturbations.

    Nothing built for one scenario can be reused by the next (world, payoff model,
    table evaluators): this is the cost of a run in such a sweep.
    """
    base = load_scenario("tag2018")
    for protocol in ("bilateral", "multilateral"):
        scenarios = [
            load_scenario("tag2018", {"JP.security.reliance.US": 0.8 + 1e-9 * seed})
            for seed in range(seeds)
        ]
        simulate(base, protocol, 0)
        times = []
        for seed, scenario in enumerate(scenarios):
            start = time.perf_counter()
            simulate(scenario, protocol, seed)
            times.append((time.perf_counter() - start) * 1e3)
        emit(
            "tag2018_run_new_scenario_each_run",
            protocol=protocol,
            seeds=seeds,
            median_ms=round(float(np.median(times)), 3),
            p10_ms=round(float(np.percentile(times, 10)), 3),
            p90_ms=round(float(np.percentile(times, 90)), 3),
            perturbation="JP.security.reliance.US = 0.8 + 1e-9 * seed",
        )


def bench_scaling(quick: bool) -> None:
    """Run time against countries and sectors; then the fitted exponents."""
    results: dict[tuple[str, int], list[tuple[int, float]]] = {}
    for sectors in SECTORS:
        for n in COUNTRIES:
            scenario = synthetic(n, sectors, seed=0)
            seeds = {3: 20, 5: 10, 10: 4, 20: 2}[n]
            if quick:
                seeds = max(1, seeds // 4)
            for protocol in ("bilateral", "multilateral"):
                times, rounds, offers = run_times(scenario, protocol, range(seeds))
                median = float(np.median(times))
                results.setdefault((protocol, sectors), []).append((n, median))
                figure = {
                    "countries": n,
                    "sectors": sectors,
                    "protocol": protocol,
                    "tables": n * (n - 1) // 2 if protocol == "bilateral" else 1,
                    "seeds": seeds,
                    "median_ms": round(median, 2),
                    "max_ms": round(float(times.max()), 2),
                    "mean_rounds": round(float(rounds.mean()), 2),
                    "median_us_per_table_round": round(float(np.median(times / offers)) * 1e3, 1),
                }
                if n == 20 and protocol == "bilateral":
                    figure["target_s"] = TWENTY_COUNTRY_TARGET_S
                    figure["meets_target"] = float(times.max()) / 1e3 < TWENTY_COUNTRY_TARGET_S
                emit("scaling", **figure)
    for (protocol, sectors), points in sorted(results.items()):
        n, ms = np.array(points).T
        slope, _ = np.polyfit(np.log(n), np.log(ms), 1)
        emit(
            "scaling_exponent",
            protocol=protocol,
            sectors=sectors,
            countries=[int(c) for c in n],
            median_ms=[round(float(v), 2) for v in ms],
            exponent=round(float(slope), 2),
            fit="log(run time) = exponent * log(countries) + c, least squares",
        )


def bench_memory(quick: bool) -> None:
    """Peak traced memory of one run, and traced memory retained over repeated runs.

    A run's peak is measured from the memory in use when it starts. Retained memory
    (after garbage collection) grows while the scenario's caches warm up (bounded:
    recent states, buffers per batch size), then stays flat: nothing accumulates
    per run.
    """
    for name in ("tag2018", "synthetic-10x5"):
        scenario = load_scenario(name) if name == "tag2018" else synthetic(10, 5, seed=0)
        repeats = 400 if name == "tag2018" else 60
        if quick:
            repeats //= 4
        checkpoints = {1, 10, repeats // 4, repeats // 2, 3 * repeats // 4, repeats}
        for protocol in ("bilateral", "multilateral"):
            simulate(scenario, protocol, 0)  # the scenario's shared arrays, built once
            gc.collect()
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
            peaks, retained = [], {}
            for seed in range(repeats):
                before = tracemalloc.get_traced_memory()[0]
                tracemalloc.reset_peak()
                simulate(scenario, protocol, seed).to_record()
                peaks.append(tracemalloc.get_traced_memory()[1] - before)
                if seed + 1 in checkpoints:
                    gc.collect()
                    now = tracemalloc.get_traced_memory()[0]
                    retained[seed + 1] = round((now - base) / 1024, 1)
            tracemalloc.stop()
            emit(
                "memory",
                scenario=name,
                protocol=protocol,
                runs=repeats,
                peak_kib_first_run=round(peaks[0] / 1024, 1),
                peak_kib_median_run=round(float(np.median(peaks)) / 1024, 1),
                peak_kib_max_run=round(max(peaks) / 1024, 1),
                retained_kib_after_runs=retained,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200, help="tag2018 seeds per protocol")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a check)")
    parser.add_argument(
        "--only",
        choices=["negmas", "payoffs", "round", "tag2018", "scaling", "memory"],
        help="one group of figures",
    )
    args = parser.parse_args()
    groups = {
        "negmas": lambda: bench_negmas(args.quick),
        "payoffs": lambda: bench_payoffs(args.quick),
        "round": lambda: bench_table_round(args.quick),
        "tag2018": lambda: (bench_tag2018(args.seeds), bench_tag2018_perturbed(args.seeds)),
        "scaling": lambda: bench_scaling(args.quick),
        "memory": lambda: bench_memory(args.quick),
    }
    for name, bench in groups.items():
        if args.only in (None, name):
            bench()


if __name__ == "__main__":
    main()
