"""Atomic outputs: a temporary file beside the target, fsync, rename, fsync the folder.

A reader sees the old file or the new one, never a part of one; a failure (a full
disk, an I/O error, a kill) leaves no temporary file behind when Python gets to
clean up, and a killed writer's ``.*.tmp`` file is removed by the next writer of
the folder (:func:`remove_temporaries`). Used for every file the sweeps and the
analysis write: parts, the manifest, ``comparison.csv``, ``report.md``, figures.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TMP_SUFFIX = ".tmp"


def temporary_name(path: Path) -> Path:
    """The temporary file written before ``path``: ``.NAME.PID.tmp`` beside it."""
    return path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` atomically.

    Example::

        with atomic_path(out / "figure.png") as tmp:
            fig.savefig(tmp, format="png")

    On an exception the temporary file is removed and ``path`` is untouched.
    """
    final = Path(path)
    tmp = temporary_name(final)
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(final.parent)


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    write_bytes(path, text.encode("utf-8"))


def write_json(path: str | Path, data: Any) -> None:
    """Write ``data`` as indented JSON to ``path`` atomically."""
    write_text(path, json.dumps(data, indent=2, default=str) + "\n")


def reserve_room(folder: Path, size: int, prefix: str = "reserve") -> Path | None:
    """Fill a temporary file of ``size`` bytes in ``folder``: room to give back later.

    Deleting it before the last writes of a session leaves them that much room on a
    disk the session has filled. Returns ``None`` where there is no room to set aside
    already (the session goes on; its last writes may then fail, as they would have).
    A killed session's file is a temporary file like any other (:func:`remove_temporaries`
    with the same ``prefix``).
    """
    path = folder / f".{prefix}.{os.getpid()}{TMP_SUFFIX}"
    try:
        with path.open("wb") as handle:
            handle.write(bytes(size))  # zeros written, not a sparse file: the blocks are taken
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        path.unlink(missing_ok=True)
        return None
    return path


def remove_temporaries(folder: Path, prefix: str = "") -> None:
    """Remove the temporary files of ``prefix*`` targets a killed writer left in ``folder``.

    Call it only while holding the folder's lock for those targets.
    """
    if folder.is_dir():
        for tmp in folder.glob(f".{prefix}*{TMP_SUFFIX}"):
            tmp.unlink(missing_ok=True)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not on every platform
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def staged_folder(target: str | Path) -> Iterator[Path]:
    """Yield a hidden staging folder inside ``target``; on success move its files into place.

    For writers that put several files in a folder (a report, its tables, its
    figures) without taking a path per file: each file then replaces its old
    version atomically, and on an error nothing in ``target`` changes and the
    staging folder is removed.
    """
    import shutil

    final = Path(target)
    final.mkdir(parents=True, exist_ok=True)
    staging = final / f".staging-{os.getpid()}{TMP_SUFFIX}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
        for path in sorted(p for p in staging.rglob("*") if p.is_file()):
            dest = final / path.relative_to(staging)
            dest.parent.mkdir(parents=True, exist_ok=True)
            _fsync_file(path)
            os.replace(path, dest)
        _fsync_folder(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
