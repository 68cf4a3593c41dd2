"""Run the escalation experiment into results/escalation/.

Runs only what is missing from results/escalation/ (the sweep resumes), so it can be
stopped and run again, then writes its report (`negsim compare`): report.md, comparison.csv
and figures beside the results. Extra arguments go to `negsim sweep`, for example::

    python experiments/escalation.py --replications 20 --workers 2
    python experiments/escalation.py --overwrite       # start again from nothing
    python experiments/escalation.py --no-report     # the sweep only
"""

from __future__ import annotations

import sys

from _runner import run

if __name__ == "__main__":
    sys.exit(run("escalation"))
