"""Words for numbers and metrics: arm labels, metric nouns and units, effect sentences.

Country names come from the scenario (``names``: code -> display name); a code the
mapping lacks is shown as itself, so a scenario with any countries reads correctly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd


def number(x: float, digits: int = 3) -> str:
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
        return number(float(value), 6)
    return str(value)


def country_name(code: str, names: Mapping[str, str] | None = None) -> str:
    """The display name of a country code (from the scenario), else the code itself.

    A plural name of several words takes the article: "the United States".
    """
    name = (names or {}).get(code, code)
    if " " in name and name.endswith("s") and not name.startswith("the "):
        return f"the {name}"
    return name


def possessive(code: str, names: Mapping[str, str] | None = None) -> str:
    """``Japan's``, ``the United States'``: the possessive of a country's name."""
    name = country_name(code, names)
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def describe_metric(metric: str, names: Mapping[str, str] | None = None) -> tuple[str, str]:
    """A noun phrase for a metric and the kind of its unit.

    The kind is one of ``"gdp"`` (% of GDP), ``"share"`` (0/1 per run, shown in
    percentage points), ``"tariff"`` (fraction, shown in percentage points), ``"usd"``
    (USD bn), ``"count"``, ``"round"``, ``"index"`` (0..1) or ``"value"``. ``names`` maps
    country codes to display names (the scenario's; codes are shown as they are without).
    """
    parts = metric.split(".")
    head = parts[0]
    components = {"utility": "payoff", "econ": "economic payoff"}
    components |= {"security": "security payoff", "politics": "political payoff"}
    if head in components and len(parts) == 2:
        return f"{possessive(parts[1], names)} {components[head]}", "gdp"
    if metric == "agreement":
        return "the share of runs in which every table agrees", "share"
    if metric == "escalation":
        return "the share of runs with a threat executed or a retaliation", "share"
    if head == "agreement" and len(parts) == 2:
        table = parts[1]
        if table == "all":
            return "the share of runs with a multilateral agreement", "share"
        who = " and ".join(country_name(c, names) for c in table.split("-"))
        return f"the share of runs in which {who} agree", "share"
    if head == "agreement_round":
        return f"the round of agreement at the {parts[1]} table", "round"
    if head == "tariff" and len(parts) == 4:
        importer, exporter, sector = parts[1:]
        source = country_name(exporter, names)
        goods = "other goods" if sector == "other" else sector
        return f"{possessive(importer, names)} tariff on {goods} from {source}", "tariff"
    if head == "balance" and len(parts) == 3:
        return (
            f"{possessive(parts[1], names)} goods balance with {country_name(parts[2], names)}",
            "usd",
        )
    if head == "exports" and len(parts) == 3:
        return f"{possessive(parts[1], names)} exports to {country_name(parts[2], names)}", "usd"
    if head == "alliance":
        who = "-".join(country_name(c, names).removeprefix("the ") for c in parts[1].split("-"))
        return f"the health of the {who} alliance", "index"
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
        return f"{number(100 * value)} percentage points"
    if kind == "gdp":
        return f"{number(value)}% of GDP"
    if kind == "usd":
        return f"USD {number(value)} bn"
    if kind == "count":
        return f"{number(value)} per run"
    if kind == "round":
        return f"{number(value)} rounds"
    return number(value)


def _under(by: str, arm: Any) -> str:
    if by in ("arm", "protocol") and str(arm) in ("bilateral", "multilateral"):
        return f"the {arm} protocol"
    if by == "arm":
        return f"arm {label(arm)}"
    return f"{by.removeprefix('param.')} = {label(arm)}"


def effect_sentences(
    table: pd.DataFrame, by: str = "arm", n: int = 5, names: Mapping[str, str] | None = None
) -> list[str]:
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
        names: display name by country code (the scenario's).

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
        noun, kind = describe_metric(row["metric"], names)
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


def payoff_sentences(
    table: pd.DataFrame, by: str = "arm", names: Mapping[str, str] | None = None
) -> list[str]:
    """One line per country and arm on the change of its payoff, whatever its size.

    Args:
        table: the output of :func:`compare` (rows ``utility.<C>`` are used).
        by: the column whose values are the arms (for the wording).
        names: display name by country code (the scenario's).

    Returns:
        Lines such as "Japan: +0.032% of GDP [95% CI 0.025, 0.039] under the multilateral
        protocol vs the bilateral protocol; Cliff's delta 0.40, medium."
    """
    lines = []
    rows = table[table["metric"].str.startswith("utility.") & table["diff_mean"].notna()]
    for _, row in rows.iterrows():
        country = country_name(row["metric"].split(".", 1)[1], names)
        sign = "+" if row["diff_mean"] > 0 else ""
        delta = row["cliffs_delta"]
        effect = f"; Cliff's delta {delta:.2f}, {row['effect']}" if np.isfinite(delta) else ""
        lines.append(
            f"{country[0].upper()}{country[1:]}: {sign}{number(row['diff_mean'])}% of GDP "
            f"[95% CI {number(row['diff_mean_lo'])}, {number(row['diff_mean_hi'])}] under "
            f"{_under(by, row['arm'])} vs {_under(by, row['baseline'])}{effect}."
        )
    return lines


def _priority(metric: str) -> int:
    """Order of metrics with equal effect sizes: payoffs first, tariffs last."""
    head = metric.split(".")[0]
    ranks = {"utility": 0, "econ": 1, "security": 1, "politics": 1}
    ranks |= {"agreement": 2, "escalation": 2, "balance": 3, "tariff": 5}
    return ranks.get(head, 4)


def _num_in(value: float, kind: str) -> str:
    return number(100 * value) if kind in ("share", "tariff") else number(value)
