"""Scenario schema, built-in scenarios, overrides and bad input."""

from __future__ import annotations

import re

import numpy as np
import pytest

from negsim.economy import World
from negsim.scenarios import ScenarioError, builtin_scenarios, load_scenario, parameters


def test_builtin_scenarios_are_listed():
    assert {"tag2018", "symmetric"} <= set(builtin_scenarios())


def test_tag2018_reproduces_the_calibration_checks(tag_world):
    # calibration-2018.md: US->JP 75.0 vs JP->US 142.6; US->CN 120.3 vs CN->US 539.5
    balance = tag_world.balances(tag_world.base_tariffs)
    us, jp, cn = 0, 1, 2
    assert balance[us, jp] == pytest.approx(75.0 - 142.6)
    assert balance[us, cn] == pytest.approx(120.3 - 539.5)
    assert balance[jp, us] == pytest.approx(-balance[us, jp])
    # autos: JP->US 56.5, US->JP 2.5; share of the 67.6 deficit = 54/67.6 ~ 0.80
    exports = tag_world.exports(tag_world.base_tariffs)
    autos = exports[jp, us, 0] - exports[us, jp, 0]
    assert autos / -balance[us, jp] == pytest.approx(0.8, abs=0.01)


def test_symmetric_scenario_is_symmetric(symmetric):
    world = World.from_scenario(symmetric)
    n = world.n
    imports = world.base_imports[:n, :n]
    assert np.allclose(imports, imports.transpose(1, 0, 2))
    assert np.allclose(world.gdp, world.gdp[0])


def test_every_parameter_has_a_dotted_path_and_a_unit(tag2018):
    rows = {path: (value, unit) for path, value, unit in parameters(tag2018)}
    assert rows["JP.security.reliance.US"] == (0.8, "0..1")
    assert rows["US.politics.lobby.steel"][1] == "weight"
    assert rows["economy.elasticity"][0] == 4.0
    assert rows["JP.exports.US.autos"] == (56.5, "USD bn")
    assert rows["US.tariffs.CN.machinery"] == (0.15, "fraction")
    assert rows["threats.us_autos_232.level"] == (0.25, "fraction")


def test_overrides_by_dotted_path():
    scenario = load_scenario(
        "tag2018",
        {
            "JP.security.reliance.US": 0.9,
            "US.politics.lobby.machinery": 0.2,  # a new key inside a sector mapping
            "economy.elasticity": "5",  # strings from the command line are parsed
        },
    )
    assert scenario.nations["JP"].security.reliance["US"] == 0.9
    assert scenario.nations["US"].politics.lobby["machinery"] == 0.2
    assert scenario.economy.elasticity == 5.0


def test_a_schema_default_the_file_leaves_out_can_be_overridden():
    # symmetric.toml sets no strategy deadline; the schema has one (default: horizon)
    scenario = load_scenario("symmetric", {"A.strategy.deadline": 6})
    assert scenario.nations["A"].strategy.deadline == 6
    with pytest.raises(ScenarioError, match=re.escape("did you mean 'A.strategy.deadline'")):
        load_scenario("symmetric", {"A.strategy.deadlne": 6})


def test_overrides_do_not_leak_into_the_next_load():
    load_scenario("tag2018", {"JP.security.reliance.US": 0.1})
    assert load_scenario("tag2018").nations["JP"].security.reliance["US"] == 0.8


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"JP.security.reliance.US": 1.5}, "JP.security.reliance.US = 1.5"),
        ({"US.tariffs.JP.autos": -0.1}, "US.tariffs.JP.autos = -0.1"),
        ({"JP.security.relianse.US": 0.5}, "did you mean 'JP.security.reliance.US'"),
        ({"economy.elasticty": 3}, "did you mean 'economy.elasticity'"),
        ({"US.politics.lobby.stel": 1.0}, "did you mean 'steel'"),
        ({"economy.elasticity": "high"}, "economy.elasticity"),
        ({"horizon": 0}, "horizon = 0"),
    ],
)
def test_bad_overrides_give_one_line_naming_the_path(overrides, expected):
    with pytest.raises(ScenarioError) as info:
        load_scenario("tag2018", overrides)
    message = str(info.value)
    assert expected in message
    assert message.startswith("tag2018.toml: ")
    assert "\n" not in message


def _write(tmp_path, text):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    return path


def test_malformed_toml_names_the_file(tmp_path):
    path = _write(tmp_path, "name = 'x'\ncountries = [\n")
    with pytest.raises(ScenarioError, match=r"bad\.toml: malformed TOML"):
        load_scenario(path)


def test_flows_to_an_undeclared_country_are_refused(tmp_path):
    from importlib import resources

    text = (resources.files("negsim.scenarios") / "symmetric.toml").read_text()
    text = text.replace(
        "exports.C = { manufacturing = 100.0", "exports.D = { manufacturing = 100.0", 1
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(_write(tmp_path, text))
    assert "A.exports.D" in str(info.value)
    assert "allowed: B, C, ROW" in str(info.value)


def test_missing_file_suggests_a_builtin():
    with pytest.raises(ScenarioError, match="did you mean 'tag2018'"):
        load_scenario("tag2019")
