"""The milestone timeline: a marker per reachable (actor, milestone), readable without colour."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from moondust.report.figures.timeline import milestone_timeline_figure
from moondust.results import Results

RUNS = 30  # the runs of the ``results`` fixture (tests/report/conftest.py)


def _collections(fig: Figure, prefix: str) -> dict[str, PathCollection | LineCollection]:
    ax = fig.axes[0]
    return {
        c.get_gid(): c
        for c in ax.collections
        if isinstance(c.get_gid(), str) and c.get_gid().startswith(prefix)
    }


def _expected_timeline(results: Results) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Independent reading of the spec: default actors and milestones, reach probabilities."""
    ds = results.dataset
    start = int(ds.attrs["start"])
    years = ds["milestone_year"].values  # run, actor, milestone
    later = years > start  # NaN compares False
    actors = [str(a) for a in ds["actor"].values]
    budget = (ds["civil_usd_bn"] + ds["military_usd_bn"]).isel(year=0).median("run").values
    by_budget = [actors[i] for i in np.argsort(-budget, kind="stable")]
    active = {actors[i] for i in np.flatnonzero(later.any(axis=(0, 2)))}
    chosen = [a for a in by_budget if a in active][:8]
    milestones = [
        str(m) for m, hit in zip(ds["milestone"].values, later.any(axis=(0, 1)), strict=True) if hit
    ]
    a_idx = [actors.index(a) for a in chosen]
    m_idx = [list(map(str, ds["milestone"].values)).index(m) for m in milestones]
    p_reached = later[:, a_idx][:, :, m_idx].mean(axis=0)
    held = (years[:, a_idx][:, :, m_idx] <= start).all(axis=0)
    return chosen, milestones, p_reached, held


def test_timeline_labels_title_and_rows(results: Results) -> None:
    fig = milestone_timeline_figure(results)
    ax = fig.axes[0]
    _, milestones, _, _ = _expected_timeline(results)
    assert ax.get_xlabel() == "year"
    assert "baseline" in ax.get_title() and f"{RUNS} runs" in ax.get_title()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == len(milestones) > 0
    assert "Crewed landing" in labels  # readable names, not ids
    assert ax.get_xlim()[0] == results.dataset.attrs["start"]


def test_timeline_draws_one_marker_per_reachable_pair(results: Results) -> None:
    actors, _, p_reached, held = _expected_timeline(results)
    fig = milestone_timeline_figure(results)
    likely = _collections(fig, "median:")
    unlikely = _collections(fig, "median-unlikely:")
    bands = _collections(fig, "band:")
    assert set(likely) == {f"median:{a}" for a in actors}
    for k, actor in enumerate(actors):
        drawn = (p_reached[k] > 0) & ~held[k]
        n_likely = len(likely[f"median:{actor}"].get_offsets())
        n_unlikely = len(unlikely[f"median-unlikely:{actor}"].get_offsets())
        assert n_likely == int(np.sum(drawn & (p_reached[k] >= 0.5)))
        assert n_unlikely == int(np.sum(drawn & (p_reached[k] < 0.5)))
        assert len(bands[f"band:{actor}"].get_segments()) == int(drawn.sum())


def test_timeline_hollow_markers_and_shapes_tell_actors_apart(results: Results) -> None:
    fig = milestone_timeline_figure(results)
    likely = _collections(fig, "median:")
    unlikely = _collections(fig, "median-unlikely:")
    styles = set()
    for gid, coll in likely.items():
        actor = gid.split(":", 1)[1]
        colour = tuple(np.round(coll.get_facecolor()[0], 3))
        path = coll.get_paths()[0]
        styles.add((colour, path.vertices.round(3).tobytes()))
        hollow = unlikely[f"median-unlikely:{actor}"]
        if len(hollow.get_offsets()):
            assert np.allclose(hollow.get_facecolor()[0], to_rgba("white"))
    # colour AND shape differ: no two actors share a marker shape in the default (≤ 8) set
    shapes = {s[1] for s in styles}
    assert len(shapes) == len(likely)
    legend_texts = {t.get_text() for t in fig.legends[0].get_texts()}
    assert {"United States", "China"} <= legend_texts
    assert any("< 50 %" in t for t in legend_texts)


def test_timeline_with_chosen_actors_and_milestones(results: Results) -> None:
    fig = milestone_timeline_figure(results, actors=["CHN", "USA"], milestones=["crewed_landing"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Crewed landing"]
    assert set(_collections(fig, "median:")) == {"median:CHN", "median:USA"}
    median_usa = _collections(fig, "median:")["median:USA"].get_offsets()
    years = results.dataset["milestone_year"].sel(actor="USA", milestone="crewed_landing")
    later = years.where(years > results.dataset.attrs["start"]).values
    if np.mean(~np.isnan(later)) >= 0.5:
        assert median_usa[0][0] == pytest.approx(np.nanmedian(later))


def test_timeline_rejects_unknown_ids(results: Results) -> None:
    with pytest.raises(ValueError, match="ATLANTIS"):
        milestone_timeline_figure(results, actors=["ATLANTIS"])
    with pytest.raises(ValueError, match="warp_drive"):
        milestone_timeline_figure(results, milestones=["warp_drive"])
