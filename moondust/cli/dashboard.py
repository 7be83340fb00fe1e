"""The explorer: the ``dashboard`` command and the check of the address it listens on."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from moondust.cli.app import app
from moondust.errors import MoondustError, require_extra


@app.command("dashboard")
def dashboard_command(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. The default serves this computer only; 0.0.0.0 serves "
            "the local network (a classroom), without authentication.",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8765,
    scenario_name: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            metavar="NAME|FILE",
            help="Scenario to start from: a built-in (see `moondust scenarios`) or a TOML file "
            "(default: baseline).",
        ),
    ] = None,
) -> None:
    """Open the explorer: move policy levers and see the race change, in a web browser.

    An En-ROADS-style dashboard served from this computer: it needs no internet connection and
    sends no telemetry. Needs the dashboard extra: pip install 'moondust[dashboard]'.
    """
    import socket

    require_extra("dashboard", "the dashboard", "solara", "plotly")
    scenario_arg = None
    if scenario_name:
        from moondust.world.scenario import builtin_scenarios, load_scenario

        # the explorer never imports code a scenario names (its links carry the scenario)
        load_scenario(scenario_name, allow_import=False)  # one clear error (exit 2) if wrong
        known = scenario_name in builtin_scenarios()
        scenario_arg = scenario_name if known else str(Path(scenario_name).resolve())
    host = _listen_host(host)
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise MoondustError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; choose another --port"
        ) from None
    from moondust.dashboard.server import serve

    shown = f"[{host}]" if ":" in host else host
    sys.stderr.write(f"moondust explorer: http://{shown}:{port}/  (Ctrl+C to stop)\n")
    serve(host=host, port=port, scenario=scenario_arg)


WILDCARD_HOSTS = ("0.0.0.0", "::", "[::]")
"""Addresses that listen on every network interface."""


def _listen_host(host: str) -> str:
    """The explorer's address: loopback unless a wildcard is named explicitly (then warn)."""
    host = host.strip()
    if not host or host == "*":
        raise MoondustError(
            f"--host {host!r} would listen on every network interface; name the address "
            "(127.0.0.1 for this computer, 0.0.0.0 for the local network)"
        )
    if host in WILDCARD_HOSTS:
        sys.stderr.write(
            f"moondust: warning: --host {host} serves the explorer to every network this "
            "computer is on, without authentication; anyone who can reach it can use it\n"
        )
        return host.strip("[]")
    return host
