"""Loading scenarios: built-in names or TOML files, validated, with overrides.

Errors in a file or an override raise :class:`ScenarioError` with one line that
names the file, the dotted path and what is allowed.
"""

from __future__ import annotations

import copy
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from negsim.scenarios.fields import _RefError
from negsim.scenarios.overrides import set_path
from negsim.scenarios.schema import ROW, Scenario, ScenarioError, did_you_mean

# loading


def builtin_scenarios() -> list[str]:
    """Names of the scenarios shipped with negsim."""
    folder = resources.files("negsim.scenarios")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


#: The name of a synthetic world: ``synthetic-<countries>x<sectors>-<seed>``.
SYNTHETIC_NAME = re.compile(r"^synthetic-(\d+)x(\d+)-(\d+)$")


PARSED_KEPT = 8  # TOML texts whose parsed data is kept (a model is built per run)
_PARSED: dict[str, dict[str, Any]] = {}


def read_toml(name_or_path: str | Path) -> tuple[dict[str, Any], str]:
    """Read a scenario; return (data, label).

    Args:
        name_or_path: a built-in scenario's name, a synthetic world's name
            (``synthetic-5x2-3``: 5 countries, 2 sectors, seed 3; see
            :func:`negsim.scenarios.synthetic`) or the path of a TOML file.
    """
    data, label = _read(name_or_path)
    return copy.deepcopy(data), label


def _read(name_or_path: str | Path) -> tuple[dict[str, Any], str]:
    """As :func:`read_toml`, but the data may be shared: the caller must not change it.

    Parsing a TOML text costs far more than reading it, so the parsed data of the last
    :data:`PARSED_KEPT` texts is kept, keyed by the text itself (an edited file is
    parsed again).
    """
    text_name = str(name_or_path)
    synthetic = SYNTHETIC_NAME.match(text_name)
    if synthetic:
        from negsim.scenarios.generator import synthetic_dict  # it builds on this module

        n, s, seed = (int(g) for g in synthetic.groups())
        try:
            return synthetic_dict(n, s, seed), text_name
        except ValueError as exc:
            raise ScenarioError(f"{text_name}: {exc}") from None
    if text_name in builtin_scenarios():
        resource = resources.files("negsim.scenarios") / f"{text_name}.toml"
        label = f"{text_name}.toml"
        text = resource.read_text(encoding="utf-8")
    else:
        path = Path(name_or_path)
        label = str(path)
        if not text_name:
            raise ScenarioError(
                f"an empty scenario name; built-in: {', '.join(builtin_scenarios())}"
            )
        if path.exists() and not path.is_file():
            raise ScenarioError(f"{label}: not a regular file (expected a scenario TOML file)")
        if not path.is_file():
            names = builtin_scenarios()
            raise ScenarioError(
                f"{label}: no such scenario file or built-in scenario"
                f"{did_you_mean(text_name, names)}; "
                f"built-in: {', '.join(names)}"
            )
        try:
            text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is allowed
        except UnicodeDecodeError:
            raise ScenarioError(f"{label}: not a text file (expected TOML in UTF-8)") from None
        except OSError as exc:
            raise ScenarioError(f"{label}: cannot read ({exc.strerror})") from None
    data = _PARSED.get(text)
    if data is None:
        try:
            data = _PARSED[text] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"{label}: malformed TOML: {exc}") from None
        if len(_PARSED) > PARSED_KEPT:
            _PARSED.pop(next(iter(_PARSED)))
    return data, label


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
    data, label = _read(name_or_path)  # shared: scenario_from_dict copies it
    return scenario_from_dict(data, overrides=overrides, label=label)


def scenario_from_dict(
    data: dict[str, Any], overrides: dict[str, Any] | None = None, label: str = "<scenario>"
) -> Scenario:
    """Validate a scenario given as a nested dict (the parsed TOML), with overrides."""
    data = copy.deepcopy(data)
    for path, value in (overrides or {}).items():
        set_path(data, path, value, label=label)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(f"{label}: {_describe(exc)}") from None


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
    if err["type"] == "model_type":
        message = _table_expected((err.get("ctx") or {}).get("class_name", ""))
    if not loc and err["type"] == "value_error":
        return message  # a check of the whole scenario: its message names the path
    path = ".".join(loc) or "<top level>"
    value = err.get("input")
    shown = "" if err["type"] in ("missing",) or isinstance(value, dict) else f" = {value!r}"
    return f"{path}{shown}: {message}"


#: How a table of each kind is written, for the message when a plain value stands in for it.
TABLE_EXAMPLES = {"Prior": "a prior {values = [0.0, 0.1], weights = [0.5, 0.5]}"}


def _table_expected(class_name: str) -> str:
    """What to write where a table (a sub-model of the schema) was expected."""
    example = TABLE_EXAMPLES.get(class_name)
    return f"expected {example}" if example else f"expected a table of keys ({class_name})"
