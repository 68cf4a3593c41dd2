"""The results explorer's data side: folders, metrics, parameter filters and figures.

Reads a results folder with :func:`negsim.load_results`, filters its runs on
``param.*`` ranges, and draws a metric's distribution by arm (ECDF and violin) and
its sweep curve against a parameter (the mean with its bootstrap band, from
:func:`negsim.analysis.sweep_curves`). The page itself is
:mod:`negsim.dashboard.explorer_page`; this module needs no Solara.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

PARAM_PREFIX = "param."
ID_COLUMNS = ("experiment", "arm", "design_point", "replication", "seed", "status", "error")
BY = "arm"
FIGSIZE = (9.0, 3.4)


def results_folders(root: str | Path) -> list[Path]:
    """Results folders at or below ``root`` (two levels), those with a manifest or parts."""
    root = Path(root)
    if not root.is_dir():
        return []
    candidates = [root, *sorted(p for p in root.iterdir() if p.is_dir())]
    candidates += [q for p in candidates[1:] for q in sorted(p.iterdir()) if q.is_dir()]
    return [p for p in candidates if is_results_folder(p)]


def is_results_folder(path: Path) -> bool:
    """True when ``path`` holds a sweep's manifest or chunk files."""
    return (path / "manifest.json").is_file() or any(path.glob("part-*.parquet"))


def ok_runs(df: pd.DataFrame) -> pd.DataFrame:
    """The runs that finished (``status == "ok"``, when there is a status)."""
    if "status" in df.columns:
        df = df[df["status"] == "ok"]
    return df


def metrics(df: pd.DataFrame) -> list[str]:
    """Numeric outcome columns: not identifiers, not parameters, not constant."""
    out = []
    for column in df.columns:
        name = str(column)
        if name in ID_COLUMNS or name.startswith(PARAM_PREFIX):
            continue
        series = df[column]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            if series.astype(float).nunique(dropna=True) > 1:
                out.append(name)
    return out


def default_metric(names: list[str]) -> str | None:
    """The first utility metric, else the first metric."""
    return next((m for m in names if m.startswith("utility")), names[0] if names else None)


def parameter_ranges(df: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Each varying numeric ``param.*`` column and its range."""
    out = {}
    for column in df.columns:
        name = str(column)
        if not name.startswith(PARAM_PREFIX) or not pd.api.types.is_numeric_dtype(df[column]):
            continue
        values = df[column].astype(float).dropna()
        if values.nunique() > 1:
            out[name] = (float(values.min()), float(values.max()))
    return out


def apply_filters(df: pd.DataFrame, ranges: Mapping[str, tuple[float, float]]) -> pd.DataFrame:
    """The runs whose ``param.*`` values lie within ``ranges`` (both ends included)."""
    keep = np.ones(len(df), dtype=bool)
    for column, (low, high) in ranges.items():
        values = df[column].astype(float).to_numpy()
        keep &= (values >= low) & (values <= high)
    return df[keep]


def snapped(chosen: tuple[float, float], low: float, high: float) -> tuple[float, float]:
    """A slider's range with ends within one slider step (a 50th) of the data's ends set to them.

    The browser rounds a range slider's values to its step, which would otherwise
    drop the runs at the very ends of an untouched filter.
    """
    tolerance = (high - low) / 50
    a, b = chosen
    return (low if a - low <= tolerance / 2 else a, high if high - b <= tolerance / 2 else b)


def arms(df: pd.DataFrame, by: str = BY) -> list[Any]:
    """The arms in order of first appearance (the manifest's order after loading)."""
    return list(dict.fromkeys(df[by].tolist())) if by in df.columns else []


def ecdf(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The empirical CDF: sorted values and the share of values at or below each."""
    x = np.sort(values[np.isfinite(values)])
    return x, np.arange(1, len(x) + 1) / max(1, len(x))


def distribution_figure(df: pd.DataFrame, metric: str, by: str = BY) -> Figure:
    """ECDF (left) and violin (right) of ``metric`` by arm."""
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    left, right = fig.subplots(1, 2)
    samples = []
    names = arms(df, by)
    for arm in names:
        values = df.loc[df[by] == arm, metric].astype(float).to_numpy()
        x, y = ecdf(values)
        left.step(x, y, where="post", label=f"{arm} (n={len(x)})")
        samples.append(x)
    left.set_xlabel(metric)
    left.set_ylabel("share of runs at or below")
    left.set_title(f"ECDF of {metric}", fontsize=10)
    left.grid(alpha=0.3)
    left.legend(fontsize=8)
    shown = [(name, s) for name, s in zip(names, samples, strict=True) if len(s)]
    if shown:
        right.violinplot([s for _, s in shown], showmedians=True)
        right.set_xticks(range(1, len(shown) + 1), [str(name) for name, _ in shown])
    right.set_ylabel(metric)
    right.set_title(f"{metric} by {by}", fontsize=10)
    right.grid(alpha=0.3)
    return fig


def sweep_figure(curves: pd.DataFrame, param: str, metric: str, by: str = BY) -> Figure:
    """The sweep curve: mean of ``metric`` against ``param`` per arm, 95% band shaded.

    Args:
        curves: the table of :func:`negsim.analysis.sweep_curves` (columns ``by``,
            ``x``, ``mean``, ``ci_lo``, ``ci_hi``).
        param: the parameter on the x axis.
        metric: the metric on the y axis.
        by: the arm column.
    """
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    ax = fig.subplots()
    for arm in arms(curves, by):
        sub = curves[curves[by] == arm].sort_values("x")
        ax.plot(sub["x"], sub["mean"], marker="o", label=str(arm))
        ax.fill_between(sub["x"], sub["ci_lo"], sub["ci_hi"], alpha=0.2)
    ax.set_xlabel(param)
    ax.set_ylabel(f"mean {metric}")
    ax.set_title(f"{metric} against {param} (band: 95% interval of the mean)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


COMPARE_COLUMNS = (
    "metric",
    "baseline",
    "arm",
    "n_arm",
    "mean_baseline",
    "mean_arm",
    "diff_mean",
    "diff_mean_lo",
    "diff_mean_hi",
    "mw_q",
    "cliffs_delta",
    "effect",
)


def comparison_table(table: pd.DataFrame) -> pd.DataFrame:
    """The columns of :func:`negsim.analysis.compare` the page shows, rounded."""
    shown = table[[c for c in COMPARE_COLUMNS if c in table.columns]].copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: f"{v:.4g}")
    return shown
