"""Shape of the payoff components: security linkage, lobbies, salience, bounds."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from negsim.payoffs import PayoffModel, RedLines
from negsim.scenarios import ScenarioError, load_scenario

US, JP, CN = 0, 1, 2
AGRICULTURE = 1


def _model(overrides=None):
    scenario = load_scenario("tag2018", overrides)
    return scenario, PayoffModel.from_scenario(scenario)


def test_batch_rows_equal_single_evaluations(tag_world, tag_payoffs):
    rng = np.random.default_rng(1)
    batch = tag_world.base_tariffs + rng.uniform(0, 0.3, size=(8, *tag_world.base_tariffs.shape))
    together = tag_payoffs.evaluate(batch, round_=1).total
    for k in range(8):
        alone = tag_payoffs.evaluate(batch[k : k + 1], round_=1).total
        assert np.allclose(together[k], alone[0])


def test_start_is_the_zero_of_every_component(tag_world, tag_payoffs):
    payoffs = tag_payoffs.evaluate(tag_world.base_tariffs[None], health=np.ones((3, 3)))
    for component in (payoffs.econ, payoffs.security, payoffs.politics):
        assert np.allclose(component, 0.0)


@pytest.mark.parametrize("reliance", [0.4, 0.8])
def test_japan_loses_with_alliance_health_in_proportion_to_reliance(tag_world, reliance):
    _, model = _model({"JP.security.reliance.US": reliance})
    health = np.ones((4, 3, 3))
    levels = np.array([1.0, 0.9, 0.7, 0.5])
    health[:, JP, US] = levels
    tariffs = np.repeat(tag_world.base_tariffs[None], 4, axis=0)
    security = model.evaluate(tariffs, health=health).security[:, JP]
    assert np.all(np.diff(security) < 0)
    # derived: Δsecurity = r · V_JP · Δh with V_JP = 1.5 % of GDP
    assert security == pytest.approx(reliance * 1.5 * (levels - 1.0))


def test_china_is_indifferent_to_alliance_health_with_the_us(tag_world, tag_payoffs):
    health = np.ones((2, 3, 3))
    health[1, CN, US] = health[1, US, CN] = 0.2
    tariffs = np.repeat(tag_world.base_tariffs[None], 2, axis=0)
    security = tag_payoffs.evaluate(tariffs, health=health).security
    assert security[0, CN] == pytest.approx(security[1, CN])
    assert security[0, US] == pytest.approx(security[1, US])  # US reliance on CN is 0


def test_lobby_term_is_the_weighted_real_rent_of_the_sector(tag_world, tag_payoffs):
    # derived: politics = 100 θ ΔR / Y with ΔR the sector's real factor income (model.md P4)
    protected = tag_world.base_tariffs.copy()
    protected[JP, [US, CN, 3], AGRICULTURE] += 0.2
    payoffs = tag_payoffs.evaluate(protected[None], round_=0)
    rent = payoffs.trade.real_rents[0, JP]
    assert rent[AGRICULTURE] > 0  # protection raises the farmers' rent
    # round 0: Japan's election (round 10, lead 3) raises θ by κ·exp(-10/3), κ = 1 (P7)
    theta = tag_payoffs.lobby[JP] * (1.0 + np.exp(-10.0 / 3.0))
    assert payoffs.politics[0, JP] == pytest.approx(100 * (theta * rent).sum() / 5000.0)


def test_farm_lobby_weight_raises_japans_payoff_from_farm_protection(tag_world):
    protected = tag_world.base_tariffs.copy()
    protected[JP, :, AGRICULTURE] += 0.2  # more protection against every supplier
    protected[JP, JP, AGRICULTURE] = 0.0
    batch = np.stack([tag_world.base_tariffs, protected])
    gains = []
    for weight in (0.0, 1.5, 3.0):
        _, model = _model({"JP.politics.lobby.agriculture": weight})
        total = model.evaluate(batch).total[:, JP]
        gains.append(total[1] - total[0])
    assert gains[0] < gains[1] < gains[2]
    # the politics term is linear in the weight: equal steps give equal gains
    assert gains[2] - gains[1] == pytest.approx(gains[1] - gains[0])


def test_us_deficit_salience_grows_towards_the_election(tag_payoffs):
    # tag2018: midterms at round 2, next election at round 26
    salience = [tag_payoffs.salience(r)[US] for r in range(0, 4)]
    assert salience[0] < salience[1] < salience[2]
    assert salience[3] < salience[2]  # drops after the election
    assert tag_payoffs.salience(20)[US] < tag_payoffs.salience(25)[US]
    assert tag_payoffs.salience(0)[JP] == 0.0  # Japan does not weigh balances


def test_lobby_weights_rise_towards_an_election_as_salience_does(tag_payoffs):
    # P7 by hand, tag2018 (κ = 1 everywhere): Japan's election in round 10 with lead 3,
    # US midterms in round 2 with lead 4, China no election
    farm = tag_payoffs.lobby[:, AGRICULTURE]
    weights = {r: tag_payoffs.lobby_weights(r)[:, AGRICULTURE] for r in (0, 2, 7, 10, 11)}
    assert weights[10][JP] == pytest.approx(2 * farm[JP])  # doubled in the election round
    assert weights[7][JP] == pytest.approx(farm[JP] * (1 + np.exp(-1.0)))
    assert weights[11][JP] == pytest.approx(farm[JP])  # no election ahead: θ itself
    assert weights[2][US] == pytest.approx(2 * farm[US])  # the midterms
    assert weights[0][US] == pytest.approx(farm[US] * (1 + np.exp(-0.5)))
    assert all(weights[r][CN] == pytest.approx(farm[CN]) for r in weights)


def test_lobby_rent_term_doubles_at_the_election_with_unit_peak(tag_world):
    # Japan weighs no balances (ω = 0), so its politics is the lobby term alone, linear
    # in θ(r): at the election (κ = 1) it is twice its value after the election (P7)
    protected = tag_world.base_tariffs.copy()
    protected[JP, :, AGRICULTURE] += 0.2
    protected[JP, JP, AGRICULTURE] = 0.0
    _, model = _model()
    at, after = (model.evaluate(protected[None], round_=r).politics[0, JP] for r in (10, 11))
    assert after > 0
    assert at == pytest.approx(2 * after)
    _, flat = _model({"JP.politics.lobby_peak": 0.0})
    assert flat.evaluate(protected[None], round_=10).politics[0, JP] == pytest.approx(after)


def test_a_negative_lobby_peak_is_refused():
    with pytest.raises(ScenarioError, match="lobby_peak"):
        load_scenario("tag2018", {"JP.politics.lobby_peak": -1.0})


def test_salient_deficit_makes_a_tariff_on_japan_pay_politically(tag_world, tag_payoffs):
    tariffs = np.repeat(tag_world.base_tariffs[None], 2, axis=0)
    tariffs[1, US, JP, 0] = 0.25  # the threatened Section 232 auto tariff
    far = tag_payoffs.evaluate(tariffs, round_=10).politics[:, US]
    near = tag_payoffs.evaluate(tariffs, round_=25).politics[:, US]
    assert near[1] - near[0] > far[1] - far[0] > 0


def test_rivalry_penalises_a_rivals_relative_gain(tag_world):
    _, with_rivalry = _model()
    _, without = _model({"US.security.rivalry.CN": 0.0})
    tariffs = tag_world.base_tariffs.copy()
    tariffs[CN, US, :] = 0.0  # China opens to US goods: both gain econ, unevenly
    a = with_rivalry.evaluate(tariffs[None])
    b = without.evaluate(tariffs[None])
    gap = a.econ[0, CN] - a.econ[0, US]
    assert a.security[0, US] - b.security[0, US] == pytest.approx(-0.5 * gap)


def test_audience_costs(tag2018, tag_world, tag_payoffs):
    tariffs = tag_world.base_tariffs[None]
    plain = tag_payoffs.evaluate(tariffs).politics
    backed = tag_payoffs.evaluate(tariffs, backdowns=np.array([1, 0, 0])).politics
    cost = tag2018.nations["US"].politics.audience_cost
    assert cost > 0
    assert backed[0, US] == pytest.approx(plain[0, US] - cost)
    assert backed[0, JP] == pytest.approx(plain[0, JP])


def test_red_lines(tag2018, tag_world):
    lines = RedLines.from_scenario(tag2018)
    ok = tag_world.base_tariffs.copy()
    crossed = ok.copy()
    crossed[JP, US, AGRICULTURE] = 0.10  # below the TPP floor of 0.12
    assert lines.satisfied(np.stack([ok, crossed])).tolist() == [True, False]


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, (6, 4, 4, 5), elements=st.floats(0.0, 3.0)),
    arrays(np.float64, (3, 3), elements=st.floats(0.0, 1.0)),
    st.integers(0, 40),
)
def test_payoffs_are_finite_and_bounded(tag_payoffs, tariffs, health, round_):
    payoffs = tag_payoffs.evaluate(tariffs, health=health, round_=round_)
    for component in (payoffs.econ, payoffs.security, payoffs.politics):
        assert component.shape == (6, 3)
        assert np.isfinite(component).all()
    state = payoffs.trade
    assert state.converged.all()
    assert (state.flows >= 0).all()
    assert (state.price_index > 0).all()
    # the alliance term lies between -Σ_j r V and 0; rivalry moves it by ρ·|gap|
    rivalry = tag_payoffs.econ_rivalry(payoffs.econ)
    alliance = payoffs.security - rivalry
    floor = -(tag_payoffs.reliance * tag_payoffs.alliance_value[:, None]).sum(axis=1)
    assert (alliance <= 1e-12).all()
    assert (alliance >= floor - 1e-12).all()
