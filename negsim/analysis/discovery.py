"""Scenario discovery with PRIM: where in parameter space does an outcome happen?

:func:`discover` marks the runs of a results folder whose metric is above (or below)
a threshold as cases of interest and runs the Patient Rule Induction Method
(Friedman and Fisher 1999) over the runs' ``param.*`` columns: it peels the box of
all runs, a few per cent at a time, towards the region where the cases are densest.
Each step of the *peeling trajectory* trades coverage (share of all cases inside the
box) for density (share of the box's runs that are cases). Of the steps that still
cover at least ``min_coverage`` of the cases, those within 2 points of the highest
density are as good; the chosen box is the one of these that restricts the fewest
parameters (then the one covering most, :func:`choose_step`), stated in words
("escalation in 92% of runs when ... and ...").

PRIM is the ``prim`` package (optional extra ``negsim[discovery]``): the PRIM of the
EMA Workbench extracted as a small pure-Python package, one version on every
supported Python; the EMA Workbench itself needs Python 3.12 from its version 3 on.
Feature scores, a second view, are the impurity importances of scikit-learn's extra
trees (Geurts et al. 2006) fitted to the same cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from negsim.analysis import AnalysisError, load, prepare, resolve_metrics, results_folder
from negsim.analysis.sections import write_section

#: Fewest runs PRIM is run on: with the default 5% peels and 5% minimum mass, fewer
#: runs leave boxes of a handful of runs whose density is noise.
MIN_RUNS = 50
#: Fewest cases of interest (and of runs that are not cases).
MIN_CASES = 5
#: Restrictions whose quasi-p value exceeds this are dropped from the chosen box
#: (Bryant and Lempert 2010): PRIM peels noise dimensions too.
QP_MAX = 0.05
#: Seed of the extra trees (a diagnostic, never the simulation's stream).
TREES_SEED = 20181201


@dataclass
class Discovery:
    """What :func:`discover` found.

    Attributes:
        metric: the metric; ``rule``: e.g. ``"> 0.5"``.
        runs: runs analysed; ``cases``: runs that meet the rule.
        trajectory: the peeling trajectory (coverage, density, mass, res dim), one row
            per step.
        chosen: the index of the chosen step in ``trajectory``.
        limits: the chosen box: per restricted parameter ``low``, ``high`` (None where
            the box does not bound that side) and PRIM's quasi-p value.
        scores: feature scores of the parameters (extra trees), highest first.
        sentence: the chosen box in words.
        box: coverage, density, mass and res dim of the chosen box after dropping its
            restrictions that are not significant.
        dropped: the restrictions dropped (quasi-p above :data:`QP_MAX`).
    """

    metric: str
    rule: str
    runs: int
    cases: int
    trajectory: pd.DataFrame
    chosen: int
    limits: pd.DataFrame
    scores: pd.Series
    sentence: str
    box: pd.Series
    dropped: list[str]


def parameter_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The runs' ``param.*`` columns that vary, as floats.

    A parameter that is not a number (a list of election rounds, a sector list) becomes
    one 0/1 column per value, named ``path=value``, so PRIM can keep or drop a value.
    """
    columns = {}
    for column in (c for c in df.columns if c.startswith("param.")):
        values = df[column]
        if values.nunique(dropna=False) < 2:
            continue
        name = column.removeprefix("param.")
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            columns[name] = values.astype(float)
        else:
            text = values.astype(str)
            for value in sorted(text.unique()):
                columns[f"{name}={value}"] = (text == value).astype(float)
    return pd.DataFrame(columns, index=df.index)


def cases_of_interest(
    df: pd.DataFrame, metric: str, above: float | None, below: float | None
) -> tuple[np.ndarray, str]:
    """The boolean cases (metric above / below the threshold) and the rule as text.

    Raises:
        AnalysisError: unknown metric, no threshold or both, a threshold outside the
            metric's range, or too few cases or non-cases.
    """
    if (above is None) == (below is None):
        raise AnalysisError("give exactly one of --above X or --below X")
    matched = resolve_metrics(df, [metric])  # one line with a "did you mean" if unknown
    if matched != [metric]:
        raise AnalysisError(
            f"--metric {metric!r}: give one metric, not a pattern ({len(matched)} match)"
        )
    values = df[metric].astype(float)
    low, high = float(values.min()), float(values.max())
    threshold = above if above is not None else below
    assert threshold is not None
    if not np.isfinite(threshold):
        side = "--above" if above is not None else "--below"
        raise AnalysisError(f"{side} {threshold}: must be a finite number")
    inside = low <= threshold < high if above is not None else low < threshold <= high
    if not inside:
        side = "--above" if above is not None else "--below"
        raise AnalysisError(
            f"{side} {threshold:g} is outside the range of {metric} in these runs "
            f"({low:g} to {high:g}): no run would be a case, or every run"
        )
    cases = (values > threshold) if above is not None else (values < threshold)
    rule = f"> {threshold:g}" if above is not None else f"< {threshold:g}"
    n_cases = int(cases.sum())
    if min(n_cases, len(cases) - n_cases) < MIN_CASES:
        raise AnalysisError(
            f"{metric} {rule} in {n_cases} of {len(cases)} runs: PRIM needs at least "
            f"{MIN_CASES} runs on each side of the threshold"
        )
    return cases.to_numpy(dtype=bool), rule


