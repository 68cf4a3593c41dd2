"""Global sensitivity analysis of a sweep: Sobol' indices and Morris screening (SALib).

The design (``design.kind = "sobol"`` or ``"morris"``) names the parameters and their
ranges; each design point runs ``replications`` times under every arm. The indices
are computed per arm and metric on the **mean over the replications at each design
point**: Sobol' indices decompose the variance of a deterministic function of the
parameters, and a stochastic model's output is that function (the mean, E[Y | x])
plus replication noise. Fed single runs, the noise is counted as variance no
parameter explains, which biases first-order indices down and inflates the
total-order ones (Marrel et al. 2012, "Global sensitivity analysis of stochastic
computer models with joint metamodels"). The replication noise left in the means is
reported beside the indices: the variance of a point's mean due to noise
(mean within-point variance / replications) as a share of the variance of the means.

Sobol': S1 and ST (and S2 with ``second_order``) with bootstrap confidence intervals
from ``SALib.analyze.sobol`` (Saltelli 2002; Saltelli et al. 2010). Morris: mu* (the
mean absolute elementary effect, with its bootstrap interval) and sigma from
``SALib.analyze.morris`` (Morris 1991; Campolongo et al. 2007). A sample too small
for its indices shows as negative indices or intervals wider than the index: both
are warned about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from negsim.analysis import DEFAULT_SEED, AnalysisError, prepare, resolve_metrics
from negsim.analysis.sections import write_section
from negsim.record.schema import RecordSchema

if TYPE_CHECKING:
    from negsim.scenarios import Scenario

METHODS = ("sobol", "morris")
#: Metrics analysed unless told otherwise (where the results have them).
DEFAULT_METRICS = ("agreement", "threats_executed", "retaliations", "utility.*")
#: An index below this is negative beyond rounding: the sample is too small.
NEGATIVE = -0.05
#: Indices at least this large must have intervals narrower than themselves.
MATTERS = 0.05
#: Replication noise above this share of the variance of the means is warned about.
NOISY = 0.1


@dataclass
class Sensitivity:
    """Indices per arm, metric and parameter, and the warnings about the sample."""

    method: str
    table: pd.DataFrame
    noise: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def problem(parameters: dict[str, Any]) -> dict[str, Any]:
    """SALib's problem of a design's parameters (``{path: {low, high}}``-like specs)."""
    names = list(parameters)
    bounds = []
    for name in names:
        spec = parameters[name]
        low = spec["low"] if isinstance(spec, dict) else getattr(spec, "low", None)
        high = spec["high"] if isinstance(spec, dict) else getattr(spec, "high", None)
        if low is None or high is None:
            raise AnalysisError(f"design parameter {name}: needs a range {{low, high}}")
        bounds.append([float(low), float(high)])
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def point_means(runs: pd.DataFrame, metric: str, points: int) -> tuple[np.ndarray, float]:
    """Mean of ``metric`` at each design point ``0..points-1``, and the noise share.

    Raises:
        AnalysisError: a design point has no successful run.
    """
    grouped = runs.groupby("design_point")[metric]
    means = grouped.mean().reindex(range(points))
    missing = means.index[means.isna()].tolist()
    if missing:
        raise AnalysisError(
            f"{metric}: design points {missing[:5]} have no successful run "
            f"({len(missing)} of {points}); complete the sweep (it resumes) and run again"
        )
    within = grouped.var(ddof=1)
    counts = grouped.count()
    noise = float((within / counts).mean()) if counts.min() > 1 else float("nan")
    between = float(means.var(ddof=1))
    return means.to_numpy(dtype=float), (noise / between if between > 0 else float("nan"))


def sobol_rows(
    prob: dict[str, Any], y: np.ndarray, second_order: bool, resamples: int, seed: int
) -> pd.DataFrame:
    """S1, ST (and S2) with 95% bootstrap half-widths, one row per parameter."""
    from SALib.analyze import sobol

    result = sobol.analyze(
        prob,
        y,
        calc_second_order=second_order,
        num_resamples=resamples,
        conf_level=0.95,
        seed=seed,
        print_to_console=False,
    )
    frame = pd.DataFrame(
        {
            "parameter": prob["names"],
            "S1": result["S1"],
            "S1_conf": result["S1_conf"],
            "ST": result["ST"],
            "ST_conf": result["ST_conf"],
        }
    )
    if second_order:
        s2 = np.nan_to_num(np.asarray(result["S2"]), nan=0.0)
        frame["S2_sum"] = (s2 + s2.T).sum(axis=1)
    return frame


def morris_rows(
    prob: dict[str, Any], x: np.ndarray, y: np.ndarray, levels: int, resamples: int, seed: int
) -> pd.DataFrame:
    """mu, mu*, its 95% bootstrap half-width and sigma, one row per parameter."""
    from SALib.analyze import morris

    result = morris.analyze(
        prob,
        x,
        y,
        num_resamples=resamples,
        conf_level=0.95,
        num_levels=levels,
        seed=seed,
        print_to_console=False,
    )
    return pd.DataFrame(
        {
            "parameter": prob["names"],
            "mu": result["mu"],
            "mu_star": result["mu_star"],
            "mu_star_conf": result["mu_star_conf"],
            "sigma": result["sigma"],
        }
    )


def design_matrix(runs: pd.DataFrame, names: list[str], points: int) -> np.ndarray:
    """The design points' parameter values, from the runs' ``param.*`` columns."""
    columns = [f"param.{n}" for n in names]
    missing = [c for c in columns if c not in runs]
    if missing:
        raise AnalysisError(f"the results have no {missing[0]} column: not this design's runs")
    first = runs.groupby("design_point")[columns].first().reindex(range(points))
    return first.to_numpy(dtype=float)


def _sample_warnings(method: str, frame: pd.DataFrame, where: str) -> list[str]:
    out = []
    if method == "sobol":
        for index in ("S1", "ST"):
            low = frame[frame[index] < NEGATIVE]
            out += [
                f"{where}: {index} of {r.parameter} is {r[index]:.2f} (negative): the sample "
                "is too small; raise design.samples"
                for _, r in low.iterrows()
            ]
            wide = frame[(frame[index] >= MATTERS) & (frame[f"{index}_conf"] > frame[index])]
            out += [
                f"{where}: {index} of {r.parameter} = {r[index]:.2f} +- "
                f"{r[f'{index}_conf']:.2f}, an interval wider than the index; raise "
                "design.samples"
                for _, r in wide.iterrows()
            ]
    else:
        top = frame["mu_star"].max()
        wide = frame[
            (frame["mu_star"] >= MATTERS * top) & (frame["mu_star_conf"] > frame["mu_star"])
        ]
        out += [
            f"{where}: mu* of {r.parameter} = {r.mu_star:.3g} +- {r.mu_star_conf:.3g}, an "
            "interval wider than the index; raise design.trajectories"
            for _, r in wide.iterrows()
        ]
    return out


def analyse(
    runs: pd.DataFrame,
    design: Any,
    method: str,
    metrics: list[str] | None = None,
    *,
    by: str = "arm",
    n_resamples: int = 1000,
    bootstrap_seed: int = DEFAULT_SEED,
) -> Sensitivity:
    """Sobol' or Morris indices of each metric, per arm, on design-point means.

    Args:
        runs: the sweep's runs (all statuses; only ``ok`` ones count).
        design: the experiment's design (``kind``, ``parameters`` with ranges, and
            ``second_order`` / ``levels``).
        method: ``sobol`` or ``morris``; must match the design's kind.
        metrics: names or patterns; default :data:`DEFAULT_METRICS` where present.
        by: the column whose values are the arms (analysed one by one).
        n_resamples: bootstrap resamples of SALib's intervals.
        bootstrap_seed: seed of those resamples (never the simulation's stream).

    Raises:
        AnalysisError: wrong design kind, unknown metric, incomplete design points.
    """
    check_design(design, method)
    runs = prepare(runs)  # successful runs, with the derived metrics compare reads too
    if runs.empty:
        raise AnalysisError("no successful runs to analyse")
    if metrics is None:
        wanted = [m for m in DEFAULT_METRICS if resolve_ok(runs, m)]
        metrics = resolve_metrics(runs, wanted)
    else:
        metrics = resolve_metrics(runs, metrics)
    prob = problem(dict(design.parameters))
    points = int(runs["design_point"].max()) + 1
    size = design.size() if hasattr(design, "size") else points
    points = max(points, size)
    x = design_matrix(runs, prob["names"], points) if method == "morris" else np.empty(0)
    frames, noise_rows, warnings = [], [], []
    arms = list(dict.fromkeys(runs[by])) if by in runs else [None]
    for arm in arms:
        part = runs if arm is None else runs[runs[by] == arm]
        for metric in metrics:
            where = f"{metric}" + (f" ({arm})" if arm is not None and len(arms) > 1 else "")
            y, noise = point_means(part, metric, points)
            noise_rows.append(
                {
                    "arm": arm,
                    "metric": metric,
                    "noise_share": noise,
                    "variance_of_means": float(np.var(y, ddof=1)),
                }
            )
            if not np.var(y) > 0:
                warnings.append(f"{where}: the same at every design point; no index")
                continue
            if noise > NOISY:
                warnings.append(
                    f"{where}: replication noise is {noise:.0%} of the variance "
                    "of the design-point means; raise replications"
                )
            if method == "sobol":
                frame = sobol_rows(prob, y, bool(design.second_order), n_resamples, bootstrap_seed)
            else:
                frame = morris_rows(
                    prob, x, y, int(getattr(design, "levels", 4)), n_resamples, bootstrap_seed
                )
            warnings += _sample_warnings(method, frame, where)
            frame.insert(0, "metric", metric)
            frame.insert(0, "arm", arm)
            frame["noise_share"] = noise
            frames.append(frame)
    if not frames:
        raise AnalysisError("no metric varies across the design points: nothing to analyse")
    return Sensitivity(
        method, pd.concat(frames, ignore_index=True), pd.DataFrame(noise_rows), warnings
    )


def resolve_ok(runs: pd.DataFrame, pattern: str) -> bool:
    """Whether a metric name or pattern matches a column of the runs."""
    try:
        return bool(resolve_metrics(runs, [pattern]))
    except AnalysisError:
        return False


def check_metrics(scenario: Scenario, metrics: list[str]) -> None:
    """Refuse, before any run, metrics that no run of ``scenario`` can record.

    The columns are the record schema's for every table either protocol can hold,
    with the metrics the analysis derives (:func:`negsim.analysis.prepare`).

    Raises:
        AnalysisError: a name or pattern that matches no metric (as :func:`analyse` would).
    """
    if not metrics:
        return
    tables = [f"{a}-{b}" for a, b in scenario.tables] + ["all"]
    columns = RecordSchema.from_scenario(scenario, tables).columns()
    resolve_metrics(prepare(pd.DataFrame({c: [0.0] for c in columns})), metrics)


def check_design(design: Any, method: str) -> None:
    """Raise AnalysisError unless the design's kind is the method's."""
    if method not in METHODS:
        raise AnalysisError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
    kind = getattr(design, "kind", None) if design is not None else None
    if kind != method:
        size = "samples = N" if method == "sobol" else "trajectories = N"
        has = f"its design is {kind!r}" if kind else "it has no [design]"
        raise AnalysisError(
            f"--method {method} needs an experiment whose design is kind = {method!r} "
            f'([design] kind = "{method}", {size}, parameters with {{low, high}}); {has}'
        )


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot(result: Sensitivity, path: Path) -> Path:
    """Sobol': S1 and ST with intervals, per metric. Morris: mu* against sigma."""
    plt = _pyplot()
    table = result.table
    groups = list(table.groupby(["arm", "metric"], sort=False, dropna=False))
    cols = min(3, len(groups))
    rows = -(-len(groups) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.6 * rows), squeeze=False)
    for ax, ((arm, metric), frame) in zip(axes.flat, groups, strict=False):
        title = metric if arm is None or table["arm"].nunique() < 2 else f"{metric} ({arm})"
        if result.method == "sobol":
            pos = np.arange(len(frame))
            ax.barh(pos - 0.2, frame["S1"], 0.4, xerr=frame["S1_conf"], label="S1")
            ax.barh(pos + 0.2, frame["ST"], 0.4, xerr=frame["ST_conf"], label="ST")
            ax.set_yticks(pos)
            ax.set_yticklabels(frame["parameter"], fontsize=7)
            ax.invert_yaxis()
            ax.axvline(0, color="k", lw=0.6)
            ax.set(xlabel="index (95% interval)", title=title)
            ax.legend(fontsize=7)
        else:
            ax.errorbar(frame["mu_star"], frame["sigma"], xerr=frame["mu_star_conf"], fmt="o")
            for _, r in frame.iterrows():
                ax.annotate(r["parameter"], (r["mu_star"], r["sigma"]), fontsize=6)
            ax.set(xlabel="mu* (95% interval)", ylabel="sigma", title=title)
    for ax in list(axes.flat)[len(groups) :]:
        ax.axis("off")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def ranking(result: Sensitivity) -> pd.Series:
    """Each parameter's mean index over the metrics (ST for Sobol', mu* / max mu* for Morris)."""
    table = result.table.copy()
    if result.method == "sobol":
        table["score"] = table["ST"].clip(lower=0)
    else:
        top = table.groupby(["arm", "metric"], dropna=False)["mu_star"].transform("max")
        table["score"] = table["mu_star"] / top.where(top > 0)
    return table.groupby("parameter")["score"].mean().sort_values(ascending=False)


