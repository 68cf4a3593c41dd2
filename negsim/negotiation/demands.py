"""Structural demands beyond tariffs: an issue a deal may meet in part (model.md N10-N12).

A demand (scenario ``demands.<name>``: by, on, value, cost prior, curvature, tied) is
one more issue at every table where both sides sit: the share ``x`` in 0..1 of the
demand the target meets. The demander values it at ``value·x`` (% of its GDP, public,
N10); the target pays ``cost·x^curvature`` with ``cost`` its private type, drawn per
run from the prior (N11), so the others price it by their belief. With ``tied`` the
demander's tariffs on the target above its MFN tariffs fall only with the share met
(N12: Section 301 tariffs are lifted as the target takes "satisfactory measures",
19 USC 2417(a)(1)): the tariffs left in force are the enforcement leverage.
The target's compliance (the share of a promised reform it delivers) is a second
private type; the demander values a promise by its belief's mean (N14), reads the
target's delivery with noise after a deal, learns from it by Bayes' rule and snaps
its tied tariffs back to their level before the deal on a reading below the
threshold or when snapping back pays (A4, A7); the deal then lapses (A5).
A country agent prices the shares in its offers through :class:`DemandPricing`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from negsim.negotiation.beliefs import Beliefs
    from negsim.negotiation.model import NegotiationModel
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
    mirrored: bool = False
    compliances: np.ndarray = field(default_factory=lambda: np.ones(1))
    compliance_weights: np.ndarray = field(default_factory=lambda: np.ones(1))
    met: float = 0.0
    met_before: float = 0.0
    leverage: np.ndarray | None = None  # tariffs in force before the deal (A4)
    readings: list[float] = field(default_factory=list)
    snapped: bool = False
    lapses: int = 0

    @property
    def belief_name(self) -> str:
        """The name of the target's cost type in the beliefs (``cost.<name>``)."""
        return f"cost.{self.name}"

    @property
    def compliance_name(self) -> str:
        """The name of the target's compliance type in the beliefs (``compliance.<name>``)."""
        return f"compliance.{self.name}"

    @property
    def watched(self) -> bool:
        """Whether a deal met more of it and the demander still watches delivery (A4)."""
        return self.leverage is not None and not self.snapped

    def promised(self, share: float, tariffs: np.ndarray) -> None:
        """A deal meets ``share`` of it: keep the tariffs before the deal as leverage (A4)."""
        if share > self.met + 1e-12:
            self.met_before, self.leverage = self.met, tariffs.copy()
            self.readings, self.snapped = [], False
        self.met = share

    def cost(self, share: np.ndarray, level: float | np.ndarray) -> np.ndarray:
        """The target's cost of meeting ``share`` beyond what is in force (model.md N11)."""
        share = np.asarray(share, dtype=float)
        extra = share**self.curvature - self.met**self.curvature
        return np.multiply.outer(extra, level) if np.ndim(level) else extra * level


