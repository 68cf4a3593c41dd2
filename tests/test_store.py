"""Results that cannot be lost or mixed: one writer, shards, atomic parts, a checked store."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import negsim
from negsim.sweeps import Experiment, ExperimentError, load_results, run_experiment
from negsim.sweeps.folder import hold

REPO = Path(__file__).resolve().parents[1]

SMALL = {
    "name": "small",
    "scenario": "tag2018",
    "replications": 4,
    "root_seed": 11,
    "arms": {"bilateral": {"protocol": "bilateral"}, "multilateral": {"protocol": "multilateral"}},
    "design": {"parameters": {"US.politics.salience_peak": [0.0, 1.2]}},
    "perturbations": {"JP.security.reliance.US": {"dist": "uniform", "low": 0.6, "high": 0.95}},
}
TOTAL = 2 * 4 * 2


def small(**changes) -> Experiment:
    return Experiment.from_dict({**SMALL, **changes})


def visible(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("whole")
    run_experiment(small(), out=out, workers=0)
    return load_results(out)


def test_a_folder_held_by_a_live_sweep_is_refused_naming_the_holder(tmp_path):
    with hold(tmp_path, None):
        with pytest.raises(ExperimentError, match=rf"held by a running sweep \(pid {os.getpid()} "):
            run_experiment(small(), out=tmp_path, workers=0)
    run_experiment(small(), out=tmp_path, workers=0)  # free again


def test_a_lock_left_by_a_killed_sweep_does_not_block_resume(tmp_path, whole):
    run_experiment(small(), out=tmp_path, workers=0, arms=["bilateral"])
    stale = {"pid": 999_999_999, "host": "gone", "since": "2020-01-01T00:00:00+00:00"}
    (tmp_path / ".lock").write_text(json.dumps(stale))
    run_experiment(small(), out=tmp_path, workers=0, resume=True)
    pd.testing.assert_frame_equal(load_results(tmp_path), whole)


def test_shards_are_disjoint_and_their_union_is_the_unsharded_sweep(tmp_path, whole):
    ran = [run_experiment(small(), out=tmp_path, workers=0, shard=(i, 3)).ran for i in range(3)]
    assert sum(ran) == TOTAL and all(n > 0 for n in ran)
    names = sorted(p.name for p in tmp_path.glob("part-*.parquet"))
    assert {n[:9] for n in names} == {"part-0of3", "part-1of3", "part-2of3"}
    df = load_results(tmp_path)
    pd.testing.assert_frame_equal(df, whole)
    assert df.attrs["manifest"]["state"] == "complete"
    again = run_experiment(small(), out=tmp_path, workers=0, shard=(1, 3))
    assert again.ran == 0 and again.skipped == ran[1]


def test_a_full_disk_is_one_line_leaves_no_temporary_and_resume_completes(
    tmp_path, whole, monkeypatch
):
    import pyarrow.parquet as pq

    real = pq.write_table
    calls = {"n": 0}

    def full_disk(table, where, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            where.write(b"PAR1 half")  # a part of a part, then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(table, where, **kwargs)

    monkeypatch.setattr(pq, "write_table", full_disk)
    with pytest.raises(ExperimentError) as info:
        run_experiment(small(), out=tmp_path, workers=0, rows_per_file=4)
    message = str(info.value)
    assert "\n" not in message and "No space left on device" in message and "--resume" in message
    assert json.loads((tmp_path / "manifest.json").read_text())["state"] == "interrupted"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    monkeypatch.setattr(pq, "write_table", real)
    run_experiment(small(), out=tmp_path, workers=0, resume=True)
    pd.testing.assert_frame_equal(load_results(tmp_path), whole)


def test_a_disk_the_sweep_filled_still_takes_the_manifest_marked_interrupted(tmp_path, monkeypatch):
    # the disk fills on the second part: no file can be written until the room set
    # aside at the start (a .reserve-*.tmp file) is given back
    import pyarrow.parquet as pq

    from negsim.sweeps import session

    real_part, real_manifest = pq.write_table, session.write_manifest
    state = {"parts": 0, "full": False}

    def reserve_left() -> bool:
        return any(p.name.startswith(".reserve-") for p in tmp_path.iterdir())

    def part(table, where, **kwargs):
        state["parts"] += 1
        state["full"] = state["full"] or state["parts"] == 2
        if state["full"] and reserve_left():
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_part(table, where, **kwargs)

    def manifest(out, data):
        if state["full"] and reserve_left():
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_manifest(out, data)

    monkeypatch.setattr(pq, "write_table", part)
    monkeypatch.setattr(session, "write_manifest", manifest)
    with pytest.raises(ExperimentError, match="No space left on device"):
        run_experiment(small(), out=tmp_path, workers=0, rows_per_file=4)
    written = json.loads((tmp_path / "manifest.json").read_text())
    assert written["state"] == "interrupted" and written["counts"]["written"] == 4
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_parts_hold_rows_per_file_runs(tmp_path):
    run_experiment(small(), out=tmp_path, workers=0, rows_per_file=5, chunk_size=3)
    sizes = [len(pd.read_parquet(p)) for p in sorted(tmp_path.glob("part-*.parquet"))]
    total = sum(sizes)
    assert sizes == [5] * (total // 5) + ([total % 5] if total % 5 else [])


def test_a_bit_flipped_part_is_refused_by_name_and_resume_reruns_its_runs(tmp_path, whole):
    run_experiment(small(), out=tmp_path, workers=0, rows_per_file=4)
    part = tmp_path / "part-00001.parquet"
    data = bytearray(part.read_bytes())
    data[len(data) // 3] ^= 0xFF
    part.write_bytes(bytes(data))
    with pytest.raises(ExperimentError, match=f"{part}: a corrupt part"):
        load_results(tmp_path)
    summary = run_experiment(small(), out=tmp_path, workers=0, resume=True)
    assert summary.ran == 4 and any("corrupt" in w for w in summary.warnings)
    assert (tmp_path / "part-00001.parquet.corrupt").exists()
    pd.testing.assert_frame_equal(load_results(tmp_path), whole)


def test_a_part_of_another_experiment_or_a_duplicated_part_is_refused(tmp_path):
    run_experiment(small(), out=tmp_path / "a", workers=0, rows_per_file=4)
    run_experiment(small(root_seed=12), out=tmp_path / "b", workers=0, rows_per_file=4)
    shutil.copy(tmp_path / "b" / "part-00000.parquet", tmp_path / "a" / "part-00099.parquet")
    with pytest.raises(ExperimentError, match=r"part-00099.parquet: a part of another definition"):
        load_results(tmp_path / "a")
    with pytest.raises(ExperimentError, match=r"part-00099.parquet: a part of another"):
        run_experiment(small(), out=tmp_path / "a", workers=0, resume=True)
    os.remove(tmp_path / "a" / "part-00099.parquet")
    shutil.copy(tmp_path / "a" / "part-00000.parquet", tmp_path / "a" / "part-00098.parquet")
    with pytest.raises(ExperimentError, match=r"part-00098.parquet: run .* also in another part"):
        load_results(tmp_path / "a")


def test_a_lost_manifest_is_rebuilt_by_resume_from_parts_naming_the_experiment(tmp_path, whole):
    folder = tmp_path / "a"
    run_experiment(small(), out=folder, workers=0, rows_per_file=4)
    (folder / "manifest.json").unlink()
    (folder / "part-00002.parquet").unlink()  # a lost manifest and a lost part
    with pytest.raises(ExperimentError, match=r"no manifest\.json; use --resume to rebuild it"):
        run_experiment(small(), out=folder, workers=0)
    # a part of another definition among them: refused, nothing touched
    run_experiment(small(root_seed=12), out=tmp_path / "b", workers=0, rows_per_file=4)
    stray = folder / "part-00099.parquet"
    shutil.copy(tmp_path / "b" / "part-00000.parquet", stray)
    before = visible(folder)
    with pytest.raises(ExperimentError, match=r"part-00099\.parquet: a part of another definition"):
        run_experiment(small(), out=folder, workers=0, resume=True)
    assert visible(folder) == before
    stray.unlink()
    summary = run_experiment(small(), out=folder, workers=0, resume=True)
    assert (summary.ran, summary.skipped) == (4, TOTAL - 4)  # only the lost part's runs
    assert any("rebuilt from 3 parts of 'small' (12 runs)" in w for w in summary.warnings)
    pd.testing.assert_frame_equal(load_results(folder), whole)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["state"] == "complete" and manifest["counts"]["written"] == TOTAL
    assert manifest["versions"]["negsim_source"] == "unknown" and manifest["recovered"]
    assert len(manifest["parts"]) == 4  # the three adopted and the one re-run, checksummed


def test_a_complete_folder_is_left_byte_for_byte_as_it_is(tmp_path):
    run_experiment(small(), out=tmp_path, workers=0)
    before = visible(tmp_path)
    summary = run_experiment(small(), out=tmp_path, workers=0, resume=True)
    assert (summary.ran, summary.skipped) == (0, TOTAL)
    assert visible(tmp_path) == before


def test_run_to_run_facts_are_in_the_git_ignored_session_log_only(tmp_path):
    run_experiment(small(), out=tmp_path / "a", workers=0)
    run_experiment(small(), out=tmp_path / "b", workers=2, rows_per_file=1000)
    for name in ("manifest.json", "part-00000.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    ignored = subprocess.run(
        ["git", "check-ignore", "results/x/sessions.jsonl", "results/x/.lock"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert ignored.stdout.split() == ["results/x/sessions.jsonl", "results/x/.lock"]


def test_a_folder_with_unrelated_files_is_refused_unless_allowed(tmp_path):
    (tmp_path / "thesis.tex").write_text("precious")
    with pytest.raises(ExperimentError, match=r"holds files a sweep did not write \(thesis.tex\)"):
        run_experiment(small(), out=tmp_path, workers=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.tex"]
    run_experiment(small(), out=tmp_path, workers=0, allow_other_files=True)
    assert (tmp_path / "thesis.tex").read_text() == "precious"


def hang_on_even_seeds(scenario, protocol="bilateral", seed=0):
    if seed % 2 == 0:
        while True:
            pass
    return negsim.simulate(scenario, protocol, seed)


def test_a_run_past_its_time_limit_is_an_error_row_naming_its_parameters(tmp_path):
    exp = small(replications=2)
    summary = run_experiment(exp, out=tmp_path, workers=0, run_fn=hang_on_even_seeds, timeout=0.5)
    df = load_results(tmp_path)
    hung = df["seed"] % 2 == 0
    assert hung.any() and (~hung).any()
    assert (df.loc[hung, "status"] == "error").all() and (df.loc[~hung, "status"] == "ok").all()
    assert df.loc[hung, "error"].str.contains("took longer than 0.5 s").all()
    assert df.loc[hung, "error"].str.contains(r"\[with US.politics.salience_peak=").all()
    assert summary.errors == hung.sum()


def warn(scenario, protocol="bilateral", seed=0):
    np.log(np.array([-1.0]))
    return negsim.simulate(scenario, protocol, seed)


def test_numpy_warnings_of_runs_do_not_reach_the_terminal(tmp_path, capfd):
    run_experiment(small(replications=1), out=tmp_path, workers=0, run_fn=warn)
    assert "RuntimeWarning" not in capfd.readouterr().err


def test_workers_exit_when_the_driver_is_killed(tmp_path):
    psutil = pytest.importorskip("psutil")
    path = tmp_path / "e.toml"
    path.write_text('name = "long"\nreplications = 5000\n[arms.b]\nprotocol = "bilateral"\n')
    out = tmp_path / "out"
    args = ["sweep", str(path), "--out", str(out), "--workers", "2", "--rows-per-file", "20"]
    driver = subprocess.Popen(
        [sys.executable, "-m", "negsim.cli", *args],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stderr=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not list(out.glob("part-*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.05)
    children = psutil.Process(driver.pid).children(recursive=True)
    assert len(children) >= 2  # the forkserver and its workers
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    _, alive = psutil.wait_procs(children, timeout=15)
    assert not alive, [p.pid for p in alive]


def test_dask_waits_for_late_workers_and_says_when_none_come(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    import negsim.sweeps.executors as executors

    with distributed.LocalCluster(
        n_workers=0, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        scheduler_file = tmp_path / "scheduler.json"
        scheduler_file.write_text(json.dumps({"address": cluster.scheduler_address}))
        monkeypatch.setattr(executors, "WAIT_FOR_WORKERS", 1.0)
        with pytest.raises(ExperimentError, match="no Dask worker joined within 1 s"):
            run_experiment(small(), out=tmp_path / "none", scheduler_file=scheduler_file)
        monkeypatch.setattr(executors, "WAIT_FOR_WORKERS", 60.0)
        threading.Timer(1.0, lambda: cluster.scale(2)).start()  # they join after the start
        summary = run_experiment(
            small(), out=tmp_path / "late", scheduler_file=scheduler_file, chunk_size=1
        )
        assert summary.ok == TOTAL and summary.executor.startswith("Dask tcp://")


def test_the_slurm_job_script_runs_single_threaded_workers_on_the_asked_resources():
    pytest.importorskip("dask_jobqueue")
    from negsim.sweeps.slurm import job_script

    script = job_script(cores=4, memory="8GB", walltime="01:30:00", queue="short", account="lab")
    assert script.startswith("#!/usr/bin/env bash")
    for line in (
        "#SBATCH -p short",
        "#SBATCH -A lab",
        "#SBATCH --cpus-per-task=4",
        "#SBATCH --mem=8G",
        "#SBATCH -t 01:30:00",
    ):
        assert line in script.splitlines(), line
    assert "--nworkers 4" in script and "--nthreads 1" in script


def test_the_slurm_jobs_export_the_pinned_cpu_paths_before_the_workers_start():
    pytest.importorskip("dask_jobqueue")
    from negsim.sweeps.arithmetic import PIN_TO_AVX2
    from negsim.sweeps.slurm import job_script

    lines = job_script(cores=2, environment=PIN_TO_AVX2).splitlines()
    pin = "export NPY_DISABLE_CPU_FEATURES='X86_V4 AVX512_ICL AVX512_SPR'"
    assert pin in lines and "export OPENBLAS_CORETYPE=Haswell" in lines
    worker = next(i for i, line in enumerate(lines) if "distributed.cli.dask_worker" in line)
    assert lines.index(pin) < worker  # numpy reads them when the worker imports it


def test_the_quick_start_on_a_complete_folder_rewrites_nothing_but_figures(tmp_path):
    from negsim.cli import main

    path = tmp_path / "q.toml"
    path.write_text(
        'name = "q"\nreplications = 3\n[arms.b]\nprotocol = "bilateral"\n'
        '[arms.m]\nprotocol = "multilateral"\n'
    )
    out = tmp_path / "results" / "q"
    sweep = ["sweep", str(path), "--out", str(out), "--workers", "0", "--resume"]
    compare = ["compare", str(out), "--n-resamples", "100"]
    assert main(sweep) == 0 and main(compare) == 0
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert main(sweep) == 0 and main(compare) == 0
    again = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert set(first) == set(again)
    changed = [str(p) for p in first if first[p] != again[p] and p.parts[0] != "figures"]
    assert changed == [".lock"]  # who held the folder last: git-ignored, as is sessions.jsonl


def test_resume_marks_complete_a_folder_whose_sweep_was_killed_after_its_last_part(tmp_path):
    run_experiment(small(), out=tmp_path, workers=0)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    (tmp_path / "manifest.json").write_text(json.dumps({**manifest, "state": "running"}))
    summary = run_experiment(small(), out=tmp_path, workers=0, resume=True)
    assert summary.ran == 0
    assert json.loads((tmp_path / "manifest.json").read_text()) == manifest
