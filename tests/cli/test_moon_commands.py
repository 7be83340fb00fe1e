"""The Moon commands as a user runs them: output, files, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from moondust.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_map_writes_png_and_inventory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "out" / "he3.png"
    code, out, err = run(capsys, "map", "--out", str(png), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    expected = {"total_kg", "near_side_kg", "far_side_kg", "maria_kg", "highlands_kg", "by_mare"}
    assert expected <= set(data)
    assert data["near_side_kg"] + data["far_side_kg"] == pytest.approx(data["total_kg"])
    first = data["by_mare"][0]
    assert set(first) >= {"name", "kg", "mean_ppb"}
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = (tmp_path / "out" / "he3_inventory.csv").read_text()
    assert table.startswith("region,he3_kg") and "Mare Tranquillitatis" in table
    # the range: deterministic quantiles around the default, and the depth they count
    assert data["total_kg_q05"] < data["total_kg"] < data["total_kg_q95"]
    assert data["tio2_model"] == "lpgrs" and data["depth"].startswith("whole regolith column")
    assert "total_q05" in table and "total_q95" in table
    _, again, _ = run(capsys, "map", "--out", str(png), "--format", "json")
    assert json.loads(again)["total_kg_q95"] == data["total_kg_q95"]


def test_map_table_shows_the_range_and_class_model_compares(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "map", "-o", str(tmp_path / "a.png"), "-r", "2")
    assert code == 0 and "5–95 % range" in out and "whole regolith column" in out
    _, lpgrs, _ = run(capsys, "map", "-o", str(tmp_path / "b.png"), "-r", "2", "-f", "json")
    _, klass, _ = run(
        capsys,
        "map",
        "-o",
        str(tmp_path / "c.png"),
        "-r",
        "2",
        "-f",
        "json",
        "--tio2-model",
        "class",
    )
    assert json.loads(klass)["tio2_model"] == "class"
    assert json.loads(klass)["total_kg"] != pytest.approx(json.loads(lpgrs)["total_kg"], rel=0.05)


def test_probe_names_hemispheres(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "probe", "-8.97", "-30")
    assert code == 0 and "8.97°S 30°W" in out and "-8.97" not in out
    _, out, _ = run(capsys, "probe", "20.19", "30.77")
    assert "20.19°N 30.77°E" in out and "±" in out


def test_sites_table_lists_each_name_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sites", "--top", "40", "-f", "json")
    assert code == 0
    names = [s["nearest_feature"] for s in json.loads(out)]
    assert len(names) == len(set(names))
    assert [s["rank"] for s in json.loads(out)] == list(range(1, len(names) + 1))
    assert all(s["he3_kg"] >= s["he3_top_kg"] for s in json.loads(out))


def test_map_table_output_and_param_override(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "map", "-o", str(tmp_path / "a.png"))
    assert code == 0 and "whole Moon" in out and "Mare Tranquillitatis" in out
    _, base, _ = run(capsys, "map", "-o", str(tmp_path / "b.png"), "-f", "json")
    _, thick, _ = run(
        capsys,
        "map",
        "-o",
        str(tmp_path / "c.png"),
        "-f",
        "json",
        "--param",
        "regolith_mare_m=9",
        "--param",
        "regolith_highland_m=12",
    )
    assert json.loads(thick)["total_kg"] == pytest.approx(2 * json.loads(base)["total_kg"])


def test_probe_json_has_every_layer(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "probe", "0.674", "23.473", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {
        "mare_fraction",
        "tio2_wt_pct",
        "omat",
        "fluence_factor",
        "regolith_m",
        "he3_ppb",
        "mare",
    }
    assert data["mare"] == "Mare Tranquillitatis"


def test_probe_accepts_negative_and_0_360_coordinates(capsys: pytest.CaptureFixture[str]) -> None:
    _, west, _ = run(capsys, "probe", "-8.97", "-30", "-f", "json")
    _, east360, _ = run(capsys, "probe", "-8.97", "330", "-f", "json")
    assert json.loads(west)["he3_ppb"] == json.loads(east360)["he3_ppb"]
    assert json.loads(west)["mare"] is None or isinstance(json.loads(west)["mare"], str)


def test_sites_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sites", "--top", "3", "--min-ppb", "9", "-f", "json")
    assert code == 0
    sites = json.loads(out)
    assert len(sites) == 3
    assert [s["rank"] for s in sites] == [1, 2, 3]
    assert all(s["mean_ppb"] >= 9 for s in sites)
    expected = {"area_km2", "he3_top_kg", "centroid_lat_deg", "side", "nearest_feature"}
    assert expected <= set(sites[0])


def test_sites_table_and_empty_result(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sites", "--min-ppb", "500")
    assert code == 0 and "no deposit reaches 500 ppb" in out


def test_params_lists_every_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "params", "moon", "-f", "json")
    assert code == 0
    names = {row["name"] for row in json.loads(out)}
    assert "he3_tio2_coefficient" in names and "regolith_highland_m" in names


def test_tio2_raster_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tio2.npy"
    np.save(path, np.full((180, 360), 8.0))
    code, out, _ = run(capsys, "probe", "-8.97", "15.5", "--tio2", str(path), "-f", "json")
    assert code == 0 and json.loads(out)["tio2_wt_pct"] == pytest.approx(8.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["probe", "95", "0"], "latitude 95"),
        (["probe", "0", "400"], "longitude 400"),
        (["probe", "north", "0"], "Invalid value for 'lat'"),
        (["probe"], "Missing argument"),
        (["map", "--frobnicate"], "No such option: --frobnicate"),
        (["map", "--param", "no_such=1"], "unknown moon parameter 'no_such'"),
        (["map", "--param", "omat_mare"], "expected NAME=VALUE"),
        (["map", "--param", "omat_mare=-2"], "omat_mare"),
        (["map", "--resolution", "0.3"], "resolution 0.3"),
        (["map", "--format", "xml"], "'xml' is not one of"),
        (["sites", "--top", "0"], "--top"),
        (["probe", "0", "0", "--tio2", "/no/such/file.npy"], "no such file"),
        (["map", "--tio2-model", "clementine"], "TiO2 model 'clementine'"),
        (["params", "nope"], "unknown parameter table"),
        (["frobnicate"], "No such command"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert err.startswith("moondust: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert out == ""


def test_bad_raster_file_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.npy"
    np.save(path, np.zeros((7, 9)))
    code, _, err = run(capsys, "probe", "0", "0", "--tio2", str(path))
    assert code == 2 and str(path) in err and "twice as many columns" in err


def test_help_explains_each_command(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("map", "probe", "sites", "params"):
        code, out, _ = run(capsys, command, "--help")
        assert code == 0 and "Usage: moondust " + command in out
    code, out, _ = run(capsys)
    assert code == 0 and "Commands" in out


def test_console_script_exits_2_without_traceback() -> None:
    # The real entry point, in a subprocess, as a user meets it.
    result = subprocess.run(
        [sys.executable, "-m", "moondust", "probe", "0", "999"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "moondust: error: longitude 999: expected −180..180 or 0..360 degrees east"
    )
