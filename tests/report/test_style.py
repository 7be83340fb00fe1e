"""The shared chart style: one bloc palette for the report and the explorer."""

from __future__ import annotations

from moondust.dashboard import figures as explorer
from moondust.report import style
from moondust.results import BLOC_CLASSES


def test_every_bloc_class_has_one_okabe_ito_colour_and_a_full_style() -> None:
    assert set(style.BLOC_COLOUR) == set(style.BLOC_STYLE) == set(style.BLOC_LABEL)
    assert set(style.BLOC_COLOUR) == set(BLOC_CLASSES)
    assert set(style.BLOC_COLOUR.values()) <= set(style.OKABE_ITO)
    for bloc, (colour, hatch, line, marker) in style.BLOC_STYLE.items():
        assert colour == style.BLOC_COLOUR[bloc] and hatch and line and marker
    # hatch, line style and marker each tell the blocs apart without colour
    for k in range(1, 4):
        assert len({s[k] for s in style.BLOC_STYLE.values()}) == len(style.BLOC_STYLE)


def test_explorer_blocs_take_the_report_colours() -> None:
    assert explorer.BLOC_STYLE["artemis"][0] == style.BLOC_COLOUR["artemis"]
    assert explorer.BLOC_STYLE["ilrs"][0] == style.BLOC_COLOUR["ilrs"]
    assert explorer.BLOC_STYLE["other"][0] == style.BLOC_COLOUR["neither"]
    assert set(explorer.SINGLE_COLOUR.values()) <= set(style.OKABE_ITO)
