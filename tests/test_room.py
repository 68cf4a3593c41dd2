"""Room to move: a comparative static that cannot reach its stated size says so.

The bounds come from the scenario's rules (tag2018's "TPP levels" red line: a floor of
12% on Japan's farm tariff on US goods; offers hold at most 100%) and from shares of
runs (0 to 1); the distances below are worked out by hand.
"""

from __future__ import annotations

import pandas as pd

from negsim import validation
from negsim.scenarios import load_scenario
from negsim.validation.mechanisms import Expect, Mechanism
from negsim.validation.room import out_of_reach, share_bound, tariff_bound

FARM = "tariff.JP.US.agriculture"


def test_a_red_line_bounds_its_tariff_and_others_run_from_zero_to_the_highest(tag2018):
    farm = tariff_bound(FARM, tag2018)
    assert (farm.low, farm.high) == (0.12, 1.0)
    cars = tariff_bound("tariff.US.JP.autos", tag2018)
    assert (cars.low, cars.high) == (0.0, 1.0)
    assert tariff_bound("tw.US.JP", tag2018) is None


def test_a_share_is_recognised_by_its_values():
    assert share_bound(pd.Series([0.0, 1.0, 1.0])) is not None
    assert share_bound(pd.Series([0.0, 0.5, 1.0])) is None


def test_a_baseline_half_a_point_above_the_floor_cannot_fall_a_point(tag2018):
    # mean 12.5%: 0.5 pp above the 12% floor, less than the 1 pp asked
    low = pd.Series([0.12, 0.13])
    text = out_of_reach(FARM, low, tag2018, -1, 0.01, "pp")
    assert text.startswith("at a bound")
    assert "0.50 pp above red line jp_farm_tpp's floor (12.0%)" in text
    # the same baseline may rise: 87.5 pp below the 100% ceiling
    assert out_of_reach(FARM, low, tag2018, +1, 0.01, "pp") == ""


def test_without_the_red_line_the_same_baseline_has_room():
    lifted = load_scenario("tag2018", {"red_lines.jp_farm_tpp.floor": 0.0})
    assert out_of_reach(FARM, pd.Series([0.12, 0.13]), lifted, -1, 0.01, "pp") == ""


def test_a_share_of_all_runs_cannot_rise(tag2018):
    text = out_of_reach("deal16.US-JP", pd.Series([1.0] * 4), tag2018, +1, 0.05, "pp")
    assert "0.00 pp below the share of all runs (100.0%)" in text
    # 75% leaves 25 pp: room for the 5 pp asked
    assert out_of_reach("deal16.US-JP", pd.Series([1.0, 1, 1, 0]), tag2018, +1, 0.05, "pp") == ""


def test_a_failing_static_at_a_bound_is_told_apart_from_one_with_room():
    # given a floor of 18% (start 20%), the farm tariff can fall at most 2 pp: a fall of
    # 5 pp cannot show, whatever the parameter (the US's own noise) does
    floored = Mechanism(
        "bounded",
        "US.strategy.noise",
        0.01,
        0.02,
        (Expect(FARM, -1, 0.05),),
        "none",
        "by hand",
        given=(("red_lines.jp_farm_tpp.floor", 0.18),),
    )
    (check,) = validation.mechanism_checks("tag2018", seeds=5, mechanisms=(floored,), workers=0)
    assert check.verdict == "fails" and check.could_fail
    assert "above red line jp_farm_tpp's floor (18.0%)" in check.simulated
    assert check.data["mean_low"] - 0.18 < 0.05
    assert "No strength of the mechanism" in check.note
