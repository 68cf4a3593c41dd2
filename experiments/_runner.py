"""Shared by the experiment scripts: run a sweep into results/<name>/, then its report.

``python experiments/<name>.py [ARGS]`` runs ``negsim sweep`` on ``<name>.toml`` with
``--resume`` (unless ``--overwrite`` is given), then ``negsim compare`` on the folder it
wrote (``report.md``, ``comparison.csv``, figures). ``--no-report`` skips the report;
every other argument goes to ``negsim sweep``.
"""

from __future__ import annotations

from pathlib import Path

from negsim.cli import main

HERE = Path(__file__).resolve().parent


def run(name: str, args: list[str]) -> int:
    """Sweep experiment ``name`` (resuming) and write its report; return the exit status."""
    report = "--no-report" not in args
    args = [a for a in args if a != "--no-report"]
    resume = [] if "--overwrite" in args or "--resume" in args else ["--resume"]
    if "--out" in args:
        folder = Path(args[args.index("--out") + 1])
        out = []
    else:
        folder = HERE.parent / "results" / name
        out = ["--out", str(folder)]
    status = main(["sweep", str(HERE / f"{name}.toml"), *out, *resume, *args])
    if status == 0 and report:
        status = main(["compare", str(folder)])
    return status
