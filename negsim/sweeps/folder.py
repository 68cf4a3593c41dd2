"""A results folder's ownership: one writer at a time, and what a folder may hold.

A sweep holds ``.lock`` (``fcntl.flock``, exclusive) for as long as it writes; a
shard ``I/N`` holds ``.lock`` shared and ``.lock-IofN`` exclusive, so shards of one
job array write together while a second plain sweep, or a second copy of a shard,
is refused with one line naming the holder. The kernel drops a killed process's
locks, so a lock left by ``kill -9`` never blocks ``--resume``. The manifest is
read, changed and written under ``.manifest.lock`` (shards share it).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from negsim.sweeps.errors import ExperimentError
from negsim.sweeps.manifest import MANIFEST, SESSIONS, now

OWN_FILES = {MANIFEST, SESSIONS, "report.md", "comparison.csv", "summary.csv", "figures"}
"""Names a sweep or ``negsim compare`` writes, besides parts and hidden files."""


def shard_label(shard: tuple[int, int] | None) -> str:
    """``""`` or ``IofN``."""
    return "" if shard is None else f"{shard[0]}of{shard[1]}"


def other_files(out: Path) -> list[str]:
    """Files in ``out`` that neither a sweep nor the analysis wrote."""
    if not out.is_dir():
        return []
    found = []
    for path in sorted(out.iterdir()):
        name = path.name
        ours = (
            name in OWN_FILES
            or name.startswith((".", "part-"))
            or (name.startswith("sweep_") and name.endswith(".csv"))
        )
        if not ours:
            found.append(name)
    return found


@contextlib.contextmanager
def hold(out: Path, shard: tuple[int, int] | None) -> Iterator[None]:
    """Create ``out`` if needed and hold it for this writer (or shard) while inside.

    Raises:
        ExperimentError: another live sweep holds it, or it cannot be created.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExperimentError(f"--out {out}: cannot create the folder ({exc.strerror})") from None
    with contextlib.ExitStack() as stack:
        mode = fcntl.LOCK_EX if shard is None else fcntl.LOCK_SH
        main = stack.enter_context(_locked(out / ".lock", mode, out))
        own = main
        if shard is not None:
            own = stack.enter_context(
                _locked(out / f".lock-{shard_label(shard)}", fcntl.LOCK_EX, out)
            )
        _write_holder(own, shard)
        yield


@contextlib.contextmanager
def manifest_lock(out: Path) -> Iterator[None]:
    """Hold ``.manifest.lock`` (blocking) to read, change and write the manifest."""
    with (out / ".manifest.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _locked(path: Path, mode: int, out: Path) -> Iterator[IO[str]]:
    try:
        handle = path.open("a+", encoding="utf-8")
    except OSError as exc:
        raise ExperimentError(f"--out {out}: cannot write there ({exc.strerror})") from None
    with handle:
        try:
            fcntl.flock(handle, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ExperimentError(
                f"--out {out}: held by a running sweep ({_holders(out)}); "
                "wait for it to finish, or use another --out"
            ) from None
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_holder(handle: IO[str], shard: tuple[int, int] | None) -> None:
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "since": now()}
    if shard is not None:
        holder["shard"] = shard_label(shard)
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps(holder) + "\n")
    handle.flush()


def _holders(out: Path) -> str:
    """Who holds ``out``, from the lock files' contents."""
    found = []
    for path in sorted(out.glob(".lock*")):
        if not _is_held(path):
            continue  # left by a killed sweep
        try:
            holder = json.loads(path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            continue
        if isinstance(holder, dict) and holder.get("pid"):
            shard = f" shard {holder['shard']}" if holder.get("shard") else ""
            found.append(
                f"pid {holder['pid']} on {holder.get('host')}{shard} since {holder.get('since')}"
            )
    return "; ".join(found) or "another process"


def _is_held(path: Path) -> bool:
    try:
        with path.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
    except OSError:
        return False
    return False
