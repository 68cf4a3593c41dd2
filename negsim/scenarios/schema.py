"""The scenario schema: pydantic models with units, ranges and name checks.

A scenario file is TOML. Its top level holds the scenario-wide settings
(``countries``, ``sectors``, ``horizon``, ``tables``, ``economy``, ``diplomacy``,
``threats``, ``red_lines``, ``events``) and one section per country code plus
``ROW`` for the rest of the world. Every value is addressable by a dotted path
(:mod:`negsim.scenarios.overrides`).
"""

from __future__ import annotations

import typing
from typing import Any, Literal

from pydantic import Field, model_validator

from negsim.scenarios.fields import (
    MAX_TARIFF,
    ROW,
    Fraction,
    NonNegative,
    ScenarioError,
    Tariff,
    _known,
    _RefError,
    _Strict,
    _unit,
    did_you_mean,
)
from negsim.scenarios.priors import Demand, Prior, _point
from negsim.scenarios.rules import (
    Commitment,
    Compliance,
    Diplomacy,
    Event,
    History,
    Notice,
    Protocol,
    RedLine,
    Summit,
    Threat,
)

__all__ = [
    "MAX_TARIFF",
    "ROW",
    "Commitment",
    "Compliance",
    "Country",
    "Demand",
    "Diplomacy",
    "Economy",
    "Event",
    "History",
    "Notice",
    "Politics",
    "Prior",
    "Protocol",
    "RedLine",
    "RestOfWorld",
    "Scenario",
    "ScenarioError",
    "Security",
    "Strategy",
    "Summit",
    "Threat",
    "did_you_mean",
]


class Security(_Strict):
    """Security ties of one country (issue linkage, docs/model.md#security)."""

    reliance: dict[str, Fraction] = _unit(
        "0..1", "how much this country relies on a partner for its security", default_factory=dict
    )
    alliance_value: NonNegative = _unit(
        "% of own GDP", "value of a fully healthy alliance, per year", default=0.0
    )
    rivalry: dict[str, NonNegative] = _unit(
        "weight", "weight on a partner's relative gains", default_factory=dict
    )


class Politics(_Strict):
    """Domestic politics of one country (two-level games, docs/model.md#politics)."""

    lobby: dict[str, NonNegative] = _unit(
        "weight", "Grossman-Helpman weight on an organised sector's rents", default_factory=dict
    )
    elections: list[int] = _unit("round", "rounds on which elections fall", default_factory=list)
    salience_base: NonNegative = _unit(
        "weight", "weight on bilateral balances far from an election", default=0.0
    )
    salience_peak: NonNegative = _unit(
        "weight", "extra weight on bilateral balances at an election", default=0.0
    )
    salience_lead: float = _unit(
        "rounds", "how far ahead of an election the salience builds up", default=3.0, gt=0
    )
    audience_cost: NonNegative = _unit(
        "% of own GDP", "cost of backing down from a public threat", default=0.0
    )
    lobby_peak: NonNegative = _unit(
        "share", "extra share of the lobby weights at an election (model.md P7)", default=0.0
    )


class Strategy(_Strict):
    """Negotiation strategy of one country and its private types (docs/model.md#strategy)."""

    kind: str = _unit(
        "-", "strategy, by name in the negotiation layer's registry", default="aspiration"
    )
    concession: float = _unit(
        "exponent", "e in the aspiration curve: <1 Boulware, >1 Conceder", default=1.0, gt=0
    )
    deadline: int | None = _unit(
        "round", "round by which the agent wants a deal (none: the horizon)", default=None, ge=1
    )
    candidates: int = _unit(
        "count", "candidate packages sampled per offer", default=64, ge=1, le=4096
    )
    step: NonNegative = _unit("tariff", "spread of sampled offers around the centre", default=0.05)
    search: Literal["sampled", "directed"] = _unit(
        "-",
        "offer search: all candidates sampled (N2), or half sampled and half along the "
        "trade-offs they reveal (N17)",
        default="directed",
    )
    noise: NonNegative = _unit(
        "% of GDP", "noise of the agent's model of others' payoffs", default=0.01
    )
    resolve: Prior = _unit(
        "% of own GDP",
        "private type: value of standing firm (executing its threat, matching a threat made on it)",
        default_factory=_point,
    )
    margin: Prior = _unit(
        "% of own GDP",
        "private type: gain over its outside option it needs to accept a deal",
        default_factory=_point,
    )
    signal: NonNegative = _unit(
        "health", "alliance-health cut signalled to a reliant partner on rejection", default=0.0
    )
    discount: Fraction = _unit("0..1", "per-round discount factor", default=0.95)
    commitment: Fraction = _unit(
        "probability",
        "prior that it is committed to its first offer at a two-party table (model.md B8)",
        default=0.0,
    )
    election_timing: bool = _unit(
        "-",
        "weighs signing a deal now against signing it after its next election, while "
        "talks freeze the threats between the parties (model.md B11)",
        default=False,
    )
    capacity: float = _unit(
        "multiple",
        "retaliatory tariff rise as a multiple of the coercer's mean rise (model.md N13)",
        default=1.0,
        ge=0.0,
        le=5.0,
    )


