"""The results store: Parquet parts that check themselves, read back as one table.

A results folder holds ``part-NNNNN.parquet`` files (``part-IofN-NNNNN.parquet`` for
shard I of N), one row per run, each written atomically, and ``manifest.json``
(:mod:`negsim.sweeps.manifest`). Every part carries the experiment's name and
fingerprint in its schema metadata and Parquet page checksums, and the manifest
lists each part's SHA-256; its rows' run ids are ``(design_point, arm, replication)``.
:func:`load_results` is the one reader (on ``pyarrow.dataset``): it refuses a
corrupt part, a part of another experiment or definition, and a run found twice,
each with one line naming the file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from negsim.sweeps import atomic
from negsim.sweeps.columns import ID_COLUMNS, RUN_ID, column_order
from negsim.sweeps.errors import ExperimentError
from negsim.sweeps.manifest import MANIFEST, read_manifest

PART_GLOB = "part-*.parquet"
PART_RE = re.compile(r"^part-(?:(\d+)of(\d+)-)?(\d+)\.parquet$")
CORRUPT_SUFFIX = ".corrupt"
KEY_EXPERIMENT = b"negsim.experiment"
KEY_FINGERPRINT = b"negsim.fingerprint"

__all__ = ["load_results", "resolve_results_folder"]


def resolve_results_folder(name_or_path: str | Path) -> Path:
    """The results folder ``name_or_path``, or ``results/<name>`` for a bare name.

    Raises:
        ExperimentError: neither is a folder.
    """
    if str(name_or_path) == "":
        raise ExperimentError("an empty results folder name: give a folder or NAME")
    folder = Path(name_or_path)
    if folder.is_dir():
        return folder
    named = Path("results") / folder
    if len(folder.parts) == 1 and named.is_dir():
        return named
    if folder.exists():
        raise ExperimentError(f"{folder}: not a folder (a results folder holds {PART_GLOB})")
    also = f" (nor {named})" if len(folder.parts) == 1 else ""
    raise ExperimentError(f"{folder}: no such results folder{also}")


# -- parts ------------------------------------------------------------------


def shard_prefix(shard: tuple[int, int] | None) -> str:
    """The name prefix of a shard's parts: ``part-`` or ``part-IofN-``."""
    return "part-" if shard is None else f"part-{shard[0]}of{shard[1]}-"


def parts(out: Path) -> list[Path]:
    """The part files of a results folder, in name order."""
    if not out.is_dir():
        return []
    return sorted(p for p in out.glob(PART_GLOB) if PART_RE.match(p.name))


def next_index(out: Path, shard: tuple[int, int] | None) -> int:
    """The number of the next part this writer (or shard) writes."""
    numbers = []
    for part in parts(out):
        match = PART_RE.match(part.name)
        if match is None:
            continue
        owner = None if match.group(1) is None else (int(match.group(1)), int(match.group(2)))
        if owner == shard:
            numbers.append(int(match.group(3)))
    return max(numbers, default=-1) + 1


def write_part(
    out: Path,
    name: str,
    rows: list[dict[str, Any]],
    scenario: dict[str, Any],
    arms: list[str],
    identity: tuple[str, str],
) -> tuple[Path, str]:
    """Write one part atomically: rows in run order, columns in canonical order.

    Args:
        out: the results folder.
        name: the part's file name.
        rows: the runs' rows.
        scenario: the raw scenario (for the column order).
        arms: the arms in definition order (for the row order).
        identity: ``(experiment, fingerprint)``, stored in the schema metadata.

    Returns:
        The part's path and its SHA-256.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    order = {arm: i for i, arm in enumerate(arms)}
    rows = sorted(rows, key=lambda r: (r["design_point"], r["replication"], order[r["arm"]]))
    frame = pd.DataFrame(rows)
    frame = frame[column_order(list(frame.columns), scenario)]
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = {
        **(table.schema.metadata or {}),
        KEY_EXPERIMENT: identity[0].encode(),
        KEY_FINGERPRINT: identity[1].encode(),
    }
    table = table.replace_schema_metadata(meta)
    final = out / name
    with atomic.atomic_path(final) as tmp:
        # closed before a failed write is removed, so a full disk gets its space back
        with pa.OSFile(str(tmp), "wb") as sink:
            pq.write_table(table, sink, write_page_checksum=True)
        digest = sha256(tmp)
    return final, digest


def sha256(path: Path) -> str:
    """The SHA-256 of a file, in hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- checking ---------------------------------------------------------------


@dataclass
class Scan:
    """What a results folder's parts hold, part by part."""

    done: set[tuple[int, str, int]] = field(default_factory=set)
    ok: int = 0
    rows: int = 0
    corrupt: list[tuple[Path, str]] = field(default_factory=list)
    foreign: list[tuple[Path, str]] = field(default_factory=list)
    duplicates: list[tuple[Path, tuple[int, str, int]]] = field(default_factory=list)
    hashes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def problem(self) -> str | None:
        """One line for the first problem found, or None."""
        if self.corrupt:
            path, why = self.corrupt[0]
            return f"{path}: a corrupt part ({why})"
        if self.foreign:
            path, why = self.foreign[0]
            return f"{path}: {why}; refusing to mix results"
        if self.duplicates:
            path, run = self.duplicates[0]
            return (
                f"{path}: run (design_point {run[0]}, arm {run[1]!r}, replication {run[2]}) "
                "is also in another part; refusing duplicated rows"
            )
        return None


