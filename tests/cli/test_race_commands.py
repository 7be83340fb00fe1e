"""`moondust run`, `compare`, `validate`, `scenarios` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moondust.cli import main
from moondust.results import Results


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_run_writes_dataset_summary_figures_and_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "baseline"
    code, out, err = run(
        capsys, "run", "baseline", "--runs", "20", "--seed", "4", "--out", str(out_dir)
    )
    assert code == 0, err
    assert "probability each bloc is first" in out and "crewed_landing" in out
    assert (out_dir / "results.zarr").is_dir()
    assert (out_dir / "summary.parquet").is_file()
    assert (out_dir / "report.html").is_file()
    assert list((out_dir / "figures").glob("*.png"))
    reopened = Results.open(out_dir)
    assert reopened.runs == 20 and reopened.dataset.attrs["seed"] == 4


def test_run_json_is_one_object_on_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "run",
        "asymmetric",
        "-n",
        "10",
        "--out",
        str(tmp_path / "a"),
        "--format",
        "json",
        "--param",
        "spillover_max=0.9",
    )
    assert code == 0
    data = json.loads(out)
    assert data["runs"] == 10 and data["scenario"] == "asymmetric"
    assert {"milestones", "blocs", "spending", "files"} <= set(data)
    first = [row for row in data["blocs"] if row["milestone"] == "he3_delivered"]
    assert abs(sum(row["p_first"] for row in first) - 1.0) < 1e-9


def test_first_run_selects_global_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(
        capsys,
        "run",
        "baseline",
        "-n",
        "3",
        "--first-run",
        "40",
        "-o",
        str(tmp_path / "r"),
        "-f",
        "json",
    )
    assert code == 0
    assert list(Results.open(tmp_path / "r").dataset.run.values) == [40, 41, 42]


def test_compare_uses_the_same_seeds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compare", "cutthroat", "emulation", "-n", "15", "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert data["a"]["scenario"] == "cutthroat" and data["b"]["scenario"] == "emulation"
    assert data["a"]["runs"] == data["b"]["runs"] == 15
    code, out, _ = run(capsys, "compare", "baseline", "asymmetric", "-n", "5")
    assert code == 0 and "baseline vs asymmetric" in out


def test_scenarios_and_validate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scenarios", "-f", "json")
    assert code == 0
    assert {s["name"] for s in json.loads(out)} >= {
        "baseline",
        "cutthroat",
        "emulation",
        "asymmetric",
    }
    code, out, _ = run(capsys, "validate", "asymmetric")
    assert code == 0 and "valid scenario 'asymmetric'" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "nonexistent"], "no such scenario file"),
        (["run", "baseline", "--runs", "0"], "--runs"),
        (["run", "baseline", "--param", "warp=9"], "unknown engine parameter 'warp'"),
        (["run", "baseline", "--param", "crowd_out=2"], "crowd_out"),
        (["compare", "baseline"], "Missing argument"),
    ],
)
def test_run_errors_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2 and message in err and err.count("\n") == 1


def test_schema_writes_the_json_schema_to_stdout_or_a_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, stdout, _ = run(capsys, "schema")
    assert code == 0
    assert "lunar_share" in json.loads(stdout)["properties"]["parameters"]["properties"]
    target = tmp_path / "scenario.schema.json"
    code, _, _ = run(capsys, "schema", "--out", str(target))
    assert code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["title"] == "moondust scenario"
    code, stdout, _ = run(capsys, "schema", "--format", "markdown")
    assert code == 0 and stdout.startswith("# Scenario file reference")
