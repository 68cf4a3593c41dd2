"""PRIM scenario discovery on runs whose cases of interest lie in a known box."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import negsim
from negsim.analysis import AnalysisError
from negsim.analysis.discovery import choose_step, discover
from negsim.cli import main


def _runs(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "param.a": rng.random(n),
            "param.b": rng.random(n),
            "param.c": rng.random(n),
            "param.fixed": 1.0,
            "status": "ok",
        }
    )
    # the outcome is 1 exactly in the box a > 0.6 and b < 0.3; c does not matter
    frame["y"] = ((frame["param.a"] > 0.6) & (frame["param.b"] < 0.3)).astype(float)
    return frame


def test_prim_finds_the_box():
    found = discover(_runs(), "y", above=0.5)
    limits = found.limits.set_index("parameter")
    assert limits.loc["a", "low"] == pytest.approx(0.6, abs=0.03)
    assert limits.loc["b", "high"] == pytest.approx(0.3, abs=0.03)
    assert pd.isna(limits.loc["a", "high"]) and pd.isna(limits.loc["b", "low"])
    assert "c" not in limits.index and "fixed" not in limits.index
    step = found.trajectory.iloc[found.chosen]
    assert step["density"] > 0.9 and step["coverage"] > 0.9
    # the box holds 0.4 * 0.3 = 12% of all runs
    assert step["mass"] == pytest.approx(0.12, abs=0.02)
    assert "a >= 0.6" in found.sentence and "b <= 0.3" in found.sentence
    assert found.scores.index[-1] == "c"  # the parameter that does not matter scores least


def test_below_is_the_complement():
    found = discover(_runs(), "y", below=0.5)
    assert found.cases == int((_runs()["y"] < 0.5).sum())


def test_choose_step_prefers_dense_then_simple():
    trajectory = pd.DataFrame(
        {
            "coverage": [1.0, 0.9, 0.8, 0.4],
            "density": [0.3, 0.80, 0.81, 1.0],
            "mass": [1.0, 0.3, 0.25, 0.1],
            "res dim": [0, 1, 2, 3],
        }
    )
    # step 3 covers too little; steps 1 and 2 are within 0.02 in density: 1 restricts less
    assert choose_step(trajectory, 0.5) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"metric": "nope", "above": 0.5}, "unknown metric"),
        ({"metric": "y", "above": 1.0}, "outside the range"),
        ({"metric": "y", "below": 0.0}, "outside the range"),
        ({"metric": "y"}, "exactly one of"),
        ({"metric": "y", "above": float("nan")}, "--above nan: must be a finite number"),
        ({"metric": "y", "below": float("inf")}, "--below inf: must be a finite number"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(AnalysisError, match=message):
        discover(_runs(), **kwargs)


def test_too_few_runs():
    with pytest.raises(AnalysisError, match="at least 50"):
        discover(_runs(n=30), "y", above=0.5)


LHS_TOML = """
name = "tiny_lhs"
scenario = "tag2018"
replications = 1
root_seed = 5

[arms.bilateral]
protocol = "bilateral"

[design]
kind = "lhs"
samples = 80

[design.parameters]
"threats.us_china_list3.level" = { low = 0.1, high = 0.6 }
"JP.security.reliance.US" = { low = 0.5, high = 0.95 }
"""


def test_discover_command_on_a_sweep(tmp_path, capsys):
    path = tmp_path / "tiny_lhs.toml"
    path.write_text(LHS_TOML)
    out = tmp_path / "res"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "0"]) == 0
    capsys.readouterr()
    # a threshold at the median leaves about half the runs on each side, whatever the model
    metric = "utility.US"
    cut = float(negsim.load_results(out)[metric].median())
    assert main(["discover", str(out), "--metric", metric, "--above", f"{cut}"]) == 0
    said = capsys.readouterr().out
    assert f"{metric} > {cut:g} in" in said
    text = (out / "report.md").read_text()
    assert f"## Where {metric} > {cut:g} (PRIM)" in text
    assert list((out / "figures").glob("discover_*.png"))
    # bad input: one line, exit 2
    assert main(["discover", str(out), "--metric", metric, "--above", "99"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "outside the range" in err
    assert main(["discover", str(out), "--metric", metric]) == 2


def test_a_parameter_that_is_not_a_number_is_kept_or_dropped_by_value():
    rng = np.random.default_rng(3)
    n = 600
    frame = pd.DataFrame(
        {
            "param.a": rng.random(n),
            "param.elections": rng.choice(["[2, 26]", "[20, 26]", "[5, 26]"], n),
            "status": "ok",
        }
    )
    frame["y"] = ((frame["param.a"] > 0.5) & (frame["param.elections"] == "[2, 26]")) * 1.0
    found = discover(frame, "y", above=0.5)
    assert "elections is [2, 26]" in found.sentence
    assert set(found.scores.index) == {"a", "elections"}


def test_discover_reads_the_derived_escalation_as_compare_does():
    # escalation is 1 where a threat was executed or a retaliation made (analysis.prepare)
    runs = _runs()
    runs["threats_executed"] = (runs["y"] > 0.5).astype(int)
    runs["retaliations"] = 0
    found = discover(runs, "escalation", above=0.5)
    assert found.cases == int((runs["y"] > 0.5).sum())
    assert found.limits.set_index("parameter").loc["a", "low"] == pytest.approx(0.6, abs=0.03)
