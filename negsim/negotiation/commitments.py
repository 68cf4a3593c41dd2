"""Purchase commitments, noisy compliance and snap-back (model.md A1-A3).

A commitment "the importer buys at least X of a sector from the exporter" enters the
economy through its tariff equivalent (A1): the import subsidy (a tariff below zero)
at which the importer's purchases reach X with everything else at the start, paid
by the importer; by the quota-subsidy equivalence this is the demand shift the
commitment imposes. Offers at a table may then set that entry as low as the
equivalent of the largest commitment allowed: a tariff below zero is a commitment.
After the deal the importer delivers part of it (A2) and the exporter, reading
compliance with noise, snaps its own tariffs back to their level before the deal
when the reading falls below a threshold (A3): the tariffs the deal cut are its
enforcement leverage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import brentq

from negsim.economy import World
from negsim.scenarios import Scenario

if TYPE_CHECKING:
    from negsim.negotiation.protocols import Table

LOWEST = -0.9  # the deepest subsidy equivalent searched (a tariff of -90%)


def tariff_equivalent(world: World, entry: tuple[int, int, int], most: float) -> float:
    """The tariff at which the importer's purchases of ``entry`` reach ``most`` (A1).

    ``entry`` is (importer, exporter, sector); other tariffs stay at the start. Zero
    when the purchases at a zero tariff already reach ``most``.
    """
    j, i, s = entry
    tariffs = world.base_tariffs.copy()

    def gap(t: float) -> float:
        tariffs[j, i, s] = t
        return float(world.exports(tariffs)[i, j, s]) - most

    if gap(0.0) >= 0:
        return 0.0
    if gap(LOWEST) < 0:
        return LOWEST
    return float(brentq(gap, LOWEST, 0.0, xtol=1e-6))


def floors(scenario: Scenario, world: World, lower: np.ndarray) -> np.ndarray:
    """Lower bounds on tariffs with every commitment's tariff equivalent (A1)."""
    codes, sectors = scenario.codes, scenario.sectors
    out = lower.copy()
    for item in scenario.commitments.values():
        entry = (codes.index(item.importer), codes.index(item.exporter), sectors.index(item.sector))
        if out[entry] <= 0.0:  # a red-line floor above zero wins
            out[entry] = min(out[entry], tariff_equivalent(world, entry, item.most))
    return out


@dataclass
class Commitments:
    """The commitments of one agreement and what became of them.

    Attributes:
        entries: committed (importer, exporter, sector) entries and their agreed tariff.
        purchases: the purchases committed per entry, USD bn a year.
        leverage: the tariffs in force before the deal (restored on snap-back).
        delivered: the share delivered each round since the deal.
        snapped: whether the exporter snapped back.
    """

    entries: dict[tuple[int, int, int], float]
    purchases: dict[tuple[int, int, int], float]
    leverage: np.ndarray
    delivered: list[float] = field(default_factory=list)
    snapped: bool = False

    @property
    def importers(self) -> set[int]:
        """Countries that committed to buy."""
        return {j for j, _, _ in self.entries}


def commitments_of(table: Table, tariffs: np.ndarray, before: np.ndarray, world: World):
    """The commitments an agreed state holds at ``table`` (entries below zero), or None."""
    below = np.flatnonzero(tariffs[table.importer, table.exporter, table.sector] < 0.0)
    if not len(below):
        return None
    entries = {
        (int(table.importer[k]), int(table.exporter[k]), int(table.sector[k])): float(
            tariffs[table.importer[k], table.exporter[k], table.sector[k]]
        )
        for k in below
    }
    flows = world.exports(tariffs)
    purchases = {e: float(flows[e[1], e[0], e[2]]) for e in entries}
    return Commitments(entries=entries, purchases=purchases, leverage=before.copy())
