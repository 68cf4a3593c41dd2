"""Comparing outcome distributions: statistics against known answers, figures, report, CLI.

The runs here are synthetic, shaped like the results store (``arm``, ``design_point``,
``replication``, ``seed``, ``status``, metrics, ``param.*``), with effects chosen so the
right answer is known from theory.
"""

from __future__ import annotations

import subprocess
import sys

import mesa
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from negsim import analysis
from negsim.analysis import AnalysisError
from negsim.cli import main
from negsim.sweeps import Experiment, plan_sweep, read_manifest
from negsim.sweeps.manifest import new_manifest, write_manifest
from negsim.sweeps.store import write_part

COUNTRIES = ("US", "JP", "CN")


def two_arms(a, b, *, paired=True, metric="utility.JP", extra=None):
    """Runs of arms 'bilateral' (values a) and 'multilateral' (values b) of one metric.

    Paired runs share (design_point, replication, seed); unpaired ones have distinct seeds.
    """
    rows = []
    for arm, values in (("bilateral", a), ("multilateral", b)):
        for i, value in enumerate(values):
            seed = i if paired else i + (0 if arm == "bilateral" else 10**6)
            row = {"arm": arm, "design_point": 0, "replication": i, "seed": seed}
            row |= {"status": "ok", "error": None, metric: float(value)}
            rows.append(row)
    df = pd.DataFrame(rows)
    for name, column in (extra or {}).items():
        df[name] = column
    return df


def runs(n_rep=40, grid=(0.5, 0.9), seed=3):
    """A small experiment: two protocols, a grid over Japan's reliance, perturbations.

    Under the multilateral protocol Japan's econ payoff is 0.3 higher in every pair; the
    agreement rate is higher; everything else is shared noise.
    """
    rng = np.random.default_rng(seed)
    shared = rng.normal(size=(len(grid), n_rep, 12))
    lobby = rng.uniform(size=(len(grid), n_rep))
    rows = []
    for arm in ("bilateral", "multilateral"):
        multi = arm == "multilateral"
        for dp, reliance in enumerate(grid):
            for r in range(n_rep):
                z = shared[dp, r]
                row = {"experiment": "tiny", "arm": arm, "design_point": dp, "replication": r}
                row |= {"seed": 1000 * dp + r, "status": "ok", "error": None}
                row |= {"scenario": "tag2018", "protocol": arm, "rounds": 12}
                row["agreement"] = int(z[0] > (-0.5 if multi else 0.5))
                row["agreement.US-JP"] = np.nan if multi else row["agreement"]
                row["agreement.all"] = float(row["agreement"]) if multi else np.nan
                for i, c in enumerate(COUNTRIES):
                    econ = 0.2 * z[1 + i] + (0.3 if multi and c == "JP" else 0.0)
                    security = 0.1 * reliance * z[4 + i]
                    politics = 0.05 * z[7 + i]
                    row |= {f"econ.{c}": econ, f"security.{c}": security}
                    row |= {f"politics.{c}": politics}
                    row[f"utility.{c}"] = econ + security + politics
                row["tariff.US.JP.autos"] = 0.025 + (0.0 if multi else 0.1 * (z[10] > 1))
                row["tariff.JP.US.agriculture"] = 0.38
                row["balance.US.JP"] = -67.0 + 3 * z[11]
                row["balance.US.CN"] = -419.0
                row["threats_executed"] = int(z[10] > 1 and not multi)
                row["retaliations"] = 0
                row["nash_gap"] = abs(z[11]) / 10
                row["param.JP.security.reliance.US"] = reliance
                row["param.US.politics.lobby.autos"] = lobby[dp, r]
                rows.append(row)
    df = pd.DataFrame(rows)
    df.loc[3, ["status", "error"]] = ["error", "ValueError: boom"]
    return df


