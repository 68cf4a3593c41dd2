"""The manifest of a results folder: what was run, how it was seeded, with what code.

``manifest.json`` holds only what decides the data (the definition, the scenario's
parameters, the design points, the arms, the seeding rules, the fingerprint, the
versions at creation) and the folder's state and counts, so a complete folder's
manifest has the same bytes whenever its data do. Run-to-run facts (each session's
start, end, executor, runs and seconds) go to ``sessions.jsonl`` beside it, which git
ignores.
"""

from __future__ import annotations

import hashlib
import json
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from negsim.sweeps import atomic
from negsim.sweeps.arithmetic import float_paths
from negsim.sweeps.definition import Experiment
from negsim.sweeps.errors import ExperimentError
from negsim.sweeps.seeds import MODEL_SEED_RULE, PERTURBATION_RULE

MANIFEST = "manifest.json"
SESSIONS = "sessions.jsonl"
MAX_ERRORS_KEPT = 20


def read_manifest(out: str | Path) -> dict[str, Any] | None:
    """The manifest of a results folder, or None when there is none.

    Raises:
        ExperimentError: the manifest cannot be read or is not a JSON object.
    """
    path = Path(out) / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ExperimentError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ExperimentError(f"{path}: not a text file (expected JSON)") from None
    except json.JSONDecodeError as exc:
        raise ExperimentError(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("fingerprint", ""), str):
        raise ExperimentError(f"{path}: not a negsim manifest (expected a JSON object)")
    return data


def new_manifest(
    exp: Experiment, scenario: dict[str, Any], points: list[dict[str, Any]], fingerprint: str
) -> dict[str, Any]:
    """The manifest of a new results folder of ``exp`` (state ``running``)."""
    return {
        "experiment": exp.name,
        "fingerprint": fingerprint,
        "state": "running",
        "definition": exp.model_dump(mode="json", exclude_none=True),
        "scenario": scenario,
        "design": points,
        "arms": exp.arm_names,
        "seeds": {
            "root_seed": exp.root_seed,
            "model_seed": MODEL_SEED_RULE,
            "perturbations": PERTURBATION_RULE,
        },
        "versions": versions(),
        "counts": {"runs": len(points) * exp.replications * len(exp.arms)},
        "first_errors": [],
    }


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` atomically."""
    atomic.write_json(out / MANIFEST, manifest)


def log_session(out: Path, session: dict[str, Any]) -> None:
    """Append one session's facts to ``sessions.jsonl`` (ignored by git)."""
    with (out / SESSIONS).open("a", encoding="utf-8") as log:
        log.write(json.dumps(session, default=str) + "\n")


def versions() -> dict[str, str]:
    """The versions of negsim, its main libraries, Python, the code's hash and the CPU paths.

    ``float_paths`` (:mod:`negsim.sweeps.arithmetic`): records from other paths agree
    to about 1e-13, not bit for bit.
    """
    names = ("negsim", "mesa", "numpy", "pandas", "pyarrow", "scipy")
    found = {name: _version(name) for name in names}
    return {
        **found,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "negsim_source": source_hash(),
        "float_paths": float_paths(),
    }


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


#: The layers whose code decides a run's record; analysis, validation, the CLI and the
#: dashboard only read records, so a change there leaves results valid.
RECORD_LAYERS = ("scenarios", "economy", "payoffs", "negotiation", "record", "sweeps")


def source_hash(package: Path | None = None) -> str:
    """A hash of the code that makes records (:data:`RECORD_LAYERS`) and the built-in scenarios.

    It answers "did the model change?": a resumed sweep warns when it differs.

    Args:
        package: the negsim package folder (default: the one running).
    """
    package = Path(__file__).resolve().parents[1] if package is None else package
    digest = hashlib.sha256()
    files = sorted(
        path
        for layer in RECORD_LAYERS
        for path in (*(package / layer).rglob("*.py"), *(package / layer).rglob("*.toml"))
    )
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def now() -> str:
    """The time now, UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")
