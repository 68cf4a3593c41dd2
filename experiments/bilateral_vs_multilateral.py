"""Run the bilateral_vs_multilateral experiment into results/bilateral_vs_multilateral/.

Runs only what is missing from results/bilateral_vs_multilateral/ (the sweep resumes), so it can be
stopped and run again. Extra arguments go to `negsim sweep`, for example::

    python experiments/bilateral_vs_multilateral.py --replications 20 --workers 2
    python experiments/bilateral_vs_multilateral.py --overwrite       # start again from nothing
"""

from __future__ import annotations

import sys
from pathlib import Path

from negsim.cli import main

NAME = "bilateral_vs_multilateral"
HERE = Path(__file__).resolve().parent


def sweep(args: list[str]) -> int:
    resume = [] if "--overwrite" in args or "--resume" in args else ["--resume"]
    out = ["--out", str(HERE.parent / "results" / NAME)] if "--out" not in args else []
    return main(["sweep", str(HERE / f"{NAME}.toml"), *out, *resume, *args])


if __name__ == "__main__":
    sys.exit(sweep(sys.argv[1:]))
