"""Signing now or after the election (model.md B11).

The lift of election proximity is worked by hand from its definition; the slope of
politics is checked against politics evaluated at two rounds (politics is affine in
proximity, P5 and P7); the model-level tests use what B11 implies: no cost without an
election ahead or while a threat runs on, and a government whose farm lobby weighs
far more at its election cuts its farm tariff less before it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import refuses_too_few_runs

import negsim
from negsim.cli import main
from negsim.negotiation.model import NegotiationModel, release
from negsim.payoffs import PayoffModel

US, JP = 0, 1


def _japan_payoffs(**politics: object) -> PayoffModel:
    overrides = {f"JP.politics.{key}": value for key, value in politics.items()}
    return PayoffModel.from_scenario(negsim.load_scenario("tag2018", overrides))


def test_the_lift_is_the_highest_window_average_of_proximity_less_its_value_now():
    payoffs = _japan_payoffs(elections=[5], salience_lead=1.0)
    discount = np.full(payoffs.n, 0.5)
    # round 4: proximity e^-1 now and 1 at the election; the window of both rounds
    # averages (e^-1 + 0.5) / 1.5, so the lift is 0.5 (1 - e^-1) / 1.5
    assert payoffs.election_lift(4, discount)[JP] == pytest.approx(0.5 * (1 - math.exp(-1)) / 1.5)
    # round 3: windows e^-2; (e^-2 + 0.5 e^-1) / 1.5; (e^-2 + 0.5 e^-1 + 0.25) / 1.75
    third = (math.exp(-2) + 0.5 * math.exp(-1) + 0.25) / 1.75
    assert payoffs.election_lift(3, discount)[JP] == pytest.approx(third - math.exp(-2))
    # in the election round and after the last election there is nothing to wait for
    assert payoffs.election_lift(5, discount)[JP] == 0.0
    assert payoffs.election_lift(6, discount)[JP] == 0.0


def test_the_slope_carries_politics_from_one_round_to_another():
    payoffs = _japan_payoffs(elections=[10], lobby_peak=1.5, salience_peak=0.3)
    rng = np.random.default_rng(3)
    tariffs = np.repeat(payoffs.world.base_tariffs[None], 4, axis=0)
    tariffs[1:, JP, US, :] = rng.uniform(0.0, 0.4, size=(3, payoffs.n_sectors))
    tariffs[1:, US, JP, :] = rng.uniform(0.0, 0.4, size=(3, payoffs.n_sectors))
    eq = payoffs.world.solve(tariffs)
    early, late = payoffs.from_equilibrium(eq, round_=4), payoffs.from_equilibrium(eq, round_=9)
    moved = payoffs.proximity(9) - payoffs.proximity(4)
    slope = payoffs.electoral_slope(eq)
    assert np.abs(slope[:, JP]).max() > 1e-4  # Japan's politics does move with its election
    np.testing.assert_allclose(late.politics - early.politics, moved * slope, atol=1e-12)


def _record(overrides: dict, seed: int = 1) -> dict:
    model = NegotiationModel(negsim.load_scenario("tag2018", overrides), rng=seed, collect="none")
    record = model.run().to_record()
    release(model)
    return record


def _timing(on: bool) -> dict:
    return {f"{c}.strategy.election_timing": on for c in ("US", "JP", "CN")}


def test_without_an_election_ahead_timing_changes_nothing():
    no_elections = {f"{c}.politics.elections": [] for c in ("US", "JP", "CN")}
    for seed in (1, 2):
        assert _record({**no_elections, **_timing(True)}, seed) == _record(no_elections, seed)


def test_while_a_threat_runs_on_waiting_is_not_free():
    model = NegotiationModel(
        negsim.load_scenario(
            "tag2018",
            {
                "threats.us_autos_232.suspended": False,
                "JP.politics.lobby.agriculture": 0.5,
                "JP.politics.lobby_peak": 20.0,
                **_timing(True),
            },
        ),
        rng=0,
        collect="none",
    )
    table = next(t for t in model.tables if t.name == "US-JP")
    model.round = 4
    offers = np.repeat(model.issue_values(table)[None], 2, axis=0)
    offers[1, :] = 0.0  # every tariff of the table cut to zero, the farm tariff too
    trade = model.table_payoffs(table, offers).trade
    agent = model.country_agents[JP]
    assert model.pending(table)
    assert np.all(agent.timing_costs(table, trade, 2) == 0.0)
    next(t for t in model.pending(table)).suspended = True  # talks freeze it: now a cost
    costs = agent.timing_costs(table, trade, 2)
    assert costs[1, JP] > 0.0 and costs[0, JP] == 0.0  # the state in force costs nothing


def test_a_heavy_electoral_cycle_keeps_the_farm_tariff_higher_before_the_vote():
    # Japan's farm weight 0.5 and 21 times as heavy at its election (round 10): cutting
    # the farm tariff before the vote costs it more than after, so it cuts less
    heavy = {"JP.politics.lobby.agriculture": 0.5, "JP.politics.lobby_peak": 20.0}
    seeds = range(8)
    off = [_record(heavy, s)["tariff.JP.US.agriculture"] for s in seeds]
    on = [_record({**heavy, "JP.strategy.election_timing": True}, s) for s in seeds]
    assert np.mean([r["tariff.JP.US.agriculture"] for r in on]) > np.mean(off) + 0.005
    assert all(r["agreement_round.US-JP"] is not None for r in on)


def test_a_timing_that_is_not_a_yes_or_no_is_one_line_and_exit_2(capsys):
    assert main(["run", "--set", "JP.strategy.election_timing=maybe"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "JP.strategy.election_timing" in err[0] and "boolean" in err[0]


def test_the_experiment_refuses_too_few_runs_in_one_line(experiment):
    refuses_too_few_runs(experiment("election_timing"))
