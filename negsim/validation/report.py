"""The validation report: docs/validation.md and the figures it cites.

Counted checks (those that could fail) are tabled per group; checks that hold by
construction are listed apart with the reason, and the summary line says how many
could fail and how many hold (:func:`negsim.validation.check.summary_line`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from negsim.scenarios import Scenario, load_scenario
from negsim.validation.check import REPORTED, Check, summary_line
from negsim.validation.explanations import why
from negsim.validation.metrics import PROTOCOLS, start_average, start_balance, trade_weighted
from negsim.validation.statics import GROUP as STATICS_GROUP

HEADER = "| check | reference | source | tolerance (stated before the run) | simulated | verdict |"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def figures(records: pd.DataFrame, folder: Path, scenario: Scenario | str = "tag2018") -> list[str]:
    """Write the record figures (US-Japan, US-China); return their file names.

    A figure whose record keys are missing (a model that does not produce them) is
    left out.
    """
    scenario = load_scenario(scenario) if isinstance(scenario, str) else scenario
    needed = {"protocol", "tariff.JP.US.agriculture", "balance.US.JP"}
    needed |= {
        f"tariff.{i}.{e}.{s}" for i, e in (("US", "CN"), ("CN", "US")) for s in scenario.sectors
    }
    if not needed <= set(records.columns):
        return []
    plt = _pyplot()
    folder.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for label in PROTOCOLS:
        frame = records[records["protocol"] == label]
        if frame.empty:
            continue
        axes[0].hist(frame["tariff.JP.US.agriculture"] * 100, bins=20, alpha=0.6, label=label)
        values = np.sort(frame["balance.US.JP"])
        axes[1].step(values, np.arange(1, len(values) + 1) / len(values), label=label)
    start_farm = scenario.nations["JP"].tariffs["US"]["agriculture"]
    axes[0].axvline(start_farm * 100, color="grey", ls=":", label="Sep 2018")
    axes[0].set(
        title="Japan's farm tariff on US goods at the end", xlabel="tariff (%)", ylabel="runs"
    )
    axes[1].axvline(start_balance(scenario, "US", "JP"), color="grey", ls=":", label="2018")
    axes[1].set(
        title="US goods balance with Japan at the end",
        xlabel="USD bn",
        ylabel="share of runs (ECDF)",
    )
    for ax in axes:
        ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "validation-us-japan.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4))
    for label in PROTOCOLS:
        frame = records[records["protocol"] == label]
        if frame.empty:
            continue
        ax.scatter(
            trade_weighted(frame, scenario, "US", "CN") * 100,
            trade_weighted(frame, scenario, "CN", "US") * 100,
            s=8,
            alpha=0.5,
            label=label,
        )
    ax.scatter(
        [start_average(scenario, "US", "CN") * 100],
        [start_average(scenario, "CN", "US") * 100],
        marker="*",
        s=200,
        c="k",
        label="Sep 2018",
    )
    ax.set(
        title="US-China tariffs at the end (trade-weighted)",
        xlabel="US on China (%)",
        ylabel="China on US (%)",
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "validation-us-china.png", dpi=110)
    plt.close(fig)
    return ["validation-us-japan.png", "validation-us-china.png"]


def statics_figure(checks: list[Check], folder: Path) -> str | None:
    """Paired effects of the comparative statics with 95% intervals, by verdict."""
    rows = [c for c in checks if c.group == STATICS_GROUP and c.data]
    if not rows:
        return None
    plt = _pyplot()
    folder.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.4))
    for y, check in enumerate(rows):
        d = check.data
        scale = d["sign"] / d["minimum"]  # theory's direction positive; 1 = the stated size
        ends = sorted((d["low"] * scale, d["high"] * scale))
        mid = d["effect"] * scale
        color = "tab:green" if check.verdict == "holds" else "tab:red"
        ax.errorbar([mid], [y], xerr=[[mid - ends[0]], [ends[1] - mid]], fmt="o", color=color)
        shown = 100 * d["effect"] if d["unit"] == "pp" else d["effect"]
        ax.annotate(
            f"{shown:+.2f}{' pp' if d['unit'] == 'pp' else ''} ({d['reason'].split(':')[0]})",
            (1.01, y),
            xycoords=("axes fraction", "data"),
            va="center",
            fontsize=7,
        )
    ax.axvline(0, color="k", lw=0.8)
    ax.axvline(1, color="grey", ls="--", lw=0.8)
    ax.set_xscale("symlog", linthresh=1)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{c.data['mechanism']} -> {c.data['metric']}" for c in rows], fontsize=7)
    ax.set(
        xlabel="paired effect (high - low) in units of the stated minimum, signed so "
        "theory's direction is positive\n(dashed: the minimum; bars: 95% interval; "
        "green: holds)"
    )
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(folder / "validation-statics.png", dpi=110, bbox_inches="tight")  # long labels
    plt.close(fig)
    return "validation-statics.png"


def _table(items: list[Check]) -> list[str]:
    lines = [HEADER, "|---|---|---|---|---|---|"]
    lines += [
        f"| {c.name} | {c.reference} | {c.source} | {c.tolerance} | {c.simulated} | "
        f"**{c.verdict}** |"
        for c in items
    ]
    notes = [(c, " ".join(filter(None, (c.note, _why(c))))) for c in items]
    notes = [(c, text) for c, text in notes if text]
    if notes:
        lines.append("")
        lines += [f"- *{c.name}*: {text}" for c, text in notes]
    return lines


def _why(check: Check) -> str:
    text = why(check)
    return f"**Why:** {text}" if text else ""


def write_report(checks: list[Check], path: Path, figure_names: list[str], seeds: int) -> None:
    """Write docs/validation.md: counted checks by group, the rest apart, figures, summary."""
    path.parent.mkdir(parents=True, exist_ok=True)
    statics = statics_figure(checks, path.parent / "figures")
    names = [*figure_names, *([statics] if statics else [])]
    lines = [
        "# Validation",
        "",
        "Generated by `negsim validate` (negsim/validation/); do not edit by hand.",
        f"Record checks: tag2018 under both protocols, {seeds} seeds each (seeds "
        f"0..{seeds - 1}); comparative statics on paired seeds (runs stated per check).",
        "Every counted check states its reference, source and tolerance before the run",
        "(in negsim/validation/record.py and mechanisms.py). A check that fails is reported",
        "as failing, with the reason, rather than tuned away. Checks the rules make true",
        "are listed apart as *holds by construction* and not counted; a check that would",
        "only re-measure a probability the code draws from is not run at all.",
        "Comparative statics: each mechanism's parameter at a low and a high value on the",
        "same seeds; the effect is the mean paired difference (high - low) with a 95%",
        "bootstrap interval; it holds when the interval excludes zero on the side theory",
        "predicts and the effect reaches the stated minimum, and otherwise fails as *no",
        "effect*, *wrong sign* or *too small*: a finding about the model, never hidden.",
        "A failure whose baseline lies nearer a hard bound of the model (a red line, a",
        "share of all runs) than the size asked adds *at a bound*: no strength of the",
        "mechanism could show there; it still counts as failing, and a variant *given* a",
        "context with room measures the mechanism.",
        "Under a failing check, **Why:** is what measurements after the run found",
        "(negsim/validation/explanations.py; the figures are in docs/findings.md); it",
        "never changes a verdict.",
        "",
        summary_line(checks),
    ]
    groups: dict[str, list[Check]] = {}
    for check in checks:
        if check.could_fail:
            groups.setdefault(check.group, []).append(check)
    for group, items in groups.items():
        lines += ["", f"## {group}", "", *_table(items)]
    reported = [c for c in checks if c.verdict == REPORTED]
    if reported:
        lines += ["", "## Reported, no verdict forced", "", *_table(reported)]
    built = [c for c in checks if c.construction]
    if built:
        lines += ["", "## Holds by construction (not counted)", ""]
        lines += [f"- **{c.name}** ({c.simulated}): {c.construction}." for c in built]
    lines += ["", "## Figures", ""]
    lines += [f"![{name}](figures/{name})" for name in names]
    lines += ["", f"Summary: {summary_line(checks)}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
