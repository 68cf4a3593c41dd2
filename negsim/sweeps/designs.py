"""Parameter designs swept under every arm: grid, Latin hypercube, Sobol' and Morris.

- ``grid``: each parameter takes a list of values or ``{low, high, num}`` (evenly
  spaced); the points are the Cartesian product, first parameter slowest.
- ``lhs``: ``samples`` points in the box of ``{low, high}`` ranges
  (``scipy.stats.qmc.LatinHypercube``, scaled by ``qmc.scale``).
- ``sobol``: Saltelli's sample of base size ``samples`` through SALib (optional extra
  ``negsim[sobol]``): ``samples * (d + 2)`` points, ``samples * (2d + 2)`` with
  ``second_order = true``.
- ``morris``: ``trajectories`` one-at-a-time trajectories on a ``levels``-level grid
  (``SALib.sample.morris``; Morris 1991): ``trajectories * (d + 1)`` points, each
  trajectory's ``d + 1`` points consecutive, in the order ``SALib.analyze.morris``
  expects.

The size of a design is known before any point is made (:meth:`Design.size`); a
design larger than :data:`MAX_POINTS` is refused.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from negsim.sweeps.errors import ExperimentError
from negsim.sweeps.seeds import design_seed

MAX_POINTS = 1_000_000
"""The most design points a sweep accepts (the manifest lists every point)."""

DEFAULT_LEVELS = 4
"""Morris's grid levels when a design does not say (SALib's default)."""

Finite = Annotated[float, Field(allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Bounds(_Strict):
    """A range of a design parameter: ``low``..``high``, and ``num`` points for a grid."""

    low: Finite
    high: Finite
    num: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _check(self) -> Bounds:
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self


class Design(_Strict):
    """A parameter design (see the module's description of each ``kind``)."""

    kind: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    samples: int | None = Field(default=None, ge=1)
    second_order: bool = False
    trajectories: int | None = Field(default=None, ge=1)
    levels: int | None = Field(default=None, ge=2)  # morris; None: DEFAULT_LEVELS
    parameters: dict[str, list[Any] | Bounds] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("parameters"), dict):
            data = {**data, "parameters": flatten_paths(data["parameters"], _is_leaf)}
        return data

    @model_validator(mode="after")
    def _check(self) -> Design:
        if not self.parameters:
            raise ValueError("an empty design: give at least one parameter, or leave out [design]")
        for path, spec in self.parameters.items():
            self._check_parameter(path, spec)
        self._check_size_keys()
        if self.size() > MAX_POINTS:
            raise ValueError(
                f"{self.size():,} design points: more than the limit of {MAX_POINTS:,}; "
                "use fewer values, samples or trajectories"
            )
        return self

    def _check_parameter(self, path: str, spec: list[Any] | Bounds) -> None:
        if isinstance(spec, list) and not spec:
            raise ValueError(f"parameters.{path}: an empty list of values")
        if self.kind == "grid" and isinstance(spec, Bounds) and spec.num is None:
            raise ValueError(f"parameters.{path}: a grid range needs num (number of points)")
        if self.kind != "grid" and not isinstance(spec, Bounds):
            raise ValueError(f"parameters.{path}: a {self.kind} design takes {{low, high}}")
        if self.kind != "grid" and isinstance(spec, Bounds) and not spec.low < spec.high:
            raise ValueError(f"parameters.{path}: a {self.kind} range needs low < high")

    def _check_size_keys(self) -> None:
        wanted = {"grid": None, "lhs": "samples", "sobol": "samples", "morris": "trajectories"}
        key = wanted[self.kind]
        if self.levels is not None and self.kind != "morris":
            raise ValueError(f"a {self.kind} design takes no levels (a morris design does)")
        for other in ("samples", "trajectories"):
            if other != key and getattr(self, other) is not None:
                what = f"takes {key}" if key else "takes neither (its size is the product)"
                raise ValueError(f"a {self.kind} design {what}, not {other}")
        if key is not None and getattr(self, key) is None:
            raise ValueError(f"a {self.kind} design needs {key}")

    # -- size and points ------------------------------------------------------

    def size(self) -> int:
        """The number of design points, computed without making them."""
        d = len(self.parameters)
        if self.kind == "grid":
            return math.prod(_axis_length(spec) for spec in self.parameters.values())
        if self.kind == "lhs":
            return self.samples or 0
        if self.kind == "sobol":
            return (self.samples or 0) * ((2 * d + 2) if self.second_order else (d + 2))
        return (self.trajectories or 0) * (d + 1)

    def problem(self) -> dict[str, Any]:
        """The SALib problem: ``num_vars``, ``names`` (dotted paths) and ``bounds``."""
        bounds = [self._bounds(path) for path in self.parameters]
        return {"num_vars": len(bounds), "names": list(self.parameters), "bounds": bounds}

    def sample(self, root_seed: int) -> np.ndarray:
        """The points of a sampled design as a ``(size, d)`` array (not for a grid)."""
        if self.kind == "grid":
            raise ExperimentError("a grid design has no sample matrix; use points()")
        return _SAMPLERS[self.kind](self, root_seed)

    def points(self, root_seed: int) -> list[dict[str, Any]]:
        """The design points, each a mapping of dotted path to value."""
        paths = list(self.parameters)
        if self.kind == "grid":
            axes = [_axis(spec) for spec in self.parameters.values()]
            return [dict(zip(paths, combo, strict=True)) for combo in itertools.product(*axes)]
        return [
            {p: float(v) for p, v in zip(paths, row, strict=True)} for row in self.sample(root_seed)
        ]

    def corners(self) -> list[dict[str, Any]]:
        """Few points that hold every value a grid takes, or each range's two ends.

        Checking these finds a bad path or value without building every point.
        """
        first = {path: _axis(spec)[0] for path, spec in self.parameters.items()}
        found = [first]
        for path, spec in self.parameters.items():
            values = _axis(spec) if self.kind == "grid" else list(self._bounds(path))
            found += [{**first, path: value} for value in values[1:]]
        return found

    def _bounds(self, path: str) -> tuple[float, float]:
        spec = self.parameters[path]
        if not isinstance(spec, Bounds):
            raise ExperimentError(f"design.parameters.{path}: a {self.kind} design takes a range")
        return (spec.low, spec.high)


