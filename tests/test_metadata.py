"""What a researcher citing moondust needs: a citation file, a changelog and the version."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from moondust.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_citation_file_names_the_current_version() -> None:
    yaml = pytest.importorskip("yaml")
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert citation["cff-version"] == "1.2.0"
    assert {"message", "title", "authors", "version", "type"} <= set(citation)
    assert str(citation["version"]) == project["version"]
    assert citation["license"] == project["license"]


def test_changelog_has_the_current_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert f"## {project['version']}" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_version_option_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    from moondust import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"moondust {__version__}\n"
