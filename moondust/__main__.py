"""``python -m moondust`` runs the command line."""

from moondust.cli import run

run()
