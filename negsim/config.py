"""Typed scenario schema, TOML loading and dotted-path overrides.

A scenario file is TOML. Its top level holds the scenario-wide settings
(``countries``, ``sectors``, ``horizon``, ``tables``, ``economy``, ``diplomacy``,
``threats``, ``red_lines``, ``events``) and one section per country code plus
``ROW`` for the rest of the world. Every value is addressable by a dotted path,
for example ``JP.security.reliance.US``, ``US.politics.lobby.steel`` or
``economy.elasticity``, and :func:`load_scenario` takes overrides by those paths.

Errors in a file or an override raise :class:`ScenarioError` with one line that
names the file, the dotted path and what is allowed.
"""

from __future__ import annotations

import difflib
import tomllib
import typing
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

ROW = "ROW"
MAX_TARIFF = 3.0  # 300%: above this a tariff is prohibitive for any elasticity we allow


class ScenarioError(ValueError):
    """A scenario file or override is invalid; the message is one line."""


def _unit(unit: str, description: str = "", **kwargs: Any) -> Any:
    """A pydantic Field carrying a unit for `negsim scenarios show`."""
    return Field(description=description, json_schema_extra={"unit": unit}, **kwargs)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


Fraction = typing.Annotated[float, Field(ge=0.0, le=1.0)]
Tariff = typing.Annotated[float, Field(ge=0.0, le=MAX_TARIFF)]
NonNegative = typing.Annotated[float, Field(ge=0.0)]


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


class Strategy(_Strict):
    """Negotiation strategy of one country (docs/model.md#strategy)."""

    kind: Literal["aspiration", "equilibrium"] = _unit("-", "strategy family", default="aspiration")
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
    noise: NonNegative = _unit(
        "% of GDP", "noise of the agent's model of others' payoffs", default=0.01
    )
    retaliation: Fraction = _unit(
        "probability", "propensity to retaliate with no security reliance", default=0.9
    )
    retaliation_sectors: list[str] = _unit(
        "-", "sectors hit by retaliation (empty: all)", default_factory=list
    )
    signal: NonNegative = _unit(
        "health", "alliance-health cut signalled to a reliant partner on rejection", default=0.0
    )
    discount: Fraction = _unit("0..1", "per-round discount factor (equilibrium)", default=0.95)


class Country(_Strict):
    """One negotiating country."""

    name: str = _unit("-", "display name", default="")
    gdp: float = _unit("USD bn", "GDP", gt=0)
    exports: dict[str, dict[str, NonNegative]] = _unit(
        "USD bn", "baseline goods exports to a partner, by sector", default_factory=dict
    )
    tariffs: dict[str, dict[str, Tariff]] = _unit(
        "fraction", "tariff this country charges on imports from a partner", default_factory=dict
    )
    security: Security = Field(default_factory=Security)
    politics: Politics = Field(default_factory=Politics)
    strategy: Strategy = Field(default_factory=Strategy)


class RestOfWorld(_Strict):
    """The rest of the world: a supplier that never negotiates."""

    exports: dict[str, dict[str, NonNegative]] = _unit(
        "USD bn", "baseline goods exports to a country, by sector", default_factory=dict
    )


class Economy(_Strict):
    """Economic parameters (docs/model.md#economy)."""

    elasticity: float = _unit(
        "-", "trade elasticity ε between suppliers of a market", default=4.0, gt=0, le=20
    )
    import_demand_elasticity: float = _unit(
        "-", "aggregate import-demand elasticity η", default=1.5, gt=0, le=10
    )
    pass_through: dict[str, Fraction] = _unit(
        "0..1", "share of an importer's tariff borne by its own buyers", default_factory=dict
    )
    margin: dict[str, Fraction] = _unit(
        "0..1", "exporters' rent per dollar of sales, by sector", default_factory=dict
    )


class Diplomacy(_Strict):
    """How alliance health moves (docs/model.md#alliance-health)."""

    coercion_damage: Fraction = _unit("health", "loss when one executes a threat", default=0.15)
    retaliation_damage: Fraction = _unit("health", "loss when one retaliates", default=0.05)
    breakdown_damage: Fraction = _unit("health", "loss when talks break down", default=0.1)
    agreement_boost: Fraction = _unit("health", "gain when two agree", default=0.1)
    recovery: Fraction = _unit("per round", "share of lost health restored per round", default=0.02)


