"""Statistics of outcome distributions: summaries, paired bootstrap comparisons, Cliff's delta.

Every statistic comes from :mod:`scipy.stats`; the bootstrap is seeded (``bootstrap_seed``,
default :data:`DEFAULT_SEED`, mixed with the arm and metric names), so a report is the
same every time it is built from the same runs.
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from negsim.analysis.errors import AnalysisError
from negsim.analysis.loading import prepare
from negsim.analysis.metrics import arm_values, check_arms, resolve_metrics
from negsim.analysis.words import number

#: Seed of the bootstrap unless one is given (26 Sep 2018, the US-Japan joint statement).
DEFAULT_SEED = 20180926

#: Largest sample for which ``method="auto"`` uses BCa intervals (percentile above).
BCA_MAX_N = 5000

#: Columns on which runs of two arms are matched when the arms share seeds.
PAIR_KEYS = ("design_point", "replication")

#: Thresholds of |Cliff's delta| for negligible / small / medium (Romano et al. 2006).
CLIFF_THRESHOLDS = ((0.147, "negligible"), (0.33, "small"), (0.474, "medium"))


def effect_label(delta: float) -> str:
    """Conventional label of Cliff's delta (Romano et al. 2006).

    |δ| < 0.147 negligible, < 0.33 small, < 0.474 medium, otherwise large; NaN gives "".
    """
    if not np.isfinite(delta):
        return ""
    for threshold, label in CLIFF_THRESHOLDS:
        if abs(delta) < threshold:
            return label
    return "large"


def cliffs_delta(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """Cliff's delta of ``y`` over ``x`` and the Mann-Whitney p-value.

    δ = P(Y > X) − P(Y < X) = 2U/(n_x·n_y) − 1, with U the Mann-Whitney statistic of ``y``
    from :func:`scipy.stats.mannwhitneyu` (ties count one half). δ > 0 when ``y`` tends to
    be larger.

    Returns:
        (delta, two-sided p-value).
    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    result = stats.mannwhitneyu(ys, xs, alternative="two-sided")
    delta = 2.0 * float(result.statistic) / (len(xs) * len(ys)) - 1.0
    return delta, float(result.pvalue)