TINY_DEFINITION = {
    "name": "tiny",
    "scenario": "tag2018",
    "replications": 40,
    "root_seed": 7,
    "arms": {"bilateral": {"protocol": "bilateral"}, "multilateral": {"protocol": "multilateral"}},
    "design": {"kind": "grid", "parameters": {"JP.security.reliance.US": [0.5, 0.9]}},
    "perturbations": {"US.politics.lobby.autos": {"dist": "uniform", "low": 0.0, "high": 1.0}},
}


def write_results(folder, df, definition=None):
    """A results folder as the store writes it: the real manifest and parts of ``df``."""
    exp = Experiment.from_dict(definition or TINY_DEFINITION)
    plan = plan_sweep(exp, out=folder)
    folder.mkdir(parents=True, exist_ok=True)
    identity = (exp.name, plan.fingerprint)
    rows = df.assign(experiment=exp.name).to_dict("records")
    half = len(rows) // 2
    for k, chunk in enumerate((rows[:half], rows[half:])):
        write_part(folder, f"part-{k:05d}.parquet", chunk, plan.scenario, exp.arm_names, identity)
    manifest = new_manifest(exp, plan.scenario, plan.points, plan.fingerprint)
    write_manifest(folder, manifest | {"state": "complete"})
    return folder


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return write_results(tmp_path_factory.mktemp("results") / "tiny", runs())


# --------------------------------------------------------------------------- statistics


def test_identical_samples_give_no_difference():
    x = np.random.default_rng(0).normal(size=200)
    for paired in (True, False):
        row = analysis.compare(two_arms(x, x, paired=paired), n_resamples=999).iloc[0]
        assert row["paired"] == paired
        assert row["diff_mean"] == 0 and row["diff_median"] == 0
        assert row["cliffs_delta"] == 0 and row["effect"] == "negligible"
        assert row["diff_mean_lo"] <= 0 <= row["diff_mean_hi"]
        assert row["diff_median_lo"] <= 0 <= row["diff_median_hi"]
        assert row["ks_p"] == pytest.approx(1.0) and row["mw_p"] == pytest.approx(1.0)


def test_interval_covers_a_known_shift_about_95_percent_of_the_time():
    shift, n, trials = 0.5, 100, 40
    rng = np.random.default_rng(42)
    covered, widths = 0, []
    for _ in range(trials):
        a, b = rng.normal(size=n), rng.normal(shift, 1.0, size=n)
        row = analysis.compare(two_arms(a, b, paired=False), n_resamples=999).iloc[0]
        covered += row["diff_mean_lo"] <= shift <= row["diff_mean_hi"]
        widths.append(row["diff_mean_hi"] - row["diff_mean_lo"])
    # Bin(40, 0.95) falls below 34 with probability < 0.5%.
    assert covered >= 34
    # The normal-theory width of a 95% interval of a difference of means: 2·1.96·sqrt(2/n).
    assert np.mean(widths) == pytest.approx(2 * 1.96 * np.sqrt(2 / n), rel=0.15)


def test_paired_interval_is_narrower_on_correlated_pairs():
    rng = np.random.default_rng(1)
    n, shift = 200, 0.3
    common = rng.normal(size=n)
    a = common + rng.normal(0, 0.1, size=n)
    b = common + shift + rng.normal(0, 0.1, size=n)
    paired = analysis.compare(two_arms(a, b, paired=True), n_resamples=1999).iloc[0]
    unpaired = analysis.compare(two_arms(a, b, paired=False), n_resamples=1999).iloc[0]
    assert paired["paired"] and not unpaired["paired"]
    width_paired = paired["diff_mean_hi"] - paired["diff_mean_lo"]
    width_unpaired = unpaired["diff_mean_hi"] - unpaired["diff_mean_lo"]
    # sd of a difference: sqrt(2·0.01) paired, sqrt(2·1.01) unpaired: about 10 times wider.
    assert width_paired * 5 < width_unpaired
    assert width_paired == pytest.approx(2 * 1.96 * np.sqrt(0.02 / n), rel=0.2)
    for row in (paired, unpaired):
        assert row["diff_mean_lo"] <= shift <= row["diff_mean_hi"]


