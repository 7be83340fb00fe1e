"""Integrity of stored results: checksums verified on open, repair, refusal, concurrent runs.

Three tables drive most of this file:

- :data:`SWEEP_CORRUPTIONS`: damage done to a finished sweep; each must be refused by
  :func:`open_results` (no silently wrong dataset) and a resume must end bit-identical to the
  undamaged sweep;
- :data:`RUN_CORRUPTIONS`: damage done to a ``moondust run`` directory; each must be refused;
- :data:`FOREIGN`: directories that are not moondust results or are damaged beyond repair (refused
  with one clear :class:`MoondustError`) or damaged in a way the journal repairs (opened right).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import moondust
from moondust.cli import main
from moondust.errors import MoondustError
from moondust.experiments import (
    open_results,
    read_runs_table,
    repair_sweep,
    run_sweep,
    trusting,
)
from moondust.experiments.chunks import CHUNKS_DIR
from moondust.experiments.store import SweepDirectory
from moondust.storage import acquire_lock, release_lock, writing_run
from moondust.world.scenario import Scenario

from .conftest import RUNS

ROOT = Path(__file__).resolve().parents[2]


# --- helpers ---------------------------------------------------------------------------------


def sweep_dataset(path: Path) -> xr.Dataset:
    return open_results(path).dataset.load().drop_attrs()


def assert_same_sweep(a: Path, b: Path) -> None:
    xr.testing.assert_identical(sweep_dataset(a), sweep_dataset(b))
    pd.testing.assert_frame_equal(read_runs_table(a), read_runs_table(b))


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".lock"))
    return target


def flip_bit(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def edit_json(path: Path, change: Callable[[dict], object]) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def chunk(out: Path, number: int) -> Path:
    return out / CHUNKS_DIR / f"c{number:06d}"


def block(store: Path, variable: str) -> Path:
    return next(p for p in sorted((store / variable).iterdir()) if not p.name.startswith("."))


@pytest.fixture(scope="module")
def run_scenario(tiny: Scenario) -> Scenario:
    return tiny.with_changes(levers={})


@pytest.fixture(scope="module")
def saved_run(run_scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``moondust run`` directory of the tiny scenario (3 runs)."""
    out = tmp_path_factory.mktemp("run") / "run"
    moondust.simulate(run_scenario, runs=3, seed=2).save(out)
    return out


