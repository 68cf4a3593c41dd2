"""The report of a results folder: ``report.md``, ``comparison.csv``, summaries and figures."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from negsim.analysis.curves import perturbed_parameters, sweep_curves, swept_parameters
from negsim.analysis.errors import AnalysisError
from negsim.analysis.figures import plot_distribution, plot_payoffs, plot_sweep, plot_tariffs
from negsim.analysis.loading import experiment_definition, load, prepare, results_folder
from negsim.analysis.markdown import ReportParts, document, manifest_arms
from negsim.analysis.names import country_names
from negsim.analysis.statistics import DEFAULT_SEED, compare, summarize


def report(
    path_or_df: str | Path | pd.DataFrame,
    out: str | Path | None = None,
    by: str = "arm",
    metrics: Iterable[str] | str | None = None,
    *,
    baseline: Any = None,
    n_resamples: int = 9999,
    bootstrap_seed: int = DEFAULT_SEED,
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
        bootstrap_seed: seed of the bootstrap (not of any simulation).
        manifest: the experiment definition, when ``path_or_df`` is a DataFrame.
        max_sweeps: at most this many swept parameters get a figure.

    Returns:
        The comparison table (as :func:`compare` returns it, and as in ``comparison.csv``),
        with the scenario's country names in ``table.attrs["names"]``.

    Raises:
        AnalysisError: no results, unknown metric, ``by`` column or baseline, one arm only.
    """
    runs, manifest, source, folder = _inputs(path_or_df, out, manifest)
    df = prepare(runs)
    if len(df) == 0:
        raise AnalysisError(f"{source}: no successful runs (all {len(runs)} have status 'error')")
    if baseline is None and by == "arm":
        present = {str(a) for a in df[by].dropna().unique()} if by in df else set()
        baseline = next((a for a in manifest_arms(manifest) if a in present), None)
    table = compare(
        df, by, metrics, baseline, n_resamples=n_resamples, bootstrap_seed=bootstrap_seed
    )
    summary = summarize(df, by, list(dict.fromkeys(table["metric"])))
    folder.mkdir(parents=True, exist_ok=True)
    table.to_csv(folder / "comparison.csv", index=False)
    summary.to_csv(folder / "summary.csv", index=False)
    parts = ReportParts(
        name=_experiment_name(manifest, df, folder),
        source=source,
        by=by,
        manifest=manifest,
        df=df,
        total=len(runs),
        table=table,
        summary=summary,
        names=country_names(manifest),
        n_resamples=n_resamples,
        bootstrap_seed=bootstrap_seed,
    )
    _figures(parts, folder, metrics is None, max_sweeps)
    (folder / "report.md").write_text(document(parts))
    table.attrs["names"] = dict(parts.names)
    return table


def _inputs(
    path_or_df: str | Path | pd.DataFrame, out: str | Path | None, manifest: dict | None
) -> tuple[pd.DataFrame, dict[str, Any], str, Path]:
    """The runs, the manifest, how to name the source, and the folder to write to."""
    if isinstance(path_or_df, pd.DataFrame):
        if out is None:
            raise AnalysisError("report of a DataFrame needs out= (the folder to write to)")
        return path_or_df, manifest or {}, "a DataFrame", Path(out)
    folder = results_folder(path_or_df)
    runs, manifest = load(folder)
    target = Path(folder if out is None else out)
    if target.is_file():
        target = target.parent
    return runs, manifest, _shown_path(folder), target


def _experiment_name(manifest: dict[str, Any], df: pd.DataFrame, folder: Path) -> str:
    return str(
        experiment_definition(manifest).get("name")
        or manifest.get("experiment")
        or (str(df["experiment"].iloc[0]) if "experiment" in df else folder.name)
    )


def _figures(parts: ReportParts, folder: Path, default_metrics: bool, max_sweeps: int) -> None:
    """Draw the report's figures into ``folder/figures`` and note them in ``parts``."""
    df, by, table, seed = parts.df, parts.by, parts.table, parts.bootstrap_seed
    figures = folder / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    parts.payoff_png = plot_payoffs(
        df, figures / "payoffs.png", by, bootstrap_seed=seed, names=parts.names
    )
    parts.tariff_png = plot_tariffs(
        df, figures / "tariffs.png", by, bootstrap_seed=seed, names=parts.names
    )
    metric_list = list(dict.fromkeys(table["metric"]))
    varying = [
        m
        for m in metric_list
        if not table.loc[table.metric == m, "note"].str.startswith("no ").all()
    ]
    # default metrics: tariffs are in tariffs.png, not one figure each
    shown = [m for m in varying if not m.startswith("tariff.")] if default_metrics else varying
    parts.dist_pngs = {
        m: plot_distribution(df, m, figures / f"dist_{_safe_name(m)}.png", by, names=parts.names)
        for m in shown
    }
    sweep_metrics = [m for m in varying if m.startswith("utility.")]
    sweep_metrics += [m for m in ("agreement", "escalation") if m in varying]
    params, parts.sweep_kind = swept_parameters(df, parts.manifest), "swept"
    if not params:
        params, parts.sweep_kind = perturbed_parameters(df, parts.manifest), "perturbed"
    sweep_csvs = []
    for param in params[:max_sweeps] if sweep_metrics else []:
        curves = sweep_curves(df, param, sweep_metrics, by, bootstrap_seed=seed)
        name = _safe_name(param.removeprefix("param."))
        sweep_csvs.append(folder / f"sweep_{name}.csv")
        curves.to_csv(sweep_csvs[-1], index=False)
        parts.sweep_pngs[param] = plot_sweep(curves, figures / f"sweep_{name}.png", param, by)
    written = [*parts.dist_pngs.values(), *parts.sweep_pngs.values(), *sweep_csvs]
    _remove_stale(folder, {Path(p).resolve() for p in written if p is not None})


def _remove_stale(folder: Path, written: set[Path]) -> None:
    """Delete the per-metric and per-parameter files an earlier report left behind.

    Only the report's own patterns are touched (``figures/dist_*.png``,
    ``figures/sweep_*.png``, ``sweep_*.csv``): a metric or parameter no longer in the
    definition must not leave a figure that the new ``report.md`` does not describe.
    """
    patterns = ("figures/dist_*.png", "figures/sweep_*.png", "sweep_*.csv")
    for path in (p for pattern in patterns for p in folder.glob(pattern)):
        if path.resolve() not in written:
            path.unlink()


def _safe_name(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in text)


def _shown_path(folder: Path) -> str:
    """A folder as the user would type it: relative to the working directory if inside it."""
    try:
        return str(Path(folder).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return Path(folder).name
