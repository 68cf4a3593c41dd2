"""Every command, every bad input: exit 0 or 2, one line on error, never a traceback.

A property test (hypothesis) drives each command with malformed files (random bytes,
broken TOML and JSON, wrong types, non-finite and out-of-range values), bad option
values and paths that cannot be read or written, and checks the exit status and
that any error is one line ``negsim: error: ...``. An unexpected exception would
propagate out of ``main`` and fail the test.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negsim.cli import main
from negsim.sweeps import Experiment, ExperimentError, load_results, run_experiment

REPO = Path(__file__).resolve().parents[1]
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

NASTY_NUMBERS = st.sampled_from(
    ["inf", "-inf", "nan", "-1", "-0.5", "1e400", "2", "1.5", "0", "1e308", "-1e-300"]
)
ANY_VALUE = st.one_of(
    NASTY_NUMBERS,
    st.text(max_size=12),
    st.sampled_from(["[1, 2]", "{a = 1}", "true", '"text"', "[]", "[[1]]"]),
)
PATHS = st.sampled_from(
    [
        "US.gdp",
        "US.exports.JP.autos",
        "JP.security.reliance.US",
        "US.security.alliance_value",
        "CN.security.rivalry.US",
        "US.politics.lobby.autos",
        "US.politics.audience_cost",
        "US.politics.salience_peak",
        "JP.politics.lobby_peak",
        "US.politics.elections",
        "CN.strategy.retaliation",
        "CN.strategy.candidates",
        "economy.elasticity",
        "economy.pass_through.US",
        "threats.us_china_list3.level",
        "diplomacy.recovery",
        "horizon",
        "US.nothing",
        "",
        "...",
    ]
)
BAD_PATHS = st.sampled_from(
    [
        "/proc/negsim-cannot-write/x",
        "/dev/null/x",
        "",
        "/",
        "README.md/x",
        "/proc/negsim-nonexistent/x/y",
    ]
)


def check(args: list[str], capsys) -> None:
    status = main(args)
    err = capsys.readouterr().err
    assert status in (0, 2), (args, status, err)
    assert "Traceback" not in err
    if status == 2:
        lines = [line for line in err.splitlines() if not line.startswith("negsim: warning")]
        assert len(lines) == 1 and lines[0].startswith("negsim: error: "), (args, err)


def garbage_file(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


FILE_CONTENTS = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "replace")),
    st.sampled_from(
        [
            b"countries = [\n",
            b"[US]\ngdp = inf\n",
            b'name = "x"\n[arms.a]\nprotocol = 3\n',
            b'name = "x"\nreplications = -1\n',
            b'name = "x"\n[design.parameters]\n'
            b'"economy.elasticity" = { low = 1, high = 2, num = 1000000000 }\n',
            b'name = "x"\n[perturbations]\n'
            b'"economy.elasticity" = { dist = "uniform", low = nan, high = 2 }\n',
            b'name = "x"\nroot_seed = -5\n',
            b"\xff\xfe\x00binary",
            b"[]",
            b'{"experiment": 1}',
        ]
    ),
)


@SETTINGS
@given(path=PATHS, value=ANY_VALUE, seed=st.sampled_from(["0", "-1", "x", "99999999999999999999"]))
def test_run_with_any_override_and_seed(path, value, seed, capsys):
    check(["run", "--seed", seed, "--set", f"{path}={value}"], capsys)


@SETTINGS
@given(data=FILE_CONTENTS, command=st.sampled_from(["show", "run", "sweep"]))
def test_any_file_as_scenario_or_experiment(tmp_path, data, command, capsys):
    path = garbage_file(tmp_path, "input.toml", data)
    out = tmp_path / "out"
    shutil.rmtree(out, ignore_errors=True)
    args = {
        "show": ["scenarios", "show", str(path)],
        "run": ["run", "--scenario", str(path)],
        "sweep": ["sweep", str(path), "--out", str(out), "--workers", "0", "--replications", "1"],
    }[command]
    check(args, capsys)


@pytest.mark.parametrize("command", ["show", "run", "sweep"])
def test_a_binary_file_is_named_in_the_error(tmp_path, command, capsys):
    path = garbage_file(tmp_path, "binary.toml", b"\x80\xff\xfe\x00 not text")
    args = {
        "show": ["scenarios", "show", str(path)],
        "run": ["run", "--scenario", str(path)],
        "sweep": ["sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "0"],
    }[command]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"negsim: error: {path}: not a text file (expected TOML in UTF-8)"


@SETTINGS
@given(where=BAD_PATHS, command=st.sampled_from(["sweep", "compare", "validate", "show", "run"]))
def test_unreadable_and_unwritable_paths(tmp_path, where, command, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    args = {
        "sweep": ["sweep", "escalation", "--out", where, "--workers", "0", "--replications", "1"],
        "compare": ["compare", where],
        "validate": ["validate", "--runs", "1", "--out", where],
        "show": ["scenarios", "show", where],
        "run": ["run", "--scenario", where],
    }[command]
    check(args, capsys)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("store")
    exp = Experiment(name="tiny", arms={"a": {"protocol": "bilateral"}}, replications=2)
    run_experiment(exp, out=out, workers=0)
    return out


@SETTINGS
@given(
    target=st.sampled_from(["manifest.json", "part-00000.parquet"]),
    data=st.one_of(
        st.binary(max_size=100),
        st.sampled_from([b"[]", b"{}", b'{"fingerprint": 3}', b"null", b"\xff\xfe"]),
    ),
    command=st.sampled_from(["compare", "resume"]),
)
def test_a_damaged_results_folder(tmp_path, store, target, data, command, capsys):
    folder = tmp_path / "copy"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(store, folder)
    (folder / target).write_bytes(data)
    exp = tmp_path / "tiny.toml"
    exp.write_text('name = "tiny"\nreplications = 2\n[arms.a]\nprotocol = "bilateral"\n')
    args = {
        "compare": ["compare", str(folder), "--n-resamples", "100", "--out", str(tmp_path / "r")],
        "resume": ["sweep", str(exp), "--out", str(folder), "--workers", "0", "--resume"],
    }[command]
    check(args, capsys)


@SETTINGS
@given(
    option=st.sampled_from(
        ["--replications", "--workers", "--chunk-size", "--rows-per-file", "--timeout", "--shard"]
    ),
    value=st.one_of(NASTY_NUMBERS, st.text(max_size=6), st.sampled_from(["1/0", "-1/2", "3/2"])),
)
def test_sweep_options_with_any_value(tmp_path, option, value, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    out = tmp_path / "o"
    shutil.rmtree(out, ignore_errors=True)
    args = ["sweep", "escalation", "--out", str(out), "--workers", "0", "--replications", "1"]
    if option in ("--replications", "--workers"):
        args = args[: args.index(option)] + args[args.index(option) + 2 :]
    check([*args, option, value], capsys)


def test_manifest_that_is_a_json_list_is_one_line(tmp_path, store, capsys):
    folder = tmp_path / "f"
    shutil.copytree(store, folder)
    (folder / "manifest.json").write_text(json.dumps([1, 2]))
    assert main(["compare", str(folder)]) == 2
    assert "not a negsim manifest" in capsys.readouterr().err


def error_line(args: list[str], capsys) -> str:
    """The one error line of a command that must exit with status 2."""
    assert main(args) == 2, args
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("negsim: error: "), lines
    return lines[0].removeprefix("negsim: error: ")


@pytest.mark.parametrize("name", ["synthetic-5x0-3", "synthetic-1x1-0", "synthetic-99999x2-3"])
def test_a_synthetic_world_of_a_size_not_allowed(name, capsys):
    line = error_line(["economy", name], capsys)
    assert line.startswith(f"{name}: ") and "allowed are 2..50 countries and 1..50 sectors" in line


def test_scenario_files_that_are_not_scenarios_say_what_is_wrong(tmp_path, capsys):
    (tmp_path / "empty.toml").write_text("")
    assert error_line(["economy", str(tmp_path / "empty.toml")], capsys).endswith(
        "name: required parameter is missing"
    )
    assert error_line(["economy", str(tmp_path)], capsys) == (
        f"{tmp_path}: not a regular file (expected a scenario TOML file)"
    )
    assert error_line(["economy", ""], capsys).startswith("an empty scenario name; built-in: ")
    text = (REPO / "negsim" / "scenarios" / "tag2018.toml").read_text()
    with_row = tmp_path / "row.toml"
    with_row.write_text(
        text.replace('countries = ["US", "JP", "CN"]', 'countries = ["US", "JP", "CN", "ROW"]')
    )
    assert error_line(["economy", str(with_row)], capsys) == (
        f"{with_row}: countries: codes must be unique and not ROW"
    )


def test_a_scenario_file_may_start_with_a_byte_order_mark(tmp_path, capsys):
    text = (REPO / "negsim" / "scenarios" / "symmetric.toml").read_text()
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert main(["scenarios", "show", str(path)]) == 0
    assert "symmetric" in capsys.readouterr().out


def test_set_values_and_paths_that_cannot_be_meant(capsys):
    assert error_line(["run", "--set", "=1"], capsys) == (
        "--set '=1': the path before '=' is empty; expected PATH=VALUE"
    )
    # Python's spellings of nan are read as nan, then refused as not finite
    line = error_line(["run", "--set", "CN.strategy.resolve.weights=[NaN, 0.5, 0.5, 0]"], capsys)
    assert (
        line == "tag2018.toml: CN.strategy.resolve.weights.0 = nan: Input should be a finite number"
    )
    line = error_line(["run", "--set", "CN.strategy.resolve=0.05"], capsys)
    assert "expected a prior {values = [" in line


def test_an_unknown_strategy_is_refused_naming_the_file(tmp_path, capsys):
    line = error_line(["run", "--set", "CN.strategy.kind=tit_for_tat"], capsys)
    assert line == (
        "tag2018.toml: CN.strategy.kind: unknown strategy 'tit_for_tat'; "
        "allowed: aspiration, screening"
    )


@pytest.mark.parametrize(
    "setting",
    [
        '[arms.a]\n"CN.strategy.kind" = "hawk"\n',
        '[arms.a]\n[design]\nkind = "grid"\n[design.parameters]\n'
        '"US.strategy.kind" = ["aspiration", "hawk"]\n',
        "[arms.a]\n[perturbations]\n"
        '"CN.strategy.kind" = { dist = "choice", values = ["aspiration", "hawk"] }\n',
    ],
)
def test_an_unknown_strategy_in_an_experiment_runs_nothing_and_loses_nothing(
    tmp_path, store, setting, capsys
):
    path = tmp_path / "kind.toml"
    path.write_text(f'name = "kind"\nreplications = 1\n{setting}')
    folder = tmp_path / "f"
    shutil.copytree(store, folder)
    before = {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    line = error_line(["sweep", str(path), "--out", str(folder), "--overwrite"], capsys)
    assert line.startswith(f"{path}: ") and "unknown strategy 'hawk'" in line
    assert {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


@pytest.fixture(scope="module")
def two_arms(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("two_arms")
    arms = {"b": {"protocol": "bilateral"}, "m": {"protocol": "multilateral"}}
    run_experiment(Experiment(name="two", arms=arms, replications=3), out=out, workers=0)
    return out


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_compare_groups_only_by_columns_that_hold_arms(two_arms, tmp_path, capsys):
    for column in ("seed", "utility.US"):
        line = error_line(
            ["compare", str(two_arms), "--by", column, "--out", str(tmp_path)], capsys
        )
        assert line.startswith(f"--by {column!r}: not a column to group runs by")
    assert not any(tmp_path.iterdir())


def test_compare_says_when_a_folder_is_not_a_finished_sweep(two_arms, tmp_path, capsys):
    folder = tmp_path / "f"
    shutil.copytree(two_arms, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["state"] = "interrupted"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert main(["compare", str(folder), "--out", str(tmp_path / "r1")]) == 0
    assert "the sweep is interrupted (6 of 6 runs)" in capsys.readouterr().err
    (folder / "manifest.json").unlink()
    assert main(["compare", str(folder), "--out", str(tmp_path / "r2")]) == 0
    assert "no manifest.json: the parts' checksums" in capsys.readouterr().err
    assert main(["compare", str(two_arms), "--out", str(tmp_path / "r3")]) == 0
    assert "warning" not in capsys.readouterr().err  # a finished sweep: nothing to say


def test_compare_will_not_write_into_another_experiments_results(two_arms, store, tmp_path, capsys):
    other = tmp_path / "other"
    shutil.copytree(store, other)
    before = files_of(other)
    line = error_line(["compare", str(two_arms), "--out", str(other)], capsys)
    assert line.startswith(f"--out {other}: the results folder of experiment 'tiny'")
    assert files_of(other) == before


def test_compare_on_a_full_disk_changes_nothing_and_names_the_folder(
    two_arms, tmp_path, capsys, monkeypatch
):
    from negsim.sweeps import atomic

    folder = tmp_path / "f"
    shutil.copytree(two_arms, folder)
    assert main(["compare", str(folder)]) == 0
    capsys.readouterr()
    before = files_of(folder)

    def full(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "replace", full)
    line = error_line(["compare", str(folder)], capsys)
    assert line == (
        f"{folder}: cannot write the report there (No space left on device); nothing in it "
        "was changed; write it elsewhere with --out FOLDER"
    )
    assert files_of(folder) == before
    fresh = tmp_path / "fresh"
    error_line(["compare", str(folder), "--out", str(fresh)], capsys)
    assert not fresh.exists()  # no empty folder left behind


def test_a_manifest_of_another_folder_is_named_as_such(two_arms, store, tmp_path):
    folder = tmp_path / "f"
    shutil.copytree(two_arms, folder)
    shutil.copy(store / "manifest.json", folder / "manifest.json")
    with pytest.raises(ExperimentError, match="a part of experiment 'two', not 'tiny'"):
        load_results(folder)
