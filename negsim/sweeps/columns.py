"""The columns of a results table: run identity, then parameters, then the record.

Identity columns (:data:`ID_COLUMNS`), then ``param.<path>`` for every parameter an
arm, the design or a perturbation set, then the outcome record's columns by group,
with countries and sectors in the scenario's order. The order depends only on the
set of columns, not on how runs fell into parts.
"""

from __future__ import annotations

import re
from typing import Any

ID_COLUMNS = ("experiment", "arm", "design_point", "replication", "seed", "status", "error")
RUN_ID = ("design_point", "arm", "replication")

_GROUPS = (
    "scenario",
    "protocol",
    "rounds",
    "agreement",
    "agreement.",
    "agreement_round.",
    "breakdown.",
    "tariff.",
    "utility.",
    "econ.",
    "security.",
    "politics.",
    "welfare.",
    "balance.",
    "exports.",
    "alliance.",
    "threats_executed",
    "retaliations",
    "retaliations.",
    "coerced.",
    "nash_gap",
)


def column_order(columns: list[str], scenario: dict[str, Any]) -> list[str]:
    """The canonical order of ``columns`` for a scenario (its raw dict)."""
    codes = [*scenario.get("countries", []), "ROW"]
    sectors = list(scenario.get("sectors", []))

    def token(text: str) -> tuple[int, int | str]:
        if text in codes:
            return (0, codes.index(text))
        if text in sectors:
            return (1, sectors.index(text))
        return (2, text)

    def key(column: str) -> tuple[Any, ...]:
        if column.startswith("param."):
            return (0, column)
        for rank, group in enumerate(_GROUPS, start=1):
            if column == group or (group.endswith(".") and column.startswith(group)):
                rest = column[len(group) :]
                return (rank, tuple(token(t) for t in re.split(r"[.-]", rest) if t))
        return (len(_GROUPS) + 1, column)

    rest = [c for c in columns if c not in ID_COLUMNS]
    return [*ID_COLUMNS, *sorted(rest, key=key)]
