"""Where a sweep's tasks run: in this process, in local processes, or on Dask.

:func:`open_pool` yields a :class:`Pool`: a ``concurrent.futures`` executor, a
description for the summary line, and :meth:`Pool.capacity`, the tasks that can run
at once *now* (a Dask cluster's workers may join after the sweep starts, as on
SLURM, or leave), which the runner reads before each submission.

Local workers are forked from a forkserver (warm imports, no fork of a threaded
process) and exit by themselves when the driver dies, even by ``kill -9``.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from negsim.sweeps.errors import ExperimentError

WAIT_FOR_WORKERS = 60.0
"""Seconds to wait for the first Dask worker, and for any worker once all are lost."""


@dataclass
class Pool:
    """An executor, what it is, and how many tasks it runs at once now."""

    executor: cf.Executor
    where: str
    capacity: Callable[[], int]


def default_workers() -> int:
    """The number of CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class InlineExecutor(cf.Executor):
    """Runs each task at submit time, in the calling thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future:
        """Run ``fn(*args, **kwargs)`` now; its result or exception is in the future."""
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
        return future


@contextlib.contextmanager
def open_pool(
    workers: int, scheduler: Any = None, scheduler_file: str | Path | None = None
) -> Iterator[Pool]:
    """Yield the :class:`Pool` for ``workers`` and a Dask ``scheduler`` (or its file).

    Args:
        workers: local processes; 0 runs tasks in this process. With ``"local"``:
            the workers of a local Dask cluster.
        scheduler: None (local processes), ``"local"`` (a local Dask cluster),
            ``"tcp://host:port"`` (a running scheduler) or a ``distributed.Client``.
        scheduler_file: the JSON file a ``dask scheduler --scheduler-file`` (or
            dask-mpi) wrote.
    """
    if scheduler is not None and scheduler_file is not None:
        raise ExperimentError("--scheduler and --scheduler-file exclude each other; give one")
    if scheduler == "local" and workers == 0:
        raise ExperimentError(
            "--scheduler local --workers 0: a local Dask cluster needs 1 worker or more "
            "(--workers 0 runs in this process, without Dask)"
        )
    if scheduler is None and scheduler_file is None:
        if workers == 0:
            yield Pool(InlineExecutor(), "in-process", lambda: 1)
            return
        with _process_pool(workers) as pool:
            yield pool
        return
    with _dask_pool(workers, scheduler, scheduler_file) as pool:
        yield pool


@contextlib.contextmanager
def _process_pool(workers: int) -> Iterator[Pool]:
    pool = cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_mp_context(),
        initializer=_watch_driver,
        initargs=(os.getpid(),),
    )
    where = f"{workers} local process{'es' if workers > 1 else ''}"
    try:
        yield Pool(pool, where, lambda: workers)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _mp_context() -> Any:
    """A forkserver on Linux (warm imports, no fork of a threaded process), else the default.

    Mesa's ``batchrunner`` (imported by ``import mesa``) forces the global start
    method to ``spawn``, which would make each worker re-import everything.
    """
    import multiprocessing

    if sys.platform == "linux" and "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["negsim.negotiation.model", "negsim.sweeps.runs"])
        return context
    return multiprocessing.get_context()


def _watch_driver(driver: int) -> None:
    """In a worker: exit as soon as the driver process is gone (checked every second)."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(driver, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # the pid was reused by someone else's process
                os._exit(1)

    threading.Thread(target=watch, name="negsim-watch-driver", daemon=True).start()


@contextlib.contextmanager
def _dask_pool(workers: int, scheduler: Any, scheduler_file: str | Path | None) -> Iterator[Pool]:
    try:
        import distributed
    except ImportError:
        raise ExperimentError(
            "--scheduler needs Dask distributed: pip install 'negsim[dask]'"
        ) from None
    client, owned, cluster, where = _dask_client(distributed, workers, scheduler, scheduler_file)
    try:
        _wait_for_workers(client, where, WAIT_FOR_WORKERS)
        yield Pool(client.get_executor(pure=False), where, _Threads(client))
    finally:
        if owned:
            client.close()
        if cluster is not None:
            cluster.close()


def _dask_client(
    distributed: Any, workers: int, scheduler: Any, scheduler_file: str | Path | None
) -> tuple[Any, bool, Any, str]:
    if isinstance(scheduler, distributed.Client):
        return scheduler, False, None, f"Dask {scheduler.scheduler.address}"
    if scheduler == "local":
        import logging

        n = max(workers, 1)
        cluster = distributed.LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        return distributed.Client(cluster), True, cluster, f"local Dask cluster ({n} workers)"
    if scheduler_file is not None:
        path = Path(scheduler_file)
        if not path.is_file():
            raise ExperimentError(f"--scheduler-file {path}: no such file")
        what, kwargs = f"--scheduler-file {path}", {"scheduler_file": str(path)}
    else:
        what, kwargs = f"--scheduler {scheduler}", {"address": str(scheduler)}
    try:
        client = distributed.Client(timeout="5s", **kwargs)
    except (OSError, TimeoutError, ValueError, KeyError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ExperimentError(
            f"{what}: cannot reach a Dask scheduler ({reason}); "
            "give tcp://HOST:PORT of a running `dask scheduler`, its --scheduler-file, "
            "or 'local'"
        ) from None
    return client, True, None, f"Dask {client.scheduler.address}"


def dask_threads(client: Any) -> int:
    """The worker threads a Dask cluster has now (asks the scheduler)."""
    return int(sum(client.nthreads().values()))


class _Threads:
    """A Dask cluster's worker threads now, asked at most once a second."""

    def __init__(self, client: Any) -> None:
        self.client, self.when, self.value = client, -1.0, 0

    def __call__(self) -> int:
        now = time.monotonic()
        if now - self.when >= 1.0:
            self.value, self.when = dask_threads(self.client), now
        return self.value


def _wait_for_workers(client: Any, where: str, seconds: float) -> None:
    if dask_threads(client) > 0:
        return
    try:
        client.wait_for_workers(1, timeout=seconds)
    except TimeoutError:
        raise ExperimentError(
            f"{where}: no Dask worker joined within {seconds:g} s; start workers with "
            "`dask worker ADDRESS` (or a SLURM job, see docs/experiments.md)"
        ) from None
