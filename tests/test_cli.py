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
