"""The results explorer page: distributions by arm, sweep curves, the comparison table.

Pick a results folder (those under ``negsim dashboard --results DIR``, default
``results/``, or any path typed in), a metric, and ranges of the ``param.*`` columns;
the page draws the metric's ECDF and violin by arm, its sweep curve against a chosen
parameter with a 95% band, and the comparison table of ``negsim compare``
(:func:`negsim.analysis.compare`) for that metric on the filtered runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, cast

import solara

import negsim
from negsim import analysis
from negsim.dashboard import RESULTS_ENV
from negsim.dashboard.explorer import (
    BY,
    apply_filters,
    comparison_table,
    default_metric,
    distribution_figure,
    metrics,
    ok_runs,
    parameter_ranges,
    results_folders,
    snapped,
    sweep_figure,
)

DEFAULT_ROOT = "results"
COMPARE_RESAMPLES = 1999  # bootstrap resamples of the page's table (negsim compare: 9999)


def results_root() -> Path:
    """The folder whose results folders are offered: ``$NEGSIM_DASHBOARD_RESULTS`` or results/."""
    return Path(os.environ.get(RESULTS_ENV) or DEFAULT_ROOT)


def _load(folder: str) -> tuple[Any, str | None]:
    """The folder's finished runs, or None and the one-line reason it cannot be read."""
    if not folder:
        return None, "no results folder chosen"
    try:
        return ok_runs(negsim.load_results(folder)), None
    except (ValueError, OSError) as exc:
        return None, str(exc)


def sweep_order(df: Any, ranges: dict[str, tuple[float, float]]) -> list[str]:
    """The parameters offered for the sweep curve: the design's swept ones first."""
    if df is None:
        return []
    swept = [p for p in analysis.swept_parameters(df, df.attrs.get("manifest")) if p in ranges]
    return [*swept, *(p for p in ranges if p not in swept)]


@solara.component
def ParameterFilters(ranges: dict[str, tuple[float, float]], chosen: solara.Reactive) -> None:
    """One range slider per varying ``param.*`` column."""
    for column, (low, high) in ranges.items():
        value = chosen.value.get(column, (low, high))

        def on_value(v: Any, column: str = column, low: float = low, high: float = high) -> None:
            chosen.set({**chosen.value, column: snapped((float(v[0]), float(v[1])), low, high)})

        solara.SliderRangeFloat(
            column.removeprefix("param."),
            value=(float(value[0]), float(value[1])),
            min=low,
            max=high,
            step=(high - low) / 50,
            on_value=on_value,
        )


@solara.component
def ExplorerPage() -> None:
    """The page: folder, metric and filters in the sidebar; figures and table in the main view."""
    folders = [str(p) for p in results_folders(results_root())]
    folder = solara.use_reactive(folders[0] if folders else "")
    typed = solara.use_reactive("")
    chosen_metric = solara.use_reactive("")
    sweep_param = solara.use_reactive("")
    filters = solara.use_reactive(cast(dict[str, tuple[float, float]], {}))
    source = typed.value or folder.value
    df, error = solara.use_memo(lambda: _load(source), [source])

    def reset_choices() -> None:
        filters.set({})
        chosen_metric.set("")
        sweep_param.set("")

    solara.use_effect(reset_choices, [source])
    names = metrics(df) if df is not None else []
    metric = chosen_metric.value if chosen_metric.value in names else default_metric(names)
    ranges = parameter_ranges(df) if df is not None else {}
    order = sweep_order(df, ranges)
    param = sweep_param.value if sweep_param.value in ranges else next(iter(order), None)

    solara.Title("negsim: results explorer")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Results folder"):
            if folders:
                solara.Select("folder", value=folder, values=folders)
            solara.InputText("or a path", value=typed, continuous_update=False)
        if names:
            with solara.Card("Metric"):
                solara.Select(
                    "metric", value=metric or "", values=names, on_value=chosen_metric.set
                )
        if ranges:
            with solara.Card("Filter runs on parameters"):
                ParameterFilters(ranges, filters)
    if error:
        solara.Error(error)
        return
    if df is None or metric is None:
        solara.Warning("this folder holds no numeric results")
        return
    runs = apply_filters(df, {k: v for k, v in filters.value.items() if k in ranges})
    solara.Markdown(f"**{len(runs)} of {len(df)} runs** in `{source}`, metric `{metric}`")
    if runs.empty:
        solara.Warning("no run lies in the chosen parameter ranges")
        return
    solara.FigureMatplotlib(distribution_figure(runs, metric), format="png")
    if param is not None:
        solara.Select("sweep parameter", value=param, values=order, on_value=sweep_param.set)
        curves = analysis.sweep_curves(runs, param, metrics=[metric], by=BY)
        solara.FigureMatplotlib(sweep_figure(curves, param, metric), format="png")
    ComparisonTable(runs, metric)


@solara.component
def ComparisonTable(runs: Any, metric: str) -> None:
    """``negsim compare`` for one metric on the filtered runs (each arm against the first)."""
    if runs[BY].nunique() < 2:
        solara.Info("one arm only: nothing to compare")
        return
    try:
        table = analysis.compare(runs, by=BY, metrics=[metric], n_resamples=COMPARE_RESAMPLES)
    except ValueError as exc:
        solara.Error(str(exc))
        return
    solara.Markdown("**Comparison** (`negsim compare`, differences arm − baseline, 95% intervals)")
    solara.DataFrame(comparison_table(table), items_per_page=10)
