"""Shared fixtures for the explorer's tests: Solara without telemetry, ensembles in-thread.

Each test module skips itself when the dashboard extra (Solara, plotly) is missing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from moondust.dashboard import compute
from moondust.world.policies import ALLOW_IMPORT_ENV

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

QUICK = "runs=10&end=2050"
"""A query string for quick component tests (the fewest runs, the shortest horizon)."""


@pytest.fixture(autouse=True, scope="session")
def in_thread_service() -> Iterator[compute.EnsembleService]:
    """Compute ensembles in the calling thread (no worker processes in component tests)."""
    previous = compute._SERVICE
    compute._SERVICE = compute.EnsembleService(workers=0)
    yield compute._SERVICE
    compute._SERVICE = previous


SERVER_LOGS: dict[str, Path] = {}
"""The log file of each running test server, by URL."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``moondust dashboard`` as a user starts it, on a free port; stopped at teardown.

    Started with policy imports allowed in its environment, which the explorer must ignore.
    Its log is in :data:`SERVER_LOGS`.
    """
    port = free_port()
    log = tmp_path_factory.mktemp("dashboard-server") / "server.log"
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", ALLOW_IMPORT_ENV: "1"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moondust", "dashboard", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"moondust dashboard exited: {log.read_text()}")
            try:
                with urllib.request.urlopen(url + "/readyz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"moondust dashboard did not start: {log.read_text()}")
            time.sleep(0.25)
        SERVER_LOGS[url] = log
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
