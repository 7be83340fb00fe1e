"""The Typer application, its root callback and the entry points.

Every error caused by the user's input is printed as one line on stderr, ``moondust: error: …``,
with exit code 2 and no traceback. The commands register themselves on :data:`app` from their
modules (:mod:`moondust.cli` imports them all).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from moondust.errors import MoondustError
from moondust.limits import cap_message

app = typer.Typer(
    name="moondust",
    help=(
        "Simulate the race for the Moon's helium-3 between the world's space programs.\n\n"
        "Start with `moondust map` (the He-3 resource), `moondust probe LAT LON` and "
        "`moondust sites`. Every model parameter is listed by `moondust params` with its "
        "default, range and source, and can be changed with --param NAME=VALUE."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version_callback(value: bool) -> None:
    if value:
        from moondust._version import __version__

        sys.stdout.write(f"moondust {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """Simulate the race for the Moon's helium-3 between the world's space programs."""


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and turn errors into one line and exit code 2 (the user's input,
    an unwritable output path) or 1 (the environment: a full disk); see :mod:`moondust.errors`."""
    try:
        result = app(args=argv, prog_name="moondust", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        sys.stderr.write("moondust: aborted\n")
        return 130
    except typer.TyperException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `moondust`: show the help
            sys.stdout.write(f"{_format_message(exc)}\n")
            return 0
        sys.stderr.write(f"moondust: error: {cap_message(_usage_message(exc))}\n")
        return 2
    except MoondustError as exc:  # 2: the user's input; 1: the machine's fault (a full disk)
        sys.stderr.write(f"moondust: error: {cap_message(str(exc))}\n")
        return exc.exit_code
    return result if isinstance(result, int) else 0


def _format_message(exc: Exception) -> str:
    formatter = getattr(exc, "format_message", None)
    return str(formatter()) if callable(formatter) else str(exc)


def _usage_message(exc: Exception) -> str:
    message = " ".join(_format_message(exc).split())
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        message = f"{message} (see `{ctx.command_path} --help`)"
    return message


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
