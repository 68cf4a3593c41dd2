"""Sweep curves: a metric against a swept parameter, per arm, with interval bands."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from negsim.analysis.errors import AnalysisError
from negsim.analysis.loading import experiment_definition, prepare
from negsim.analysis.metrics import arm_values, compact, resolve_metrics, varies
from negsim.analysis.statistics import DEFAULT_SEED, bootstrap_ci, bootstrap_rng, mean_of
from negsim.scenarios import did_you_mean


def swept_parameters(df: pd.DataFrame, manifest: dict[str, Any] | None = None) -> list[str]:
    """The ``param.*`` columns a design swept.

    Parameters named anywhere in the experiment's ``design`` (in the manifest, or its
    ``definition``) are the swept ones; without a manifest (or when it names none) every
    ``param.*`` column with 2 to 25 distinct values counts as swept (a grid), since
    per-run perturbations draw continuous values.
    """
    params = [c for c in df.columns if c.startswith("param.") and varies(df[c])]
    definition = experiment_definition(manifest or {})
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
    params = [c for c in df.columns if c.startswith("param.") and varies(df[c])]
    perturbations = experiment_definition(manifest or {}).get("perturbations")
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
        f"available: {compact(params) or 'none (no param.* columns)'}"
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
    bootstrap_seed: int = DEFAULT_SEED,
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
        bootstrap_seed: seed of the bootstrap (never a simulation's).

    Returns:
        One row per (arm, metric, parameter value): ``by``, ``metric``, ``x`` (the value or
        bin mean), ``n``, ``mean``, ``ci_lo`` and ``ci_hi`` (bootstrap interval of the mean),
        ``median``, ``q05`` and ``q95`` (5% and 95% of the runs).
    """
    df = prepare(df)
    column = _param_column(df, param)
    arms = arm_values(df, by)
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
                        mean_of,
                        level=level,
                        n_resamples=n_resamples,
                        method="percentile",
                        rng=bootstrap_rng(bootstrap_seed, arm, metric, column, x_value),
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
