"""Errors a user can cause and fix.

Every error that comes from the user's input (a file, a command-line value, a parameter name) is a
:class:`MoondustError`. The command line prints its message on one line and exits with code 2; the
Python API lets it propagate so a caller can handle it.
"""

from __future__ import annotations


class MoondustError(Exception):
    """Base class of errors caused by user input; the message says what to fix."""


class ParameterError(MoondustError, KeyError):
    """An unknown parameter name or a value that is not acceptable."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class InputFileError(MoondustError):
    """A file that cannot be read or does not have the expected shape or fields."""