def test_paired_can_be_forced_off_and_cannot_be_forced_on_without_shared_seeds():
    x = np.arange(10.0)
    assert not analysis.compare(two_arms(x, x + 1), paired=False, n_resamples=200)["paired"][0]
    with pytest.raises(AnalysisError, match="do not share seeds"):
        analysis.compare(two_arms(x, x + 1, paired=False), paired=True)


@pytest.mark.parametrize("sign", [1, -1])
def test_cliffs_delta_of_fully_separated_samples_is_plus_or_minus_one(sign):
    low, high = np.linspace(0, 1, 30), np.linspace(2, 3, 30)
    a, b = (low, high) if sign == 1 else (high, low)
    row = analysis.compare(two_arms(a, b, paired=False), n_resamples=200).iloc[0]
    assert row["cliffs_delta"] == sign
    assert row["effect"] == "large"


def test_cliffs_delta_counts_ties_as_half():
    # Pairs (b, a): b > a in 6 of 9, b < a in 1 of 9, so delta = 5/9.
    delta, p = analysis.cliffs_delta([1, 2, 3], [2, 3, 4])
    assert delta == pytest.approx(5 / 9)
    assert 0 < p <= 1


small_samples = st.lists(st.integers(-5, 5), min_size=1, max_size=15)


@settings(max_examples=60, deadline=None)
@given(small_samples, small_samples)
def test_cliffs_delta_is_the_pairwise_dominance_share(x, y):
    # Definition: delta = (#{y_j > x_i} - #{y_j < x_i}) / (n_x n_y) over all pairs.
    pairs = [(a, b) for a in x for b in y]
    expected = (sum(b > a for a, b in pairs) - sum(b < a for a, b in pairs)) / len(pairs)
    delta, _ = analysis.cliffs_delta(x, y)
    assert delta == pytest.approx(expected, abs=1e-12)
    assert analysis.cliffs_delta(y, x)[0] == pytest.approx(-expected, abs=1e-12)


@pytest.mark.parametrize(
    ("metric", "noun", "kind"),
    [
        ("utility.JP", "Japan's payoff", "gdp"),
        ("security.US", "the United States' security payoff", "gdp"),
        ("tariff.CN.US.other", "China's tariff on other goods from the United States", "tariff"),
        ("balance.US.CN", "the United States' goods balance with China", "usd"),
        ("alliance.US-JP", "the health of the United States-Japan alliance", "index"),
        (
            "agreement.US-JP",
            "the share of runs in which the United States and Japan agree",
            "share",
        ),
        ("tariff.JP.ROW.autos", "Japan's tariff on autos from the rest of the world", "tariff"),
        ("threats_executed", "the number of threats executed", "count"),
    ],
)
def test_metric_names_in_words_use_the_scenarios_names(tag2018, metric, noun, kind):
    names = {"US": "United States", "JP": "Japan", "CN": "China", "ROW": "the rest of the world"}
    assert {c: n.name for c, n in tag2018.nations.items()} == {
        k: names[k] for k in "US JP CN".split()
    }
    assert analysis.describe_metric(metric, names) == (noun, kind)


def test_metric_names_without_names_show_the_codes():
    assert analysis.describe_metric("utility.C04") == ("C04's payoff", "gdp")


def test_float_arm_labels_read_as_written():
    assert analysis.label(0.1 + 0.2) == "0.3" and analysis.label(1.0) == "1"
    assert analysis.label("bilateral") == "bilateral" and analysis.label(3) == "3"


@pytest.mark.parametrize(
    ("delta", "label"),
    [
        (0.0, "negligible"),
        (0.146, "negligible"),
        (0.147, "small"),
        (-0.2, "small"),
        (0.33, "medium"),
        (-0.47, "medium"),
        (0.474, "large"),
        (-1.0, "large"),
        (float("nan"), ""),
    ],
)
def test_effect_labels_follow_romano_2006(delta, label):
    assert analysis.effect_label(delta) == label


