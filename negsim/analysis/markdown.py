"""The Markdown of a report: the experiment's description, tables and its sections.

Each ``*_section`` function returns the lines of one section of ``report.md`` from a
:class:`ReportParts`, the numbers and figures :func:`negsim.analysis.report.report` made.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from negsim.analysis.loading import experiment_definition
from negsim.analysis.metrics import arm_values
from negsim.analysis.statistics import BCA_MAX_N
from negsim.analysis.words import effect_sentences, label, number, payoff_sentences


@dataclass
class ReportParts:
    """What the sections of a report are written from."""

    name: str
    source: str
    by: str
    manifest: dict[str, Any]
    df: pd.DataFrame
    total: int
    table: pd.DataFrame
    summary: pd.DataFrame
    names: Mapping[str, str]
    n_resamples: int
    bootstrap_seed: int
    payoff_png: Path | None = None
    tariff_png: Path | None = None
    dist_pngs: dict[str, Path] = field(default_factory=dict)
    sweep_pngs: dict[str, Path] = field(default_factory=dict)
    sweep_kind: str = "swept"


def _brief(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def experiment_brief(manifest: dict[str, Any]) -> list[str]:
    """Markdown bullets describing the experiment from its manifest."""
    d = experiment_definition(manifest)
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
        lines.append(f"- **arms**: {', '.join(f'`{a}`' for a in manifest_arms(manifest))}")
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
        return f"{number(spec['low'])}..{number(spec['high'])}{points}"
    return _brief(spec, 80)


def _distribution(spec: Any) -> str:
    if isinstance(spec, dict) and "dist" in spec:
        args = ", ".join(f"{k}={v}" for k, v in spec.items() if k != "dist")
        return f"{spec['dist']}({args})"
    return _brief(spec, 80)


def manifest_arms(manifest: dict[str, Any]) -> list[str]:
    """The arm names a manifest declares, in its order."""
    arms = manifest.get("arms")
    if arms is None:
        arms = experiment_definition(manifest).get("arms")
    if isinstance(arms, dict):
        return [str(k) for k in arms]
    if isinstance(arms, list):
        return [str(a.get("name", a)) if isinstance(a, dict) else str(a) for a in arms]
    return []


def markdown_table(frame: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table."""
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(str(v).replace("|", "/") for v in row) + " |" for row in frame.values]
    return "\n".join([header, rule, *body])


