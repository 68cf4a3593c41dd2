"""Run the election_pressure experiment into results/election_pressure/.

Runs only what is missing from results/election_pressure/ (the sweep resumes), so it can be
stopped and run again, then writes its report (`negsim compare`): report.md, comparison.csv
and figures beside the results. Extra arguments go to `negsim sweep`, for example::

    python experiments/election_pressure.py --replications 20 --workers 2
    python experiments/election_pressure.py --overwrite       # start again from nothing
    python experiments/election_pressure.py --no-report     # the sweep only
"""

from __future__ import annotations

import sys

from _runner import run

if __name__ == "__main__":
    sys.exit(run("election_pressure"))
