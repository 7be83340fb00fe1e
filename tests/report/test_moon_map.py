"""The He-3 map figure: hemisphere figures with units, landing-site labels that do not collide."""

from __future__ import annotations

import itertools

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Annotation

from moondust.moon import He3Map
from moondust.report.moon_map import he3_map_figure, place_labels


def test_title_gives_units_for_every_figure() -> None:
    fig = he3_map_figure(He3Map(3.0))
    title = fig.axes[0].get_title()
    assert title.count("×10⁹ kg") == 4  # total, its range, near side, far side
    assert "5–95 %" in title and "Lunar Prospector" in title


def test_landing_site_labels_do_not_overlap() -> None:
    fig = he3_map_figure(He3Map(3.0))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    texts = fig.axes[0].texts
    labels = [t for t in texts if isinstance(t, Annotation)]
    assert len(labels) >= 12
    boxes = [t.get_window_extent(renderer) for t in labels]
    for (a, ta), (b, tb) in itertools.combinations(zip(boxes, labels, strict=True), 2):
        assert not a.overlaps(b), (ta.get_text(), tb.get_text())
    # nor the maria names
    names = [t for t in texts if not isinstance(t, Annotation) and "SIDE" not in t.get_text()]
    assert len(names) >= 10
    for label, box in zip(labels, boxes, strict=True):
        for name in names:
            overlap = box.overlaps(name.get_window_extent(renderer))
            assert not overlap, (label.get_text(), name.get_text())


def test_placement_moves_a_label_off_its_neighbour() -> None:
    placed = place_labels([("A11", 0.0, 0.0), ("A12", 1.0, 0.5)])
    assert placed[0] != placed[1]
