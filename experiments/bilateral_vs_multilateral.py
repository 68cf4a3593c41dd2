"""Run the bilateral_vs_multilateral experiment into results/bilateral_vs_multilateral/.

Runs only what is missing from results/bilateral_vs_multilateral/ (the sweep resumes), so it can be
stopped and run again, then writes its report (`negsim compare`): report.md, comparison.csv
and figures beside the results. Extra arguments go to `negsim sweep`, for example::

    python experiments/bilateral_vs_multilateral.py --replications 20 --workers 2
    python experiments/bilateral_vs_multilateral.py --overwrite       # start again from nothing
    python experiments/bilateral_vs_multilateral.py --no-report     # the sweep only
"""

from __future__ import annotations

import sys

from _runner import run

if __name__ == "__main__":
    sys.exit(run("bilateral_vs_multilateral"))
