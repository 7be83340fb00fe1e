"""Sweeps: identical results on every executor and chunk size, resume, corruption, refusal."""

from __future__ import annotations

import contextlib
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
import xarray as xr

import moondust
from moondust.errors import DiskFullError, MoondustError
from moondust.experiments import open_results, read_runs_table, run_sweep, sweep_status
from moondust.experiments import store as store_module
from moondust.experiments.chunks import CHUNKS_DIR
from moondust.experiments.sampling import latin_hypercube, lever_points, scenario_variant
from moondust.experiments.store import SweepDirectory
from moondust.results import Results
from moondust.world.scenario import Scenario

from .conftest import RUNS

ROOT = Path(__file__).resolve().parents[2]


def dataset(path: Path) -> xr.Dataset:
    return open_results(path).dataset.load().drop_attrs()


def assert_same_sweep(a: Path, b: Path) -> None:
    xr.testing.assert_identical(dataset(a), dataset(b))
    pd.testing.assert_frame_equal(read_runs_table(a), read_runs_table(b))


def copy_sweep(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".lock"))
    return target


def test_sweep_equals_direct_simulation_per_lever_point(reference_sweep: Path, tiny: Scenario):
    ds = dataset(reference_sweep)
    assert ds.sizes["run"] == 2 * RUNS
    np.testing.assert_array_equal(ds["run"].values, np.arange(2 * RUNS))
    design = latin_hypercube(tiny.uncertainties, RUNS, seed=11)
    for point, levers in enumerate(lever_points(tiny)):
        variant = scenario_variant(tiny, levers)
        inputs = {name: design[name].to_numpy() for name in design.columns}
        direct = moondust.simulate(variant, runs=RUNS, seed=11, inputs=inputs).dataset
        part = ds.isel(run=slice(point * RUNS, (point + 1) * RUNS))
        assert (part["lever_point"] == point).all()
        assert (part["lever_ilrs_openness"] == levers["lever_ilrs_openness"]).all()
        part = part.drop_vars(["sample", "lever_point", "lever_ilrs_openness"])
        part = part.assign_coords(run=np.arange(RUNS))
        xr.testing.assert_identical(part, direct.drop_attrs())


def test_every_runs_inputs_are_recorded_beside_its_outcomes(reference_sweep: Path) -> None:
    table = read_runs_table(reference_sweep)
    assert list(table.index) == list(range(2 * RUNS))
    for column in (
        "sample",
        "lever_point",
        "input_spillover_max",
        "input_crowd_out",
        "lever_ilrs_openness",
        "first_bloc_he3_delivered",
        "first_year_crewed_landing",
        "cum_military_usd_bn",
    ):
        assert column in table.columns, column
    # a Latin hypercube: one sample per stratum of each uncertainty, the same at both lever points
    spillover = table.loc[table["lever_point"] == 0, "input_spillover_max"].to_numpy()
    strata = np.floor((spillover - 0.1) / 0.9 * RUNS).astype(int)
    assert sorted(strata) == list(range(RUNS))
    first = table[table["lever_point"] == 0]["input_crowd_out"].to_numpy()
    second = table[table["lever_point"] == 1]["input_crowd_out"].to_numpy()
    np.testing.assert_array_equal(first, second)
    # an outcome not stored in the chunks is computed from their datasets
    extra = read_runs_table(reference_sweep, ["year_USA_crewed_landing", "input_crowd_out"])
    ds = dataset(reference_sweep)
    expected = ds["milestone_year"].sel(actor="USA", milestone="crewed_landing").values
    np.testing.assert_array_equal(extra["year_USA_crewed_landing"].to_numpy(), expected)


def test_a_designs_random_streams_are_recorded_with_the_runs(
    tiny: Scenario, tmp_path: Path
) -> None:
    design = pd.DataFrame(
        {"spillover_max": [0.2, 0.2, 0.6, 0.6, 0.9], "random_stream": [0, 1, 0, 1, 4]}
    )
    out = tmp_path / "crn"
    run_sweep(tiny, out=out, seed=3, sampling="design", design=design, executor="inline")
    table = read_runs_table(out).sort_values(["lever_point", "sample"])
    for _, point in table.groupby("lever_point"):
        np.testing.assert_array_equal(point["random_stream"].to_numpy(), [0, 1, 0, 1, 4])
    ds = dataset(out)
    np.testing.assert_array_equal(ds["random_stream"].values, [0, 1, 0, 1, 4] * 2)