def _interval(value: float, lo: float, hi: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    return f"{number(value)} [{number(lo)}, {number(hi)}]"


def _p(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def display_table(table: pd.DataFrame, several: bool) -> pd.DataFrame:
    """The comparison table as shown in report.md (an arm column when ``several``)."""
    rows = []
    for _, r in table.iterrows():
        row = {"metric": f"`{r['metric']}`"}
        if several:
            row["arm"] = label(r["arm"])
        row |= {
            "n": f"{r['n_baseline']} / {r['n_arm']}",
            "mean (baseline)": number(r["mean_baseline"]),
            "mean (arm)": number(r["mean_arm"]),
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


def document(parts: ReportParts) -> str:
    """The whole ``report.md``."""
    lines: list[str] = []
    for section in (
        header_section,
        effects_section,
        shares_section,
        payoffs_section,
        comparison_section,
        notes_section,
        sweeps_section,
        distributions_section,
        methods_section,
    ):
        lines += section(parts)
    return "\n".join(lines)


def header_section(parts: ReportParts) -> list[str]:
    """Title, provenance and the experiment's description."""
    df, by, table = parts.df, parts.by, parts.table
    base = table["baseline"].iloc[0]
    lines = [f"# {parts.name}: comparison by `{by}`", ""]
    lines += [
        f"Generated by `negsim compare` from `{parts.source}`. Differences are *arm − "
        f"baseline*; the baseline is `{label(base)}`.",
        "",
        "## The experiment",
        "",
    ]
    lines += experiment_brief(parts.manifest)
    counts = df.groupby(by, sort=False).size().reindex(arm_values(df, by))
    lines.append(
        f"- **runs analysed**: {len(df)} "
        f"({', '.join(f'{label(a)}: {n}' for a, n in counts.items())}); "
        f"runs with status `error` left out: {parts.total - len(df)}"
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
    return [*lines, ""]


def effects_section(parts: ReportParts) -> list[str]:
    """The largest effects, in words."""
    lines = ["## Largest effects", ""]
    sentences = effect_sentences(parts.table, parts.by, names=parts.names)
    if sentences:
        lines += [f"- {s}" for s in sentences]
    else:
        lines.append(
            "- No metric differs between arms by more than a negligible effect (|δ| < 0.147)."
        )
    return [*lines, ""]


def shares_section(parts: ReportParts) -> list[str]:
    """Shares of runs with agreement and with escalation, per arm."""
    by, summary = parts.by, parts.summary
    counts = parts.df.groupby(by, sort=False).size()
    shares = summary.drop_duplicates(by)[[by, "share_agreement", "share_escalation"]]
    frame = pd.DataFrame(
        {
            by: [label(a) for a in shares[by]],
            "runs": [int(counts.get(a, 0)) for a in shares[by]],
            "share with agreement": [number(v) for v in shares["share_agreement"]],
            "share with escalation": [number(v) for v in shares["share_escalation"]],
        }
    )
    return ["## Agreement and escalation", "", markdown_table(frame), ""]


def payoffs_section(parts: ReportParts) -> list[str]:
    """Who gains what, and the tariffs at the end (figures and one line per country)."""
    lines: list[str] = []
    if parts.payoff_png is not None:
        lines += [
            "## Who gains what",
            "",
            f"![Payoffs per country and arm](figures/{parts.payoff_png.name})",
            "",
            *[f"- {line}" for line in payoff_sentences(parts.table, parts.by, parts.names)],
            "",
        ]
    if parts.tariff_png is not None:
        png = parts.tariff_png.name
        lines += ["## Tariffs at the end", "", f"![Tariffs per arm](figures/{png})", ""]
    return lines


def comparison_section(parts: ReportParts) -> list[str]:
    """The comparison table."""
    several = len(arm_values(parts.df, parts.by)) > 2
    return [
        "## Comparison table",
        "",
        markdown_table(display_table(parts.table, several)),
        "",
        "n: runs (or pairs) in baseline / arm. q: Benjamini-Hochberg adjusted p-values "
        "across all rows. The full table with more digits is `comparison.csv`; per-arm "
        "quantiles are in `summary.csv`.",
        "",
    ]


def notes_section(parts: ReportParts) -> list[str]:
    """Metrics the comparison could not compare, and why."""
    notes = parts.table[parts.table["note"] != ""]
    if not len(notes):
        return []
    lines = ["## Notes", ""]
    for _, r in notes.iterrows():
        lines.append(
            f"- **Note** `{r['metric']}` ({label(r['arm'])} vs "
            f"{label(r['baseline'])}): {r['note']}."
        )
    return [*lines, ""]


def sweeps_section(parts: ReportParts) -> list[str]:
    """Outcomes against swept (or, without a design, perturbed) parameters."""
    if not parts.sweep_pngs:
        return []
    if parts.sweep_kind == "swept":
        lines = ["## Parameter sweeps", ""]
        lines += [
            "Mean per arm at each design value, averaged over the other design "
            "parameters and the perturbations; band: 95% bootstrap interval of the mean. "
            "Numbers: `sweep_<parameter>.csv`.",
            "",
        ]
    else:
        lines = ["## Outcomes against perturbed parameters", ""]
        lines += [
            "The experiment sweeps no parameter; these are outcomes against parameters "
            "drawn per run, cut into 10 quantile bins (each at its mean), averaged over "
            "the other draws; band: 95% bootstrap interval of the mean. Numbers: "
            "`sweep_<parameter>.csv`.",
            "",
        ]
    for param, png in parts.sweep_pngs.items():
        lines += [f"![{param}](figures/{png.name})", ""]
    return lines


def distributions_section(parts: ReportParts) -> list[str]:
    """One figure per metric; tariffs as links."""
    lines = ["## Distributions", ""]
    linked = {m: png for m, png in parts.dist_pngs.items() if m.startswith("tariff.")}
    for metric, png in parts.dist_pngs.items():
        if metric not in linked:
            lines += [f"### `{metric}`", "", f"![{metric}](figures/{png.name})", ""]
    if linked:
        lines += ["### Tariffs", "", "ECDF and violins of each tariff that varies:", ""]
        lines += [f"- [`{m}`](figures/{png.name})" for m, png in linked.items()]
        lines.append("")
    return lines


def methods_section(parts: ReportParts) -> list[str]:
    """How the statistics were computed."""
    return [
        "## Methods",
        "",
        f"Only runs with status `ok` count. Intervals are {int(100 * 0.95)}% bootstrap "
        f"intervals (scipy.stats.bootstrap, BCa up to {BCA_MAX_N} runs per arm, percentile "
        f"above; {parts.n_resamples} resamples, bootstrap seed {parts.bootstrap_seed}) of "
        "the difference of means and of medians (of each arm's median, not the median of "
        "paired differences); when arms share seeds the bootstrap resamples matched pairs. "
        "Kolmogorov-Smirnov (scipy.stats.ks_2samp) and Mann-Whitney "
        "(scipy.stats.mannwhitneyu) tests treat the two samples as independent; their "
        "p-values are adjusted with Benjamini-Hochberg (scipy.stats.false_discovery_control). "
        "Cliff's delta is 2U/(n1·n2) − 1 from the Mann-Whitney U; labels after Romano et al. "
        "(2006): |δ| < 0.147 negligible, < 0.33 small, < 0.474 medium, otherwise large.",
        "",
    ]
