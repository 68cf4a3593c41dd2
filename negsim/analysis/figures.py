"""Figures (PNG, matplotlib): distributions, payoffs by component, tariffs, sweep curves."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from negsim.analysis.errors import AnalysisError
from negsim.analysis.loading import prepare
from negsim.analysis.metrics import arm_values, countries_in
from negsim.analysis.statistics import DEFAULT_SEED, bootstrap_ci, bootstrap_rng, mean_of
from negsim.analysis.words import UNIT_LABELS, axis_label, country_name, describe_metric, label

COMPONENTS = (
    ("utility", "Total payoff"),
    ("econ", "Economic"),
    ("security", "Security"),
    ("politics", "Political"),
)


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _colors(n: int) -> list[Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return [cmap(i % 10) for i in range(n)]


def plot_distribution(
    df: pd.DataFrame,
    metric: str,
    path: str | Path,
    by: str = "arm",
    names: Mapping[str, str] | None = None,
) -> Path:
    """ECDF overlay and violins of one metric, one colour per arm, as a PNG.

    Args:
        df: the runs (only ``status == "ok"`` count).
        metric: the metric column.
        path: the PNG to write.
        by: the column whose values are the arms.

        names: display name by country code (the scenario's).

    Returns:
        The path written.
    """
    df = prepare(df)
    arms = arm_values(df, by)
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
    noun = describe_metric(metric, names)[0]
    fig.suptitle(f"{noun[0].upper()}{noun[1:]} ({metric}) by {by}")
    return _save(fig, path)


def payoff_table(
    df: pd.DataFrame,
    by: str = "arm",
    *,
    level: float = 0.95,
    n_resamples: int = 1999,
    bootstrap_seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Mean payoff and its components per country and arm, with bootstrap intervals.

    Returns:
        Rows ``by``, ``country``, ``component`` (utility, econ, security, politics),
        ``mean``, ``ci_lo``, ``ci_hi``, ``n``; in % of the country's GDP.
    """
    df = prepare(df)
    arms = arm_values(df, by)
    rows = []
    for arm in arms:
        sub = df[df[by] == arm]
        for country in countries_in(df):
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
                        mean_of,
                        level=level,
                        n_resamples=n_resamples,
                        method="percentile",
                        rng=bootstrap_rng(bootstrap_seed, arm, column, "payoff"),
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
    bootstrap_seed: int = DEFAULT_SEED,
    names: Mapping[str, str] | None = None,
) -> Path | None:
    """Who gains what: grouped bars of mean payoff and components per country and arm.

    One panel per country; bars are the total payoff and its economic, security and
    political components, one colour per arm, with 95% bootstrap intervals of the mean.

    Returns:
        The path written, or None when the runs hold no ``utility.*`` columns.
    """
    table = payoff_table(df, by, n_resamples=n_resamples, bootstrap_seed=bootstrap_seed)
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
        ax.set_title(country_name(country, names))
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
    bootstrap_seed: int = DEFAULT_SEED,
    names: Mapping[str, str] | None = None,
) -> Path | None:
    """Tariffs in force at the end: mean per arm with 95% intervals, one panel per importer.

    Each row of a panel is an (exporter, sector) pair; each arm is a marker with the
    bootstrap interval of its mean, in percent ad valorem.

    Returns:
        The path written, or None when the runs hold no ``tariff.*`` columns.
    """
    df = prepare(df)
    columns = [c for c in df.columns if c.startswith("tariff.") and len(c.split(".")) == 4]
    if not columns:
        return None
    arms = arm_values(df, by)
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
                    mean_of,
                    n_resamples=n_resamples,
                    method="percentile",
                    rng=bootstrap_rng(bootstrap_seed, arm, column, "tariffs"),
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
        ax.set_title(f"Imposed by {country_name(importer, names)}")
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
