"""The race figure: the bars are the summary's first-credit shares."""

from __future__ import annotations

import numpy as np
import pytest

from moondust.report.figures.race import race_figure
from moondust.results import BLOC_CLASSES, Results

RUNS = 30  # the runs of the ``results`` fixture (tests/report/conftest.py)


def test_race_bars_match_summary(results: Results) -> None:
    fig = race_figure(results)
    ax = fig.axes[0]
    summary = results.summary()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "Crewed landing" in labels and "Lunar orbiter" not in labels  # orbiter is history
    assert "baseline" in ax.get_title() and f"{RUNS} runs" in ax.get_title()
    assert "probability" in ax.get_xlabel()
    segments = {
        key: [p for p in ax.patches if p.get_gid() == f"race:{key}"]
        for key in (*BLOC_CLASSES, "nobody")
    }
    assert all(len(bars) == len(labels) for bars in segments.values())
    widths = np.array([[bar.get_width() for bar in bars] for bars in segments.values()])
    np.testing.assert_allclose(widths.sum(axis=0), 1.0, atol=1e-9)
    hatches = {bars[0].get_hatch() for key, bars in segments.items() if key != "nobody"}
    assert len(hatches) == len(BLOC_CLASSES)  # hatching, not colour alone
    blocs = summary.blocs.set_index(["bloc", "milestone"])["p_first"]
    # rows are in ladder order; crewed_landing's artemis share equals the summary's
    row = labels.index("Crewed landing")
    assert segments["artemis"][row].get_width() == pytest.approx(
        blocs[("artemis", "crewed_landing")]
    )
