"""The building blocks of the scenario schema: the base model, units, ranges, name checks."""

from __future__ import annotations

import difflib
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

ROW = "ROW"
MAX_TARIFF = 3.0  # 300%: above this a tariff is prohibitive for any elasticity we allow


class ScenarioError(ValueError):
    """A scenario file or override is invalid; the message is one line."""


def _unit(unit: str, description: str = "", **kwargs: Any) -> Any:
    """A pydantic Field carrying a unit for `negsim scenarios show`."""
    return Field(description=description, json_schema_extra={"unit": unit}, **kwargs)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, allow_inf_nan=False)


Fraction = typing.Annotated[float, Field(ge=0.0, le=1.0)]
Tariff = typing.Annotated[float, Field(ge=0.0, le=MAX_TARIFF)]
NonNegative = typing.Annotated[float, Field(ge=0.0)]


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