class Threat(_Strict):
    """A public threat to raise tariffs."""

    by: str = _unit("country", "who threatens")
    on: str = _unit("country", "whose exports are hit")
    sectors: list[str] = _unit("-", "sectors hit")
    level: Tariff = _unit("fraction", "tariff once executed")
    deadline: int = _unit("round", "round at which it is executed without a deal", ge=0)
    suspended: bool = _unit("-", "suspended while the two are talking", default=False)


class RedLine(_Strict):
    """A bound that a country will never ratify a package beyond."""

    by: str = _unit("country", "whose red line")
    importer: str = _unit("country", "importer of the tariff bounded")
    exporter: str = _unit("country", "exporter of the tariff bounded")
    sector: str = _unit("-", "sector of the tariff bounded")
    floor: Tariff | None = _unit("fraction", "lowest acceptable tariff", default=None)
    ceiling: Tariff | None = _unit("fraction", "highest acceptable tariff", default=None)


class Event(_Strict):
    """A scheduled change of a tariff by a third agreement (e.g. CPTPP)."""

    round: int = _unit("round", "round on which it takes effect", ge=0)
    importer: str = _unit("country", "importer whose tariff changes")
    exporter: str = _unit("country", "exporter facing the change")
    sectors: list[str] = _unit("-", "sectors")
    level: Tariff = _unit("fraction", "tariff from then on")


class Protocol(_Strict):
    """Options of the negotiation protocols."""

    plurilateral: bool = _unit(
        "-", "multilateral: a deal among those who accept when not all do", default=False
    )
    max_tariff: Tariff = _unit("fraction", "highest tariff an offer may hold", default=1.0)
    liberalizing: bool = _unit(
        "-", "offers may only lower tariffs in force (GATT Art. II, XXIV)", default=True
    )


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
    nations: dict[str, Country] = Field(default_factory=dict)
    row: RestOfWorld = Field(default_factory=RestOfWorld)

    @model_validator(mode="before")
    @classmethod
    def _collect_country_sections(cls, data: Any) -> Any:
        """Move the per-country top-level sections into ``nations`` and ``row``."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        codes = data.get("countries") or []
        nations = {code: data.pop(code) for code in list(codes) if code in data}
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
            for sector in country.strategy.retaliation_sectors:
                _known(f"{code}.strategy.retaliation_sectors", sector, sectors)
            for rnd in country.politics.elections:
                if rnd < 0:
                    raise _RefError(f"{code}.politics.elections", "rounds must be >= 0")
        for partner, by_sector in self.row.exports.items():
            _known(f"{ROW}.exports.{partner}", partner, codes)
            for sector in by_sector:
                _known(f"{ROW}.exports.{partner}.{sector}", sector, sectors)
        for key in self.economy.pass_through:
            _known(f"economy.pass_through.{key}", key, codes)
        for key in self.economy.margin:
            _known(f"economy.margin.{key}", key, sectors)
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
        return self

    @property
    def codes(self) -> list[str]:
        """Country codes with the rest of the world last."""
        return [*self.countries, ROW]


class _RefError(ValueError):
    """A reference to an undeclared name; carries its dotted path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _known(path: str, name: str, allowed: list[str]) -> None:
    if name not in allowed:
        raise _RefError(path, _unknown_message(name, allowed))


def did_you_mean(name: str, allowed: Iterable[str], shown_as: str | None = None) -> str:
    """`` (did you mean 'x'?)`` for the closest allowed name, or ``""`` when none is close.

    ``shown_as`` is a format string for the suggestion, e.g. ``"economy.{}"``.
    """
    close = difflib.get_close_matches(name, list(allowed), n=1)
    if not close:
        return ""
    return f" (did you mean {(shown_as or '{}').format(close[0])!r}?)"


def _unknown_message(name: str, allowed: list[str]) -> str:
    hint = did_you_mean(name, allowed)
    shown = ", ".join(allowed[:12]) + (", ..." if len(allowed) > 12 else "")
    return f"unknown name {name!r}{hint}; allowed: {shown}"


# ---------------------------------------------------------------------------
# loading


