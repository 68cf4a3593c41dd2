"""The columns of a results table, from the one record schema (:mod:`negsim.record.schema`).

Identity columns (:data:`ID_COLUMNS`), then ``param.<path>`` for every parameter an
arm, the design or a perturbation set, then the outcome record's columns by group,
with countries and sectors in the scenario's order. The order depends only on the
set of columns, not on how runs fell into parts.
"""

from __future__ import annotations

from typing import Any

from negsim.record import schema
from negsim.record.schema import ID_COLUMNS, RUN_ID

__all__ = ["ID_COLUMNS", "RUN_ID", "column_order"]


def column_order(columns: list[str], scenario: dict[str, Any]) -> list[str]:
    """The canonical order of ``columns`` for a scenario (its raw dict)."""
    codes = [*scenario.get("countries", []), "ROW"]
    return schema.column_order(columns, codes, list(scenario.get("sectors", [])))
