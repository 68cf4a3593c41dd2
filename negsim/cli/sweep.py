"""``negsim sweep``: run an experiment into a results folder (:mod:`negsim.sweeps`)."""

from __future__ import annotations

from typing import Any

import click

from negsim.cli.errors import path_option


class ShardType(click.ParamType):
    """``I/N``: shard I (0-based) of N."""

    name = "I/N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Parse ``I/N`` into ``(I, N)`` with ``0 <= I < N``."""
        if isinstance(value, tuple):
            return value
        try:
            i, n = (int(part) for part in str(value).split("/"))
        except ValueError:
            self.fail(f"{value!r}: expected I/N, e.g. 0/4 (shard I of N, I from 0)", param, ctx)
        if not (n >= 1 and 0 <= i < n):
            self.fail(f"{value!r}: needs 0 <= I < N", param, ctx)
        return (i, n)


@click.command("sweep")
@click.argument("experiment")
@click.option(
    "--replications", type=click.IntRange(min=1, max=10**9), help="Runs per design point and arm."
)
@click.option(
    "--workers",
    type=click.IntRange(min=0, max=4096),
    help="Worker processes (0: in this process); default: all CPUs.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS|local",
    help="Run on Dask: a scheduler tcp://HOST:PORT, or 'local' to start a local cluster.",
)
@click.option(
    "--scheduler-file",
    type=click.Path(dir_okay=False),
    help="Run on the Dask scheduler described in this file (dask scheduler --scheduler-file).",
)
@click.option("--resume", is_flag=True, help="Run only the runs missing from the results folder.")
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    callback=path_option,
    help="Results folder [results/NAME].",
)
@click.option("--overwrite", is_flag=True, help="Delete the results already in --out, then run.")
@click.option("--arm", "arms", multiple=True, help="Run only this arm (repeatable).")
@click.option(
    "--shard",
    type=ShardType(),
    help="Run only shard I of N (0-based; e.g. $SLURM_ARRAY_TASK_ID/N) into the same --out.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True, max=1e9),
    help="Seconds a run may take; a slower run is recorded as an error.",
)
@click.option("--chunk-size", type=click.IntRange(min=1, max=10**6), help="Runs per task.")
@click.option(
    "--rows-per-file",
    type=click.IntRange(min=1, max=10**7),
    default=1000,
    show_default=True,
    help="Runs per Parquet part.",
)
@click.option("--allow-other-files", is_flag=True, help="Accept an --out that holds other files.")
def sweep(experiment: str, **options: Any) -> None:
    """Run EXPERIMENT (a TOML file, or NAME for experiments/NAME.toml) into a results folder.

    Writes Parquet parts and manifest.json to results/NAME/ as runs finish;
    read them with negsim.load_results(). A run that fails is recorded with
    status "error" and the sweep goes on. One sweep writes a folder at a time
    (shards of one job array excepted).

    \b
    Examples:
      negsim sweep bilateral_vs_multilateral --resume     # complete results/NAME
      negsim sweep experiments/escalation.toml --replications 5 --out /tmp/esc
      negsim sweep my_study.toml --workers 2 --resume      # after an interruption
      negsim sweep election_pressure --scheduler tcp://10.0.0.5:8786 --resume
      negsim sweep election_pressure --scheduler-file ~/scheduler.json --resume
      negsim sweep security_reliance --shard 3/8 --workers 4   # one job of an array
    """
    from negsim.sweeps import resolve_experiment, run_experiment

    arms = options.pop("arms")
    summary = run_experiment(
        resolve_experiment(experiment), arms=list(arms) or None, progress=None, **options
    )
    for warning in summary.warnings:
        click.echo(f"negsim: warning: {warning}", err=True)
    click.echo(summary.line())
