"""One run of an experiment, as a worker does it: settings, seed, record, error row.

A worker gets a :class:`RunSpec` (the experiment, the raw scenario and the design
points of its task) and a chunk of run ids ``(design_point, replication, arm_index)``;
each run becomes one row: identity, ``param.<path>`` for what the arm, design and
perturbations set, then the outcome record. A run that raises (or passes its time
limit) is data: a row with status ``error`` whose message names the parameter values
that caused it.
"""

from __future__ import annotations

import ctypes
import json
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from negsim.scenarios import scenario_from_dict
from negsim.sweeps.definition import Experiment
from negsim.sweeps.seeds import perturbation_rng, run_seed

RunFn = Callable[..., Any]
_MAX_MESSAGE = 500
_CACHE_SIZE = 256


class RunTimeout(Exception):
    """A run took longer than the sweep's per-run time limit."""


@dataclass(frozen=True)
class RunSpec:
    """What a worker needs to run any run of its task (pickled per task).

    Args:
        experiment: the definition.
        scenario: the raw scenario dict every run starts from.
        points: design points by index (a task carries only its own).
        run_fn: ``f(scenario, protocol=..., seed=...)``; default ``negsim.simulate``.
        token: the experiment's fingerprint (keys the per-worker scenario cache).
        timeout: seconds a run may take before it becomes an error row; None: no limit.
    """

    experiment: Experiment
    scenario: dict[str, Any]
    points: dict[int, dict[str, Any]]
    run_fn: RunFn | None = None
    token: str = ""
    timeout: float | None = None


def run_chunk(spec: RunSpec, runs: list[tuple[int, int, int]]) -> list[dict[str, Any]]:
    """Run a chunk of runs ``(design_point, replication, arm_index)`` in a worker.

    numpy's floating-point warnings stay in the worker (a run's numbers are its
    record; a warning per run on the terminal says nothing more).
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        draws = perturbation_draws(spec.experiment, sorted({(d, r) for d, r, _ in runs}))
        return [run_one(spec, d, r, a, draws.get((d, r))) for d, r, a in runs]


def perturbation_draws(
    exp: Experiment, pairs: list[tuple[int, int]]
) -> dict[tuple[int, int], dict[str, Any]]:
    """Each ``(design_point, replication)``'s perturbation values, one scipy call per path.

    Run ``(d, r)`` draws one uniform per path, in definition order, from its own
    generator (:func:`negsim.sweeps.seeds.perturbation_rng`); each path's uniforms
    of all pairs then go through its distribution's ``ppf`` at once.
    """
    if not exp.perturbations or not pairs:
        return {}
    k = len(exp.perturbations)
    unit = np.array([perturbation_rng(exp.root_seed, d, r).random(k) for d, r in pairs])
    columns = [dist.ppf_many(unit[:, j]) for j, dist in enumerate(exp.perturbations.values())]
    paths = list(exp.perturbations)
    return {
        pair: {path: columns[j][i] for j, path in enumerate(paths)} for i, pair in enumerate(pairs)
    }


def run_one(
    spec: RunSpec,
    design_point: int,
    replication: int,
    arm_index: int,
    draws: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run one run and return its row; an exception becomes a row with status error.

    Args:
        spec: what the worker knows of the experiment.
        design_point: the run's design point.
        replication: the run's replication.
        arm_index: the run's arm, by position in the definition.
        draws: the run's perturbation values when already drawn
            (:func:`perturbation_draws`); default: drawn here.
    """
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
    if draws is None:
        draws = perturbation_draws(exp, [(design_point, replication)]).get(
            (design_point, replication), {}
        )
    settings: dict[str, Any] = {**spec.points[design_point], **arm, **draws}
    protocol = settings.pop("protocol", "bilateral")
    for path, value in settings.items():
        row[f"param.{path}"] = _param_value(value)
    try:
        record = _with_limit(spec.timeout, _record, spec, settings, protocol, seed)
    except Exception as exc:  # a failed run is data: record it, go on
        row.update(
            status="error",
            error=error_message(exc, settings),
            scenario=exp.scenario,
            protocol=protocol,
        )
        return row
    row.update({k: v for k, v in record.items() if k not in ("seed", "status")})
    return row


def error_message(exc: BaseException, settings: dict[str, Any]) -> str:
    """``Type: message`` (first line) and the parameter values the run had."""
    message = (f"{type(exc).__name__}: {exc}".splitlines() or [""])[0]
    if settings:
        shown = ", ".join(f"{k}={_shown(v)}" for k, v in settings.items())
        message = f"{message} [with {shown}]"
    return message[:_MAX_MESSAGE]


def _shown(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _record(spec: RunSpec, settings: dict[str, Any], protocol: str, seed: int) -> dict[str, Any]:
    scenario = _scenario(spec, settings, cache=not spec.experiment.perturbations)
    outcome = (spec.run_fn or _simulate)(scenario, protocol=protocol, seed=seed)
    return outcome.to_record() if hasattr(outcome, "to_record") else dict(outcome)


def _simulate(scenario: Any, protocol: str, seed: int) -> Any:
    from negsim.negotiation.model import simulate

    return simulate(scenario, protocol=protocol, seed=seed)


def _param_value(value: Any) -> Any:
    if isinstance(value, list | dict | tuple):
        return json.dumps(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


_SCENARIOS: dict[tuple[str, str], Any] = {}


def _scenario(spec: RunSpec, settings: dict[str, Any], cache: bool) -> Any:
    """The validated scenario of a run; cached per worker when it has no perturbations."""
    label = spec.experiment.scenario
    if not cache:
        return scenario_from_dict(spec.scenario, overrides=settings, label=label)
    key = (spec.token, json.dumps(settings, sort_keys=True, default=str))
    scenario = _SCENARIOS.get(key)
    if scenario is None:
        if len(_SCENARIOS) >= _CACHE_SIZE:
            _SCENARIOS.clear()
        scenario = scenario_from_dict(spec.scenario, overrides=settings, label=label)
        _SCENARIOS[key] = scenario
    return scenario


def _with_limit(seconds: float | None, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``, raising :class:`RunTimeout` in this thread after ``seconds``.

    The timer raises the exception asynchronously in the running thread (CPython's
    ``PyThreadState_SetAsyncExc``), which works in a process's main thread and in a
    Dask worker's task thread alike; it takes effect at the next Python bytecode.
    """
    if seconds is None:
        return fn(*args)
    target = threading.get_ident()
    fired = threading.Event()

    def interrupt() -> None:
        fired.set()
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(target), ctypes.py_object(RunTimeout)
        )

    timer = threading.Timer(seconds, interrupt)
    timer.daemon = True
    timer.start()
    try:
        return fn(*args)
    except RunTimeout:
        raise RunTimeout(f"the run took longer than {seconds:g} s (--timeout)") from None
    finally:
        timer.cancel()
        if fired.is_set():  # the exception may still be pending: let it land here
            try:
                _spin()
            except RunTimeout:
                pass


def _spin() -> None:
    for _ in range(1000):
        pass
