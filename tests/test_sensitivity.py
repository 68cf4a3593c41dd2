"""Sobol' and Morris indices on functions whose indices are known in closed form."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from negsim.analysis import AnalysisError
from negsim.analysis import sensitivity as sa
from negsim.cli import main
from negsim.scenarios import load_scenario

BOUNDS = {"a": {"low": 0.0, "high": 1.0}, "b": {"low": 0.0, "high": 1.0}}


def _runs(points: np.ndarray, f, replications: int, noise: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    rows = []
    for d, (a, b) in enumerate(points):
        for r in range(replications):
            y = f(a, b) + noise * rng.normal()
            rows.append(
                {
                    "arm": "x",
                    "design_point": d,
                    "replication": r,
                    "status": "ok",
                    "param.a": a,
                    "param.b": b,
                    "y": y,
                }
            )
    return pd.DataFrame(rows)


def test_sobol_of_an_additive_function():
    from SALib.sample import sobol

    problem = sa.problem(BOUNDS)
    points = sobol.sample(problem, 1024, calc_second_order=False, seed=1)
    # y = 2a + b, a and b uniform on [0, 1]: Var = (4 + 1)/12, so S1 = ST = 0.8 and 0.2
    runs = _runs(points, lambda a, b: 2 * a + b, replications=3, noise=0.05)
    design = SimpleNamespace(kind="sobol", parameters=BOUNDS, second_order=False)
    result = sa.analyse(runs, design, "sobol", ["y"])
    table = result.table.set_index("parameter")
    assert table.loc["a", "S1"] == pytest.approx(0.8, abs=0.05)
    assert table.loc["b", "S1"] == pytest.approx(0.2, abs=0.05)
    assert table.loc["a", "ST"] == pytest.approx(0.8, abs=0.05)
    # noise of a mean: 0.05^2 / 3 against Var(2a + b) = 5/12
    assert result.noise["noise_share"].iloc[0] == pytest.approx(0.0025 / 3 / (5 / 12), rel=0.3)
    assert not [w for w in result.warnings if "negative" in w]


def test_sobol_warns_when_the_sample_is_too_small():
    from SALib.sample import sobol

    problem = sa.problem(BOUNDS)
    points = sobol.sample(problem, 4, calc_second_order=False, seed=1)
    runs = _runs(points, lambda a, b: a * b + np.sin(6 * a), replications=1, noise=0.3)
    design = SimpleNamespace(kind="sobol", parameters=BOUNDS, second_order=False)
    result = sa.analyse(runs, design, "sobol", ["y"])
    assert any("raise design.samples" in w for w in result.warnings)


def test_morris_of_a_linear_function():
    from SALib.sample import morris

    problem = sa.problem(BOUNDS)
    points = morris.sample(problem, 20, num_levels=4, seed=2)
    # y = 3a: every elementary effect of a is 3 and of b is 0, so mu* = 3, 0; sigma = 0
    runs = _runs(points, lambda a, b: 3 * a, replications=2, noise=0.0)
    design = SimpleNamespace(kind="morris", parameters=BOUNDS, levels=4)
    table = sa.analyse(runs, design, "morris", ["y"]).table.set_index("parameter")
    assert table.loc["a", "mu_star"] == pytest.approx(3.0)
    assert table.loc["b", "mu_star"] == pytest.approx(0.0)
    assert table.loc["a", "sigma"] == pytest.approx(0.0, abs=1e-9)


def test_wrong_design_and_unknown_metric():
    runs = _runs(np.array([[0.1, 0.2], [0.3, 0.4]]), lambda a, b: a, 1, 0.0)
    with pytest.raises(AnalysisError, match="kind = 'sobol'"):
        sa.analyse(runs, SimpleNamespace(kind="grid", parameters=BOUNDS), "sobol")
    with pytest.raises(AnalysisError, match="no \\[design\\]"):
        sa.check_design(None, "morris")
    design = SimpleNamespace(kind="sobol", parameters=BOUNDS, second_order=False)
    with pytest.raises(AnalysisError, match="unknown metric"):
        sa.analyse(runs, design, "sobol", ["nope"])


def test_missing_design_point_is_named():
    runs = _runs(np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]), lambda a, b: a, 1, 0.0)
    runs = runs[runs["design_point"] != 1]
    with pytest.raises(AnalysisError, match="design points \\[1\\]"):
        sa.point_means(runs, "y", 3)


SOBOL_TOML = """
name = "tiny_sobol"
scenario = "tag2018"
replications = 2
root_seed = 3

