"""tag2018 against the 2018-2020 record, as frequencies over 200 seeds."""

from __future__ import annotations

import numpy as np
import pytest

from negsim.cli import main
from negsim.validation import checks as validation

SEEDS = 200


@pytest.fixture(scope="module")
def records():
    return validation.simulate_records(SEEDS)


@pytest.fixture(scope="module")
def bilateral(records):
    return records[records["protocol"] == "bilateral"]


def test_us_japan_deal_in_most_runs(bilateral):
    assert (bilateral["agreement.US-JP"] == 1).mean() > 0.5


def test_japans_farm_tariffs_fall_but_not_below_the_tpp_floor(bilateral, tag2018):
    deals = bilateral[bilateral["agreement.US-JP"] == 1]
    start = tag2018.nations["JP"].tariffs["US"]["agriculture"]
    floor = tag2018.red_lines["jp_farm_tpp"].floor
    assert (deals["tariff.JP.US.agriculture"] < start).mean() > 0.5
    assert (bilateral["tariff.JP.US.agriculture"] >= floor - 1e-9).all()


def test_no_auto_tariff_with_a_deal_and_the_us_keeps_its_car_tariff(bilateral):
    deals = bilateral[bilateral["agreement.US-JP"] == 1]
    assert (deals["tariff.US.JP.autos"] < 0.25).all()
    assert (deals["tariff.US.JP.autos"] >= 0.025 - 1e-3).mean() > 0.5


def test_us_deficit_with_japan_shrinks_less_than_half(bilateral, tag_world):
    start = tag_world.balances(tag_world.base_tariffs)[0, 1]
    cut = 1 - bilateral["balance.US.JP"] / start
    assert cut.median() < 0.5


@pytest.mark.parametrize("protocol", ["bilateral", "multilateral"])
def test_us_china_escalate_in_most_runs_far_below_nash_tariffs(records, protocol, tag_world):
    frame = records[records["protocol"] == protocol]
    escalated = (frame["coerced.CN"] > 0) & (frame["retaliations.CN"] > 0)
    assert escalated.mean() > 0.5
    for importer, exporter in (("US", "CN"), ("CN", "US")):
        average = validation.trade_weighted(frame, tag_world, importer, exporter)
        assert (average < validation.OSSA_NASH_TARIFF).all()


def test_japan_does_not_retaliate_china_does(bilateral, tag2018):
    assert (bilateral["retaliations.JP"] > 0).mean() < 0.5
    coerced = bilateral[bilateral["coerced.CN"] > 0]
    assert (coerced["retaliations.CN"] > 0).mean() > 0.5
    draws = validation.retaliation_draws(tag2018, SEEDS)
    # propensities 0.9 x (1 - 0.8) = 0.18 and 0.95 x (1 - 0) = 0.95
    assert draws["JP"] == pytest.approx(0.18, abs=0.07)
    assert draws["CN"] == pytest.approx(0.95, abs=0.05)


def test_report_names_every_failure_with_a_reason(records, tag2018):
    checks = validation.run_checks(records, tag2018)
    assert {c.verdict for c in checks} <= {"holds", "fails", "reported"}
    for check in checks:
        if check.verdict == "fails":
            assert len(check.note) > 40, check.name


def test_theory_checks_hold():
    assert all(c.verdict == "holds" for c in validation.theory_checks())


def test_validate_command_writes_report_and_figures(tmp_path, capsys):
    out = tmp_path / "docs" / "validation.md"
    assert main(["validate", "--runs", "5", "--out", str(out)]) == 0
    text = out.read_text()
    assert "| check | reference | source | simulated | tolerance | verdict |" in text
    for name in ("validation-us-japan.png", "validation-us-china.png"):
        image = out.parent / "figures" / name
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"figures/{name}" in text


def test_validate_rejects_bad_seeds(capsys):
    assert main(["validate", "--seeds", "0"]) == 2
    assert "--seeds" in capsys.readouterr().err


def test_trade_weighted_average_of_the_start(tag_world):
    frame = __import__("pandas").DataFrame([validation._start_record(tag_world)])
    us = validation.trade_weighted(frame, tag_world, "US", "CN")[0]
    # by hand: 2018 US imports from China by sector and the Sep 2018 tariffs
    flows = np.array([22.0, 5.0, 3.0, 269.0, 240.5])
    rates = np.array([0.25, 0.10, 0.25, 0.15, 0.10])
    assert us == pytest.approx((flows * rates).sum() / flows.sum())
