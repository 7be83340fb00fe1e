"""Outcomes-only sweeps (``--store outcomes``): small, same outcomes, resumable, clear errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import moondust
from moondust.cli import main
from moondust.errors import MoondustError
from moondust.experiments import open_sweep, read_runs_table, run_sweep
from moondust.experiments.chunks import CHUNKS_DIR
from moondust.experiments.store import available_columns
from moondust.world.scenario import Scenario

from .conftest import RUNS


def file_bytes(path: Path) -> int:
    """Bytes in the files under ``path`` (what a sweep costs, without directory entries)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def outcomes_sweep(tiny: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference sweep's runs, outcomes only."""
    out = tmp_path_factory.mktemp("outcomes") / "sweep"
    report = run_sweep(
        tiny,
        runs=RUNS,
        out=out,
        sampling="lhs",
        executor="inline",
        chunk_size=7,
        store="outcomes",
    )
    assert report.complete and report.store == "outcomes"
    return out


def test_baseline_outcomes_only_sweep_is_at_most_1_kb_per_run(tmp_path: Path) -> None:
    # Chance only: under full uncertainty each run also stores its ~90 sampled parameters
    # (about 3.3 KB a run), which the counter-based streams could regenerate instead (issue 23).
    runs = 250
    scenario = moondust.load_scenario("baseline").with_uncertainty("none")
    out = tmp_path / "small"
    report = run_sweep(scenario, runs=runs, out=out, seed=3, executor="inline", store="outcomes")
    assert report.complete and report.chunk_size == 100  # the automatic size: 3 chunks
    assert file_bytes(out) / runs <= 1024, file_bytes(out) / runs
    print("bytes per run", file_bytes(out) / runs)
    table = read_runs_table(out)
    assert len(table) == runs
    assert table["first_bloc_he3_delivered"].isin(["artemis", "ilrs", "tie", "none"]).all()


def test_outcomes_only_reads_the_same_outcomes_as_a_full_sweep(
    outcomes_sweep: Path, reference_sweep: Path
) -> None:
    full, small = read_runs_table(reference_sweep), read_runs_table(outcomes_sweep)
    pd.testing.assert_frame_equal(small, full)
    # computed from the stored milestone years, per actor as well as per bloc
    names = ["year_USA_crewed_landing", "first_actor_he3_delivered", "first_year_orbiter"]
    known = available_columns(outcomes_sweep)
    assert all(name in known for name in names)
    pd.testing.assert_frame_equal(
        read_runs_table(outcomes_sweep, names), read_runs_table(reference_sweep, names)
    )
    lazy = open_sweep(outcomes_sweep)
    assert lazy.attrs["sweep_store"] == "outcomes"
    assert set(lazy.data_vars) >= {"milestone_year"} and "civil_usd_bn" not in lazy


def test_what_needs_trajectories_is_a_one_line_error(outcomes_sweep: Path, capsys) -> None:
    with pytest.raises(MoondustError, match="outcomes-only sweep"):
        moondust.open_results(outcomes_sweep)
    with pytest.raises(MoondustError, match=r"outcomes-only sweep.*cum_military_usd_bn_USA"):
        read_runs_table(outcomes_sweep, ["cum_military_usd_bn_USA"])
    with pytest.raises(MoondustError, match="unknown outcome 'no_such_thing'"):
        read_runs_table(outcomes_sweep, ["no_such_thing"])
    code = main(["discover", str(outcomes_sweep), "--outcome", "cum_military_usd_bn_USA > 100"])
    err = capsys.readouterr().err
    assert code == 2 and "outcomes-only sweep" in err and err.count("\n") == 1


def test_outcomes_command_lists_an_outcomes_only_sweeps_names(
    outcomes_sweep: Path, reference_sweep: Path, capsys
) -> None:
    assert main(["outcomes", str(outcomes_sweep), "--format", "json"]) == 0
    small = json.loads(capsys.readouterr().out)
    assert main(["outcomes", str(reference_sweep), "--format", "json"]) == 0
    full = json.loads(capsys.readouterr().out)
    assert small["inputs"] == full["inputs"]
    names = {o["name"] for o in small["outcomes"]}
    kinds = {o["name"]: o["kind"] for o in full["outcomes"]}
    stored = set(read_runs_table(reference_sweep).columns) - {"sample", "lever_point"}
    assert stored - {c for c in stored if c.startswith(("input_", "lever_"))} <= names
    assert all(kinds[o["name"]] == o["kind"] for o in small["outcomes"])


def test_an_outcomes_only_sweep_resumes_and_keeps_its_mode(
    outcomes_sweep: Path, tiny: Scenario, tmp_path: Path
) -> None:
    out = tmp_path / "copy"
    shutil.copytree(outcomes_sweep, out, ignore=shutil.ignore_patterns(".lock"))
    shutil.rmtree(out / CHUNKS_DIR / "c000001")
    with pytest.raises(MoondustError, match="--store outcomes"):
        run_sweep(tiny, runs=RUNS, out=out, sampling="lhs", store="full")
    report = run_sweep(tiny, runs=RUNS, out=out, sampling="lhs")  # the directory's mode
    assert report.complete and report.store == "outcomes"
    assert report.recomputed == 1 and report.computed == 1
    pd.testing.assert_frame_equal(read_runs_table(out), read_runs_table(outcomes_sweep))
    assert "civil_usd_bn" not in open_sweep(out)
