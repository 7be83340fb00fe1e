"""``python -m moondust.cli``, as before the command line became a package."""

from moondust.cli import run

run()
