"""The rules of agreement: settling, signing after a notice, putting a deal in force.

:class:`AgreementRules` is a part of :class:`~negsim.negotiation.model.NegotiationModel`:
a unanimous (or plurilateral) acceptance settles a table; under a notice to a
legislature the deal is agreed in principle and signed later (model.md C2); an
agreement puts the offer in force, records its commitments (A1) and its Nash gap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np

from negsim.negotiation.commitments import commitments_of
from negsim.negotiation.diagnostics import nash_gap
from negsim.negotiation.protocols import Offer, Table

if TYPE_CHECKING:
    from negsim.negotiation.model import NegotiationModel


class AgreementRules:
    """Settling, signing and putting agreements in force (a part of the negotiation model)."""

    tables: list[Table]
    tariffs: np.ndarray
    health: np.ndarray
    round: int
    version: int
    codes: list[str]
    world: Any
    agreements: list[dict]

    def _model(self) -> NegotiationModel:
        return cast("NegotiationModel", self)

    def _settle(self, table: Table, offer: Offer, members: list[int]) -> None:
        """Agree now, or, with a notice to give, agree in principle and sign later (C2)."""
        if table.notice > 0:
            table.status = "notified"
            table.deal = (offer.package, offer.utility, offer.reserve, sorted(members))
            table.sign_round = self.round + table.notice
            return
        self.agree(table, offer.package, offer.utility, offer.reserve, members)

    def _sign_due(self) -> None:
        for table in self.tables:
            if (
                table.status == "notified"
                and table.sign_round == self.round
                and table.deal is not None
            ):
                package, utility, reserve, members = table.deal  # as agreed in principle
                self.agree(table, package, utility, reserve, members)

    def agree(
        self,
        table: Table,
        offer: np.ndarray,
        utility: np.ndarray,
        reserves: np.ndarray,
        members: list[int],
    ) -> None:
        """Put an agreement in force: tariffs, health, threats withdrawn, the record."""
        if len(members) < len(table.parties):  # plurilateral: members' schedules only
            keep = np.isin(table.importer, members)
            new = self.tariffs.copy()
            sel = (table.importer[keep], table.exporter[keep], table.sector[keep])
            new[sel] = offer[table.issue_of_target[keep]]
        else:
            new = table.apply(offer[None], self.tariffs)[0]
        for k, column in table.demands.items():  # the shares met (N10), leverage kept (A4)
            self._model().demands[k].promised(float(offer[column]), self.tariffs)
        table.commitments = commitments_of(table, offer, new, self.tariffs, self.world)
        self.tariffs = new
        self.health = self._model().agreed_health(table)
        self.version += 1
        table.status = "agreed"
        table.agreement_round = self.round
        table.members = sorted(members)
        for threat in self._model().pending(table):
            threat.status = "withdrawn"
        bounds = self._model().bounds(table, self._model().issue_values(table))
        self.agreements.append(
            {
                "table": table.name,
                "round": self.round,
                "rounds_of_talks": self.round - table.talks_from,
                "members": [self.codes[m] for m in table.members],
                "utility": {self.codes[p]: float(utility[p]) for p in table.parties},
                "reserve": {self.codes[p]: float(reserves[p]) for p in table.parties},
                "nash_gap": nash_gap(self._model(), table, offer, utility, reserves, bounds),
            }
        )
