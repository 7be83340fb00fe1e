"""The He-3 market figure: its lines are the recorded price and revenue."""

from __future__ import annotations

import numpy as np

from moondust.report.figures.he3_market import he3_market_figure
from moondust.results import Results


def _line(fig, gid: str):  # type: ignore[no-untyped-def]
    return next(line for ax in fig.axes for line in ax.get_lines() if line.get_gid() == gid)


def test_price_and_revenue_lines_match_the_results(results: Results) -> None:
    fig = he3_market_figure(results)
    assert fig is not None
    ds = results.dataset
    price = ds["he3_price_usd_per_kg"].median("run").values / 1e6
    np.testing.assert_allclose(_line(fig, "price:world").get_ydata(), price, rtol=1e-9)
    revenue = ds["he3_revenue_usd_bn"].astype(float).sum("actor").cumsum("year").median("run")
    np.testing.assert_allclose(
        _line(fig, "he3_revenue_usd_bn:world").get_ydata(), revenue.values, rtol=1e-6
    )
    assert fig.axes[0].get_yscale() == "log"


def test_not_drawn_without_market_variables(results: Results) -> None:
    bare = Results(results.dataset.drop_vars(["he3_price_usd_per_kg"]))
    assert he3_market_figure(bare) is None
