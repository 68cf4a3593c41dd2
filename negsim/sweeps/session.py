"""A sweep's session in its results folder: check it, then write parts and the manifest.

:func:`prepare_folder` checks a folder against the plan (once changing nothing, then
again under the folder's lock, where it also clears what a killed sweep left and
sets corrupt parts aside under ``--resume``). A :class:`Session` writes the parts
and keeps the manifest's state and counts true at the start and the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from negsim.sweeps import atomic, store
from negsim.sweeps.arithmetic import float_paths
from negsim.sweeps.errors import ExperimentError
from negsim.sweeps.folder import manifest_lock, other_files
from negsim.sweeps.manifest import (
    MANIFEST,
    MAX_ERRORS_KEPT,
    SESSIONS,
    log_session,
    new_manifest,
    now,
    read_manifest,
    source_hash,
    write_manifest,
)

if TYPE_CHECKING:
    from negsim.sweeps.runner import Plan, SweepSummary

#: Bytes set aside during a session, beyond twice the manifest's size at its start:
#: the manifest grows by about 100 bytes a part, and the session log by a line.
RESERVED = 64 * 1024

#: The code and CPU paths of runs adopted into a rebuilt manifest (:func:`_recovered`).
UNKNOWN = "unknown"


def reserve_prefix(shard: tuple[int, int] | None) -> str:
    """The name prefix of the room a session (of ``shard``) sets aside."""
    return f"reserve-{store.shard_prefix(shard)}"


def _size(out: Path) -> int:
    path = out / MANIFEST
    return path.stat().st_size if path.is_file() else 0


@dataclass
class Session:
    """What one sweep session found in its folder and what it wrote."""

    plan: Plan
    existing: dict[str, Any] | None
    done: set[tuple[int, str, int]] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    max_errors: int = MAX_ERRORS_KEPT
    written: int = 0
    started: str = ""
    where: str = ""
    index: int = 0
    reserve: Path | None = None  # room set aside for the last manifest (a full disk)
    recovered: int = 0  # replications of the parts adopted when the manifest was lost

    def start(self, where: str) -> None:
        """Write the manifest with state ``running`` (creating it for a new folder).

        Then set aside room for the last manifest (:meth:`save_after_failure`).
        """
        self.started, self.where = now(), where
        self.index = store.next_index(self.plan.out, self.plan.shard)
        with manifest_lock(self.plan.out):
            manifest = self._current()
            manifest["state"] = "running"
            write_manifest(self.plan.out, manifest)
        self.reserve = atomic.reserve_room(
            self.plan.out, RESERVED + 2 * _size(self.plan.out), reserve_prefix(self.plan.shard)
        )

    def write_part(self, rows: list[dict[str, Any]]) -> None:
        """Write finished rows as the session's next part."""
        plan = self.plan
        name = f"{store.shard_prefix(plan.shard)}{self.index:05d}.parquet"
        identity = (plan.exp.name, plan.fingerprint)
        _, digest = store.write_part(
            plan.out, name, rows, plan.scenario, plan.exp.arm_names, identity
        )
        self.index += 1
        self.written += len(rows)
        with manifest_lock(plan.out):  # list the part, so a changed byte is found later
            manifest = self._current()
            manifest.setdefault("parts", {})[name] = {"sha256": digest, "runs": len(rows)}
            write_manifest(plan.out, manifest)

    def finish(self, state: str, summary: SweepSummary) -> None:
        """Recount the folder's parts and write the manifest's state, counts and errors."""
        out = self.plan.out
        with manifest_lock(out):
            manifest = self._current()
            found = store.scan(out, manifest)
            runs = manifest["counts"]["runs"]
            manifest["counts"] = {
                "runs": runs,
                "written": found.rows,
                "ok": found.ok,
                "errors": found.rows - found.ok,
            }
            manifest["parts"] = found.hashes
            errors = manifest.get("first_errors", []) + summary.first_errors
            manifest["first_errors"] = errors[: self.max_errors]
            if state == "complete" and found.rows < runs:
                state = "partial"  # some arms or shards left out, or fewer replications
            manifest["state"] = state
            write_manifest(out, manifest)
        log_session(out, self._facts(state, summary))
        self._release()

    def save_after_failure(self, flush: Any, summary: SweepSummary) -> int:
        """Write what finished and mark the manifest ``interrupted``, as far as the disk lets.

        Returns:
            The runs this session wrote.
        """
        for step in (flush, self._release, lambda: self.finish("interrupted", summary)):
            try:
                step()
            except OSError:
                pass  # a full disk: what was written stays; --resume redoes the rest
        return self.written

    def _release(self) -> None:
        """Give back the room set aside at the start, so the last manifest fits a full disk."""
        if self.reserve is not None:
            self.reserve.unlink(missing_ok=True)
            self.reserve = None

    def _current(self) -> dict[str, Any]:
        """The folder's manifest brought up to this plan's replications and arms."""
        plan = self.plan
        manifest = read_manifest(plan.out)
        if manifest is None:
            manifest = new_manifest(plan.exp, plan.scenario, plan.points, plan.fingerprint)
            if self.recovered:  # the adopted parts' code and machine are not known
                manifest["recovered"] = now()
                manifest["versions"].update(negsim_source=UNKNOWN, float_paths=UNKNOWN)
        reps = max(
            plan.exp.replications, manifest["definition"].get("replications", 1), self.recovered
        )
        manifest["definition"]["replications"] = reps
        manifest["counts"]["runs"] = len(plan.points) * reps * len(plan.exp.arms)
        return manifest

    def _facts(self, state: str, summary: SweepSummary) -> dict[str, Any]:
        shard = self.plan.shard
        return {
            "started": self.started,
            "ended": now(),
            "state": state,
            "executor": self.where,
            "shard": f"{shard[0]}/{shard[1]}" if shard else None,
            "runs": summary.ran,
            "errors": summary.errors,
            "seconds": round(summary.seconds, 3),
        }


