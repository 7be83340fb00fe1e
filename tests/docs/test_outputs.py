"""docs/outputs.md lists exactly the outputs table, with its units."""

from __future__ import annotations

from pathlib import Path

from moondust.outputs_table import markdown_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "outputs.md"


def test_docs_outputs_md_has_the_current_outputs_table() -> None:
    # Regenerate it with
    # `python -c "from moondust.outputs_table import markdown_table; print(markdown_table())"`.
    text = DOC.read_text(encoding="utf-8")
    assert markdown_table() in text
    # and no other output row: an output removed from the table must leave the page too
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert rows == [line for line in markdown_table().splitlines() if line.startswith("| `")]
