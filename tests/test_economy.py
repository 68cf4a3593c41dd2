"""Shape of the general-equilibrium economy, with expectations from theory.

Replaces the partial-equilibrium tests (pass-through wedges, separable markets,
one-pass trade wars): see docs/model.md#economy for what each check stands on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from negsim.economy import TOLERANCE, World, best_response, optimal_tariffs, trade_war
from negsim.scenarios import MAX_TARIFF, ScenarioError, load_scenario

US, JP, CN, ROW = 0, 1, 2, 3
AUTOS, AGRICULTURE, STEEL, MACHINERY, OTHER = range(5)


def test_the_baseline_is_reproduced_exactly_at_no_change(tag_world):
    eq = tag_world.solve(tag_world.base_tariffs)
    np.testing.assert_allclose(eq.flows[0], tag_world.baseline.flows, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(eq.price[0], 1.0, rtol=1e-12)
    np.testing.assert_allclose(eq.welfare[0], 0.0, atol=1e-9)


def test_budgets_and_markets_clear_walras(tag_world):
    rng = np.random.default_rng(3)
    tariffs = tag_world.base_tariffs + rng.uniform(0.0, 1.0, (16, *tag_world.base_tariffs.shape))
    eq = tag_world.solve(tariffs)
    b = tag_world.baseline
    # every economy spends its factor income, its tariff revenue and its fixed deficit
    income = eq.income.sum(axis=-1)
    np.testing.assert_allclose(eq.spending, income + eq.revenue + b.deficit, rtol=1e-12)
    # every sector's sales equal its output (the solver's tolerance), world income fixed
    sales = eq.flows.sum(axis=1)
    assert (np.abs(sales - eq.income).max(axis=(1, 2)) < TOLERANCE * b.world_income).all()
    np.testing.assert_allclose(income.sum(axis=1), b.world_income, rtol=TOLERANCE)
    # world spending = world income + world revenue (deficits sum to zero)
    assert b.deficit.sum() == pytest.approx(0.0, abs=1e-9)


def test_a_batch_equals_its_rows_solved_alone(tag_world):
    rng = np.random.default_rng(5)
    tariffs = tag_world.base_tariffs + rng.uniform(0.0, 0.5, (6, *tag_world.base_tariffs.shape))
    together = tag_world.solve(tariffs).welfare
    for k in range(6):
        np.testing.assert_allclose(tag_world.solve(tariffs[k]).welfare[0], together[k], atol=1e-9)


@pytest.mark.parametrize("level", [0.0, MAX_TARIFF])
def test_the_solver_converges_at_extreme_tariffs(tag_world, level):
    tariffs = np.full_like(tag_world.base_tariffs, level)
    eq = tag_world.solve(tariffs)
    assert eq.converged.all()
    assert (eq.flows >= 0).all() and np.isfinite(eq.welfare).all()
    if level == MAX_TARIFF:  # near autarky: trade collapses; the surplus economies lose
        assert eq.flows[0][tag_world.base_imports > 0].sum() < 0.5 * tag_world.base_imports.sum()
        assert (eq.welfare[0, tag_world.baseline.deficit < 0] < 0).all()


def test_taxing_chinese_machinery_diverts_us_purchases(tag_world):
    tariffs = tag_world.base_tariffs.copy()
    tariffs[US, CN, MACHINERY] = 0.50
    before, after = tag_world.solve(np.stack([tag_world.base_tariffs, tariffs])).flows
    assert after[US, CN, MACHINERY] < before[US, CN, MACHINERY]
    for supplier in (JP, ROW, US):  # Japan, ROW and US producers sell more in the US
        assert after[US, supplier, MACHINERY] > before[US, supplier, MACHINERY]


def test_protection_helps_home_producers_and_a_partners_tariff_hurts_exporters(tag_world):
    base = tag_world.base_tariffs
    protected, hit = base.copy(), base.copy()
    protected[US, [JP, CN, ROW], STEEL] += 0.25
    hit[CN, US, AGRICULTURE] += 0.25
    rents = tag_world.solve(np.stack([base, protected, hit])).real_rents
    assert rents[1, US, STEEL] > rents[0, US, STEEL]
    assert rents[2, US, AGRICULTURE] < rents[0, US, AGRICULTURE]


def test_a_partners_tariff_on_my_exports_lowers_my_welfare(tag_world):
    base = tag_world.base_tariffs
    entries = [(j, i, s) for j, i, s in zip(*np.nonzero(tag_world.base_imports > 0), strict=True)]
    batch = np.repeat(base[None], len(entries) + 1, axis=0)
    for k, (j, i, s) in enumerate(entries):
        batch[k + 1, j, i, s] += 0.10
    welfare = tag_world.solve(batch).welfare
    for k, (_, i, _) in enumerate(entries):
        assert welfare[k + 1, i] < welfare[0, i], entries[k]  # terms of trade worsen


def _uniform(world: World, importer: int, level: float) -> np.ndarray:
    tariffs = world.base_tariffs.copy()
    foreign = np.arange(world.n + 1) != importer
    tariffs[importer, foreign] = level
    return tariffs


@pytest.mark.parametrize("scenario", ["symmetric", "tag2018"])
def test_unilateral_optimal_tariffs_are_interior_and_material(scenario):
    world = World.from_scenario(load_scenario(scenario))
    optimum = optimal_tariffs(world)
    # tens of percent with the literature's elasticities, far from prohibitive
    assert (optimum > 0.10).all() and (optimum < 1.0).all()
    # the importer gains from its optimum against no tariff and a tariff twice as high
    for j in range(world.n + 1):
        foreign = np.arange(world.n + 1) != j
        at = world.base_tariffs.copy()
        at[j, foreign] = optimum[j]
        states = np.stack([_uniform(world, j, 0.0), at, _uniform(world, j, 0.0)])
        states[2, j, foreign] = 2 * optimum[j]
        welfare = world.solve(states).welfare[:, j]
        assert welfare[1] > welfare[0] and welfare[1] > welfare[2]


def test_a_larger_economy_has_a_higher_optimal_tariff(tag_world):
    # market power grows with size: the US (GDP 20.5tn) above Japan (5tn) on average
    # (import-weighted); a sector may differ with the economy's share of world demand
    optimum = optimal_tariffs(tag_world)
    weights = tag_world.base_imports.sum(axis=1)  # imports by importer and sector
    average = (optimum * weights).sum(axis=1) / weights.sum(axis=1)
    assert average[US] > average[JP]


def test_optimal_tariffs_fall_as_the_trade_elasticity_rises():
    optima = []
    for elasticity in (3.0, 4.0, 6.0):
        world = World.from_scenario(load_scenario("symmetric", {"economy.elasticity": elasticity}))
        optima.append(best_response(world, world.base_tariffs, 0)[0, 1])
    assert (optima[0] > optima[1]).all() and (optima[1] > optima[2]).all()


def test_a_trade_war_leaves_everyone_worse_off_than_free_trade_in_symmetric(symmetric):
    world = World.from_scenario(symmetric)
    war = trade_war(world)
    off_diagonal = ~np.eye(world.n + 1, dtype=bool)
    assert (war[off_diagonal] > 0.05).all()  # every economy raised its tariffs
    welfare = world.welfare(np.stack([war, np.zeros_like(war)]))
    assert (welfare[0] < 0).all()  # worse than at the start
    assert (welfare[0] < welfare[1]).all()  # and than at free trade
    # identical economies end with (nearly) identical tariffs and losses
    assert np.ptp(welfare[0]) < 0.01


def test_in_tag2018_every_economy_loses_a_trade_war(tag_world):
    # Ossa (2014): every region loses a full trade war, 2.9% on average; here smaller
    # losses (no input-output links, a large non-traded "other"), docs/model.md E10.
    war = trade_war(tag_world)
    welfare = tag_world.welfare(np.stack([war, np.zeros_like(war)]))
    assert (welfare[0] < welfare[1]).all()
    assert (welfare[0] < 0).all()


def test_the_2018_us_china_tariffs_cost_the_us_of_the_order_of_fajgelbaum(tag_world):
    # Fajgelbaum et al. (2020): the 2018 war cost the US a net 0.04% of GDP
    before = tag_world.base_tariffs.copy()
    before[US, CN] = tag_world.base_tariffs[US, ROW]  # MFN, as on ROW
    before[CN, US] = tag_world.base_tariffs[CN, JP]
    change = tag_world.welfare(np.stack([tag_world.base_tariffs, before]))
    us = change[0, US] - change[1, US]
    assert -0.2 < us < -0.008  # a net loss within a factor of five of 0.04%
    assert change[0, CN] < change[1, CN]  # China loses too


def test_network_view(tag_world):
    graph = tag_world.network()
    assert set(graph.nodes) == {"US", "JP", "CN", "ROW"}
    assert graph.edges["JP", "US"]["total"] == pytest.approx(142.6)
    assert graph.edges["JP", "US"]["tariffs"]["steel"] == 0.25
    assert graph.edges["ROW", "US"]["exports"]["autos"] == pytest.approx(291.5)
    assert graph.nodes["ROW"]["gdp"] == pytest.approx(46800.0)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"US.domestic.other": 100.0}, "US.domestic: domestic sales"),
        ({"JP.exports.US.autos": 500.0}, "the flows do not add up"),
        ({"CN.domestic.steel": -5.0}, "CN.domestic.steel"),
        ({"economy.sector_elasticity.autos": 1.0}, "economy.sector_elasticity.autos"),
        ({"economy.elasticity": 0.5}, "economy.elasticity"),
    ],
)
def test_bad_economies_are_one_line_errors(override, message):
    with pytest.raises(ScenarioError, match=message) as caught:
        load_scenario("tag2018", override)
    assert "\n" not in str(caught.value) and "tag2018.toml" in str(caught.value)


def test_world2018_adds_up_and_every_economy_loses_a_trade_war():
    world = World.from_scenario(load_scenario("world2018"))
    assert world.codes == ["US", "JP", "CN", "EU", "KR", "CA", "MX", "ROW"]
    # Ossa (2014): every region loses a full trade war; here against free trade too
    war = trade_war(world)
    welfare = world.welfare(np.stack([war, np.zeros_like(war)]))
    assert (welfare[0] < 0).all() and (welfare[0] < welfare[1]).all()


def test_the_section_232_steel_tariffs_cost_the_partners_they_hit():
    world = World.from_scenario(load_scenario("world2018"))
    hit = [world.codes.index(c) for c in ("EU", "CA", "MX", "JP", "CN")]
    lifted = world.base_tariffs.copy()
    lifted[US, hit, STEEL] = 0.0
    welfare = world.welfare(np.stack([world.base_tariffs, lifted]))
    assert (welfare[1, hit] > welfare[0, hit]).all()


def test_the_compiled_and_numpy_solvers_agree(tag_world):
    from negsim.economy import solve

    rng = np.random.default_rng(11)
    tariffs = tag_world.base_tariffs + rng.uniform(0.0, 1.0, (8, *tag_world.base_tariffs.shape))
    compiled = solve(tag_world.baseline, tariffs)
    plain = solve(tag_world.baseline, tariffs, compiled=False)
    # equal to the solver's tolerance (1e-10 of world output, 85,900 USD bn)
    np.testing.assert_allclose(compiled.price, plain.price, rtol=1e-9)
    np.testing.assert_allclose(compiled.welfare, plain.welfare, atol=TOLERANCE * 85900.0)


def test_negsim_economy_prints_one_json_object(capsys):
    import json

    from negsim.cli.main import main

    assert main(["economy", "symmetric", "--json"]) == 0
    view = json.loads(capsys.readouterr().out)
    codes = ["A", "B", "C", "ROW"]
    assert set(view["optimal_tariff"]) == set(codes)
    assert set(view["war"]["tariffs"]["A"]) == {"B", "C", "ROW"}
    for name in ("free_trade", "start", "war"):
        assert set(view["welfare"][name]) == set(codes)
    assert all(v == 0.0 for v in view["welfare"]["start"].values())
    # identical economies: identical optimal tariffs and war losses
    assert len({round(view["optimal_tariff"][c]["manufacturing"], 3) for c in codes}) == 1


def test_negsim_economy_reports_bad_input_in_one_line(tmp_path, capsys):
    from negsim.cli.main import main

    text = (Path(__file__).parents[1] / "negsim" / "scenarios" / "symmetric.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("elasticity = 4.0", "elasticity = 0.9"))
    assert main(["economy", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "bad.toml" in err and "economy.elasticity" in err


def test_a_state_whose_spending_would_turn_negative_has_no_equilibrium():
    # C02-C04 of this synthetic world sell abroad 37-39% of their income more than they
    # buy; E5 holds that surplus fixed, so where every tariff is at the cap and their
    # exports collapse their spending Y + R + D would fall below zero: no equilibrium.
    from negsim.economy import SolverError

    world = World.from_scenario(load_scenario("synthetic-5x2-3"))
    assert (world.baseline.deficit[1:4] / world.income[1:4] < -0.35).all()
    capped = np.full_like(world.base_tariffs, MAX_TARIFF)
    eq = world.solve(np.stack([world.base_tariffs, capped]), strict=False)
    assert eq.converged.tolist() == [True, False]
    with pytest.raises(SolverError, match=r"economies \[1, 2, 3\] would turn negative"):
        world.solve(capped)


def test_a_trade_war_never_chooses_a_state_without_an_equilibrium(capsys):
    from negsim.cli.main import main

    world = World.from_scenario(load_scenario("synthetic-5x2-3"))
    war = trade_war(world)
    assert world.solve(war).spending.min() > 0.0  # strict: it has an equilibrium
    assert main(["economy", "synthetic-5x2-3"]) == 0
    rows = capsys.readouterr().out.splitlines()
    tariff_rows = [r for r in rows if r.startswith(("C0", "ROW")) and len(r.split()) == 3]
    assert len(tariff_rows) == 12  # 6 economies, two tables; no two figures run together


def test_negsim_economy_takes_overrides_as_negsim_run_does(capsys):
    import json

    from negsim.cli.main import main

    assert main(["economy", "symmetric", "--json"]) == 0
    base = json.loads(capsys.readouterr().out)["optimal_tariff"]["A"]["manufacturing"]
    assert main(["economy", "symmetric", "--json", "--set", "economy.elasticity_scale=2"]) == 0
    higher = json.loads(capsys.readouterr().out)["optimal_tariff"]["A"]["manufacturing"]
    assert higher < base  # a higher trade elasticity, a lower optimal tariff (Johnson 1953)
    assert main(["economy", "symmetric", "--set", "nowhere=1"]) == 2
    assert "nowhere" in capsys.readouterr().err