[arms.bilateral]
protocol = "bilateral"

[design]
kind = "sobol"
samples = 8

[design.parameters]
"CN.security.reliance.US" = { low = 0.0, high = 0.6 }
"US.politics.audience_cost" = { low = 0.0, high = 0.2 }
"""


def test_sensitivity_command_sweeps_resumes_and_reports(tmp_path, capsys):
    path = tmp_path / "tiny_sobol.toml"
    path.write_text(SOBOL_TOML)
    out = tmp_path / "res"
    args = [
        "sensitivity",
        str(path),
        "--method",
        "sobol",
        "--out",
        str(out),
        "--workers",
        "0",
        "--metrics",
        "utility.CN,utility.US",
    ]
    assert main(args) == 0
    text = (out / "report.md").read_text()
    assert "## Sensitivity: Sobol' indices" in text
    table = pd.read_csv(out / "sensitivity_sobol.csv")
    # 2 metrics x 2 parameters
    assert len(table) == 4 and set(table["metric"]) == {"utility.CN", "utility.US"}
    assert (out / "figures" / "sensitivity_sobol.png").read_bytes()[:4] == b"\x89PNG"
    capsys.readouterr()
    assert main(args) == 0  # resumes: nothing left to run
    assert "0 runs" in capsys.readouterr().out
    assert text.count("sensitivity sobol: begin") == 1
    # the metrics spelt as negsim compare takes them (space-separated) give the same table
    spaced = [*args[:-1], "utility.CN", "utility.US", "--no-sweep"]
    assert main(spaced) == 0
    assert pd.read_csv(out / "sensitivity_sobol.csv").equals(table)
    # another bootstrap seed moves the intervals, not the indices
    assert main([*spaced, "--bootstrap-seed", "1", "--n-resamples", "200"]) == 0
    other = pd.read_csv(out / "sensitivity_sobol.csv")
    assert other["S1"].equals(table["S1"]) and not other["S1_conf"].equals(table["S1_conf"])
    # a metric that is not in the results: one line, exit 2
    capsys.readouterr()
    assert main([*args[:-1], "nope", "--no-sweep"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown metric 'nope'" in err


def test_sensitivity_needs_the_right_design(tmp_path, capsys):
    path = tmp_path / "tiny_sobol.toml"
    path.write_text(SOBOL_TOML)
    assert main(["sensitivity", str(path), "--method", "morris", "--no-sweep"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "kind = 'morris'" in err


def test_what_matters_screens_every_listed_parameter():
    from pathlib import Path

    from negsim.sweeps import Experiment

    root = Path(__file__).resolve().parents[1]
    exp = Experiment.from_file(root / "experiments" / "what_matters.toml")
    assert exp.design.kind == "morris"
    d = len(exp.design.parameters)
    # r trajectories of d + 1 points each (Morris 1991)
    assert exp.design.size() == exp.design.trajectories * (d + 1)
    for spec in exp.design.parameters.values():
        assert spec.low < spec.high


def test_the_help_examples_name_experiments_of_their_method(monkeypatch):
    import re
    from pathlib import Path

    from click.testing import CliRunner

    from negsim.cli.main import cli
    from negsim.sweeps import Experiment, resolve_experiment

    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    text = CliRunner().invoke(cli, ["sensitivity", "--help"]).output
    examples = re.findall(r"negsim sensitivity (\S+) --method (\w+)", text)
    assert len(examples) == 3
    for name, method in examples:
        if name.startswith("my_"):  # the user's own file
            continue
        assert Experiment.from_file(resolve_experiment(name)).design.kind == method


def test_sensitivity_refuses_a_metric_no_run_records_before_running(tmp_path, capsys):
    path = tmp_path / "tiny_sobol.toml"
    path.write_text(SOBOL_TOML)
    out = tmp_path / "res"
    args = ["sensitivity", str(path), "--method", "sobol", "--out", str(out), "--workers", "0"]
    assert main([*args, "--metrics", "utlity.US"]) == 2
    err = capsys.readouterr().err
    assert "unknown metric 'utlity.US' (did you mean 'utility.US'?)" in err
    assert not out.exists()  # nothing ran
    assert main([*args, "--no-sweep", "--overwrite"]) == 2
    assert "--overwrite and --no-sweep exclude each other" in capsys.readouterr().err
    # the metrics the analysis derives are known before any run too
    sa.check_metrics(load_scenario("tag2018"), ["escalation", "coerced.*"])
