"""The ``negsim`` command line: ``run``, ``sweep``, ``compare``, ``scenarios``.

Every command reports bad input as one line on stderr, ``negsim: error: ...``,
and exits with status 2, without a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from negsim.cli.economy import economy_command
from negsim.negotiation.protocols import PROTOCOLS
from negsim.scenarios import (
    ScenarioError,
    builtin_scenarios,
    load_scenario,
    parameters,
    parse_assignment,
)


class UserError(Exception):
    """Bad input from the user: reported as one line, exit status 2."""


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="negsim")
def cli() -> None:
    """Agent-based simulator of trade negotiations (US, Japan, China, 2018).

    \b
    Examples:
      negsim scenarios                       # list built-in scenarios
      negsim scenarios show tag2018          # every parameter with path, value, unit
      negsim run --protocol bilateral --seed 7
      negsim run --protocol multilateral --seed 7 --set JP.security.reliance.US=0.95 --json
      negsim sweep bilateral_vs_multilateral --resume   # experiments/NAME.toml -> results/NAME/
      negsim compare results/bilateral_vs_multilateral     # statistics, figures, report.md
      negsim validate                                   # theory and 2018-2020 checks
    """


@cli.group(invoke_without_command=True)
@click.pass_context
def scenarios(ctx: click.Context) -> None:
    """List built-in scenarios, or show one with `negsim scenarios show NAME`.

    \b
    Examples:
      negsim scenarios
      negsim scenarios show tag2018
      negsim scenarios show my_scenario.toml
    """
    if ctx.invoked_subcommand is None:
        for name in builtin_scenarios():
            scenario = load_scenario(name)
            click.echo(f"{name:12s} {scenario.description}")


@scenarios.command("show")
@click.argument("name")
def scenarios_show(name: str) -> None:
    """Print every parameter of scenario NAME (a built-in name or a TOML path).

    Each line holds the dotted path (usable with `negsim run --set PATH=VALUE`),
    the value and its unit.

    \b
    Examples:
      negsim scenarios show tag2018
      negsim scenarios show tag2018 | grep security
    """
    scenario = load_scenario(name)
    rows = parameters(scenario)
    width = max(len(path) for path, _, _ in rows)
    for path, value, unit in rows:
        shown = value if not isinstance(value, float) else f"{value:g}"
        click.echo(f"{path:<{width}}  {shown!s:<14} {unit}".rstrip())


@cli.command("run")
@click.option(
    "--scenario", default="tag2018", show_default=True, help="Built-in name or TOML path."
)
@click.option("--protocol", type=click.Choice(PROTOCOLS), default="bilateral", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the model's rng.")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a parameter by dotted path (repeatable).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the outcome record as one JSON object."
)
@click.option("--trace", is_flag=True, help="Print the round-by-round table.")
def run_command(
    scenario: str,
    protocol: str,
    seed: int,
    assignments: tuple[str, ...],
    as_json: bool,
    trace: bool,
) -> None:
    """Run one negotiation and print what happened.

    \b
    Examples:
      negsim run --protocol bilateral --seed 7
      negsim run --protocol multilateral --seed 7 --json
      negsim run --seed 3 --set JP.security.reliance.US=0.95 --set US.politics.salience_peak=0.5
      negsim run --seed 3 --trace
    """
    import json

    from negsim.negotiation.model import NegotiationModel
    from negsim.record.outcome import summary, trace_table

    overrides = dict(parse_assignment(text) for text in assignments)
    loaded = load_scenario(scenario, overrides)
    model = NegotiationModel(loaded, protocol=protocol, rng=seed, collect="rounds")
    outcome = model.run()
    if as_json:
        record = outcome.to_record()
        click.echo(json.dumps({k: (None if v != v else v) for k, v in record.items()}))
        return
    if trace:
        click.echo(trace_table(model))
        click.echo()
    click.echo(summary(outcome))


@cli.command("validate")
@click.option("--seeds", type=click.IntRange(min=1), default=200, show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("docs/validation.md"),
    show_default=True,
    help="Report path; figures go to figures/ beside it.",
)
def validate_command(seeds: int, out: Path) -> None:
    """Check the model against bargaining theory and the 2018-2020 record.

    Runs tag2018 under both protocols for SEEDS seeds, measures each stylised fact,
    and writes the report with its figures.

    \b
    Examples:
      negsim validate
      negsim validate --seeds 500 --out /tmp/validation.md
    """
    from negsim import validation

    records = validation.simulate_records(seeds)
    checks = validation.theory_checks() + validation.run_checks(records)
    names = validation.figures(records, out.parent / "figures")
    validation.write_report(checks, out, names, seeds)
    for check in checks:
        click.echo(f"{check.verdict:9s} {check.group}: {check.name}")
    click.echo(f"wrote {out}")


# ---------------------------------------------------------------------------
# sweep (negsim.sweeps.experiment)


@cli.command("sweep")
@click.argument("experiment")
@click.option("--replications", type=click.IntRange(min=1), help="Runs per design point and arm.")
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    help="Worker processes (0: in this process); default: all CPUs.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS|local",
    help="Run on Dask: a scheduler tcp://HOST:PORT, or 'local' to start a local cluster.",
)
@click.option("--resume", is_flag=True, help="Run only the runs missing from the results folder.")
@click.option("--out", type=click.Path(file_okay=False), help="Results folder [results/NAME].")
@click.option("--overwrite", is_flag=True, help="Delete the results already in --out, then run.")
@click.option("--arm", "arms", multiple=True, help="Run only this arm (repeatable).")
@click.option("--chunk-size", type=click.IntRange(min=1), help="Runs per task sent to a worker.")
@click.option(
    "--rows-per-file",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Runs per Parquet chunk file.",
)
def sweep(
    experiment: str,
    replications: int | None,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    out: str | None,
    overwrite: bool,
    arms: tuple[str, ...],
    chunk_size: int | None,
    rows_per_file: int,
) -> None:
    """Run EXPERIMENT (a TOML file, or NAME for experiments/NAME.toml) into a results folder.

    Writes Parquet chunk files and manifest.json to results/NAME/ as runs finish;
    read them with negsim.load_results(). A run that fails is recorded with
    status "error" and the sweep goes on.

    \b
    Examples:
      negsim sweep bilateral_vs_multilateral --resume     # complete results/NAME
      negsim sweep experiments/escalation.toml --replications 5 --out /tmp/esc
      negsim sweep my_study.toml --workers 2 --resume      # after an interruption
      negsim sweep election_pressure --scheduler tcp://10.0.0.5:8786 --resume
      negsim sweep security_reliance --scheduler local --out /tmp/sec
    """
    from negsim.sweeps.experiment import ExperimentError, resolve_experiment, run_experiment

    try:
        summary = run_experiment(
            resolve_experiment(experiment),
            out=out,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            overwrite=overwrite,
            replications=replications,
            arms=list(arms) or None,
            chunk_size=chunk_size,
            rows_per_file=rows_per_file,
            progress=None,
        )
    except ExperimentError as exc:
        raise UserError(str(exc)) from None
    for warning in summary.warnings:
        click.echo(f"negsim: warning: {warning}", err=True)
    click.echo(summary.line())


# --------------------------------------------------------------------------- compare
# `negsim compare` (issue 5): statistics, figures and a report from a results folder.
# The work is in negsim.analysis, imported lazily so other commands start fast.


@cli.command("compare")
@click.argument("results", type=click.Path(path_type=Path))
@click.argument("more_metrics", nargs=-1, metavar="")
@click.option("--by", default="arm", show_default=True, help="Column whose values are the arms.")
@click.option(
    "--metrics",
    "-m",
    multiple=True,
    metavar="M ...",
    help="Metrics or patterns (utility.*), space- or comma-separated. "
    "Default: payoffs, agreement, escalation, welfare, balances, nash_gap, varying tariffs.",
)
@click.option("--baseline", help="Reference arm. Default: the manifest's first arm.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for report.md, comparison.csv and figures/. Default: RESULTS.",
)
@click.option("--resamples", default=9999, show_default=True, type=click.IntRange(min=100))
@click.option("--seed", default=20180926, show_default=True, help="Bootstrap seed.")
def compare(
    results: Path,
    more_metrics: tuple[str, ...],
    by: str,
    metrics: tuple[str, ...],
    baseline: str | None,
    out: Path | None,
    resamples: int,
    seed: int,
) -> None:
    """Compare outcome distributions between arms of the experiment in RESULTS.

    RESULTS is a results folder, or an experiment's name for results/NAME.

    Writes report.md, comparison.csv, summary.csv and figures/*.png (ECDFs and violins
    per metric, sweep curves, who gains what) and prints the largest effects.

    \b
    Examples:
      negsim compare results/bilateral_vs_multilateral
      negsim compare security_reliance          # = results/security_reliance
      negsim compare results/bilateral_vs_multilateral --metrics utility.JP agreement
      negsim compare escalation --by protocol --metrics 'utility.*' --out /tmp/rep
    """
    from negsim import analysis

    if more_metrics and not metrics:
        raise UserError(f"unexpected argument {more_metrics[0]!r} (one RESULTS folder only)")
    try:
        folder = out or analysis.results_folder(results)
        table = analysis.report(
            results,
            out,
            by,
            [*metrics, *more_metrics] or None,
            baseline=baseline,
            n_resamples=resamples,
            seed=seed,
        )
    except analysis.AnalysisError as exc:
        raise UserError(str(exc)) from exc
    folder = folder.parent if folder.is_file() else folder
    click.echo(f"wrote {folder / 'report.md'}, comparison.csv and figures/")
    for sentence in analysis.effect_sentences(table, by):
        click.echo(f"- {sentence}")


# --------------------------------------------------------------------------- end compare

cli.add_command(economy_command)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``negsim`` console script; returns the exit status."""
    try:
        cli.main(args=argv, prog_name="negsim", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        return 0
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        click.echo(f"negsim: error: {exc.format_message()}{hint}", err=True)
        return 2
    except (ScenarioError, UserError) as exc:
        click.echo(f"negsim: error: {exc}", err=True)
        return 2
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort:
        click.echo("negsim: aborted", err=True)
        return 130
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
