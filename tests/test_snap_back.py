"""The monitor snaps a deal back when that pays it (model.md A7).

Expectations from the payoffs' signs, worked out by hand: a snap-back that only puts
a partner's tariff on the monitor's exports back up costs the monitor (its terms of
trade, its farm lobby's rents and its bilateral balance all fall), so it never pays;
one that puts the monitor's own tariffs back up towards its unilateral optimum, with
nothing promised to lose, pays; a promise worth far more than any tariff gain is kept.
"""

from __future__ import annotations

import numpy as np
import pytest

import negsim
from negsim.negotiation.model import NegotiationModel

US, CN = 0, 2
S = 5  # sectors; at the US-CN table issues 0..4 are the US's tariffs on China, 5..9 China's


def _deal(overrides: dict, share: float, most: bool, cut_us: bool) -> NegotiationModel:
    """A US-CN deal put in force by hand: a reform share, purchases, a US cut or not."""
    scenario = negsim.load_scenario("tag2018", {"compliance.noise": 0.0, **overrides})
    model = NegotiationModel(scenario, "bilateral", rng=0, collect="none")
    table = next(t for t in model.tables if t.name == "US-CN")
    ((_, share_column),) = table.demands.items()
    offer = model.issue_values(table)
    offer[share_column] = share
    if cut_us:  # the tied tariffs fall with the share met (N12)
        mfn = model.mfn_issues(table)[:S]
        offer[:S] = mfn + (1.0 - share) * (offer[:S] - mfn)
    if most:
        ((column, issue),) = table.purchases.items()
        offer[column] = issue.most
    values = model.table_payoffs(table, offer[None], breakdown=True).total
    model.agree(table, offer, values[0], values[-1], table.parties)
    return model


def test_a_snap_back_that_only_brings_back_the_partners_tariff_never_pays():
    # purchases only: the US keeps its tariffs, China buys through exclusions (A6); a
    # snap-back would only put China's farm tariff on US goods back up
    model = _deal({}, share=0.0, most=True, cut_us=False)
    table = next(t for t in model.tables if t.name == "US-CN")
    assert table.commitments is not None and not model.watched_demands(table)
    assert not model.country_agents[US].snap_back_pays(table)


def test_a_commitment_is_valued_at_the_delivery_expected():
    # A8: A2 delivers U(1 - shortfall, 1), mean 1 - shortfall/2; an offer's committed
    # entry is valued at paper + (1 - shortfall/2)·(equivalent - paper)
    model = _deal({"compliance.shortfall": 0.4}, share=0.0, most=False, cut_us=False)
    assert model.expected_delivery == pytest.approx(0.8)
    table = next(t for t in model.tables if t.name == "US-CN")
    ((column, issue),) = table.purchases.items()
    offer = model.issue_values(table)
    offer[column] = issue.most
    paper = offer[issue.target]
    full = float(issue.equivalent(np.array([issue.most]))[0])
    valued = table.effective(offer[None], model.expected_delivery)[0, issue.target]
    assert valued == pytest.approx(paper + 0.8 * (full - paper))
    assert table.effective(offer[None])[0, issue.target] == pytest.approx(full)


def test_a_snap_back_of_the_monitors_own_cuts_pays_when_nothing_is_promised():
    # China known to deliver none of the reform: the promise is worth 0 (N14), and a
    # snap-back puts the US's tariffs on China back up, below its optimum (about 30%, E10),
    # with China's counter-measures not mirrored (they stay as the deal set them)
    overrides = {
        "demands.us_section301.compliance.values": [0.0] * 3,
        "demands.us_section301.mirrored": False,
    }
    model = _deal(overrides, share=0.5, most=False, cut_us=True)
    table = next(t for t in model.tables if t.name == "US-CN")
    assert model.watched_demands(table)
    us = model.country_agents[US]
    assert us.promised_value(table) == 0.0
    assert us.snap_back_pays(table)


def test_a_promise_worth_more_than_any_tariff_gain_is_kept():
    # value 1.5% of US GDP, China known to deliver all: half the demand met is worth
    # 0.75% a year, more than the US gains from any tariffs (free trade to a full war
    # moves its real income by less than 0.3%, `negsim economy tag2018`)
    overrides = {
        "demands.us_section301.compliance.values": [1.0] * 3,
        "demands.us_section301.value": 1.5,
        "demands.us_section301.mirrored": False,
    }
    model = _deal(overrides, share=0.5, most=False, cut_us=True)
    table = next(t for t in model.tables if t.name == "US-CN")
    us = model.country_agents[US]
    assert us.promised_value(table) == pytest.approx(1.5 * 1.0 * 0.5)
    assert not us.snap_back_pays(table)


def test_a_snap_back_restores_both_sides_and_the_deal_lapses():
    # A3-A5 together: the US's tied tariffs and China's mirrored counter-measures as
    # before the deal, the committed farm tariff back, the promise lapsed, the table open
    model = _deal({}, share=0.5, most=True, cut_us=True)
    table = next(t for t in model.tables if t.name == "US-CN")
    before = table.commitments.leverage.copy()
    (k,) = model.watched_demands(table)
    model.snap_back(table)
    np.testing.assert_array_equal(model.tariffs[US, CN], np.maximum(before[US, CN], 0))
    assert (model.tariffs[CN, US] >= before[CN, US] - 1e-12).all()
    demand = model.demands[k]
    assert demand.met == demand.met_before and demand.snapped
    assert table.commitments.snapped and table.status == "open"
    assert any(t.status == "pending" for t in model.threats if (t.by, t.on) == (US, CN))


def test_an_unknown_snap_back_rule_is_one_line(capsys):
    from negsim.cli import main

    status = main(["run", "--set", "compliance.snap_back=sometimes"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert len(err) == 1 and "snap_back" in err[0] and "payoff" in err[0]