def test_benjamini_hochberg_across_metrics_matches_scipy_and_skips_untestable_rows():
    table = analysis.compare(runs(), n_resamples=200)
    testable = table["ks_p"].notna()
    assert (table.loc[~testable, "ks_q"].isna()).all()
    for test in ("ks", "mw"):
        p = table.loc[testable, f"{test}_p"].to_numpy()
        expected = stats.false_discovery_control(p, method="bh")
        np.testing.assert_allclose(table.loc[testable, f"{test}_q"], expected)
        # BH never lowers a p-value.
        assert (table.loc[testable, f"{test}_q"] >= p - 1e-15).all()


def test_hand_computed_benjamini_hochberg():
    # m = 4: sorted p·m/rank = 0.04, 0.06, 0.0533, 0.2, then running minimum from the top.
    q = stats.false_discovery_control([0.01, 0.04, 0.03, 0.2], method="bh")
    np.testing.assert_allclose(q, [0.04, 0.16 / 3, 0.16 / 3, 0.2])


def test_bootstrap_is_reproducible_and_depends_on_the_seed():
    rng = np.random.default_rng(5)
    df = two_arms(rng.normal(size=50), rng.normal(size=50))
    first = analysis.compare(df, n_resamples=500)
    again = analysis.compare(df, n_resamples=500)
    pd.testing.assert_frame_equal(first, again)
    other = analysis.compare(df, n_resamples=500, bootstrap_seed=1)
    assert not np.allclose(first["diff_mean_lo"], other["diff_mean_lo"])


def test_compare_finds_the_planted_effect_and_its_direction():
    table = analysis.compare(runs(), n_resamples=999).set_index("metric")
    jp = table.loc["utility.JP"]
    # Every pair differs by exactly 0.3 in econ.JP, so in utility.JP too: a point interval.
    assert jp["diff_mean"] == pytest.approx(0.3)
    assert jp["diff_mean_lo"] == pytest.approx(0.3) and jp["diff_mean_hi"] == pytest.approx(0.3)
    assert jp["paired"] and jp["baseline"] == "bilateral" and jp["arm"] == "multilateral"
    assert table.loc["utility.US", "diff_mean"] == pytest.approx(0.0, abs=1e-12)
    assert table.loc["agreement", "diff_mean"] > 0
    # The errored run (bilateral, row 3) and its partner are left out of the pairs.
    assert table.loc["utility.US", "n_baseline"] == 79


def test_metric_without_variation_is_a_note_not_an_error():
    x = np.random.default_rng(0).normal(size=20)
    df = two_arms(x, x + 1, extra={"retaliations": 0})
    table = analysis.compare(df, metrics=["utility.JP", "retaliations"], n_resamples=200)
    row = table.set_index("metric").loc["retaliations"]
    assert row["note"] == "no variation: 0 in every run"
    assert row["diff_mean"] == 0 and np.isnan(row["ks_p"]) and np.isnan(row["ks_q"])


def test_metric_missing_under_one_arm_is_a_note():
    table = analysis.compare(runs(), metrics=["agreement.all"], n_resamples=200)
    assert table["note"][0].startswith("no values under arm = bilateral")


# --------------------------------------------------------------------------- summaries


def test_summarize_quantiles_and_shares():
    values = np.arange(101.0)  # quantiles of 0..100 are the percent levels themselves
    df = two_arms(values, values + 1, extra={"agreement": 0, "threats_executed": 0})
    df.loc[df.arm == "multilateral", "agreement"] = 1
    df.loc[:9, "threats_executed"] = 2  # 10 of 101 bilateral runs escalate
    table = analysis.summarize(df, metrics=["utility.JP"]).set_index("arm")
    bi = table.loc["bilateral"]
    assert (bi["n"], bi["mean"], bi["median"]) == (101, 50, 50)
    assert (bi["q05"], bi["q25"], bi["q75"], bi["q95"]) == (5, 25, 75, 95)
    assert bi["share_agreement"] == 0 and bi["share_escalation"] == pytest.approx(10 / 101)
    assert table.loc["multilateral", "share_agreement"] == 1
    assert table.loc["multilateral", "median"] == 51