def scan(out: Path, manifest: dict[str, Any] | None) -> Scan:
    """Read every part's identity and run ids, checking checksums, owner and duplicates."""
    found = Scan()
    listed = (manifest or {}).get("parts", {})
    for part in parts(out):
        digest = sha256(part)
        known = listed.get(part.name, {}).get("sha256")
        try:
            table = _read(part, columns=[*RUN_ID, "status"])
        except ExperimentError as exc:
            found.corrupt.append((part, str(exc).split(": ", 1)[-1]))
            continue
        foreign = _foreign(table.schema.metadata or {}, manifest)
        if foreign:  # before the checksum: a manifest of another folder lists other parts
            found.foreign.append((part, foreign))
            continue
        if known and known != digest:
            found.corrupt.append((part, "its SHA-256 differs from the manifest's"))
            continue
        cols = table.to_pydict()
        ids = list(zip(cols["design_point"], cols["arm"], cols["replication"], strict=True))
        for run in ids:
            if run in found.done:
                found.duplicates.append((part, run))
            found.done.add(run)
        found.rows += len(ids)
        found.ok += sum(1 for s in cols["status"] if s == "ok")
        found.hashes[part.name] = {"sha256": digest, "runs": len(ids)}
    return found


def _foreign(meta: dict[bytes, bytes], manifest: dict[str, Any] | None) -> str | None:
    if manifest is None or not manifest.get("fingerprint"):
        return None  # not a sweep's manifest: nothing to check against
    experiment = meta.get(KEY_EXPERIMENT, b"").decode(errors="replace")
    fingerprint = meta.get(KEY_FINGERPRINT, b"").decode(errors="replace")
    if not fingerprint:
        return "a part without negsim's fingerprint (not written by this version's sweep)"
    if experiment != manifest.get("experiment"):
        return f"a part of experiment {experiment!r}, not {manifest.get('experiment')!r}"
    if fingerprint != manifest.get("fingerprint"):
        return f"a part of another definition of {experiment!r} (fingerprint {fingerprint})"
    return None


def _read(part: Path, columns: list[str] | None = None) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_table(part, columns=columns, page_checksum_verification=True)
    except PermissionError:
        raise ExperimentError(f"{part}: cannot read (permission denied)") from None
    except (OSError, pa.ArrowException, ValueError) as exc:
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise ExperimentError(f"{part}: {reason}") from None


def set_aside(part: Path) -> Path:
    """Rename a corrupt part to ``NAME.corrupt`` (no longer read), returning the new path."""
    target = part.with_name(part.name + CORRUPT_SUFFIX)
    part.replace(target)
    return target


# -- reading ----------------------------------------------------------------


def load_results(path: str | Path) -> Any:
    """Read a results folder into one pandas DataFrame, one row per run.

    Rows are ordered by design point, replication and arm (in the definition's
    order); ``df.attrs["manifest"]`` holds the manifest.

    Args:
        path: a results folder written by a sweep (e.g. ``results/escalation``), or
            an experiment's name when ``results/<name>`` exists.

    Raises:
        ExperimentError: the folder holds no results, or a corrupt, foreign or
            duplicated part (one line naming the file).
    """
    import pandas as pd

    out = resolve_results_folder(path)
    manifest = read_manifest(out)
    files = parts(out)
    if manifest is None and not files:
        raise ExperimentError(f"{out}: not a results folder (no {MANIFEST}, no {PART_GLOB})")
    problem = scan(out, manifest).problem()
    if problem:
        raise ExperimentError(problem)
    table = _dataset_table(files)
    if table is None or table.num_rows == 0:
        df = pd.DataFrame(columns=list(ID_COLUMNS))
    else:
        df = _ordered(table.to_pandas(), manifest or {})
    df.attrs["manifest"] = manifest or {}
    return df


def _dataset_table(files: Iterable[Path]) -> Any:
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    files = list(files)
    if not files:
        return None
    schemas = [pq.read_schema(p).remove_metadata() for p in files]
    schema = pa.unify_schemas(schemas, promote_options="permissive")
    options = ds.ParquetFragmentScanOptions(page_checksum_verification=True)
    fmt = ds.ParquetFileFormat(default_fragment_scan_options=options)
    try:
        return ds.dataset([str(p) for p in files], schema=schema, format=fmt).to_table()
    except (OSError, pa.ArrowException) as exc:
        reason = (str(exc).splitlines() or [""])[0][:200]
        raise ExperimentError(f"{files[0].parent}: cannot read the parts ({reason})") from None


def _ordered(df: Any, manifest: dict[str, Any]) -> Any:
    order = {name: i for i, name in enumerate(manifest.get("arms", []))}
    df["_arm_order"] = df["arm"].map(order).fillna(len(order))
    df = df.sort_values(["design_point", "replication", "_arm_order", "arm"], kind="stable")
    df = df.drop(columns="_arm_order").reset_index(drop=True)
    return df[column_order(list(df.columns), manifest.get("scenario", {}))]
