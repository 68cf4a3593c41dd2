"""Which columns are metrics, which are arms, and the metrics a report shows by default."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from negsim.analysis.errors import AnalysisError
from negsim.analysis.words import label
from negsim.record.schema import NON_METRICS
from negsim.scenarios import did_you_mean


def is_numeric(series: pd.Series) -> bool:
    """Whether a column holds numbers (or booleans)."""
    return pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def available_metrics(df: pd.DataFrame) -> list[str]:
    """Numeric outcome columns: everything but identity columns and ``param.*``."""
    return [
        col
        for col in df.columns
        if col not in NON_METRICS and not col.startswith("param.") and is_numeric(df[col])
    ]


def countries_in(df: pd.DataFrame) -> list[str]:
    """The countries of a results table (those with a ``utility.<C>`` column)."""
    return [col.split(".", 1)[1] for col in df.columns if col.startswith("utility.")]


def varies(series: pd.Series) -> bool:
    """Whether a column takes more than one value."""
    return series.dropna().nunique() > 1


def default_metrics(df: pd.DataFrame) -> list[str]:
    """The metrics a report shows unless told otherwise.

    ``utility.<C>`` for each country, ``agreement``, ``threats_executed``,
    ``retaliations``, ``escalation``, ``econ.<C>``, the first country's goods balance with
    each partner (``balance.US.JP``, ``balance.US.CN`` in tag2018), ``nash_gap``, and every
    ``tariff.*`` column that varies, in that order and where present. Countries are those
    of the results, in their order, so any scenario gets its own.
    """
    countries = countries_in(df)
    wanted = [f"utility.{c}" for c in countries]
    wanted += ["agreement", "threats_executed", "retaliations", "escalation"]
    wanted += [f"econ.{c}" for c in countries]
    wanted += [f"balance.{countries[0]}.{c}" for c in countries[1:]] if countries else []
    wanted += ["nash_gap"]
    metrics = [m for m in wanted if m in df.columns and is_numeric(df[m])]
    metrics += [c for c in df.columns if c.startswith("tariff.") and varies(df[c])]
    return metrics


def compact(names: Sequence[str], limit: int = 6) -> str:
    """Names joined by commas, long families folded into ``prefix.* (N columns)``."""
    families: dict[str, list[str]] = {}
    for name in names:
        families.setdefault(name.split(".", 1)[0], []).append(name)
    shown: list[str] = []
    for prefix, members in families.items():
        if len(members) > limit:
            shown.append(f"{prefix}.* ({len(members)} columns)")
        else:
            shown.extend(members)
    return ", ".join(shown)


def resolve_metrics(df: pd.DataFrame, metrics: Iterable[str] | str | None) -> list[str]:
    """Check and expand a list of metric names (shell-style patterns such as ``utility.*``).

    Args:
        df: the runs.
        metrics: names or patterns; a comma-separated string is split; None means
            :func:`default_metrics`.

    Returns:
        The metric columns, in the order asked, without duplicates.

    Raises:
        AnalysisError: a name matches no metric column (the message lists the available
            ones, with a "did you mean").
    """
    if metrics is None:
        return default_metrics(df)
    if isinstance(metrics, str):
        metrics = [metrics]
    names = [part.strip() for item in metrics for part in str(item).split(",") if part.strip()]
    if not names:
        return default_metrics(df)
    allowed = available_metrics(df)
    resolved: list[str] = []
    for name in names:
        if name in df.columns and is_numeric(df[name]) and name not in NON_METRICS:
            matches = [name]
        else:
            matches = fnmatch.filter(allowed, name)
        if not matches:
            raise AnalysisError(
                f"unknown metric {name!r}{did_you_mean(name, allowed)}; "
                f"available: {compact(allowed)}"
            )
        resolved.extend(m for m in matches if m not in resolved)
    return resolved


def group_columns(df: pd.DataFrame) -> list[str]:
    """Columns that make sense as ``by``: arms, protocols, design points, swept parameters.

    Identity columns other than seeds and replications, text columns, and ``param.*``
    columns with 2 to 50 distinct values.
    """
    out = []
    for col in df.columns:
        if col in ("error", "seed", "replication", "status"):
            continue
        if col in NON_METRICS or not is_numeric(df[col]):
            out.append(col)
        elif col.startswith("param.") and 2 <= df[col].nunique() <= 50:
            out.append(col)
    return out


def arm_values(df: pd.DataFrame, by: str) -> list[Any]:
    """The distinct values of ``by`` (numbers in numeric order, others as strings)."""
    choices = group_columns(df)
    if by not in df.columns:
        raise AnalysisError(
            f"unknown --by column {by!r}{did_you_mean(by, list(df.columns))}; "
            f"available: {compact(choices)}"
        )
    if by not in choices:
        raise AnalysisError(
            f"--by {by!r}: not a column to group runs by (seeds, outcomes and parameters "
            f"of more than 50 values are not); available: {compact(choices)}"
        )
    values = df[by].dropna().unique().tolist()
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


def check_arms(df: pd.DataFrame, by: str, baseline: Any) -> tuple[Any, list[Any]]:
    """The baseline arm (checked, or the first) and the other arms of column ``by``."""
    arms = arm_values(df, by)
    if len(arms) < 2:
        only = f" ({arms[0]!r})" if arms else ""
        varied = [c for c in group_columns(df) if df[c].nunique() >= 2]
        hint = f"try --by with one of: {compact(varied)}" if varied else "no column varies"
        if "design_point" in varied:
            hint += "; a sensitivity design is read by negsim sensitivity"
        raise AnalysisError(
            f"only one value{only} in column {by!r} among successful runs; "
            f"a comparison needs at least two arms ({hint})"
        )
    if baseline is None:
        baseline = arms[0]
    elif baseline not in arms:
        matches = [a for a in arms if str(baseline) in (str(a), label(a))]
        if not matches:
            raise AnalysisError(
                f"unknown baseline {baseline!r} for column {by!r}; "
                f"available: {', '.join(map(label, arms))}"
            )
        baseline = matches[0]
    return baseline, [a for a in arms if a != baseline]
