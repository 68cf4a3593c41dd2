"""Benchmark: the experiment runner against a plain loop and mesa.batch_run.

Runs/s for ``--runs`` tag2018 runs (bilateral, default 10,000), all on the same
seeds (those of :func:`negsim.sweeps.seeds.run_seed`):

- ``plain_loop``: ``simulate(scenario, "bilateral", seed).to_record()`` in a loop;
- ``runner``: :func:`negsim.sweeps.run_experiment` in-process (``workers=0``)
  and with 1 and 2 local worker processes, writing the Parquet results store;
- ``mesa_batch_run``: ``mesa.batch_run(NegotiationModel, ...)`` with 1 and 2
  processes (Mesa collects through the model's DataCollector, every round).

Then the driver's peak memory (``ru_maxrss`` of a fresh process) for sweeps of
``--memory-runs`` runs (default 100,000) and a tenth of that, with 2 workers. By
default those runs *replay* one real tag2018 record with the run's seed (same row
width, no simulation), since the driver's memory does not depend on how long a run
takes; ``--memory-real`` simulates them instead.

Targets (issue 4): runner overhead under 10% of the plain loop at one worker,
>= 1.7x speed-up at two workers, faster than mesa.batch_run, driver memory flat in
the number of runs. Prints one JSON line per figure.
Run: ``python benchmarks/sweep.py [--runs 10000] [--memory-runs 100000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import emit as _emit

from negsim.negotiation.model import NegotiationModel, simulate
from negsim.scenarios import load_scenario
from negsim.sweeps import Experiment, run_experiment
from negsim.sweeps.seeds import run_seed

ROOT_SEED = 2018
_RECORD: dict | None = None


def emit(name: str, **figures) -> None:
    """Emit a figure with the 1-minute load average (the machine may be shared)."""
    _emit(name, **figures, load_1min=round(os.getloadavg()[0], 2))


def experiment(runs: int) -> Experiment:
    return Experiment(
        name="bench",
        scenario="tag2018",
        arms={"bilateral": {"protocol": "bilateral"}},
        replications=runs,
        root_seed=ROOT_SEED,
    )


def replay(scenario, protocol="bilateral", seed=0):
    """One real record, computed once per process, returned with this run's seed."""
    global _RECORD
    if _RECORD is None:
        _RECORD = simulate(scenario, protocol, 0).to_record()
    return {**_RECORD, "seed": seed}


def timed(fn, *args) -> tuple[float, float]:
    """Wall seconds and CPU seconds (this process and its finished children) of a call."""
    before, start = os.times(), time.perf_counter()
    fn(*args)
    wall, after = time.perf_counter() - start, os.times()
    cpu = sum(after[:4]) - sum(before[:4])
    return wall, cpu


def plain_loop(seeds: list[int]) -> float:
    scenario = load_scenario("tag2018")
    start = time.perf_counter()
    records = [simulate(scenario, "bilateral", seed).to_record() for seed in seeds]
    elapsed = time.perf_counter() - start
    assert len(records) == len(seeds)
    return elapsed


def runner(runs: int, workers: int, run_fn=None) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summary = run_experiment(
            experiment(runs), out=Path(tmp) / "bench", workers=workers, run_fn=run_fn
        )
        elapsed = time.perf_counter() - start
    assert summary.ok == runs, summary.line()
    return elapsed


def batch_run(seeds: list[int], processes: int) -> float:
    import mesa

    scenario = load_scenario("tag2018")
    start = time.perf_counter()
    rows = mesa.batch_run(
        NegotiationModel,
        parameters={"scenario": [scenario], "protocol": "bilateral", "rng": seeds},
        number_processes=processes,
        iterations=1,
        data_collection_period=-1,
        display_progress=False,
    )
    elapsed = time.perf_counter() - start
    assert len(rows) == len(seeds)
    return elapsed


def peak_rss_mb() -> float:
    """This process's peak resident set size (VmHWM; ru_maxrss survives exec on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def memory_child(runs: int, real: bool) -> None:
    """Run one sweep in this fresh process and print its peak RSS as JSON."""
    before = peak_rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summary = run_experiment(
            experiment(runs), out=Path(tmp) / "bench", workers=2, run_fn=None if real else replay
        )
        elapsed = time.perf_counter() - start
        files = len(list((Path(tmp) / "bench").glob("part-*.parquet")))
    peak = peak_rss_mb()
    print(
        json.dumps(
            {
                "runs": runs,
                "ok": summary.ok,
                "files": files,
                "seconds": round(elapsed, 2),
                "peak_rss_before_sweep_mb": before,
                "peak_rss_mb": peak,
            }
        )
    )


def memory(runs: int, real: bool) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(runs), *(["--memory-real"] * real)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--memory-runs", type=int, default=100_000)
    parser.add_argument("--memory-real", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.memory_real)
        return

    if not args.skip_speed:
        n = args.runs
        seeds = [run_seed(ROOT_SEED, 0, r) for r in range(n)]
        simulate(load_scenario("tag2018"), "bilateral", 0)  # warm-up
        plain, plain_cpu = timed(plain_loop, seeds)

        def figures(wall: float, cpu: float) -> dict:
            return {
                "runs": n,
                "runs_per_s": round(n / wall, 1),
                "cpu_ms_per_run": round(1e3 * cpu / n, 2),
                "speedup_vs_plain": round(plain / wall, 2),
            }

        emit("sweep_speed", method="plain_loop", workers=1, **figures(plain, plain_cpu))
        for workers in (0, 1, 2):
            wall, cpu = timed(runner, n, workers)
            emit(
                "sweep_speed",
                method="runner",
                executor="in-process" if workers == 0 else "processes",
                workers=max(workers, 1),
                **figures(wall, cpu),
                overhead_vs_plain=round(wall / plain - 1, 3) if workers <= 1 else None,
            )
        for processes in (1, 2):
            wall, cpu = timed(batch_run, seeds, processes)
            emit("sweep_speed", method="mesa_batch_run", workers=processes, **figures(wall, cpu))
        # The runner's own cost per run, free of the noise of timing long loops on a
        # shared machine: an in-process sweep whose runs replay one record.
        replay(load_scenario("tag2018"))
        wall, cpu = timed(runner, n, 0, replay)
        emit(
            "sweep_runner_overhead",
            executor="in-process",
            runs=n,
            wall_us_per_run=round(1e6 * wall / n, 1),
            cpu_us_per_run=round(1e6 * cpu / n, 1),
            share_of_plain_run=round(cpu / n / (plain_cpu / n), 4),
        )

    if not args.skip_memory:
        for runs in (max(1, args.memory_runs // 10), args.memory_runs):
            figures = memory(runs, args.memory_real)
            emit(
                "sweep_driver_memory",
                run_fn="simulate" if args.memory_real else "replay",
                workers=2,
                **figures,
            )


if __name__ == "__main__":
    main()