@pytest.mark.parametrize(
    ("executor", "chunk_size"),
    [
        ("inline", 1),
        ("inline", 100),
        pytest.param("processes", 7, marks=pytest.mark.slow),
        pytest.param("dask", 7, marks=pytest.mark.slow),
    ],
)
def test_identical_across_executors_and_chunk_sizes(
    reference_sweep: Path, tiny: Scenario, tmp_path: Path, executor: str, chunk_size: int
) -> None:
    if executor == "dask":
        pytest.importorskip("distributed")
    out = tmp_path / f"{executor}-{chunk_size}"
    report = run_sweep(
        tiny,
        runs=RUNS,
        out=out,
        sampling="lhs",
        executor=executor,
        workers=2,
        chunk_size=chunk_size,
    )
    assert report.complete and report.chunks == 2 * -(-RUNS // chunk_size)
    if executor == "dask":
        assert "Dask local cluster (2 workers on 127.0.0.1)" in report.executor
    assert_same_sweep(out, reference_sweep)


@pytest.mark.slow
def test_an_existing_dask_scheduler_gives_the_identical_sweep(
    reference_sweep: Path, tiny: Scenario, tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        out = tmp_path / "scheduler"
        report = run_sweep(
            tiny, runs=RUNS, out=out, sampling="lhs", scheduler=cluster.scheduler_address
        )
        assert report.complete
        assert f"Dask scheduler {cluster.scheduler_address} (2 workers now)" in report.executor
        assert cluster.scheduler.workers  # the cluster outlives the sweep: only disconnected
    assert_same_sweep(out, reference_sweep)


def test_monte_carlo_sampling_uses_the_engines_own_draws(tiny: Scenario, tmp_path: Path) -> None:
    report = run_sweep(tiny, runs=4, out=tmp_path / "mc", sampling="mc", chunk_size=3)
    assert report.complete
    ds = dataset(tmp_path / "mc")
    direct = moondust.simulate(scenario_variant(tiny, lever_points(tiny)[1]), runs=4, seed=11)
    np.testing.assert_array_equal(
        ds["input_crowd_out"].values[4:], direct.dataset["input_crowd_out"].values
    )


@pytest.mark.slow
def test_killed_sweep_resumes_to_the_identical_dataset(
    reference_sweep: Path, tiny_toml: Path, tmp_path: Path
) -> None:
    out = tmp_path / "killed"
    command = [
        sys.executable,
        "-m",
        "moondust",
        "sweep",
        str(tiny_toml),
        "--out",
        str(out),
        "--runs",
        str(RUNS),
        "--sampling",
        "lhs",
        "--chunk-size",
        "1",
        "--executor",
        "inline",
        "--format",
        "json",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    journal = out / "chunks.jsonl"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if journal.exists() and journal.read_text().count('"done"') >= 3:
                break
            time.sleep(0.02)
        assert process.poll() is None, "the sweep finished before it could be killed"
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    killed = sweep_status(out)["counts"]
    assert 3 <= killed["done"] < killed["chunks"] == 2 * RUNS

    report = run_sweep(
        moondust.load_scenario(tiny_toml), runs=RUNS, out=out, sampling="lhs", chunk_size=1
    )
    assert report.complete
    assert report.skipped == killed["done"]
    assert report.computed == 2 * RUNS - killed["done"]
    status = sweep_status(out)
    assert status["counts"]["done"] == 2 * RUNS and status["counts"]["failed"] == 0
    chunk_dirs = sorted(p.name for p in (out / CHUNKS_DIR).iterdir())
    assert chunk_dirs == [f"c{k:06d}" for k in range(2 * RUNS)]  # none lost, none left over
    assert_same_sweep(out, reference_sweep)


def test_corrupt_missing_partial_and_unrecorded_chunks_are_recomputed(
    reference_sweep: Path, tiny: Scenario, tmp_path: Path
) -> None:
    out = copy_sweep(reference_sweep, tmp_path)
    chunks = out / CHUNKS_DIR
    # chunk 0: a flipped byte in a data block
    block = next(p for p in sorted((chunks / "c000000").rglob("*")) if p.name == "0.0.0")
    data = bytearray(block.read_bytes())
    data[len(data) // 2] ^= 0xFF
    block.write_bytes(bytes(data))
    # chunk 1: deleted; a half-written temporary directory lies next to it
    shutil.rmtree(chunks / "c000001")
    (chunks / ".c000001.tmp-deadbeef" / "data.zarr").mkdir(parents=True)
    # chunk 3: written but never recorded (the sweep was killed before the journal line), and
    # the journal ends in a torn line
    lines = (out / "chunks.jsonl").read_text().splitlines(keepends=True)
    kept = [line for line in lines if '"chunk": 3,' not in line]
    (out / "chunks.jsonl").write_text("".join(kept) + '{"chunk": 2, "sta')
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["chunks"].pop("3", None)
    (out / "manifest.json").write_text(json.dumps(manifest))

    report = run_sweep(tiny, runs=RUNS, out=out, sampling="lhs")
    assert report.complete
    assert (report.skipped, report.recomputed, report.computed) == (1, 2, 3)
    assert not list(chunks.glob(".*"))
    records = SweepDirectory(out).read_journal()
    reasons = [r.get("reason", "") for r in records if r.get("status") == "invalid"]
    assert any("checksum mismatch" in r for r in reasons)
    assert any("missing" in r for r in reasons)
    assert_same_sweep(out, reference_sweep)


def test_a_failed_chunk_is_recorded_and_the_sweep_goes_on(
    reference_sweep: Path, tiny: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moondust.experiments import chunks as chunks_module

    original = chunks_module.simulate_chunk

    def failing(task: chunks_module.ChunkTask) -> xr.Dataset:
        if task.chunk == 1:
            raise RuntimeError("planted failure")
        return original(task)

    monkeypatch.setattr(chunks_module, "simulate_chunk", failing)
    out = tmp_path / "failing"
    report = run_sweep(tiny, runs=RUNS, out=out, sampling="lhs", chunk_size=7)
    assert not report.complete
    assert report.computed == 3 and list(report.failed) == [1]
    assert "planted failure" in report.failed[1]
    record = sweep_status(out)["chunks"]["1"]
    assert record["status"] == "failed" and "RuntimeError: planted failure" in record["traceback"]
    with pytest.raises(MoondustError, match="incomplete"):
        open_results(out)
    partial = open_results(out, allow_partial=True).dataset
    assert partial.sizes["run"] == 2 * RUNS - 1  # chunk 1 holds sample 7 of lever point 0

    monkeypatch.setattr(chunks_module, "simulate_chunk", original)
    again = run_sweep(tiny, runs=RUNS, out=out, sampling="lhs")
    assert again.complete and (again.skipped, again.computed) == (3, 1)
    assert_same_sweep(out, reference_sweep)


def test_a_full_disk_while_writing_a_chunk_loses_nothing(
    reference_sweep: Path, tiny: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moondust.experiments import chunks as chunks_module

    original = chunks_module.write_table

    def table(table: object, path: Path) -> None:
        """Chunk 2's runs table cannot be written: its Zarr data is already on disk."""
        if path.parent.name.startswith(".c000002.tmp-"):
            assert (path.parent / "data.zarr").is_dir()
            raise OSError(errno.ENOSPC, "No space left on device")
        original(table, path)

    monkeypatch.setattr(chunks_module, "write_table", table)
    out = tmp_path / "full-disk"
    # the sweep stops at the first full-disk failure (the next chunks would fail too)
    with pytest.raises(DiskFullError, match=r"c000002: no space left on device.*2 of 4 chunks"):
        run_sweep(tiny, runs=RUNS, out=out, sampling="lhs", chunk_size=7)
    assert sweep_status(out)["chunks"]["2"]["status"] == "failed"  # recorded, with its cause
    assert "No space left on device" in sweep_status(out)["chunks"]["2"]["error"]
    chunks = out / CHUNKS_DIR
    assert not (chunks / "c000002").exists()  # no half-written chunk where a whole one belongs
    assert not list(chunks.glob(".*"))  # and no temporary directory left behind

    monkeypatch.setattr(chunks_module, "write_table", original)  # space freed: run it again
    again = run_sweep(tiny, runs=RUNS, out=out, sampling="lhs")
    assert again.complete and (again.skipped, again.computed) == (2, 2)
    assert_same_sweep(out, reference_sweep)


@pytest.mark.slow
def test_a_worker_killed_mid_sweep_is_recorded_and_the_sweep_resumes(
    reference_sweep: Path, tiny: Scenario, tmp_path: Path
) -> None:
    psutil = pytest.importorskip("psutil")
    out = tmp_path / "lost-worker"
    killed: list[int] = []

    def kill_a_worker() -> None:
        """Once the first chunk is recorded, SIGKILL one of the pool's worker processes."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            journal = out / "chunks.jsonl"
            if journal.exists() and '"status": "done"' in journal.read_text():
                for child in psutil.Process().children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        # A pool worker is a child of the forkserver (not of this process, and
                        # not of a Dask nanny an earlier test may have left in this session).
                        parent = child.parent()
                        if parent.pid != os.getpid() and "forkserver" in " ".join(parent.cmdline()):
                            child.kill()
                            killed.append(child.pid)
                            return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_worker, daemon=True)
    killer.start()
    report = run_sweep(
        tiny, runs=RUNS, out=out, sampling="lhs", executor="processes", workers=2, chunk_size=1
    )
    killer.join(timeout=5)
    assert killed, "no worker process was found to kill"
    assert report.failed, "losing a worker mid-sweep should fail the chunks it was running"
    assert report.computed + len(report.failed) == 2 * RUNS  # every chunk was accounted for
    assert any("Broken" in error or "terminated" in error for error in report.failed.values())

    again = run_sweep(tiny, runs=RUNS, out=out, sampling="lhs", executor="processes", workers=2)
    assert again.complete and again.computed == len(report.failed)
    assert_same_sweep(out, reference_sweep)


def test_a_different_sweep_in_the_same_directory_is_refused(
    reference_sweep: Path, tiny: Scenario, tmp_path: Path
) -> None:
    out = copy_sweep(reference_sweep, tmp_path)
    other = tiny.with_changes(name="other", parameters={"crowd_out": 0.9})
    with pytest.raises(MoondustError, match=r"holds a sweep of scenario 'tiny'.*not of this"):
        run_sweep(other, runs=RUNS, out=out, sampling="lhs")
    with pytest.raises(MoondustError, match="different --seed 11 \\(asked: 12\\)"):
        run_sweep(tiny, runs=RUNS, out=out, sampling="lhs", seed=12)
    with pytest.raises(MoondustError, match="different --runs"):
        run_sweep(tiny, runs=RUNS + 1, out=out, sampling="lhs")
    with pytest.raises(MoondustError, match="different --sampling"):
        run_sweep(tiny, runs=RUNS, out=out, sampling="mc")
    with pytest.raises(MoondustError, match="--chunk-size 7 \\(asked: 3\\)"):
        run_sweep(tiny, runs=RUNS, out=out, sampling="lhs", chunk_size=3)
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine")
    with pytest.raises(MoondustError, match="not a sweep directory"):
        run_sweep(tiny, runs=2, out=stranger)


def test_a_directory_being_written_is_refused(tiny: Scenario, tmp_path: Path) -> None:
    holder = SweepDirectory(tmp_path / "busy")
    holder.lock()
    try:
        with pytest.raises(MoondustError, match="another sweep is writing"):
            run_sweep(tiny, runs=2, out=tmp_path / "busy")
    finally:
        holder.close()


def test_open_results_is_lazy_and_reads_one_block_per_chunk_used(
    reference_sweep: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[tuple[str, str]] = []
    for name in ("_read_block", "_read_raw_block"):
        original = getattr(store_module, name)

        def counting(path: str, variable: str, _original=original) -> np.ndarray:
            reads.append((path, variable))
            return _original(path, variable)

        monkeypatch.setattr(store_module, name, counting)
    results = open_results(reference_sweep)
    assert isinstance(results, Results)
    assert results.runs == 2 * RUNS
    assert results.dataset["milestone_year"].chunks[0] == (7, 1, 7, 1)
    assert reads == []  # opening reads no data, however many runs there are
    one = results.dataset["milestone_year"].sel(run=12).values
    assert one.shape == (18, 16)
    assert len(reads) == 1 and reads[0][0].endswith("c000002/data.zarr")
    attrs = results.dataset.attrs
    assert attrs["scenario"] == "tiny" and attrs["seed"] == 11
    assert json.loads(attrs["sweep_lever_points"]) == [
        {"lever_ilrs_openness": 0.3},
        {"lever_ilrs_openness": 0.9},
    ]


def test_open_results_opens_a_run_directory_lazily(tiny: Scenario, tmp_path: Path) -> None:
    results = moondust.simulate(tiny.with_changes(levers={}), runs=3, seed=2)
    results.save(tmp_path / "run")
    for path in (tmp_path / "run", tmp_path / "run" / "results.zarr"):
        opened = moondust.open_results(path)
        assert isinstance(opened, Results)
        assert opened.dataset["milestone_year"].chunks is not None  # dask-backed
        xr.testing.assert_identical(opened.dataset.load(), results.dataset)
    with pytest.raises(MoondustError, match="neither a run directory"):
        moondust.open_results(tmp_path)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"runs": 0}, "runs must be at least 1"),
        ({"chunk_size": 0}, "chunk size must be at least 1"),
        ({"executor": "cluster"}, "unknown executor 'cluster'"),
        ({"sampling": "sobol"}, "unknown sampling"),
        ({"sampling": "design"}, "needs a design"),
        (
            {"sampling": "design", "design": pd.DataFrame({"warp": [1.0]})},
            "not engine parameters",
        ),
    ],
)
def test_bad_options_are_clear_errors(
    tiny: Scenario, tmp_path: Path, options: dict, message: str
) -> None:
    with pytest.raises(MoondustError, match=message):
        run_sweep(tiny, out=tmp_path / "x", **options)


@pytest.mark.parametrize(
    ("computed", "failed", "ran"), [(0, {}, False), (2, {}, True), (0, {3: "boom"}, True)]
)
def test_sweep_report_ran_when_it_computed_or_tried(
    tmp_path: Path, computed: int, failed: dict[int, str], ran: bool
) -> None:
    from moondust.experiments.sweep import SweepReport

    report = SweepReport(
        tmp_path, "tiny", 0, "mc", 4, "inline", 8, [{}], 8, 2, computed, 2 - computed, 0, failed
    )
    assert report.ran is ran