def test_summarize_counts_only_successful_runs():
    table = analysis.summarize(runs(), metrics="utility.JP").set_index("arm")
    assert table.loc["bilateral", "n"] == 79 and table.loc["multilateral", "n"] == 80


def test_default_metrics_follow_the_design_and_keep_only_varying_tariffs():
    metrics = analysis.default_metrics(analysis.prepare(runs()))
    assert metrics[:3] == ["utility.US", "utility.JP", "utility.CN"]
    assert {"agreement", "threats_executed", "retaliations", "nash_gap"} <= set(metrics)
    assert {"balance.US.JP", "balance.US.CN", "econ.JP"} <= set(metrics)
    assert "tariff.US.JP.autos" in metrics and "tariff.JP.US.agriculture" not in metrics


def test_metric_patterns_and_unknown_metrics():
    df = runs()
    assert analysis.resolve_metrics(df, ["utility.*"]) == ["utility.US", "utility.JP", "utility.CN"]
    assert analysis.resolve_metrics(df, "agreement,nash_gap") == ["agreement", "nash_gap"]
    with pytest.raises(
        AnalysisError, match=r"unknown metric 'utlity.JP' \(did you mean 'utility.JP'"
    ):
        analysis.resolve_metrics(df, ["utlity.JP"])


def test_unknown_by_column_and_single_arm():
    df = runs()
    with pytest.raises(AnalysisError, match=r"unknown --by column 'armm' \(did you mean 'arm'\?\)"):
        analysis.compare(df, by="armm")
    with pytest.raises(AnalysisError, match=r"only one value \('bilateral'\) in column 'arm'"):
        analysis.compare(df[df.arm == "bilateral"])


# --------------------------------------------------------------------------- sweeps


def test_sweep_curves_on_a_grid_recover_a_known_slope():
    # y = 2·x + (−1, +1, −1, +1, ...) so every mean is exactly 2·x.
    rows = []
    for arm, offset in (("bilateral", 0.0), ("multilateral", 1.0)):
        for x in (0.1, 0.5, 0.9):
            for r in range(20):
                y = 2 * x + offset + (1 if r % 2 else -1)
                rows.append({"arm": arm, "param.JP.security.reliance.US": x, "utility.JP": y})
    curves = analysis.sweep_curves(pd.DataFrame(rows), "JP.security.reliance.US", ["utility.JP"])
    assert list(curves["x"]) == [0.1, 0.5, 0.9, 0.1, 0.5, 0.9]
    expected = [2 * x + o for o in (0.0, 1.0) for x in (0.1, 0.5, 0.9)]
    np.testing.assert_allclose(curves["mean"], expected)
    assert (curves["n"] == 20).all()
    assert ((curves["ci_lo"] <= curves["mean"]) & (curves["mean"] <= curves["ci_hi"])).all()
    np.testing.assert_allclose(curves["q05"], curves["mean"] - 1)
    np.testing.assert_allclose(curves["q95"], curves["mean"] + 1)


def test_sweep_curves_bin_a_continuous_parameter():
    curves = analysis.sweep_curves(runs(), "param.US.politics.lobby.autos", ["utility.JP"], bins=4)
    assert (curves.groupby("arm").size() == 4).all()
    # Quantile bins of 79 or 80 runs hold about 20 each.
    assert curves["n"].between(18, 22).all()
    with pytest.raises(AnalysisError, match=r"unknown parameter 'JP\.reliance'"):
        analysis.sweep_curves(runs(), "JP.reliance")


def test_swept_parameters_come_from_the_manifest_design():
    df = runs()
    design = {"design": {"grid": {"JP.security.reliance.US": [0.5, 0.9]}}}
    assert analysis.swept_parameters(df, design) == ["param.JP.security.reliance.US"]
    assert analysis.swept_parameters(df) == ["param.JP.security.reliance.US"]


