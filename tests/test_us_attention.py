"""The attention estimate: rounds of China talks are lost to the US-Japan table."""

from __future__ import annotations

import math

import pytest
from conftest import refuses_too_few_runs


@pytest.fixture(scope="module")
def attention(experiment):
    return experiment("us_attention")


def test_lost_rounds_push_the_deal_back_by_hand(attention):
    # Japan needed rounds 4 and 5; China talks in 4-6 take them: the deal needs 7 and 8
    assert attention.delayed_deal([4, 5], [4, 5, 6], horizon=24) == 8
    # China talks after the deal change nothing
    assert attention.delayed_deal([4, 5], [9, 10], horizon=24) == 5
    # China talks every round to the horizon: no deal by then
    assert math.isnan(attention.delayed_deal([4, 5], list(range(4, 25)), horizon=24))


def test_without_china_talks_the_deal_keeps_its_round(attention):
    japan_rounds, china_rounds, deal = attention.timelines(0)
    # talks run every round from the notice's end (round 4, C2) to the deal's round
    assert japan_rounds == list(range(4, deal + 1))
    assert attention.delayed_deal(japan_rounds, [], horizon=24) == deal
    assert china_rounds and china_rounds[0] == 1  # the US-China table opens at once


def test_too_few_runs_is_one_line_and_exit_2(attention):
    refuses_too_few_runs(attention)


def test_each_range_end_sets_the_demand_it_names(attention):
    import negsim

    demand = negsim.load_scenario("tag2018").demands["us_section301"]
    for label, extra in attention.RANGES.items():
        changed = negsim.load_scenario("tag2018", extra).demands["us_section301"]
        differs = {
            "value": changed.value != demand.value,
            "cost": list(changed.cost.values) != list(demand.cost.values),
            "curvature": changed.curvature != demand.curvature,
        }
        # each end moves exactly one of the three, and the file's line none
        assert sum(differs.values()) == (1 if extra else 0), label
    ends = attention.RANGES["costs x2"]["demands.us_section301.cost.values"]
    assert ends == [0.74, 1.5, 3.0, 6.0]
