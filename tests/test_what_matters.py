"""what_matters.py --help shows the options and runs none of its steps."""

from __future__ import annotations

import subprocess
import sys


def test_what_matters_help_runs_nothing(experiment):
    script = experiment("what_matters")
    report = script.RESULTS / "what_matters_sobol" / "report.md"
    before = report.stat().st_mtime_ns
    done = subprocess.run(
        [sys.executable, script.__file__, "--help"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and "--workers" in done.stdout and "Morris" in done.stdout
    assert report.stat().st_mtime_ns == before  # no step ran, no report rewritten
