"""Shape of the economy: trade response, diversion, welfare and trade wars."""

from __future__ import annotations

import numpy as np
import pytest

from negsim.economy import World, best_response, trade_war
from negsim.scenarios import load_scenario

US, JP, CN, ROW = 0, 1, 2, 3
AUTOS, AGRICULTURE, STEEL, MACHINERY, OTHER = range(5)


def _welfare(world, tariffs):
    tariffs = np.asarray(tariffs)
    return world.welfare(
        world.evaluate(world.link_tariffs(tariffs.reshape(-1, *tariffs.shape[-3:])))
    )


def test_start_state_reproduces_baseline(tag_world):
    assert np.allclose(
        tag_world.trade(tag_world.base_tariffs), tag_world.base_imports[: tag_world.n + 1]
    )
    assert np.allclose(_welfare(tag_world, tag_world.base_tariffs), 0.0)


def test_taxing_china_machinery_diverts_us_imports_to_japan_and_row(tag_world):
    tariffs = tag_world.base_tariffs.copy()
    tariffs[US, CN, MACHINERY] = 0.50
    before = tag_world.trade(tag_world.base_tariffs)
    after = tag_world.trade(tariffs)
    assert after[US, CN, MACHINERY] < before[US, CN, MACHINERY]
    assert after[US, JP, MACHINERY] > before[US, JP, MACHINERY]
    assert after[US, ROW, MACHINERY] > before[US, ROW, MACHINERY]
    # other markets are untouched
    assert np.allclose(after[JP], before[JP])
    assert np.allclose(after[US, :, AUTOS], before[US, :, AUTOS])


def test_a_partners_tariff_on_my_exports_lowers_my_welfare(tag_world):
    world = tag_world
    base = world.base_tariffs
    for importer, exporter, sector in world.links:
        if exporter >= world.n:
            continue
        raised = base.copy()
        raised[importer, exporter, sector] += 0.10
        change = _welfare(world, raised)[0] - _welfare(world, base)[0]
        assert change[exporter] < 0, (importer, exporter, sector)


def test_unilateral_optimal_tariff_is_interior_with_partial_pass_through(symmetric):
    world = World.from_scenario(symmetric)
    start = np.zeros_like(world.base_tariffs)
    best = best_response(world, start, importer=0)
    optimum = best[0, 1, 0]
    assert 0.0 < optimum < 1.0  # positive, and far below a prohibitive level
    grid = np.array([0.0, optimum, 2.0])
    batch = np.repeat(start[None], 3, axis=0)
    batch[:, 0, 1:, 0] = grid[:, None]
    welfare = _welfare(world, batch)[:, 0]
    assert welfare[1] > welfare[0]  # a small tariff gains (terms of trade)
    assert welfare[2] < welfare[1]  # a large one loses


def test_no_terms_of_trade_motive_with_complete_pass_through():
    scenario = load_scenario("symmetric", {"economy.pass_through.A": 1.0})
    world = World.from_scenario(scenario)
    best = best_response(world, np.zeros_like(world.base_tariffs), importer=0)
    assert np.allclose(best[0, 1:], 0.0)


def test_optimal_tariff_rises_as_exporters_bear_more(symmetric):
    optima = []
    for pass_through in (0.9, 0.8, 0.6):
        world = World.from_scenario(
            load_scenario("symmetric", {"economy.pass_through.A": pass_through})
        )
        optima.append(best_response(world, world.base_tariffs, importer=0)[0, 1, 0])
    assert optima[0] < optima[1] < optima[2]


def test_trade_war_is_a_prisoners_dilemma(symmetric):
    world = World.from_scenario(symmetric)
    war = trade_war(world)
    # everyone raised tariffs above the 5% start ...
    assert (war[: world.n, :, :][~np.eye(world.n + 1, dtype=bool)[: world.n]] > 0.05).all()
    # ... and everyone is worse off than at the start, and than at free trade
    at_war = _welfare(world, war)[0]
    free = _welfare(world, np.zeros_like(world.base_tariffs))[0]
    assert (at_war < 0).all()
    assert (at_war < free).all()


def test_japan_loses_when_everyone_plays_best_responses(tag_world):
    # In tag2018 the US-China tariffs at the start already exceed the econ best
    # responses (the 2018 war was not a terms-of-trade war); Japan, not in it,
    # loses from everyone's best responses.
    war = trade_war(tag_world)
    assert _welfare(tag_world, war)[0, JP] < 0


def test_network_view(tag_world):
    graph = tag_world.network()
    assert set(graph.nodes) == {"US", "JP", "CN", "ROW"}
    assert graph.edges["JP", "US"]["total"] == pytest.approx(142.6)
    assert graph.edges["JP", "US"]["tariffs"]["steel"] == 0.25
    assert graph.edges["ROW", "US"]["exports"]["autos"] == pytest.approx(291.5)