# --------------------------------------------------------------------------- sentences


def test_effect_sentence_names_country_amount_interval_and_delta():
    table = analysis.compare(runs(), metrics=["utility.JP", "agreement"], n_resamples=500)
    sentences = analysis.effect_sentences(table, names={"JP": "Japan"})
    jp = next(s for s in sentences if "Japan's payoff" in s)
    assert jp.startswith("Under the multilateral protocol, Japan's payoff is higher by 0.3% of GDP")
    assert "than under the bilateral protocol; Cliff's delta" in jp
    row = table.set_index("metric").loc["agreement"]
    agree = next(s for s in sentences if "agrees" in s)
    assert f"{100 * row['diff_mean']:.3g} percentage points" in agree


# --------------------------------------------------------------------------- report and CLI


def test_report_writes_markdown_csv_and_figures(results):
    table = analysis.report(results, n_resamples=500)
    text = (results / "report.md").read_text()
    assert text.startswith("# tiny: comparison by `arm`")
    assert "| metric | n | mean (baseline) | mean (arm) | Δ mean [95% CI]" in text
    assert "Under the multilateral protocol, Japan's payoff is higher by" in text
    assert "runs with status `error` left out: 1" in text
    assert "**Note** `tariff.JP.US.agriculture`" not in text  # constant tariffs are skipped
    csv = pd.read_csv(results / "comparison.csv")
    assert list(csv.columns) == list(table.columns) and len(csv) == len(table)
    np.testing.assert_allclose(csv["diff_mean"], table["diff_mean"])
    for link in [line.split("](")[1].rstrip(")") for line in text.splitlines() if "](" in line]:
        png = results / link
        assert png.suffix == ".png" and png.read_bytes()[:4] == b"\x89PNG", link
    names = {p.name for p in (results / "figures").glob("*.png")}
    assert {"payoffs.png", "dist_utility.JP.png", "sweep_JP.security.reliance.US.png"} <= names
    # Default metrics: tariffs share one figure instead of one each.
    assert "tariffs.png" in names and "dist_tariff.US.JP.autos.png" not in names
    assert "![Tariffs per arm](figures/tariffs.png)" in text


def test_a_second_report_removes_the_figures_of_metrics_it_no_longer_shows(tmp_path):
    df = runs()
    analysis.report(df, tmp_path, metrics=["utility.JP", "utility.US"], n_resamples=200)
    assert (tmp_path / "figures" / "dist_utility.US.png").exists()
    keep = tmp_path / "figures" / "notes.png"  # not a name the report writes: left alone
    keep.write_bytes(b"mine")
    analysis.report(df, tmp_path, metrics=["utility.JP"], n_resamples=200)
    figures = {p.name for p in (tmp_path / "figures").glob("*.png")}
    assert "dist_utility.JP.png" in figures and "dist_utility.US.png" not in figures
    assert keep.read_bytes() == b"mine"


def test_report_of_a_dataframe_needs_out_and_notes_constant_metrics(tmp_path):
    df = runs()
    with pytest.raises(AnalysisError, match="needs out="):
        analysis.report(df)
    analysis.report(df, tmp_path, metrics=["utility.JP", "retaliations"], n_resamples=200)
    text = (tmp_path / "report.md").read_text()
    assert (
        "**Note** `retaliations` (multilateral vs bilateral): no variation: 0 in every run" in text
    )


def test_negsim_compare_writes_the_report(results, tmp_path, capsys):
    out = tmp_path / "report"
    status = main(["compare", str(results), "--out", str(out), "--n-resamples", "200"])
    assert status == 0
    assert (out / "report.md").exists() and (out / "comparison.csv").exists()
    assert len(list((out / "figures").glob("*.png"))) >= 3
    assert "Japan's payoff is higher" in capsys.readouterr().out


