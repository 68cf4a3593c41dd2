"""Beliefs that start from the answers seen before round 0 (model.md B7)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import resources

import numpy as np
import pytest

import negsim
from negsim.negotiation.beliefs import TREMBLE
from negsim.negotiation.model import NegotiationModel
from negsim.scenarios import scenario_from_dict

US, JP, CN = 0, 1, 2
#: A type that always retaliates (10% of GDP per unit of coverage, N5) and one that never does.
EXTREMES = {"CN.strategy.resolve.values": [-10.0, 10.0], "CN.strategy.resolve.weights": [0.5, 0.5]}


def _posterior_of_resolute(times: int, retaliated: bool) -> float:
    """By hand: prior 1/2 each; each answer has likelihood 1 - ε for a type it fits, ε else."""
    fits, misfits = (1 - TREMBLE) ** times, TREMBLE**times
    return (fits if retaliated else misfits) / (fits + misfits)


@pytest.mark.parametrize(("times", "retaliated"), [(3, True), (1, True), (3, False)])
def test_answers_seen_move_everyone_s_first_belief_by_bayes_rule(times, retaliated):
    scenario = negsim.load_scenario(
        "tag2018",
        {
            **EXTREMES,
            "history.cn_answered_2018.times": times,
            "history.cn_answered_2018.retaliated": retaliated,
        },
    )
    model = NegotiationModel(scenario, "bilateral", rng=0, collect="none")
    expected = _posterior_of_resolute(times, retaliated)
    for observer in (US, JP):
        weights = model.country_agents[observer].beliefs.of(CN, "resolve").weights
        assert weights == pytest.approx([1 - expected, expected], rel=1e-9)


def test_china_s_resolve_is_drawn_from_the_posterior():
    # three retaliations seen: the resolute type has probability 0.99985, so every one of
    # 40 seeds draws it (a draw from the file's prior would give the other in about half)
    scenario = negsim.load_scenario("tag2018", EXTREMES)
    draws = [
        NegotiationModel(scenario, "bilateral", rng=seed, collect="none").country_agents[CN].resolve
        for seed in range(40)
    ]
    assert draws == [10.0] * 40


def test_no_answer_seen_is_the_scenario_without_a_history():
    raw = tomllib.loads(resources.files("negsim.scenarios").joinpath("tag2018.toml").read_text())
    raw.pop("history")
    without = scenario_from_dict(raw)
    none_seen = negsim.load_scenario("tag2018", {"history.cn_answered_2018.times": 0})
    for seed in range(3):
        a = NegotiationModel(without, "bilateral", rng=seed, collect="none").run().to_record()
        b = NegotiationModel(none_seen, "bilateral", rng=seed, collect="none").run().to_record()
        assert a.keys() == b.keys()
        for key, value in a.items():
            if isinstance(value, float) and np.isnan(value):
                assert np.isnan(b[key])
            else:
                assert b[key] == value, key


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("history.cn_answered_2018.threat=no_such", "history.cn_answered_2018.threat: unknown"),
        (
            "history.cn_answered_2018.threat=us_autos_232",
            "threat 'us_autos_232' is on JP, not on CN",
        ),
        ("history.cn_answered_2018.depth=1.5", "history.cn_answered_2018.depth"),
    ],
)
def test_a_history_that_names_the_wrong_threat_is_one_line_exit_2(setting, expected):
    result = subprocess.run(
        [sys.executable, "-m", "negsim.cli", "run", "--seed", "1", "--set", setting],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
