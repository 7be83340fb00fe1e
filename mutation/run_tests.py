"""The test command cosmic-ray runs for each mutant (mutation/cosmic-ray.toml).

Usage: ``python mutation/run_tests.py PYTEST_ARGS...`` (the test command, per mutant) or
``python mutation/run_tests.py --warm CONFIG`` (once, before the run: the same tests on the
unmutated tree, building the warm cache; the pytest arguments are the config's test command's).

Each mutant's kernels must be compiled from the mutated source, never loaded from Numba's disk
cache. Numba keys a cached kernel on its source file's modification time and size, so a cache
built before the mutant was written cannot match the mutated module; every mutant's run gets a
fresh copy of such a cache (built once by ``--warm`` from the unmutated tree, so the modules that
are not mutated load as usual) and the copy is thrown away afterwards, so no mutant's compiled
kernels reach another's run nor the repository's ``__pycache__``.

The warm cache lives in ``$MUTATION_NUMBA_CACHE`` (default ``mutation/.numba-cache``). Pytest
stops at the first failure (``-x``): a mutant is killed by one failing test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

WARM = Path(os.environ.get("MUTATION_NUMBA_CACHE", "mutation/.numba-cache"))


def main(argv: list[str]) -> int:
    warm = bool(argv) and argv[0] == "--warm"
    args = _configured_args(argv[1]) if warm else argv
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *args]
    env = dict(os.environ)
    if warm:
        shutil.rmtree(WARM, ignore_errors=True)
        WARM.mkdir(parents=True)
        env["NUMBA_CACHE_DIR"] = str(WARM.resolve())
        return subprocess.call(command, env=env)
    with tempfile.TemporaryDirectory(prefix="moondust-mutant-") as folder:
        cache = Path(folder) / "numba"
        if WARM.is_dir():
            shutil.copytree(WARM, cache)
        env["NUMBA_CACHE_DIR"] = str(cache)
        return subprocess.call(command, env=env)


def _configured_args(config: str) -> list[str]:
    """The pytest arguments of ``config``'s test command (the words after this script's name)."""
    with open(config, "rb") as handle:
        command = tomllib.load(handle)["cosmic-ray"]["test-command"].split()
    return command[command.index("mutation/run_tests.py") + 1 :]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
