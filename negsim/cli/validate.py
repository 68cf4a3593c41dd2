"""``negsim validate``: the model against bargaining theory and the 2018-2020 record."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import click

from negsim.cli.errors import UserError, path_option, renamed
from negsim.sweeps.atomic import staged_folder
from negsim.validation.statics import SEEDS


@click.command("validate")
@click.option(
    "--runs",
    type=click.IntRange(min=1, max=1_000_000),
    default=200,
    show_default=True,
    help="Runs per protocol (seeds 0 .. RUNS-1).",
)
@click.option(
    "--seeds",
    type=int,
    hidden=True,
    expose_value=False,
    callback=renamed("--seeds", "--runs", "a count of runs"),
)
@click.option(
    "--statics-runs",
    type=click.IntRange(min=2, max=1_000_000),
    default=SEEDS,
    show_default=True,
    help="Paired runs per point of the comparative statics (fewer for a quick look).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default="docs/validation.md",
    callback=path_option,
    show_default=True,
    help="Report path; figures go to figures/ beside it.",
)
def validate_command(runs: int, statics_runs: int, out: Path) -> None:
    """Check the model against bargaining theory and the 2018-2020 record.

    Runs tag2018 under both protocols for RUNS seeds, measures each stylised fact,
    runs each mechanism's comparative static on STATICS_RUNS paired seeds, and writes
    the report with its figures (docs/validation.md: --runs 500, STATICS_RUNS as default).

    \b
    Examples:
      negsim validate
      negsim validate --runs 500 --out /tmp/validation.md
      negsim validate --runs 20 --statics-runs 20 --out /tmp/quick/validation.md
    """
    from negsim import validation

    writable_folder(out)  # before the runs, not after them
    records = validation.simulate_records(runs)
    checks = validation.theory_checks() + validation.run_checks(records, statics_runs=statics_runs)
    with staged_folder(out.parent) as staging:  # the report and figures whole, or unchanged
        names = validation.figures(records, staging / "figures")
        validation.write_report(checks, staging / out.name, names, runs)
    for check in checks:
        outcome = re.match(r"`([^`]+)`", check.reference)  # a static names its outcome
        shown = f"{check.name}: {outcome.group(1)}" if outcome else check.name
        click.echo(f"{check.verdict:9s} {check.group}: {shown}")
    click.echo(validation.summary_line(checks))
    click.echo(f"wrote {out}")


def writable_folder(out: Path) -> None:
    """Make sure the report's folder exists and takes files; else one line saying why."""
    folder = out.parent
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--out {out}: {folder} is not a folder; give a report path in a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise UserError(
            f"--out {out}: cannot write in {folder} ({exc.strerror}); "
            "give a report path in a folder you can write"
        ) from None