def builtin_scenarios() -> list[str]:
    """Names of the scenarios shipped with negsim."""
    folder = resources.files("negsim.scenarios")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def read_toml(name_or_path: str | Path) -> tuple[dict[str, Any], str]:
    """Read a built-in scenario by name or a TOML file by path; return (data, label)."""
    text_name = str(name_or_path)
    if text_name in builtin_scenarios():
        resource = resources.files("negsim.scenarios") / f"{text_name}.toml"
        label = f"{text_name}.toml"
        text = resource.read_text(encoding="utf-8")
    else:
        path = Path(name_or_path)
        label = str(path)
        if not path.is_file():
            names = builtin_scenarios()
            raise ScenarioError(
                f"{label}: no such scenario file or built-in scenario"
                f"{did_you_mean(text_name, names)}; "
                f"built-in: {', '.join(names)}"
            )
        text = path.read_text(encoding="utf-8")
    try:
        return tomllib.loads(text), label
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{label}: malformed TOML: {exc}") from None


def load_scenario(
    name_or_path: str | Path = "tag2018", overrides: dict[str, Any] | None = None
) -> Scenario:
    """Load and validate a scenario.

    Args:
        name_or_path: a built-in scenario name (see :func:`builtin_scenarios`) or the
            path of a TOML file.
        overrides: values by dotted path, e.g. ``{"JP.security.reliance.US": 0.9}``.
            A path must name an existing parameter, or a new key inside a mapping
            (``US.politics.lobby.machinery``).

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: the file, a value or an override path is invalid; the
            message is one line naming the file and the path.
    """
    data, label = read_toml(name_or_path)
    return scenario_from_dict(data, overrides=overrides, label=label)


def scenario_from_dict(
    data: dict[str, Any], overrides: dict[str, Any] | None = None, label: str = "<scenario>"
) -> Scenario:
    """Validate a scenario given as a nested dict (the parsed TOML), with overrides."""
    data = _deep_copy(data)
    for path, value in (overrides or {}).items():
        set_path(data, path, value, label=label)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(f"{label}: {_describe(exc)}") from None


def _deep_copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _deep_copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_deep_copy(v) for v in data]
    return data


def _describe(exc: ValidationError) -> str:
    """One line for the first error of a ValidationError, with a dotted path."""
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    if loc and loc[0] == "nations":
        loc = loc[1:]
    elif loc and loc[0] == "row":
        loc = [ROW, *loc[1:]]
    ctx_error = (err.get("ctx") or {}).get("error")
    if isinstance(ctx_error, _RefError):
        return f"{ctx_error.path}: {ctx_error.message}"
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        message = "unknown parameter"
    if err["type"] == "missing":
        message = "required parameter is missing"
    path = ".".join(loc) or "<top level>"
    value = err.get("input")
    shown = "" if err["type"] in ("missing",) or isinstance(value, dict) else f" = {value!r}"
    return f"{path}{shown}: {message}"


def set_path(data: dict[str, Any], path: str, value: Any, label: str = "<scenario>") -> None:
    """Set ``value`` at dotted ``path`` in the raw scenario dict, in place.

    A key must exist in the file, or be a parameter of the schema at that place
    (a default the file leaves out), or be a new code in a mapping keyed by country
    or sector codes; missing groups of the schema are created on the way.

    Raises:
        ScenarioError: the path does not exist; the message suggests the closest one.
    """
    parts = path.split(".")
    node: Any = data
    for depth, key in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            if not key.isdigit() or int(key) >= len(node):
                raise ScenarioError(f"{label}: {where}: no such list index (0..{len(node) - 1})")
            if last:
                node[int(key)] = _coerce_like(node[int(key)], value)
                return
            node = node[int(key)]
            continue
        if not isinstance(node, dict):
            raise ScenarioError(f"{label}: {where}: not a parameter group")
        if key not in node:
            if last and _is_code_mapping(data, parts[:-1], node):
                node[key] = value
                return
            schema = _schema_keys(data, parts[:depth])
            if key in schema:
                if last:
                    node[key] = value
                    return
                node[key] = {}
                node = node[key]
                continue
            allowed = sorted(set(node) | schema)
            hint = did_you_mean(key, allowed, ".".join([*parts[:depth], "{}"]))
            raise ScenarioError(
                f"{label}: {path}: no such parameter"
                + (hint or f"; allowed at this level: {', '.join(allowed)}")
            )
        if last:
            node[key] = _coerce_like(node[key], value)
            return
        node = node[key]


_CODE_MAPPINGS = {"exports", "tariffs", "reliance", "rivalry", "lobby", "pass_through", "margin"}


