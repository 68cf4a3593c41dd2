"""What the model shows its agents of the state: issues in force, bounds, payoffs.

:class:`StateViews` is a part of :class:`~negsim.negotiation.model.NegotiationModel`:
the values a table's issues hold in force (tariffs, shares of demands met, purchases),
the bounds on offers (red lines, N2, N10, A6), each issue's MFN tariff and imports
(N12, N16), the payoffs of offers and of the state in force, and the threats pending
between a table's parties. Nothing here changes the state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from negsim.economy.linear import SCREEN_STEPS
from negsim.negotiation.commitments import bound_purchases, purchases_in_force
from negsim.negotiation.demands import bound_shares

if TYPE_CHECKING:
    from negsim.negotiation.coercion import ThreatState
    from negsim.negotiation.demands import DemandState
    from negsim.negotiation.protocols import Table
    from negsim.negotiation.valuation import Valuation
    from negsim.scenarios import Scenario


class StateViews:
    """Read-only views of the state for the agents (a part of the negotiation model)."""

    config: Scenario
    codes: list[str]
    tariffs: np.ndarray
    health: np.ndarray
    backdowns: np.ndarray
    round: int
    version: int
    world: Any
    payoffs: Any
    red_lines: Any
    demands: list[DemandState]
    threats: list[ThreatState]
    valuation: Valuation
    _payoffs_at: tuple | None
    _last_payoffs: Any
    _equilibrium_of: bytes | None
    _equilibrium: Any

    def bounds(self, table: Table, current: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bounds on offers: red lines, ``max_tariff``, tariffs in force if liberalizing (N2).

        A demand's share runs from the share in force to 1 (model.md N10).
        """
        low, high = table.bounds(self.red_lines.lower, self.red_lines.upper)
        if self.config.protocol.liberalizing:
            high = np.minimum(high, np.maximum(current, low))
        low, high = bound_shares(table, self.demands, low, high)
        return bound_purchases(table, low, high)

    def issue_values(self, table: Table) -> np.ndarray:
        """The issues' values in force: tariffs, shares of demands met (N10), purchases (A6).

        A committed entry counts at its paper tariff, its amount at the amount committed
        while the commitment holds (0 otherwise).
        """
        current = table.current(self.tariffs)
        for k, column in table.demands.items():
            current[column] = self.demands[k].met
        purchases_in_force(table, current)
        return current

    def mfn_issues(self, table: Table) -> np.ndarray:
        """Each issue's importer's tariff on ROW in the sector (its MFN tariff, N12)."""
        row = len(self.codes)
        values = self.tariffs[table.importer, row, table.sector] * table.weights
        return np.bincount(table.issue_of_target, values, minlength=table.n_issues)

    def issue_imports(self, table: Table) -> np.ndarray:
        """Each issue's imports at the start, USD bn (the weights of model.md N16).

        Kept in ``table.layout`` (the start does not move); treat it as read-only.
        """
        imports = table.layout.get(("imports", table.n_issues))
        if imports is None:
            flows = self.world.base_imports[table.importer, table.exporter, table.sector]
            imports = np.bincount(table.issue_of_target, flows, minlength=table.n_issues)
            table.layout[("imports", table.n_issues)] = imports
        return imports

    @property
    def expected_delivery(self) -> float:
        """The share of a commitment's added purchases expected each round: A2's mean (A8)."""
        return 1.0 - 0.5 * self.config.compliance.shortfall

    # ------------------------------------------------------------------ valuation

    def table_payoffs(
        self,
        table: Table,
        offers: np.ndarray,
        breakdown: bool = False,
        screened: bool = False,
        steps: int = SCREEN_STEPS,
    ):
        """Payoffs of offers at ``table`` (and, with ``breakdown``, of a walk-out last).

        ``screened``: the offers only screened on the linearised economy, with
        ``steps`` chord steps (E12).
        """
        return self.valuation.table_payoffs(table, offers, breakdown, screened, steps)

    def breakdown_state(self, table: Table) -> tuple[np.ndarray, np.ndarray]:
        """Tariffs and health if ``table`` broke down now (model.md N6)."""
        return self.valuation.breakdown_state(table)

    def agreed_health(self, table: Table) -> np.ndarray:
        """Alliance health if ``table`` agreed now."""
        return self.valuation.agreed_health(table)

    @property
    def current_payoffs(self):
        """Payoffs of the state in force (cached until the state changes)."""
        key = (self.round, self.version)
        if self._payoffs_at != key:
            tariffs = self.tariffs.tobytes()
            if self._equilibrium_of != tariffs:  # health and rounds move more often
                self._equilibrium = self.world.solve(self.tariffs[None])
                self._equilibrium_of = tariffs
            self._last_payoffs = self.payoffs.from_equilibrium(
                self._equilibrium, health=self.health, round_=self.round, backdowns=self.backdowns
            )
            self._payoffs_at = key
        return self._last_payoffs

    def current_total(self, country: int) -> float:
        """A country's utility in the state in force."""
        return float(self.current_payoffs.total[0, country])

    def pending(self, table: Table) -> list[ThreatState]:
        """Pending threats between parties of ``table``."""
        return [t for t in self.threats if t.status == "pending" and table.involves(t.by, t.on)]
