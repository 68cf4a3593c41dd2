"""Metrics the validation measures on outcome records, from record keys and scenario data.

Only the public record keys (``Outcome.to_record()``) and the scenario's data are
used, so the checks survive a change of the model's mechanisms: trade weights are the
scenario's 2018 exports, the start is the scenario's September 2018 tariffs.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
from typing import Any

import numpy as np
import pandas as pd

from negsim.negotiation.protocols import PROTOCOLS
from negsim.scenarios import Scenario

#: A tariff "above the start" exceeds it by more than this (rounding of the weighting).
ABOVE = 1e-9
#: Seeds per task sent to a worker process.
CHUNK = 50


def _records(task: tuple[str, dict[str, Any], str, int, int]) -> list[dict[str, Any]]:
    """Records of seeds ``start..stop-1`` of a scenario (name or path) with overrides."""
    from negsim.negotiation.model import simulate
    from negsim.scenarios import load_scenario

    scenario, overrides, protocol, start, stop = task
    loaded = load_scenario(scenario, overrides)
    return [simulate(loaded, protocol, seed).to_record() for seed in range(start, stop)]


def _context() -> Any:
    """A forkserver on Linux with the model preloaded, else the default start method.

    Mesa's batchrunner (imported with mesa) sets the global start method to spawn,
    which would make each worker import everything again.
    """
    import multiprocessing
    import sys

    if sys.platform == "linux" and "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["negsim.negotiation.model"])
        return context
    return multiprocessing.get_context()


def run_many(
    points: list[tuple[str, dict[str, Any], str]], seeds: int, workers: int | None = None
) -> list[pd.DataFrame]:
    """Seeds ``0..seeds-1`` at each point (scenario, overrides, protocol), one frame each.

    Args:
        points: what to run.
        seeds: seeds per point (paired across points).
        workers: processes (default: every CPU; 0 or 1: in this process). The records
            do not depend on it.
    """
    tasks = [
        (scenario, overrides, protocol, start, min(start + CHUNK, seeds))
        for scenario, overrides, protocol in points
        for start in range(0, seeds, CHUNK)
    ]
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers <= 1 or len(tasks) == 1:
        chunks = [_records(task) for task in tasks]
    else:
        with cf.ProcessPoolExecutor(min(workers, len(tasks)), mp_context=_context()) as pool:
            chunks = list(pool.map(_records, tasks))
    per_point = -(-seeds // CHUNK)
    return [
        pd.DataFrame([row for chunk in chunks[k : k + per_point] for row in chunk])
        for k in range(0, len(chunks), per_point)
    ]


def simulate_records(
    seeds: int = 500,
    scenario: Scenario | str = "tag2018",
    protocols: tuple[str, ...] = PROTOCOLS,
    workers: int | None = None,
) -> pd.DataFrame:
    """Outcome records of seeds ``0..seeds-1`` under each protocol, one row per run."""
    name = scenario if isinstance(scenario, str) else scenario.name
    frames = run_many([(name, {}, protocol) for protocol in protocols], seeds, workers)
    return pd.concat(frames, ignore_index=True)


def trade_weights(scenario: Scenario, importer: str, exporter: str) -> pd.Series:
    """The importer's 2018 imports from the exporter by sector, as shares (scenario data)."""
    flows = pd.Series(scenario.nations[exporter].exports[importer], dtype=float)
    flows = flows.reindex(scenario.sectors).fillna(0.0)
    return flows / flows.sum()


def start_tariffs(scenario: Scenario, importer: str, exporter: str) -> pd.Series:
    """The importer's tariffs on the exporter at the start (September 2018), by sector."""
    rates = pd.Series(scenario.nations[importer].tariffs[exporter], dtype=float)
    return rates.reindex(scenario.sectors).fillna(0.0)


def start_average(scenario: Scenario, importer: str, exporter: str) -> float:
    """Trade-weighted average tariff of the importer on the exporter at the start."""
    weights = trade_weights(scenario, importer, exporter)
    return float((weights * start_tariffs(scenario, importer, exporter)).sum())


def trade_weighted(
    records: pd.DataFrame, scenario: Scenario, importer: str, exporter: str
) -> np.ndarray:
    """Tariff of importer on exporter at the end, averaged with 2018 trade weights."""
    weights = trade_weights(scenario, importer, exporter)
    columns = [f"tariff.{importer}.{exporter}.{s}" for s in scenario.sectors]
    return records[columns].to_numpy(dtype=float) @ weights.to_numpy()


def start_balance(scenario: Scenario, a: str, b: str) -> float:
    """Goods balance of ``a`` with ``b`` in 2018 (exports minus imports, USD bn)."""
    exports = sum(scenario.nations[a].exports.get(b, {}).values())
    imports = sum(scenario.nations[b].exports.get(a, {}).values())
    return float(exports - imports)


def add_derived(records: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The records with the derived metrics the checks use, where their keys exist.

    ``tw.I.E``: trade-weighted tariff of I on E at the end; ``escalation.US-CN``: the
    US put a new tariff on China in force (``coerced.CN > 0``); ``deal16.US-JP``: a
    US-Japan agreement by round 16 (January 2020); ``above_start.US-CN``: both the US's
    and China's trade-weighted tariffs on each other end above their September 2018
    start (by more than :data:`ABOVE`).
    """
    out = records.copy()
    for importer, exporter in (("US", "CN"), ("CN", "US"), ("JP", "US"), ("US", "JP")):
        columns = [f"tariff.{importer}.{exporter}.{s}" for s in scenario.sectors]
        if set(columns) <= set(out.columns):
            out[f"tw.{importer}.{exporter}"] = trade_weighted(out, scenario, importer, exporter)
    if {"tw.US.CN", "tw.CN.US"} <= set(out.columns):
        us = out["tw.US.CN"] > start_average(scenario, "US", "CN") + ABOVE
        cn = out["tw.CN.US"] > start_average(scenario, "CN", "US") + ABOVE
        out["above_start.US-CN"] = (us & cn).astype(float)
    if "coerced.CN" in out:
        out["escalation.US-CN"] = (out["coerced.CN"] > 0).astype(float)
    if "retaliations.CN" in out:
        out["retaliated.CN"] = (out["retaliations.CN"] > 0).astype(float)
    if {"agreement.US-JP", "agreement_round.US-JP"} <= set(out.columns):
        by16 = (out["agreement.US-JP"] == 1) & (out["agreement_round.US-JP"] <= 16)
        out["deal16.US-JP"] = by16.astype(float)
    return out


def share(mask: pd.Series | np.ndarray) -> float:
    """Share of True in ``mask`` (nan when empty)."""
    return float(np.mean(mask)) if len(mask) else float("nan")
