"""Citations resolve: the package and its docs cite sources a reader can find.

Every citation names a primary (or secondary) source in full or by a key in square brackets,
``[fa2007]``, that is an entry of the one bibliography, ``docs/references.md``. Nothing cites a
note or file outside the repository, and the article the simulator tests is named by its title.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from moondust.parameters import markdown_table

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = ROOT / "docs" / "references.md"

# What the package and its documents consist of: data, code, scenarios and docs.
SUFFIXES = {".py", ".csv", ".md", ".toml", ".txt", ".yml", ".yaml"}
SKIP = {".venv", "__pycache__", "site", ".git", "node_modules"}


def _files() -> list[Path]:
    roots = [ROOT / "moondust", ROOT / "docs"]
    found = [ROOT / "README.md"]
    if (ROOT / "mkdocs.yml").exists():
        found.append(ROOT / "mkdocs.yml")
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES and not SKIP & set(path.parts):
                found.append(path)
    return found


FILES = _files()
MARKDOWN_IN_REPO = {
    p.name for p in ROOT.rglob("*.md") if not SKIP & set(p.relative_to(ROOT).parts)
} | {"LICENSE.md"}  # a cited public repository's licence (moon/SOURCE.txt)

# A Markdown file named in the text (`helium3.md`, `docs/model.md`, `../shared/x.md`).
MD_NAME = re.compile(r"(?<![\w/.-])((?:\.\./|\./)?[\w./-]*?([\w-]+\.md))\b")
OUTSIDE = [
    (re.compile(r"\breference/"), "a reference/ folder outside the repository"),
    (re.compile(r"\.\./shared"), "../shared, outside the repository"),
    (re.compile(r"\bseed[ -](?:document|article|text|paper)\b", re.IGNORECASE), "the article"),
    (re.compile(r"\bseed/"), "a seed/ folder outside the repository"),
]
# A bibliography key: lower-case letters, digits and hyphens in square brackets.
KEY = re.compile(r"\[([a-z][a-z0-9-]*[a-z0-9])\]")
ANCHOR = re.compile(r'<a id="([^"]+)"></a>\*\*\[([^\]]+)\]\*\*')


def bibliography() -> set[str]:
    keys = set()
    for anchor, key in ANCHOR.findall(REFERENCES.read_text(encoding="utf-8")):
        assert anchor == key, f"references.md: anchor {anchor!r} differs from key {key!r}"
        keys.add(key)
    return keys


def test_bibliography_has_entries_with_unique_keys() -> None:
    text = REFERENCES.read_text(encoding="utf-8")
    keys = [key for _, key in ANCHOR.findall(text)]
    assert len(keys) >= 20
    assert len(keys) == len(set(keys)), "duplicate keys in docs/references.md"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_citation_of_notes_outside_the_repository(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in MD_NAME.finditer(line):
            if match.group(2) not in MARKDOWN_IN_REPO:
                problems.append(f"{number}: cites {match.group(1)}, not in the repository")
        for pattern, what in OUTSIDE:
            if pattern.search(line):
                problems.append(f"{number}: cites {what}: {line.strip()[:120]}")
    assert not problems, "\n".join(problems)


def _data_cells() -> list[tuple[str, str]]:
    cells = []
    for path in sorted((ROOT / "moondust" / "data").rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                cells.extend((f"{path.relative_to(ROOT)}", cell) for cell in row if "[" in cell)
    return cells


def test_every_data_source_key_is_in_the_bibliography() -> None:
    known = bibliography()
    missing = sorted(
        {
            f"{where}: [{key}]"
            for where, cell in _data_cells()
            for key in KEY.findall(cell)
            if key not in known
        }
    )
    assert not missing, "keys missing from docs/references.md:\n" + "\n".join(missing)


@pytest.mark.parametrize("table", ["moon", "engine", "mining", "fusion", "conflict", "stations"])
def test_every_parameter_source_key_is_in_the_bibliography(table: str) -> None:
    known = bibliography()
    keys = re.findall(r"\(references\.md#([^)]+)\)", markdown_table(table))
    assert not set(keys) - known


def test_every_docs_link_to_the_bibliography_has_an_entry() -> None:
    known = bibliography()
    missing = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for key in re.findall(r"references\.md#([\w-]+)", path.read_text(encoding="utf-8")):
            if key not in known:
                missing.append(f"{path.name}: #{key}")
    assert not missing, "\n".join(missing)
