"""The screen laid out across candidates gives the per-state kernel's numbers, bit for bit.

:func:`negsim.economy.lanes.screen_offers` reorders loops (states side by side), not
arithmetic: every output must equal that of ``prepare_near`` followed by
``kernel.solve_batch(..., newton=False)`` exactly, for any batch size (full and
partial blocks), any number of chord steps, and starts far enough off that some
chord steps are refused (residuals that are not finite are reported as inf, as the
solver reports them).
"""

from __future__ import annotations

import numpy as np
import pytest

from negsim.economy import kernel, lanes
from negsim.economy.linear import linearise, prepare_near, screen_near
from negsim.economy.solver import MAX_STEP, TOLERANCE
from negsim.negotiation.protocols import bilateral_table
from negsim.payoffs import TableEvaluator


@pytest.fixture(scope="module")
def setup(tag2018, tag_payoffs):
    table = bilateral_table(0, 1, tag2018.codes, len(tag2018.sectors))
    evaluator = TableEvaluator(
        tag_payoffs, table.importer, table.exporter, table.sector, table.issue_of_target
    )
    world = tag_payoffs.world
    current = world.base_tariffs.copy()
    current[0, 2] += 0.1  # a state in force away from the start
    _, reference = evaluator._prepared(current)
    lin = linearise(world.baseline, current, evaluator.entries_set)
    return world.baseline, evaluator, current, reference, lin


def _per_state(b, lin, reference, entries, values, start, steps):
    prepared = prepare_near(reference, entries, values, b.tariffs, b.share, b.elasticity)
    u, flows, spending, residual, most, index = kernel.solve_batch(
        *prepared, b.sector_share, b.income, b.deficit, b.elasticity, b.active, start,
        TOLERANCE * 1e-2, steps, MAX_STEP, lin.chord, False,
    )  # fmt: skip
    residual = np.where(np.isfinite(residual), residual, np.inf)  # as the solver reports it
    return u, flows, spending, residual, most, index


@pytest.mark.parametrize("k", [1, 7, lanes.LANES, lanes.LANES + 1, 64, 100])
@pytest.mark.parametrize("steps", [0, 1, 2, 5])
@pytest.mark.parametrize("shake", [0.0, 0.3])
def test_the_lanes_give_the_kernels_numbers(setup, k, steps, shake):
    b, evaluator, _, reference, lin = setup
    rng = np.random.default_rng(k * 10 + steps)
    entries = evaluator.entries_set
    values = rng.uniform(0.0, 0.4, size=(k, len(entries)))
    start = lin.start_at(values) + rng.normal(0.0, shake, size=(k, *lin.price.shape))
    expected = _per_state(b, lin, reference, entries, values, start, steps)
    got = lanes.screen_offers(
        reference, entries, values, b.tariffs, b.share, b.sector_share, b.income, b.deficit,
        b.elasticity, b.active, start, TOLERANCE * 1e-2, steps, lin.chord,
    )  # fmt: skip
    names = ("u", "flows", "spending", "residual", "most", "index")
    for name, want, have in zip(names, expected, got, strict=True):
        np.testing.assert_array_equal(np.asarray(have), np.asarray(want), err_msg=name)


def test_screen_near_equals_the_screen_of_solve_offers_rows(setup):
    b, evaluator, current, reference, lin = setup
    offers = np.random.default_rng(5).uniform(
        0.0, 0.3, size=(40, evaluator.issue_of_link.max() + 1)
    )
    links = evaluator.offer_links(offers)
    states = evaluator.states(links, current)
    eq = screen_near(b, lin, reference, evaluator.entries_set, states, links)
    expected = _per_state(b, lin, reference, evaluator.entries_set, links, lin.start_at(links), 2)
    assert not eq.exact
    np.testing.assert_array_equal(eq.price, np.exp(expected[0]))
    np.testing.assert_array_equal(eq.flows, expected[1])
    np.testing.assert_array_equal(eq.price_index, expected[5])


@pytest.mark.parametrize("k", [8, lanes.LANES + 3, 70])
@pytest.mark.parametrize("how", ["linearised", "from the state in force", "far off"])
def test_exact_lanes_give_the_kernels_numbers(setup, k, how):
    b, evaluator, _, reference, lin = setup
    rng = np.random.default_rng(k)
    entries = evaluator.entries_set
    values = rng.uniform(0.0, 0.6, size=(k, len(entries)))
    if how == "linearised":
        start, chord = lin.start_at(values), lin.chord
    else:  # the chord of the first state that steps, as the solver computes it
        start, chord = np.repeat(lin.price[None], k, axis=0), np.zeros((0, 0))
        start[0] = lin.start_at(values[:1])[0]  # a first state near, a second that steps
        if how == "far off":
            start = start + rng.normal(0.0, 0.3, size=start.shape)
    prepared = prepare_near(reference, entries, values, b.tariffs, b.share, b.elasticity)
    expected = kernel.solve_batch(
        *prepared, b.sector_share, b.income, b.deficit, b.elasticity, b.active, start,
        TOLERANCE * 1e-2, 60, MAX_STEP, chord, True,
    )  # fmt: skip
    got = lanes.solve_offers(
        reference, entries, values, b.tariffs, b.share, b.sector_share, b.income, b.deficit,
        b.elasticity, b.active, start, TOLERANCE * 1e-2, 60, MAX_STEP, chord, True,
    )  # fmt: skip
    residual = np.where(np.isfinite(expected[3]), expected[3], np.inf)
    expected = (*expected[:3], residual, *expected[4:])
    names = ("u", "flows", "spending", "residual", "most", "index")
    for name, want, have in zip(names, expected, got, strict=True):
        np.testing.assert_array_equal(np.asarray(have), np.asarray(want), err_msg=name)
