"""One outcome-record schema: the record, its schema and its parser agree."""

from __future__ import annotations

import pytest

import negsim
from negsim.record.schema import COMPONENTS, ID_COLUMNS, RecordSchema, column_order, parse
from negsim.scenarios import synthetic


@pytest.mark.parametrize("protocol", ["bilateral", "multilateral"])
def test_the_record_has_exactly_the_schema_columns_in_order(tag2018, protocol):
    outcome = negsim.simulate(tag2018, protocol, 5)
    record = outcome.to_record()
    assert list(record) == outcome.schema.columns()
    # 3 countries x 3 other economies (two partners and ROW) x 5 sectors of tariffs
    n, sectors = len(tag2018.countries), len(tag2018.sectors)
    assert sum(k.startswith("tariff.") for k in record) == n * n * sectors
    # four payoff components per country, and no second name for any of them
    assert sum(parse(k).group in COMPONENTS for k in record) == 4 * n
    assert not any(k.startswith("welfare.") for k in record)


def test_a_synthetic_world_records_its_own_countries_and_tables():
    scenario = synthetic(5, 2, seed=3)
    outcome = negsim.simulate(scenario, "bilateral", 1)
    record = outcome.to_record()
    codes = scenario.countries
    assert codes == ["C01", "C02", "C03", "C04", "C05"]
    for code in codes:
        assert f"utility.{code}" in record
    # every pair of the five negotiates bilaterally: C(5, 2) = 10 tables
    assert sum(k.startswith("agreement.") for k in record) == 10
    assert "alliance.C01-C05" in record and "alliance.C05-C01" not in record
    assert not any(".US" in k or ".JP" in k for k in record)


def test_parse_takes_keys_apart_and_keeps_table_names_whole():
    assert parse("tariff.US.JP.autos").parts == ("US", "JP", "autos")
    assert parse("alliance.US-JP").parts == ("US-JP",)
    assert parse("agreement_round.US-CN").group == "agreement_round"
    assert parse("rounds").parts == ()


def test_display_names_come_from_the_scenario(tag2018):
    schema = RecordSchema.from_scenario(tag2018, ["US-JP"])
    assert schema.name("JP") == tag2018.nations["JP"].name
    assert schema.name("ROW") == "the rest of the world"
    assert schema.name("XX") == "XX"


def test_column_order_puts_ids_then_params_then_groups_in_scenario_order():
    columns = ["utility.JP", "param.x", "seed", "tariff.JP.US.autos", "utility.US", "rounds"]
    ordered = column_order(columns, ["US", "JP", "ROW"], ["autos"])
    assert ordered[: len(ID_COLUMNS)] == list(ID_COLUMNS)
    assert ordered[len(ID_COLUMNS) :] == [
        "param.x",
        "rounds",
        "tariff.JP.US.autos",
        "utility.US",
        "utility.JP",
    ]
