"""One line for a pydantic ``ValidationError`` of an experiment definition.

The line names the dotted location of the first error (``design.parameters.X``,
``perturbations.X.low``), the value given and what is allowed, with a "did you
mean" for a misspelt key or distribution.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from negsim.scenarios import did_you_mean


def describe(exc: ValidationError, models: dict[str, type[BaseModel]]) -> str:
    """One line for the first error of ``exc``.

    Args:
        exc: the error of validating an experiment.
        models: the models whose keys an unknown key is compared with: ``""`` for
            the top level, ``"design"``, and each distribution by its ``dist`` name.
    """
    err = _first(exc.errors())
    loc = _location(err["loc"], models)
    where = ".".join(loc) or "<top level>"
    kind, value = err["type"], err.get("input")
    if kind in ("list_type", "model_type") and loc[:2] == ["design", "parameters"]:
        return f"{where} = {value!r}: expected a list of values or {{low, high, num}}"
    if kind == "union_tag_invalid":
        tags = [t.strip(" '") for t in str(err["ctx"]["expected_tags"]).split(",")]
        tag = str(err["ctx"]["tag"])
        return (
            f"{where}.dist = {tag!r}: unknown distribution{did_you_mean(tag, tags)}; "
            f"allowed: {', '.join(tags)}"
        )
    if kind == "union_tag_not_found":
        names = [m for m in models if m not in ("", "design")]
        return f"{where}: needs dist = one of {', '.join(names)}"
    dist = _distribution(err["loc"], models)
    if kind == "extra_forbidden":
        return _unknown_key(loc, where, dist or _model_of(loc, models))
    if kind == "missing" and dist is not None:
        needs = [k for k, f in dist.model_fields.items() if f.is_required() and k != "dist"]
        tag = loc_tag(err["loc"], models)
        return f"{'.'.join(loc[:-1])}: {tag} takes {', '.join(needs)}; missing {loc[-1]}"
    if kind == "missing":
        return f"{where}: required key is missing"
    message = str(err["msg"]).removeprefix("Value error, ")
    if where == "<top level>":
        return message
    shown = "" if isinstance(value, dict | list) or not loc else f" = {value!r}"
    return f"{where}{shown}: {message}"


def _first(errors: list[Any]) -> Any:
    """The first error, or the Bounds branch of a design parameter that meant a range."""
    err = errors[0]
    extra = [e for e in errors if e["type"] == "extra_forbidden" and e["loc"][:2] == err["loc"][:2]]
    if extra:  # a misspelt key explains the missing one
        return extra[0]
    branch = [
        e
        for e in errors
        if any(_is_bounds(p) for p in e["loc"])
        and e["type"] != "model_type"
        and e["loc"][:3] == err["loc"][:3]
    ]
    return branch[0] if err["type"] == "list_type" and branch else err


def _is_bounds(part: Any) -> bool:
    return str(part) == "Bounds" or str(part).endswith("Bounds]")


def _location(raw: tuple[Any, ...], models: dict[str, type[BaseModel]]) -> list[str]:
    """The dotted location without pydantic's union-branch labels and distribution tags."""
    loc = [str(p) for p in raw]
    loc = [p for p in loc if not (p.startswith("list[") or _is_bounds(p))]
    if len(loc) >= 3 and loc[0] == "perturbations" and loc[2] in models:
        del loc[2]
    return loc


def loc_tag(raw: tuple[Any, ...], models: dict[str, type[BaseModel]]) -> str:
    """The distribution tag in a perturbation error's location ('' if none)."""
    parts = [str(p) for p in raw]
    if len(parts) >= 3 and parts[0] == "perturbations" and parts[2] in models:
        return parts[2]
    return ""


def _distribution(
    raw: tuple[Any, ...], models: dict[str, type[BaseModel]]
) -> type[BaseModel] | None:
    tag = loc_tag(raw, models)
    return models[tag] if tag else None


def _model_of(loc: list[str], models: dict[str, type[BaseModel]]) -> type[BaseModel] | None:
    parent = loc[0] if len(loc) > 1 else ""
    return models.get(parent)


def _unknown_key(loc: list[str], where: str, model: type[BaseModel] | None) -> str:
    if model is None:
        return f"{where}: unknown key"
    allowed = sorted(model.model_fields)
    return f"{where}: unknown key{did_you_mean(loc[-1], allowed)}; allowed: {', '.join(allowed)}"