class Country(_Strict):
    """One negotiating country."""

    name: str = _unit("-", "display name", default="")
    gdp: float = _unit("USD bn", "GDP", gt=0)
    exports: dict[str, dict[str, NonNegative]] = _unit(
        "USD bn",
        "baseline exports to a partner, by sector, at producers' prices",
        default_factory=dict,
    )
    domestic: dict[str, NonNegative] = _unit(
        "USD bn",
        "home producers' sales at home, by sector (absorption less imports)",
        default_factory=dict,
    )
    tariffs: dict[str, dict[str, Tariff]] = _unit(
        "fraction", "tariff this country charges on imports from a partner", default_factory=dict
    )
    security: Security = Field(default_factory=Security)
    politics: Politics = Field(default_factory=Politics)
    strategy: Strategy = Field(default_factory=Strategy)


class RestOfWorld(_Strict):
    """The rest of the world: an economy that trades and sets tariffs but never negotiates."""

    gdp: float = _unit("USD bn", "GDP", gt=0)
    exports: dict[str, dict[str, NonNegative]] = _unit(
        "USD bn",
        "baseline exports to a country, by sector, at producers' prices",
        default_factory=dict,
    )
    domestic: dict[str, NonNegative] = _unit(
        "USD bn", "ROW producers' sales within ROW, by sector", default_factory=dict
    )
    tariffs: dict[str, dict[str, Tariff]] = _unit(
        "fraction", "tariff ROW charges on imports from a country", default_factory=dict
    )


class Economy(_Strict):
    """Economic parameters (docs/model.md#economy)."""

    elasticity: float = _unit(
        "-", "trade elasticity ε of sectors not in sector_elasticity", default=4.0, gt=1, le=20
    )
    sector_elasticity: dict[str, typing.Annotated[float, Field(gt=1, le=20)]] = _unit(
        "-", "trade elasticity ε_s between the suppliers of a sector", default_factory=dict
    )
    elasticity_scale: float = _unit(
        "-",
        "multiplies every sector's trade elasticity (one knob for the trade elasticity)",
        default=1.0,
        gt=0.2,
        le=5.0,
    )

    @model_validator(mode="after")
    def _scaled_elasticities_allowed(self) -> Economy:
        for sector, value in {"(default)": self.elasticity, **self.sector_elasticity}.items():
            scaled = value * self.elasticity_scale
            if not 1.0 < scaled <= 20.0:
                raise ValueError(
                    f"elasticity_scale = {self.elasticity_scale} makes sector {sector}'s "
                    f"elasticity {scaled:.3g}; allowed: above 1 and at most 20"
                )
        return self


