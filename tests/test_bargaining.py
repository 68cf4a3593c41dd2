"""Validation against bargaining theory: Rubinstein, Stahl, n-party, Nash and K-S points."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from negsim.negotiation.bargaining import DivisionModel, divide_the_gains
from negsim.record.outcome import kalai_smorodinsky, nash_solution

GRID = [0.5, 0.7, 0.9, 0.95, 0.99]


@pytest.mark.parametrize(("d1", "d2"), list(itertools.product(GRID, GRID)))
def test_first_proposer_gets_rubinsteins_share(d1, d2):
    model = DivisionModel(divide_the_gains([d1, d2], horizon=3000))
    shares = model.run()
    assert model.agreement_round == 1  # no delay in equilibrium
    assert shares[0] == pytest.approx((1 - d2) / (1 - d1 * d2), abs=0.01)
    assert shares.sum() == pytest.approx(1.0)


def test_second_mover_is_first_in_line_when_it_proposes():
    shares = DivisionModel(divide_the_gains([0.9, 0.8], horizon=3000), first=1).run()
    assert shares[1] == pytest.approx((1 - 0.9) / (1 - 0.9 * 0.8), abs=0.01)


@pytest.mark.parametrize(("d1", "d2"), [(0.9, 0.8), (0.5, 0.95), (0.7, 0.7)])
def test_finite_horizon_shares_follow_stahl(d1, d2):
    # backward induction by hand: with T rounds left the proposer keeps
    # T=1: 1;  T=2: 1 - d2;  T=3: 1 - d2 (1 - d1);  T=4: 1 - d2 (1 - d1 (1 - d2))
    expected = {
        1: 1.0,
        2: 1 - d2,
        3: 1 - d2 * (1 - d1),
        4: 1 - d2 * (1 - d1 * (1 - d2)),
    }
    for horizon, share in expected.items():
        shares = DivisionModel(divide_the_gains([d1, d2], horizon=horizon)).run()
        assert shares[0] == pytest.approx(share, abs=1e-12)


@pytest.mark.parametrize(("n", "delta"), [(3, 0.9), (4, 0.8), (5, 0.95)])
def test_n_parties_with_unanimity_and_rotation(n, delta):
    shares = DivisionModel(divide_the_gains([delta] * n, horizon=4000)).run()
    for k in range(1, n + 1):  # the k-th in line
        stationary = delta ** (k - 1) * (1 - delta) / (1 - delta**n)
        assert shares[k - 1] == pytest.approx(stationary, abs=0.01)


def test_bad_discounts_are_refused():
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        divide_the_gains([0.9, 1.0])


def _linear_frontier(d1, d2, total):
    u1 = np.linspace(d1, total - d2, 20001)
    return np.column_stack([u1, total - u1])


def test_nash_and_ks_on_a_linear_frontier_split_the_surplus_evenly():
    d = np.array([0.1, 0.3])
    points = _linear_frontier(*d, total=1.0)
    surplus = 1.0 - d.sum()
    expected = d + surplus / 2
    assert nash_solution(points, d) == pytest.approx(expected, abs=1e-4)
    assert kalai_smorodinsky(points, d) == pytest.approx(expected, abs=1e-4)


def test_nash_and_ks_on_a_curved_frontier():
    u1 = np.linspace(0.0, 1.0, 200001)
    points = np.column_stack([u1, 1 - u1**2])
    zero = np.zeros(2)
    # Nash: max u1 (1 - u1^2) -> 1 - 3 u1^2 = 0 -> u1 = 1/sqrt(3), u2 = 2/3
    assert nash_solution(points, zero) == pytest.approx([1 / math.sqrt(3), 2 / 3], abs=1e-4)
    # K-S: ideal (1, 1), so u1 = u2 = u with u = 1 - u^2 -> u = (sqrt(5) - 1) / 2
    golden = (math.sqrt(5) - 1) / 2
    assert kalai_smorodinsky(points, zero) == pytest.approx([golden, golden], abs=1e-4)


def test_reference_points_fall_back_to_disagreement_without_gains():
    points = np.array([[0.0, 0.0], [0.1, -0.1]])
    d = np.array([0.2, 0.2])
    assert nash_solution(points, d) == pytest.approx(d)
    assert kalai_smorodinsky(points, d) == pytest.approx(d)
