"""Comparing outcome distributions: statistics, figures and reports.

The analysis reads only the results store (a folder ``results/<experiment>/`` with Parquet
parts and a ``manifest.json``, or a DataFrame of the same shape) and answers "which
protocol gives whom what, how often, and how sure are we?":

- :func:`summarize`: per arm and metric, n, mean, median, quantiles, and the share of runs
  with agreement and with escalation;
- :func:`compare`: per metric, the difference of means and of medians between each arm
  and a baseline arm with bootstrap confidence intervals (paired when the arms share seeds,
  as experiments do), Kolmogorov-Smirnov and Mann-Whitney p-values with Benjamini-Hochberg
  control across metrics, and Cliff's delta with its conventional label;
- :func:`sweep_curves`: a metric against a swept parameter, per arm, with interval bands;
- :func:`plot_distribution`, :func:`plot_payoffs`, :func:`plot_sweep`: PNG figures;
- :func:`report`: all of the above as ``report.md``, ``comparison.csv`` and ``figures/``.

Every statistic comes from :mod:`scipy.stats`; the bootstrap is seeded (``seed``,
default :data:`DEFAULT_SEED`, mixed with the arm and metric names), so a report is the
same every time it is built from the same runs.
"""

from __future__ import annotations

import fnmatch
import json
import warnings
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from negsim.scenarios import did_you_mean

__all__ = [
    "BCA_MAX_N",
    "DEFAULT_SEED",
    "AnalysisError",
    "available_metrics",
    "axis_label",
    "bootstrap_ci",
    "cliffs_delta",
    "compare",
    "default_metrics",
    "describe_metric",
    "effect_label",
    "effect_sentences",
    "label",
    "load",
    "payoff_sentences",
    "payoff_table",
    "perturbed_parameters",
    "plot_distribution",
    "plot_payoffs",
    "plot_sweep",
    "plot_tariffs",
    "report",
    "resolve_metrics",
    "results_folder",
    "summarize",
    "sweep_curves",
    "swept_parameters",
]

#: Seed of the bootstrap unless one is given (26 Sep 2018, the US-Japan joint statement).
DEFAULT_SEED = 20180926

#: Largest sample for which ``method="auto"`` uses BCa intervals (percentile above).
BCA_MAX_N = 5000

#: Columns that identify a run rather than measure its outcome.
ID_COLUMNS = (
    "experiment",
    "arm",
    "design_point",
    "replication",
    "seed",
    "status",
    "error",
    "scenario",
    "protocol",
)

#: Columns on which runs of two arms are matched when the arms share seeds.
PAIR_KEYS = ("design_point", "replication")

#: Thresholds of |Cliff's delta| for negligible / small / medium (Romano et al. 2006).
CLIFF_THRESHOLDS = ((0.147, "negligible"), (0.33, "small"), (0.474, "medium"))

COUNTRY_NAMES = {"US": "the US", "JP": "Japan", "CN": "China", "ROW": "the rest of the world"}
COMPONENTS = (
    ("utility", "Total payoff"),
    ("econ", "Economic"),
    ("security", "Security"),
    ("politics", "Political"),
)


class AnalysisError(ValueError):
    """Input the analysis cannot use; the message is one line naming what is wrong."""


# --------------------------------------------------------------------------- loading


