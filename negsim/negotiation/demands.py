"""Structural demands beyond tariffs: an issue a deal may meet in part (model.md N10-N12).

A demand (scenario ``demands.<name>``: by, on, value, cost prior, curvature, tied) is
one more issue at every table where both sides sit: the share ``x`` in 0..1 of the
demand the target meets. The demander values it at ``value·x`` (% of its GDP, public,
N10); the target pays ``cost·x^curvature`` with ``cost`` its private type, drawn per
run from the prior (N11), so the others price it by their belief. With ``tied`` the
demander's tariffs on the target above its MFN tariffs fall only with the share met
(N12: Section 301 tariffs are lifted as the target takes "satisfactory measures",
19 USC 2417(a)(1)): the tariffs left in force are the enforcement leverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from negsim.negotiation.protocols import Table
    from negsim.scenarios import Scenario


@dataclass
class DemandState:
    """A scenario demand at run time, and the share of it in force."""

    name: str
    by: int
    on: int
    value: float
    costs: np.ndarray
    weights: np.ndarray
    curvature: float
    tied: bool
    met: float = 0.0

    @property
    def belief_name(self) -> str:
        """The name of the target's cost type in the beliefs (``cost.<name>``)."""
        return f"cost.{self.name}"

    def cost(self, share: np.ndarray, level: float | np.ndarray) -> np.ndarray:
        """The target's cost of meeting ``share`` beyond what is in force (model.md N11)."""
        share = np.asarray(share, dtype=float)
        extra = share**self.curvature - self.met**self.curvature
        return np.multiply.outer(extra, level) if np.ndim(level) else extra * level


def demands_of(config: Scenario) -> list[DemandState]:
    """The scenario's demands as run-time state (nothing met at round 0)."""
    codes = config.countries
    return [
        DemandState(
            name=name,
            by=codes.index(d.by),
            on=codes.index(d.on),
            value=d.value,
            costs=np.asarray(d.cost.values, dtype=float),
            weights=np.asarray(d.cost.weights, dtype=float),
            curvature=d.curvature,
            tied=d.tied,
        )
        for name, d in config.demands.items()
    ]


def add_issues(table: Table, demands: list[DemandState]) -> None:
    """Append one issue per demand whose two sides sit at ``table`` (the share met)."""
    for k, demand in enumerate(demands):
        if table.involves(demand.by, demand.on):
            table.demands[k] = table.n_issues
            table.n_issues += 1


def bound_shares(
    table: Table, demands: list[DemandState], low: np.ndarray, high: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Bounds on the share issues: from the share in force up to the whole demand."""
    if not table.demands:
        return low, high
    low, high = low.copy(), high.copy()
    for k, column in table.demands.items():
        low[column], high[column] = demands[k].met, 1.0
    return low, high


def tie(table: Table, demands: list[DemandState], offers: np.ndarray, current, mfn) -> None:
    """Raise tied tariffs to ``mfn + (1 - x)·(current - mfn)`` in place (model.md N12).

    Args:
        table: the table.
        demands: the model's demands.
        offers: candidate packages (K, n_issues), changed in place.
        current: the issues' values in force (n_issues,).
        mfn: the demander's MFN tariff per issue (its tariff on ROW), (n_issues,).
    """
    for k, column in table.demands.items():
        demand = demands[k]
        if not demand.tied:
            continue
        issues = tied_issues(table, demand)
        above = np.maximum(0.0, current[issues] - mfn[issues])
        floor = mfn[issues] + (1.0 - offers[:, column, None]) * above
        np.maximum(offers[:, issues], floor, out=floor)
        offers[:, issues] = floor


def tied_issues(table: Table, demand: DemandState) -> np.ndarray:
    """The issues that set the demander's tariffs on the target."""
    entries = (table.importer == demand.by) & (table.exporter == demand.on)
    return np.unique(table.issue_of_target[entries])


def demander_values(table: Table, demands: list[DemandState], offers: np.ndarray, n: int):
    """Each country's public value of the offers' shares, (K, n): the demander's (N10)."""
    values = np.zeros((len(offers), n))
    for k, column in table.demands.items():
        demand = demands[k]
        values[:, demand.by] += demand.value * (offers[:, column] - demand.met)
    return values
