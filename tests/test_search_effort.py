"""The search-effort script sets every country's search and refuses values the schema refuses."""

from __future__ import annotations

import subprocess
import sys

import pytest

import negsim


@pytest.fixture(scope="module")
def effort(experiment):
    return experiment("search_effort")


def test_each_arm_sets_one_search_parameter_of_every_country(effort):
    arms = effort.arms([256], [0.1])
    assert [name for name, _ in arms] == [
        "file's values (64, 0.05, directed)",
        "sampled search (N2 only)",
        "candidates 256",
        "step 0.1",
    ]
    assert arms[0][1] == {}
    assert arms[1][1] == {f"{c}.strategy.search": "sampled" for c in ("US", "JP", "CN")}
    assert arms[2][1] == {f"{c}.strategy.candidates": 256 for c in ("US", "JP", "CN")}
    assert arms[3][1] == {f"{c}.strategy.step": 0.1 for c in ("US", "JP", "CN")}
    assert effort.checked(arms) == ""
    for _, overrides in arms:  # every arm is a scenario the schema accepts
        negsim.load_scenario("tag2018", overrides)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--candidates", "5000"], "strategy.candidates = 5000"),  # the schema's cap is 4096
        (["--steps", "nan"], "strategy.step = nan"),
        (["--runs", "0"], "--runs"),
    ],
)
def test_a_value_out_of_range_is_one_line_and_exit_2(effort, args, named):
    done = subprocess.run(
        [sys.executable, effort.__file__, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert named in done.stderr.splitlines()[-1]
    assert "Traceback" not in done.stderr
    assert done.stdout == ""  # nothing ran
