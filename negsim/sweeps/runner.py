"""The sweep: plan the runs, hold the folder, send chunks to workers, write parts.

:func:`run_experiment` checks everything it can before it changes anything (the
definition, the options, the folder), starts the executor, takes the folder's lock,
then runs only the runs missing from the folder (of its shard, with ``shard``),
writing a part every ``rows_per_file`` runs or :data:`FLUSH_SECONDS`, and the
manifest at the start and the end. A complete folder is left exactly as it is.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from negsim.scenarios import did_you_mean
from negsim.sweeps import executors
from negsim.sweeps.definition import Experiment
from negsim.sweeps.errors import ExperimentError
from negsim.sweeps.executors import Pool, default_workers, open_pool
from negsim.sweeps.folder import hold
from negsim.sweeps.progress import SweepProgress
from negsim.sweeps.runs import RunFn, RunSpec, run_chunk
from negsim.sweeps.seeds import shard_of
from negsim.sweeps.session import Session, prepare_folder

FLUSH_SECONDS = 60.0
"""Write a part at least this often, even if it is not full."""


@dataclass
class SweepSummary:
    """What a sweep did."""

    out: Path
    experiment: str
    total: int
    skipped: int
    ran: int = 0
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    executor: str = ""
    first_errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def runs_per_s(self) -> float:
        """Runs per second of this sweep."""
        return self.ran / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        """One line for the terminal (two when a run failed)."""
        text = (
            f"{self.experiment}: {self.ran} runs ({self.ok} ok, {self.errors} errors) "
            f"in {self.seconds:.1f} s ({self.runs_per_s:.1f} runs/s) on {self.executor}"
        )
        if self.skipped:
            text += f"; {self.skipped} already in the folder"
        text += f" -> {self.out}"
        if self.first_errors:
            text += f"\nfirst error: {self.first_errors[0]['error']}"
        return text


@dataclass
class Plan:
    """What a sweep will run: the experiment, its scenario and points, where, which part."""

    exp: Experiment
    scenario: dict[str, Any]
    points: list[dict[str, Any]]
    fingerprint: str
    out: Path
    selected: list[int]
    shard: tuple[int, int] | None = None

    def runs(self, done: set[tuple[int, str, int]]) -> Iterator[tuple[int, int, int]]:
        """The runs ``(design_point, replication, arm_index)`` of this plan not in ``done``."""
        names = self.exp.arm_names
        for d in range(len(self.points)):
            for r in range(self.exp.replications):
                if (
                    self.shard
                    and shard_of(self.exp.root_seed, d, r, self.shard[1]) != self.shard[0]
                ):
                    continue
                for a in self.selected:
                    if (d, names[a], r) not in done:
                        yield (d, r, a)


def run_experiment(
    experiment: Experiment | str | Path,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    scheduler_file: str | Path | None = None,
    resume: bool = False,
    overwrite: bool = False,
    replications: int | None = None,
    arms: list[str] | None = None,
    shard: tuple[int, int] | None = None,
    chunk_size: int | None = None,
    rows_per_file: int = 1000,
    timeout: float | None = None,
    allow_other_files: bool = False,
    progress: bool | None = False,
    run_fn: RunFn | None = None,
) -> SweepSummary:
    """Run an experiment and write its results store.

    Args:
        experiment: an :class:`Experiment`, or the path of an experiment TOML file.
        out: the results folder; default ``results/<name>`` (relative to the current
            directory).
        workers: local worker processes; 0 runs in this process; default: the CPUs
            available. With ``scheduler="local"``: the workers of a local Dask cluster.
        scheduler: None (local processes), ``"local"`` (start a local Dask cluster),
            ``"tcp://host:port"`` (a running Dask scheduler) or a ``distributed.Client``.
        scheduler_file: a Dask scheduler file (``dask scheduler --scheduler-file``).
        resume: run only the runs missing from ``out``.
        overwrite: replace the results of another experiment held in ``out``.
        replications: override the definition's replications.
        arms: run only these arms (the others can be added later with ``resume``).
        shard: ``(i, n)``: run only shard ``i`` of ``n`` (0-based; see
            :func:`negsim.sweeps.seeds.shard_of`), writing its own parts into ``out``.
        chunk_size: runs per task sent to a worker (default: a share of the work).
        rows_per_file: runs per Parquet part, the most the driver holds; a part is
            also written when :data:`FLUSH_SECONDS` have passed.
        timeout: seconds a run may take; a run that takes longer is an error row.
        allow_other_files: accept an ``out`` that holds files a sweep did not write.
        progress: True or None: a progress bar when stderr is a terminal, a log
            line every 10 s otherwise; False: silent.
        run_fn: ``f(scenario, protocol=..., seed=...)`` returning an outcome with
            ``to_record()`` (or a dict); default ``negsim.simulate``. Must be
            picklable for processes and Dask.

    Returns:
        A :class:`SweepSummary`.

    Raises:
        ExperimentError: bad input, a held folder, or a sweep that stopped; one line.
    """
    _check_options(workers, rows_per_file, chunk_size, timeout, resume, overwrite, shard)
    plan = plan_sweep(experiment, out=out, replications=replications, arms=arms, shard=shard)
    workers = default_workers() if workers is None else workers
    options = {"resume": resume, "overwrite": overwrite, "allow_other_files": allow_other_files}
    prepare_folder(plan, dry_run=True, **options)  # before anything changes
    with open_pool(workers, scheduler, scheduler_file) as pool, hold(plan.out, plan.shard):
        session = prepare_folder(plan, dry_run=False, **options)
        spec = RunSpec(plan.exp, plan.scenario, {}, run_fn, plan.fingerprint, timeout)
        sweep = _Sweep(plan, session, pool, spec, chunk_size, rows_per_file, progress)
        return sweep.run()


def plan_sweep(
    experiment: Experiment | str | Path,
    *,
    out: str | Path | None = None,
    replications: int | None = None,
    arms: list[str] | None = None,
    shard: tuple[int, int] | None = None,
) -> Plan:
    """Validate an experiment and the choice of runs, changing nothing."""
    exp = experiment if isinstance(experiment, Experiment) else Experiment.from_file(experiment)
    if replications is not None:
        if replications < 1:
            raise ExperimentError(f"replications = {replications}: must be at least 1")
        exp = exp.model_copy(update={"replications": replications})
    for name in arms or []:
        if name not in exp.arms:
            raise ExperimentError(
                f"arm {name!r}: no such arm in {exp.name!r}{did_you_mean(name, exp.arm_names)}; "
                f"arms: {', '.join(exp.arm_names)}"
            )
    if out is not None and str(out).strip() == "":
        raise ExperimentError("--out '': an empty folder name; give a folder")
    selected = [i for i, name in enumerate(exp.arm_names) if not arms or name in arms]
    data = exp.scenario_data()
    exp.check(label=exp.name, data=data)
    folder = Path(out) if out is not None else Path("results") / exp.name
    points = exp.design_points()
    return Plan(exp, data, points, exp.fingerprint(data), folder, selected, shard)


def _check_options(
    workers: int | None,
    rows_per_file: int,
    chunk_size: int | None,
    timeout: float | None,
    resume: bool,
    overwrite: bool,
    shard: tuple[int, int] | None,
) -> None:
    if workers is not None and workers < 0:
        raise ExperimentError(f"workers = {workers}: must be 0 (in-process) or more")
    if rows_per_file < 1 or (chunk_size is not None and chunk_size < 1):
        raise ExperimentError("rows_per_file and chunk_size must be at least 1")
    if timeout is not None and not timeout > 0:
        raise ExperimentError(f"timeout = {timeout}: must be a positive number of seconds")
    if resume and overwrite:
        raise ExperimentError("--resume and --overwrite exclude each other; choose one")
    if shard is not None:
        i, n = shard
        if not (n >= 1 and 0 <= i < n):
            raise ExperimentError(f"--shard {i}/{n}: needs 0 <= I < N (I/N, e.g. 0/4)")
        if overwrite:
            raise ExperimentError("--shard and --overwrite exclude each other (shards share --out)")


class _Sweep:
    """One session of a sweep: the task loop, the buffer of finished rows, the summary."""

    def __init__(
        self,
        plan: Plan,
        session: Session,
        pool: Pool,
        spec: RunSpec,
        chunk_size: int | None,
        rows_per_file: int,
        progress: bool | None,
    ) -> None:
        self.plan, self.session, self.pool, self.spec = plan, session, pool, spec
        self.chunk_size, self.rows_per_file, self.progress = chunk_size, rows_per_file, progress
        self.buffer: list[dict[str, Any]] = []
        self.last_flush = time.perf_counter()

    def run(self) -> SweepSummary:
        """Run the missing runs; return the summary."""
        plan, session = self.plan, self.session
        todo = sum(1 for _ in plan.runs(session.done))
        in_plan = sum(1 for _ in plan.runs(set()))
        summary = SweepSummary(
            out=plan.out,
            experiment=plan.exp.name,
            total=in_plan,
            skipped=in_plan - todo,
            executor=self.pool.where,
            warnings=list(session.warnings),
        )
        self.summary = summary
        if todo == 0 and (session.existing or {}).get("state") == "complete":
            return summary  # a complete folder: nothing is written
        session.start(self.pool.where)
        start = time.perf_counter()
        bar = SweepProgress(todo, plan.exp.name, self.progress)
        try:
            self._drive(todo, bar)
        except BaseException as exc:
            bar.close()
            self._stop(exc, time.perf_counter() - start)
        bar.close()
        self._flush()
        summary.seconds = time.perf_counter() - start
        session.finish("complete", summary)
        return summary

    def _drive(self, todo: int, bar: SweepProgress) -> None:
        capacity = max(1, self.pool.capacity())
        size = self.chunk_size or max(1, min(100, todo // (capacity * 16)))
        tasks = _batched(self.plan.runs(self.session.done), size)
        pending: set[cf.Future] = set()
        lost_since: float | None = None
        try:
            while True:
                capacity = self.pool.capacity()
                while len(pending) < max(2, 2 * capacity) and (chunk := next(tasks, None)):
                    pending.add(self._submit(chunk))
                if not pending:
                    return
                finished, pending = cf.wait(pending, timeout=1.0, return_when=cf.FIRST_COMPLETED)
                for future in finished:
                    self._collect(future.result(), bar)
                lost_since = _check_workers(capacity, lost_since, self.pool.where)
        finally:
            for future in pending:
                future.cancel()

    def _submit(self, chunk: list[tuple[int, int, int]]) -> cf.Future:
        points = {d: self.plan.points[d] for d, _, _ in chunk}
        task = dataclasses.replace(self.spec, points=points)
        return self.pool.executor.submit(run_chunk, task, chunk)

    def _collect(self, rows: list[dict[str, Any]], bar: SweepProgress) -> None:
        summary = self.summary
        errors = [row for row in rows if row["status"] != "ok"]
        summary.ran += len(rows)
        summary.errors += len(errors)
        summary.ok += len(rows) - len(errors)
        room = max(0, self.session.max_errors - len(summary.first_errors))
        for row in errors[:room]:
            summary.first_errors.append(
                {k: row[k] for k in ("arm", "design_point", "replication", "error")}
            )
        self.buffer.extend(rows)
        bar.update(len(rows), len(errors))
        while len(self.buffer) >= self.rows_per_file:  # parts of rows_per_file runs
            self._flush(self.rows_per_file)
        if self.buffer and time.perf_counter() - self.last_flush >= FLUSH_SECONDS:
            self._flush()  # a kill loses at most FLUSH_SECONDS of finished runs

    def _flush(self, count: int | None = None) -> None:
        """Write the first ``count`` buffered runs (all by default) as one part."""
        self.last_flush = time.perf_counter()
        if self.buffer:
            count = len(self.buffer) if count is None else count
            rows, self.buffer = self.buffer[:count], self.buffer[count:]
            self.session.write_part(rows)  # dropped if the write fails: resume redoes them

    def _stop(self, exc: BaseException, seconds: float) -> None:
        """End an interrupted session: save what finished, mark it, raise one line."""
        summary = self.summary
        summary.seconds = seconds
        saved = self.session.save_after_failure(self._flush, summary)
        if isinstance(exc, ExperimentError) or not isinstance(exc, Exception):
            raise exc
        reason = (str(exc).splitlines() or [""])[0]
        if isinstance(exc, OSError) and exc.strerror:
            reason = f"{exc.strerror}" + (f": {exc.filename}" if exc.filename else "")
        raise ExperimentError(
            f"the sweep stopped ({type(exc).__name__}: {reason}); "
            f"{saved} runs of this session are saved in {self.plan.out}: "
            "run again with --resume to finish"
        ) from exc


def _check_workers(capacity: int, lost_since: float | None, where: str) -> float | None:
    """Track how long a cluster has had no worker; raise after WAIT_FOR_WORKERS."""
    if capacity > 0:
        return None
    now = time.monotonic()
    if lost_since is None:
        return now
    wait = executors.WAIT_FOR_WORKERS
    if now - lost_since > wait:
        raise ExperimentError(
            f"{where}: every worker was lost and none joined within {wait:g} s; "
            "the runs finished so far are saved: start workers and run again with --resume"
        )
    return lost_since


def _batched(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk
