"""Examples in the README, the docs and docstrings run as written."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import moondust

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.DOTALL)


@pytest.mark.parametrize(
    ("path", "index"),
    [(p, i) for p in DOCUMENTS for i, _ in enumerate(python_blocks(p))],
    ids=lambda value: value.name if isinstance(value, Path) else str(value),
)
def test_markdown_python_examples_run(path: Path, index: int) -> None:
    code = python_blocks(path)[index]
    exec(compile(code, f"{path.name}[{index}]", "exec"), {"__name__": "__example__"})


def _modules() -> list[str]:
    return [
        info.name
        for info in pkgutil.walk_packages(moondust.__path__, prefix="moondust.")
        if not info.name.endswith("__main__") and ".dashboard" not in info.name
    ]


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert failures == 0
