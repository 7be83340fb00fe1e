"""Shared fixtures."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from moondust.moon import He3Map
from moondust.world.scenario import Scenario, parse_scenario

# No per-example time limit: the first example to reach an engine kernel also compiles it (or
# loads it from Numba's cache), and timing is the benchmarks' job, not the tests'.
settings.register_profile("moondust", deadline=None)
settings.load_profile("moondust")


@pytest.fixture(scope="session")
def moon_1deg() -> He3Map:
    """The default He-3 map at 1° (built once per test session)."""
    return He3Map(resolution_deg=1.0)


# A short scenario (to 2035) with uncertainties and a lever grid, for the experiments and CLI tests.
# Chance only: its two declared uncertainties are the only sampled inputs, so sweeps, PRIM and the
# disk-fault tests see them alone (sampling every documented range is tested in
# tests/engine/test_uncertainty.py and tests/cli/test_uncertainty_commands.py).
TINY_TOML = """
name = "tiny"
description = "Asymmetric to 2035, two uncertain parameters, an ILRS openness grid"
[simulation]
end = 2035
runs = 10
seed = 11
uncertainty = "none"
[policies]
default = "status-quo"
blocs = { artemis = "cutthroat", ilrs = "emulation" }
[uncertainties]
spillover_max = { dist = "uniform", low = 0.1, high = 1.0 }
crowd_out = { dist = "triangular", low = 0.0, mode = 0.3, high = 1.0 }
[levers.ilrs]
openness = [0.3, 0.9]
"""


@pytest.fixture(scope="session")
def tiny() -> Scenario:
    """The tiny scenario."""
    return parse_scenario(tomllib.loads(TINY_TOML))


@pytest.fixture(scope="session")
def tiny_toml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny scenario as a TOML file."""
    path = tmp_path_factory.mktemp("scenario") / "tiny.toml"
    path.write_text(TINY_TOML, encoding="utf-8")
    return path


class SmallDisk:
    """A small tmpfs mounted for one test: fill it up, free it, remount it read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.ballast = path / ".ballast"

    def fill(self, leave: int = 0) -> None:
        """Fill the disk with a ballast file, leaving about ``leave`` bytes free."""
        with self.ballast.open("ab", buffering=0) as handle:  # unbuffered: nothing held back
            with contextlib.suppress(OSError):  # ENOSPC: full
                while True:
                    handle.write(b"\0" * (1 << 16))
            size = handle.tell()
        os.truncate(self.ballast, max(0, size - leave))

    def free(self) -> None:
        """Space is back: remove the ballast."""
        self.ballast.unlink(missing_ok=True)

    def read_only(self) -> None:
        """Remount the disk read-only (EROFS for every write, even root's)."""
        subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True)

    def files(self) -> list[str]:
        """Every path on the disk but the ballast, relative, sorted."""
        return sorted(
            str(p.relative_to(self.path)) for p in self.path.rglob("*") if p != self.ballast
        )


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    """A 16 MB tmpfs at ``tmp_path/disk``, unmounted after the test even if it fails.

    Skipped (with the reason) where mounting is not possible: not Linux, not root, or a
    sandbox that forbids ``mount``. CI runs as root, where it works.
    """
    if sys.platform != "linux" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a full disk is simulated with a tmpfs mount: needs root on Linux")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = _mount("-t", "tmpfs", "-o", "size=16m,mode=0755", "tmpfs", str(disk))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()})")
    try:
        yield SmallDisk(disk)
    finally:
        if subprocess.run(["umount", str(disk)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(disk)], check=False)