def prepare_folder(
    plan: Plan, *, dry_run: bool, resume: bool, overwrite: bool, allow_other_files: bool
) -> Session:
    """Check ``plan.out`` for this plan; unless ``dry_run``, also clean it for writing.

    Raises:
        ExperimentError: the folder holds other files, another experiment, results
            without ``--resume``, or foreign or duplicated parts.
    """
    out = plan.out
    if out.exists() and not out.is_dir():
        raise ExperimentError(f"--out {out}: exists and is not a folder")
    others = [] if allow_other_files else other_files(out)
    if others:
        raise ExperimentError(
            f"--out {out}: holds files a sweep did not write ({', '.join(others[:3])}); "
            "use an empty or results folder, or --allow-other-files"
        )
    manifest = read_manifest(out) if out.is_dir() else None
    files = store.parts(out)
    if overwrite:
        if not dry_run:
            _clear(out, files)
        return Session(plan, None)
    _check_owner(plan, manifest, files, resume)
    if not dry_run:
        atomic.remove_temporaries(out, store.shard_prefix(plan.shard))
        atomic.remove_temporaries(out, reserve_prefix(plan.shard))
        atomic.remove_temporaries(out, MANIFEST)
    return _resumed(plan, manifest, dry_run)


def _check_owner(
    plan: Plan, manifest: dict[str, Any] | None, files: list[Path], resume: bool
) -> None:
    out, exp = plan.out, plan.exp
    if manifest is None:
        if files and not resume:
            raise ExperimentError(
                f"{out}: holds {len(files)} result files but no {MANIFEST}; use --resume to "
                f"rebuild it from them (if they are parts of {exp.name!r}), another --out, "
                "or --overwrite to replace them"
            )
        return
    if manifest.get("experiment") != exp.name or manifest.get("fingerprint") != plan.fingerprint:
        what = (
            f"experiment {manifest.get('experiment')!r}"
            if manifest.get("experiment") != exp.name
            else f"a different definition of {exp.name!r} (or of its scenario)"
        )
        raise ExperimentError(
            f"{out}: holds {what}; refusing to mix results: use another --out, "
            "or --overwrite to replace them"
        )
    if files and not resume and plan.shard is None:
        raise ExperimentError(
            f"{out}: already holds results of {exp.name!r}; use --resume to run only the "
            "missing runs, or --overwrite to start again"
        )


