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
        f"the US {_change(us)} of its GDP [95% CI {_interval(us)}]",
        f"(Cliff's δ {_signed(us.cliffs_delta)})",
        f"China {_change(cn)} [{_interval(cn)}] (δ {_signed(cn.cliffs_delta)})",
        f"Japan {_change(jp)} [{_interval(jp)}] (δ {_signed(jp.cliffs_delta)})",
        f"(escalation in {100 * esc.mean_arm:.0f}% against {100 * esc.mean_baseline:.0f}% of runs)",
    ]
    for figure in expected:
        assert figure in text, f"README.md's headline does not say {figure!r} (comparison.csv)"
    assert "results/bilateral_vs_multilateral/report.md" in text


def _change(row) -> str:
    """'gains +0.20%' or 'loses 0.41%': the mean difference in words, as the README says it."""
    value = row.diff_mean
    return f"gains +{value:.2f}%" if value >= 0 else f"loses {-value:.2f}%"


def _interval(row) -> str:
    """The 95% interval of the difference, as magnitudes in the direction of the change."""
    lo, hi = row.diff_mean_lo, row.diff_mean_hi
    return f"{lo:.2f}, {hi:.2f}" if row.diff_mean >= 0 else f"{-hi:.2f}, {-lo:.2f}"


def _signed(value: float) -> str:
    """A signed number with a typographic minus, as the README prints Cliff's delta."""
    return f"{value:.2f}" if value >= 0 else f"−{-value:.2f}"
