"""Compliance with promised reform (model.md N14) and its enforcement (A4).

Expectations are derived by hand from the formulas, not copied from output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from negsim.cli import main
from negsim.negotiation.demands import (
    DemandState,
    demander_values,
    lapse,
    reading_likelihood,
    restored,
)
from negsim.negotiation.model import NegotiationModel
from negsim.negotiation.protocols import bilateral_table
from negsim.scenarios import load_scenario

CODES = ["US", "JP", "CN"]


def demand(**kwargs) -> DemandState:
    base = dict(name="d", by=0, on=2, value=0.25, costs=np.array([1.0]), weights=np.array([1.0]))
    return DemandState(**{**base, "curvature": 2.0, "tied": True, **kwargs})


def _table_with(d: DemandState):
    table = bilateral_table(0, 2, CODES, 2)
    table.demands[0] = table.n_issues
    table.n_issues += 1
    return table


def test_a_promise_is_worth_the_compliance_the_demander_expects():
    d = demand()
    d.met = 0.2
    table = _table_with(d)
    offers = np.zeros((1, table.n_issues))
    offers[0, -1] = 0.6
    # N14: v·E[c]·(x - x0) = 0.25 · 0.5 · 0.4 = 0.05 for the US, nothing for the others
    values = demander_values(table, [d], offers, 3, [0.5])
    assert values[0] == pytest.approx([0.05, 0.0, 0.0])
    # a US that knows compliance is zero values any promise at 0
    assert demander_values(table, [d], offers, 3, [0.0]) == pytest.approx(np.zeros((1, 3)))


def _share_worth(compliance: float) -> float:
    """The US's politics of a full promise minus none, tariffs unchanged (N10, N14)."""
    scenario = load_scenario(
        "tag2018", {"demands.us_section301.compliance.values": [compliance] * 3}
    )
    model = NegotiationModel(scenario, rng=0, collect="none")
    table = model.tables[1]
    offers = np.repeat(model.issue_values(table)[None], 2, axis=0)
    offers[1, table.demands[0]] = 1.0
    politics = model.table_payoffs(table, offers).politics
    return float(politics[1, 0] - politics[0, 0])


def test_the_us_prices_a_promise_by_its_belief_about_compliance():
    # value 0.25 [S24]: known full 0.25, known zero 0, known 0.2 0.05
    assert _share_worth(1.0) == pytest.approx(0.25)
    assert _share_worth(0.0) == pytest.approx(0.0)
    assert _share_worth(0.2) == pytest.approx(0.05)


def test_a_reading_updates_the_belief_by_the_normal_likelihood():
    d = demand(compliances=np.array([0.2, 0.5, 0.8]), compliance_weights=np.ones(3) / 3)
    # a reading of 0.2 with noise 0.1: exp(-0.5·z²) with z = 0, 3, 6
    likelihood = reading_likelihood(d, 0.2, 0.1)
    assert likelihood == pytest.approx([1.0, math.exp(-4.5), math.exp(-18.0)])


def test_snap_back_restores_the_tied_tariffs_and_the_promise_lapses():
    d = demand()
    before = np.zeros((3, 3, 2))
    before[0, 2] = [0.25, 0.10]  # US on CN before the deal
    before[2, 0] = [0.20, 0.15]
    d.promised(0.6, before)
    assert d.watched and d.met == 0.6 and d.met_before == 0.0
    after = before * 0.5  # the deal cut every tariff by half
    after = restored(d, after)
    lapse(d)
    assert after[0, 2] == pytest.approx([0.25, 0.10])  # restored
    assert after[2, 0] == pytest.approx([0.10, 0.075])  # China's are not tied: left alone
    assert d.met == 0.0 and d.snapped and not d.watched


def test_a_promise_no_larger_than_what_is_met_is_not_watched():
    d = demand()
    d.met = 0.4
    d.promised(0.4, np.zeros((3, 3, 2)))
    assert not d.watched


def _run_to(compliance: float, seeds: range, until, shortfall: float = 0.5):
    """The first seed's model stepped until ``until(model)`` holds (or run to the end).

    With the threshold rule of A3-A4 (``compliance.snap_back = "threshold"``).
    """
    overrides = {
        "demands.us_section301.compliance.values": [compliance] * 3,
        "compliance.snap_back": "threshold",
        "compliance.shortfall": shortfall,
    }
    scenario = load_scenario("tag2018", overrides)
    for seed in seeds:
        model = NegotiationModel(scenario, rng=seed, collect="none")
        while model.running and not until(model):
            model.step()
        if until(model):
            return model
    pytest.skip("not reached in these seeds")


def test_a_china_that_delivers_little_is_snapped_back_and_the_deal_lapses():
    # compliance 0.2, noise 0.1, threshold 0.5: a reading below 0.5 has chance Φ(3) ≈ 0.999
    model = _run_to(0.2, range(6), lambda m: m.demands[0].lapses == 1)
    d = model.demands[0]
    assert d.snapped and d.met == d.met_before
    assert len(d.readings) == 1  # snapped on the first reading
    us, cn = 0, 2
    assert (model.tariffs[us, cn] >= d.leverage[us, cn] - 1e-12).all()
    belief = model.country_agents[us].beliefs.of(cn, d.compliance_name)
    assert belief.mean == pytest.approx(0.2)  # a point prior stays a point
    # A5: the table reopens next round and the US threats on China are back (not withdrawn)
    table = model.tables[1]
    assert table.status in ("open", "agreed") and table.talks_from == model.round + 1
    assert all(t.status != "withdrawn" for t in model.threats if (t.by, t.on) == (us, cn))
    assert model.outcome().to_record()["snapback.US-CN"] == 1


def test_a_china_that_delivers_in_full_is_not_snapped_back():
    # compliance 1.0 and purchases delivered in full: a reading below 0.5 needs noise
    # below -5 sd (a purchase snap-back would lapse the reform too, A3-A5)
    model = _run_to(1.0, range(6), lambda m: m.demands[0].leverage is not None, shortfall=0.0)
    model.run()
    # the reform is never snapped back (A4)
    assert model.demands[0].lapses == 0 and not model.demands[0].snapped


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("demands.us_section301.compliance.values", "[1.5, 0.5, 0.8]"),
        ("demands.us_section301.compliance.weights", "[0.5, 0.5, 0.5]"),
    ],
)
def test_bad_compliance_is_one_line_exit_2(path, value, capsys):
    assert main(["run", "--set", f"{path}={value}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("negsim: error: ")
