"""docs/world.md shows the current actor table."""

from __future__ import annotations

from pathlib import Path

from moondust.world.actors import markdown_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "world.md"


def test_docs_world_md_has_the_current_actor_table() -> None:
    # Regenerate with
    # `python -c "from moondust.world.actors import markdown_table; print(markdown_table())"`.
    assert markdown_table() in DOC.read_text(encoding="utf-8")
