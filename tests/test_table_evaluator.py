"""A table's restricted evaluation equals the full evaluation of the world.

An offer sets the table's tariff entries on the state in force; the table evaluator
solves those states (in general equilibrium every market moves). The results must
be those of ``PayoffModel.evaluate`` on the full tariff tensors.
"""

from __future__ import annotations

import numpy as np
import pytest

from negsim.negotiation.model import NegotiationModel
from negsim.negotiation.protocols import bilateral_table, multilateral_table
from negsim.payoffs import PayoffModel, TableEvaluator
from negsim.scenarios import load_scenario, synthetic

COMPONENTS = ("econ", "security", "politics", "total")


def _tables(payoffs: PayoffModel, codes: list[str], protocol: str):
    world = payoffs.world
    n, s = world.n, world.n_sectors
    if protocol == "multilateral":
        return [multilateral_table(list(range(n)), world.base_imports, s)]
    return [bilateral_table(a, b, codes, s) for a in range(n) for b in range(a + 1, n)][:8]


def _assert_same(full, part):
    for name in COMPONENTS:
        np.testing.assert_allclose(
            getattr(part, name), getattr(full, name), rtol=1e-8, atol=1e-8, err_msg=name
        )


@pytest.mark.parametrize("protocol", ["bilateral", "multilateral"])
@pytest.mark.parametrize("scenario", ["tag2018", "synthetic-10"])
def test_restricted_evaluation_equals_the_full_one_for_random_offers(scenario, protocol):
    config = load_scenario("tag2018") if scenario == "tag2018" else synthetic(10, 5, seed=3)
    payoffs = PayoffModel.from_scenario(config)
    world, n = payoffs.world, payoffs.n
    rng = np.random.default_rng(7)
    for table in _tables(payoffs, config.codes, protocol):
        evaluator = TableEvaluator(
            payoffs, table.importer, table.exporter, table.sector, table.issue_of_target
        )
        for round_ in (0, 2, 9):
            # a state away from the start: tariffs, health and backdowns all moved
            current = world.base_tariffs + rng.uniform(0.0, 0.2, world.base_tariffs.shape)
            health = rng.uniform(0.4, 1.0, (n, n))
            backdowns = rng.integers(0, 3, n).astype(float)
            offers = rng.uniform(0.0, 0.6, (33, table.n_issues))
            full = payoffs.evaluate(
                table.apply(offers, current), health=health, round_=round_, backdowns=backdowns
            )
            part = evaluator.evaluate(
                evaluator.with_states(offers),
                current,
                health=health,
                round_=round_,
                backdowns=backdowns,
            )
            _assert_same(full, part)


def test_an_offer_between_two_countries_moves_a_third_countrys_payoff(tag2018):
    # general equilibrium: a US-Japan cut diverts US purchases from China (Viner), and
    # factor prices move everywhere; the partial-equilibrium evaluator left China alone
    payoffs = PayoffModel.from_scenario(tag2018)
    table = bilateral_table(0, 1, tag2018.codes, len(tag2018.sectors))  # US-JP
    evaluator = TableEvaluator(
        payoffs, table.importer, table.exporter, table.sector, table.issue_of_target
    )
    current = payoffs.world.base_tariffs
    free = np.zeros((1, table.n_issues))
    cut = evaluator.evaluate(evaluator.with_states(free), current)
    china = 2
    assert cut.econ[0, china] < 0
    assert (cut.econ[0, :2] > 0).all()


def test_extra_states_and_the_full_path_agree_inside_a_model(tag2018):
    """The model's breakdown row (threats executed) is evaluated like any offer."""
    model = NegotiationModel(tag2018, "bilateral", rng=2, collect="none")
    for _ in range(3):
        model.step()
    for table in model.tables:
        if not table.open:
            continue
        offers = np.random.default_rng(0).uniform(0.0, 0.5, (16, table.n_issues))
        got = model.table_payoffs(table, offers, breakdown=True)
        broken_tariffs, broken_health = model.breakdown_state(table)
        states = np.concatenate([table.apply(offers, model.tariffs), broken_tariffs[None]])
        health = np.concatenate(
            [np.repeat(model.agreed_health(table)[None], len(offers), axis=0), broken_health[None]]
        )
        full = model.payoffs.evaluate(
            states, health=health, round_=model.round, backdowns=model.backdowns
        )
        _assert_same(full, got)


def test_a_breakdown_moving_tariffs_off_the_table_is_detected(tag2018):
    payoffs = PayoffModel.from_scenario(tag2018)
    table = bilateral_table(0, 1, tag2018.codes, len(tag2018.sectors))
    evaluator = TableEvaluator(
        payoffs, table.importer, table.exporter, table.sector, table.issue_of_target
    )
    current = payoffs.world.base_tariffs
    on_table = current.copy()
    on_table[0, 1, 0] = 0.25  # US on Japan, autos: an issue of the table
    off_table = current.copy()
    off_table[0, 2, 3] = 0.25  # US on China: not at the US-Japan table
    assert evaluator.covers(on_table, current)
    assert not evaluator.covers(off_table, current)
