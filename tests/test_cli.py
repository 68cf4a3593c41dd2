"""The command line as a user types it: output, exit status, one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from negsim.cli import main


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "negsim.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_scenarios_lists_builtins(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert "tag2018" in out and "symmetric" in out


def test_scenarios_show_prints_path_value_unit(capsys):
    assert main(["scenarios", "show", "tag2018"]) == 0
    lines = capsys.readouterr().out.splitlines()
    reliance = next(line for line in lines if line.startswith("JP.security.reliance.US "))
    assert reliance.split() == ["JP.security.reliance.US", "0.8", "0..1"]
    assert any(line.split()[:3] == ["US.exports.JP.autos", "2.5", "USD"] for line in lines)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["scenarios", "show", "nope"], "no such scenario file or built-in scenario"),
        (["scenarios", "shwo"], "No such command 'shwo'"),
    ],
)
def test_bad_input_is_one_line_with_exit_status_2(args, expected):
    result = run(*args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_scenario_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("countries = [\n")
    result = run("scenarios", "show", str(path))
    assert result.returncode == 2
    assert result.stderr.startswith(f"negsim: error: {path}: malformed TOML")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["validate", "--seeds", "5"], "--seeds was renamed --runs (a count of runs): use --runs"),
        (
            ["compare", "results/x", "--seed", "3"],
            "--seed was renamed --bootstrap-seed (the bootstrap's seed): use --bootstrap-seed",
        ),
        (
            ["compare", "results/x", "--resamples", "300"],
            "--resamples was renamed --n-resamples (the bootstrap's resamples): use --n-resamples",
        ),
        (
            ["sensitivity", "what_matters", "--method", "morris", "--resamples", "300"],
            "--resamples was renamed --n-resamples (the bootstrap's resamples): use --n-resamples",
        ),
        (["sensitivity", "what_matters", "a", "--method", "morris"], "unexpected argument 'a'"),
        (["run", "--seed", "-1"], "Invalid value for '--seed'"),
        (["compare", "x", "--bootstrap-seed", "-1"], "Invalid value for '--bootstrap-seed'"),
        (["run", "--json", "--trace"], "--json and --trace exclude each other"),
        (["sweep", "escalation", "--out", ""], "an empty path"),
        (["sweep", "escalation", "--shard", "4/4"], "needs 0 <= I < N"),
        (["sweep", "escalation", "--shard", "two"], "expected I/N"),
    ],
)
def test_renamed_and_refused_options_are_one_line(args, expected, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("negsim: error: "), err
    assert expected in err


def test_user_error_is_a_click_exception_with_exit_code_2():
    import click

    from negsim.cli.errors import UserError

    assert issubclass(UserError, click.ClickException) and UserError("x").exit_code == 2


def test_compare_on_a_full_disk_leaves_the_old_report_whole(tmp_path, capsys, monkeypatch):
    import errno
    import os

    from matplotlib.figure import Figure

    from negsim.sweeps import Experiment, run_experiment

    exp = Experiment(
        name="two", arms={"b": {"protocol": "bilateral"}, "m": {"protocol": "multilateral"}}
    )
    run_experiment(exp.model_copy(update={"replications": 3}), out=tmp_path, workers=0)
    assert main(["compare", str(tmp_path), "--n-resamples", "100"]) == 0
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Figure, "savefig", full)
    capsys.readouterr()
    assert main(["compare", str(tmp_path), "--n-resamples", "200"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before  # nothing half-written, no staging folder left
