"""The compiler settings' helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from moondust.engine.jit import kernels_cached


def test_kernels_cached_looks_in_numbas_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert not kernels_cached()
    # Numba mirrors the source's folder under NUMBA_CACHE_DIR.
    mirrored = tmp_path / "work" / "moondust" / "engine"
    mirrored.mkdir(parents=True)
    (mirrored / "technology._fund_and_grow-201.py311.nbi").write_bytes(b"")
    assert kernels_cached()