def _resumed(plan: Plan, manifest: dict[str, Any] | None, dry_run: bool) -> Session:
    session = Session(plan, manifest)
    if manifest is None and not store.parts(plan.out):
        return session
    if manifest is None:  # lost: rebuilt from parts that name this experiment and definition
        return _recovered(session, dry_run)
    found = store.scan(plan.out, manifest)
    if found.foreign or found.duplicates:
        raise ExperimentError(str(found.problem()))
    for part, why in found.corrupt:
        if not dry_run:
            moved = store.set_aside(part)
            session.warnings.append(
                f"{part}: corrupt ({why}); moved to {moved.name}, its runs re-run"
            )
    session.done = found.done
    # only runs added beside earlier ones can mix: a complete folder re-read (the quick
    # start) adds none, whatever changed since
    adding = next(plan.runs(found.done), None) is not None
    old_source = manifest.get("versions", {}).get("negsim_source")
    if found.done and adding and old_source == UNKNOWN:
        session.warnings.append(
            f"{plan.out}: the code that wrote the earlier runs is not known (the manifest was "
            f"rebuilt on {manifest.get('recovered')}); resumed runs may not match them "
            "(--overwrite to redo all)"
        )
    elif found.done and adding and old_source and old_source != source_hash():
        session.warnings.append(
            f"{plan.out}: negsim's code or built-in scenarios changed since these results were "
            "started; resumed runs may not match the earlier ones (--overwrite to redo all)"
        )
    old_paths, here = manifest.get("versions", {}).get("float_paths"), float_paths()
    if found.done and adding and old_paths and old_paths not in (here, UNKNOWN):
        session.warnings.append(
            f"{plan.out}: these results were computed with other CPU paths ({old_paths}; "
            f"here {here}): runs added here may differ from them in the last digits "
            '(docs/experiments.md, "On other machines", says how to match them)'
        )
    return session


def _recovered(session: Session, dry_run: bool) -> Session:
    """A session adopting the parts of a folder whose manifest is gone (``--resume``).

    Every part names its experiment and definition (Parquet metadata); a part of any
    other is refused, as with a manifest. The manifest written is the plan's, with the
    parts found and their replications, and the code and CPU paths that wrote them
    marked unknown.
    """
    plan = session.plan
    identity = {"experiment": plan.exp.name, "fingerprint": plan.fingerprint}
    found = store.scan(plan.out, identity)
    if found.foreign or found.duplicates or (found.corrupt and dry_run):
        raise ExperimentError(str(found.problem()))
    for part, why in found.corrupt:
        moved = store.set_aside(part)
        session.warnings.append(f"{part}: corrupt ({why}); moved to {moved.name}, its runs re-run")
    session.done = found.done
    session.recovered = 1 + max((rep for *_, rep in found.done), default=0)
    session.warnings.append(
        f"{plan.out}: no {MANIFEST}; rebuilt from {len(found.hashes)} "
        f"part{'s' if len(found.hashes) != 1 else ''} of "
        f"{plan.exp.name!r} ({found.rows} runs), which name this experiment and definition; "
        "the code that wrote them is not known"
    )
    return session


def _clear(out: Path, files: list[Path]) -> None:
    """Delete a folder's results for ``--overwrite`` (parts, manifest, log, leftovers)."""
    doomed = [*files, out / MANIFEST, out / SESSIONS, *out.glob(f"*{store.CORRUPT_SUFFIX}")]
    for path in doomed:
        path.unlink(missing_ok=True)
    atomic.remove_temporaries(out)
