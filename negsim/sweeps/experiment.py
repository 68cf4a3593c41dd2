"""Batch experiments: definitions, designs, seeds, executors and the results store.

An :class:`Experiment` names a scenario, *arms* (e.g. the bilateral and the
multilateral protocol), an optional parameter *design* (a grid, a Latin hypercube or
a Sobol' sample), per-run *perturbations* of parameters drawn from stated
distributions, a number of *replications* and a *root seed*. It is written as a TOML
file (see ``experiments/``) or built in Python::

    from negsim.sweeps.experiment import Experiment, run_experiment

    exp = Experiment.from_file("experiments/bilateral_vs_multilateral.toml")
    summary = run_experiment(exp, workers=2, out="results/bilateral_vs_multilateral")
    df = negsim.load_results(summary.out)

Seeds. Run ``(design_point d, replication r)`` takes its seeds from
``numpy.random.SeedSequence(root_seed, spawn_key=(d, r))``, the ``(d, r)``-th child of
``SeedSequence(root_seed).spawn(...)`` twice over: the model seed is its first 63 bits
and the perturbation draws come from its child ``(d, r, 0)``. Every arm of a design
point and replication gets the same seed and the same draws, so arms are paired, and
a run's record does not depend on the executor, the number of workers or the order
in which runs finish.

Results. A sweep writes ``part-NNNNN.parquet`` chunk files (a temporary file, then an
atomic rename) and a ``manifest.json`` into its results folder; :func:`load_results`
reads them back as one DataFrame. ``resume=True`` runs only the runs missing from the
folder, identified by ``(design_point, arm, replication)``.

Design choices are written down in ``docs/experiments.md``.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import hashlib
import itertools
import json
import math
import os
import platform
import re
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from negsim.scenarios import (
    ScenarioError,
    builtin_scenarios,
    did_you_mean,
    read_toml,
    scenario_from_dict,
)

PROTOCOLS = ("bilateral", "multilateral")
ID_COLUMNS = ("experiment", "arm", "design_point", "replication", "seed", "status", "error")
MANIFEST = "manifest.json"
PART_GLOB = "part-*.parquet"
_PART_RE = re.compile(r"^part-(\d+)\.parquet$")
_TMP_SUFFIX = ".tmp"
_MAX_ERRORS_KEPT = 20
FLUSH_SECONDS = 60.0  # write a chunk file at least this often, even if not full

RunFn = Callable[..., Any]


class ExperimentError(ValueError):
    """An experiment definition or sweep request is invalid; the message is one line."""


# ---------------------------------------------------------------------------
# definitions


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Distribution(_Strict):
    """A distribution a parameter is drawn from, once per run.

    ``uniform(low, high)``, ``loguniform(low, high)``, ``normal(mean, sd)``,
    ``truncnormal(mean, sd, low, high)``, ``lognormal(mean, sd)`` (of the log),
    ``triangular(low, mode, high)``, ``integers(low, high)`` (both included) and
    ``choice(values)``. Each draw uses one uniform number of the run's own stream
    (inverse CDF), so adding a parameter does not shift the others' draws' meaning.
    """

    dist: Literal[
        "uniform",
        "loguniform",
        "normal",
        "truncnormal",
        "lognormal",
        "triangular",
        "integers",
        "choice",
    ]
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = Field(default=None, gt=0)
    mode: float | None = None
    values: list[Any] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _check_arguments(self) -> Distribution:
        needs = {
            "uniform": ("low", "high"),
            "loguniform": ("low", "high"),
            "normal": ("mean", "sd"),
            "truncnormal": ("mean", "sd", "low", "high"),
            "lognormal": ("mean", "sd"),
            "triangular": ("low", "mode", "high"),
            "integers": ("low", "high"),
            "choice": ("values",),
        }[self.dist]
        given = {
            k
            for k in ("low", "high", "mean", "sd", "mode", "values")
            if getattr(self, k) is not None
        }
        missing = [k for k in needs if k not in given]
        extra = sorted(given - set(needs))
        if missing or extra:
            raise ValueError(
                f"{self.dist} takes {', '.join(needs)}"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; not {', '.join(extra)}" if extra else "")
            )
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        if self.dist == "loguniform" and (self.low or 0) <= 0:
            raise ValueError("loguniform needs low > 0")
        if self.dist == "triangular" and not (self.low <= self.mode <= self.high):  # type: ignore[operator]
            raise ValueError("triangular needs low <= mode <= high")
        if self.dist == "integers" and (self.low != int(self.low) or self.high != int(self.high)):  # type: ignore[arg-type]
            raise ValueError("integers needs whole-number low and high")
        return self

    def ppf(self, u: float) -> Any:
        """The value at cumulative probability ``u`` in [0, 1)."""
        from scipy import special, stats

        d = self.dist
        if d == "uniform":
            return self.low + u * (self.high - self.low)  # type: ignore[operator]
        if d == "loguniform":
            lo, hi = math.log(self.low), math.log(self.high)  # type: ignore[arg-type]
            return math.exp(lo + u * (hi - lo))
        if d == "normal":
            return self.mean + self.sd * float(special.ndtri(u))  # type: ignore[operator]
        if d == "lognormal":
            return math.exp(self.mean + self.sd * float(special.ndtri(u)))  # type: ignore[operator]
        if d == "truncnormal":
            a = (self.low - self.mean) / self.sd  # type: ignore[operator]
            b = (self.high - self.mean) / self.sd  # type: ignore[operator]
            return float(stats.truncnorm.ppf(u, a, b, loc=self.mean, scale=self.sd))
        if d == "triangular":
            lo, mode, hi = self.low, self.mode, self.high
            if hi == lo:
                return lo
            c = (mode - lo) / (hi - lo)  # type: ignore[operator]
            if u < c:
                return lo + math.sqrt(u * (hi - lo) * (mode - lo))  # type: ignore[operator]
            return hi - math.sqrt((1 - u) * (hi - lo) * (hi - mode))  # type: ignore[operator]
        if d == "integers":
            lo, hi = int(self.low), int(self.high)  # type: ignore[arg-type]
            return min(hi, lo + int(u * (hi - lo + 1)))
        values = self.values or []
        return values[min(len(values) - 1, int(u * len(values)))]

    def typical(self) -> Any:
        """A representative value, used to check the parameter path before a sweep."""
        return self.ppf(0.5)


class Bounds(_Strict):
    """A range of a design parameter: ``low``..``high``, and ``num`` points for a grid."""

    low: float
    high: float
    num: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _check(self) -> Bounds:
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self


class Design(_Strict):
    """A parameter design: a grid, a Latin hypercube or a Sobol' (Saltelli) sample.

    ``grid``: each parameter takes a list of values or ``{low, high, num}`` (evenly
    spaced); the points are the Cartesian product, first parameter slowest.
    ``lhs``: ``samples`` points in the box of ``{low, high}`` ranges (scipy.stats.qmc).
    ``sobol``: Saltelli's sample of base size ``samples`` through SALib (optional extra
    ``negsim[sobol]``), ``samples * (d + 2)`` points, or ``samples * (2d + 2)`` with
    ``second_order = true``.
    """

    kind: Literal["grid", "lhs", "sobol"] = "grid"
    samples: int | None = Field(default=None, ge=1)
    second_order: bool = False
    parameters: dict[str, list[Any] | Bounds] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("parameters"), dict):
            data = {**data, "parameters": _flatten_paths(data["parameters"], _is_design_leaf)}
        return data

    @model_validator(mode="after")
    def _check(self) -> Design:
        if not self.parameters:
            raise ValueError("an empty design: give at least one parameter, or leave out [design]")
        for path, spec in self.parameters.items():
            if isinstance(spec, list) and not spec:
                raise ValueError(f"parameters.{path}: an empty list of values")
            if self.kind == "grid" and isinstance(spec, Bounds) and spec.num is None:
                raise ValueError(f"parameters.{path}: a grid range needs num (number of points)")
            if self.kind != "grid" and not isinstance(spec, Bounds):
                raise ValueError(f"parameters.{path}: a {self.kind} design takes {{low, high}}")
        if self.kind != "grid" and self.samples is None:
            raise ValueError(f"a {self.kind} design needs samples")
        if self.kind == "grid" and self.samples is not None:
            raise ValueError("a grid design takes no samples (its size is the product of values)")
        return self

    def points(self, root_seed: int) -> list[dict[str, Any]]:
        """The design points, each a mapping of dotted path to value."""
        paths = list(self.parameters)
        if self.kind == "grid":
            axes = []
            for spec in self.parameters.values():
                if isinstance(spec, Bounds):
                    axes.append([float(v) for v in np.linspace(spec.low, spec.high, spec.num)])
                else:
                    axes.append(list(spec))
            return [dict(zip(paths, combo, strict=True)) for combo in itertools.product(*axes)]
        bounds = [(b.low, b.high) for b in self.parameters.values()]  # type: ignore[union-attr]
        design_seed = np.random.SeedSequence(root_seed, spawn_key=(2**32 - 1,))
        if self.kind == "lhs":
            from scipy.stats import qmc

            rng = np.random.default_rng(design_seed)
            try:
                sampler = qmc.LatinHypercube(d=len(paths), rng=rng)
            except TypeError:  # scipy < 1.15
                sampler = qmc.LatinHypercube(d=len(paths), seed=rng)
            unit = sampler.random(self.samples)  # type: ignore[arg-type]
            lows = np.array([b[0] for b in bounds])
            highs = np.array([b[1] for b in bounds])
            sample = lows + unit * (highs - lows)
        else:
            try:
                from SALib.sample import sobol as salib_sobol
            except ImportError:
                raise ExperimentError(
                    "design.kind = 'sobol' needs SALib: pip install 'negsim[sobol]'"
                ) from None
            problem = {"num_vars": len(paths), "names": paths, "bounds": bounds}
            seed = int(design_seed.generate_state(1)[0])
            sample = salib_sobol.sample(
                problem, self.samples, calc_second_order=self.second_order, seed=seed
            )
        return [
            {p: float(v) for p, v in zip(paths, row, strict=True)} for row in np.asarray(sample)
        ]


class Experiment(_Strict):
    """A batch experiment: scenario, arms, design, perturbations, replications, seed.

    Args:
        name: the experiment's name; results go to ``results/<name>/`` by default.
        description: what the experiment asks.
        scenario: a built-in scenario name or a TOML path (relative paths are read
            relative to the experiment file).
        arms: named arms, each a mapping of ``protocol`` and/or dotted parameter
            paths to values, e.g. ``{"bilateral": {"protocol": "bilateral"}}``.
        design: an optional parameter design swept under every arm.
        perturbations: dotted paths drawn per run from a :class:`Distribution`.
        replications: runs per design point and arm (>= 1).
        root_seed: the root of the seed tree (>= 0).
    """

    name: str = Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
    description: str = ""
    scenario: str = "tag2018"
    arms: dict[str, dict[str, Any]] = Field(default_factory=lambda: {"default": {}})
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
                name: _flatten_paths(arm, lambda v: not isinstance(v, dict))
                if isinstance(arm, dict)
                else arm
                for name, arm in data["arms"].items()
            }
        if isinstance(data.get("perturbations"), dict):
            data["perturbations"] = _flatten_paths(
                data["perturbations"], lambda v: not isinstance(v, dict) or "dist" in v
            )
        return data

    @model_validator(mode="after")
    def _check(self) -> Experiment:
        if not self.arms:
            raise ValueError("arms: no arms; give at least one, e.g. [arms.bilateral]")
        owner: dict[str, str] = {}
        for arm_name, arm in self.arms.items():
            if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", arm_name):
                raise ValueError(f"arms.{arm_name}: arm names are letters, digits, _ . -")
            protocol = arm.get("protocol", "bilateral")
            if protocol not in PROTOCOLS:
                raise ValueError(
                    f"arms.{arm_name}.protocol = {protocol!r}: unknown protocol"
                    f"{did_you_mean(str(protocol), PROTOCOLS)}; allowed: {', '.join(PROTOCOLS)}"
                )
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
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ExperimentError(f"{label}: no such experiment file") from None
        except OSError as exc:
            raise ExperimentError(f"{label}: cannot read ({exc.strerror})") from None
        except tomllib.TOMLDecodeError as exc:
            raise ExperimentError(f"{label}: malformed TOML: {exc}") from None
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
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ExperimentError(f"{label}: {_describe(exc)}") from None

    # -- derived -------------------------------------------------------------

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

        Each arm is tried with the first design point, each design point with the
        first arm, all with a typical value of each perturbation.

        Raises:
            ExperimentError: one line naming the setting and what is allowed.
        """
        data = data if data is not None else self.scenario_data(label)
        points = self.design_points()
        typical = {p: d.typical() for p, d in self.perturbations.items()}
        arms = list(self.arms.items())
        trials = [(f"arms.{name}", arm, points[0]) for name, arm in arms]
        trials += [(f"design point {i}", arms[0][1], pt) for i, pt in enumerate(points)]
        trials.append(("perturbations", arms[0][1], points[0]))
        for where, arm, point in trials:
            overrides = {**point, **arm, **typical}
            protocol = overrides.pop("protocol", "bilateral")
            if protocol not in PROTOCOLS:
                raise ExperimentError(
                    f"{label}: {where}: protocol = {protocol!r}: unknown protocol; "
                    f"allowed: {', '.join(PROTOCOLS)}"
                )
            try:
                scenario_from_dict(data, overrides=overrides, label=f"{label}: {where}")
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


