"""Parameter tables: typed objects, cited CSVs and docs/model.md stay in step."""

from __future__ import annotations

from pathlib import Path

import pytest

from moondust.engine.params import EngineParameters
from moondust.errors import ParameterError
from moondust.moon import MoonParameters
from moondust.parameters import (
    STATUSES,
    ParameterSet,
    load_specs,
    markdown_table,
    parse_assignments,
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "model.md"
PARAMETER_SETS = [MoonParameters, EngineParameters]


@pytest.mark.parametrize("cls", PARAMETER_SETS)
def test_fields_match_the_table_and_defaults_lie_in_range(cls: type[ParameterSet]) -> None:
    specs = cls.specs()
    assert set(cls.model_fields) == set(specs) and len(cls.model_fields) == len(specs)
    defaults = cls()
    for name, spec in specs.items():
        assert getattr(defaults, name) == spec.default
        assert spec.low <= spec.default <= spec.high, name
        assert spec.source.strip() and spec.unit.strip(), name
        assert spec.status in STATUSES


@pytest.mark.parametrize("cls", PARAMETER_SETS)
def test_docs_model_md_has_the_current_table(cls: type[ParameterSet]) -> None:
    # docs/model.md embeds the generated table; regenerate it with
    # `python -c "from moondust.parameters import markdown_table; print(markdown_table('moon'))"`.
    text = DOCS.read_text(encoding="utf-8")
    for table in (cls.table, *cls.extra_tables):
        assert markdown_table(table) in text, table


def test_overrides_parse_numbers_and_suggest_names() -> None:
    params = MoonParameters().with_overrides(parse_assignments(["regolith_mare_m=7.5"]))
    assert params.regolith_mare_m == 7.5
    with pytest.raises(ParameterError, match="did you mean regolith_mare_m"):
        MoonParameters().with_overrides({"regolith_mare": 1})
    with pytest.raises(ParameterError, match="greater than 0"):
        MoonParameters().with_overrides({"omat_mare": "0"})
    with pytest.raises(ParameterError, match="finite"):
        MoonParameters().with_overrides({"omat_mare": "nan"})
    with pytest.raises(ParameterError, match="NAME=VALUE"):
        parse_assignments(["regolith_mare_m"])


def test_parameter_objects_are_immutable() -> None:
    params = MoonParameters()
    with pytest.raises(Exception, match="frozen"):
        params.omat_mare = 0.3  # type: ignore[misc]


def test_every_table_loads() -> None:
    assert "he3_tio2_coefficient" in load_specs("moon")


def test_docs_model_md_has_the_current_ladder() -> None:
    from moondust.engine.ladder import markdown_table as ladder_table

    assert ladder_table() in DOCS.read_text(encoding="utf-8")


def test_docs_model_md_has_the_current_stations_table() -> None:
    from moondust.engine.stations import markdown_table as stations_table

    assert stations_table() in DOCS.read_text(encoding="utf-8")
