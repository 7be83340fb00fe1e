"""The spending figure: units, medians and bloc totals that are sums over actors."""

from __future__ import annotations

import numpy as np

from moondust.report.data import SPENDING_ACTORS
from moondust.report.figures.spending import spending_figure
from moondust.results import BLOC_CLASSES, Results


def test_spending_axes_units_and_medians(results: Results) -> None:
    fig = spending_figure(results)
    assert len(fig.axes) == 4
    for ax in fig.axes:
        assert "USD bn per year" in ax.get_ylabel() and "2025 dollars" in ax.get_ylabel()
    assert fig.axes[2].get_xlabel() == "year" and fig.axes[3].get_xlabel() == "year"
    civil_actors = [ln for ln in fig.axes[0].get_lines() if str(ln.get_gid()).startswith("civil:")]
    assert len(civil_actors) == SPENDING_ACTORS
    usa = next(ln for ln in civil_actors if ln.get_gid() == "civil:USA")
    expected = np.median(results.dataset["civil_usd_bn"].sel(actor="USA").values, axis=0)
    np.testing.assert_allclose(usa.get_ydata(), expected)
    present = set(results.dataset["bloc"].values.tolist())
    bloc_lines = [ln.get_gid() for ln in fig.axes[3].get_lines()]
    assert bloc_lines == [f"military-bloc:{b}" for b in BLOC_CLASSES if b in present]
    bands = [c for c in fig.axes[0].collections if c.get_gid() is None]
    assert len(bands) == SPENDING_ACTORS  # one 10–90 % band per line


def test_spending_bloc_total_is_sum_over_actors(results: Results) -> None:
    fig = spending_figure(results)
    artemis = next(ln for ln in fig.axes[2].get_lines() if ln.get_gid() == "civil-bloc:artemis")
    ds = results.dataset
    civil = ds["civil_usd_bn"].astype(float)  # the engine records float32; figures sum in float64
    totals = civil.where(ds["bloc"] == "artemis").sum("actor").values
    np.testing.assert_allclose(artemis.get_ydata(), np.median(totals, axis=0))
