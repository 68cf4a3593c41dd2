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
NAMES = [
    "bilateral_vs_multilateral",
    "security_reliance",
    "election_pressure",
    "escalation",
    "what_matters",
    "what_matters_sobol",
]


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


def test_readme_headline_numbers_come_from_the_committed_report():
    import pandas as pd

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What the headline experiment found", 1)[1].split("\n## ", 1)[0]
    text = " ".join(section.split())
    folder = REPO / "results" / "bilateral_vs_multilateral"
    table = pd.read_csv(folder / "comparison.csv").set_index("metric")
    cn, us, jp = (table.loc[f"utility.{c}"] for c in ("CN", "US", "JP"))
    esc = table.loc["escalation"]
    expected = [
        f"the US gains most, +{us.diff_mean:.2f}% of its GDP [95% CI {us.diff_mean_lo:.2f}, "
        f"{us.diff_mean_hi:.2f}]",
        f"(Cliff's δ {us.cliffs_delta:.2f})",
        f"China gains +{cn.diff_mean:.2f}% [{cn.diff_mean_lo:.2f}, {cn.diff_mean_hi:.2f}] "
        f"(δ {cn.cliffs_delta:.2f})",
        f"Japan loses {-jp.diff_mean:.2f}% (δ −{-jp.cliffs_delta:.2f})",
        f"(escalation in {100 * esc.mean_arm:.0f}% against {100 * esc.mean_baseline:.0f}% of runs)",
    ]
    for figure in expected:
        assert figure in text, f"README.md's headline does not say {figure!r} (comparison.csv)"
    assert "results/bilateral_vs_multilateral/report.md" in text
