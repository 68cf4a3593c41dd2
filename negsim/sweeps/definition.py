"""An experiment's definition: scenario, arms, design, perturbations, replications, seed.

An :class:`Experiment` is written as a TOML file (see ``experiments/``) or built in
Python; :meth:`Experiment.from_file` validates it and checks every parameter path and
value against the scenario before anything runs, so a typo is one line naming the
section and key it comes from.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from negsim.negotiation.kinds import check_strategies
from negsim.negotiation.protocols import PROTOCOLS
from negsim.scenarios import (
    ScenarioError,
    builtin_scenarios,
    did_you_mean,
    read_toml,
    scenario_from_dict,
)
from negsim.sweeps.designs import Design, flatten_paths
from negsim.sweeps.distributions import DISTRIBUTIONS, Choice, Distribution
from negsim.sweeps.errors import ExperimentError
from negsim.sweeps.messages import describe

NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"


class Experiment(BaseModel):
    """A batch experiment: scenario, arms, design, perturbations, replications, seed.

    Args:
        name: the experiment's name; results go to ``results/<name>/`` by default.
        description: what the experiment asks.
        scenario: a built-in scenario name or a TOML path (relative paths are read
            relative to the experiment file).
        arms: named arms, each a mapping of ``protocol`` and/or dotted parameter
            paths to values, e.g. ``{"bilateral": {"protocol": "bilateral"}}``.
        design: an optional parameter design swept under every arm.
        perturbations: dotted paths drawn per run from a distribution
            (:mod:`negsim.sweeps.distributions`).
        replications: runs per design point and arm (>= 1).
        root_seed: the root of the seed tree (>= 0).
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    scenario: str = "tag2018"
    arms: dict[str, dict[str, Any]] = Field(default_factory=lambda: _one_default_arm())
    design: Design | None = None
    perturbations: dict[str, Distribution] = Field(default_factory=dict)
    replications: int = Field(default=1, ge=1)
    root_seed: int = Field(default=0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("arms"), dict):
            data["arms"] = {
                name: flatten_paths(arm, lambda v: not isinstance(v, dict))
                if isinstance(arm, dict)
                else arm
                for name, arm in data["arms"].items()
            }
        if isinstance(data.get("perturbations"), dict):
            data["perturbations"] = flatten_paths(
                data["perturbations"], lambda v: not isinstance(v, dict) or "dist" in v
            )
        return data

    @model_validator(mode="after")
    def _check(self) -> Experiment:
        if not self.arms:
            raise ValueError("arms: no arms; give at least one, e.g. [arms.bilateral]")
        owner: dict[str, str] = {}
        for arm_name, arm in self.arms.items():
            _check_arm(arm_name, arm)
            for path in arm:
                owner.setdefault(path, f"arms.{arm_name}")
        sources = [("design", list(self.design.parameters) if self.design else [])]
        sources.append(("perturbations", list(self.perturbations)))
        for where, paths in sources:
            for path in paths:
                if path in owner and owner[path] != where:
                    raise ValueError(f"{path}: set by both {owner[path]} and {where}; set it once")
                owner[path] = where
        if "protocol" in self.perturbations:
            raise ValueError("perturbations.protocol: the protocol is set by arms or the design")
        return self

    # -- construction --------------------------------------------------------

    @classmethod
    def from_file(cls, path: str | Path) -> Experiment:
        """Read and validate an experiment TOML file (parameter paths included)."""
        path = Path(path)
        label = str(path)
        data = _read_file(path)
        scenario = data.get("scenario")
        if isinstance(scenario, str) and scenario not in builtin_scenarios():
            candidate = path.parent / scenario
            if candidate.is_file():
                data["scenario"] = str(candidate.resolve())
        exp = cls.from_dict(data, label=label)
        exp.check(label=label)
        return exp

    @classmethod
    def from_dict(cls, data: dict[str, Any], label: str = "<experiment>") -> Experiment:
        """Validate an experiment given as a dict (the parsed TOML)."""
        if not isinstance(data, dict):
            raise ExperimentError(f"{label}: an experiment is a table of keys")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ExperimentError(f"{label}: {describe(exc, _models())}") from None

    # -- derived -------------------------------------------------------------

    @property
    def arm_names(self) -> list[str]:
        """The arms' names in definition order."""
        return list(self.arms)

    def design_size(self) -> int:
        """The number of design points (1 when there is no design)."""
        return self.design.size() if self.design else 1

    def design_points(self) -> list[dict[str, Any]]:
        """The design points (one empty point when there is no design)."""
        return self.design.points(self.root_seed) if self.design else [{}]

    def scenario_data(self, label: str = "<experiment>") -> dict[str, Any]:
        """The raw scenario dict (parsed TOML) that every run starts from."""
        try:
            data, _ = read_toml(self.scenario)
        except ScenarioError as exc:
            raise ExperimentError(f"{label}: scenario: {exc}") from None
        return data

    def check(self, label: str = "<experiment>", data: dict[str, Any] | None = None) -> None:
        """Check every parameter path and value against the scenario.

        Each arm alone, each value of the design (:meth:`Design.corners`) alone, the
        perturbations' typical values alone, then all together, so that an error
        names the section it comes from.

        Raises:
            ExperimentError: one line naming the section, the setting and what is allowed.
        """
        data = data if data is not None else self.scenario_data(label)
        corners = self.design.corners() if self.design else [{}]
        typical = {p: d.typical() for p, d in self.perturbations.items()}
        first_arm = next(iter(self.arms.values()))
        trials = [(f"arms.{name}", arm) for name, arm in self.arms.items()]
        trials += [("design", point) for point in corners]
        trials += [("perturbations", typical)]
        trials += [  # every value a choice can draw, not only the typical one
            ("perturbations", {**typical, path: value})
            for path, d in self.perturbations.items()
            if isinstance(d, Choice)
            for value in d.values
        ]
        trials += [
            ("arms, design and perturbations together", {**corners[0], **first_arm, **typical})
        ]
        for where, overrides in trials:
            overrides = dict(overrides)
            overrides.pop("protocol", None)  # checked by the definition
            try:
                scenario = scenario_from_dict(data, overrides=overrides, label=f"{label}: {where}")
                check_strategies(scenario, label=f"{label}: {where}")
            except ScenarioError as exc:
                raise ExperimentError(str(exc)) from None

    def fingerprint(self, data: dict[str, Any] | None = None) -> str:
        """A hash of what decides the runs' records.

        The definition without ``replications`` and ``description``, and the scenario's
        parameters (not its name or path, so a moved scenario file still matches).
        """
        definition = self.model_dump(
            mode="json", exclude={"replications", "description", "scenario"}, exclude_none=True
        )
        blob = json.dumps(
            {"definition": definition, "scenario": data or self.scenario_data()},
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _one_default_arm() -> dict[str, dict[str, Any]]:
    return {"default": {}}


def _check_arm(name: str, arm: dict[str, Any]) -> None:
    if not re.fullmatch(NAME_PATTERN, name):
        raise ValueError(f"arms.{name}: arm names are letters, digits, _ . -")
    protocol = arm.get("protocol", "bilateral")
    if protocol not in PROTOCOLS:
        raise ValueError(
            f"arms.{name}.protocol = {protocol!r}: unknown protocol"
            f"{did_you_mean(str(protocol), PROTOCOLS)}; allowed: {', '.join(PROTOCOLS)}"
        )


def _read_file(path: Path) -> dict[str, Any]:
    label = str(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ExperimentError(f"{label}: no such experiment file") from None
    except IsADirectoryError:
        raise ExperimentError(f"{label}: a folder, not an experiment file") from None
    except OSError as exc:
        raise ExperimentError(f"{label}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ExperimentError(f"{label}: not a text file (expected TOML in UTF-8)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ExperimentError(f"{label}: malformed TOML: {exc}") from None


def _models() -> dict[str, type[BaseModel]]:
    return {"": Experiment, "design": Design, **DISTRIBUTIONS}


def resolve_experiment(name_or_path: str) -> Path:
    """A path to an experiment file, or ``experiments/<name>.toml`` for a bare name."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    folder = Path("experiments")
    candidate = folder / f"{name_or_path}.toml"
    if candidate.is_file():
        return candidate
    known = sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []
    hint = did_you_mean(name_or_path, known)
    listing = f"; experiments here: {', '.join(known)}" if known else ""
    raise ExperimentError(
        f"{name_or_path}: no such experiment file, nor experiments/{name_or_path}.toml"
        f"{hint}{listing}"
    )
