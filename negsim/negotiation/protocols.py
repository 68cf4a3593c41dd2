"""Bilateral and multilateral negotiation tables.

A table knows its parties, the issues on it (which tariffs an offer sets) and its
state (open, agreed, broken off). ``BilateralTable`` negotiates the tariffs two
countries levy on each other, sector by sector (preferential: a deal changes only
that pair's tariffs). ``MultilateralTable`` negotiates MFN schedules: an importer's
tariff in a sector, the same for every exporter, ROW included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

PROTOCOLS = ("bilateral", "multilateral")


@dataclass
class Offer:
    """The offer on a table this round: who made it, what it is worth, the answers."""

    proposer: int
    package: np.ndarray
    utility: np.ndarray
    reserve: np.ndarray
    sincere: bool
    answers: dict[int, bool] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        """Whether every responder accepted (unanimity)."""
        return all(self.answers.values())


@dataclass
class Table:
    """A negotiation table: parties, issues and state.

    Attributes:
        name: ``A-B`` for a pair, ``all`` for the multilateral table.
        parties: country indices at the table, in scenario order.
        targets: the tariff entries each issue sets, as (importer, exporter, sector)
            index arrays, with ``issue_of_target`` mapping each entry to its issue.
        status: ``open``, ``notified`` (agreed, waiting out a notice before
            signing), ``agreed`` or ``broken``.
        talks_from: first round offers may be made (model.md C2).
        notice: rounds between agreement and signature (model.md C2).
        demands: the share issues of structural demands, appended after the
            tariff issues (model.md N10).
        layout: index sets derived from the table's entries alone (which issues set
            a pair's tariffs, each issue's imports at the start), computed on first
            use and kept: the entries never change. Read-only.
    """

    name: str
    parties: list[int]
    importer: np.ndarray
    exporter: np.ndarray
    sector: np.ndarray
    issue_of_target: np.ndarray
    n_issues: int
    weights: np.ndarray
    status: str = "open"
    agreement_round: int | None = None
    members: list[int] = field(default_factory=list)
    last_offer: dict[int, np.ndarray] = field(default_factory=dict)
    turn: int = 0
    stalled: dict[int, int] = field(default_factory=dict)
    best: dict[int, float] = field(default_factory=dict)
    talks_from: int = 0
    notice: int = 0
    offer: Offer | None = None
    deal: tuple | None = None
    sign_round: int | None = None
    commitments: Any = None
    demands: dict[int, int] = field(default_factory=dict)  # demand index -> its issue (N10)
    purchases: dict[int, Any] = field(default_factory=dict)  # issue -> PurchaseIssue (A6)
    _bounds_cache: tuple | None = field(default=None, repr=False, compare=False)
    layout: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def open(self) -> bool:
        """Whether talks at the table go on."""
        return self.status == "open"

    @property
    def talking(self) -> bool:
        """Whether the parties are still engaged (open, or agreed and waiting to sign)."""
        return self.status in ("open", "notified")

    def proposer(self) -> int:
        """Index of the party whose turn it is to propose (alternating / rotating)."""
        return self.parties[self.turn % len(self.parties)]

    def current(self, tariffs: np.ndarray) -> np.ndarray:
        """The issues' values in a tariff state (trade-weighted where an issue is MFN)."""
        values = tariffs[self.importer, self.exporter, self.sector] * self.weights
        return np.bincount(self.issue_of_target, values, minlength=self.n_issues)

    def effective(self, offers: np.ndarray, share: float = 1.0) -> np.ndarray:
        """Offers with each committed entry at the lower of paper and equivalent (A6).

        With ``share`` below 1, that share of the purchases the commitment adds
        (A2: ``paper + share·(equivalent − paper)``; the offers' value at the delivery
        expected, A8). Returns ``offers`` itself when the table has no purchase issue,
        else a copy.
        """
        if not self.purchases:
            return offers
        out = offers.copy()
        for column, issue in self.purchases.items():
            paper = out[:, issue.target]
            met = np.minimum(paper, issue.equivalent(offers[:, column]))
            out[:, issue.target] = met if share == 1.0 else paper + share * (met - paper)
        return out

    def put(self, offers: np.ndarray, tariffs: np.ndarray) -> np.ndarray:
        """Tariff states (K, n+1, n+1, S) with the issues' values of ``offers`` in force."""
        states = np.repeat(tariffs[None], offers.shape[0], axis=0)
        states[:, self.importer, self.exporter, self.sector] = offers[:, self.issue_of_target]
        return states

    def apply(self, offers: np.ndarray, tariffs: np.ndarray) -> np.ndarray:
        """Tariff states (K, n+1, n+1, S) with the offers (K, n_issues) put in force (A6)."""
        return self.put(self.effective(offers), tariffs)

    def bounds(self, lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bounds per issue from red-line bounds on tariff entries (tightest entry wins).

        Red lines are fixed for a run, so the result is cached for the same ``lower``
        and ``upper`` arrays (by identity); treat the returned arrays as read-only.
        """
        cached = self._bounds_cache
        if cached is not None and cached[0] is lower and cached[1] is upper:
            return cached[2]
        low = np.full(self.n_issues, -np.inf)  # issues beyond tariffs are bounded elsewhere
        high = np.full(self.n_issues, np.inf)
        np.maximum.at(low, self.issue_of_target, lower[self.importer, self.exporter, self.sector])
        np.minimum.at(high, self.issue_of_target, upper[self.importer, self.exporter, self.sector])
        self._bounds_cache = (lower, upper, (low, high))
        return low, high

    def involves(self, a: int, b: int) -> bool:
        """Whether both countries sit at this table."""
        return a in self.parties and b in self.parties


def bilateral_table(a: int, b: int, codes: list[str], n_sectors: int) -> Table:
    """A table on the tariffs ``a`` and ``b`` levy on each other, sector by sector.

    Issues ``0..S-1`` are ``a``'s tariffs on ``b``; ``S..2S-1`` are ``b``'s on ``a``.
    """
    sectors = np.arange(n_sectors)
    importer = np.concatenate([np.full(n_sectors, a), np.full(n_sectors, b)])
    exporter = np.concatenate([np.full(n_sectors, b), np.full(n_sectors, a)])
    sector = np.concatenate([sectors, sectors])
    issue = np.arange(2 * n_sectors)
    return Table(
        name=f"{codes[a]}-{codes[b]}",
        parties=[a, b],
        importer=importer,
        exporter=exporter,
        sector=sector,
        issue_of_target=issue,
        n_issues=2 * n_sectors,
        weights=np.ones(2 * n_sectors),
    )


def multilateral_table(parties: list[int], base_imports: np.ndarray, n_sectors: int) -> Table:
    """One table on MFN schedules: issue ``(j, s)`` sets j's tariff in s on every exporter.

    ``base_imports[j, i, s]`` weights the exporters when the current (possibly
    discriminatory) tariffs are summarised as one MFN value.
    """
    m = base_imports.shape[0]
    importer, exporter, sector, issue = [], [], [], []
    for position, j in enumerate(parties):
        for s in range(n_sectors):
            for i in range(m):
                if i != j:
                    importer.append(j)
                    exporter.append(i)
                    sector.append(s)
                    issue.append(position * n_sectors + s)
    importer_a, exporter_a, sector_a = np.array(importer), np.array(exporter), np.array(sector)
    issue_a = np.array(issue)
    flows = base_imports[importer_a, exporter_a, sector_a] + 1e-9
    totals = np.bincount(issue_a, flows)
    return Table(
        name="all",
        parties=list(parties),
        importer=importer_a,
        exporter=exporter_a,
        sector=sector_a,
        issue_of_target=issue_a,
        n_issues=len(parties) * n_sectors,
        weights=flows / totals[issue_a],
    )


def division_table(n_parties: int) -> Table:
    """A table over the split of a unit pie: issue k is party k's share."""
    empty = np.zeros(0, dtype=int)
    return Table(
        name="all",
        parties=list(range(n_parties)),
        importer=empty,
        exporter=empty,
        sector=empty,
        issue_of_target=empty,
        n_issues=n_parties,
        weights=np.zeros(0),
    )


def unanimous(answers: dict[int, bool]) -> bool:
    """Whether every responder accepted (unanimity)."""
    return all(answers.values())
