"""Run the security_reliance experiment into results/security_reliance/.

Runs only what is missing from results/security_reliance/ (the sweep resumes), so it can be
stopped and run again, then writes its report (`negsim compare`): report.md, comparison.csv
and figures beside the results. Extra arguments go to `negsim sweep`, for example::

    python experiments/security_reliance.py --replications 20 --workers 2
    python experiments/security_reliance.py --overwrite       # start again from nothing
    python experiments/security_reliance.py --no-report     # the sweep only
"""

from __future__ import annotations

import sys

from _runner import run

if __name__ == "__main__":
    sys.exit(run("security_reliance"))
