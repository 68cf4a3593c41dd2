"""The inside option (model.md B6): a reserve is the better of walking away and talking on."""

from __future__ import annotations

import numpy as np
import pytest

import negsim
from negsim.negotiation.model import NegotiationModel

US, JP, CN = 0, 1, 2


def _table(model: NegotiationModel, name: str):
    return next(t for t in model.tables if t.name == name)


def _outside(model: NegotiationModel, table) -> np.ndarray:
    offer = model.issue_values(table)[None]
    return model.table_payoffs(table, offer, breakdown=True).total[-1]


def test_with_the_car_threat_frozen_by_talks_the_reserve_is_the_state_in_force(tag2018):
    # the Section 232 threat is suspended while the US and Japan talk, so walking away
    # (the car tariff, alliance damage) is worse than talking on for both: each
    # reserve is its payoff of the state in force, not its outside option
    model = NegotiationModel(tag2018, "bilateral", rng=0, collect="none")
    table = _table(model, "US-JP")
    outside = _outside(model, table)
    reserves = model.country_agents[US].reserves(table, outside)
    now = model.current_payoffs.total[0]
    assert outside[JP] < now[JP]  # a breakdown hurts Japan: walking away is no threat
    assert reserves[JP] == pytest.approx(now[JP])
    assert np.all(reserves >= outside - 1e-12)
    assert np.all(reserves >= now - 1e-12)


def test_a_threat_that_falls_due_whatever_the_talks_keeps_the_outside_option(tag2018):
    # list 3 is not suspended by the US-China talks: the state in force is not what
    # talking on brings, so the reserve stays the outside option (N6, B4)
    model = NegotiationModel(tag2018, "bilateral", rng=0, collect="none")
    table = _table(model, "US-CN")
    assert any(not t.suspended for t in model.pending(table))
    outside = _outside(model, table)
    np.testing.assert_array_equal(model.country_agents[CN].reserves(table, outside), outside)


def test_without_the_inside_option_the_reserve_is_the_outside_option():
    scenario = negsim.load_scenario("tag2018", {"protocol.inside_option": False})
    model = NegotiationModel(scenario, "bilateral", rng=0, collect="none")
    table = _table(model, "US-JP")
    outside = _outside(model, table)
    np.testing.assert_array_equal(model.country_agents[JP].reserves(table, outside), outside)


def test_nobody_walks_out_of_talks_that_are_worth_more_than_walking_away(tag2018):
    # with the car threat frozen, a US-Japan breakdown leaves both below the state in
    # force, so the table never breaks down and the car tariff is never executed
    for seed in range(15):
        model = NegotiationModel(tag2018, "bilateral", rng=seed, collect="none")
        model.run()
        assert _table(model, "US-JP").status != "broken"
        assert next(t for t in model.threats if t.on == JP).status != "executed"


def test_known_types_agree_at_once_and_private_types_take_rounds():
    # B3 with every margin known to be 0 and no noise in the model of the other: the
    # proposer knows which packages are accepted (the state in force is one, worth each
    # its reserve), so the first offer is accepted when talks open (round 4, C2).
    known = {f"{c}.strategy.margin.values": [0.0] * 4 for c in ("US", "JP", "CN")}
    known |= {f"{c}.strategy.noise": 0.0 for c in ("US", "JP", "CN")}
    scenario = negsim.load_scenario("tag2018", known)
    talks_from = scenario.notices["us_tpa"].talks_from
    for seed in range(5):
        record = NegotiationModel(scenario, "bilateral", rng=seed, solve="exact").run()
        assert record.to_record()["agreement_round.US-JP"] == talks_from
    # with private margins some first offers are rejected by a type that needs more
    private = negsim.load_scenario("tag2018")
    rounds = [
        NegotiationModel(private, "bilateral", rng=seed, collect="none")
        .run()
        .to_record()["agreement_round.US-JP"]
        for seed in range(20)
    ]
    assert max(rounds) > talks_from
