"""Structural demands (model.md N10-N12) and retaliation capacity (N13).

Expectations are derived by hand from the formulas, not copied from output.
"""

from __future__ import annotations

import numpy as np
import pytest

import negsim
from negsim.cli import main
from negsim.negotiation.beliefs import TREMBLE
from negsim.negotiation.coercion import rise_levels
from negsim.negotiation.demands import DemandState, tie, tied_issues
from negsim.negotiation.model import NegotiationModel
from negsim.negotiation.protocols import Offer, bilateral_table
from negsim.negotiation.rules import CoercionRules
from negsim.scenarios import load_scenario


def demand(**kwargs) -> DemandState:
    base = dict(name="d", by=0, on=2, value=0.25, costs=np.array([1.0]), weights=np.array([1.0]))
    return DemandState(**{**base, "curvature": 2.0, "tied": True, **kwargs})


def test_cost_is_the_level_times_the_share_to_the_curvature_beyond_what_is_met():
    d = demand()
    assert d.cost(np.array([0.5]), 1.5)[0] == pytest.approx(1.5 * 0.25)  # 1.5 * 0.5^2
    d.met = 0.2
    assert d.cost(np.array([0.5]), 1.5)[0] == pytest.approx(1.5 * (0.25 - 0.04))
    # one column per type of a belief
    assert d.cost(np.array([0.5]), np.array([1.0, 2.0])).shape == (1, 2)


def test_tied_tariffs_fall_only_with_the_share_met():
    codes = ["US", "JP", "CN"]
    table = bilateral_table(0, 2, codes, 2)  # issues 0-1: US on CN; 2-3: CN on US
    d = demand()
    table.demands[0] = table.n_issues
    table.n_issues += 1
    current = np.array([0.25, 0.10, 0.20, 0.15, 0.0])
    mfn = np.array([0.025, 0.02, 0.1, 0.1, 0.0])
    offers = np.array([[0.0, 0.0, 0.0, 0.0, 0.4], [0.3, 0.3, 0.0, 0.0, 1.0]])
    tie(table, [d], offers, current, mfn)
    # x = 0.4: mfn + 0.6 (current - mfn) = 0.025 + 0.6*0.225 and 0.02 + 0.6*0.08
    assert offers[0, :2] == pytest.approx([0.16, 0.068])
    assert offers[0, 2:4] == pytest.approx([0.0, 0.0])  # China's tariffs are not tied
    assert offers[1, :2] == pytest.approx([0.3, 0.3])  # above the floor: unchanged
    assert list(tied_issues(table, d)) == [0, 1]


def test_the_share_met_is_an_issue_of_the_us_china_table_only(tag2018):
    model = NegotiationModel(tag2018, rng=0, collect="none")
    us_jp, us_cn = model.tables
    assert us_jp.demands == {} and us_jp.n_issues == 10
    # the share met is issue 10; issue 11 is the farm purchases committed (model.md A6)
    assert us_cn.demands == {0: 10} and us_cn.n_issues == 12
    assert list(us_cn.purchases) == [11]
    low, high = model.bounds(us_cn, model.issue_values(us_cn))
    assert (low[10], high[10]) == (0.0, 1.0)
    # China's cost is private: drawn from the prior, and a belief of the others
    cost = model.country_agents[2].costs[0]
    assert cost in tag2018.demands["us_section301"].cost.values
    belief = model.country_agents[0].beliefs.of(2, "cost.us_section301")
    assert belief.weights == pytest.approx([0.25] * 4)


def _met(cost: float, seeds: range) -> float:
    scenario = load_scenario("tag2018", {"demands.us_section301.cost.values": [cost] * 4})
    shares = []
    for seed in seeds:
        model = NegotiationModel(scenario, rng=seed, collect="none")
        model.run()
        shares.append(model.demands[0].met)
    return float(np.mean(shares))


def test_a_target_with_a_higher_cost_meets_less_of_the_demand():
    # accepting needs U - cost·x² >= d + m, so the largest acceptable share falls as cost rises
    assert _met(3.0, range(4)) < _met(0.37, range(4))


def test_an_agreement_puts_the_share_in_the_record(tag2018):
    record = negsim.simulate(tag2018, "bilateral", 2).to_record()
    share = record["reform.us_section301"]
    assert 0.0 <= share <= 1.0
    if record["agreement.US-CN"] == 1:
        # a tied deal keeps US tariffs on China at least mfn + (1 - x)(start - mfn)
        floor = 0.02 + (1 - share) * (0.10 - 0.02)  # sector "other"
        assert record["tariff.US.CN.other"] >= floor - 1e-9


def _responses(capacity: float):
    scenario = load_scenario("tag2018", {"CN.strategy.capacity": capacity})
    model = NegotiationModel(scenario, rng=0, collect="none")
    threat = model.threats[1]
    return CoercionRules.responses(model, threat, 1.0)


def test_capacity_bounds_the_rise_the_target_may_choose():
    assert rise_levels(1.0) == [0.5, 1.0]
    assert rise_levels(0.75) == [0.5, 0.75]
    assert rise_levels(0.0) == []
    one, two, none = _responses(1.0), _responses(2.0), _responses(0.0)
    # N13: rises up to capacity x the coercer's mean rise, on k = 1..5 sectors each
    assert two.increments.max() == pytest.approx(2 * one.increments.max())
    assert len(one.utility) == 1 + 2 * 5 and len(two.utility) == 1 + 4 * 5
    assert len(none.utility) == 1  # only "no retaliation" is left
    # a larger capacity only adds options: the target's best reply is at least as good
    assert two.utility[:, 2].max() >= one.utility[:, 2].max() - 1e-12


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("demands.us_section301.by", '"XX"'),
        ("demands.us_section301.cost.weights", "[0.5, 0.5, 0.5, 0.5]"),
        ("demands.us_section301.curvature", "0.5"),
        ("CN.strategy.capacity", "-1"),
    ],
)
def test_bad_demand_or_capacity_is_one_line_exit_2(path, value, capsys):
    assert main(["run", "--set", f"{path}={value}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("negsim: error: ")


def test_a_rejection_updates_margin_and_cost_together(tag2018):
    # B5 by hand: U_CN = 5 (public), reserve 0, share 1 (cost·1² = c); types m ∈ {0, 1},
    # c ∈ {0, 10}: only c = 10 rejects, whatever m. After a rejection the cost belief is
    # ∝ (0.5·ε, 0.5·(1 − ε)) and the margin belief is unchanged (both m equally likely).
    model = NegotiationModel(tag2018, rng=0, collect="none")
    us, table = model.country_agents[0], model.tables[1]
    margin, cost = us.beliefs.of(2, "margin"), us.beliefs.of(2, "cost.us_section301")
    margin.values, margin.weights = np.array([0.0, 1.0]), np.array([0.5, 0.5])
    cost.values, cost.weights = np.array([0.0, 10.0]), np.array([0.5, 0.5])
    package = np.zeros(table.n_issues)
    package[table.demands[0]] = 1.0
    utility, reserve = np.zeros(3), np.zeros(3)
    utility[2] = 5.0
    table.offer = Offer(0, package, utility, reserve, True, {2: False})
    us.learn_from_answers(table)
    assert cost.weights == pytest.approx([TREMBLE, 1.0 - TREMBLE])
    assert margin.weights == pytest.approx([0.5, 0.5])
