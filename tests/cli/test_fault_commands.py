"""Output paths that cannot be written, a full disk, a bad scheduler: one line, no traceback.

Exit code 2 for the user's fault (a file, a device or a read-only place given as ``--out``, an
empty ``--out``, a scheduler that is no address), 1 for the machine's (a full disk), and nothing
half-written left behind: no empty image, no temporary file, no partial dataset under its final
name. Once space is back the same command succeeds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from moondust.cli import main

from ..conftest import SmallDisk


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error_line(err: str) -> str:
    """The single ``moondust: error: …`` line the command printed (and nothing else)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("moondust: error: "), err
    assert "Traceback" not in err
    return lines[0]


def command(name: str, tiny_toml: Path, out: str) -> list[str]:
    """``moondust NAME`` of the cheapest kind, writing to ``out``."""
    if name == "map":
        return ["map", "--resolution", "5", "--out", out, "-f", "json"]
    if name == "run":
        return ["run", str(tiny_toml), "-n", "2", "--out", out, "-f", "json"]
    return ["sweep", str(tiny_toml), "-n", "2", "-c", "2", "--out", out, "-f", "json"]


BAD_OUTS: dict[str, tuple[Callable[[Path], str], tuple[str, ...]]] = {
    "an existing file": (lambda tmp: str(tmp / "a-file"), ("a-file", "not a directory")),
    "a path below a file": (lambda tmp: str(tmp / "a-file" / "x"), ("a-file", "not a directory")),
    # never /dev/null.png or /dev/null_inventory.csv beside it
    "a device": (lambda tmp: "/dev/null", ("/dev/null: ", "not a ")),
    "an empty path": (lambda tmp: "", ("'--out' / '-o': must not be empty",)),
}


@pytest.mark.parametrize(
    ("name", "case"),
    [
        (name, case)
        for name in ("map", "run", "sweep")
        for case in BAD_OUTS
        if (name, case) != ("map", "an existing file")  # an image file is simply replaced
    ],
)
def test_an_output_path_that_cannot_be_written_is_one_line_and_exit_2(
    name: str, case: str, tiny_toml: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a-file").write_text("mine")
    make, expected = BAD_OUTS[case]
    code, _, err = run(capsys, *command(name, tiny_toml, make(tmp_path)))
    assert code == 2
    line = one_error_line(err)
    assert all(fragment in line for fragment in expected), line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]  # nothing written anywhere
    assert (tmp_path / "a-file").read_text() == "mine"


def test_a_directory_or_an_unknown_format_as_the_map_image_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "map", "--out", str(tmp_path))
    assert code == 2 and "is a directory" in one_error_line(err)
    code, _, err = run(capsys, "map", "-r", "5", "--out", str(tmp_path / "he3.xyz"))
    assert code == 2 and "unknown image format '.xyz'" in one_error_line(err)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["map", "run", "sweep"])
def test_a_read_only_output_is_one_line_and_exit_2(
    name: str, tiny_toml: Path, small_disk: SmallDisk, capsys: pytest.CaptureFixture[str]
) -> None:
    small_disk.read_only()
    out = small_disk.path / ("he3.png" if name == "map" else "out")
    code, _, err = run(capsys, *command(name, tiny_toml, str(out)))
    assert code == 2
    line = one_error_line(err)
    assert str(small_disk.path) in line and "read-only file system" in line


@pytest.mark.parametrize("scheduler", ["not a url", "tcp://127.0.0.1:99999", "tcp://:8786"])
def test_a_scheduler_that_is_no_address_is_one_line_and_exit_2(
    scheduler: str, tiny_toml: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep"
    args = command("sweep", tiny_toml, str(out))
    code, _, err = run(capsys, *args, "--executor", "dask", "--scheduler", scheduler)
    assert code == 2
    assert f"--scheduler {scheduler!r}: not a Dask scheduler address" in one_error_line(err)
    assert not out.exists()  # refused before the sweep directory is made


@pytest.mark.parametrize(
    ("name", "leave"),
    # a little room: the image, the dataset, a chunk fail; none: the sweep's lock and manifest
    [("map", 64 * 1024), ("run", 64 * 1024), ("sweep", 64 * 1024), ("sweep", 0)],
)
def test_a_full_disk_is_one_line_exit_1_leaves_nothing_half_written_and_runs_again(
    name: str,
    leave: int,
    tiny_toml: Path,
    small_disk: SmallDisk,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = small_disk.path / ("he3.png" if name == "map" else "out")
    small_disk.fill(leave)
    code, _, err = run(capsys, *command(name, tiny_toml, str(out)))
    assert code == 1
    line = one_error_line(err)
    assert str(small_disk.path) in line and "no space left on device" in line
    assert "run the same command again" in line
    left = small_disk.files()
    assert not [f for f in left if ".tmp" in f or "probe" in f], left  # no temporary left
    assert not [f for f in left if f.endswith(".png")], left  # no empty or partial image
    assert "out/results.zarr" not in left  # no partial dataset under its final name
    for path in small_disk.path.rglob("*"):
        if path.is_file() and path != small_disk.ballast and path.name != ".lock":
            assert path.stat().st_size > 0, path  # nothing empty

    small_disk.free()  # space is back: the same command succeeds
    code, _, err = run(capsys, *command(name, tiny_toml, str(out)))
    assert code == 0, err
    if name == "map":
        assert out.stat().st_size > 10_000 and out.with_name("he3_inventory.csv").is_file()
    elif name == "run":
        assert (out / "results.zarr").is_dir() and (out / "report.html").is_file()
    else:
        assert (out / "manifest.json").is_file() and not list(out.glob("chunks/.*"))
