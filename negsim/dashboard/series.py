"""What the negotiation page plots, taken from the model's data collector generically.

The page plots whatever per-round columns the model records, grouped by the prefix
of the column name (``tariff.US.JP.autos`` is in group ``tariff``); countries and
tables are read from the names, never assumed. Text columns (``offer.*``,
``status.*``) form the offer log. This module needs pandas and networkx only.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import pandas as pd

# groups shown first, in this order; any other group follows in the order of the columns
GROUP_ORDER = ("tariff", "utility", "econ", "security", "politics", "alliance")
COUNTS = ("threats_executed", "retaliations")
ROUND_COLUMN = "round"


def rounds(model: Any) -> pd.DataFrame:
    """The model's per-round records (one row per collection), indexed by round."""
    df = model.datacollector.get_model_vars_dataframe()
    if ROUND_COLUMN in df.columns:
        df = df.set_index(ROUND_COLUMN)
    return df


def numeric_groups(df: pd.DataFrame) -> dict[str, list[str]]:
    """Numeric columns grouped by the prefix before the first dot.

    Columns without a dot (``threats_executed``, ``retaliations``) form one group,
    ``events``. Known groups come first (:data:`GROUP_ORDER`), then the others.
    """
    groups: dict[str, list[str]] = {}
    for column in df.columns:
        if not pd.api.types.is_numeric_dtype(df[column]) or pd.api.types.is_bool_dtype(df[column]):
            continue
        name = str(column)
        prefix = name.split(".", 1)[0] if "." in name else "events"
        groups.setdefault(prefix, []).append(name)
    order = {g: i for i, g in enumerate(GROUP_ORDER)}
    return dict(sorted(groups.items(), key=lambda kv: order.get(kv[0], len(order))))


def split_by_table(columns: list[str], tables: list[str]) -> dict[str, list[str]]:
    """Tariff columns ``tariff.IMPORTER.EXPORTER.SECTOR`` by the table they belong to.

    A column goes to the first table (a name such as ``US-JP``) whose countries
    include both its importer and its exporter; others go under ``other``.
    """
    out: dict[str, list[str]] = {}
    for column in columns:
        parts = column.split(".")
        pair = set(parts[1:3]) if len(parts) >= 3 else set()
        table = next((t for t in tables if pair and pair <= set(t.split("-"))), "other")
        out.setdefault(table, []).append(column)
    return out


def series_label(column: str) -> str:
    """A column name without its group prefix: ``utility.JP`` -> ``JP``."""
    return column.split(".", 1)[1] if "." in column else column.replace("_", " ")


def offer_log(df: pd.DataFrame) -> list[tuple[str, str, str]]:
    """The last round's text records as ``(table, status, offer)`` rows.

    Reads the ``status.<table>`` and ``offer.<table>`` columns of the last row.
    """
    if df.empty:
        return []
    last = df.iloc[-1]
    tables = []
    for column in df.columns:
        kind, _, table = str(column).partition(".")
        if kind in ("status", "offer") and table and table not in tables:
            tables.append(table)
    rows = []
    for table in tables:
        status, offer = (last.get(f"{kind}.{table}", "") for kind in ("status", "offer"))
        rows.append((table, _text(status), _text(offer)))
    return rows


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def tables_of(df: pd.DataFrame) -> list[str]:
    """Table names found in the ``status.<table>`` columns."""
    return [str(c).split(".", 1)[1] for c in df.columns if str(c).startswith("status.")]


def trade_network(model: Any) -> nx.DiGraph | None:
    """The trade network in force, if the model's world offers one.

    Calls ``model.world.network(model.tariffs)``; returns None when the model has no
    world or the world no ``network``.
    """
    world = getattr(model, "world", None)
    network = getattr(world, "network", None)
    if network is None:
        return None
    tariffs = getattr(model, "tariffs", None)
    return network(tariffs) if tariffs is not None else network()


def mean_edge_tariff(data: dict[str, Any]) -> float:
    """An edge's tariff: the export-weighted mean over sectors (the plain mean without flows)."""
    tariffs = data.get("tariffs") or {}
    if not tariffs:
        return 0.0
    flows = data.get("exports") or {}
    weight = sum(flows.get(s, 0.0) for s in tariffs)
    if weight > 0:
        return sum(t * flows.get(s, 0.0) for s, t in tariffs.items()) / weight
    return sum(tariffs.values()) / len(tariffs)