def load(path: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Load a results folder: the runs and the manifest.

    Uses ``negsim.load_results`` when the package provides it, and otherwise reads the
    Parquet parts (``part-*.parquet``, or any ``*.parquet``) itself.

    Args:
        path: ``results/<experiment>`` folder (or a single Parquet file).

    Returns:
        The runs as a DataFrame (all statuses) and the manifest (``{}`` if there is none).

    Raises:
        AnalysisError: the folder does not exist or holds no runs.
    """
    folder = results_folder(path)
    if folder.is_file():
        parts = [folder]
        folder = folder.parent
    else:
        parts = sorted(folder.glob("part-*.parquet")) or sorted(folder.glob("*.parquet"))
    if not parts:
        raise AnalysisError(
            f"{folder}: no results (expected part-*.parquet files written by 'negsim sweep')"
        )
    manifest: dict[str, Any] = {}
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text())
        except json.JSONDecodeError as exc:
            raise AnalysisError(f"{manifest_path}: malformed JSON ({exc.msg})") from exc
    frame = None
    loader = _package_loader()
    if loader is not None and Path(path).is_dir():
        try:
            frame = loader(folder)
        except ValueError as exc:  # the store's own one-line errors
            raise AnalysisError(str(exc)) from exc
        except (AttributeError, KeyError, TypeError):
            frame = None  # a manifest the store's reader does not expect: read the parts
    if frame is None:
        try:
            frame = pd.concat([pd.read_parquet(part) for part in parts], ignore_index=True)
        except (OSError, ValueError) as exc:
            raise AnalysisError(f"{folder}: cannot read results ({exc})") from exc
    if len(frame) == 0:
        raise AnalysisError(f"{folder}: no results (the Parquet parts hold no runs)")
    return frame, manifest


def results_folder(path: str | Path) -> Path:
    """The results folder ``path``, or ``results/<path>`` for a bare experiment name.

    Raises:
        AnalysisError: neither exists.
    """
    folder = Path(path)
    if folder.exists():
        return folder
    named = Path("results") / folder
    if len(folder.parts) == 1 and named.is_dir():
        return named
    also = f" (nor {named})" if len(folder.parts) == 1 else ""
    raise AnalysisError(f"{folder}: no such results folder{also}")


def _package_loader() -> Any:
    """``negsim.load_results`` if this version of negsim has it, else None."""
    import negsim

    return getattr(negsim, "load_results", None)


def _prepare(df: pd.DataFrame) -> pd.DataFrame:
    """Successful runs only, with the derived 0/1 metric ``escalation`` added."""
    if "status" in df.columns:
        df = df[df["status"].astype(str) == "ok"]
    df = df.copy()
    if "escalation" not in df.columns and {"threats_executed", "retaliations"} & set(df.columns):
        threats = df.get("threats_executed", pd.Series(0, index=df.index)).fillna(0)
        retaliations = df.get("retaliations", pd.Series(0, index=df.index)).fillna(0)
        df["escalation"] = ((threats > 0) | (retaliations > 0)).astype(float)
    return df


# --------------------------------------------------------------------------- metrics


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def available_metrics(df: pd.DataFrame) -> list[str]:
    """Numeric outcome columns: everything but identity columns and ``param.*``."""
    return [
        col
        for col in df.columns
        if col not in ID_COLUMNS and not col.startswith("param.") and _is_numeric(df[col])
    ]


def _countries(df: pd.DataFrame) -> list[str]:
    return [col.split(".", 1)[1] for col in df.columns if col.startswith("utility.")]


def _varies(series: pd.Series) -> bool:
    return series.dropna().nunique() > 1


def default_metrics(df: pd.DataFrame) -> list[str]:
    """The metrics a report shows unless told otherwise.

    ``utility.<C>`` for each country, ``agreement``, ``threats_executed``,
    ``retaliations``, ``escalation``, ``welfare.<C>``, ``balance.US.JP``,
    ``balance.US.CN``, ``nash_gap``, and every ``tariff.*`` column that varies, in that
    order and where present.
    """
    countries = _countries(df)
    wanted = [f"utility.{c}" for c in countries]
    wanted += ["agreement", "threats_executed", "retaliations", "escalation"]
    wanted += [f"welfare.{c}" for c in countries]
    wanted += ["balance.US.JP", "balance.US.CN", "nash_gap"]
    metrics = [m for m in wanted if m in df.columns and _is_numeric(df[m])]
    metrics += [c for c in df.columns if c.startswith("tariff.") and _varies(df[c])]
    return metrics


def _compact(names: Sequence[str], limit: int = 6) -> str:
    """Names joined by commas, long families folded into ``prefix.* (N columns)``."""
    families: dict[str, list[str]] = {}
    for name in names:
        families.setdefault(name.split(".", 1)[0], []).append(name)
    shown: list[str] = []
    for prefix, members in families.items():
        if len(members) > limit:
            shown.append(f"{prefix}.* ({len(members)} columns)")
        else:
            shown.extend(members)
    return ", ".join(shown)


def resolve_metrics(df: pd.DataFrame, metrics: Iterable[str] | str | None) -> list[str]:
    """Check and expand a list of metric names (shell-style patterns such as ``utility.*``).

    Args:
        df: the runs.
        metrics: names or patterns; a comma-separated string is split; None means
            :func:`default_metrics`.

    Returns:
        The metric columns, in the order asked, without duplicates.

    Raises:
        AnalysisError: a name matches no metric column (the message lists the available
            ones, with a "did you mean").
    """
    if metrics is None:
        return default_metrics(df)
    if isinstance(metrics, str):
        metrics = [metrics]
    names = [part.strip() for item in metrics for part in str(item).split(",") if part.strip()]
    if not names:
        return default_metrics(df)
    allowed = available_metrics(df)
    resolved: list[str] = []
    for name in names:
        if name in df.columns and _is_numeric(df[name]) and name not in ID_COLUMNS:
            matches = [name]
        else:
            matches = fnmatch.filter(allowed, name)
        if not matches:
            raise AnalysisError(
                f"unknown metric {name!r}{did_you_mean(name, allowed)}; "
                f"available: {_compact(allowed)}"
            )
        resolved.extend(m for m in matches if m not in resolved)
    return resolved


def _group_columns(df: pd.DataFrame) -> list[str]:
    """Columns that make sense as ``by``: arms, protocols, design points, swept parameters.

    Identity columns other than seeds and replications, text columns, and ``param.*``
    columns with 2 to 50 distinct values.
    """
    out = []
    for col in df.columns:
        if col in ("error", "seed", "replication", "status"):
            continue
        if col in ID_COLUMNS or not _is_numeric(df[col]):
            out.append(col)
        elif col.startswith("param.") and 2 <= df[col].nunique() <= 50:
            out.append(col)
    return out


def _arms(df: pd.DataFrame, by: str) -> list[Any]:
    """The distinct values of ``by`` (numbers in numeric order, others as strings)."""
    if by not in df.columns:
        choices = _group_columns(df)
        raise AnalysisError(
            f"unknown --by column {by!r}{did_you_mean(by, list(df.columns))}; "
            f"available: {_compact(choices)}"
        )
    values = df[by].dropna().unique().tolist()
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


def _check_arms(df: pd.DataFrame, by: str, baseline: Any) -> tuple[Any, list[Any]]:
    arms = _arms(df, by)
    if len(arms) < 2:
        only = f" ({arms[0]!r})" if arms else ""
        raise AnalysisError(
            f"only one value{only} in column {by!r} among successful runs; "
            f"a comparison needs at least two arms (try --by with one of: "
            f"{_compact(_group_columns(df))})"
        )
    if baseline is None:
        baseline = arms[0]
    elif baseline not in arms:
        matches = [a for a in arms if str(baseline) in (str(a), label(a))]
        if not matches:
            raise AnalysisError(
                f"unknown baseline {baseline!r} for column {by!r}; "
                f"available: {', '.join(map(label, arms))}"
            )
        baseline = matches[0]
    return baseline, [a for a in arms if a != baseline]


# --------------------------------------------------------------------------- statistics


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
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    result = stats.mannwhitneyu(y, x, alternative="two-sided")
    delta = 2.0 * float(result.statistic) / (len(x) * len(y)) - 1.0
    return delta, float(result.pvalue)


def _diff_mean(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(b, axis=axis) - np.mean(a, axis=axis)


def _diff_median(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.median(b, axis=axis) - np.median(a, axis=axis)


def _mean(a: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(a, axis=axis)


def _rng(seed: int, *names: Any) -> np.random.Generator:
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
    df = _prepare(df)
    arms = _arms(df, by)
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
    seed: int = DEFAULT_SEED,
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
        seed: bootstrap seed; the same seed gives the same intervals.

    Returns:
        One row per (arm, metric): ``metric``, ``baseline``, ``arm``, ``n_baseline``,
        ``n_arm``, ``paired``, ``mean_baseline``, ``mean_arm``, ``diff_mean``,
        ``diff_mean_lo``, ``diff_mean_hi``, ``median_baseline``, ``median_arm``,
        ``diff_median``, ``diff_median_lo``, ``diff_median_hi``, ``ks_p``, ``ks_q``,
        ``mw_p``, ``mw_q``, ``cliffs_delta``, ``effect``, ``note``.

    Raises:
        AnalysisError: unknown ``by`` column, metric or baseline, or fewer than two arms.
    """
    df = _prepare(df)
    baseline, others = _check_arms(df, by, baseline)
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
                    df, by, baseline, arm, metric, matched, level, n_resamples, method, seed
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
        row["note"] = f"no variation: {_num(both[0])} in every run"
        return row
    for stat, name in ((_diff_mean, "diff_mean"), (_diff_median, "diff_median")):
        lo, hi = bootstrap_ci(
            (a, b),
            stat,
            paired=matched is not None,
            level=level,
            n_resamples=n_resamples,
            method=method,
            rng=_rng(seed, baseline, arm, metric, name),
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


# --------------------------------------------------------------------------- sweeps


def swept_parameters(df: pd.DataFrame, manifest: dict[str, Any] | None = None) -> list[str]:
    """The ``param.*`` columns a design swept.

    Parameters named anywhere in the experiment's ``design`` (in the manifest, or its
    ``definition``) are the swept ones; without a manifest (or when it names none) every
    ``param.*`` column with 2 to 25 distinct values counts as swept (a grid), since
    per-run perturbations draw continuous values.
    """
    params = [c for c in df.columns if c.startswith("param.") and _varies(df[c])]
    definition = _definition(manifest or {})
    design = definition.get("design") or (manifest or {}).get("design")
    if design:
        named = set(_strings(design))
        chosen = [p for p in params if p in named or p.removeprefix("param.") in named]
        if chosen:
            return chosen
    return [p for p in params if df[p].dropna().nunique() <= 25]


def perturbed_parameters(df: pd.DataFrame, manifest: dict[str, Any] | None = None) -> list[str]:
    """The ``param.*`` columns drawn per run (the experiment's ``perturbations``).

    Without a manifest (or when it names none): every ``param.*`` column with more than
    25 distinct values.
    """
    params = [c for c in df.columns if c.startswith("param.") and _varies(df[c])]
    perturbations = _definition(manifest or {}).get("perturbations")
    if isinstance(perturbations, dict) and perturbations:
        named = [f"param.{p}" for p in perturbations]
        chosen = [p for p in named if p in params]
        if chosen:
            return chosen
    return [p for p in params if df[p].dropna().nunique() > 25]


def _strings(node: Any) -> Iterable[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _strings(item)


def _param_column(df: pd.DataFrame, param: str) -> str:
    for name in (param, f"param.{param}"):
        if name in df.columns:
            return name
    params = [c for c in df.columns if c.startswith("param.")]
    raise AnalysisError(
        f"unknown parameter {param!r}{did_you_mean(f'param.{param}', params)}; "
        f"available: {_compact(params) or 'none (no param.* columns)'}"
    )


def sweep_curves(
    df: pd.DataFrame,
    param: str,
    metrics: Iterable[str] | str | None = None,
    by: str = "arm",
    *,
    bins: int = 10,
    level: float = 0.95,
    n_resamples: int = 999,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Metrics against a swept parameter, per arm, with interval bands.

    A parameter with at most 25 distinct values (a grid) is used as it is; otherwise its
    values are cut into ``bins`` quantile bins and each bin is placed at its mean.

    Args:
        df: the runs (only ``status == "ok"`` count).
        param: the parameter, with or without the ``param.`` prefix.
        metrics: metric names or patterns; None means :func:`default_metrics`.
        by: the column whose values are the arms.
        bins: number of bins for a continuous parameter.
        level: level of the bootstrap interval of the mean.
        n_resamples: bootstrap resamples (percentile method).
        seed: bootstrap seed.

    Returns:
        One row per (arm, metric, parameter value): ``by``, ``metric``, ``x`` (the value or
        bin mean), ``n``, ``mean``, ``ci_lo`` and ``ci_hi`` (bootstrap interval of the mean),
        ``median``, ``q05`` and ``q95`` (5% and 95% of the runs).
    """
    df = _prepare(df)
    column = _param_column(df, param)
    arms = _arms(df, by)
    metrics = resolve_metrics(df, metrics)
    df = df[df[column].notna()]
    values = df[column].astype(float)
    if values.nunique() <= 25:
        x_key = values
    else:
        codes = pd.qcut(values, q=bins, labels=False, duplicates="drop")
        x_key = values.groupby(codes).transform("mean")
    rows = []
    for arm in arms:
        in_arm = (df[by] == arm).to_numpy()
        for x_value in np.sort(x_key[in_arm].unique()):
            sub = df[in_arm & (x_key == x_value).to_numpy()]
            for metric in metrics:
                y = sub[metric].astype(float).dropna().to_numpy()
                row = {by: arm, "metric": metric, "x": float(x_value), "n": len(y)}
                if len(y) == 0:
                    rows.append(row)
                    continue
                lo, hi = (
                    bootstrap_ci(
                        (y,),
                        _mean,
                        level=level,
                        n_resamples=n_resamples,
                        method="percentile",
                        rng=_rng(seed, arm, metric, column, x_value),
                    )
                    if len(y) > 1
                    else (np.nan, np.nan)
                )
                q05, median, q95 = np.quantile(y, [0.05, 0.5, 0.95])
                row |= {"mean": y.mean(), "ci_lo": lo, "ci_hi": hi}
                row |= {"median": median, "q05": q05, "q95": q95}
                rows.append(row)
    columns = [by, "metric", "x", "n", "mean", "ci_lo", "ci_hi", "median", "q05", "q95"]
    return pd.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------------- words


def _num(x: float, digits: int = 3) -> str:
    """A number with ``digits`` significant digits, never in scientific notation."""
    if not np.isfinite(x):
        return "n/a"
    if x == 0:
        return "0"
    text = np.format_float_positional(
        float(x), precision=digits, unique=False, fractional=False, trim="-"
    )
    return text.rstrip(".")


def label(value: Any) -> str:
    """An arm's name for people: floats to 6 significant digits, anything else as str.

    0.30000000000000004 (a grid value from linspace) reads 0.3.
    """
    if isinstance(value, float | np.floating):
        return _num(float(value), 6)
    return str(value)


def _country(code: str) -> str:
    return COUNTRY_NAMES.get(code, code)


def _possessive(code: str) -> str:
    if code == "US":
        return "the US"
    name = _country(code)
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def describe_metric(metric: str) -> tuple[str, str]:
    """A noun phrase for a metric and the kind of its unit.

    The kind is one of ``"gdp"`` (% of GDP), ``"share"`` (0/1 per run, shown in
    percentage points), ``"tariff"`` (fraction, shown in percentage points), ``"usd"``
    (USD bn), ``"count"``, ``"round"``, ``"index"`` (0..1) or ``"value"``.
    """
    parts = metric.split(".")
    head = parts[0]
    components = {"utility": "payoff", "econ": "economic payoff"}
    components |= {"security": "security payoff", "politics": "political payoff"}
    if head in components and len(parts) == 2:
        return f"{_possessive(parts[1])} {components[head]}", "gdp"
    if head == "welfare" and len(parts) == 2:
        return f"{_possessive(parts[1])} economic welfare", "gdp"
    if metric == "agreement":
        return "the share of runs in which every table agrees", "share"
    if metric == "escalation":
        return "the share of runs with a threat executed or a retaliation", "share"
    if head == "agreement" and len(parts) == 2:
        table = parts[1]
        if table == "all":
            return "the share of runs with a multilateral agreement", "share"
        names = " and ".join(_country(c) for c in table.split("-"))
        return f"the share of runs in which {names} agree", "share"
    if head == "agreement_round":
        return f"the round of agreement at the {parts[1]} table", "round"
    if head == "tariff" and len(parts) == 4:
        importer, exporter, sector = parts[1:]
        source = _country(exporter)
        goods = "other goods" if sector == "other" else sector
        return f"{_possessive(importer)} tariff on {goods} from {source}", "tariff"
    if head == "balance" and len(parts) == 3:
        return f"{_possessive(parts[1])} goods balance with {_country(parts[2])}", "usd"
    if head == "exports" and len(parts) == 3:
        return f"{_possessive(parts[1])} exports to {_country(parts[2])}", "usd"
    if head == "alliance":
        names = "-".join(_country(c).removeprefix("the ") for c in parts[1].split("-"))
        return f"the health of the {names} alliance", "index"
    if metric == "threats_executed":
        return "the number of threats executed", "count"
    if metric == "retaliations":
        return "the number of retaliations", "count"
    if metric == "rounds":
        return "the number of rounds played", "round"
    if metric == "nash_gap":
        return "the distance from the Nash bargaining solution", "value"
    return metric, "value"


UNIT_LABELS = {
    "gdp": "% of own GDP (vs 2018 start)",
    "share": "share of runs (0/1 per run)",
    "tariff": "tariff (fraction, 0.25 = 25%)",
    "usd": "USD bn",
    "count": "count per run",
    "round": "round",
    "index": "index (0..1)",
    "value": "value",
}


def axis_label(metric: str) -> str:
    """Axis label of a metric: its name and unit."""
    return f"{metric} [{UNIT_LABELS[describe_metric(metric)[1]]}]"


def _amount(value: float, kind: str) -> str:
    if kind in ("share", "tariff"):
        return f"{_num(100 * value)} percentage points"
    if kind == "gdp":
        return f"{_num(value)}% of GDP"
    if kind == "usd":
        return f"USD {_num(value)} bn"
    if kind == "count":
        return f"{_num(value)} per run"
    if kind == "round":
        return f"{_num(value)} rounds"
    return _num(value)


def _under(by: str, arm: Any) -> str:
    if by in ("arm", "protocol") and str(arm) in ("bilateral", "multilateral"):
        return f"the {arm} protocol"
    if by == "arm":
        return f"arm {label(arm)}"
    return f"{by.removeprefix('param.')} = {label(arm)}"


def effect_sentences(table: pd.DataFrame, by: str = "arm", n: int = 5) -> list[str]:
    """Plain-language sentences for the largest effects of a :func:`compare` table.

    Effects are ranked by |Cliff's delta| (to one decimal; ties: payoffs, then welfare,
    agreement and escalation, balances, others, tariffs); negligible ones are left out,
    except for the shares of runs with agreement and with escalation when their interval
    excludes 0 (for a 0/1 metric δ is the difference of shares, so a clear 10-point
    change is "negligible").

    Args:
        table: the output of :func:`compare`.
        by: the column whose values are the arms (for the wording).
        n: at most this many sentences on the largest effects (plus agreement and
            escalation).

    Returns:
        Sentences such as "Under the multilateral protocol, Japan's payoff is higher by
        0.42% of GDP [95% CI 0.38, 0.46] than under the bilateral protocol; Cliff's delta
        0.60, large."
    """
    rows = table[table["cliffs_delta"].notna() & (table["note"] == "")]
    excludes_zero = (rows["diff_mean_lo"] > 0) | (rows["diff_mean_hi"] < 0)
    headline = rows["metric"].isin(["agreement", "escalation"]) & excludes_zero
    order = sorted(
        rows.index,
        key=lambda i: (-round(abs(rows.at[i, "cliffs_delta"]), 1), _priority(rows.at[i, "metric"])),
    )
    largest = rows.loc[order][rows.loc[order, "effect"] != "negligible"].head(n)
    rows = pd.concat([largest, rows[headline & ~rows.index.isin(largest.index)]])
    sentences = []
    for _, row in rows.iterrows():
        noun, kind = describe_metric(row["metric"])
        diff, lo, hi = row["diff_mean"], row["diff_mean_lo"], row["diff_mean_hi"]
        if diff >= 0:
            direction, lo_shown, hi_shown = "higher", lo, hi
        else:
            direction, lo_shown, hi_shown = "lower", -hi, -lo
        ci = f"[95% CI {_num_in(lo_shown, kind)}, {_num_in(hi_shown, kind)}]"
        delta = row["cliffs_delta"]
        sentences.append(
            f"Under {_under(by, row['arm'])}, {noun} is {direction} by "
            f"{_amount(abs(diff), kind)} {ci} on average than under "
            f"{_under(by, row['baseline'])}; Cliff's delta {delta:.2f}, {row['effect']}."
        )
    return sentences


def payoff_sentences(table: pd.DataFrame, by: str = "arm") -> list[str]:
    """One line per country and arm on the change of its payoff, whatever its size.

    Args:
        table: the output of :func:`compare` (rows ``utility.<C>`` are used).
        by: the column whose values are the arms (for the wording).

    Returns:
        Lines such as "Japan: +0.032% of GDP [95% CI 0.025, 0.039] under the multilateral
        protocol vs the bilateral protocol; Cliff's delta 0.40, medium."
    """
    lines = []
    rows = table[table["metric"].str.startswith("utility.") & table["diff_mean"].notna()]
    for _, row in rows.iterrows():
        country = _country(row["metric"].split(".", 1)[1])
        sign = "+" if row["diff_mean"] > 0 else ""
        delta = row["cliffs_delta"]
        effect = f"; Cliff's delta {delta:.2f}, {row['effect']}" if np.isfinite(delta) else ""
        lines.append(
            f"{country[0].upper()}{country[1:]}: {sign}{_num(row['diff_mean'])}% of GDP "
            f"[95% CI {_num(row['diff_mean_lo'])}, {_num(row['diff_mean_hi'])}] under "
            f"{_under(by, row['arm'])} vs {_under(by, row['baseline'])}{effect}."
        )
    return lines


def _priority(metric: str) -> int:
    """Order of metrics with equal effect sizes: payoffs first, tariffs last."""
    head = metric.split(".")[0]
    ranks = {"utility": 0, "welfare": 1, "econ": 1, "security": 1, "politics": 1}
    ranks |= {"agreement": 2, "escalation": 2, "balance": 3, "tariff": 5}
    return ranks.get(head, 4)


def _num_in(value: float, kind: str) -> str:
    return _num(100 * value) if kind in ("share", "tariff") else _num(value)


# --------------------------------------------------------------------------- figures


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _colors(n: int) -> list[Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return [cmap(i % 10) for i in range(n)]


def plot_distribution(df: pd.DataFrame, metric: str, path: str | Path, by: str = "arm") -> Path:
    """ECDF overlay and violins of one metric, one colour per arm, as a PNG.

    Args:
        df: the runs (only ``status == "ok"`` count).
        metric: the metric column.
        path: the PNG to write.
        by: the column whose values are the arms.

    Returns:
        The path written.
    """
    df = _prepare(df)
    arms = _arms(df, by)
    colors = _colors(len(arms))
    fig = _figure(10, 4)
    ecdf_ax, violin_ax = fig.subplots(1, 2)
    samples = [df.loc[df[by] == arm, metric].astype(float).dropna().to_numpy() for arm in arms]
    for arm, x, color in zip(arms, samples, colors, strict=True):
        if len(x):
            ecdf_ax.ecdf(x, label=f"{label(arm)} (n={len(x)})", color=color, linewidth=1.8)
    ecdf_ax.set_xlabel(axis_label(metric))
    ecdf_ax.set_ylabel("share of runs ≤ x")
    ecdf_ax.set_title("Empirical CDF")
    ecdf_ax.grid(alpha=0.3)
    ecdf_ax.legend(title=by, loc="best", fontsize="small")
    positions = np.arange(1, len(arms) + 1)
    for pos, x, color in zip(positions, samples, colors, strict=True):
        if len(x) == 0:
            continue
        if np.ptp(x) > 0:
            parts = violin_ax.violinplot([x], positions=[pos], showmedians=True, widths=0.8)
            for body in parts["bodies"]:
                body.set_facecolor(color)
                body.set_alpha(0.5)
            for key in ("cmedians", "cmins", "cmaxes", "cbars"):
                if key in parts:
                    parts[key].set_color(color)
        else:
            violin_ax.hlines(x[0], pos - 0.35, pos + 0.35, color=color, linewidth=3)
        violin_ax.plot(pos, x.mean(), marker="D", color="black", markersize=5)
    violin_ax.set_xticks(positions, [label(a) for a in arms])
    violin_ax.set_xlabel(by)
    violin_ax.set_ylabel(axis_label(metric))
    violin_ax.set_title("Violins: ◆ mean, bar median, ends min/max", fontsize="medium")
    violin_ax.grid(alpha=0.3, axis="y")
    fig.suptitle(f"{describe_metric(metric)[0].capitalize()} ({metric}) by {by}")
    return _save(fig, path)


def payoff_table(
    df: pd.DataFrame,
    by: str = "arm",
    *,
    level: float = 0.95,
    n_resamples: int = 1999,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Mean payoff and its components per country and arm, with bootstrap intervals.

    Returns:
        Rows ``by``, ``country``, ``component`` (utility, econ, security, politics),
        ``mean``, ``ci_lo``, ``ci_hi``, ``n``; in % of the country's GDP.
    """
    df = _prepare(df)
    arms = _arms(df, by)
    rows = []
    for arm in arms:
        sub = df[df[by] == arm]
        for country in _countries(df):
            for component, _ in COMPONENTS:
                column = f"{component}.{country}"
                if column not in sub:
                    continue
                x = sub[column].astype(float).dropna().to_numpy()
                if len(x) == 0:
                    continue
                lo, hi = (
                    bootstrap_ci(
                        (x,),
                        _mean,
                        level=level,
                        n_resamples=n_resamples,
                        method="percentile",
                        rng=_rng(seed, arm, column, "payoff"),
                    )
                    if len(x) > 1
                    else (np.nan, np.nan)
                )
                rows.append(
                    {by: arm, "country": country, "component": component, "mean": x.mean()}
                    | {"ci_lo": lo, "ci_hi": hi, "n": len(x)}
                )
    return pd.DataFrame(rows, columns=[by, "country", "component", "mean", "ci_lo", "ci_hi", "n"])


def plot_payoffs(
    df: pd.DataFrame,
    path: str | Path,
    by: str = "arm",
    *,
    n_resamples: int = 1999,
    seed: int = DEFAULT_SEED,
) -> Path | None:
    """Who gains what: grouped bars of mean payoff and components per country and arm.

    One panel per country; bars are the total payoff and its economic, security and
    political components, one colour per arm, with 95% bootstrap intervals of the mean.

    Returns:
        The path written, or None when the runs hold no ``utility.*`` columns.
    """
    table = payoff_table(df, by, n_resamples=n_resamples, seed=seed)
    if table.empty:
        return None
    arms = list(dict.fromkeys(table[by]))
    countries = list(dict.fromkeys(table["country"]))
    colors = _colors(len(arms))
    fig = _figure(4.2 * len(countries) + 0.5, 4.4)
    axes = np.atleast_1d(fig.subplots(1, len(countries), sharey=True))
    width = 0.8 / len(arms)
    labels = dict(COMPONENTS)
    for ax, country in zip(axes, countries, strict=True):
        present = [
            c for c, _ in COMPONENTS if ((table.country == country) & (table.component == c)).any()
        ]
        x = np.arange(len(present))
        for i, (arm, color) in enumerate(zip(arms, colors, strict=True)):
            sel = table[(table[by] == arm) & (table.country == country)].set_index("component")
            sel = sel.reindex(present)
            mean = sel["mean"].to_numpy(dtype=float)
            err = np.vstack([mean - sel["ci_lo"], sel["ci_hi"] - mean]).astype(float)
            ax.bar(
                x + (i - (len(arms) - 1) / 2) * width,
                mean,
                width,
                yerr=np.nan_to_num(err),
                capsize=3,
                color=color,
                label=label(arm),
            )
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xticks(x, [labels[c] for c in present], rotation=15)
        ax.set_title(_country(country).removeprefix("the ").replace("US", "United States"))
        ax.grid(alpha=0.3, axis="y")
    axes[0].set_ylabel("mean change, % of own GDP (vs 2018 start)")
    axes[-1].legend(title=by, fontsize="small")
    fig.suptitle("Who gains what: payoff and its components per country (bars: 95% CI of mean)")
    return _save(fig, path)


def _save(fig: Any, path: str | Path) -> Path:
    """Write a figure as PNG, creating its folder, and close it; return the path."""
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_tariffs(
    df: pd.DataFrame,
    path: str | Path,
    by: str = "arm",
    *,
    n_resamples: int = 999,
    seed: int = DEFAULT_SEED,
) -> Path | None:
    """Tariffs in force at the end: mean per arm with 95% intervals, one panel per importer.

    Each row of a panel is an (exporter, sector) pair; each arm is a marker with the
    bootstrap interval of its mean, in percent ad valorem.

    Returns:
        The path written, or None when the runs hold no ``tariff.*`` columns.
    """
    df = _prepare(df)
    columns = [c for c in df.columns if c.startswith("tariff.") and len(c.split(".")) == 4]
    if not columns:
        return None
    arms = _arms(df, by)
    importers = list(dict.fromkeys(c.split(".")[1] for c in columns))
    colors = _colors(len(arms))
    rows_max = max(sum(c.split(".")[1] == imp for c in columns) for imp in importers)
    fig = _figure(3.6 * len(importers) + 0.5, 0.28 * rows_max + 1.8)
    axes = np.atleast_1d(fig.subplots(1, len(importers)))
    for ax, importer in zip(axes, importers, strict=True):
        mine = [c for c in columns if c.split(".")[1] == importer]
        y = np.arange(len(mine))[::-1]
        for i, (arm, color) in enumerate(zip(arms, colors, strict=True)):
            sub = df[df[by] == arm]
            means, lows, highs = [], [], []
            for column in mine:
                x = 100 * sub[column].astype(float).dropna().to_numpy()
                if len(x) == 0:
                    means.append(np.nan)
                    lows.append(np.nan)
                    highs.append(np.nan)
                    continue
                lo, hi = bootstrap_ci(
                    (x,),
                    _mean,
                    n_resamples=n_resamples,
                    method="percentile",
                    rng=_rng(seed, arm, column, "tariffs"),
                )
                means.append(x.mean())
                lows.append(lo)
                highs.append(hi)
            mean = np.array(means)
            err = np.nan_to_num(np.vstack([mean - np.array(lows), np.array(highs) - mean]))
            offset = (i - (len(arms) - 1) / 2) * 0.25
            ax.errorbar(
                mean, y + offset, xerr=err, fmt="o", markersize=4, color=color, label=label(arm)
            )
        labels = [f"{c.split('.')[2]}: {c.split('.')[3]}" for c in mine]
        ax.set_yticks(y, labels, fontsize="small")
        ax.set_xlabel("tariff at the end, % ad valorem")
        ax.set_title(f"Imposed by {_country(importer)}")
        ax.grid(alpha=0.3, axis="x")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, title=by, loc="outside lower center", ncols=max(1, len(arms)))
    fig.suptitle(
        "Tariffs in force at the end, by exporter: sector (mean per arm, bars: 95% CI of mean)"
    )
    return _save(fig, path)


def plot_sweep(
    curves: pd.DataFrame,
    path: str | Path,
    param: str,
    by: str = "arm",
    *,
    band: str = "ci",
) -> Path:
    """Sweep curves: one panel per metric, the mean per arm against the parameter.

    Args:
        curves: the output of :func:`sweep_curves`.
        path: the PNG to write.
        param: the parameter's name (for the title and axis).
        by: the column whose values are the arms.
        band: "ci" shades the bootstrap interval of the mean, "quantile" the 5-95% range
            of the runs.

    Returns:
        The path written.
    """
    if band not in ("ci", "quantile"):
        raise AnalysisError(f"unknown band {band!r}; allowed: 'ci', 'quantile'")
    lo_col, hi_col = ("ci_lo", "ci_hi") if band == "ci" else ("q05", "q95")
    band_label = "95% CI of mean" if band == "ci" else "5-95% of runs"
    metrics = list(dict.fromkeys(curves["metric"]))
    arms = list(dict.fromkeys(curves[by]))
    colors = _colors(len(arms))
    ncols = min(3, len(metrics))
    nrows = -(-len(metrics) // ncols)
    fig = _figure(4.5 * ncols, 3.4 * nrows + 0.4)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    name = param.removeprefix("param.")
    for ax, metric in zip(axes, metrics, strict=False):
        for arm, color in zip(arms, colors, strict=True):
            sel = curves[(curves[by] == arm) & (curves["metric"] == metric)].sort_values("x")
            if sel.empty:
                continue
            ax.plot(sel["x"], sel["mean"], marker="o", markersize=3, color=color, label=label(arm))
            ax.fill_between(sel["x"], sel[lo_col], sel[hi_col], color=color, alpha=0.2)
        ax.set_title(f"{metric}: {describe_metric(metric)[0]}", fontsize="medium")
        ax.set_xlabel(f"{name} [parameter value]")
        ax.set_ylabel(UNIT_LABELS[describe_metric(metric)[1]])
        ax.grid(alpha=0.3)
    for ax in axes[len(metrics) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        title=f"{by} (band: {band_label})",
        loc="outside lower center",
        ncols=max(1, len(arms)),
        fontsize="small",
    )
    fig.suptitle(f"Outcomes against {name}: mean per {by}, band {band_label}")
    return _save(fig, path)


# --------------------------------------------------------------------------- report


def _safe_name(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in text)


def _brief(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _definition(manifest: dict[str, Any]) -> dict[str, Any]:
    """The experiment definition: ``manifest["definition"]``, else the manifest itself."""
    definition = manifest.get("definition")
    return definition if isinstance(definition, dict) else manifest


def _experiment_brief(manifest: dict[str, Any]) -> list[str]:
    """Markdown bullets describing the experiment from its manifest."""
    d = _definition(manifest)
    lines = []
    if d.get("description"):
        lines.append(f"- **question**: {d['description']}")
    scenario = d.get("scenario", manifest.get("scenario"))
    if isinstance(scenario, dict):
        scenario = scenario.get("name", "")
    if scenario:
        lines.append(f"- **scenario**: `{scenario}`")
    arms = d.get("arms", manifest.get("arms"))
    if isinstance(arms, dict):
        shown = "; ".join(
            f"`{name}` ({', '.join(f'{k} = {v}' for k, v in spec.items()) or 'defaults'})"
            if isinstance(spec, dict)
            else f"`{name}`"
            for name, spec in arms.items()
        )
        lines.append(f"- **arms**: {shown}")
    elif arms:
        lines.append(f"- **arms**: {', '.join(f'`{a}`' for a in _manifest_arms(manifest))}")
    design = d.get("design")
    if isinstance(design, dict) and isinstance(design.get("parameters"), dict):
        kind = design.get("kind", "grid")
        size = f", {design['samples']} samples" if design.get("samples") else ""
        params = "; ".join(f"`{k}` {_values(v)}" for k, v in design["parameters"].items())
        lines.append(f"- **design**: {kind}{size} over {params}")
    elif design:
        lines.append(f"- **design**: `{_brief(design)}`")
    perturbations = d.get("perturbations")
    if isinstance(perturbations, dict) and perturbations:
        shown = "; ".join(f"`{k}` ~ {_distribution(v)}" for k, v in perturbations.items())
        lines.append(f"- **perturbations per run**: {shown}")
    if d.get("replications"):
        lines.append(f"- **replications** per design point and arm: {d['replications']}")
    seeds = manifest.get("seeds")
    root = d.get("root_seed", seeds.get("root_seed") if isinstance(seeds, dict) else None)
    if root is not None:
        lines.append(f"- **root seed**: {root}")
    versions = manifest.get("versions")
    if isinstance(versions, dict) and versions:
        lines.append(
            "- **versions**: "
            + ", ".join(f"{k} {v}" for k, v in versions.items() if k != "platform")
        )
    return lines


def _values(spec: Any) -> str:
    """A design parameter's values: a list, or ``low..high`` with the number of points."""
    if isinstance(spec, dict) and "low" in spec and "high" in spec:
        points = f", {spec['num']} points" if spec.get("num") else ""
        return f"{_num(spec['low'])}..{_num(spec['high'])}{points}"
    return _brief(spec, 80)


def _distribution(spec: Any) -> str:
    if isinstance(spec, dict) and "dist" in spec:
        args = ", ".join(f"{k}={v}" for k, v in spec.items() if k != "dist")
        return f"{spec['dist']}({args})"
    return _brief(spec, 80)


def _manifest_arms(manifest: dict[str, Any]) -> list[str]:
    arms = manifest.get("arms")
    if arms is None:
        arms = _definition(manifest).get("arms")
    if isinstance(arms, dict):
        return [str(k) for k in arms]
    if isinstance(arms, list):
        return [str(a.get("name", a)) if isinstance(a, dict) else str(a) for a in arms]
    return []


def _markdown_table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(str(v).replace("|", "/") for v in row) + " |" for row in frame.values]
    return "\n".join([header, rule, *body])


def _interval(value: float, lo: float, hi: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    return f"{_num(value)} [{_num(lo)}, {_num(hi)}]"


def _p(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _display_table(table: pd.DataFrame, several: bool) -> pd.DataFrame:
    rows = []
    for _, r in table.iterrows():
        row = {"metric": f"`{r['metric']}`"}
        if several:
            row["arm"] = label(r["arm"])
        row |= {
            "n": f"{r['n_baseline']} / {r['n_arm']}",
            "mean (baseline)": _num(r["mean_baseline"]),
            "mean (arm)": _num(r["mean_arm"]),
            "Δ mean [95% CI]": _interval(r["diff_mean"], r["diff_mean_lo"], r["diff_mean_hi"]),
            "Δ median [95% CI]": _interval(
                r["diff_median"], r["diff_median_lo"], r["diff_median_hi"]
            ),
            "KS q": _p(r["ks_q"]),
            "MW q": _p(r["mw_q"]),
            "Cliff's δ": "n/a"
            if not np.isfinite(r["cliffs_delta"])
            else f"{r['cliffs_delta']:.2f}",
            "effect": r["effect"] or "n/a",
        }
        rows.append(row)
    return pd.DataFrame(rows)


def _shown_path(folder: Path) -> str:
    """A folder as the user would type it: relative to the working directory if inside it."""
    try:
        return str(Path(folder).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return Path(folder).name


def report(
    path_or_df: str | Path | pd.DataFrame,
    out: str | Path | None = None,
    by: str = "arm",
    metrics: Iterable[str] | str | None = None,
    *,
    baseline: Any = None,
    n_resamples: int = 9999,
    seed: int = DEFAULT_SEED,
    manifest: dict[str, Any] | None = None,
    max_sweeps: int = 4,
) -> pd.DataFrame:
    """Write ``report.md``, ``comparison.csv``, ``summary.csv`` and ``figures/*.png``.

    Args:
        path_or_df: a results folder (``results/<experiment>``) or a DataFrame of runs.
        out: the folder to write to; default the results folder (required for a DataFrame).
        by: the column whose values are the arms.
        metrics: metric names or patterns; None means :func:`default_metrics`.
        baseline: the reference arm; default the manifest's first arm, else the first in
            sorted order.
        n_resamples: bootstrap resamples of the comparison table.
        seed: bootstrap seed.
        manifest: the experiment definition, when ``path_or_df`` is a DataFrame.
        max_sweeps: at most this many swept parameters get a figure.

    Returns:
        The comparison table (as :func:`compare` returns it, and as in ``comparison.csv``).

    Raises:
        AnalysisError: no results, unknown metric, ``by`` column or baseline, one arm only.
    """
    if isinstance(path_or_df, pd.DataFrame):
        if out is None:
            raise AnalysisError("report of a DataFrame needs out= (the folder to write to)")
        runs, manifest = path_or_df, manifest or {}
        source = "a DataFrame"
    else:
        folder = results_folder(path_or_df)
        runs, manifest = load(folder)
        source = _shown_path(folder)
        out = folder if out is None else out
        if Path(out).is_file():
            out = Path(out).parent
    out = Path(out)
    total = len(runs)
    df = _prepare(runs)
    if len(df) == 0:
        raise AnalysisError(f"{source}: no successful runs (all {total} have status 'error')")
    if baseline is None and by == "arm":
        present = {str(a) for a in df[by].dropna().unique()} if by in df else set()
        baseline = next((a for a in _manifest_arms(manifest) if a in present), None)
    table = compare(df, by, metrics, baseline, n_resamples=n_resamples, seed=seed)
    summary = summarize(df, by, list(dict.fromkeys(table["metric"])))
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "comparison.csv", index=False)
    summary.to_csv(out / "summary.csv", index=False)

    payoff_png = plot_payoffs(df, figures / "payoffs.png", by, seed=seed)
    metric_list = list(dict.fromkeys(table["metric"]))
    varying = [
        m
        for m in metric_list
        if not table.loc[table.metric == m, "note"].str.startswith("no ").all()
    ]
    tariff_png = plot_tariffs(df, figures / "tariffs.png", by, seed=seed)
    if metrics is None:  # default metrics: tariffs are in tariffs.png, not one figure each
        varying_figures = [m for m in varying if not m.startswith("tariff.")]
    else:
        varying_figures = varying
    dist_pngs = {
        m: plot_distribution(df, m, figures / f"dist_{_safe_name(m)}.png", by)
        for m in varying_figures
    }
    sweep_pngs = {}
    sweep_metrics = [m for m in varying if m.startswith("utility.")]
    sweep_metrics += [m for m in ("agreement", "escalation") if m in varying]
    sweep_params, sweep_kind = swept_parameters(df, manifest), "swept"
    if not sweep_params:
        sweep_params, sweep_kind = perturbed_parameters(df, manifest), "perturbed"
    for param in sweep_params[:max_sweeps]:
        if not sweep_metrics:
            break
        curves = sweep_curves(df, param, sweep_metrics, by, seed=seed)
        name = _safe_name(param.removeprefix("param."))
        curves.to_csv(out / f"sweep_{name}.csv", index=False)
        sweep_pngs[param] = plot_sweep(curves, figures / f"sweep_{name}.png", param, by)

    name = (
        _definition(manifest).get("name")
        or manifest.get("experiment")
        or (str(df["experiment"].iloc[0]) if "experiment" in df else out.name)
    )
    arms = _arms(df, by)
    base = table["baseline"].iloc[0]
    lines = [f"# {name}: comparison by `{by}`", ""]
    lines += [
        f"Generated by `negsim compare` from `{source}`. Differences are *arm − baseline*; "
        f"the baseline is `{label(base)}`.",
        "",
        "## The experiment",
        "",
    ]
    lines += _experiment_brief(manifest)
    counts = df.groupby(by, sort=False).size().reindex(arms)
    lines.append(
        f"- **runs analysed**: {len(df)} "
        f"({', '.join(f'{label(a)}: {n}' for a, n in counts.items())}); "
        f"runs with status `error` left out: {total - len(df)}"
    )
    paired_rows = table["paired"].astype(bool)
    if paired_rows.all():
        lines.append(
            "- **pairing**: arms share seeds; intervals resample pairs matched on "
            "`design_point` + `replication`"
        )
    elif not paired_rows.any():
        lines.append(
            "- **pairing**: none (arms do not share seeds); samples resampled independently"
        )
    lines.append("")

    lines += ["## Largest effects", ""]
    sentences = effect_sentences(table, by)
    if sentences:
        lines += [f"- {s}" for s in sentences]
    else:
        lines.append(
            "- No metric differs between arms by more than a negligible effect (|δ| < 0.147)."
        )
    lines.append("")
    lines += ["## Agreement and escalation", ""]
    shares = summary.drop_duplicates(by)[[by, "share_agreement", "share_escalation"]]
    shares = pd.DataFrame(
        {
            by: [label(a) for a in shares[by]],
            "runs": [int(counts.get(a, 0)) for a in shares[by]],
            "share with agreement": [_num(v) for v in shares["share_agreement"]],
            "share with escalation": [_num(v) for v in shares["share_escalation"]],
        }
    )
    lines += [_markdown_table(shares), ""]
    if payoff_png is not None:
        lines += [
            "## Who gains what",
            "",
            f"![Payoffs per country and arm](figures/{payoff_png.name})",
            "",
            *[f"- {line}" for line in payoff_sentences(table, by)],
            "",
        ]
    if tariff_png is not None:
        lines += ["## Tariffs at the end", "", f"![Tariffs per arm](figures/{tariff_png.name})", ""]
    lines += ["## Comparison table", ""]
    several = len(arms) > 2
    lines += [_markdown_table(_display_table(table, several)), ""]
    lines += [
        "n: runs (or pairs) in baseline / arm. q: Benjamini-Hochberg adjusted p-values "
        "across all rows. The full table with more digits is `comparison.csv`; per-arm "
        "quantiles are in `summary.csv`.",
        "",
    ]
    notes = table[table["note"] != ""]
    if len(notes):
        lines += ["## Notes", ""]
        for _, r in notes.iterrows():
            lines.append(
                f"- **Note** `{r['metric']}` ({label(r['arm'])} vs "
                f"{label(r['baseline'])}): {r['note']}."
            )
        lines.append("")
    if sweep_pngs:
        if sweep_kind == "swept":
            lines += ["## Parameter sweeps", ""]
            lines += [
                "Mean per arm at each design value, averaged over the other design "
                "parameters and the perturbations; band: 95% bootstrap interval of the mean. "
                "Numbers: `sweep_<parameter>.csv`.",
                "",
            ]
        else:
            lines += ["## Outcomes against perturbed parameters", ""]
            lines += [
                "The experiment sweeps no parameter; these are outcomes against parameters "
                "drawn per run, cut into 10 quantile bins (each at its mean), averaged over "
                "the other draws; band: 95% bootstrap interval of the mean. Numbers: "
                "`sweep_<parameter>.csv`.",
                "",
            ]
        for param, png in sweep_pngs.items():
            lines += [f"![{param}](figures/{png.name})", ""]
    lines += ["## Distributions", ""]
    linked = {m: png for m, png in dist_pngs.items() if m.startswith("tariff.")}
    for metric, png in dist_pngs.items():
        if metric not in linked:
            lines += [f"### `{metric}`", "", f"![{metric}](figures/{png.name})", ""]
    if linked:
        lines += ["### Tariffs", "", "ECDF and violins of each tariff that varies:", ""]
        lines += [f"- [`{m}`](figures/{png.name})" for m, png in linked.items()]
        lines.append("")
    lines += [
        "## Methods",
        "",
        f"Only runs with status `ok` count. Intervals are {int(100 * 0.95)}% bootstrap "
        f"intervals (scipy.stats.bootstrap, BCa up to {BCA_MAX_N} runs per arm, percentile "
        f"above; {n_resamples} resamples, seed {seed}) of "
        "the difference of means and of medians (of each arm's median, not the median of "
        "paired differences); when arms share seeds the bootstrap resamples matched pairs. "
        "Kolmogorov-Smirnov (scipy.stats.ks_2samp) and Mann-Whitney "
        "(scipy.stats.mannwhitneyu) tests treat the two samples as independent; their "
        "p-values are adjusted with Benjamini-Hochberg (scipy.stats.false_discovery_control). "
        "Cliff's delta is 2U/(n1·n2) − 1 from the Mann-Whitney U; labels after Romano et al. "
        "(2006): |δ| < 0.147 negligible, < 0.33 small, < 0.474 medium, otherwise large.",
        "",
    ]
    (out / "report.md").write_text("\n".join(lines))
    return table