def _axis_length(spec: list[Any] | Bounds) -> int:
    return len(spec) if isinstance(spec, list) else (spec.num or 1)


def _axis(spec: list[Any] | Bounds) -> list[Any]:
    if isinstance(spec, list):
        return list(spec)
    return [float(v) for v in np.linspace(spec.low, spec.high, spec.num or 1)]


def _lhs(design: Design, root_seed: int) -> np.ndarray:
    from scipy.stats import qmc

    bounds = np.array(design.problem()["bounds"], dtype=float)
    sampler = qmc.LatinHypercube(d=len(bounds), rng=np.random.default_rng(design_seed(root_seed)))
    unit = sampler.random(design.samples or 0)
    return np.asarray(qmc.scale(unit, bounds[:, 0], bounds[:, 1]))


def _salib(name: str) -> Any:
    import importlib

    try:
        return importlib.import_module(f"SALib.sample.{name}")
    except ImportError:
        raise ExperimentError(
            f"design.kind = {name!r} needs SALib: pip install 'negsim[sobol]'"
        ) from None


def _int_seed(root_seed: int) -> int:
    return int(design_seed(root_seed).generate_state(1)[0])


def _sobol(design: Design, root_seed: int) -> np.ndarray:
    sobol = _salib("sobol")
    return np.asarray(
        sobol.sample(
            design.problem(),
            design.samples,
            calc_second_order=design.second_order,
            seed=_int_seed(root_seed),
        )
    )


def _morris(design: Design, root_seed: int) -> np.ndarray:
    morris = _salib("morris")
    return np.asarray(
        morris.sample(
            design.problem(),
            design.trajectories,
            num_levels=design.levels or DEFAULT_LEVELS,
            seed=_int_seed(root_seed),
        )
    )


_SAMPLERS: dict[str, Callable[[Design, int], np.ndarray]] = {
    "lhs": _lhs,
    "sobol": _sobol,
    "morris": _morris,
}


def flatten_paths(
    data: dict[str, Any], is_leaf: Callable[[Any], bool], prefix: str = ""
) -> dict[str, Any]:
    """Join nested TOML tables (``a.b.c = 1`` unquoted) back into dotted paths."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if is_leaf(value):
            out[path] = value
        else:
            out.update(flatten_paths(value, is_leaf, f"{path}."))
    return out


def _is_leaf(value: Any) -> bool:
    return not isinstance(value, dict) or bool({"low", "high", "num"} & set(value))
