"""The report's data helpers."""

from __future__ import annotations

import pytest

from moondust.report.data import pct


@pytest.mark.parametrize(
    ("p", "text"),
    [(0.0, "0 %"), (0.004, "<1 %"), (0.5, "50 %"), (0.996, ">99 %"), (1.0, "100 %")],
)
def test_percentages_never_round_a_possibility_away(p: float, text: str) -> None:
    assert pct(p) == text