def write_report(result: Sensitivity, folder: Path, replications: int | None = None) -> Path:
    """Write ``sensitivity_<method>.csv``, its figure and a section of report.md."""
    method = result.method
    folder.mkdir(parents=True, exist_ok=True)
    result.table.to_csv(folder / f"sensitivity_{method}.csv", index=False)
    figure = plot(result, folder / "figures" / f"sensitivity_{method}.png")
    top = ranking(result)
    title = "Sobol' indices" if method == "sobol" else "Morris screening"
    lines = [
        f"## Sensitivity: {title}",
        "",
        f"Generated by `negsim sensitivity --method {method}`. Numbers: "
        f"`sensitivity_{method}.csv`.",
        "",
    ]
    lines += [
        "What matters most (mean over the metrics of "
        + ("ST" if method == "sobol" else "mu* / the metric's largest mu*")
        + "):",
        "",
    ]
    lines += [f"{i}. `{p}`: {v:.2f}" for i, (p, v) in enumerate(top.head(8).items(), 1)]
    lines += ["", f"![{title}](figures/{figure.name})", ""]
    show = result.table.copy()
    if show["arm"].nunique() < 2:
        show = show.drop(columns="arm")
    lines += [_markdown(show), ""]
    lines += [
        "Replication noise (variance of a design point's mean due to replications, as a "
        "share of the variance of the means; small is good):",
        "",
    ]
    noise = result.noise.dropna(axis=1, how="all")
    lines += [_markdown(noise), ""]
    if result.warnings:
        lines += ["Warnings:", ""] + [f"- {w}" for w in result.warnings] + [""]
    lines += [
        "Method: indices of the mean over the replications at each design point"
        + (f" ({replications} per point)" if replications else "")
        + "; the mean is the deterministic function of the parameters that a variance "
        "decomposition needs, and the noise left in it is shown above. "
        + (
            "SALib.analyze.sobol (Saltelli 2002; Saltelli et al. 2010): S1 first-order, ST "
            "total-order, 95% bootstrap intervals (half-widths in the CSV)."
            if method == "sobol"
            else "SALib.analyze.morris (Morris 1991; Campolongo et al. 2007): mu* mean absolute "
            "elementary effect with its 95% bootstrap interval, sigma the spread of the "
            "effects (non-linearity or interactions)."
        ),
        "",
    ]
    return write_section(folder, f"sensitivity {method}", lines)


def _markdown(frame: pd.DataFrame) -> str:
    def cell(v: Any) -> str:
        return f"{v:.3g}" if isinstance(v, float) else str(v)

    head = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])
