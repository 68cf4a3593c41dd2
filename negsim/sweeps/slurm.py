"""Dask workers on a SLURM cluster through dask-jobqueue (optional extra ``negsim[slurm]``).

:func:`slurm_cluster` starts a ``dask_jobqueue.SLURMCluster`` whose jobs each run
``processes`` single-threaded Dask workers (one per core, as the runs are pure
Python); :func:`job_script` shows the batch script it submits. Workers join as the
queue starts their jobs; the sweep sends work to the workers present as they come
and go (:mod:`negsim.sweeps.executors`). See docs/experiments.md, "On a SLURM
cluster", for this recipe and for job arrays with ``negsim sweep --shard``.
"""

from __future__ import annotations

import shlex
from typing import Any

from negsim.sweeps.errors import ExperimentError


def slurm_cluster(
    jobs: int = 1,
    *,
    cores: int = 4,
    memory: str = "8GB",
    walltime: str = "02:00:00",
    queue: str | None = None,
    account: str | None = None,
    python: str | None = None,
    extra: list[str] | None = None,
    environment: dict[str, str] | None = None,
) -> Any:
    """A ``SLURMCluster`` asking for ``jobs`` jobs of ``cores`` single-threaded workers.

    Args:
        jobs: the jobs to submit (``cluster.scale(jobs=...)``); 0 submits none yet.
        cores: cores (and Dask workers) per job.
        memory: memory per job, e.g. ``"8GB"``.
        walltime: the jobs' time limit, ``HH:MM:SS``.
        queue: the SLURM partition (``-p``).
        account: the SLURM account (``-A``).
        python: the Python that runs the workers (default: this one).
        extra: more ``#SBATCH`` directives, e.g. ``["--qos=short"]``.
        environment: variables each job exports before its workers start, e.g.
            :data:`negsim.sweeps.arithmetic.PIN_TO_AVX2`, so that nodes of different
            CPUs give the same records bit for bit (docs/experiments.md).
    """
    try:
        from dask_jobqueue import SLURMCluster
    except ImportError:
        raise ExperimentError(
            "a SLURM cluster needs dask-jobqueue: pip install 'negsim[slurm]'"
        ) from None
    options: dict[str, Any] = {
        "cores": cores,
        "processes": cores,
        "memory": memory,
        "walltime": walltime,
        "queue": queue,
        "account": account,
        "job_extra_directives": list(extra or []),
        "job_script_prologue": [
            f"export {name}={shlex.quote(value)}" for name, value in (environment or {}).items()
        ],
        "scheduler_options": {"dashboard_address": None},
    }
    if python is not None:
        options["python"] = python
    cluster = SLURMCluster(**options)
    if jobs:
        cluster.scale(jobs=jobs)
    return cluster


def job_script(**options: Any) -> str:
    """The batch script :func:`slurm_cluster` would submit (no job is submitted)."""
    cluster = slurm_cluster(0, **options)
    try:
        return str(cluster.job_script())
    finally:
        cluster.close()
