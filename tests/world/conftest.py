"""Fixtures for the world-data tests: a way to serve a corrupted copy of one packaged table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from moondust.world import _tables, clear_caches
from moondust.world.world import World, load_world


@pytest.fixture
def corrupt_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str, str, Callable[[str], str]], None]]:
    """``corrupt_table(folder, name, edit)``: serve ``edit(text)`` instead of that packaged file."""
    real = _tables.table_path
    patched: dict[tuple[str, str], Path] = {}

    def serve(folder: str, name: str) -> Path:
        return patched.get((folder, name)) or real(folder, name)

    def corrupt(folder: str, name: str, edit: Callable[[str], str]) -> None:
        text = real(folder, name).read_text(encoding="utf-8")
        target = tmp_path / f"{folder}_{name}"
        target.write_text(edit(text), encoding="utf-8")
        patched[(folder, name)] = target
        clear_caches()

    monkeypatch.setattr(_tables, "table_path", serve)
    clear_caches()
    yield corrupt
    monkeypatch.undo()
    clear_caches()


@pytest.fixture(scope="module")
def world() -> World:
    """The packaged 2025 world (loaded once per test module)."""
    return load_world()