def test_negsim_compare_takes_several_metrics_after_one_option(results, tmp_path):
    out = tmp_path / "two"
    args = ["compare", str(results), "--metrics", "utility.JP", "agreement"]
    assert main([*args, "--out", str(out), "--n-resamples", "200"]) == 0
    assert list(pd.read_csv(out / "comparison.csv")["metric"]) == ["utility.JP", "agreement"]


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "negsim.cli", "compare", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["{missing}"], "no such results folder"),
        (["{empty}"], "no results (expected part-*.parquet"),
        (["{results}", "--metrics", "utlity.JP"], "did you mean 'utility.JP'?); available:"),
        (["{results}", "--by", "prtocol"], "did you mean 'protocol'?); available: experiment"),
        (["{single}"], "only one value ('bilateral') in column 'arm'"),
        (["{results}", "--baseline", "bilat"], "available: bilateral, multilateral"),
        (["{failed}"], "no successful runs (all 20 have status 'error')"),
    ],
)
def test_negsim_compare_bad_input_is_one_line_with_exit_status_2(args, expected, results, tmp_path):
    single = write_results(tmp_path / "single", runs(n_rep=5).query("arm == 'bilateral'"))
    failed = write_results(tmp_path / "failed", runs(n_rep=5).assign(status="error"))
    (tmp_path / "empty").mkdir()
    paths = {"missing": tmp_path / "nope", "empty": tmp_path / "empty"}
    paths |= {"results": results, "single": single, "failed": failed}
    result = _cli(*[a.format(**paths) for a in args])
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("negsim: error: ")
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


SWEEP_DEFINITION = {
    "name": "reliance",
    "description": "Does Japan's security reliance move who gains?",
    "scenario": "tag2018",
    "arms": {"multilateral": {"protocol": "multilateral"}, "bilateral": {"protocol": "bilateral"}},
    "design": {"kind": "grid", "parameters": {"JP.security.reliance.US": [0.5, 0.9]}},
    "perturbations": {"US.politics.lobby.autos": {"dist": "uniform", "low": 0.0, "high": 1.0}},
    "replications": 40,
    "root_seed": 7,
}


def test_report_reads_the_sweep_manifest_and_its_arm_order(tmp_path):
    folder = write_results(tmp_path / "reliance", runs(), SWEEP_DEFINITION)
    table = analysis.report(folder, n_resamples=200)
    text = (folder / "report.md").read_text()
    assert text.startswith("# reliance: comparison by `arm`")
    assert "- **question**: Does Japan's security reliance move who gains?" in text
    assert "- **design**: grid over `JP.security.reliance.US` [0.5, 0.9]" in text
    assert "`US.politics.lobby.autos` ~ uniform(low=0.0, high=1.0)" in text
    assert "- **root seed**: 7" in text and f"mesa {mesa.__version__}" in text
    # The manifest lists multilateral first, so it is the baseline.
    assert set(table["baseline"]) == {"multilateral"} and set(table["arm"]) == {"bilateral"}
    assert table.set_index("metric").loc["utility.JP", "diff_mean"] == pytest.approx(-0.3)
    assert "Japan: -0.3% of GDP [95% CI -0.3, -0.3] under the bilateral protocol" in text


def test_large_samples_use_percentile_intervals_that_cover_the_shift():
    rng = np.random.default_rng(8)
    n = analysis.BCA_MAX_N + 1
    a, b = rng.normal(size=n), rng.normal(0.1, 1.0, size=n)
    lo, hi = analysis.bootstrap_ci(
        (a, b),
        lambda x, y, axis=-1: np.mean(y, axis) - np.mean(x, axis),
        n_resamples=999,
        rng=np.random.default_rng(0),
    )
    assert lo < 0.1 < hi
    assert hi - lo == pytest.approx(2 * 1.96 * np.sqrt(2 / n), rel=0.15)


