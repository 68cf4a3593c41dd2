"""Reading a results folder: the runs, the manifest, successful runs with derived metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from negsim.analysis.errors import AnalysisError
from negsim.sweeps import ExperimentError, load_results, resolve_results_folder


def load(path: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Load a results folder: the runs and the manifest.

    Reads the store with :func:`negsim.sweeps.load_results` (one reader of the store).

    Args:
        path: ``results/<experiment>`` folder (or a single Parquet file).

    Returns:
        The runs as a DataFrame (all statuses) and the manifest (``{}`` if there is none).

    Raises:
        AnalysisError: the folder does not exist or holds no runs.
    """
    folder = results_folder(path)
    if folder.is_file():
        parts = [folder]
        folder = folder.parent
    else:
        parts = sorted(folder.glob("part-*.parquet")) or sorted(folder.glob("*.parquet"))
    if not parts:
        raise AnalysisError(
            f"{folder}: no results (expected part-*.parquet files written by 'negsim sweep')"
        )
    manifest: dict[str, Any] = {}
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text())
        except json.JSONDecodeError as exc:
            raise AnalysisError(f"{manifest_path}: malformed JSON ({exc.msg})") from exc
    try:
        frame = load_results(folder) if folder.is_dir() and Path(path).is_dir() else None
        if frame is None:
            frame = pd.concat([pd.read_parquet(part) for part in parts], ignore_index=True)
    except ValueError as exc:  # the store's own one-line errors, and unreadable parts
        raise AnalysisError(f"{folder}: cannot read results ({exc})") from None
    except OSError as exc:
        raise AnalysisError(f"{folder}: cannot read results ({exc.strerror or exc})") from None
    if len(frame) == 0:
        raise AnalysisError(f"{folder}: no results (the Parquet parts hold no runs)")
    return frame, manifest


def results_folder(path: str | Path) -> Path:
    """The results folder ``path``, ``results/<path>`` for a bare name, or a Parquet file.

    Folders are found by the store's one resolver (:func:`negsim.sweeps.resolve_results_folder`).

    Raises:
        AnalysisError: neither exists.
    """
    if Path(path).is_file():
        return Path(path)
    try:
        return resolve_results_folder(path)
    except ExperimentError as exc:
        raise AnalysisError(str(exc)) from None


def prepare(df: pd.DataFrame) -> pd.DataFrame:
    """Successful runs only, with the derived 0/1 metric ``escalation`` added."""
    if "status" in df.columns:
        df = df[df["status"].astype(str) == "ok"]
    df = df.copy()
    if "escalation" not in df.columns and {"threats_executed", "retaliations"} & set(df.columns):
        threats = df.get("threats_executed", pd.Series(0, index=df.index)).fillna(0)
        retaliations = df.get("retaliations", pd.Series(0, index=df.index)).fillna(0)
        df["escalation"] = ((threats > 0) | (retaliations > 0)).astype(float)
    return df


def experiment_definition(manifest: dict[str, Any]) -> dict[str, Any]:
    """The experiment definition: ``manifest["definition"]``, else the manifest itself."""
    definition = manifest.get("definition")
    return definition if isinstance(definition, dict) else manifest