@pytest.fixture(scope="module")
def other_run(run_scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Another run of the same scenario and size, another seed."""
    out = tmp_path_factory.mktemp("other") / "run"
    moondust.simulate(run_scenario, runs=3, seed=3).save(out)
    return out


# --- sweeps: corruption table -----------------------------------------------------------------


def _swap(out: Path) -> None:
    first, third = chunk(out, 0), chunk(out, 2)  # both 7 runs: lever points 0 and 1
    first.rename(out / "swap")
    third.rename(first)
    (out / "swap").rename(third)


def _journal_wrong_checksum(out: Path) -> None:
    journal = out / "chunks.jsonl"
    lines = []
    for line in journal.read_text().splitlines():
        record = json.loads(line)
        if record.get("chunk") == 1 and record.get("status") == "done":
            record["sha256"] = "0" * 64
        lines.append(json.dumps(record))
    journal.write_text("\n".join(lines) + "\n")
    edit_json(out / "manifest.json", lambda m: m["chunks"]["1"].update(sha256="0" * 64))


def _edit_runs_table(out: Path) -> None:
    path = chunk(out, 1) / "runs.parquet"
    table = pd.read_parquet(path)
    table.loc[0, "cum_military_usd_bn"] += 1.0
    table.to_parquet(path, index=False)


def _edit_attribute(out: Path) -> None:
    def change(document: dict) -> None:
        document["metadata"][".zattrs"]["scenario"] = "forged"

    edit_json(chunk(out, 0) / "data.zarr" / ".zmetadata", change)


SWEEP_CORRUPTIONS: dict[str, tuple[Callable[[Path], None], str]] = {
    "flipped bit in an array block": (
        lambda out: flip_bit(block(chunk(out, 0) / "data.zarr", "milestone_year")),
        "c000000",
    ),
    "truncated array block": (
        lambda out: truncate(block(chunk(out, 2) / "data.zarr", "civil_usd_bn")),
        "c000002",
    ),
    "deleted array block (reads back as fill values)": (
        lambda out: block(chunk(out, 0) / "data.zarr", "milestone_year").unlink(),
        "c000000",
    ),
    "swapped chunk folders": (_swap, "c000000"),
    "block copied from another chunk": (
        lambda out: shutil.copyfile(
            block(chunk(out, 2) / "data.zarr", "milestone_year"),
            block(chunk(out, 0) / "data.zarr", "milestone_year"),
        ),
        "c000000",
    ),
    "data.zarr copied from another chunk of the same size": (
        lambda out: (
            shutil.rmtree(chunk(out, 1) / "data.zarr"),
            shutil.copytree(chunk(out, 3) / "data.zarr", chunk(out, 1) / "data.zarr"),
        ),
        "c000001",
    ),
    "edited runs.parquet": (_edit_runs_table, "c000001"),
    "deleted runs.parquet": (lambda out: (chunk(out, 3) / "runs.parquet").unlink(), "c000003"),
    "deleted chunk folder": (lambda out: shutil.rmtree(chunk(out, 3)), "c000003"),
    "edited dataset attribute": (_edit_attribute, "c000000"),
    "extra file in a chunk": (
        lambda out: (chunk(out, 1) / "data.zarr" / "stray").write_text("x"),
        "c000001",
    ),
    "edited manifest field (seed)": (
        lambda out: edit_json(out / "manifest.json", lambda m: m.update(seed=12)),
        "manifest.json: differs from the copy recorded in chunks.jsonl \\(in seed\\)",
    ),
    "edited manifest field (lever values)": (
        lambda out: edit_json(
            out / "manifest.json",
            lambda m: m["lever_points"][1].update(lever_ilrs_openness=0.5),
        ),
        "in lever_points",
    ),
    "journal line with a wrong checksum": (_journal_wrong_checksum, "c000001"),
}


@pytest.mark.parametrize("case", list(SWEEP_CORRUPTIONS))
def test_a_damaged_sweep_is_refused_on_open_and_a_resume_repairs_it(
    case: str, reference_sweep: Path, tiny: Scenario, tmp_path: Path
) -> None:
    out = copy_tree(reference_sweep, tmp_path / "sweep")
    damage, named = SWEEP_CORRUPTIONS[case]
    damage(out)
    with pytest.raises(MoondustError, match=named):
        open_results(out)
    with pytest.raises(MoondustError, match=named):
        read_runs_table(out)
    if named.startswith("c0"):  # the message says how to recompute it
        with pytest.raises(MoondustError, match=f"to recompute chunk {int(named[1:])}"):
            open_results(out)
    report = run_sweep(tiny, runs=RUNS, out=out, sampling="lhs")
    assert report.complete
    assert report.recomputed <= 2 and report.computed == report.recomputed
    assert not list((out / CHUNKS_DIR).glob(".*"))
    assert_same_sweep(out, reference_sweep)


def test_trust_skips_the_checksums(reference_sweep: Path, tmp_path: Path) -> None:
    out = copy_tree(reference_sweep, tmp_path / "sweep")
    flip_bit(block(chunk(out, 0) / "data.zarr", "military_usd_bn"))
    with pytest.raises(MoondustError, match="c000000"):
        open_results(out)
    assert open_results(out, trust=True).runs == 2 * RUNS
    with trusting():
        assert open_results(out).runs == 2 * RUNS
        with pytest.raises(MoondustError, match="c000000"):
            open_results(out, trust=False)  # an explicit argument wins


# --- sweeps: the manifest rebuilt from the journal ---------------------------------------------


@pytest.mark.parametrize(
    "damage",
    [
        lambda m: m.unlink(),
        lambda m: m.write_text(m.read_text()[:100]),
        lambda m: m.write_text("[]"),
        lambda m: m.write_text('{"format": "moondust-sweep"}'),
    ],
    ids=["deleted", "truncated", "a JSON list", "lacks keys"],
)
def test_a_lost_manifest_is_rebuilt_from_the_journal(
    damage: Callable[[Path], None], reference_sweep: Path, tiny: Scenario, tmp_path: Path
) -> None:
    out = copy_tree(reference_sweep, tmp_path / "sweep")
    original = json.loads((out / "manifest.json").read_text())
    damage(out / "manifest.json")
    assert_same_sweep(out, reference_sweep)  # opening works read-only
    report = run_sweep(tiny, runs=RUNS, out=out, sampling="lhs")  # resuming rewrites it
    assert report.complete and report.manifest_repaired
    assert (report.computed, report.skipped) == (0, 4)
    rebuilt = json.loads((out / "manifest.json").read_text())
    for key in ("updated", "counts"):
        original.pop(key), rebuilt.pop(key)
    for record in [*original.pop("chunks").values(), *rebuilt.pop("chunks").values()]:
        record.pop("time")
    assert rebuilt == original


def test_repair_sweep_rewrites_the_manifest_and_marks_bad_chunks(
    reference_sweep: Path, tiny: Scenario, tmp_path: Path
) -> None:
    out = copy_tree(reference_sweep, tmp_path / "sweep")
    edit_json(out / "manifest.json", lambda m: m.update(seed=12))
    flip_bit(block(chunk(out, 2) / "data.zarr", "civil_usd_bn"))
    done = repair_sweep(out)
    assert done["manifest_repaired"] and done["done"] == 3 and list(done["invalid"]) == [2]
    assert json.loads((out / "manifest.json").read_text())["seed"] == 11
    with pytest.raises(MoondustError, match="incomplete"):
        open_results(out)  # chunk 2 is no longer counted as done
    report = run_sweep(tiny, runs=RUNS, out=out, sampling="lhs")
    assert (report.computed, report.skipped) == (1, 3)
    assert_same_sweep(out, reference_sweep)


def test_a_sweep_from_before_the_journal_copy_gets_one_on_resume(
    reference_sweep: Path, tiny: Scenario, tmp_path: Path
) -> None:
    out = copy_tree(reference_sweep, tmp_path / "sweep")
    journal = out / "chunks.jsonl"
    old = [line for line in journal.read_text().splitlines() if '"event"' not in line]
    journal.write_text("\n".join(old) + "\n")
    assert_same_sweep(out, reference_sweep)  # still opens, chunks verified
    moved = out / "manifest.json.bak"
    (out / "manifest.json").rename(moved)
    with pytest.raises(MoondustError, match="holds no copy of the manifest"):
        open_results(out)
    with pytest.raises(MoondustError, match="holds no copy of the manifest"):
        run_sweep(tiny, runs=RUNS, out=out, sampling="lhs")
    moved.rename(out / "manifest.json")
    run_sweep(tiny, runs=RUNS, out=out, sampling="lhs")  # records the copy
    assert SweepDirectory(out).journal_manifest() is not None
    (out / "manifest.json").unlink()
    assert_same_sweep(out, reference_sweep)


# --- runs: corruption table --------------------------------------------------------------------


def _edit_summary(run: Path, _: Path) -> None:
    table = pd.read_parquet(run / "summary.parquet")
    table.loc[0, "value"] = 0.123
    table.to_parquet(run / "summary.parquet", index=False)


def _swap_store(run: Path, other: Path) -> None:
    shutil.rmtree(run / "results.zarr")
    shutil.copytree(other / "results.zarr", run / "results.zarr")


RUN_CORRUPTIONS: dict[str, tuple[Callable[[Path, Path], object], str]] = {
    "flipped bit in an array block": (
        lambda run, _: flip_bit(block(run / "results.zarr", "milestone_year")),
        "results.zarr: checksum mismatch",
    ),
    "truncated array block": (
        lambda run, _: truncate(block(run / "results.zarr", "civil_usd_bn")),
        "results.zarr: checksum mismatch",
    ),
    "deleted array block (reads back as fill values)": (
        lambda run, _: block(run / "results.zarr", "milestone_year").unlink(),
        "results.zarr: checksum mismatch",
    ),
    "block copied from another variable": (
        lambda run, _: shutil.copyfile(
            block(run / "results.zarr", "civil_usd_bn"),
            block(run / "results.zarr", "military_usd_bn"),
        ),
        "results.zarr: checksum mismatch",
    ),
    "block copied from another run's output": (
        lambda run, other: shutil.copyfile(
            block(other / "results.zarr", "milestone_year"),
            block(run / "results.zarr", "milestone_year"),
        ),
        "results.zarr: checksum mismatch",
    ),
    "results.zarr of another run": (_swap_store, "results.zarr: checksum mismatch"),
    "deleted variable": (
        lambda run, _: shutil.rmtree(run / "results.zarr" / "debris"),
        "results.zarr: checksum mismatch",
    ),
    "edited dataset attribute": (
        lambda run, _: edit_json(
            run / "results.zarr" / ".zmetadata",
            lambda d: d["metadata"][".zattrs"].update(seed=99),
        ),
        "results.zarr: checksum mismatch",
    ),
    "extra file in results.zarr": (
        lambda run, _: (run / "results.zarr" / "stray").write_text("x"),
        "results.zarr: checksum mismatch",
    ),
    "deleted summary.parquet": (
        lambda run, _: (run / "summary.parquet").unlink(),
        "summary.parquet: missing",
    ),
    "edited summary.parquet": (_edit_summary, "summary.parquet: checksum mismatch"),
    "edited checksum": (
        lambda run, _: edit_json(
            run / "checksums.json",
            lambda d: d["files"]["results.zarr"].update(sha256="0" * 64),
        ),
        "results.zarr: checksum mismatch",
    ),
    "truncated checksums.json": (
        lambda run, _: truncate(run / "checksums.json"),
        "checksums.json: unreadable",
    ),
    "interrupted write (checksums marked writing)": (
        lambda run, _: edit_json(run / "checksums.json", lambda d: d.update(state="writing")),
        "interrupted",
    ),
}


@pytest.mark.parametrize("case", list(RUN_CORRUPTIONS))
def test_a_damaged_run_directory_is_refused_on_open(
    case: str, saved_run: Path, other_run: Path, tmp_path: Path
) -> None:
    run = copy_tree(saved_run, tmp_path / "run")
    damage, named = RUN_CORRUPTIONS[case]
    damage(run, other_run)
    with pytest.raises(MoondustError, match=named):
        open_results(run)
    with pytest.raises(MoondustError, match=named):
        moondust.Results.open(run)


# --- foreign and damaged directories ------------------------------------------------------------

REFUSED = "refused"
OPENS = "opens"


def _foreign_zarr(path: Path) -> Path:
    xr.Dataset({"a": ("x", np.arange(3))}, attrs={"title": "not moondust"}).to_zarr(
        path, zarr_format=2, consolidated=True
    )
    return path


def _sweep_copy(reference: Path, target: Path) -> Path:
    return copy_tree(reference, target)


def _run_copy(run: Path, target: Path) -> Path:
    return copy_tree(run, target)


def _manifest(sweep: Path, text: str) -> Path:
    (sweep / "chunks.jsonl").unlink()  # no journal copy to repair from
    (sweep / "manifest.json").write_text(text)
    return sweep


def _stripped_run(run: Path, target: Path) -> Path:
    ds = xr.open_zarr(run / "results.zarr").load().drop_vars("milestone_year")
    ds.to_zarr(target / "results.zarr", zarr_format=2, consolidated=True)
    return target


def _no_chunks(sweep: Path) -> Path:
    shutil.rmtree(sweep / CHUNKS_DIR)
    return sweep


def _foreign_chunk(sweep: Path) -> Path:
    shutil.rmtree(chunk(sweep, 0) / "data.zarr")
    _foreign_zarr(chunk(sweep, 0) / "data.zarr")
    return sweep


def _empty_journal(sweep: Path) -> Path:
    (sweep / "chunks.jsonl").write_bytes(os.urandom(200).replace(b"\n", b"x"))
    edit_json(sweep / "manifest.json", lambda m: m.update(chunks={}))
    return sweep


def _legacy_run(run: Path) -> Path:
    (run / "checksums.json").unlink()
    return run


def _legacy_sweep_without_manifest(sweep: Path) -> Path:
    journal = sweep / "chunks.jsonl"
    kept = [line for line in journal.read_text().splitlines() if '"event"' not in line]
    journal.write_text("\n".join(kept) + "\n")
    (sweep / "manifest.json").unlink()
    return sweep


def _empty(path: Path) -> Path:
    path.mkdir()
    return path


def _dir_with(path: Path, name: str, dir_: bool = False) -> Path:
    path.mkdir()
    if dir_:
        (path / name).mkdir()
    else:
        (path / name).write_text("hello")
    return path


FOREIGN: dict[str, tuple[Callable[[Path, Path, Path], Path], str, str]] = {
    # name: (build(tmp, reference sweep, saved run) -> path to open, expected, message)
    "missing path": (lambda t, s, r: t / "nowhere", REFUSED, "no such path"),
    "a file": (lambda t, s, r: _dir_with(t / "d", "f") / "f", REFUSED, "not a folder"),
    "empty directory": (lambda t, s, r: _empty(t / "d"), REFUSED, "neither"),
    "unrelated files": (lambda t, s, r: _dir_with(t / "d", "notes.txt"), REFUSED, "neither"),
    "manifest is a JSON list": (
        lambda t, s, r: _manifest(_sweep_copy(s, t / "d"), "[1, 2]"),
        REFUSED,
        "manifest.json: expected a JSON object",
    ),
    "manifest lacks keys": (
        lambda t, s, r: _manifest(_sweep_copy(s, t / "d"), '{"format": "moondust-sweep"}'),
        REFUSED,
        "lacks format_version, moondust_version",
    ),
    "manifest of another format": (
        lambda t, s, r: _manifest(_sweep_copy(s, t / "d"), '{"format": "other"}'),
        REFUSED,
        "not a moondust sweep manifest",
    ),
    "manifest of a newer format version": (
        lambda t, s, r: _edit(_sweep_copy(s, t / "d"), lambda m: m.update(format_version=99)),
        REFUSED,
        "newer moondust",
    ),
    "manifest is not JSON": (
        lambda t, s, r: _manifest(_sweep_copy(s, t / "d"), "\x00\x01garbage"),
        REFUSED,
        "manifest.json: not valid JSON",
    ),
    "manifest is a directory": (
        lambda t, s, r: _dir_with(t / "d", "manifest.json", dir_=True),
        REFUSED,
        "unreadable manifest",
    ),
    "manifest field of the wrong type": (
        lambda t, s, r: _edit(_sweep_copy(s, t / "d"), lambda m: m.update(runs_per_point="8")),
        REFUSED,
        "runs_per_point should be a JSON int",
    ),
    "manifest counts that do not add up": (
        lambda t, s, r: _edit(_sweep_copy(s, t / "d"), lambda m: m.update(n_chunks=9)),
        REFUSED,
        "n_chunks or total_runs",
    ),
    "a journal alone, foreign": (
        lambda t, s, r: _dir_with(t / "d", "chunks.jsonl"),
        REFUSED,
        "not a sweep directory",
    ),
    "sweep whose .lock is a directory": (
        lambda t, s, r: _lock_dir(_sweep_copy(s, t / "d")),
        REFUSED,
        ".lock: is not a file",
    ),
    "sweep without its chunks": (
        lambda t, s, r: _no_chunks(_sweep_copy(s, t / "d")),
        REFUSED,
        "chunk files missing",
    ),
    "sweep whose journal is garbage": (
        lambda t, s, r: _empty_journal(_sweep_copy(s, t / "d")),
        REFUSED,
        "incomplete",
    ),
    "sweep with a foreign chunk (trusted)": (
        lambda t, s, r: _foreign_chunk(_sweep_copy(s, t / "d")),
        REFUSED,
        "not a moondust dataset",
    ),
    "old sweep, manifest lost, journal without a copy": (
        lambda t, s, r: _legacy_sweep_without_manifest(_sweep_copy(s, t / "d")),
        REFUSED,
        "holds no copy of the manifest",
    ),
    "another Zarr store as results.zarr": (
        lambda t, s, r: _foreign_zarr(t / "results.zarr").parent,
        REFUSED,
        "not a moondust dataset",
    ),
    "another Zarr store, opened directly": (
        lambda t, s, r: _foreign_zarr(t / "other.zarr"),
        REFUSED,
        "not a moondust dataset",
    ),
    "results.zarr is a file": (
        lambda t, s, r: _dir_with(t / "d", "results.zarr"),
        REFUSED,
        "results.zarr: not a directory",
    ),
    "results.zarr is an empty directory": (
        lambda t, s, r: _dir_with(t / "d", "results.zarr", dir_=True),
        REFUSED,
        "unreadable as a moondust dataset",
    ),
    "moondust-like store without milestone_year": (
        lambda t, s, r: _stripped_run(r, t / "d"),
        REFUSED,
        "lacks variable milestone_year",
    ),
    "checksums.json is a JSON list": (
        lambda t, s, r: _checksums(_run_copy(r, t / "d"), "[]"),
        REFUSED,
        "not a moondust checksum manifest",
    ),
    "checksums.json of another format": (
        lambda t, s, r: _checksums(_run_copy(r, t / "d"), '{"format": "x"}'),
        REFUSED,
        "not a moondust checksum manifest",
    ),
    "checksums.json without files": (
        lambda t, s, r: _checksums(
            _run_copy(r, t / "d"),
            '{"format": "moondust-run", "format_version": 1, "state": "complete"}',
        ),
        REFUSED,
        "files should map",
    ),
    "checksums.json naming a path outside": (
        lambda t, s, r: _checksums(
            _run_copy(r, t / "d"),
            '{"format": "moondust-run", "format_version": 1, "state": "complete", "files": '
            '{"results.zarr": {"sha256": "x"}, "../etc": {"sha256": "y"}}}',
        ),
        REFUSED,
        "files should map",
    ),
    "run dir with only a summary": (
        lambda t, s, r: _only_summary(_run_copy(r, t / "d")),
        REFUSED,
        "neither a run directory",
    ),
    "run dir whose .lock is a directory": (
        lambda t, s, r: _lock_dir(_run_copy(r, t / "d")),
        REFUSED,
        ".lock: is not a file",
    ),
    # damaged, but what is there is enough to open it right
    "sweep, manifest deleted": (
        lambda t, s, r: _unlink(_sweep_copy(s, t / "d"), "manifest.json"),
        OPENS,
        "",
    ),
    "sweep, manifest truncated": (
        lambda t, s, r: _truncated(_sweep_copy(s, t / "d"), "manifest.json"),
        OPENS,
        "",
    ),
    "sweep with a stale .lock": (lambda t, s, r: _stale_lock(_sweep_copy(s, t / "d")), OPENS, ""),
    "run dir from before checksums": (
        lambda t, s, r: _legacy_run(_run_copy(r, t / "d")),
        OPENS,
        "",
    ),
    "run's results.zarr opened directly": (
        lambda t, s, r: _run_copy(r, t / "d") / "results.zarr",
        OPENS,
        "",
    ),
}


def _edit(sweep: Path, change: Callable[[dict], object]) -> Path:
    (sweep / "chunks.jsonl").unlink()  # no journal copy to repair from
    edit_json(sweep / "manifest.json", change)
    return sweep


def _lock_dir(path: Path) -> Path:
    (path / ".lock").mkdir()
    return path


def _checksums(run: Path, text: str) -> Path:
    (run / "checksums.json").write_text(text)
    return run


def _only_summary(run: Path) -> Path:
    shutil.rmtree(run / "results.zarr")
    return run


def _unlink(path: Path, name: str) -> Path:
    (path / name).unlink()
    return path


def _truncated(path: Path, name: str) -> Path:
    truncate(path / name)
    return path


def _stale_lock(path: Path) -> Path:
    (path / ".lock").write_text("999999\n")
    return path


@pytest.mark.parametrize("case", list(FOREIGN))
def test_foreign_or_damaged_directories_are_refused_clearly_or_opened_right(
    case: str, reference_sweep: Path, saved_run: Path, tmp_path: Path
) -> None:
    build, expected, message = FOREIGN[case]
    path = build(tmp_path, reference_sweep, saved_run)
    trust = "(trusted)" in case
    if expected == REFUSED:
        with pytest.raises(MoondustError, match=message.replace("(", "\\(")):
            open_results(path, trust=trust)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the run from before checksums
        opened = open_results(path).dataset.load().drop_attrs()
    source = reference_sweep if (path / "chunks.jsonl").exists() else saved_run
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        xr.testing.assert_identical(opened, open_results(source).dataset.load().drop_attrs())


def test_the_tables_are_big_enough() -> None:
    assert len(SWEEP_CORRUPTIONS) >= 10 and len(RUN_CORRUPTIONS) >= 10
    assert len(FOREIGN) >= 24


def test_a_run_from_before_checksums_opens_with_a_warning(saved_run: Path, tmp_path: Path) -> None:
    run = _legacy_run(copy_tree(saved_run, tmp_path / "run"))
    with pytest.warns(UserWarning, match="opened unverified"):
        open_results(run)


@pytest.mark.parametrize(
    "build",
    [
        lambda t, s, r: _manifest(_sweep_copy(s, t / "d"), "[1, 2]"),
        lambda t, s, r: _foreign_zarr(t / "results.zarr").parent,
        lambda t, s, r: _lock_dir(_run_copy(r, t / "d")),
        lambda t, s, r: (
            flip_bit(block(chunk(_sweep_copy(s, t / "d"), 1) / "data.zarr", "debris")),
            t / "d",
        )[1],
    ],
    ids=["manifest list", "foreign zarr", "lock dir", "flipped bit"],
)
def test_the_command_line_refuses_them_in_one_line_with_exit_code_2(
    build: Callable[[Path, Path, Path], Path],
    reference_sweep: Path,
    saved_run: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = build(tmp_path, reference_sweep, saved_run)
    assert main(["outcomes", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("moondust: error: ") and err.count("\n") == 1 and str(path) in err


def test_the_command_line_trust_flag_reads_a_damaged_sweep(
    reference_sweep: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = copy_tree(reference_sweep, tmp_path / "sweep")
    flip_bit(block(chunk(out, 1) / "data.zarr", "debris"))
    capsys.readouterr()
    assert main(["outcomes", str(out), "--trust"]) == 0


# --- summaries of opened results ----------------------------------------------------------------


def assert_same_summary(a: moondust.Results, b: moondust.Results) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        first, second = a.summary(), b.summary()
    for table in ("milestones", "blocs", "spending", "outcomes"):
        pd.testing.assert_frame_equal(getattr(first, table), getattr(second, table))
    assert (first.runs, first.start, first.end) == (second.runs, second.start, second.end)


def test_the_summary_of_an_opened_run_equals_the_simulated_one(
    run_scenario: Scenario, saved_run: Path
) -> None:
    opened = open_results(saved_run)
    assert opened.dataset["milestone_year"].chunks is not None  # still lazy
    assert_same_summary(opened, moondust.simulate(run_scenario, runs=3, seed=2))


def test_the_summary_of_an_opened_sweep_equals_the_simulated_one(
    tiny: Scenario, tmp_path: Path
) -> None:
    run_sweep(tiny.with_changes(levers={}), runs=5, out=tmp_path / "s", chunk_size=2, seed=4)
    simulated = moondust.simulate(tiny.with_changes(levers={}), runs=5, seed=4)
    assert_same_summary(open_results(tmp_path / "s"), simulated)


# --- writing a run directory ---------------------------------------------------------------------


def test_a_save_replaces_a_result_and_cleans_what_a_killed_one_left(
    run_scenario: Scenario, saved_run: Path, tmp_path: Path
) -> None:
    run = copy_tree(saved_run, tmp_path / "run")
    (run / "results.zarr.tmp").mkdir()  # the fixed name older versions used
    (run / "results.zarr.tmp-123-deadbeef" / "civil_usd_bn").mkdir(parents=True)
    (run / "summary.parquet.tmp-123-deadbeef").write_text("half")
    (run / "results.zarr.old-123-deadbeef").mkdir()
    again = moondust.simulate(run_scenario, runs=4, seed=5)
    again.save(run)
    names = sorted(p.name for p in run.iterdir())
    assert names == [".lock", "checksums.json", "results.zarr", "summary.parquet"]
    xr.testing.assert_identical(open_results(run).dataset.load(), again.dataset)


def test_a_save_into_a_directory_being_written_is_refused(saved_run: Path, tmp_path: Path) -> None:
    run = copy_tree(saved_run, tmp_path / "run")
    handle = acquire_lock(run, "busy")  # as another process would (a separate flock)
    (run / ".lock").write_text("4242\n")
    try:
        assert open_results(run).runs == 3  # the previous result stays readable meanwhile
        edit_json(run / "checksums.json", lambda d: d.update(state="writing"))  # files swapped
        with pytest.raises(
            MoondustError, match=r"being written by another moondust process \(pid 4242\)"
        ):
            open_results(run)
        edit_json(run / "checksums.json", lambda d: d.update(state="complete"))
        results = moondust.Results(xr.open_zarr(run / "results.zarr").load())
        with pytest.raises(MoondustError, match=r"another moondust process \(pid 4242\)"):
            results.save(run)
    finally:
        release_lock(handle)
    with writing_run(run):  # re-entrant for the process holding it
        assert open_results(run).runs == 3


def test_two_concurrent_runs_into_one_directory(tiny_toml: Path, tmp_path: Path) -> None:
    out = tmp_path / "shared"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "moondust", "run", str(tiny_toml), "-n", "3", "-o", str(out)]
    logs = [tmp_path / f"stderr-{seed}.txt" for seed in (1, 2)]
    handles = [log.open("w") for log in logs]
    processes = [
        subprocess.Popen(
            [*command, "--seed", str(seed)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=handle,
        )
        for seed, handle in zip((1, 2), handles, strict=True)
    ]
    for handle in handles:
        handle.close()
    seen: dict[str, int] = {}
    while any(p.poll() is None for p in processes):  # a reader meanwhile: refused or right
        try:
            opened = open_results(out)
        except MoondustError as exc:
            reason = "being written" if "being written" in str(exc) else "no result yet"
            assert reason == "being written" or "neither" in str(exc), exc
        else:
            reason = "opened"
            assert opened.runs == 3
        seen[reason] = seen.get(reason, 0) + 1
        time.sleep(0.05)
    assert seen
    outcomes = [
        (p.wait(timeout=300), log.read_text()) for p, log in zip(processes, logs, strict=True)
    ]
    for code, err in outcomes:
        assert code == 0 or (
            code == 2
            and "is being written by another moondust process (pid" in err
            and err.count("\n") == 1
        ), err
    assert any(code == 0 for code, _ in outcomes)
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        ".lock",
        "checksums.json",
        "figures",
        "report.html",
        "results.zarr",
        "summary.parquet",
    ]
    opened = open_results(out)  # verified: one complete result
    seed = opened.dataset.attrs["seed"]
    assert outcomes[seed - 1][0] == 0  # the winner is a run that succeeded
    assert opened.dataset.sizes["run"] == 3 and len(opened.dataset.data_vars) > 20
    assert time.time() - (out / "report.html").stat().st_mtime < 600


def test_the_sweep_command_says_it_rewrote_the_manifest(
    reference_sweep: Path, tiny_toml: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = copy_tree(reference_sweep, tmp_path / "sweep")
    (out / "manifest.json").unlink()
    args = ["sweep", str(tiny_toml), "-o", str(out), "-n", str(RUNS), "--sampling", "lhs"]
    assert main(args) == 0
    stdout = capsys.readouterr().out
    assert "rewritten from the journal" in stdout and "0 computed, 4 already done" in stdout
    flip_bit(block(chunk(out, 3) / "data.zarr", "milestone_year"))
    assert main([*args, "--trust"]) == 0  # trusted: the damage goes unnoticed
    assert "0 computed, 4 already done" in capsys.readouterr().out
    assert main([*args, "--no-verify"]) == 0  # the deprecated spelling still works
    assert main(args) == 0  # verified: chunk 3 is recomputed
    assert "1 corrupt or missing (recomputed)" in capsys.readouterr().out
    assert_same_sweep(out, reference_sweep)


def test_a_run_is_not_written_into_a_sweep_directory(
    reference_sweep: Path, run_scenario: Scenario, tmp_path: Path
) -> None:
    out = copy_tree(reference_sweep, tmp_path / "sweep")
    with pytest.raises(MoondustError, match="holds a sweep"):
        moondust.simulate(run_scenario, runs=1, seed=1).save(out)
    assert not (out / "results.zarr").exists()
    assert_same_sweep(out, reference_sweep)
