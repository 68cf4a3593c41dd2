"""Purchase commitments, noisy compliance and snap-back (model.md A1-A3, A6, N15).

A commitment "the importer buys at least X of a sector from the exporter" is an issue
of a bilateral table: the amount X (A6). It enters the economy through its tariff
equivalent: the tariff at which the importer's purchases reach X with everything
else at the start (by the quota-subsidy equivalence, the demand shift the commitment
imposes; below zero a subsidy paid by the importer, A1). The entry in force is the
lower of the paper tariff and that equivalent: the importer keeps its tariff on the
books and buys through exclusions, as China did in 2020. Candidate offers draw the
amount over its whole range (N15). After the deal the importer delivers part of it
(A2) and the exporter, reading compliance with noise, snaps its own tariffs back to
their level before the deal when snapping back is worth more to it than the deal at
the delivery it reads (A7; or, by the older rule, when a reading falls below a
threshold, A3): the tariffs the deal cut are its enforcement leverage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.interpolate import PchipInterpolator
from scipy.optimize import brentq

from negsim.economy import World
from negsim.scenarios import Scenario

if TYPE_CHECKING:
    from negsim.negotiation.protocols import Table

LOWEST = -0.9  # the deepest subsidy equivalent searched (a tariff of -90%)


def tariff_equivalent(
    world: World, entry: tuple[int, int, int], most: float, top: float = 1.0
) -> float:
    """The tariff at which the importer's purchases of ``entry`` reach ``most`` (A1, A6).

    ``entry`` is (importer, exporter, sector); other tariffs stay at the start. Solved
    by root-finding in ``LOWEST .. top`` (clamped at the ends); positive when the
    importer buys ``most`` at a tariff above zero.
    """
    j, i, s = entry
    tariffs = world.base_tariffs.copy()

    def gap(t: float) -> float:
        tariffs[j, i, s] = t
        return float(world.exports(tariffs)[i, j, s]) - most

    if gap(top) >= 0:
        return top
    if gap(LOWEST) < 0:
        return LOWEST
    return float(brentq(gap, LOWEST, top, xtol=1e-6))


CURVE_POINTS = 16  # tariffs at which a commitment's purchase curve is solved (A6)
CURVE_LOW = -0.5  # the lowest of them (a subsidy of 50%)


@dataclass
class PurchaseIssue:
    """A purchase commitment as an issue of a bilateral table (model.md A6).

    Attributes:
        name: the scenario's commitment name.
        entry: (importer, exporter, sector).
        column: the issue holding the amount committed, USD bn a year (0 .. ``most``).
        target: the tariff issue that sets the entry (its paper tariff).
        most: the largest amount that may be committed.
        grid: log(1 + t) at the tariffs solved, ascending.
        bought: log purchases there, all else at the start (descending).
    """

    name: str
    entry: tuple[int, int, int]
    column: int
    target: int
    most: float
    grid: np.ndarray
    bought: np.ndarray
    _curve: PchipInterpolator | None = field(default=None, repr=False, compare=False)

    def equivalent(self, amount: np.ndarray) -> np.ndarray:
        """The tariff at which the importer's purchases reach ``amount`` (A6; +inf at 0).

        Interpolated (monotone cubic) in log purchases against log(1 + t) between the
        solved tariffs (a constant-elasticity curve is a line there); clamped at the ends.
        """
        if self._curve is None:
            self._curve = PchipInterpolator(self.bought[::-1], self.grid[::-1])
        amount = np.asarray(amount, dtype=float)
        logs = np.clip(np.log(np.maximum(amount, 1e-12)), self.bought[-1], self.bought[0])
        rate = np.expm1(self._curve(logs))
        return np.where(amount > 0.0, rate, np.inf)


def purchase_curve(world: World, entry: tuple[int, int, int], top: float):
    """log(1 + t) and log purchases of ``entry`` at ``CURVE_POINTS`` tariffs, all else at start."""
    j, i, s = entry
    rates = np.linspace(CURVE_LOW, max(top, 0.5), CURVE_POINTS)
    tariffs = np.repeat(world.base_tariffs[None], CURVE_POINTS, axis=0)
    tariffs[:, j, i, s] = rates
    bought = world.exports(tariffs)[:, i, j, s]
    return np.log1p(rates), np.log(np.maximum(bought, 1e-12))


def purchase_issues(scenario: Scenario, table: Table, world: World, cache: dict) -> None:
    """Append an issue per commitment whose entry a tariff issue of ``table`` sets alone (A6).

    At an MFN table an importer's issue sets its tariff on every exporter, so a
    commitment to buy from one partner has no issue there. The purchase curves are kept
    in ``cache`` (the scenario's shared derived parts), with their interpolants (built
    once: a scenario's runs share them).
    """
    codes, sectors = scenario.codes, scenario.sectors
    top = scenario.protocol.max_tariff
    for name, item in scenario.commitments.items():
        entry = (codes.index(item.importer), codes.index(item.exporter), sectors.index(item.sector))
        hits = (table.importer == entry[0]) & (table.exporter == entry[1])
        hits &= table.sector == entry[2]
        issues = np.unique(table.issue_of_target[hits])
        if len(issues) != 1 or (table.issue_of_target == issues[0]).sum() != 1:
            continue
        key = f"purchases:{name}"
        if key not in cache:  # the curve and its interpolant (read-only: shared by runs)
            grid, bought = purchase_curve(world, entry, top)
            cache[key] = grid, bought, PchipInterpolator(bought[::-1], grid[::-1])
        grid, bought, curve = cache[key]
        column = table.n_issues
        table.purchases[column] = PurchaseIssue(
            name, entry, column, int(issues[0]), item.most, grid, bought, curve
        )
        table.n_issues += 1


def bound_purchases(table: Table, low: np.ndarray, high: np.ndarray):
    """Bounds with each purchase issue from 0 to the most allowed (A6); copies if any."""
    if not table.purchases:
        return low, high
    low, high = low.copy(), high.copy()
    for column, issue in table.purchases.items():
        low[column], high[column] = 0.0, issue.most
    return low, high


def purchases_in_force(table: Table, current: np.ndarray) -> None:
    """Set the purchase issues of ``current`` in place (A6).

    While a commitment holds, its entry counts at its paper tariff and its amount at
    the amount committed; otherwise the amount is 0.
    """
    held = table.commitments
    for column, issue in table.purchases.items():
        if held is not None and not held.snapped and issue.entry in held.entries:
            current[issue.target] = held.paper[issue.entry]
            current[column] = held.amounts[issue.entry]
        else:
            current[column] = 0.0


def put_purchases(
    rng: np.random.Generator, offers: np.ndarray, purchases: dict, low: np.ndarray, high: np.ndarray
) -> None:
    """Draw each sampled candidate's committed amount over its whole range, in place (N15).

    Rows 3 on (the first three are the last offers and the state, N2); an amount at or
    below what the importer buys anyway does not bind (A6): no commitment.
    """
    for column in purchases:
        offers[3:, column] = rng.uniform(low[column], high[column], len(offers) - 3)


@dataclass
class Commitments:
    """The commitments of one agreement and what became of them.

    Attributes:
        entries: committed (importer, exporter, sector) entries and their tariff in force
            with the commitment met (the lower of paper and equivalent, A6).
        paper: each entry's paper tariff (the tariff the deal left on the books).
        amounts: the amount committed per entry, USD bn a year (the issue's value).
        purchases: what the importer buys per entry at the agreed state, USD bn a year.
        leverage: the tariffs in force before the deal (restored on snap-back).
        delivered: the share delivered each round since the deal.
        snapped: whether the exporter snapped back.
    """

    entries: dict[tuple[int, int, int], float]
    paper: dict[tuple[int, int, int], float]
    amounts: dict[tuple[int, int, int], float]
    purchases: dict[tuple[int, int, int], float]
    leverage: np.ndarray
    delivered: list[float] = field(default_factory=list)
    snapped: bool = False

    @property
    def importers(self) -> set[int]:
        """Countries that committed to buy."""
        return {j for j, _, _ in self.entries}

    def in_force(self, share: float) -> dict[tuple[int, int, int], float]:
        """Each entry's tariff with ``share`` of the commitment delivered (A2).

        ``paper + share·(equivalent - paper)``: the exclusions granted cover that share
        of the purchases the commitment adds.
        """
        return {e: self.paper[e] + share * (t - self.paper[e]) for e, t in self.entries.items()}

    def kept(self, tariffs: np.ndarray, share: float) -> np.ndarray:
        """``tariffs`` with ``share`` of the purchases delivered from now on (A7-A8), a copy."""
        tariffs = tariffs.copy()
        if not self.snapped:
            for entry, tariff in self.in_force(share).items():
                tariffs[entry] = tariff
        return tariffs

    def restored(self, tariffs: np.ndarray, parties: list[int]) -> np.ndarray:
        """``tariffs`` after a snap-back (A3): a new array.

        The exporters' tariffs on the importers return to at least their level before the
        deal, and the committed entries to their tariff before it (not below zero).
        """
        tariffs = tariffs.copy()
        importers = self.importers
        for exporter in [p for p in parties if p not in importers]:
            for importer in importers:
                before = self.leverage[exporter, importer]
                tariffs[exporter, importer] = np.maximum(tariffs[exporter, importer], before)
        for entry in self.entries:
            tariffs[entry] = max(0.0, self.leverage[entry])
        return tariffs


def commitments_of(table: Table, offer: np.ndarray, tariffs: np.ndarray, before: np.ndarray, world):
    """The commitments an agreed offer holds at ``table`` (binding purchase issues), or None.

    A commitment binds when its equivalent lies below the paper tariff the offer sets
    (A6): the importer would not buy that much anyway.
    """
    entries, paper, amounts = {}, {}, {}
    for column, issue in table.purchases.items():
        written = float(offer[issue.target])
        if tariffs[issue.entry] < written - 1e-12:
            entries[issue.entry] = float(tariffs[issue.entry])
            paper[issue.entry], amounts[issue.entry] = written, float(offer[column])
    if not entries:
        return None
    flows = world.exports(tariffs)
    purchases = {e: float(flows[e[1], e[0], e[2]]) for e in entries}
    return Commitments(entries, paper, amounts, purchases, leverage=before.copy())
