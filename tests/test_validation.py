"""The validation machinery: counting, record targets, comparative statics, the report.

Values are derived by hand from hand-built records or from the scenario's rules, not
copied from the program's output.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from negsim import validation
from negsim.cli import main
from negsim.validation.statics import Expect, Mechanism, judge, paired_effect


def _check(verdict, construction=""):
    check = validation.Check("g", "n", "ref", "src", "tol", "sim", verdict)
    check.construction = construction
    return check


def test_summary_counts_only_checks_that_could_fail():
    checks = [
        _check("holds"),
        _check("holds"),
        _check("fails"),
        _check("holds by construction", "a hard bound"),
        _check("reported"),
    ]
    assert validation.counts(checks) == {
        "could_fail": 3,
        "holds": 2,
        "fails": 1,
        "by_construction": 1,
        "reported": 1,
    }
    line = validation.summary_line(checks)
    assert line.startswith("3 checks could fail: 2 hold, 1 fail.")
    assert "1 hold by construction" in line


@pytest.mark.parametrize(
    ("effect", "sign", "minimum", "ok", "reason"),
    [
        ((-0.05, -0.08, -0.02), -1, 0.01, True, "as expected"),
        ((-0.05, -0.08, 0.01), -1, 0.01, False, "no effect"),
        ((0.05, 0.02, 0.08), -1, 0.01, False, "wrong sign"),
        ((-0.005, -0.008, -0.002), -1, 0.01, False, "too small"),
    ],
)
def test_judge(effect, sign, minimum, ok, reason):
    mean, lo, hi = effect
    got = judge({"effect": mean, "low": lo, "high": hi}, Expect("m", sign, minimum))
    assert got == (ok, reason)


def test_paired_effect_of_a_constant_shift_is_exact():
    low = pd.Series(np.linspace(0, 1, 50))
    result = paired_effect(low, low + 0.25)
    assert result["effect"] == pytest.approx(0.25)
    assert (result["low"], result["high"]) == pytest.approx((0.25, 0.25))
    assert result["pairs"] == 50


def test_paired_effect_interval_covers_the_true_shift():
    rng = np.random.default_rng(1)
    low = pd.Series(rng.normal(size=400))
    high = low + 0.3 + pd.Series(rng.normal(scale=0.5, size=400))
    result = paired_effect(low, high)
    assert result["low"] < 0.3 < result["high"]
    # half-width about 1.96 * 0.5 / sqrt(400) = 0.049
    assert result["high"] - result["low"] == pytest.approx(2 * 0.049, rel=0.25)


def test_a_hard_bound_bites_in_the_comparative_statics():
    # the red line is a floor on Japan's farm tariff on US goods: raising it from 12% to
    # 18% (start: 20%) lifts every run's tariff to at least 18%, so the mean rises >= 5 pp
    floor = Mechanism(
        "TPP floor",
        "red_lines.jp_farm_tpp.floor",
        0.12,
        0.18,
        (Expect("tariff.JP.US.agriculture", +1, 0.05), Expect("no.such.key", +1, 0.01)),
        "a higher floor",
        "by hand",
    )
    found, missing = validation.mechanism_checks(
        "tag2018", seeds=20, mechanisms=(floor,), workers=0
    )
    assert found.verdict == "holds", found.simulated
    assert found.data["mean_high"] >= 0.18 - 1e-9
    assert found.data["pairs"] == 20
    assert missing.verdict == "fails"
    assert "no `no.such.key`" in missing.simulated


def test_a_mechanism_the_scenario_cannot_express_fails():
    ghost = Mechanism(
        "ghost",
        "CN.strategy.no_such_parameter",
        0.0,
        1.0,
        (Expect("coerced.CN", -1, 0.05),),
        "none",
        "none",
        alternatives=(("economy.no_such_thing", 0.0, 1.0),),
    )
    (check,) = validation.mechanism_checks("tag2018", seeds=2, mechanisms=(ghost,), workers=0)
    assert check.verdict == "fails" and check.could_fail
    assert "the scenario has none of" in check.simulated


def test_the_context_a_mechanism_needs_is_set_in_both_arms():
    # a floor of 18% given in both arms lifts Japan's farm tariff on US goods to at least
    # 18% in every run of both (start: 20%), whatever the parameter moved (here the US's
    # own noise, 0.01 -> 0.02, which the farm floor does not depend on)
    floored = Mechanism(
        "context",
        "US.strategy.noise",
        0.01,
        0.02,
        (Expect("tariff.JP.US.agriculture", +1, 0.05),),
        "none",
        "by hand",
        given=(("red_lines.jp_farm_tpp.floor", 0.18),),
    )
    (check,) = validation.mechanism_checks("tag2018", seeds=5, mechanisms=(floored,), workers=0)
    assert check.data["mean_low"] >= 0.18 - 1e-9
    assert check.data["mean_high"] >= 0.18 - 1e-9
    assert "given red_lines.jp_farm_tpp.floor = 0.18" in check.name


def test_an_alternative_path_is_used_when_the_first_does_not_exist():
    floor = Mechanism(
        "TPP floor",
        "red_lines.no_such_line.floor",
        0.12,
        0.20,
        # a floor 8 pp higher moves the tariff by 8 pp where both floors bind and by less
        # where the low one does not (a run ending above 12%): 5 pp needs no knife edge
        (Expect("tariff.JP.US.agriculture", +1, 0.05),),
        "a higher floor",
        "by hand",
        alternatives=(("red_lines.jp_farm_tpp.floor", 0.12, 0.20),),
    )
    (check,) = validation.mechanism_checks("tag2018", seeds=10, mechanisms=(floor,), workers=0)
    assert check.verdict == "holds" and "red_lines.jp_farm_tpp.floor" in check.name


def _records(tag2018, **columns):
    base = {
        "protocol": ["bilateral"] * 4,
        "agreement.US-JP": [1, 1, 1, 0],
        "agreement_round.US-JP": [10, 12, 14, np.nan],
        "tariff.US.JP.autos": [0.025, 0.025, 0.025, 0.25],
        "tariff.JP.US.agriculture": [0.12, 0.12, 0.13, 0.20],
        "tariff.JP.ROW.agriculture": [0.10, 0.10, 0.11, 0.12],
        "balance.US.JP": [-60.0, -60.0, -50.0, -67.6],
        "coerced.CN": [1, 1, 1, 0],
        "retaliations.CN": [1, 1, 0, 0],
        "coerced.JP": [0, 0, 0, 0],
        "retaliations.JP": [0, 0, 0, 0],
    }
    for importer, exporter in (("US", "CN"), ("CN", "US")):
        start = tag2018.nations[importer].tariffs[exporter]
        for sector in tag2018.sectors:
            base[f"tariff.{importer}.{exporter}.{sector}"] = [start[sector] + 0.01] * 4
    base.update(columns)
    return pd.DataFrame(base)


def test_record_targets_on_hand_built_runs(tag2018):
    checks = {c.name: c for c in validation.record_checks(_records(tag2018), tag2018)}
    # 3 of 4 runs agree (75% > 50%), in rounds 10, 12, 14: median 12 in 9-16
    assert checks["a deal in most runs"].verdict == "holds"
    assert checks["the deal comes in round 9-16"].verdict == "holds"
    # one run of four at 25%
    assert checks["no 25% car tariff in most runs"].verdict == "holds"
    # median on US goods 12.5%, the CPTPP level on them (the red line's floor) 12%:
    # 0.5 pp apart, within 3 pp (Japan's tariff on ROW, another basket, plays no part)
    assert checks["... to about CPTPP levels"].verdict == "holds"
    # cuts 60/67.6 -> 11%, 11%, 26%, 0%: median 11% < 50%
    assert checks["the US deficit with Japan shrinks less than half"].verdict == "holds"
    # every tariff 1 pp above its start, so both averages are above it in every run
    assert checks["tariffs end above the start"].verdict == "holds"
    # 2 of the 3 coerced runs retaliate
    assert checks["China does"].verdict == "holds"
    # no truce or purchase key in these records: a missing mechanism fails
    for name in ("a truce in a share of runs", "purchase commitments agreed"):
        assert checks[name].verdict == "fails"
        assert "the record has no" in checks[name].simulated
    # Japan was never coerced: its non-retaliation holds by construction, uncounted
    japan = checks["Japan does not retaliate against US coercion"]
    assert japan.verdict == "holds by construction" and not japan.could_fail


def test_record_targets_that_fail(tag2018):
    records = _records(
        tag2018,
        **{
            "tariff.JP.US.agriculture": [0.16, 0.16, 0.20, 0.20],
            "tariff.JP.ROW.agriculture": [0.16, 0.16, 0.20, 0.20],
            "agreement_round.US-JP": [1, 1, 2, np.nan],
            "coerced.JP": [1, 1, 0, 0],
            "retaliations.JP": [1, 1, 0, 0],
            "truce.US-CN": [0, 0, 0, 0],
        },
    )
    checks = {c.name: c for c in validation.record_checks(records, tag2018)}
    assert checks["the deal comes in round 9-16"].verdict == "fails"
    # median on US goods 18%, 6 pp above the 12% CPTPP level on them, though equal to
    # the tariff on ROW: the check compares the US basket with its own CPTPP level
    assert checks["... to about CPTPP levels"].verdict == "fails"
    # Japan coerced twice and retaliated both times: counted, and it fails
    japan = checks["Japan does not retaliate against US coercion"]
    assert japan.could_fail and japan.verdict == "fails"
    # a truce key that is never positive: 0% is outside 10-90%
    assert checks["a truce in a share of runs"].verdict == "fails"
    assert "0%" in checks["a truce in a share of runs"].simulated


def test_report_lists_by_construction_apart(tmp_path):
    checks = [
        validation.Check("G", "counted fact", "r", "s", "t", "x", "holds"),
        _check("holds by construction", "the rule sets it"),
    ]
    checks[1].name = "structural fact"
    out = tmp_path / "v.md"
    validation.write_report(checks, out, [], seeds=3)
    text = out.read_text()
    counted, apart = text.split("## Holds by construction (not counted)")
    assert "| counted fact |" in counted and "structural fact" not in counted
    assert "**structural fact** (sim): the rule sets it." in apart
    assert "1 checks could fail: 1 hold, 0 fail." in text


def test_trade_weighted_average_of_the_start(tag2018):
    us = validation.start_average(tag2018, "US", "CN")
    # by hand: 2018 US imports from China by sector and the Sep 2018 tariffs
    flows = np.array([22.0, 5.0, 3.0, 269.0, 240.5])
    rates = np.array([0.25, 0.10, 0.25, 0.15, 0.10])
    assert us == pytest.approx((flows * rates).sum() / flows.sum())


def test_theory_checks_hold():
    assert all(c.verdict == "holds" for c in validation.theory_checks())


def test_validate_command_writes_report_and_figures(tmp_path):
    out = tmp_path / "docs" / "validation.md"
    assert main(["validate", "--runs", "5", "--statics-runs", "6", "--out", str(out)]) == 0
    text = out.read_text()
    assert validation.HOLDS in text and "checks could fail" in text
    assert "## Comparative statics" in text
    # every mechanism's effect over the 6 paired seeds asked (pairs without a value drop)
    statics = text.split("## Comparative statics")[1]
    pairs = [int(n) for n in re.findall(r"over (\d+) pairs", statics)]
    assert len(pairs) >= len(validation.MECHANISMS) and max(pairs) == 6
    for name in ("validation-us-japan.png", "validation-us-china.png", "validation-statics.png"):
        image = out.parent / "figures" / name
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"figures/{name}" in text


def test_validate_refuses_an_unwritable_report_path_before_running(tmp_path, capsys, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the runs started before the path was checked")

    monkeypatch.setattr(validation, "simulate_records", never)
    a_file = tmp_path / "a_file"
    a_file.write_text("kept")
    assert main(["validate", "--out", str(a_file / "validation.md")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--out" in err[0] and "is not a folder" in err[0]
    assert a_file.read_text() == "kept"


def test_validate_rejects_bad_seeds(capsys):
    assert main(["validate", "--seeds", "0"]) == 2
    assert "--seeds" in capsys.readouterr().err


def test_records_do_not_depend_on_the_number_of_workers():
    serial = validation.simulate_records(3, workers=0)
    parallel = validation.simulate_records(3, workers=2)
    pd.testing.assert_frame_equal(serial, parallel)
    assert list(serial["seed"]) == [0, 1, 2, 0, 1, 2]


def test_every_explanation_names_a_check_that_exists():
    from negsim.validation.explanations import WHY
    from negsim.validation.mechanisms import MECHANISMS
    from negsim.validation.record import TARGETS

    statics = {(m.name, e.metric) for m in MECHANISMS for e in m.expects}
    targets = {t.name for t in TARGETS}
    assert {k for k in WHY if isinstance(k, tuple)} <= statics
    assert {k for k in WHY if isinstance(k, str)} <= targets


def test_the_report_explains_a_failing_check_and_not_one_that_holds():
    from negsim.validation.report import _table

    late = validation.Check("US-Japan", "the deal comes in round 9-16", "r", "s", "t", "5", "fails")
    on_time = validation.Check(
        "US-Japan", "the deal comes in round 9-16", "r", "s", "t", "13", "holds"
    )
    (failing,) = [line for line in _table([late]) if line.startswith("- ")]
    assert "**Why:** Talks open in round 4" in failing
    assert not [line for line in _table([on_time]) if line.startswith("- ")]
    static = validation.Check("Comparative statics", "n", "r", "s", "t", "x", "fails")
    static.data = {"mechanism": "US car-tariff threat on Japan", "metric": "tw.US.JP"}
    assert any("Talks freeze the threat" in line for line in _table([static]))
