"""Experiments: definitions, paired seeds, executors, the results store, the sweep CLI."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import negsim
from negsim.cli import main
from negsim.sweeps import Experiment, ExperimentError, run_experiment
from negsim.sweeps.distributions import parse_distribution
from negsim.sweeps.runs import RunSpec, run_one
from negsim.sweeps.seeds import perturbation_rng, run_seed

REPO = Path(__file__).resolve().parents[1]

SMALL = {
    "name": "small",
    "scenario": "tag2018",
    "replications": 3,
    "root_seed": 11,
    "arms": {
        "bilateral": {"protocol": "bilateral"},
        "multilateral": {"protocol": "multilateral"},
    },
    "design": {"parameters": {"US.politics.salience_peak": [0.0, 1.2]}},
    "perturbations": {"JP.security.reliance.US": {"dist": "uniform", "low": 0.6, "high": 0.95}},
}


def small(**changes) -> Experiment:
    return Experiment.from_dict({**SMALL, **changes})


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


def cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "negsim.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"},
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# ---------------------------------------------------------------------------
# definitions


def test_unquoted_dotted_keys_mean_the_same_as_quoted_paths(tmp_path):
    quoted = write(
        tmp_path / "a.toml",
        """
        name = "a"
        [arms.low]
        "JP.security.reliance.US" = 0.2
        [design.parameters]
        "US.politics.salience_peak" = [0.0, 1.0]
        [perturbations]
        "economy.elasticity" = { dist = "uniform", low = 3.0, high = 5.0 }
        """,
    )
    nested = write(
        tmp_path / "b.toml",
        """
        name = "a"
        [arms.low]
        JP.security.reliance.US = 0.2
        [design.parameters]
        US.politics.salience_peak = [0.0, 1.0]
        [perturbations]
        economy.elasticity = { dist = "uniform", low = 3.0, high = 5.0 }
        """,
    )
    a, b = Experiment.from_file(quoted), Experiment.from_file(nested)
    assert a == b
    assert a.arms == {"low": {"JP.security.reliance.US": 0.2}}
    assert list(a.perturbations) == ["economy.elasticity"]


def test_grid_is_the_product_first_parameter_slowest():
    exp = small(
        design={
            "parameters": {
                "JP.security.reliance.US": {"low": 0.0, "high": 1.0, "num": 3},
                "US.politics.salience_peak": [0.5, 2.0],
            }
        },
        perturbations={},
    )
    points = exp.design_points()
    assert [tuple(p.values()) for p in points] == [
        (0.0, 0.5),
        (0.0, 2.0),
        (0.5, 0.5),
        (0.5, 2.0),
        (1.0, 0.5),
        (1.0, 2.0),
    ]


def test_latin_hypercube_puts_one_point_in_each_stratum_and_is_seeded():
    design = {
        "kind": "lhs",
        "samples": 20,
        "parameters": {
            "JP.security.reliance.US": {"low": 0.0, "high": 1.0},
            "economy.elasticity": {"low": 2.5, "high": 6.0},
        },
    }
    exp = small(design=design, perturbations={})
    points = exp.design_points()
    assert len(points) == 20
    for path, (lo, hi) in {
        "JP.security.reliance.US": (0, 1),
        "economy.elasticity": (2.5, 6),
    }.items():
        values = np.array([p[path] for p in points])
        strata = np.floor((values - lo) / (hi - lo) * 20).astype(int)
        assert sorted(strata) == list(range(20))
    assert points == small(design=design, perturbations={}).design_points()
    assert points != small(design=design, perturbations={}, root_seed=12).design_points()


def test_sobol_design_has_saltelli_size():
    design = {
        "kind": "sobol",
        "samples": 8,
        "parameters": {
            "JP.security.reliance.US": {"low": 0.0, "high": 1.0},
            "economy.elasticity": {"low": 2.5, "high": 6.0},
        },
    }
    points = small(design=design, perturbations={}).design_points()
    assert len(points) == 8 * (2 + 2)
    assert all(2.5 <= p["economy.elasticity"] <= 6.0 for p in points)


@pytest.mark.parametrize(
    ("spec", "low", "high", "mean"),
    [
        ({"dist": "uniform", "low": 2.5, "high": 6.0}, 2.5, 6.0, 4.25),
        (
            {"dist": "truncnormal", "mean": 0.8, "sd": 0.2, "low": 0.6, "high": 0.95},
            0.6,
            0.95,
            None,
        ),
        ({"dist": "integers", "low": 1, "high": 4}, 1, 4, 2.5),
        ({"dist": "triangular", "low": 0.0, "mode": 0.2, "high": 1.0}, 0.0, 1.0, 0.4),
        ({"dist": "normal", "mean": 1.0, "sd": 0.1}, -np.inf, np.inf, 1.0),
    ],
)
def test_distributions_draw_inside_their_support_with_the_right_mean(spec, low, high, mean):
    dist = parse_distribution(spec)
    rng = np.random.default_rng(0)
    draws = np.array([dist.ppf(u) for u in rng.random(4000)])
    assert draws.min() >= low and draws.max() <= high
    if mean is not None:
        assert abs(draws.mean() - mean) < 0.03 * max(1.0, abs(mean))
    if spec["dist"] == "integers":
        assert set(draws) == {1, 2, 3, 4}


# ---------------------------------------------------------------------------
# seeds


def test_arms_are_paired_same_seed_and_same_draws():
    exp = small()
    spec = RunSpec(exp, exp.scenario_data(), dict(enumerate(exp.design_points())))
    bi, multi = run_one(spec, 1, 2, 0), run_one(spec, 1, 2, 1)
    assert bi["seed"] == multi["seed"] == run_seed(11, 1, 2)
    assert bi["param.JP.security.reliance.US"] == multi["param.JP.security.reliance.US"]
    assert bi["protocol"] == "bilateral" and multi["protocol"] == "multilateral"
    other = run_one(spec, 1, 1, 0)
    assert other["seed"] != bi["seed"]
    assert other["param.JP.security.reliance.US"] != bi["param.JP.security.reliance.US"]


def test_seeds_come_from_the_seed_sequence_tree_and_do_not_depend_on_replications():
    child = np.random.SeedSequence(5).spawn(3)[2].spawn(4)[1]
    expected = int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))
    assert run_seed(5, 2, 1) == expected
    draws = perturbation_rng(5, 2, 1).random(3)
    assert np.array_equal(draws, np.random.default_rng(child.spawn(1)[0]).random(3))


# ---------------------------------------------------------------------------
# executors and the store


def test_same_records_in_process_two_processes_and_dask(tmp_path):
    exp = small()
    run_experiment(exp, out=tmp_path / "inline", workers=0)
    run_experiment(exp, out=tmp_path / "procs", workers=2, chunk_size=1, rows_per_file=5)
    run_experiment(exp, out=tmp_path / "dask", workers=2, scheduler="local", chunk_size=2)
    inline = negsim.load_results(tmp_path / "inline")
    assert len(inline) == 2 * 3 * 2
    assert len(list((tmp_path / "procs").glob("part-*.parquet"))) == 3
    pd.testing.assert_frame_equal(inline, negsim.load_results(tmp_path / "procs"))
    pd.testing.assert_frame_equal(inline, negsim.load_results(tmp_path / "dask"))


def test_rows_carry_identity_params_and_record(tmp_path):
    run_experiment(small(), out=tmp_path, workers=0)
    df = negsim.load_results(tmp_path)
    assert list(df.columns[:7]) == [
        "experiment",
        "arm",
        "design_point",
        "replication",
        "seed",
        "status",
        "error",
    ]
    assert {"param.US.politics.salience_peak", "param.JP.security.reliance.US"} <= set(df.columns)
    assert (df["experiment"] == "small").all()
    assert list(df["arm"][:4]) == ["bilateral", "multilateral"] * 2
    assert df["param.JP.security.reliance.US"].between(0.6, 0.95).all()
    # each chunk file alone is already in run order with the same columns
    part = pd.read_parquet(next(tmp_path.glob("part-*.parquet")))
    assert list(part.columns) == list(df.columns)
    assert part[["design_point", "replication", "arm"]].equals(
        df[["design_point", "replication", "arm"]]
    )
    assert (df.groupby("design_point")["param.US.politics.salience_peak"].nunique() == 1).all()
    # each row is negsim.simulate's record for this row's parameters, protocol and seed
    for _, row in df.iloc[[0, 5, 11]].iterrows():
        scenario = negsim.load_scenario(
            "tag2018",
            {
                "JP.security.reliance.US": row["param.JP.security.reliance.US"],
                "US.politics.salience_peak": row["param.US.politics.salience_peak"],
            },
        )
        record = negsim.simulate(scenario, row["protocol"], int(row["seed"])).to_record()
        for key in ("rounds", "agreement", "utility.JP", "tariff.US.JP.autos", "alliance.US-JP"):
            assert row[key] == record[key], key
    assert df["protocol"].tolist() == df["arm"].tolist()
    manifest = df.attrs["manifest"]
    assert manifest["state"] == "complete"
    assert manifest["counts"] == {"runs": 12, "written": 12, "ok": 12, "errors": 0}
    assert manifest["design"] == [
        {"US.politics.salience_peak": 0.0},
        {"US.politics.salience_peak": 1.2},
    ]
    assert set(manifest["versions"]) >= {"negsim", "mesa", "numpy", "python"}
    sessions = [json.loads(line) for line in (tmp_path / "sessions.jsonl").read_text().splitlines()]
    assert len(sessions) == 1 and sessions[0]["started"] <= sessions[0]["ended"]
    assert sessions[0]["runs"] == 12


def test_a_run_that_raises_is_recorded_and_the_sweep_goes_on(tmp_path):
    # the schema allows elasticity up to 20: draws above it make the run raise
    exp = small(
        perturbations={"economy.elasticity": {"dist": "uniform", "low": 10.0, "high": 30.0}}
    )
    summary = run_experiment(exp, out=tmp_path, workers=0)
    df = negsim.load_results(tmp_path)
    failed = df["param.economy.elasticity"] > 20
    assert failed.any() and (~failed).any()
    assert (df.loc[failed, "status"] == "error").all()
    assert df.loc[failed, "error"].str.startswith("ScenarioError: ").all()
    assert df.loc[failed, "error"].str.contains("economy.elasticity").all()
    assert df.loc[failed, "utility.JP"].isna().all() and df.loc[~failed, "utility.JP"].notna().all()
    assert (df.loc[~failed, "status"] == "ok").all() and df.loc[~failed, "error"].isna().all()
    assert summary.errors == failed.sum() and summary.ok == (~failed).sum()
    assert df.attrs["manifest"]["counts"]["errors"] == failed.sum()
    assert "errors" in summary.line()


def test_resume_runs_only_the_missing_runs(tmp_path):
    exp = small()
    run_experiment(exp, out=tmp_path / "whole", workers=0)
    part = tmp_path / "part"
    run_experiment(exp, out=part, workers=0, arms=["bilateral"], rows_per_file=2)
    half = negsim.load_results(part)
    assert set(half["arm"]) == {"bilateral"}
    assert half.attrs["manifest"]["state"] == "partial"
    summary = run_experiment(exp, out=part, workers=0, resume=True)
    assert (summary.skipped, summary.ran) == (6, 6)
    assert negsim.load_results(part).attrs["manifest"]["state"] == "complete"
    pd.testing.assert_frame_equal(
        negsim.load_results(tmp_path / "whole"), negsim.load_results(part)
    )
    # more replications later: only the new ones run, old seeds unchanged
    summary = run_experiment(exp, out=part, workers=0, resume=True, replications=4)
    assert summary.ran == 4
    df = negsim.load_results(part)
    assert len(df) == 16 and not df.duplicated(["design_point", "arm", "replication"]).any()
    pd.testing.assert_frame_equal(
        df[df.replication < 3].reset_index(drop=True), negsim.load_results(tmp_path / "whole")
    )


KILL_FILE = """
name = "killme"
scenario = "tag2018"
replications = 50
root_seed = 11
[arms.bilateral]
protocol = "bilateral"
[arms.multilateral]
protocol = "multilateral"
[design.parameters]
"US.politics.salience_peak" = [0.0, 1.2]
[perturbations]
"JP.security.reliance.US" = { dist = "uniform", low = 0.6, high = 0.95 }
"""


def test_resume_after_kill_9_gives_the_uninterrupted_data(tmp_path):
    path = write(tmp_path / "killme.toml", KILL_FILE)
    out = tmp_path / "killed"
    args = ["sweep", str(path), "--out", str(out), "--workers", "0", "--rows-per-file", "10"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "negsim.cli", *args],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while len(list(out.glob("part-*.parquet"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["state"] == "running"  # killed, not finished
    written = len(negsim.load_results(out))
    assert 0 < written < 200
    # a chunk the killed sweep was writing
    (out / ".part-00099.parquet.tmp").write_bytes(b"PAR1 half a file")
    refused = cli(*args)
    assert refused.returncode == 2 and "use --resume" in refused.stderr
    resumed = cli(*args, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert f"; {written} already in the folder" in resumed.stdout
    assert not list(out.glob(".*.tmp"))
    df = negsim.load_results(out)
    assert not df.duplicated(["design_point", "arm", "replication"]).any()
    run_experiment(Experiment.from_file(path), out=tmp_path / "whole", workers=2)
    pd.testing.assert_frame_equal(df, negsim.load_results(tmp_path / "whole"))
    assert df.attrs["manifest"]["state"] == "complete"
    assert len((out / "sessions.jsonl").read_text().splitlines()) == 1  # the killed one never ended


def test_progress_is_plain_log_lines_when_not_a_terminal(tmp_path, capsys):
    run_experiment(small(), out=tmp_path, workers=0, progress=None)
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("negsim sweep small: 12/12 runs (100%)")
    assert "runs/s" in err[-1] and "ETA" in err[-1]


# ---------------------------------------------------------------------------
# bad input: one line, exit status 2, nothing written lost


BASE_FILE = """
name = "bad"
scenario = "tag2018"
replications = 2
[arms.bilateral]
protocol = "bilateral"
"""


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("replicatons = 3\n", "replicatons: unknown key (did you mean 'replications'?)"),
        (
            '[arms.multi]\nprotocol = "multilateal"\n',
            "unknown protocol (did you mean 'multilateral'?)",
        ),
        (
            '[arms.multi]\n"JP.security.relaince.US" = 0.5\n',
            "arms.multi: JP.security.relaince.US: no such parameter (did you mean "
            "'JP.security.reliance.US'?)",
        ),
        (
            '[design]\nkind = "grid"\n',
            "design: an empty design",
        ),
        (
            '[design.parameters]\n"economy.elastcity" = [3.0, 4.0]\n',
            "design: economy.elastcity: no such parameter (did you mean 'economy.elasticity'?)",
        ),
        (
            '[perturbations]\n"economy.elastcity" = { dist = "uniform", low = 3.0, high = 5.0 }\n',
            "perturbations: economy.elastcity: no such parameter",
        ),
        (
            '[design.parameters]\n"economy.elasticity" = { low = 3.0, high = 2.0, num = 3 }\n',
            "design.parameters.economy.elasticity: low (3.0) must not exceed high (2.0)",
        ),
        (
            '[design.parameters]\n"economy.elasticity" = "many"\n',
            "expected a list of values or {low, high, num}",
        ),
        (
            '[perturbations]\n"economy.elasticity" = { dist = "normal", mean = 3.0 }\n',
            "perturbations.economy.elasticity: normal takes mean, sd; missing sd",
        ),
        (
            '[perturbations]\n"economy.elasticity" = { dist = "unifrom", low = 1, high = 2 }\n',
            "perturbations.economy.elasticity.dist = 'unifrom'",
        ),
        (
            '[perturbations]\n"economy.elasticity" = { dist = "uniform", lo = 1, high = 2 }\n',
            "perturbations.economy.elasticity.lo: unknown key (did you mean 'low'?)",
        ),
    ],
)
def test_bad_experiment_file_is_one_line_exit_2(tmp_path, capsys, extra, expected):
    path = tmp_path / "bad.toml"
    top, arms = BASE_FILE.split("[arms.bilateral]")
    text = top + extra + "[arms.bilateral]" + arms if "[" not in extra else BASE_FILE + extra
    path.write_text(text)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("negsim: error: ")
    assert expected in err, err
    assert str(path) in err
    assert not (tmp_path / "out").exists()


def test_replications_below_one_and_unknown_arm(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(BASE_FILE.replace("replications = 2", "replications = 0"))
    assert main(["sweep", str(path)]) == 2
    assert "replications = 0: Input should be greater than or equal to 1" in capsys.readouterr().err
    path.write_text(BASE_FILE)
    assert main(["sweep", str(path), "--replications", "0"]) == 2
    assert "--replications" in capsys.readouterr().err
    assert main(["sweep", str(path), "--arm", "bilateal", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "arm 'bilateal': no such arm in 'bad' (did you mean 'bilateral'?)" in err
    assert main(["sweep", "no_such_experiment"]) == 2
    assert "no such experiment file" in capsys.readouterr().err


def test_unreachable_scheduler_is_one_line_and_loses_nothing(tmp_path):
    out = tmp_path / "o"
    run_experiment(small(), out=out, workers=0)
    before = snapshot(out)
    path = tmp_path / "e.toml"
    path.write_text(BASE_FILE)
    # even with --overwrite, nothing is deleted before the executor is up
    args = ["--scheduler", "tcp://127.0.0.1:9", "--out", str(out), "--overwrite"]
    result = cli("sweep", str(path), *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "--scheduler tcp://127.0.0.1:9: cannot reach a Dask scheduler" in result.stderr
    assert snapshot(out) == before


@pytest.mark.parametrize(
    "options, message",
    [
        (["--scheduler", "local", "--scheduler-file", "s.json"], "exclude each other"),
        (["--scheduler", "local", "--workers", "0"], "needs 1 worker or more"),
    ],
)
def test_scheduler_options_that_contradict_are_refused_and_lose_nothing(
    tmp_path, capsys, options, message
):
    out = tmp_path / "o"
    run_experiment(small(), out=out, workers=0)
    before = snapshot(out)
    path = tmp_path / "e.toml"
    path.write_text(BASE_FILE)
    assert main(["sweep", str(path), "--out", str(out), "--overwrite", *options]) == 2
    assert message in capsys.readouterr().err
    assert snapshot(out) == before


def test_folder_of_another_experiment_is_refused_unless_overwrite(tmp_path, capsys):
    out = tmp_path / "out"
    run_experiment(small(), out=out, workers=0)
    before = snapshot(out)
    other = small(name="other")
    with pytest.raises(ExperimentError, match="holds experiment 'small'; refusing to mix"):
        run_experiment(other, out=out, workers=0)
    with pytest.raises(ExperimentError, match="a different definition of 'small'"):
        run_experiment(small(root_seed=12), out=out, workers=0, resume=True)
    with pytest.raises(ExperimentError, match="already holds results of 'small'; use --resume"):
        run_experiment(small(), out=out, workers=0)
    assert snapshot(out) == before
    run_experiment(other, out=out, workers=0, overwrite=True)
    assert set(negsim.load_results(out)["experiment"]) == {"other"}


def test_cli_refuses_a_different_experiment_folder(tmp_path):
    out = tmp_path / "out"
    run_experiment(small(), out=out, workers=0)
    before = snapshot(out)
    path = tmp_path / "e.toml"
    path.write_text(BASE_FILE)
    result = cli("sweep", str(path), "--out", str(out), "--workers", "0")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "refusing to mix" in result.stderr
    assert snapshot(out) == before


def test_load_results_of_a_folder_without_results(tmp_path):
    with pytest.raises(ExperimentError, match="no such results folder"):
        negsim.load_results("/nonexistent/results")
    with pytest.raises(ExperimentError, match="not a results folder"):
        negsim.load_results(tmp_path)


def test_load_results_by_experiment_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_experiment(small(), workers=0)  # default out: results/small
    df = negsim.load_results("small")
    assert len(df) == 12 and set(df["experiment"]) == {"small"}
    with pytest.raises(ExperimentError, match=r"no such results folder \(nor results/other\)"):
        negsim.load_results("other")


def test_resume_warns_when_the_code_changed_since(tmp_path):
    exp = small()
    run_experiment(exp, out=tmp_path, workers=0, arms=["bilateral"])
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["versions"]["negsim_source"] = "0000000000000000"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    summary = run_experiment(exp, out=tmp_path, workers=0, resume=True)
    assert summary.ran == 6 and len(summary.warnings) == 1
    assert "changed since these results were started" in summary.warnings[0]
    # a complete folder re-read adds no run to mix with the old ones: no warning
    again = run_experiment(exp, out=tmp_path, workers=0, resume=True)
    assert again.ran == 0 and again.warnings == []


def test_resume_warns_when_the_results_came_from_other_cpu_paths(tmp_path):
    exp = small()
    run_experiment(exp, out=tmp_path, workers=0, arms=["bilateral"])
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["versions"]["float_paths"].startswith("numpy exp/log ")
    manifest["versions"]["float_paths"] = "numpy exp/log X86_V2, OpenBLAS Prescott"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    summary = run_experiment(exp, out=tmp_path, workers=0, resume=True)
    assert summary.ran == 6 and len(summary.warnings) == 1
    assert "other CPU paths (numpy exp/log X86_V2, OpenBLAS Prescott; here" in summary.warnings[0]
    # with nothing left to add (the quick start on a complete folder), nothing to mix
    kept = json.loads((tmp_path / "manifest.json").read_text())["versions"]["float_paths"]
    assert kept == "numpy exp/log X86_V2, OpenBLAS Prescott"  # the folder's first runs'
    again = run_experiment(exp, out=tmp_path, workers=0, resume=True)
    assert again.ran == 0 and again.warnings == []


def test_resume_on_the_same_paths_does_not_warn(tmp_path):
    exp = small()
    run_experiment(exp, out=tmp_path, workers=0, arms=["bilateral"])
    summary = run_experiment(exp, out=tmp_path, workers=0, resume=True)
    assert summary.ran == 6 and summary.warnings == []


def test_the_code_hash_moves_with_the_model_not_with_the_reports(tmp_path):
    # a copy of the package: editing a report module leaves results valid, editing the
    # economy or a built-in scenario does not
    import shutil

    from negsim.sweeps.manifest import source_hash

    package = tmp_path / "negsim"
    shutil.copytree(Path(negsim.__file__).parent, package)
    start = source_hash(package)
    with (package / "analysis" / "report.py").open("a") as handle:
        handle.write("\n# a comment in a report module\n")
    assert source_hash(package) == start
    with (package / "economy" / "solver.py").open("a") as handle:
        handle.write("\n# a comment in the economy\n")
    after_economy = source_hash(package)
    assert after_economy != start
    with (package / "scenarios" / "tag2018.toml").open("a") as handle:
        handle.write("\n# a comment in a scenario\n")
    assert source_hash(package) not in {start, after_economy}


@pytest.mark.parametrize(
    "name", ["bilateral_vs_multilateral", "security_reliance", "election_pressure", "escalation"]
)
def test_shipped_experiments_are_valid_and_pair_both_protocols(name):
    exp = Experiment.from_file(REPO / "experiments" / f"{name}.toml")
    assert exp.name == name
    assert [arm["protocol"] for arm in exp.arms.values()] == ["bilateral", "multilateral"]
    assert exp.perturbations


def test_sweep_by_bare_name_from_the_repository(tmp_path):
    out = tmp_path / "esc"
    result = cli(
        "sweep", "escalation", "--replications", "1", "--workers", "0", "--out", str(out), cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    assert "escalation: 40 runs (40 ok, 0 errors)" in result.stdout
    df = negsim.load_results(out)
    grid = df.groupby(["param.threats.us_china_list3.level", "param.CN.strategy.resolve.values.3"])
    assert grid.ngroups == 20 and (grid.size() == 2).all()
    # seeds depend only on the definition's root seed and the run's place in the design
    root = Experiment.from_file(REPO / "experiments" / "escalation.toml").root_seed
    assert [run_seed(root, d, 0) for d in df["design_point"]] == df["seed"].tolist()


def die_in_worker(scenario, protocol="bilateral", seed=0):
    """A run function that kills its worker process (not an exception: a crash)."""
    if seed % 3 == 0:
        os._exit(1)
    return negsim.simulate(scenario, protocol, seed)


def test_a_dead_worker_stops_the_sweep_with_one_line_and_keeps_what_finished(tmp_path):
    with pytest.raises(ExperimentError, match=r"the sweep stopped \(BrokenProcessPool.*--resume"):
        run_experiment(small(), out=tmp_path, workers=2, run_fn=die_in_worker, chunk_size=1)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["state"] == "interrupted"
    summary = run_experiment(small(), out=tmp_path, workers=0, resume=True)
    assert summary.skipped + summary.ran == 12
    assert (
        not negsim.load_results(tmp_path).duplicated(["design_point", "arm", "replication"]).any()
    )


@settings(deadline=None)
@given(
    u=st.floats(0.0, 1.0, exclude_max=True),
    low=st.floats(-10, 10),
    width=st.floats(0.01, 10),
    kind=st.sampled_from(["uniform", "loguniform", "truncnormal", "triangular", "integers"]),
)
def test_every_draw_lies_in_the_stated_range(u, low, width, kind):
    low = abs(low) + 0.01 if kind == "loguniform" else low
    high = low + width
    spec = {"dist": kind, "low": low, "high": high}
    if kind == "truncnormal":
        spec.update(mean=low + width / 3, sd=width)
    if kind == "triangular":
        spec["mode"] = low + width / 4
    if kind == "integers":
        spec.update(low=float(int(low)), high=float(int(low) + int(width) + 1))
    dist = parse_distribution(spec)
    value = dist.ppf(u)
    assert spec["low"] - 1e-9 <= value <= spec["high"] + 1e-9


@given(root=st.integers(0, 2**63), d=st.integers(0, 10**6), r=st.integers(0, 10**6))
def test_run_seeds_fit_int64_and_differ_between_neighbours(root, d, r):
    seed = run_seed(root, d, r)
    assert 0 <= seed < 2**63
    assert seed != run_seed(root, d, r + 1) and seed != run_seed(root, d + 1, r)


def test_latin_hypercube_sweep_sets_each_runs_parameters_inside_the_box(tmp_path):
    exp = small(
        design={
            "kind": "lhs",
            "samples": 4,
            "parameters": {
                "economy.elasticity": {"low": 2.5, "high": 6.0},
                "US.politics.salience_peak": {"low": 0.0, "high": 3.0},
            },
        },
        replications=1,
    )
    run_experiment(exp, out=tmp_path, workers=0)
    df = negsim.load_results(tmp_path)
    assert len(df) == 4 * 2 and (df["status"] == "ok").all()
    assert df["param.economy.elasticity"].between(2.5, 6.0).all()
    assert df.groupby("design_point")["param.economy.elasticity"].nunique().eq(1).all()
    assert df["param.economy.elasticity"].nunique() == 4


def test_experiment_script_runs_into_the_folder_it_is_given(tmp_path):
    out = tmp_path / "sec"
    script = REPO / "experiments" / "security_reliance.py"
    args = ["--replications", "1", "--workers", "0", "--out", str(out)]
    result = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr
    assert "security_reliance: 22 runs (22 ok, 0 errors)" in result.stdout
    again = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert again.returncode == 0 and "0 runs" in again.stdout and "22 already" in again.stdout


def test_slow_runs_are_written_within_flush_seconds(tmp_path, monkeypatch):
    import negsim.sweeps.runner as runner

    monkeypatch.setattr(runner, "FLUSH_SECONDS", 0.0)
    run_experiment(small(), out=tmp_path, workers=0, chunk_size=2, rows_per_file=1000)
    assert len(list(tmp_path.glob("part-*.parquet"))) == 6  # one per task, not one in all
    assert len(negsim.load_results(tmp_path)) == 12


def test_morris_design_is_trajectories_of_one_at_a_time_steps_on_the_level_grid():
    design = {
        "kind": "morris",
        "trajectories": 5,
        "levels": 4,
        "parameters": {
            "JP.security.reliance.US": {"low": 0.0, "high": 1.0},
            "economy.elasticity": {"low": 2.5, "high": 6.0},
        },
    }
    exp = small(design=design, perturbations={})
    points = exp.design_points()
    d = 2
    assert len(points) == 5 * (d + 1) == exp.design_size()
    grid = {0.0, 1 / 3, 2 / 3, 1.0}
    for p in points:
        unit = (p["economy.elasticity"] - 2.5) / 3.5
        assert min(abs(unit - g) for g in grid) < 1e-9
    for t in range(5):  # within a trajectory, each step moves exactly one parameter
        traj = points[t * (d + 1) : (t + 1) * (d + 1)]
        for a, b in itertools.pairwise(traj):
            assert sum(a[k] != b[k] for k in a) == 1
    assert points == small(design=design, perturbations={}).design_points()
    assert exp.design.problem()["names"] == ["JP.security.reliance.US", "economy.elasticity"]


def test_design_size_is_checked_before_any_point_is_made(capsys, tmp_path):
    huge = {"parameters": {"economy.elasticity": {"low": 2.5, "high": 6.0, "num": 100_000_000}}}
    with pytest.raises(ExperimentError, match="100,000,000 design points: more than the limit"):
        Experiment.from_dict({**SMALL, "design": huge, "perturbations": {}})
