"""The one outcome-record schema: every column name, built from the scenario.

A run leaves one flat record (a dict of scalars; one row of the results store). Its key
names are spelled here and nowhere else: the model's DataCollector, :meth:`Outcome.to_record
<negsim.record.outcome.Outcome.to_record>`, the store's column order, the analysis and the
validation all ask a :class:`RecordSchema` (or :func:`parse`) for them.

Keys, with ``C`` a negotiating country, ``X`` any economy (ROW included), ``S`` a sector
and ``T`` a table (``US-JP`` at a bilateral table, ``all`` at a multilateral one):

======================  =============================================================
``agreement``           1 when every table agreed
``agreement.T``         1 when table T agreed; ``agreement_round.T``, ``breakdown.T``
``tariff.C.X.S``        C's tariff on sector S from X at the end (fraction)
``utility.C``           C's total payoff (% of GDP, relative to the start); its
                        components ``econ.C``, ``security.C``, ``politics.C``
``balance.C.D``         C's goods balance with D; ``exports.C.D`` (USD bn)
``alliance.C-D``        alliance health between C and D (0..1)
``threats_executed``    threats executed; ``retaliations`` (and ``retaliations.C``),
                        ``coerced.C`` (threats executed against C)
``nash_gap``            mean distance of the agreements from the table's Nash point
``rounds_to_agreement.T`` rounds from the opening of talks to T's agreement
``truces``              truces agreed (at summits)
``commitment.I.E.S``    purchases of S from E that importer I committed to (USD bn)
``compliance.T``        share of a commitment delivered; ``snapback.T`` (0/1, A3 or A4)
``reform.D``            share of structural demand D met at the end (0..1, model.md N10)
``type.C.K``            C's private type K (``resolve``, ``margin``) drawn for the run
``belief.O.C.K``        what O believes of C's type K at the end (its mean)
======================  =============================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from negsim.scenarios.schema import Scenario

#: The payoff components, total first; ``utility`` is the total everywhere.
COMPONENTS = ("utility", "econ", "security", "politics")

#: Columns the store adds to identify a run, first in every results table.
ID_COLUMNS = ("experiment", "arm", "design_point", "replication", "seed", "status", "error")

#: The columns that name one run of an experiment (unique in a results folder).
RUN_ID = ("design_point", "arm", "replication")

#: Columns that describe a run rather than measure its outcome: never metrics.
NON_METRICS = (*ID_COLUMNS, "scenario", "protocol")

#: The private types of a country (:mod:`negsim.negotiation.beliefs`).
TYPE_NAMES = ("resolve", "margin")

#: Prefix of the columns that hold a run's parameter values (``param.<dotted path>``).
PARAM_PREFIX = "param."

#: Column groups in record order: a name ending in "." is a prefix.
GROUPS = (
    "scenario",
    "protocol",
    "rounds",
    "agreement",
    "agreement.",
    "agreement_round.",
    "breakdown.",
    "tariff.",
    *(f"{c}." for c in COMPONENTS),
    "balance.",
    "exports.",
    "alliance.",
    "threats_executed",
    "retaliations",
    "retaliations.",
    "coerced.",
    "rounds_to_agreement.",
    "truces",
    "commitment.",
    "compliance.",
    "snapback.",
    "reform.",
    "type.",
    "belief.",
    "nash_gap",
)


#: Groups keyed by a table name (kept whole by :func:`parse`).
TABLE_GROUPS = (
    "agreement",
    "agreement_round",
    "breakdown",
    "rounds_to_agreement",
    "compliance",
    "snapback",
)


@dataclass(frozen=True)
class Key:
    """A record key taken apart: its group (``tariff``) and its name parts."""

    group: str
    parts: tuple[str, ...]


def parse(key: str) -> Key:
    """Take a record key apart: ``tariff.US.JP.autos`` -> ``Key("tariff", ("US","JP","autos"))``.

    ``alliance.US-JP`` and ``agreement.US-JP`` keep the table name whole.
    """
    head, _, rest = key.partition(".")
    if not rest:
        return Key(head, ())
    if head in TABLE_GROUPS or head == "alliance":
        return Key(head, (rest,))
    return Key(head, tuple(rest.split(".")))


@dataclass(frozen=True)
class RecordSchema:
    """The record's key names for one scenario and its tables.

    Attributes:
        countries: the negotiating countries, in scenario order.
        codes: every economy, ROW last.
        sectors: the sectors, in scenario order.
        tables: the table names of the protocol that ran.
        names: display name by code (``"JP": "Japan"``), ROW included.
        commitments: the purchase commitments a deal may hold, as ``I.E.S``.
        demands: the structural demands a deal may meet in part, by name.
    """

    countries: tuple[str, ...]
    codes: tuple[str, ...]
    sectors: tuple[str, ...]
    tables: tuple[str, ...]
    names: dict[str, str]
    commitments: tuple[str, ...] = ()
    demands: tuple[str, ...] = ()

    @classmethod
    def from_scenario(cls, scenario: Scenario, tables: Iterable[str]) -> RecordSchema:
        """The schema of a scenario's records for the given table names."""
        names = {c: (n.name or c) for c, n in scenario.nations.items()}
        names[scenario.codes[-1]] = "the rest of the world"
        return cls(
            countries=tuple(scenario.countries),
            codes=tuple(scenario.codes),
            sectors=tuple(scenario.sectors),
            tables=tuple(tables),
            names=names,
            commitments=tuple(
                f"{c.importer}.{c.exporter}.{c.sector}" for c in scenario.commitments.values()
            ),
            demands=tuple(scenario.demands),
        )

    # ------------------------------------------------------------------ single keys

    @staticmethod
    def tariff(importer: str, exporter: str, sector: str) -> str:
        """``tariff.<importer>.<exporter>.<sector>``."""
        return f"tariff.{importer}.{exporter}.{sector}"

    @staticmethod
    def payoff(component: str, country: str) -> str:
        """``<component>.<country>`` for a component of :data:`COMPONENTS`."""
        if component not in COMPONENTS:
            raise ValueError(f"unknown payoff component {component!r}; allowed: {COMPONENTS}")
        return f"{component}.{country}"

    @staticmethod
    def table(group: str, table: str) -> str:
        """``<group>.T`` for a group of :data:`TABLE_GROUPS`."""
        if group not in TABLE_GROUPS:
            raise ValueError(f"unknown table group {group!r}; allowed: {TABLE_GROUPS}")
        return f"{group}.{table}"

    @staticmethod
    def commitment(key: str) -> str:
        """``commitment.I.E.S`` for a commitment ``I.E.S``."""
        return f"commitment.{key}"

    @staticmethod
    def reform(demand: str) -> str:
        """``reform.D``: the share of demand D met."""
        return f"reform.{demand}"

    @staticmethod
    def pair(group: str, a: str, b: str) -> str:
        """``balance.A.B``, ``exports.A.B`` or ``alliance.A-B``."""
        return f"{group}.{a}-{b}" if group == "alliance" else f"{group}.{a}.{b}"

    @staticmethod
    def country(group: str, country: str) -> str:
        """``retaliations.C`` or ``coerced.C``."""
        return f"{group}.{country}"

    # ------------------------------------------------------------------ enumerations

    def tariff_cells(self) -> Iterator[tuple[int, int, int, str]]:
        """(importer index, exporter index, sector index, key) for every tariff column."""
        for j, importer in enumerate(self.countries):
            for i, exporter in enumerate(self.codes):
                if i == j:
                    continue
                for s, sector in enumerate(self.sectors):
                    yield j, i, s, self.tariff(importer, exporter, sector)

    def ordered_pairs(self) -> Iterator[tuple[int, int]]:
        """(a, b) index pairs of distinct negotiating countries."""
        n = len(self.countries)
        return ((a, b) for a in range(n) for b in range(n) if a != b)

    def alliance_pairs(self) -> Iterator[tuple[int, int, str]]:
        """(a, b, key) for each unordered pair of negotiating countries."""
        n = len(self.countries)
        for a in range(n):
            for b in range(a + 1, n):
                yield a, b, self.pair("alliance", self.countries[a], self.countries[b])

    def type_cells(self) -> Iterator[tuple[str, str, str]]:
        """(country, type name, key) of every ``type.C.K`` column."""
        for code in self.countries:
            for name in TYPE_NAMES:
                yield code, name, f"type.{code}.{name}"

    def belief_cells(self) -> Iterator[tuple[str, str, str, str]]:
        """(observer, country, type name, key) of every ``belief.O.C.K`` column."""
        for a, b in self.ordered_pairs():
            observer, about = self.countries[a], self.countries[b]
            for name in TYPE_NAMES:
                yield observer, about, name, f"belief.{observer}.{about}.{name}"

    def columns(self) -> list[str]:
        """Every key of a record of this schema, in record order."""
        keys = ["scenario", "protocol", "seed", "status", "rounds", "agreement"]
        for group in ("agreement", "agreement_round", "breakdown"):
            keys += [self.table(group, t) for t in self.tables]
        keys += [key for *_, key in self.tariff_cells()]
        keys += [self.payoff(c, k) for c in COMPONENTS for k in self.countries]
        for a, b in self.ordered_pairs():
            keys += [self.pair(g, self.countries[a], self.countries[b]) for g in ("balance",)]
            keys.append(self.pair("exports", self.countries[a], self.countries[b]))
        keys += [key for *_, key in self.alliance_pairs()]
        keys += ["threats_executed", "retaliations"]
        for c in self.countries:
            keys += [self.country("retaliations", c), self.country("coerced", c)]
        keys += [self.table("rounds_to_agreement", t) for t in self.tables]
        keys.append("truces")
        keys += [self.commitment(c) for c in self.commitments]
        keys += [self.table("compliance", t) for t in self.tables]
        keys += [self.table("snapback", t) for t in self.tables]
        keys += [self.reform(d) for d in self.demands]
        keys += [key for *_, key in self.type_cells()]
        keys += [key for *_, key in self.belief_cells()]
        keys.append("nash_gap")
        return keys

    def name(self, code: str) -> str:
        """The display name of a code (the code itself when the scenario names none)."""
        return self.names.get(code, code)


def column_order(columns: Iterable[str], codes: list[str], sectors: list[str]) -> list[str]:
    """The canonical order of a results table's columns.

    Identity columns, then ``param.*``, then the record's groups (:data:`GROUPS`) with
    countries and sectors in scenario order. The order depends only on the set of
    columns, not on how runs fell into chunks.
    """

    def token(text: str) -> tuple[int, int | str]:
        if text in codes:
            return (0, codes.index(text))
        if text in sectors:
            return (1, sectors.index(text))
        return (2, text)

    def rank(column: str) -> tuple[object, ...]:
        if column.startswith(PARAM_PREFIX):
            return (0, column)
        for place, group in enumerate(GROUPS, start=1):
            if column == group or (group.endswith(".") and column.startswith(group)):
                rest = column[len(group) :]
                return (place, tuple(token(t) for t in re.split(r"[.-]", rest) if t))
        return (len(GROUPS) + 1, column)

    rest = [c for c in columns if c not in ID_COLUMNS]
    return [*ID_COLUMNS, *sorted(rest, key=rank)]
