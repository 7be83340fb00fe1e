"""Which band a command shows: `run`, `compare`, `map` and the report label it (issue 19)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moondust.cli import main
from moondust.world.scenario import parse_scenario


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def short_toml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "short.toml"
    path.write_text('name = "short"\n[simulation]\nend = 2035\nruns = 4\nseed = 3\n')
    return path


def test_run_shows_the_full_band_with_the_chance_only_band_beside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], short_toml: Path
) -> None:
    code, out, err = run(capsys, "run", str(short_toml), "-n", "4", "-o", str(tmp_path / "t"))
    assert code == 0, err
    assert "chance + parameter uncertainty" in out and "chance only (4 runs)" in out
    report = (tmp_path / "t" / "report.html").read_text()
    assert "chance + parameter uncertainty" in report and "chance only" in report

    code, out, err = run(
        capsys, "run", str(short_toml), "-n", "4", "-o", str(tmp_path / "j"), "-f", "json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["uncertainty"] == "full" and data["band"] == "chance + parameter uncertainty"
    assert data["chance_only"]["runs"] == 4 and data["chance_only"]["band"] == "chance only"
    assert {row["metric"] for row in data["chance_only"]["outcomes"]} == {
        row["metric"] for row in data["outcomes"]
    }


def test_uncertainty_none_runs_chance_only_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], short_toml: Path
) -> None:
    args = ("run", str(short_toml), "-n", "3", "-u", "none", "-f", "json")
    code, out, err = run(capsys, *args, "-o", str(tmp_path / "n"))
    assert code == 0, err
    data = json.loads(out)
    assert data["uncertainty"] == "none" and data["band"] == "chance only"
    assert "chance_only" not in data
    report = (tmp_path / "n" / "report.html").read_text()
    assert "chance only" in report and "chance + parameter uncertainty" not in report


def test_the_scenario_file_sets_the_mode_and_the_flag_overrides_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "chance.toml"
    path.write_text('[simulation]\nend = 2030\nruns = 2\nuncertainty = "none"\n')
    assert parse_scenario({"simulation": {"end": 2030, "uncertainty": "none"}})
    code, out, _ = run(capsys, "run", str(path), "-o", str(tmp_path / "a"), "-f", "json")
    assert code == 0 and json.loads(out)["uncertainty"] == "none"
    code, out, _ = run(
        capsys, "run", str(path), "-u", "full", "-o", str(tmp_path / "b"), "-f", "json"
    )
    assert code == 0 and json.loads(out)["uncertainty"] == "full"


@pytest.mark.parametrize("value", ["bogus", "", "FULL "])
def test_a_bad_mode_is_one_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], short_toml: Path, value: str
) -> None:
    code, _, err = run(capsys, "run", str(short_toml), "--uncertainty", value, "-o", str(tmp_path))
    assert code == 2
    assert "--uncertainty" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_bad_mode_in_the_file_is_one_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[simulation]\nuncertainty = "some"\n')
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2 and "simulation.uncertainty" in err and "Traceback" not in err


def test_compare_labels_each_band(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], short_toml: Path
) -> None:
    code, out, err = run(capsys, "compare", str(short_toml), str(short_toml), "-n", "2")
    assert code == 0, err
    assert "bands are chance + parameter uncertainty" in out
    code, out, err = run(
        capsys, "compare", str(short_toml), str(short_toml), "-n", "2", "-u", "none", "-f", "json"
    )
    assert code == 0, err
    assert json.loads(out)["uncertainty"] == {"a": "none", "b": "none"}