def _diff_mean(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(b, axis=axis) - np.mean(a, axis=axis)


def _diff_median(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.median(b, axis=axis) - np.median(a, axis=axis)


def mean_of(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """The mean along ``axis`` (a statistic for :func:`bootstrap_ci`)."""
    return np.mean(a, axis=axis)


def bootstrap_rng(seed: int, *names: Any) -> np.random.Generator:
    """A generator from ``seed`` and names, so each statistic has its own stream."""
    key = zlib.crc32("|".join(map(str, names)).encode())
    return np.random.default_rng([seed, key])


def bootstrap_ci(
    data: tuple[np.ndarray, ...],
    statistic: Any,
    *,
    paired: bool = False,
    level: float = 0.95,
    n_resamples: int = 9999,
    method: str = "auto",
    rng: np.random.Generator | None = None,
) -> tuple[float, float]:
    """Bootstrap confidence interval of ``statistic(*data)`` with scipy.

    Wraps :func:`scipy.stats.bootstrap` (vectorised, in batches that keep memory small);
    falls back to the percentile method where BCa is undefined (e.g. a degenerate
    bootstrap distribution), and returns the point value twice when the data cannot vary.
    ``method="auto"`` is BCa up to :data:`BCA_MAX_N` observations and the percentile
    method above (BCa's jackknife costs n² there, and the two agree for large n).

    Returns:
        (low, high).
    """
    point = float(statistic(*data))
    if all(np.ptp(sample) == 0 for sample in data):
        return point, point
    if paired and len(data) == 2 and np.ptp(data[1] - data[0]) == 0 and statistic is _diff_mean:
        return point, point
    n = max(len(sample) for sample in data)
    batch = max(1, min(n_resamples, 2_000_000 // max(n, 1)))
    if method == "auto":
        method = "BCa" if n <= BCA_MAX_N else "percentile"
    low = high = np.nan
    for how in dict.fromkeys((method, "percentile")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = stats.bootstrap(
                data,
                statistic,
                n_resamples=n_resamples,
                batch=batch,
                vectorized=True,
                paired=paired,
                confidence_level=level,
                method=how,
                rng=rng,
            )
        low, high = (float(v) for v in result.confidence_interval)
        if np.isfinite(low) and np.isfinite(high):
            break
    return low, high


def _pairs(df: pd.DataFrame, by: str, a: Any, b: Any) -> pd.DataFrame | None:
    """Matched runs of arms ``a`` and ``b`` (index pairs) when they share seeds, else None.

    Arms are paired when every run is identified by ``design_point`` and ``replication``
    within its arm, and runs with the same identity in both arms have the same seed.
    """
    if not set(PAIR_KEYS) | {"seed"} <= set(df.columns):
        return None
    keys = list(PAIR_KEYS)
    left = df.loc[df[by] == a, [*keys, "seed"]]
    right = df.loc[df[by] == b, [*keys, "seed"]]
    if left.duplicated(keys).any() or right.duplicated(keys).any():
        return None
    left = left.assign(index_a=left.index)
    right = right.assign(index_b=right.index)
    merged = left.merge(right, on=keys, suffixes=("_a", "_b"))
    if len(merged) == 0 or (merged["seed_a"] != merged["seed_b"]).any():
        return None
    if len(merged) < 0.5 * min(len(left), len(right)):
        return None
    return merged[["index_a", "index_b"]]


def summarize(
    df: pd.DataFrame, by: str = "arm", metrics: Iterable[str] | str | None = None
) -> pd.DataFrame:
    """Per arm and metric: n, mean, std, quantiles, and shares of agreement and escalation.

    Only successful runs (``status == "ok"``) count.

    Args:
        df: the runs (as from :func:`load` or ``negsim.load_results``).
        by: the column whose values are the arms.
        metrics: metric names or patterns; None means :func:`default_metrics`.

    Returns:
        One row per (arm, metric) with columns ``by``, ``metric``, ``n``, ``mean``, ``std``,
        ``min``, ``q05``, ``q25``, ``median``, ``q75``, ``q95``, ``max``,
        ``share_agreement`` and ``share_escalation`` (the last two are per arm: the share
        of the arm's runs with ``agreement == 1`` and with a threat executed or a
        retaliation; NaN when the columns are missing).
    """
    df = prepare(df)
    arms = arm_values(df, by)
    metrics = resolve_metrics(df, metrics)
    rows = []
    for arm in arms:
        sub = df[df[by] == arm]
        agree = sub["agreement"].mean() if "agreement" in sub else np.nan
        escal = sub["escalation"].mean() if "escalation" in sub else np.nan
        for metric in metrics:
            x = sub[metric].astype(float).dropna().to_numpy()
            q = np.quantile(x, [0.05, 0.25, 0.5, 0.75, 0.95]) if len(x) else [np.nan] * 5
            rows.append(
                {
                    by: arm,
                    "metric": metric,
                    "n": len(x),
                    "mean": x.mean() if len(x) else np.nan,
                    "std": x.std(ddof=1) if len(x) > 1 else np.nan,
                    "min": x.min() if len(x) else np.nan,
                    "q05": q[0],
                    "q25": q[1],
                    "median": q[2],
                    "q75": q[3],
                    "q95": q[4],
                    "max": x.max() if len(x) else np.nan,
                    "share_agreement": float(agree),
                    "share_escalation": float(escal),
                }
            )
    return pd.DataFrame(rows)


def compare(
    df: pd.DataFrame,
    by: str = "arm",
    metrics: Iterable[str] | str | None = None,
    baseline: Any = None,
    *,
    paired: bool | None = None,
    level: float = 0.95,
    n_resamples: int = 9999,
    method: str = "auto",
    bootstrap_seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Compare each arm with a baseline arm, metric by metric.

    Differences are ``arm − baseline``. The bootstrap resamples matched pairs (matched on
    ``design_point`` and ``replication``) when the arms share seeds, and the two samples
    independently otherwise. Kolmogorov-Smirnov and Mann-Whitney p-values are adjusted
    with Benjamini-Hochberg (:func:`scipy.stats.false_discovery_control`) across all rows
    of the table (metrics × arms), each test separately. Metrics without variation, or
    without values in an arm, get a note and no tests.

    Args:
        df: the runs (only ``status == "ok"`` count).
        by: the column whose values are the arms.
        metrics: metric names or patterns; None means :func:`default_metrics`.
        baseline: the reference arm; None means the first in sorted order.
        paired: force paired (True) or unpaired (False) intervals; None detects shared
            seeds.
        level: confidence level of the intervals.
        n_resamples: bootstrap resamples.
        method: scipy's bootstrap method ("BCa", "percentile" or "basic"), or "auto":
            BCa up to :data:`BCA_MAX_N` runs per arm, percentile above.
        bootstrap_seed: seed of the bootstrap (never a simulation's); the same seed
            gives the same intervals.

    Returns:
        One row per (arm, metric): ``metric``, ``baseline``, ``arm``, ``n_baseline``,
        ``n_arm``, ``paired``, ``mean_baseline``, ``mean_arm``, ``diff_mean``,
        ``diff_mean_lo``, ``diff_mean_hi``, ``median_baseline``, ``median_arm``,
        ``diff_median``, ``diff_median_lo``, ``diff_median_hi``, ``ks_p``, ``ks_q``,
        ``mw_p``, ``mw_q``, ``cliffs_delta``, ``effect``, ``note``.

    Raises:
        AnalysisError: unknown ``by`` column, metric or baseline, or fewer than two arms.
    """
    df = prepare(df)
    baseline, others = check_arms(df, by, baseline)
    metrics = resolve_metrics(df, metrics)
    rows = []
    for arm in others:
        matched = _pairs(df, by, baseline, arm) if paired is not False else None
        if paired and matched is None:
            raise AnalysisError(
                f"arms {baseline!r} and {arm!r} do not share seeds on "
                f"{' + '.join(PAIR_KEYS)}; they cannot be compared as pairs"
            )
        for metric in metrics:
            rows.append(
                _compare_metric(
                    df,
                    by,
                    baseline,
                    arm,
                    metric,
                    matched,
                    level,
                    n_resamples,
                    method,
                    bootstrap_seed,
                )
            )
    table = pd.DataFrame(rows)
    for test in ("ks", "mw"):
        p = table[f"{test}_p"].to_numpy(dtype=float)
        q = np.full_like(p, np.nan)
        ok = np.isfinite(p)
        if ok.any():
            q[ok] = stats.false_discovery_control(p[ok], method="bh")
        table.insert(table.columns.get_loc(f"{test}_p") + 1, f"{test}_q", q)
    return table


def _compare_metric(
    df: pd.DataFrame,
    by: str,
    baseline: Any,
    arm: Any,
    metric: str,
    matched: pd.DataFrame | None,
    level: float,
    n_resamples: int,
    method: str,
    seed: int,
) -> dict[str, Any]:
    if matched is not None:
        a = df.loc[matched["index_a"], metric].astype(float).to_numpy()
        b = df.loc[matched["index_b"], metric].astype(float).to_numpy()
        keep = np.isfinite(a) & np.isfinite(b)
        a, b = a[keep], b[keep]
    else:
        a = df.loc[df[by] == baseline, metric].astype(float).dropna().to_numpy()
        b = df.loc[df[by] == arm, metric].astype(float).dropna().to_numpy()
    row: dict[str, Any] = {
        "metric": metric,
        "baseline": baseline,
        "arm": arm,
        "n_baseline": len(a),
        "n_arm": len(b),
        "paired": matched is not None,
    }
    nan = float("nan")
    row |= {
        "mean_baseline": a.mean() if len(a) else nan,
        "mean_arm": b.mean() if len(b) else nan,
        "diff_mean": nan,
        "diff_mean_lo": nan,
        "diff_mean_hi": nan,
        "median_baseline": float(np.median(a)) if len(a) else nan,
        "median_arm": float(np.median(b)) if len(b) else nan,
        "diff_median": nan,
        "diff_median_lo": nan,
        "diff_median_hi": nan,
        "ks_p": nan,
        "mw_p": nan,
        "cliffs_delta": nan,
        "effect": "",
        "note": "",
    }
    if len(a) == 0 or len(b) == 0:
        empty = [str(name) for name, x in ((baseline, a), (arm, b)) if len(x) == 0]
        pairs = " in matched pairs" if matched is not None else ""
        row["note"] = f"no values under {by} = {' and '.join(empty)}{pairs}"
        return row
    row["diff_mean"] = row["mean_arm"] - row["mean_baseline"]
    row["diff_median"] = row["median_arm"] - row["median_baseline"]
    both = np.concatenate([a, b])
    if np.ptp(both) == 0:
        row |= {"diff_mean_lo": 0.0, "diff_mean_hi": 0.0, "diff_median_lo": 0.0}
        row |= {"diff_median_hi": 0.0, "cliffs_delta": 0.0, "effect": "negligible"}
        row["note"] = f"no variation: {number(both[0])} in every run"
        return row
    for stat, name in ((_diff_mean, "diff_mean"), (_diff_median, "diff_median")):
        lo, hi = bootstrap_ci(
            (a, b),
            stat,
            paired=matched is not None,
            level=level,
            n_resamples=n_resamples,
            method=method,
            rng=bootstrap_rng(seed, baseline, arm, metric, name),
        )
        row[f"{name}_lo"], row[f"{name}_hi"] = lo, hi
    with warnings.catch_warnings():  # "exact calculation unsuccessful": scipy goes asymptotic
        warnings.simplefilter("ignore", RuntimeWarning)
        row["ks_p"] = float(stats.ks_2samp(a, b).pvalue)
    row["cliffs_delta"], row["mw_p"] = cliffs_delta(a, b)
    row["effect"] = effect_label(row["cliffs_delta"])
    if len(a) < 2 or len(b) < 2:
        row["note"] = "fewer than two runs in an arm: intervals not meaningful"
    return row