def _flatten_paths(data: dict[str, Any], is_leaf: Callable[[Any], bool], prefix: str = "") -> dict:
    """Join nested TOML tables (``a.b.c = 1`` unquoted) back into dotted paths."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if is_leaf(value):
            out[path] = value
        else:
            out.update(_flatten_paths(value, is_leaf, f"{path}."))
    return out


def _is_design_leaf(value: Any) -> bool:
    return not isinstance(value, dict) or bool({"low", "high", "num"} & set(value))


_MODELS: dict[str, type[BaseModel]] = {
    "": Experiment,
    "design": Design,
    "perturbations": Distribution,
}


def _describe(exc: ValidationError) -> str:
    """One line for the first error of a ValidationError, with its dotted location."""
    errors = exc.errors()
    err = errors[0]

    # a design parameter is a list or {low, high, num}: report the branch that was meant
    def is_bounds(part: Any) -> bool:
        return str(part) == "Bounds" or str(part).endswith("Bounds]")

    branch = [
        e
        for e in errors
        if any(is_bounds(p) for p in e["loc"])
        and e["type"] != "model_type"
        and e["loc"][:3] == err["loc"][:3]
    ]
    if err["type"] == "list_type" and branch:
        err = branch[0]
    loc = [str(p) for p in err["loc"]]
    # drop pydantic's union-branch labels (e.g. 'list[any]', 'Bounds')
    loc = [p for p in loc if not (p.startswith("list[") or is_bounds(p))]
    where = ".".join(loc) or "<top level>"
    if err["type"] in ("list_type", "model_type") and loc[:2] == ["design", "parameters"]:
        return f"{where} = {err.get('input')!r}: expected a list of values or {{low, high, num}}"
    if err["type"] == "extra_forbidden":
        key = loc[-1]
        parent = loc[0] if len(loc) > 1 else ""
        model = _MODELS.get(parent, Experiment if not parent else None)
        if model is not None:
            allowed = sorted(model.model_fields)
            return (
                f"{where}: unknown key{did_you_mean(key, allowed)}; allowed: {', '.join(allowed)}"
            )
        return f"{where}: unknown key"
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        return f"{where}: required key is missing"
    if err["type"] == "literal_error":
        value = err.get("input")
        return f"{where} = {value!r}: {message}"
    value = err.get("input")
    shown = "" if isinstance(value, dict | list) or not loc else f" = {value!r}"
    if where == "<top level>":
        return message
    return f"{where}{shown}: {message}"


# ---------------------------------------------------------------------------
# seeds and one run


def run_seed(root_seed: int, design_point: int, replication: int) -> int:
    """The model seed of run ``(design_point, replication)``, shared by all arms."""
    ss = np.random.SeedSequence(root_seed, spawn_key=(design_point, replication))
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


def perturbation_rng(root_seed: int, design_point: int, replication: int) -> np.random.Generator:
    """The generator of run ``(design_point, replication)``'s perturbation draws."""
    ss = np.random.SeedSequence(root_seed, spawn_key=(design_point, replication, 0))
    return np.random.default_rng(ss)


