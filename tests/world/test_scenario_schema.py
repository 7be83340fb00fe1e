"""The scenario file's JSON Schema accepts the scenario files moondust accepts, and the reference
page (docs/scenario-reference.md) is generated from it."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from moondust.world.policies import LEVERS
from moondust.world.scenario import builtin_scenarios
from moondust.world.scenario_schema import LEVER_MEANINGS, markdown_reference, scenario_json_schema

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "scenario-reference.md"


def test_reference_page_is_generated_from_the_schema() -> None:
    # Regenerate with `moondust schema --format markdown --out docs/scenario-reference.md`.
    assert PAGE.read_text(encoding="utf-8") == markdown_reference()


def test_every_lever_has_a_meaning() -> None:
    assert list(LEVER_MEANINGS) == list(LEVERS)


def test_schema_is_json_and_lists_the_names_a_file_may_use() -> None:
    schema = json.loads(json.dumps(scenario_json_schema()))
    assert schema["$schema"].endswith("2020-12/schema")
    assert "lunar_share" in schema["properties"]["parameters"]["properties"]
    assert "USA" in schema["properties"]["actors"]["propertyNames"]["enum"]


def _validator() -> object:
    jsonschema = pytest.importorskip("jsonschema")
    return jsonschema.Draft202012Validator(scenario_json_schema())


@pytest.mark.parametrize("name", sorted(builtin_scenarios()))
def test_builtin_scenarios_are_valid_under_the_schema(name: str) -> None:
    data = tomllib.loads(builtin_scenarios()[name].read_text(encoding="utf-8"))
    errors = list(_validator().iter_errors(data))  # type: ignore[attr-defined]
    assert not errors, [error.message for error in errors]


@pytest.mark.parametrize(
    "data",
    [
        {"parameters": {"no_such_parameter": 1.0}},
        {"parameters": {"lunar_share": 2.0}},
        {"actors": {"ATLANTIS": {"civil_usd_bn": 1.0}}},
        {"policies": {"actors": {"USA": {"preset": "status-quo", "openness": 1.5}}}},
        {"relations": {"rivalry": [["USA", "CHN", 2.0]]}},
        {"simulation": {"runs": 0}},
        {"uncertainties": {"lunar_share": {"dist": "gamma"}}},
    ],
)
def test_schema_refuses_what_moondust_refuses(data: dict[str, object]) -> None:
    assert list(_validator().iter_errors(data))  # type: ignore[attr-defined]
