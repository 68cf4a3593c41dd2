"""Shared by the experiment scripts: run a sweep into results/<name>/, then its report.

``python experiments/<name>.py [OPTIONS]`` runs ``negsim sweep`` on ``<name>.toml``
with ``--resume`` (unless ``--overwrite`` is given), then ``negsim compare`` on the
folder it wrote (``report.md``, ``comparison.csv``, figures). ``--no-report`` skips
the report; the other options are those of ``negsim sweep`` (``--help`` lists them),
parsed by click from the sweep command itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from negsim.cli.compare import compare
from negsim.cli.errors import translated
from negsim.cli.main import main
from negsim.cli.sweep import sweep

HERE = Path(__file__).resolve().parent


def command(name: str) -> click.Command:
    """The click command of experiment ``name``: sweep (resuming), then report."""
    params = [p for p in sweep.params if p.name != "experiment"]
    params.append(click.Option(["--no-report"], is_flag=True, help="The sweep only."))

    def callback(no_report: bool, **options: Any) -> None:
        ctx = click.get_current_context()
        options["resume"] = options["resume"] or not options["overwrite"]
        options["out"] = options["out"] or HERE.parent / "results" / name
        with translated():
            ctx.invoke(sweep, experiment=str(HERE / f"{name}.toml"), **options)
            if not no_report:
                ctx.invoke(compare, results=options["out"])

    return click.Command(
        name,
        context_settings={"help_option_names": ["-h", "--help"]},
        params=params,
        callback=callback,
        help=f"Run experiments/{name}.toml into results/{name}/ (resuming), then its report.",
    )


def run(name: str, argv: list[str] | None = None) -> int:
    """Run experiment ``name``'s script with ``argv``; return the exit status."""
    return main(argv, command=command(name))
