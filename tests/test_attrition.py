"""Committed types and the war of attrition (model.md B8-B10; Abreu & Gul 2000).

The rates and chances are worked by hand from the formulas; the model-level tests use
the limits theory gives: a side known to be rational concedes at once to a side that
is surely committed, and two sides surely committed never agree once both have laid
their postures.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import refuses_too_few_runs

import negsim
from negsim.cli import main
from negsim.negotiation import attrition
from negsim.negotiation.model import NegotiationModel

US, JP = 0, 1


def test_the_concession_rate_keeps_the_other_indifferent():
    # delta 0.95: r = -ln 0.95 = 0.051293; j gains 0.3 at i's posture and 0.6 at its own,
    # so lambda_i = r * 0.3 / (0.6 - 0.3) = r
    r = -math.log(0.95)
    assert attrition.concession_rate(0.95, 0.3, 0.6) == pytest.approx(r)
    # symmetric demands of 65% of a unit surplus: lambda = r * 0.35 / 0.30 = 0.05984
    assert attrition.concession_rate(0.95, 0.35, 0.65) == pytest.approx(0.059842, abs=1e-6)
    # a posture worth nothing to the other, or as much as its own: no war to fight
    assert math.isinf(attrition.concession_rate(0.95, 0.0, 0.6))
    assert math.isinf(attrition.concession_rate(0.95, 0.6, 0.6))


def test_a_rational_side_concedes_so_that_its_reputation_grows_at_its_rate():
    rate = 0.1
    assert attrition.concession_chance(rate, 0.0) == pytest.approx(1 - math.exp(-0.1))
    # believed committed with 0.5: the rational half concedes twice as often
    assert attrition.concession_chance(rate, 0.5) == pytest.approx(2 * (1 - math.exp(-0.1)))
    # and then Bayes' rule gives mu * e^lambda (continuous time's z e^(lambda t))
    chance = attrition.concession_chance(rate, 0.2)
    assert attrition.updated_reputation(0.2, chance) == pytest.approx(0.2 * math.exp(0.1))
    # past e^(-lambda) the rational type concedes for sure: the war's last round
    assert attrition.concession_chance(rate, 0.95) == 1.0
    assert attrition.updated_reputation(0.95, 1.0) == 1.0
    assert attrition.concession_chance(math.inf, 0.3) == 1.0


def test_the_weaker_side_concedes_at_once_with_the_chance_that_ends_both_wars_together():
    # z = 0.1 each; lambda_i = 0.1, lambda_j = 0.2: T_i = 23.0 > T_j = 11.5, so i is
    # weaker; after not conceding its reputation must be 0.1^(0.1/0.2) = 0.31623, so
    # c = 1 - 0.1 * (1/0.31623 - 1) / 0.9 = 0.75975
    assert attrition.opening_chance(0.1, 0.2, 0.1, 0.1) == pytest.approx(0.75975, abs=1e-5)
    chance = attrition.opening_chance(0.1, 0.2, 0.1, 0.1)
    after = attrition.updated_reputation(0.1, chance)
    assert -math.log(after) / 0.1 == pytest.approx(-math.log(0.1) / 0.2)  # equal T
    assert attrition.opening_chance(0.2, 0.1, 0.1, 0.1) == 0.0  # the stronger side waits
    assert attrition.opening_chance(0.1, 0.2, 0.0, 0.1) == 1.0  # known rational: at once
    assert attrition.opening_chance(0.1, 0.2, 0.1, 0.0) == 0.0


def _model(us: float, jp: float, seed: int) -> NegotiationModel:
    scenario = negsim.load_scenario(
        "tag2018", {"US.strategy.commitment": us, "JP.strategy.commitment": jp}
    )
    model = NegotiationModel(scenario, "bilateral", rng=seed, collect="none")
    model.run()
    return model


def _japan_war(model: NegotiationModel):
    return next((w for (name, _), w in model.wars.items() if name == "US-JP"), None)


def test_a_rational_us_can_only_give_way_to_a_japan_that_is_surely_committed():
    # Japan surely committed (z = 1), the US known to be rational (z = 0): once the war
    # has begun the only deal is Japan's posture, which the US takes once it is worth
    # more to it than the state in force (else there is no deal at all)
    deals = 0
    for seed in range(12):
        model = _model(0.0, 1.0, seed)
        assert model.country_agents[JP].committed and not model.country_agents[US].committed
        war = _japan_war(model)
        if war is None or not war.ready():
            continue  # the first offer was taken before the war began
        japan = next(o for o in model.offers if o["table"] == "US-JP" and o["proposer"] == "JP")
        for offer in model.offers:
            if offer["table"] == "US-JP" and offer["accepted"] and offer["round"] > japan["round"]:
                np.testing.assert_array_equal(offer["offer"], japan["offer"])
                deals += 1
    assert deals > 0


def test_two_sides_surely_committed_never_agree_once_both_postures_are_laid():
    wars = 0
    for seed in range(12):
        model = _model(1.0, 1.0, seed)
        war = _japan_war(model)
        if war is None or not war.ready():
            continue
        wars += 1
        laid = min(
            next(o["round"] for o in model.offers if o["table"] == "US-JP" and o["proposer"] == c)
            for c in ("US", "JP")
        )
        later = [o for o in model.offers if o["table"] == "US-JP" and o["round"] > laid]
        assert later and not any(o["accepted"] for o in later)
    assert wars > 0


def test_no_commitment_prior_fights_no_war(tag2018):
    model = NegotiationModel(tag2018, "bilateral", rng=3, collect="none")
    model.run()
    assert model.wars == {} and not any(a.committed for a in model.country_agents)


def test_a_side_that_cannot_wait_concedes_at_once_and_one_that_need_not_never():
    # delta_j = 0: j takes i's posture now, so i need not wait (rate infinite)
    assert math.isinf(attrition.concession_rate(0.0, 0.3, 0.6))
    # delta_j = 1: waiting costs j nothing, so i's concession keeps it indifferent at 0
    assert attrition.concession_rate(1.0, 0.3, 0.6) == 0.0
    assert attrition.concession_chance(0.0, 0.2) == 0.0
    # a rate of 0 never brings i's reputation to 1: i is the weaker side and gives way
    assert attrition.opening_chance(0.0, 0.2, 0.1, 0.1) == pytest.approx(1.0)


def test_a_prior_outside_0_1_is_one_line_and_exit_2(capsys):
    assert main(["run", "--set", "JP.strategy.commitment=1.5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "JP.strategy.commitment" in err[0] and "1" in err[0]


def test_the_experiment_refuses_too_few_runs_in_one_line(experiment):
    refuses_too_few_runs(experiment("attrition"))