#: Steps within this much of the highest density count as equally dense (choose_step).
SLACK = 0.02


def choose_step(trajectory: pd.DataFrame, min_coverage: float, slack: float = SLACK) -> int:
    """The step to report: dense, covering at least ``min_coverage``, and simple.

    Among the steps that cover at least ``min_coverage`` of the cases, those within
    ``slack`` of the highest density; of these, the one restricting the fewest
    parameters, then the one covering most.
    """
    eligible = trajectory[trajectory["coverage"] >= min_coverage - 1e-12]
    if eligible.empty:
        eligible = trajectory.iloc[:1]
    dense = eligible[eligible["density"] >= eligible["density"].max() - slack]
    best = dense.sort_values(["res dim", "coverage"], ascending=[True, False], kind="stable")
    return int(np.flatnonzero(trajectory.index == best.index[0])[0])


def _limits(box: Any, x: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name, row in box.limits.iterrows():
        lo, hi = float(row["min"]), float(row["max"])
        rows.append(
            {
                "parameter": str(name),
                "low": lo if lo > x[name].min() + 1e-12 else None,
                "high": hi if hi < x[name].max() - 1e-12 else None,
                "qp": float(row["qp values"]),
            }
        )
    return pd.DataFrame(rows, columns=["parameter", "low", "high", "qp"])


def _restriction(parameter: str, low: Any, high: Any) -> str:
    if "=" in parameter:  # a 0/1 column of one value of a parameter that is not a number
        path, value = parameter.split("=", 1)
        return f"{path} is {value}" if pd.notna(low) else f"{path} is not {value}"
    if pd.notna(low) and pd.notna(high):
        return f"{low:.3g} <= {parameter} <= {high:.3g}"
    if pd.notna(low):
        return f"{parameter} >= {low:.3g}"
    return f"{parameter} <= {high:.3g}"


def describe_box(metric: str, rule: str, step: pd.Series, limits: pd.DataFrame, base: float) -> str:
    """The chosen box in words."""
    parts = [
        _restriction(r["parameter"], r["low"], r["high"])
        for _, r in limits.iterrows()
        if pd.notna(r["low"]) or pd.notna(r["high"])
    ]
    where = " and ".join(parts) if parts else "anywhere (no parameter restricts it)"
    return (
        f"{metric} {rule} in {step['density']:.0%} of runs when {where} "
        f"(against {base:.0%} of all runs); the box holds {step['coverage']:.0%} of those "
        f"runs and {step['mass']:.0%} of all runs"
    )


def feature_scores(x: pd.DataFrame, cases: np.ndarray) -> pd.Series:
    """Extra-trees impurity importances of the parameters for the cases, highest first."""
    from sklearn.ensemble import ExtraTreesClassifier

    forest = ExtraTreesClassifier(n_estimators=200, random_state=TREES_SEED, n_jobs=1)
    forest.fit(x.to_numpy(dtype=float), cases)
    scores = pd.Series(forest.feature_importances_, index=x.columns)
    # a parameter's 0/1 value columns back to the parameter
    scores = scores.groupby(lambda name: str(name).split("=", 1)[0]).sum()
    return scores.sort_values(ascending=False)


def discover(
    df: pd.DataFrame,
    metric: str,
    above: float | None = None,
    below: float | None = None,
    *,
    min_coverage: float = 0.5,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> Discovery:
    """PRIM over the runs' ``param.*`` columns for ``metric`` above/below a threshold.

    Raises:
        AnalysisError: bad metric or threshold, too few runs, no parameter that varies,
            or the optional packages missing.
    """
    df = prepare(df)  # successful runs, with the derived metrics compare reads too
    if len(df) < MIN_RUNS:
        raise AnalysisError(f"{len(df)} runs: PRIM needs at least {MIN_RUNS} successful runs")
    x = parameter_frame(df)
    if x.empty:
        raise AnalysisError("no param.* column varies across the runs: nothing to discover")
    cases, rule = cases_of_interest(df, metric, above, below)
    try:
        import prim
    except ImportError:
        raise AnalysisError("negsim discover needs prim: pip install 'negsim[discovery]'") from None
    finder = prim.Prim(
        x.reset_index(drop=True),
        cases,
        peel_alpha=peel_alpha,
        paste_alpha=peel_alpha,
        mass_min=mass_min,
    )
    box = finder.find_box()
    trajectory = box.peeling_trajectory.astype(float).reset_index(drop=True)
    chosen = choose_step(trajectory, min_coverage)
    box.select(chosen)
    dropped = [str(name) for name, row in box.limits.iterrows() if row["qp values"] > QP_MAX]
    if len(dropped) < len(box.limits):  # keep a box that restricts something
        for name in dropped:
            box.drop_restriction(name)
    else:
        dropped = []
    final = box.peeling_trajectory.astype(float).iloc[-1 if dropped else chosen]
    limits = _limits(box, x)
    sentence = describe_box(metric, rule, final, limits, float(cases.mean()))
    try:
        scores = feature_scores(x, cases)
    except ImportError:
        scores = pd.Series(dtype=float)
    return Discovery(
        metric,
        rule,
        len(cases),
        int(cases.sum()),
        trajectory,
        chosen,
        limits,
        scores,
        sentence,
        final,
        dropped,
    )


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)


def plot_trajectory(found: Discovery, path: Path) -> Path:
    """Coverage against density along the peeling trajectory, the chosen box marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = found.trajectory
    fig, ax = plt.subplots(figsize=(6, 4.5))
    points = ax.scatter(t["coverage"], t["density"], c=t["res dim"], cmap="viridis", s=18)
    fig.colorbar(points, ax=ax, label="parameters restricted")
    step = t.iloc[found.chosen]
    ax.scatter(
        [step["coverage"]],
        [step["density"]],
        s=160,
        facecolors="none",
        edgecolors="red",
        linewidths=2,
        label="chosen step",
    )
    if found.dropped:
        ax.scatter(
            [found.box["coverage"]],
            [found.box["density"]],
            marker="*",
            s=160,
            color="red",
            label="chosen box, insignificant restrictions dropped",
        )
    ax.axhline(found.cases / found.runs, color="grey", ls=":", label="share of all runs")
    ax.set(
        xlabel="coverage (share of cases inside the box)",
        ylabel="density (share of the box that are cases)",
        title=f"PRIM peeling trajectory: {found.metric} {found.rule}",
        xlim=(0, 1.02),
        ylim=(0, 1.02),
    )
    ax.legend(loc="lower left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def report_discovery(
    results: str | Path,
    metric: str,
    above: float | None = None,
    below: float | None = None,
    out: str | Path | None = None,
    min_coverage: float = 0.5,
) -> tuple[Discovery, Path]:
    """Discover, then write the figure, the CSVs and a section of report.md.

    Returns:
        What was found, and the folder written to.
    """
    folder = results_folder(results)
    runs, _ = load(folder)
    found = discover(runs, metric, above, below, min_coverage=min_coverage)
    target = Path(out) if out is not None else (folder.parent if folder.is_file() else folder)
    name = _safe(f"{metric}_{'above' if above is not None else 'below'}_{found.rule[2:]}")
    figure = plot_trajectory(found, target / "figures" / f"discover_{name}.png")
    found.trajectory.to_csv(target / f"discover_{name}.csv", index_label="step")
    found.limits.to_csv(target / f"discover_{name}_box.csv", index=False)
    if len(found.scores):
        found.scores.rename("score").to_csv(
            target / f"discover_{name}_scores.csv", index_label="parameter"
        )
    lines = [
        f"## Where {found.metric} {found.rule} (PRIM)",
        "",
        f"Generated by `negsim discover`: {found.cases} of {found.runs} runs have "
        f"{found.metric} {found.rule}.",
        "",
        f"**{found.sentence}.**",
        "",
        f"![peeling trajectory](figures/{figure.name})",
        "",
        f"The chosen box is, of the steps of the peeling trajectory that still cover at "
        f"least {min_coverage:.0%} of the cases and come within {100 * SLACK:.0f} points of "
        f"their highest density, the one restricting the fewest parameters "
        f"(step {found.chosen} of "
        f"{len(found.trajectory)}; `discover_{name}.csv`, box in `discover_{name}_box.csv`; "
        + (
            f"restrictions dropped as not significant, quasi-p > {QP_MAX}: "
            f"{', '.join(found.dropped)}; "
            if found.dropped
            else ""
        )
        + "qp: PRIM's quasi-p value of each restriction).",
        "",
    ]
    if len(found.limits):
        lines += ["| parameter | low | high | qp |", "|---|---|---|---|"]
        for _, r in found.limits.iterrows():
            cells = ["" if pd.isna(v) else f"{float(v):.4g}" for v in (r["low"], r["high"])]
            lines.append(f"| `{r['parameter']}` | {' | '.join(cells)} | {r['qp']:.2g} |")
        lines.append("")
    if len(found.scores):
        lines += ["Feature scores (extra trees, impurity importance; a second view):", ""]
        lines += [f"- `{p}`: {v:.3f}" for p, v in found.scores.head(8).items()]
        lines.append("")
    write_section(target, f"discover {name}", lines)
    return found, target
