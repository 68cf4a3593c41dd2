"""The truce vote weighs the talks a truce leaves time for (model.md C4).

Expectations are derived by hand from the formulas, not copied from output.
"""

from __future__ import annotations

import numpy as np
import pytest

from negsim.negotiation.kinds import Screening
from negsim.negotiation.model import NegotiationModel


def test_the_prospect_of_talks_is_the_best_screening_value(tag2018):
    model = NegotiationModel(tag2018, rng=0, collect="none")
    us, table = model.country_agents[0], model.tables[0]  # US-JP, no demand
    us.strategy.noise = 0.0
    belief = us.beliefs.of(1, "margin")
    belief.values, belief.weights = np.array([0.0]), np.array([1.0])
    utilities = np.array([[1.0, 0.0, 0.0], [0.5, 1.0, 0.0]])
    reserves = np.array([0.2, 0.5, 0.0])
    # candidate 0: Japan gets 0 < 0.5, refused: 0.95·0.2 = 0.19; candidate 1: accepted, 0.5
    assert Screening().prospect(us, utilities, reserves, table) == pytest.approx(0.5)
    value, chance = Screening().values(us, utilities, reserves, table)
    assert value == pytest.approx([0.19, 0.5]) and chance == pytest.approx([0.0, 1.0])


@pytest.mark.parametrize(("prospect", "vote"), [(2.0, True), (1.0, False), (-np.inf, False)])
def test_the_coercer_votes_for_a_truce_when_the_talks_beat_executing(
    tag2018, monkeypatch, prospect, vote
):
    # C4: yes iff max(U(now), δ·W) >= max_q E[U(execute)] + ρ; U(now) = 0.5, execute 1.0,
    # δ = 0.95: W = 2 gives 1.9 (yes), W = 1 gives 0.95 (no), no talks gives the old rule (no)
    model = NegotiationModel(tag2018, rng=0, collect="none")
    us = model.country_agents[0]
    threat = model.threats[1]
    us.resolve = 0.0
    monkeypatch.setattr(model, "current_total", lambda i: 0.5)
    monkeypatch.setattr(us, "execution_values", lambda t: np.array([0.2, 1.0]))
    monkeypatch.setattr(us, "truce_prospect", lambda t: prospect)
    assert us.strategy.discount == pytest.approx(0.95)
    assert us.truce_vote(threat) is vote


def test_no_open_table_no_prospect(tag2018):
    model = NegotiationModel(tag2018, rng=0, collect="none")
    for table in model.tables:
        table.status = "agreed"
    assert model.country_agents[0].truce_prospect(model.threats[1]) == -np.inf