@dataclass(frozen=True)
class _Spec:
    """What a worker needs to run any run of the experiment (pickled per task)."""

    experiment: Experiment
    scenario: dict[str, Any]
    points: dict[int, dict[str, Any]]  # design points by index (a task gets its own)
    run_fn: RunFn | None
    token: str = ""


def _param_value(value: Any) -> Any:
    if isinstance(value, list | dict | tuple):
        return json.dumps(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _simulate(scenario: Any, protocol: str, seed: int) -> Any:
    from negsim.negotiation.model import simulate

    return simulate(scenario, protocol=protocol, seed=seed)


def run_one(spec: _Spec, design_point: int, replication: int, arm_index: int) -> dict[str, Any]:
    """Run one run and return its row; an exception becomes a row with status error."""
    exp = spec.experiment
    arm_name, arm = list(exp.arms.items())[arm_index]
    seed = run_seed(exp.root_seed, design_point, replication)
    row: dict[str, Any] = {
        "experiment": exp.name,
        "arm": arm_name,
        "design_point": design_point,
        "replication": replication,
        "seed": seed,
        "status": "ok",
        "error": None,
    }
    settings: dict[str, Any] = {**spec.points[design_point], **arm}
    if exp.perturbations:
        rng = perturbation_rng(exp.root_seed, design_point, replication)
        for path, dist in exp.perturbations.items():
            settings[path] = dist.ppf(float(rng.random()))
    protocol = settings.pop("protocol", "bilateral")
    for path, value in settings.items():
        row[f"param.{path}"] = _param_value(value)
    try:
        scenario = _scenario(spec, settings, cache=not exp.perturbations)
        run_fn = spec.run_fn or _simulate
        outcome = run_fn(scenario, protocol=protocol, seed=seed)
        record = outcome.to_record() if hasattr(outcome, "to_record") else dict(outcome)
    except Exception as exc:  # a failed run is data: record it, go on
        message = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
        row.update(status="error", error=message, scenario=exp.scenario, protocol=protocol)
        return row
    for key, value in record.items():
        if key in ("seed", "status"):
            continue
        row[key] = value
    return row


_SCENARIOS: dict[tuple[str, str], Any] = {}


def _scenario(spec: _Spec, settings: dict[str, Any], cache: bool) -> Any:
    """The validated scenario of a run; cached per worker when it has no perturbations."""
    if not cache:
        return scenario_from_dict(spec.scenario, overrides=settings, label=spec.experiment.scenario)
    key = (spec.token, json.dumps(settings, sort_keys=True, default=str))
    scenario = _SCENARIOS.get(key)
    if scenario is None:
        if len(_SCENARIOS) >= 256:
            _SCENARIOS.clear()
        scenario = scenario_from_dict(
            spec.scenario, overrides=settings, label=spec.experiment.scenario
        )
        _SCENARIOS[key] = scenario
    return scenario


def _run_chunk(spec: _Spec, runs: list[tuple[int, int, int]]) -> list[dict[str, Any]]:
    """Run a chunk of runs ``(design_point, replication, arm_index)`` in a worker."""
    return [run_one(spec, d, r, a) for d, r, a in runs]


# ---------------------------------------------------------------------------
# executors


class _InlineExecutor(cf.Executor):
    """Runs each task at submit time, in the calling thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future:
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
        return future


def _mp_context() -> Any:
    """A forkserver on Linux (warm imports, no fork of a threaded process), else the default.

    Mesa's ``batchrunner`` (imported by ``import mesa``) forces the global start
    method to ``spawn``, which would make each worker re-import everything. Forking
    the driver itself is quick but unsafe once it runs threads (pyarrow, Dask); a
    forkserver is a clean single-threaded process, started once, with negsim
    imported, from which each worker is forked.
    """
    import multiprocessing

    if sys.platform == "linux" and "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["negsim.negotiation.model", "negsim.sweeps.experiment"])
        return context
    return multiprocessing.get_context()


@contextlib.contextmanager
def _executor(workers: int, scheduler: Any) -> Iterator[tuple[cf.Executor, str, int]]:
    """Yield ``(executor, description, parallelism)``."""
    if scheduler is None:
        if workers == 0:
            yield _InlineExecutor(), "in-process", 1
            return
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context()) as pool:
            try:
                yield pool, f"{workers} local process{'es' if workers > 1 else ''}", workers
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        return
    try:
        import distributed
    except ImportError:
        raise ExperimentError(
            "--scheduler needs Dask distributed: pip install 'negsim[dask]'"
        ) from None
    cluster = None
    if isinstance(scheduler, distributed.Client):
        client, owned = scheduler, False
        where = f"Dask {client.scheduler.address}"
    elif scheduler == "local":
        import logging

        cluster = distributed.LocalCluster(
            n_workers=max(workers, 1),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client, owned = distributed.Client(cluster), True
        where = f"local Dask cluster ({max(workers, 1)} workers)"
    else:
        address = str(scheduler)
        try:
            client = distributed.Client(address, timeout="5s")
        except (OSError, TimeoutError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ExperimentError(
                f"--scheduler {address}: cannot reach a Dask scheduler ({reason}); "
                "give tcp://HOST:PORT of a running `dask scheduler`, or 'local'"
            ) from None
        owned = True
        where = f"Dask {address}"
    try:
        n = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()) or 1
        yield client.get_executor(pure=False), where, n
    finally:
        if owned:
            client.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------------------
# results store


@dataclass
class SweepSummary:
    """What a sweep did."""

    out: Path
    experiment: str
    total: int
    skipped: int
    ran: int = 0
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    executor: str = ""
    first_errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def runs_per_s(self) -> float:
        """Runs per second of this sweep."""
        return self.ran / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        """One line for the terminal."""
        text = (
            f"{self.experiment}: {self.ran} runs ({self.ok} ok, {self.errors} errors) "
            f"in {self.seconds:.1f} s ({self.runs_per_s:.1f} runs/s) on {self.executor}"
        )
        if self.skipped:
            text += f"; {self.skipped} already in the folder"
        text += f" -> {self.out}"
        if self.first_errors:
            text += f"\nfirst error: {self.first_errors[0]['error']}"
        return text


def _parts(out: Path) -> list[Path]:
    return sorted(p for p in out.glob(PART_GLOB) if _PART_RE.match(p.name))


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}{_TMP_SUFFIX}")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _write_part(
    out: Path, index: int, rows: list[dict[str, Any]], scenario: dict[str, Any], arms: list[str]
) -> Path:
    """Write one chunk file atomically, rows in run order, columns in canonical order."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    order = {name: i for i, name in enumerate(arms)}
    rows = sorted(rows, key=lambda r: (r["design_point"], r["replication"], order[r["arm"]]))
    frame = pd.DataFrame(rows)
    frame = frame[_column_order(list(frame.columns), scenario)]
    table = pa.Table.from_pandas(frame, preserve_index=False)
    final = out / f"part-{index:05d}.parquet"
    tmp = out / f".{final.name}{_TMP_SUFFIX}"
    pq.write_table(table, tmp)
    os.replace(tmp, final)
    return final


def _versions() -> dict[str, str]:
    import mesa
    import pandas
    import pyarrow

    import negsim

    return {
        "negsim": negsim.__version__,
        "mesa": mesa.__version__,
        "numpy": np.__version__,
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "negsim_source": source_hash(),
    }


def source_hash() -> str:
    """A hash of negsim's code and built-in scenarios: did the model change?"""
    folder = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*folder.glob("*.py"), *folder.glob("scenarios/*.toml")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def read_manifest(out: str | Path) -> dict[str, Any] | None:
    """The manifest of a results folder, or None when there is none."""
    path = Path(out) / MANIFEST
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ExperimentError(f"{path}: unreadable manifest ({exc})") from None


def _done_runs(out: Path) -> set[tuple[int, str, int]]:
    import pyarrow.parquet as pq

    done: set[tuple[int, str, int]] = set()
    for part in _parts(out):
        table = pq.read_table(part, columns=["design_point", "arm", "replication"])
        cols = table.to_pydict()
        done.update(zip(cols["design_point"], cols["arm"], cols["replication"], strict=True))
    return done


def _prepare_folder(
    out: Path, exp: Experiment, fingerprint: str, resume: bool, overwrite: bool
) -> tuple[dict[str, Any] | None, list[Path]]:
    """Check the results folder against the experiment, changing nothing.

    Returns:
        The old manifest when resuming, and the files ``overwrite`` will delete.
    """
    if resume and overwrite:
        raise ExperimentError("--resume and --overwrite exclude each other; choose one")
    if out.exists() and not out.is_dir():
        raise ExperimentError(f"--out {out}: exists and is not a folder")
    manifest = read_manifest(out) if out.is_dir() else None
    parts = _parts(out) if out.is_dir() else []
    if overwrite:
        doomed = [*parts, out / MANIFEST, *out.glob(f".*{_TMP_SUFFIX}")] if out.is_dir() else []
        return None, doomed
    if manifest is None:
        if parts:
            raise ExperimentError(
                f"{out}: holds {len(parts)} result files but no {MANIFEST}; "
                "use another --out or --overwrite to replace them"
            )
        return None, []
    if manifest.get("experiment") != exp.name or manifest.get("fingerprint") != fingerprint:
        what = (
            f"experiment {manifest.get('experiment')!r}"
            if manifest.get("experiment") != exp.name
            else f"a different definition of {exp.name!r} (or of its scenario)"
        )
        raise ExperimentError(
            f"{out}: holds {what}; refusing to mix results: use another --out, "
            "or --overwrite to replace them"
        )
    if parts and not resume:
        raise ExperimentError(
            f"{out}: already holds results of {exp.name!r}; use --resume to run only the "
            "missing runs, or --overwrite to start again"
        )
    return manifest, []


# ---------------------------------------------------------------------------
# progress


class _Progress:
    """A rich progress bar on a terminal; plain periodic log lines otherwise."""

    def __init__(self, total: int, label: str, mode: bool | None, interval: float = 10.0) -> None:
        self.total, self.label, self.interval = total, label, interval
        self.done = self.errors = 0
        self.start = self.last = time.perf_counter()
        self.bar = None
        self.enabled = mode is not False
        if self.enabled and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]:.1f} runs/s"),
                TextColumn("{task.fields[errors]} errors"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self.task = self.bar.add_task(label, total=total, rate=0.0, errors=0)
            self.bar.start()

    def update(self, n: int, errors: int) -> None:
        self.done += n
        self.errors += errors
        now = time.perf_counter()
        rate = self.done / max(now - self.start, 1e-9)
        if self.bar is not None:
            self.bar.update(self.task, advance=n, rate=rate, errors=self.errors)
        elif self.enabled and (now - self.last >= self.interval or self.done == self.total):
            self.last = now
            eta = (self.total - self.done) / rate if rate > 0 else float("nan")
            print(
                f"negsim sweep {self.label}: {self.done}/{self.total} runs "
                f"({100 * self.done / max(self.total, 1):.0f}%), {rate:.1f} runs/s, "
                f"ETA {_fmt_seconds(eta)}, {self.errors} errors",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _fmt_seconds(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    minutes, sec = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{sec:02d}s"


# ---------------------------------------------------------------------------
# the sweep


def default_workers() -> int:
    """The number of CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_experiment(
    experiment: Experiment | str | Path,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    resume: bool = False,
    overwrite: bool = False,
    replications: int | None = None,
    arms: list[str] | None = None,
    chunk_size: int | None = None,
    rows_per_file: int = 1000,
    progress: bool | None = False,
    run_fn: RunFn | None = None,
) -> SweepSummary:
    """Run an experiment and write its results store.

    Args:
        experiment: an :class:`Experiment`, or the path of an experiment TOML file.
        out: the results folder; default ``results/<name>`` (relative to the current
            directory).
        workers: local worker processes; 0 runs in this process; default: the CPUs
            available. With a Dask scheduler: the workers of a local cluster.
        scheduler: None (local processes), ``"local"`` (start a local Dask cluster),
            ``"tcp://host:port"`` (a running Dask scheduler) or a ``distributed.Client``.
        resume: run only the runs missing from ``out``.
        overwrite: replace the results of another experiment held in ``out``.
        replications: override the definition's replications.
        arms: run only these arms (the others can be added later with ``resume``).
        chunk_size: runs per task sent to a worker (default: a share of the work).
        rows_per_file: runs per Parquet chunk file, the most the driver holds; a
            chunk is also written when :data:`FLUSH_SECONDS` have passed.
        progress: True or None: a progress bar when stderr is a terminal, a log
            line every 10 s otherwise; False: silent.
        run_fn: ``f(scenario, protocol=..., seed=...)`` returning an outcome with
            ``to_record()`` (or a dict); default :func:`negsim.simulate`. Must be
            picklable for processes and Dask.

    Returns:
        A :class:`SweepSummary`.

    Raises:
        ExperimentError: bad input; one line; nothing in ``out`` is changed.
    """
    if not isinstance(experiment, Experiment):
        experiment = Experiment.from_file(experiment)
    exp = experiment
    if replications is not None:
        if replications < 1:
            raise ExperimentError(f"replications = {replications}: must be at least 1")
        exp = exp.model_copy(update={"replications": replications})
    if workers is None:
        workers = default_workers()
    if workers < 0:
        raise ExperimentError(f"workers = {workers}: must be 0 (in-process) or more")
    if rows_per_file < 1 or (chunk_size is not None and chunk_size < 1):
        raise ExperimentError("rows_per_file and chunk_size must be at least 1")
    arm_names = list(exp.arms)
    if arms:
        for name in arms:
            if name not in exp.arms:
                raise ExperimentError(
                    f"arm {name!r}: no such arm in {exp.name!r}{did_you_mean(name, arm_names)}; "
                    f"arms: {', '.join(arm_names)}"
                )
    selected = [i for i, name in enumerate(arm_names) if not arms or name in arms]

    data = exp.scenario_data()
    exp.check(label=exp.name, data=data)
    points = exp.design_points()
    fingerprint = exp.fingerprint(data)
    out = Path(out) if out is not None else Path("results") / exp.name
    old, doomed = _prepare_folder(out, exp, fingerprint, resume, overwrite)
    done = _done_runs(out) if old is not None else set()

    n_points, reps = len(points), exp.replications
    total = n_points * reps * len(selected)

    def missing() -> Iterator[tuple[int, int, int]]:
        for d in range(n_points):
            for r in range(reps):
                for a in selected:
                    if (d, arm_names[a], r) not in done:
                        yield (d, r, a)

    skipped = sum(
        1 for d, a, r in done if d < n_points and r < reps and a in {arm_names[i] for i in selected}
    )
    todo = total - skipped
    spec = _Spec(experiment=exp, scenario=data, points={}, run_fn=run_fn, token=fingerprint)
    summary = SweepSummary(out=out, experiment=exp.name, total=total, skipped=skipped)
    versions = _versions()
    old_sources = {
        entry.get("versions", {}).get("negsim_source")
        for entry in [old or {}, *(old or {}).get("sessions", [])]
    } - {None}
    if skipped and old_sources - {versions["negsim_source"]}:
        summary.warnings.append(
            f"{out}: negsim's code or built-in scenarios changed since these results were "
            "started; resumed runs may not match the earlier ones (--overwrite to redo all)"
        )

    with _executor(workers, scheduler) as (executor, where, parallel):
        summary.executor = where
        for path in doomed:  # --overwrite, once the executor is known to work
            path.unlink(missing_ok=True)
        for tmp in out.glob(f".part-*{_TMP_SUFFIX}") if out.is_dir() else []:
            tmp.unlink(missing_ok=True)  # a chunk a killed sweep did not finish writing
        out.mkdir(parents=True, exist_ok=True)
        session = {
            "started": _now(),
            "executor": where,
            "runs": 0,
            "errors": 0,
            "versions": versions,
        }
        sessions = [*(old or {}).get("sessions", []), session]
        previous_errors = (old or {}).get("first_errors", [])
        manifest: dict[str, Any] = {
            "experiment": exp.name,
            "fingerprint": fingerprint,
            "state": "running",
            "definition": exp.model_dump(mode="json", exclude_none=True),
            "scenario": data,
            "design": points,
            "arms": arm_names,
            "seeds": {
                "root_seed": exp.root_seed,
                "model_seed": "SeedSequence(root_seed, spawn_key=(design_point, replication))"
                ".generate_state(1, uint64)[0] >> 1; the same for every arm",
                "perturbations": "default_rng(SeedSequence(root_seed, "
                "spawn_key=(design_point, replication, 0))), one uniform per parameter "
                "in definition order, inverse CDF",
            },
            "versions": (old or {}).get("versions", versions),  # at creation; see sessions
            "created": (old or {}).get("created", session["started"]),
            "sessions": sessions,
            "counts": {"runs": n_points * reps * len(arm_names)},
            "first_errors": previous_errors,
        }
        _write_json_atomic(out / MANIFEST, manifest)

        part_index = max((int(_PART_RE.match(p.name).group(1)) for p in _parts(out)), default=-1)
        if chunk_size is None:
            chunk_size = max(1, min(100, todo // max(1, parallel * 16)))
        tasks = _batched(missing(), chunk_size)
        in_flight = max(2, 2 * parallel)
        buffer: list[dict[str, Any]] = []
        bar: _Progress | None = None  # started once the workers are (no thread at fork)
        start = time.perf_counter()

        last_flush = time.perf_counter()

        def flush() -> None:
            nonlocal part_index, buffer, last_flush
            last_flush = time.perf_counter()
            if buffer:
                part_index += 1
                _write_part(out, part_index, buffer, data, arm_names)
                buffer = []

        def finish(state: str) -> None:
            flush()
            if bar is not None:
                bar.close()
            summary.seconds = time.perf_counter() - start
            session.update(
                ended=_now(),
                runs=summary.ran,
                errors=summary.errors,
                seconds=round(summary.seconds, 3),
            )
            manifest["first_errors"] = (previous_errors + summary.first_errors)[:_MAX_ERRORS_KEPT]
            manifest["counts"] = counts = _count(out, manifest["counts"]["runs"])
            if state == "complete" and counts["written"] < counts["runs"]:
                state = "partial"  # some arms left out (--arm) or fewer replications
            manifest["state"] = state
            _write_json_atomic(out / MANIFEST, manifest)

        pending: set[cf.Future] = set()
        try:
            while True:
                while len(pending) < in_flight:
                    chunk = next(tasks, None)
                    if chunk is None:
                        break
                    task = dataclasses.replace(spec, points={d: points[d] for d, _, _ in chunk})
                    pending.add(executor.submit(_run_chunk, task, chunk))
                if bar is None:
                    bar = _Progress(todo, exp.name, progress)
                if not pending:
                    break
                finished, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for future in finished:
                    rows = future.result()
                    errors = [row for row in rows if row["status"] != "ok"]
                    summary.ran += len(rows)
                    summary.errors += len(errors)
                    summary.ok += len(rows) - len(errors)
                    for row in errors[: max(0, _MAX_ERRORS_KEPT - len(summary.first_errors))]:
                        summary.first_errors.append(
                            {k: row[k] for k in ("arm", "design_point", "replication", "error")}
                        )
                    buffer.extend(rows)
                    bar.update(len(rows), len(errors))  # type: ignore[union-attr]
                    stale = time.perf_counter() - last_flush >= FLUSH_SECONDS
                    if len(buffer) >= rows_per_file or stale:
                        flush()  # a kill loses at most FLUSH_SECONDS of finished runs
        except BaseException as exc:
            for future in pending:
                future.cancel()
            finish("interrupted")
            if isinstance(exc, ExperimentError) or not isinstance(exc, Exception):
                raise
            # not a run's error (those are rows): a worker died, the cluster went away...
            reason = (str(exc).splitlines() or [""])[0]
            raise ExperimentError(
                f"the sweep stopped ({type(exc).__name__}: {reason}); "
                f"{summary.ran} runs of this session are saved in {out}: "
                "run again with --resume to finish"
            ) from exc
        finish("complete")
    return summary


def _count(out: Path, expected: int) -> dict[str, int]:
    import pyarrow.parquet as pq

    rows = ok = 0
    for part in _parts(out):
        status = pq.read_table(part, columns=["status"]).column("status").to_pylist()
        rows += len(status)
        ok += sum(1 for s in status if s == "ok")
    return {"runs": expected, "written": rows, "ok": ok, "errors": rows - ok}


def _batched(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


# ---------------------------------------------------------------------------
# reading


def load_results(path: str | Path) -> Any:
    """Read a results folder into one pandas DataFrame, one row per run.

    Rows are ordered by design point, replication and arm (in the definition's
    order); ``df.attrs["manifest"]`` holds the manifest.

    Args:
        path: a results folder written by a sweep (e.g. ``results/escalation``), or
            an experiment's name when ``results/<name>`` exists.

    Raises:
        ExperimentError: the folder holds no results.
    """
    import pandas as pd
    import pyarrow.parquet as pq

    out = Path(path)
    if not out.is_dir() and (Path("results") / out).is_dir():
        out = Path("results") / out
    if not out.is_dir():
        raise ExperimentError(f"{out}: no such results folder")
    manifest = read_manifest(out)
    parts = _parts(out)
    if manifest is None and not parts:
        raise ExperimentError(f"{out}: not a results folder (no {MANIFEST}, no {PART_GLOB})")
    frames = [pq.read_table(p).to_pandas() for p in parts]
    frames = [f for f in frames if len(f)]
    if not frames:
        df = pd.DataFrame(columns=list(ID_COLUMNS))
    else:
        df = pd.concat(frames, ignore_index=True, sort=False)
        order = {name: i for i, name in enumerate((manifest or {}).get("arms", []))}
        df["_arm_order"] = df["arm"].map(order).fillna(len(order))
        df = df.sort_values(["design_point", "replication", "_arm_order", "arm"], kind="stable")
        df = df.drop(columns="_arm_order").reset_index(drop=True)
        df = df[_column_order(list(df.columns), (manifest or {}).get("scenario", {}))]
    df.attrs["manifest"] = manifest or {}
    return df


_GROUPS = (
    "scenario",
    "protocol",
    "rounds",
    "agreement",
    "agreement.",
    "agreement_round.",
    "breakdown.",
    "tariff.",
    "utility.",
    "econ.",
    "security.",
    "politics.",
    "welfare.",
    "balance.",
    "exports.",
    "alliance.",
    "threats_executed",
    "retaliations",
    "retaliations.",
    "coerced.",
    "nash_gap",
)


def _column_order(columns: list[str], scenario: dict[str, Any]) -> list[str]:
    """The canonical column order of a results DataFrame.

    Identity columns, then ``param.*``, then the record's columns by group (the
    outcome-record table of the design) with countries and sectors in scenario order.

    The order depends only on the set of columns, not on how runs fell into chunks.
    """
    codes = [*scenario.get("countries", []), "ROW"]
    sectors = list(scenario.get("sectors", []))

    def token(text: str) -> tuple[int, int | str]:
        if text in codes:
            return (0, codes.index(text))
        if text in sectors:
            return (1, sectors.index(text))
        return (2, text)

    def key(column: str) -> tuple[Any, ...]:
        if column.startswith("param."):
            return (0, column)
        for rank, group in enumerate(_GROUPS, start=1):
            if column == group or (group.endswith(".") and column.startswith(group)):
                rest = column[len(group) :]
                return (rank, tuple(token(t) for t in re.split(r"[.-]", rest) if t))
        return (len(_GROUPS) + 1, column)

    rest = [c for c in columns if c not in ID_COLUMNS]
    return [*ID_COLUMNS, *sorted(rest, key=key)]


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
