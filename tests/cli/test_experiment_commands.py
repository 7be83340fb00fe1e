"""`moondust sweep`, `sensitivity`, `discover` and `outcomes` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import moondust
from moondust.cli import main
from moondust.results import Results


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def swept(tiny_toml: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli-sweep") / "sweep"
    code = main(
        ["sweep", str(tiny_toml), "-n", "60", "-o", str(out), "--sampling", "lhs", "-c", "60"]
    )
    assert code == 0
    return out


def test_sweep_prints_what_it_did_and_who_wins(
    tiny_toml: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s"
    code, stdout, err = run(capsys, "sweep", str(tiny_toml), "-n", "6", "-o", str(out), "-c", "4")
    assert code == 0, err
    assert "sweep tiny: 6 runs × 2 lever points = 12 runs in 4 chunks of ≤4 (mc, seed 11)" in stdout
    assert "4 computed, 0 already done, 0 failed" in stdout
    assert "First to deliver He-3" in stdout and "ilrs_openness" in stdout
    assert Results.open is not None and moondust.open_results(out).runs == 12
    # the same command again resumes: nothing to compute
    code, stdout, _ = run(capsys, "sweep", str(tiny_toml), "-n", "6", "-o", str(out))
    assert code == 0 and "0 computed, 4 already done" in stdout
    # JSON: one object
    code, stdout, _ = run(capsys, "sweep", str(tiny_toml), "-n", "6", "-o", str(out), "-f", "json")
    report = json.loads(stdout)
    assert report["complete"] and report["skipped"] == 4 and report["total_runs"] == 12


def test_failed_chunks_exit_1_and_are_retried(
    tiny_toml: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    from moondust.experiments import chunks

    original = chunks.simulate_chunk

    def failing(task: chunks.ChunkTask):  # type: ignore[no-untyped-def]
        if task.chunk == 0:
            raise ValueError("planted")
        return original(task)

    monkeypatch.setattr(chunks, "simulate_chunk", failing)
    out = tmp_path / "f"
    code, stdout, err = run(capsys, "sweep", str(tiny_toml), "-n", "4", "-o", str(out), "-c", "4")
    assert code == 1
    assert "moondust: chunk 0 failed: ValueError: planted" in err
    assert "1 chunk(s) failed" in err and "run the same command again" in err
    monkeypatch.setattr(chunks, "simulate_chunk", original)
    code, stdout, _ = run(capsys, "sweep", str(tiny_toml), "-n", "4", "-o", str(out))
    assert code == 0 and "1 computed, 1 already done, 0 failed" in stdout


def test_a_mismatched_scenario_is_refused_in_one_line(
    swept: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "sweep", "baseline", "-n", "60", "-o", str(swept))
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("moondust: error: ") and "holds a sweep of scenario 'tiny'" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sweep", "baseline"], "Missing option '--out'"),
        (["sweep", "nonexistent", "-o", "x"], "no such scenario file"),
        (["sweep", "baseline", "-o", "x", "--chunk-size", "0"], "--chunk-size"),
        (["sweep", "baseline", "-o", "x", "--executor", "cluster"], "--executor"),
        (["sweep", "baseline", "-o", "x", "--runs", "0"], "--runs"),
        (["sweep", "baseline", "-o", "x", "--param", "warp=1"], "unknown engine parameter"),
        (["sensitivity", "baseline", "-m", "sobol", "--samples", "100"], "power of two"),
        (["sensitivity", "baseline", "--method", "fast"], "--method"),
        (["sensitivity", "baseline", "--outcome", "first_bloc_he3_delivered"], "is a category"),
        (["sensitivity", "baseline", "--outcome", "import os"], "not a valid expression"),
        (["discover", "nowhere", "--outcome", "x == 1"], "neither a run directory"),
        (["discover", "nowhere"], "Missing option '--outcome'"),
        (["outcomes", "nowhere"], "neither a run directory"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *args)
    assert code == 2, err
    assert err.startswith("moondust: error: ") and err.count("\n") == 1 and message in err


def test_an_unreachable_scheduler_is_a_clear_error(
    tiny_toml: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    pytest.importorskip("distributed")
    from moondust.experiments import executors

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", "0.5s")
    args = ["sweep", str(tiny_toml), "-n", "2", "-o", str(tmp_path / "d")]
    code, _, err = run(capsys, *args, "--scheduler", "tcp://127.0.0.1:9")
    assert code == 2 and "--scheduler tcp://127.0.0.1:9: cannot connect" in err


def test_discover_prints_boxes_and_saves_the_tradeoff_plot(
    swept: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expression = "input_spillover_max > 0.5 and input_crowd_out < 0.5"
    plot = tmp_path / "tradeoff.png"
    code, stdout, err = run(
        capsys, "discover", str(swept), "--outcome", expression, "--plot", str(plot)
    )
    assert code == 0, err
    assert f"{expression}: holds in" in stdout and "of 120 runs" in stdout
    assert "Box 1: coverage" in stdout and "density" in stdout
    assert "input_spillover_max" in stdout and "input_crowd_out" in stdout
    assert plot.is_file()
    code, stdout, _ = run(
        capsys, "discover", str(swept), "--outcome", "first_bloc_crewed_landing == 'ilrs'",
        "-t", "0.5", "-f", "json",
    )  # fmt: skip
    assert code == 0
    found = json.loads(stdout)
    assert found["runs"] == 120 and found["boxes"] and "coverage" in found["boxes"][0]
    code, _, err = run(capsys, "discover", str(swept), "--outcome", "frist_year_orbiter < 1")
    assert code == 2 and "did you mean first_year_orbiter" in err


def test_sensitivity_prints_indices_and_writes_a_chart(
    tiny_toml: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sens"
    code, stdout, err = run(
        capsys, "sensitivity", str(tiny_toml), "--method", "sobol", "--samples", "4",
        "--outcome", "first_year_crewed_landing", "-o", str(out), "--uncertainty", "none",
    )  # fmt: skip
    assert code == 0, err
    assert "note: the scenario's [levers] grid is ignored" in stdout
    assert "Sobol sensitivity of first_year_crewed_landing" in stdout
    assert "first-order S1" in stdout and "total ST" in stdout
    assert "spillover_max" in stdout and "crowd_out" in stdout
    assert (out / "sensitivity.png").is_file() and (out / "sensitivity.csv").is_file()
    code, stdout, _ = run(
        capsys, "sensitivity", str(tiny_toml), "-m", "morris", "-N", "2", "-o",
        str(tmp_path / "m"), "--outcome", "first_bloc_crewed_landing == 'artemis'", "-f", "json",
        "-u", "none",
    )  # fmt: skip
    assert code == 0
    result = json.loads(stdout)
    assert result["method"] == "morris" and result["evaluations"] == 6
    assert {row["factor"] for row in result["indices"]} == {"spillover_max", "crowd_out"}


def test_sensitivity_covers_every_sampled_parameter_by_default(
    tiny_toml: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from moondust.world.scenario import load_scenario

    sampled = load_scenario(tiny_toml).with_uncertainty("full").sampled_uncertainties()
    code, stdout, err = run(
        capsys, "sensitivity", str(tiny_toml), "-N", "2", "-o", str(tmp_path / "all"),
        "--outcome", "first_year_crewed_landing", "-f", "json", "--uncertainty", "full",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(stdout)
    assert len(sampled) > 90
    assert result["method"] == "morris"  # auto: Morris screening over this many factors
    assert result["evaluations"] == 2 * (len(sampled) + 1)
    assert {row["factor"] for row in result["indices"]} == set(sampled)
    assert any("every sampled parameter" in note for note in result["notes"])
    assert isinstance(result["warnings"], list)


def test_outcomes_lists_families_and_names(swept: Path, capsys: pytest.CaptureFixture[str]):
    code, stdout, _ = run(capsys, "outcomes")
    assert code == 0 and "first_bloc_<milestone>" in stdout and "first_bloc_he3_delivered" in stdout
    code, stdout, _ = run(capsys, "outcomes", str(swept), "-f", "json")
    data = json.loads(stdout)
    assert "lever_ilrs_openness" in data["inputs"]
    assert {"name": "first_bloc_he3_delivered", "kind": "category"}.items() <= next(
        o for o in data["outcomes"] if o["name"] == "first_bloc_he3_delivered"
    ).items()
    code, stdout, _ = run(capsys, "outcomes", str(swept), "--all")
    assert code == 0 and "year_USA_crewed_landing" in stdout


def test_a_sweep_with_a_policy_naming_code_needs_allow_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The opt-in reaches the worker processes, which build the policies themselves."""
    from moondust.world.policies import ALLOW_IMPORT_ENV

    monkeypatch.setenv(ALLOW_IMPORT_ENV, "0")  # restored (unset) after the test
    scenario = tmp_path / "hermit.toml"
    scenario.write_text(
        "[simulation]\nend = 2030\nruns = 2\n[policies]\nblocs = { ilrs = "
        '"tests.world.test_policies:Hermit" }\n'
    )
    out = tmp_path / "s"
    args = ["sweep", str(scenario), "-o", str(out), "--executor", "processes", "--workers", "1"]
    code, _, err = run(capsys, *args)
    assert code == 2 and "--allow-import" in err and not out.exists()
    code, stdout, err = run(capsys, *args, "--allow-import")
    assert code == 0, err
    assert "2 computed" in stdout or "1 computed" in stdout
