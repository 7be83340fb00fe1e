"""The ``moondust`` command line: a Typer app whose commands live one family per module.

Every error caused by the user's input is printed as one line on stderr, ``moondust: error: …``,
with exit code 2 and no traceback. Importing this package registers every command on
:data:`app`; the modules are imported in the order their commands are listed by ``--help``.
"""

from __future__ import annotations

# Importing a command module registers its commands; `--help` lists them in this order.
# isort: off
from moondust.cli import moon, race, experiments, analysis, hindcast, dashboard  # noqa: F401

# isort: on
from moondust.cli.app import app, main, run
from moondust.cli.dashboard import WILDCARD_HOSTS, dashboard_command
from moondust.cli.output import _print_json

__all__ = ["WILDCARD_HOSTS", "_print_json", "app", "dashboard_command", "main", "run"]
