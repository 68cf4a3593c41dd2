"""The scope-dispute script puts the US's demand on the US-Japan table, and only there."""

from __future__ import annotations

import pytest
from conftest import refuses_too_few_runs

from negsim.negotiation.model import NegotiationModel


@pytest.fixture(scope="module")
def scope(experiment):
    return experiment("scope_dispute")


def test_every_arm_is_tag2018_with_or_without_the_stated_demand(scope):
    for name, changes in scope.ARMS.items():
        demands = scope.scenario(3, changes).demands
        if changes is None:
            assert "us_japan_scope" not in demands
            continue
        demand = demands["us_japan_scope"]
        assert (demand.by, demand.on) == ("US", "JP")
        assert demand.value == changes.get("value", 0.1)
        assert demand.curvature == changes.get("curvature", 1.0)
        expected = [0.05, 0.1, 0.2, 0.4]
        if "costs x" in name:
            factor = 0.5 if "x0.5" in name else 2.0
            expected = [v * factor for v in expected]
        assert list(demand.cost.values) == pytest.approx(expected)


def test_the_demand_is_an_issue_of_the_us_japan_table_only(scope):
    with_scope = NegotiationModel(scope.scenario(0, {}), rng=0, collect="none")
    without = NegotiationModel(scope.scenario(0, None), rng=0, collect="none")
    us_jp = next(t for t in with_scope.tables if sorted(t.parties) == [0, 1])
    us_jp_before = next(t for t in without.tables if sorted(t.parties) == [0, 1])
    assert us_jp.n_issues == us_jp_before.n_issues + 1  # one share: the scope met
    names = [with_scope.demands[k].name for k in us_jp.demands]
    assert names == ["us_japan_scope"]
    us_cn = next(t for t in with_scope.tables if sorted(t.parties) == [0, 2])
    assert [with_scope.demands[k].name for k in us_cn.demands] == ["us_section301"]
    # Japan's cost of a share x is its type times x (curvature 1, N11), by hand
    k = next(iter(us_jp.demands))
    demand, japan = with_scope.demands[k], with_scope.country_agents[1]
    assert demand.cost(0.5, japan.costs[k]) == pytest.approx(0.5 * japan.costs[k])


def test_too_few_runs_is_one_line_and_exit_2(scope):
    refuses_too_few_runs(scope)