class DemandPricing:
    """Pricing the shares of demands in offers (a part of the country agent, N11)."""

    model: NegotiationModel
    costs: dict[int, float]
    beliefs: Beliefs
    considered: np.ndarray | None

    def private_cost(self, table: Table, offers: np.ndarray) -> np.ndarray:
        """Its own cost of the shares of the demands on it that ``offers`` meet (N11), (K,)."""
        cost = np.zeros(len(offers))
        for k, column in table.demands.items():
            if k in self.costs:
                cost += self.model.demands[k].cost(offers[:, column], self.costs[k])
        return cost

    def belief_utilities(
        self, table: Table, utilities: np.ndarray, other: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """``other``'s utility of its candidates under each cost type it may have (N11).

        Returns (K, T) utilities and the belief's weights (T,); T = 1 with no demand on
        ``other`` at the table. A second demand on the same party is priced at its mean.
        """
        base = utilities[:, other][:, None]
        weights = np.ones(1)
        offers = self.considered
        first = True
        for k, column in table.demands.items():
            demand = self.model.demands[k]
            if demand.on != other or offers is None:
                continue
            belief = self.beliefs.of(other, demand.belief_name)
            if first:
                base = base - demand.cost(offers[:, column], belief.values)
                weights, first = belief.weights, False
            else:
                base = base - demand.cost(offers[:, column], belief.mean)[:, None]
        return base, weights


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
            mirrored=d.mirrored,
            compliances=np.asarray(d.compliance.values, dtype=float),
            compliance_weights=np.asarray(d.compliance.weights, dtype=float),
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


def tie(
    table: Table,
    demands: list[DemandState],
    offers: np.ndarray,
    current: np.ndarray,
    mfn: np.ndarray,
    imports: np.ndarray | None = None,
) -> None:
    """Raise tied tariffs to ``mfn + (1 - x)·(current - mfn)`` in place (model.md N12).

    With a mirrored demand and ``imports`` given, the target's tariffs on the demander
    are then floored in proportion to what the demander keeps (N16, :func:`mirror`).

    Args:
        table: the table.
        demands: the model's demands.
        offers: candidate packages (K, n_issues), changed in place.
        current: the issues' values in force (n_issues,).
        mfn: each issue's importer's MFN tariff (its tariff on ROW), (n_issues,).
        imports: each issue's imports at the start, USD bn (n_issues,), the weights of N16.
    """
    for k, column in table.demands.items():
        demand = demands[k]
        if not demand.tied:
            continue
        issues = tied_issues(table, demand)
        mfn_tied = mfn[issues]
        above = np.maximum(0.0, current[issues] - mfn_tied)
        floor = mfn_tied + (1.0 - offers[:, column, None]) * above
        np.maximum(offers[:, issues], floor, out=floor)
        offers[:, issues] = floor
        if demand.mirrored and imports is not None:
            mirror(table, demand, offers, current, mfn, imports)


def mirror(
    table: Table,
    demand: DemandState,
    offers: np.ndarray,
    current: np.ndarray,
    mfn: np.ndarray,
    imports: np.ndarray,
) -> None:
    """Floor the target's tariffs on the demander in proportion to the tied ones kept (N16).

    ``ρ`` is the trade-weighted share of the demander's tariffs above MFN in force that an
    offer keeps; the target's tariffs on the demander stay at least
    ``mfn + ρ·max(0, current - mfn)``. These are paper tariffs: a purchase commitment
    (A6) lowers the tariff in force on its entry below them (exclusions). In place.
    """
    tied = tied_issues(table, demand)
    counter = counter_issues(table, demand)
    if not len(counter):
        return
    weights, mfn_tied = imports[tied], mfn[tied]
    total = float(weights @ np.maximum(0.0, current[tied] - mfn_tied))
    if total <= 0.0:
        return
    kept = np.maximum(0.0, offers[:, tied] - mfn_tied) @ weights / total
    mfn_counter = mfn[counter]
    excess = np.maximum(0.0, current[counter] - mfn_counter)
    floor = mfn_counter + np.minimum(np.maximum(kept, 0.0), 1.0)[:, None] * excess  # ρ in 0..1
    values = offers[:, counter]
    binds = (excess > 0.0) & (values < floor)
    offers[:, counter] = np.where(binds, floor, values)


def tied_issues(table: Table, demand: DemandState) -> np.ndarray:
    """The issues that set the demander's tariffs on the target (kept in ``table.layout``)."""
    key = ("tied", demand.by, demand.on)
    issues = table.layout.get(key)
    if issues is None:
        entries = (table.importer == demand.by) & (table.exporter == demand.on)
        issues = table.layout[key] = np.unique(table.issue_of_target[entries])
    return issues


def counter_issues(table: Table, demand: DemandState) -> np.ndarray:
    """The issues that set only the target's tariffs on the demander (none at an MFN table).

    Kept in ``table.layout``, as :func:`tied_issues`.
    """
    key = ("counter", demand.by, demand.on)
    issues = table.layout.get(key)
    if issues is None:
        mine = (table.importer == demand.on) & (table.exporter == demand.by)
        own = np.unique(table.issue_of_target[mine])
        others = np.unique(table.issue_of_target[~mine])
        issues = table.layout[key] = np.setdiff1d(own, others)
    return issues


def demander_values(
    table: Table, demands: list[DemandState], offers: np.ndarray, n: int, expected: list[float]
) -> np.ndarray:
    """The demanders' values of the offers' shares, (K, n) (N10, N14).

    ``v·E[c]·(x - x0)``: a promise is worth what the demander expects delivered,
    ``expected[k]`` its belief's mean of the target's compliance with demand ``k``.
    """
    values = np.zeros((len(offers), n))
    for k, column in table.demands.items():
        demand = demands[k]
        values[:, demand.by] += demand.value * expected[k] * (offers[:, column] - demand.met)
    return values


def reading_likelihood(demand: DemandState, reading: float, noise: float) -> np.ndarray:
    """The likelihood of ``reading`` under each compliance type, c + N(0, noise²) (A4)."""
    gap = (reading - demand.compliances) / max(noise, 1e-9)
    return np.exp(-0.5 * gap**2)


def restored(demand: DemandState, tariffs: np.ndarray) -> np.ndarray:
    """``tariffs`` with the demander's tied tariffs on the target as before the deal (A4).

    With a mirrored demand the target's tariffs on the demander return to at least their
    level before the deal too (N16). A new array; purchases still committed are
    re-applied by the caller.
    """
    assert demand.leverage is not None
    tariffs = tariffs.copy()
    by, on = demand.by, demand.on
    if demand.tied:
        tariffs[by, on] = np.maximum(tariffs[by, on], demand.leverage[by, on])
    if demand.mirrored:  # the target's counter-measures return with them (N16)
        tariffs[on, by] = np.maximum(tariffs[on, by], demand.leverage[on, by])
    return tariffs


def lapse(demand: DemandState) -> None:
    """The reform promised lapses: the share in force returns to its level before the deal."""
    demand.met, demand.snapped = demand.met_before, True
    demand.lapses += 1
