"""Run the security_reliance experiment into results/security_reliance/.

Runs only what is missing from results/security_reliance/ (the sweep resumes), so it can be
stopped and run again. Extra arguments go to `negsim sweep`, for example::

    python experiments/security_reliance.py --replications 20 --workers 2
    python experiments/security_reliance.py --overwrite       # start again from nothing
"""

from __future__ import annotations

import sys
from pathlib import Path

from negsim.cli import main

NAME = "security_reliance"
HERE = Path(__file__).resolve().parent


def sweep(args: list[str]) -> int:
    resume = [] if "--overwrite" in args or "--resume" in args else ["--resume"]
    out = ["--out", str(HERE.parent / "results" / NAME)] if "--out" not in args else []
    return main(["sweep", str(HERE / f"{NAME}.toml"), *out, *resume, *args])


if __name__ == "__main__":
    sys.exit(sweep(sys.argv[1:]))
