"""``negsim sensitivity`` (Sobol', Morris) and ``negsim discover`` (PRIM).

Registered on the ``negsim`` group in :mod:`negsim.cli.main`. Bad input is raised as
:class:`negsim.cli.errors.UserError`: one line, exit status 2.
"""

from __future__ import annotations

from pathlib import Path

import click

from negsim.cli.errors import UserError, renamed


def _user_error(message: str) -> Exception:
    return UserError(message)


@click.command("sensitivity")
@click.argument("experiment")
@click.argument("more_metrics", nargs=-1, metavar="")
@click.option("--method", type=click.Choice(["sobol", "morris"]), required=True)
@click.option(
    "--metrics",
    "-m",
    multiple=True,
    metavar="M ...",
    help="Metrics or patterns (utility.*), space- or comma-separated, or repeated. "
    "Default: agreement, threats_executed, retaliations, utility.*.",
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Results folder [results/NAME]."
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    help="Worker processes for the sweep (0: in this process).",
)
@click.option("--replications", type=click.IntRange(min=1), help="Runs per design point.")
@click.option("--no-sweep", is_flag=True, help="Analyse the folder as it is; run nothing.")
@click.option("--overwrite", is_flag=True, help="Delete the runs already in the folder first.")
@click.option(
    "--n-resamples",
    default=1000,
    show_default=True,
    type=click.IntRange(min=100, max=10**7),
    help="Resamples of SALib's bootstrap intervals.",
)
@click.option(
    "--bootstrap-seed",
    default=20180926,
    show_default=True,
    type=click.IntRange(min=0, max=2**63 - 1),
    help="Seed of the bootstrap's resampling.",
)
@click.option(
    "--resamples",
    type=int,
    hidden=True,
    expose_value=False,
    callback=renamed("--resamples", "--n-resamples", "the bootstrap's resamples"),
)
def sensitivity(
    experiment: str,
    more_metrics: tuple[str, ...],
    method: str,
    metrics: tuple[str, ...],
    out: Path | None,
    workers: int | None,
    replications: int | None,
    no_sweep: bool,
    overwrite: bool,
    n_resamples: int,
    bootstrap_seed: int,
) -> None:
    """Which parameters matter: Sobol' indices or Morris screening of EXPERIMENT.

    EXPERIMENT is a TOML file or NAME for experiments/NAME.toml, with a design of kind
    "sobol" (for --method sobol) or "morris" (for --method morris). Runs the sweep
    first, resuming (only the runs missing from the folder), then writes
    sensitivity_METHOD.csv, figures/sensitivity_METHOD.png and a section of report.md.

    \b
    Examples:
      negsim sensitivity what_matters --method morris
      negsim sensitivity what_matters_sobol --method sobol --metrics agreement,utility.JP
      negsim sensitivity my_sobol.toml --method sobol --workers 2 --out /tmp/s
    """
    from negsim.analysis import AnalysisError, load
    from negsim.analysis import sensitivity as sa
    from negsim.scenarios import scenario_from_dict
    from negsim.sweeps import Experiment, ExperimentError, resolve_experiment, run_experiment

    if more_metrics and not metrics:
        raise _user_error(f"unexpected argument {more_metrics[0]!r} (one EXPERIMENT only)")
    try:
        path = resolve_experiment(experiment)
        exp = Experiment.from_file(path)
        sa.check_design(exp.design, method)
        wanted = [*metrics, *more_metrics]
        sa.check_metrics(scenario_from_dict(exp.scenario_data(str(path))), wanted)
        if no_sweep and overwrite:
            raise _user_error("--overwrite and --no-sweep exclude each other: nothing would run")
        folder = out or Path("results") / exp.name
        if not no_sweep:
            summary = run_experiment(
                path,
                allow_other_files=_only_analysis_files(folder),
                out=folder,
                workers=workers,
                resume=not overwrite,
                overwrite=overwrite,
                replications=replications,
                progress=None,
            )
            click.echo(summary.line())
        runs, _ = load(folder)
        result = sa.analyse(
            runs,
            exp.design,
            method,
            wanted or None,
            n_resamples=n_resamples,
            bootstrap_seed=bootstrap_seed,
        )
        report = sa.write_report(result, folder, replications or exp.replications)
    except (AnalysisError, ExperimentError) as exc:
        raise _user_error(str(exc)) from None
    for warning in result.warnings[:SHOWN_WARNINGS]:
        click.echo(f"negsim: warning: {warning}", err=True)
    if len(result.warnings) > SHOWN_WARNINGS:
        more = len(result.warnings) - SHOWN_WARNINGS
        click.echo(f"negsim: warning: ... and {more} more in {report}", err=True)
    click.echo(f"wrote {folder / f'sensitivity_{method}.csv'}, figures/ and {report}")
    for name, value in sa.ranking(result).head(5).items():
        click.echo(f"- {name}: {value:.2f}")


ANALYSIS_PREFIXES = ("sensitivity_", "discover_")
SHOWN_WARNINGS = 8


def _only_analysis_files(folder: Path) -> bool:
    """True when the folder's files that a sweep did not write are all this module's."""
    from negsim.sweeps.folder import other_files

    return all(name.startswith(ANALYSIS_PREFIXES) for name in other_files(folder))


@click.command("discover")
@click.argument("results", type=click.Path(path_type=Path))
@click.option("--metric", required=True, help="The outcome, e.g. coerced.CN or utility.JP.")
@click.option("--above", type=float, help="Cases of interest: runs with METRIC above X.")
@click.option("--below", type=float, help="Cases of interest: runs with METRIC below X.")
@click.option(
    "--min-coverage",
    default=0.5,
    show_default=True,
    type=click.FloatRange(0, 1, min_open=True),
    help="The chosen box covers at least this share of the cases.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the figure, CSVs and report.md. Default: RESULTS.",
)
def discover(
    results: Path,
    metric: str,
    above: float | None,
    below: float | None,
    min_coverage: float,
    out: Path | None,
) -> None:
    """Where in parameter space METRIC is above or below a threshold (PRIM).

    RESULTS is a results folder (or NAME for results/NAME). PRIM boxes over the runs'
    param.* columns; writes the peeling trajectory (coverage against density) as a
    figure, the box and feature scores as CSVs, and a section of report.md.

    \b
    Examples:
      negsim discover results/escalation --metric coerced.CN --above 0.5
      negsim discover what_matters --metric utility.JP --below 0
    """
    from negsim.analysis import AnalysisError
    from negsim.analysis.discovery import report_discovery

    if (above is None) == (below is None):
        raise _user_error("give exactly one of --above X or --below X")
    try:
        found, folder = report_discovery(results, metric, above, below, out, min_coverage)
    except AnalysisError as exc:
        raise _user_error(str(exc)) from None
    click.echo(found.sentence)
    click.echo(f"wrote {folder / 'report.md'} and figures/")
