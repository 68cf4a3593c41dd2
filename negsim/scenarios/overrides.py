"""Dotted-path overrides (``JP.security.reliance.US=0.9``) and the parameter listing."""

from __future__ import annotations

import re
import tomllib
import typing
from typing import Any

from pydantic import BaseModel

from negsim.scenarios.schema import ROW, Country, RestOfWorld, Scenario, ScenarioError, did_you_mean


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
                node[int(key)] = value  # pydantic coerces "0.9" as it validates
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
            hint = did_you_mean(key, allowed, ".".join([*parts[:depth], "{}", *parts[depth + 1 :]]))
            raise ScenarioError(
                f"{label}: {path}: no such parameter"
                + (hint or f"; allowed at this level: {', '.join(allowed)}")
            )
        if last:
            node[key] = value
            return
        node = node[key]


_CODE_MAPPINGS = {
    "exports",
    "tariffs",
    "reliance",
    "rivalry",
    "lobby",
    "domestic",
    "sector_elasticity",
}


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


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse ``PATH=VALUE`` from the command line (VALUE as TOML when it parses)."""
    if "=" not in text:
        raise ScenarioError(
            f"--set {text!r}: expected PATH=VALUE, e.g. JP.security.reliance.US=0.9"
        )
    path, raw = text.split("=", 1)
    path, raw = path.strip(), raw.strip()
    if not path:
        raise ScenarioError(f"--set {text!r}: the path before '=' is empty; expected PATH=VALUE")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = _with_toml_specials(raw)
    return path, value


def _with_toml_specials(raw: str) -> Any:
    """``raw`` parsed as TOML once NaN, Inf and Infinity are spelt as TOML spells them.

    Python and numpy print ``nan``'s and ``inf``'s other spellings; they are read as
    the same numbers (and then refused where a value must be finite). Anything else
    that is not TOML stays the text it was.
    """
    spelt = re.sub(
        r"(?i)(?<![\w.])(nan|infinity|inf)(?![\w.])",
        lambda m: "nan" if m.group(1).lower() == "nan" else "inf",
        raw,
    )
    try:
        return tomllib.loads(f"v = {spelt}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


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
    for key, value in scenario.row.model_dump().items():
        _flatten(f"{ROW}.{key}", value, RestOfWorld.model_fields[key], rows)
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
        sub_model = _model_of(inner) if inner is not None else None
        if sub_model is not None:
            for key, sub in value.items():
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