REAL_SWEEP = """
name = "realtiny"
description = "A tiny real sweep: both protocols over two reliance values"
scenario = "tag2018"
replications = 4
root_seed = 5
[arms.bilateral]
protocol = "bilateral"
[arms.multilateral]
protocol = "multilateral"
[design.parameters]
"JP.security.reliance.US" = [0.5, 0.95]
[perturbations]
"US.politics.salience_peak" = { dist = "uniform", low = 0.5, high = 1.5 }
"""


def test_report_builds_from_a_small_real_sweep(tmp_path):
    definition = tmp_path / "realtiny.toml"
    definition.write_text(REAL_SWEEP)
    out = tmp_path / "results" / "realtiny"
    assert main(["sweep", str(definition), "--out", str(out), "--workers", "0"]) == 0
    assert main(["compare", str(out), "--n-resamples", "200"]) == 0
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["baseline"]) == {"bilateral"} and set(table["arm"]) == {"multilateral"}
    # every run counts, except in nash_gap (defined only for runs with an agreement)
    counted = table.loc[table["metric"] != "nash_gap", "n_baseline"]
    assert table["paired"].all() and (counted == 8).all()
    text = (out / "report.md").read_text()
    assert "- **design**: grid over `JP.security.reliance.US` [0.5, 0.95]" in text
    assert (out / "figures" / "payoffs.png").exists()
    assert (out / "figures" / "sweep_JP.security.reliance.US.png").exists()


SYNTHETIC_SWEEP = """
name = "five"
description = "Five synthetic countries under both protocols"
scenario = "synthetic-5x2-3"
replications = 6
root_seed = 11
[arms.bilateral]
protocol = "bilateral"
[arms.multilateral]
protocol = "multilateral"
[perturbations]
"economy.elasticity" = { dist = "uniform", low = 3.0, high = 5.0 }
"""


def test_a_synthetic_five_country_world_gets_a_complete_report_in_its_own_names(tmp_path):
    definition = tmp_path / "five.toml"
    definition.write_text(SYNTHETIC_SWEEP)
    out = tmp_path / "results" / "five"
    assert main(["sweep", str(definition), "--out", str(out), "--workers", "0"]) == 0
    assert main(["compare", str(out), "--n-resamples", "200"]) == 0
    text = (out / "report.md").read_text()
    table = pd.read_csv(out / "comparison.csv")
    codes = ["C01", "C02", "C03", "C04", "C05"]
    # every country's payoff is compared, and named as the scenario names it
    assert {f"utility.{c}" for c in codes} <= set(table["metric"])
    for k in range(1, 6):
        assert f"- Country {k}: " in text
    assert "Japan" not in text and "the US" not in text and "China" not in text
    # the default balances are the first country's with each partner
    assert {f"balance.C01.{c}" for c in codes[1:]} <= set(table["metric"])
    assert (out / "figures" / "payoffs.png").exists()


def test_experiment_without_design_gets_curves_against_perturbed_parameters(tmp_path):
    definition = {k: v for k, v in SWEEP_DEFINITION.items() if k != "design"}
    df = runs(grid=(0.5,)).drop(columns="param.JP.security.reliance.US")
    folder = write_results(tmp_path / "nodesign", df, definition)
    manifest = read_manifest(folder)
    analysis.report(folder, metrics="utility.*", n_resamples=200)
    text = (folder / "report.md").read_text()
    assert "## Outcomes against perturbed parameters" in text
    assert (folder / "figures" / "sweep_US.politics.lobby.autos.png").exists()
    assert analysis.perturbed_parameters(df, manifest) == ["param.US.politics.lobby.autos"]


def test_a_bare_experiment_name_means_results_name(tmp_path, monkeypatch):
    write_results(tmp_path / "results" / "tiny", runs(n_rep=5))
    monkeypatch.chdir(tmp_path)
    assert analysis.results_folder("tiny").resolve() == tmp_path / "results" / "tiny"
    with pytest.raises(AnalysisError, match=r"nope: no such results folder \(nor results/nope\)"):
        analysis.results_folder("nope")
