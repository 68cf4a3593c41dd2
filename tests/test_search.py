"""Directed offer search (model.md N17): slopes, directions and the candidates they give.

The expectations are linear algebra worked by hand: in a world where payoffs are
linear in the issues, the regressed slopes are the true ones, the trade-off direction
leaves every responder's payoff where it is, and the common ascent raises each by the
same amount.
"""

from __future__ import annotations

import numpy as np
import pytest

import negsim
from negsim.negotiation import search

SLOPES = np.array([[1.0, -2.0], [0.5, 1.0], [-1.0, 0.5]])  # 3 issues x 2 parties


def linear_world(k: int = 40, seed: int = 0):
    """Candidates in [0, 1]^3 and payoffs exactly ``2 + X @ SLOPES`` for two parties."""
    rng = np.random.default_rng(seed)
    offers = rng.uniform(0.2, 0.8, (k, 3))
    return offers, 2.0 + offers @ SLOPES


def test_gradients_recover_the_slopes_of_a_linear_world():
    offers, utilities = linear_world()
    scale = np.array([0.1, 0.2, 0.4])
    g = search.gradients(offers, utilities, scale)
    # per unit of an issue's spread: the slope times the spread
    np.testing.assert_allclose(g, SLOPES * scale[:, None], atol=1e-10)


def test_directions_keep_the_responder_and_raise_the_proposer():
    own, others = SLOPES[:, 0], SLOPES[:, 1:]
    d, a = search.directions(own, others, np.ones(3, dtype=bool))
    assert abs(float(others[:, 0] @ d)) < 1e-12  # the responder's payoff is unchanged
    assert float(own @ d) > 0  # the proposer's rises
    assert float(others[:, 0] @ a) > 0  # the common ascent raises the responder's
    assert np.linalg.norm(d) == pytest.approx(1.0) and np.linalg.norm(a) == pytest.approx(1.0)


def test_directions_with_two_responders_raise_both_alike():
    own = np.array([1.0, 0.0, 0.0, 2.0])
    others = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, -1.0]])
    d, a = search.directions(own, others, np.ones(4, dtype=bool))
    np.testing.assert_allclose(others.T @ d, 0.0, atol=1e-12)
    gains = others.T @ a
    assert gains[0] == pytest.approx(gains[1]) and gains[0] > 0


def test_no_trade_off_when_the_responders_span_every_issue():
    d, a = search.directions(np.array([1.0, 1.0]), np.eye(2), np.ones(2, dtype=bool))
    assert not d.any() and not a.any()


def test_trade_offs_move_the_proposer_up_along_the_responders_level():
    offers, utilities = linear_world()
    low, high = np.zeros(3), np.ones(3)
    best = 5
    found = search.trade_offs(offers, utilities, 0, [1], best, low, high, 32)
    assert found.shape == (32, 3)
    assert ((found >= low) & (found <= high)).all()
    payoffs = 2.0 + found @ SLOPES
    steps = search._grid(32)
    level = steps[:, 1] == 0.0  # t = 0: along d alone
    base = utilities[best]
    unclipped = ((found > 1e-12) & (found < 1 - 1e-12)).all(axis=1)
    rows = level & unclipped
    assert rows.any()
    np.testing.assert_allclose(payoffs[rows, 1], base[1], atol=1e-9)
    assert (payoffs[rows, 0] > base[0]).all()


def test_an_issue_at_its_bound_pushed_outwards_is_held():
    offers, utilities = linear_world()
    low, high = np.zeros(3), np.ones(3)
    # the proposer gains from issue 0 rising; start at its ceiling
    offers[7, 0] = 1.0
    found = search.trade_offs(offers, utilities, 0, [1], 7, low, high, 32)
    np.testing.assert_array_equal(found[:, 0], 1.0)


def test_too_small_a_sample_gives_nothing():
    offers, utilities = linear_world(k=3 + search.SMALLEST - 1)
    assert search.trade_offs(offers, utilities, 0, [1], 0, np.zeros(3), np.ones(3), 8) is None


@pytest.mark.parametrize("mode", ["sampled", "directed"])
def test_the_budget_is_the_same_under_either_search(mode, monkeypatch):
    """Every offer weighs the strategy's ``candidates`` plus the three fixed rows (N2, N17)."""
    scenario = negsim.load_scenario(
        "tag2018", {f"{c}.strategy.search": mode for c in ("US", "JP", "CN")}
    )
    model = negsim.NegotiationModel(scenario, protocol="bilateral", rng=3)
    seen: list[int] = []
    offers_made: list[int] = []
    original = model.table_payoffs

    def counting(table, offers, breakdown=False, screened=False, **kwargs):
        if len(offers) > 1:
            seen.append(len(offers))
        return original(table, offers, breakdown, screened, **kwargs)

    monkeypatch.setattr(model, "table_payoffs", counting)
    for agent in model.country_agents:
        original_propose = type(agent).propose

        def propose(table, agent=agent, original_propose=original_propose):
            seen.clear()
            original_propose(agent, table)
            assert sum(seen) == 64 + 3, seen
            offers_made.append(len(seen))

        monkeypatch.setattr(agent, "propose", propose)
    model.run()
    assert offers_made  # some offers were made
    assert set(offers_made) == ({2} if mode == "directed" else {1})  # screened calls per offer


def test_an_unknown_search_is_refused():
    with pytest.raises(negsim.ScenarioError, match="search"):
        negsim.load_scenario("tag2018", {"US.strategy.search": "greedy"})
