"""Screening on the linearised economy (model.md E11-E12) and the exact path beside it."""

from __future__ import annotations

import numpy as np
import pytest

from negsim.economy import TOLERANCE
from negsim.economy.linear import linearise, screen
from negsim.negotiation.model import NegotiationModel, simulate
from negsim.negotiation.protocols import bilateral_table
from negsim.payoffs import PayoffModel, TableEvaluator
from negsim.scenarios import load_scenario

CODES = ("US", "JP", "CN")


@pytest.fixture(scope="module")
def table_setup(tag2018):
    """The US-Japan table's evaluator and 40 offers around the start."""
    model = PayoffModel.from_scenario(tag2018)
    table = bilateral_table(0, 1, tag2018.codes, len(tag2018.sectors))
    evaluator = TableEvaluator(
        model, table.importer, table.exporter, table.sector, table.issue_of_target
    )
    current = model.world.base_tariffs
    start = evaluator.links(current)
    rng = np.random.default_rng(3)
    links = np.clip(start + rng.normal(0.0, 0.03, size=(40, len(start))), 0.0, 0.5)
    return model, evaluator, current, links


def test_the_slopes_predict_a_small_change_to_second_order(tag_world, table_setup):
    _, evaluator, current, _ = table_setup
    lin = linearise(tag_world.baseline, current, evaluator.entries_set)
    for size in (1e-3, 2e-3):
        moved = current.copy().reshape(-1)
        moved[evaluator.entries_set[0]] += size
        exact = np.log(tag_world.solve(moved.reshape(current.shape)).price[0])
        predicted = lin.start(moved.reshape(1, *current.shape))[0]
        error = np.abs(exact - predicted).max()
        assert error < 50 * size**2  # first order: the error shrinks as the square


def test_a_screen_is_marked_inexact_and_close(tag_world, table_setup):
    model, evaluator, current, links = table_setup
    states = evaluator.states(links, current)
    lin = linearise(tag_world.baseline, current, evaluator.entries_set)
    screened = screen(tag_world.baseline, lin, states)
    exact = tag_world.solve(states)
    assert not screened.exact and exact.exact and exact.converged.all()
    assert np.isfinite(screened.residual).all() and screened.residual.max() < 1e-4
    gap = np.abs(model.from_equilibrium(screened).total - model.from_equilibrium(exact).total)
    spread = np.ptp(model.from_equilibrium(exact).total[:, :2], axis=0)
    assert gap[:, :2].max() < 0.01 * spread.min()


def test_exact_rows_of_a_screened_evaluation_meet_the_tolerance(table_setup):
    _, evaluator, current, links = table_setup
    legacy = evaluator.evaluate(links, current)
    near = evaluator.evaluate(links, current, screened=0)
    mixed = evaluator.evaluate(links, current, screened=30)
    np.testing.assert_allclose(near.total, legacy.total, rtol=0, atol=1e-8)
    np.testing.assert_allclose(mixed.total[30:], legacy.total[30:], rtol=0, atol=1e-8)
    assert mixed.trade is not None and (mixed.trade.residual[30:] < TOLERANCE).all()


def test_an_unknown_solve_mode_is_refused(tag2018):
    with pytest.raises(ValueError, match="unknown solve 'fast'; allowed: screened, exact"):
        NegotiationModel(tag2018, "bilateral", rng=0, solve="fast")


@pytest.mark.parametrize("solve", ["screened", "exact"])
def test_each_solve_mode_is_reproducible(tag2018, solve):
    here = simulate(tag2018, "multilateral", 5, solve=solve).to_record()
    again = simulate(tag2018, "multilateral", 5, solve=solve).to_record()
    assert here == again or all(
        a == b or (a != a and b != b) for a, b in zip(here.values(), again.values(), strict=True)
    )


def test_bilateral_screening_picks_the_exact_offers_of_the_sampled_search():
    """With N2's candidates only the Nash gap differs (docs/performance.md, 200 seeds).

    With the directed search (N17) the candidates themselves follow the payoffs, so
    exact and screened runs part; ``benchmarks/screening.py`` measures by how much.
    """
    sampled = load_scenario("tag2018", {f"{c}.strategy.search": "sampled" for c in CODES})
    for seed in range(4):
        exact = simulate(sampled, "bilateral", seed, solve="exact").to_record()
        screened = simulate(sampled, "bilateral", seed).to_record()
        for key, value in exact.items():
            if key != "nash_gap" and isinstance(value, float) and value == value:
                assert screened[key] == pytest.approx(value, abs=1e-9), key