class Scenario(_Strict):
    """A complete, validated scenario."""

    name: str = _unit("-", "scenario name")
    description: str = _unit("-", "what the scenario is", default="")
    start: str = _unit("-", "calendar label of round 0", default="")
    countries: list[str] = _unit("-", "negotiating countries, in scenario order", min_length=2)
    sectors: list[str] = _unit("-", "sectors", min_length=1)
    horizon: int = _unit("rounds", "rounds played at most", ge=1, le=1000)
    tables: list[list[str]] = _unit(
        "-", "pairs that negotiate under the bilateral protocol", default_factory=list
    )
    economy: Economy = Field(default_factory=Economy)
    diplomacy: Diplomacy = Field(default_factory=Diplomacy)
    protocol: Protocol = Field(default_factory=Protocol)
    threats: dict[str, Threat] = Field(default_factory=dict)
    red_lines: dict[str, RedLine] = Field(default_factory=dict)
    events: dict[str, Event] = Field(default_factory=dict)
    notices: dict[str, Notice] = Field(default_factory=dict)
    summits: dict[str, Summit] = Field(default_factory=dict)
    commitments: dict[str, Commitment] = Field(default_factory=dict)
    demands: dict[str, Demand] = Field(default_factory=dict)
    history: dict[str, History] = Field(default_factory=dict)
    compliance: Compliance = Field(default_factory=Compliance)
    nations: dict[str, Country] = Field(default_factory=dict)
    row: RestOfWorld  # the [ROW] section: required (its GDP has no default)

    @model_validator(mode="before")
    @classmethod
    def _collect_country_sections(cls, data: Any) -> Any:
        """Move the per-country top-level sections into ``nations`` and ``row``."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        codes = data.get("countries") or []
        nations = {code: data.pop(code) for code in list(codes) if code in data and code != ROW}
        data["nations"] = nations
        if ROW in data:
            data["row"] = data.pop(ROW)
        return data

    @model_validator(mode="after")
    def _check_references(self) -> Scenario:
        """Check that every country, partner and sector named is declared."""
        codes, sectors = self.countries, self.sectors
        partners = [*codes, ROW]
        if len(set(codes)) != len(codes) or ROW in codes:
            raise ValueError(f"countries: codes must be unique and not {ROW}")
        for code in codes:
            if code not in self.nations:
                raise _RefError(code, f"no section for country {code}")
        for code, country in self.nations.items():
            for field in ("exports", "tariffs"):
                for partner, by_sector in getattr(country, field).items():
                    _known(f"{code}.{field}.{partner}", partner, [p for p in partners if p != code])
                    for sector in by_sector:
                        _known(f"{code}.{field}.{partner}.{sector}", sector, sectors)
            for partner in country.security.reliance:
                _known(f"{code}.security.reliance.{partner}", partner, codes)
            for partner in country.security.rivalry:
                _known(f"{code}.security.rivalry.{partner}", partner, codes)
            for sector in country.politics.lobby:
                _known(f"{code}.politics.lobby.{sector}", sector, sectors)
            for rnd in country.politics.elections:
                if rnd < 0:
                    raise _RefError(f"{code}.politics.elections", "rounds must be >= 0")
        for field in ("exports", "tariffs"):
            for partner, by_sector in getattr(self.row, field).items():
                _known(f"{ROW}.{field}.{partner}", partner, codes)
                for sector in by_sector:
                    _known(f"{ROW}.{field}.{partner}.{sector}", sector, sectors)
        economies: list[tuple[str, Country | RestOfWorld]] = [
            *self.nations.items(),
            (ROW, self.row),
        ]
        for code, economy in economies:
            for sector in economy.domestic:
                _known(f"{code}.domestic.{sector}", sector, sectors)
            _check_adds_up(code, economy, [c for c, _ in economies])
        for key in self.economy.sector_elasticity:
            _known(f"economy.sector_elasticity.{key}", key, sectors)
        for i, pair in enumerate(self.tables):
            if len(pair) != 2 or pair[0] == pair[1]:
                raise _RefError(f"tables.{i}", "a table is a pair of two different countries")
            for code in pair:
                _known(f"tables.{i}", code, codes)
        for name, threat in self.threats.items():
            _known(f"threats.{name}.by", threat.by, codes)
            _known(f"threats.{name}.on", threat.on, [c for c in codes if c != threat.by])
            for sector in threat.sectors:
                _known(f"threats.{name}.sectors", sector, sectors)
        for name, line in self.red_lines.items():
            _known(f"red_lines.{name}.by", line.by, codes)
            _known(f"red_lines.{name}.importer", line.importer, codes)
            _known(f"red_lines.{name}.exporter", line.exporter, partners)
            _known(f"red_lines.{name}.sector", line.sector, sectors)
            if line.floor is not None and line.ceiling is not None and line.floor > line.ceiling:
                raise _RefError(f"red_lines.{name}", "floor must not exceed ceiling")
        for name, event in self.events.items():
            _known(f"events.{name}.importer", event.importer, codes)
            _known(f"events.{name}.exporter", event.exporter, partners)
            for sector in event.sectors:
                _known(f"events.{name}.sectors", sector, sectors)
        for name, notice in self.notices.items():
            _known(f"notices.{name}.by", notice.by, codes)
            for code in notice.partners:
                _known(f"notices.{name}.partners", code, [c for c in codes if c != notice.by])
        for name, item in self.commitments.items():
            _known(f"commitments.{name}.importer", item.importer, codes)
            _known(
                f"commitments.{name}.exporter",
                item.exporter,
                [c for c in codes if c != item.importer],
            )
            _known(f"commitments.{name}.sector", item.sector, sectors)
        for name, demand in self.demands.items():
            _known(f"demands.{name}.by", demand.by, codes)
            _known(f"demands.{name}.on", demand.on, [c for c in codes if c != demand.by])
        for name, summit in self.summits.items():
            for code in summit.parties:
                _known(f"summits.{name}.parties", code, codes)
        for name, seen in self.history.items():
            _known(f"history.{name}.by", seen.by, codes)
            _known(f"history.{name}.threat", seen.threat, list(self.threats))
            if self.threats[seen.threat].on != seen.by:
                raise _RefError(
                    f"history.{name}.threat",
                    f"threat {seen.threat!r} is on {self.threats[seen.threat].on}, not on"
                    f" {seen.by}: an answer is the target's",
                )
        return self

    @property
    def codes(self) -> list[str]:
        """Country codes with the rest of the world last."""
        return [*self.countries, ROW]


ADDS_UP = 1e-3  # sales must equal GDP to this share (rounding of the scenario's figures)


def _check_adds_up(code: str, economy: Country | RestOfWorld, codes: list[str]) -> None:
    """An economy's sales (domestic + exports) equal its GDP; it buys something (E1)."""
    sales = sum(economy.domestic.values()) + sum(
        sum(by_sector.values()) for by_sector in economy.exports.values()
    )
    if abs(sales - economy.gdp) > ADDS_UP * economy.gdp:
        raise _RefError(
            f"{code}.domestic",
            f"domestic sales {sum(economy.domestic.values()):.1f} + exports "
            f"{sales - sum(economy.domestic.values()):.1f} = {sales:.1f} USD bn must equal "
            f"gdp {economy.gdp:.1f} (within {ADDS_UP:.1%}): the flows do not add up",
        )