def _is_code_mapping(data: dict[str, Any], parent: list[str], node: dict[str, Any]) -> bool:
    """True when ``node`` is a mapping keyed by country/sector codes (new keys allowed)."""
    if not parent:
        return False
    if parent[-1] in _CODE_MAPPINGS:
        return True
    # exports.<partner> / tariffs.<partner> hold sectors
    return len(parent) >= 2 and parent[-2] in ("exports", "tariffs")


def _schema_keys(data: dict[str, Any], parent: list[str]) -> set[str]:
    """Parameter names the schema allows below the dotted path ``parent``."""
    codes = data.get("countries") or []
    model: type[BaseModel] | None = Scenario
    rest = list(parent)
    if rest and rest[0] in codes:
        model, rest = Country, rest[1:]
    elif rest and rest[0] == ROW:
        model, rest = RestOfWorld, rest[1:]
    while rest and model is not None:
        field = model.model_fields.get(rest[0])
        if field is None:
            return set()
        annotation, rest = field.annotation, rest[1:]
        inner = _dict_value_type(annotation)
        if inner is not None and rest:  # a mapping of named entries, e.g. threats.<name>
            annotation, rest = inner, rest[1:]
        model = _model_of(annotation)
    if model is None or rest:
        return set()
    names = set(model.model_fields)
    return names - {"nations", "row"} if model is Scenario else names


def _coerce_like(old: Any, value: Any) -> Any:
    """Parse a string from the command line into the type of the value it replaces."""
    if not isinstance(value, str) or isinstance(old, str):
        return value
    text = value.strip()
    if isinstance(old, bool):
        if text.lower() in ("true", "1", "yes"):
            return True
        if text.lower() in ("false", "0", "no"):
            return False
        return value
    if isinstance(old, int | float):
        try:
            return int(text) if isinstance(old, int) and text.lstrip("-").isdigit() else float(text)
        except ValueError:
            return value
    if isinstance(old, list):
        try:
            return tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            return value
    return value


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse ``PATH=VALUE`` from the command line (VALUE as TOML when it parses)."""
    if "=" not in text:
        raise ScenarioError(
            f"--set {text!r}: expected PATH=VALUE, e.g. JP.security.reliance.US=0.9"
        )
    path, raw = text.split("=", 1)
    path, raw = path.strip(), raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return path, value


# ---------------------------------------------------------------------------
# inspection


def parameters(scenario: Scenario) -> list[tuple[str, Any, str]]:
    """Every parameter of a scenario as ``(dotted path, value, unit)``, in file order."""
    rows: list[tuple[str, Any, str]] = []
    raw = scenario.model_dump(exclude={"nations", "row"})
    for key, value in raw.items():
        _flatten(key, value, Scenario.model_fields[key], rows)
    for code, country in scenario.nations.items():
        for key, value in country.model_dump().items():
            _flatten(f"{code}.{key}", value, Country.model_fields[key], rows)
    _flatten(f"{ROW}.exports", scenario.row.exports, RestOfWorld.model_fields["exports"], rows)
    return rows


def _flatten(path: str, value: Any, field: Any, rows: list[tuple[str, Any, str]]) -> None:
    extra = field.json_schema_extra or {} if field is not None else {}
    unit = extra.get("unit", "") if isinstance(extra, dict) else ""
    annotation = field.annotation if field is not None else None
    model = _model_of(annotation)
    if model is not None and isinstance(value, dict):
        for key, sub in value.items():
            _flatten(f"{path}.{key}", sub, model.model_fields.get(key), rows)
        return
    if isinstance(value, dict):
        inner = _dict_value_type(annotation)
        if inner is not None and _model_of(inner) is not None:
            for key, sub in value.items():
                sub_model = _model_of(inner)
                for k2, v2 in sub.items():
                    _flatten(f"{path}.{key}.{k2}", v2, sub_model.model_fields.get(k2), rows)
            return
        for key, sub in value.items():
            if isinstance(sub, dict):
                for k2, v2 in sub.items():
                    rows.append((f"{path}.{key}.{k2}", v2, unit))
            else:
                rows.append((f"{path}.{key}", sub, unit))
        return
    rows.append((path, value, unit))


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _dict_value_type(annotation: Any) -> Any:
    if typing.get_origin(annotation) is dict:
        return typing.get_args(annotation)[1]
    return None
