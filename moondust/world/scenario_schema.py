"""The scenario file's JSON Schema and its reference page (``moondust schema``).

:func:`scenario_json_schema` is the JSON Schema of :class:`~moondust.world.scenario.Scenario`
as a scenario file writes it: a policy may be a bare preset name, a rivalry a ``[A, B, w]`` list,
and the names that must be known (actor ids, engine parameters, levers, bloc classes) are listed,
so an editor with a TOML language server completes and checks a scenario file.
:func:`markdown_reference` renders it as ``docs/scenario-reference.md`` (a test keeps the page in
step with the schema).

>>> schema = scenario_json_schema()
>>> sorted(schema["properties"])[:3]
['actors', 'description', 'levers']
>>> schema["properties"]["parameters"]["properties"]["lunar_share"]["default"]
0.44
"""

from __future__ import annotations

import copy
import math
from typing import Any

from moondust.engine_parameters import EngineParameters
from moondust.world.blocs import BLOC_CLASSES
from moondust.world.ids import ACTOR_IDS
from moondust.world.policies import LEVER_BOUNDS, LEVERS, PRESETS, SWITCHES
from moondust.world.scenario import Scenario

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

LEVER_MEANINGS: dict[str, str] = {
    "openness": "how much of its technology and data an actor shares (scales spillovers β)",
    "emulation": "how strongly a rival's or partner's milestone inspires civil effort",
    "rivalry": "how strongly a rival's milestone is felt as a threat (military, race)",
    "reaction": "Richardson reaction k to rivals' military shares",
    "restraint": "Richardson restraint a on its own military share",
    "coordinate": "coordinate R&D with its bloc partners (an R&D cartel), 0 or 1",
    "station_openness": "share of its station seats open to foreign crews (M4)",
    "shared_sites": "share mining sites with partners instead of exclusive zones (M5), 0 or 1",
    "asat_allowed": "may test destructive anti-satellite weapons (M7), 0 or 1",
}
"""What each lever of :data:`~moondust.world.policies.LEVERS` means (docs/model.md, Policies)."""


def _lever_schema(name: str) -> dict[str, Any]:
    low, high = LEVER_BOUNDS[name]
    if name in SWITCHES:
        return {"enum": [0, 1], "description": LEVER_MEANINGS[name]}
    return {"type": "number", "minimum": low, "maximum": high, "description": LEVER_MEANINGS[name]}


def _parameter_schemas() -> dict[str, dict[str, Any]]:
    """One property per engine parameter: its meaning, unit, default and validity bounds."""
    properties: dict[str, dict[str, Any]] = {}
    for name, spec in EngineParameters.specs().items():
        if name not in EngineParameters.model_fields:
            continue
        bounds = EngineParameters.validity(name)
        entry: dict[str, Any] = {
            "type": "number",
            "description": f"{spec.description} (unit: {spec.unit}; plausible range "
            f"{spec.range_text}; {spec.status})",
            "default": spec.default,
        }
        if math.isfinite(bounds.low):
            entry["exclusiveMinimum" if bounds.low_open else "minimum"] = bounds.low
        if math.isfinite(bounds.high):
            entry["exclusiveMaximum" if bounds.high_open else "maximum"] = bounds.high
        properties[name] = entry
    return properties


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file."""
    schema = copy.deepcopy(Scenario.model_json_schema(mode="validation"))
    defs = schema["$defs"]
    actor_names = {"enum": list(ACTOR_IDS)}
    parameters = _parameter_schemas()
    parameter_names = {"enum": list(parameters)}

    # A policy: a preset name, or a table with the preset and lever overrides.
    choice = defs["PolicyChoice"]
    choice["properties"].update({lever: _lever_schema(lever) for lever in LEVERS})
    choice["properties"]["preset"]["examples"] = list(PRESETS)
    defs["PolicyChoice"] = {
        "description": choice.pop("description"),
        "anyOf": [{"type": "string", "description": "a preset or policy name"}, choice],
    }
    defs["Policies"]["properties"]["actors"]["propertyNames"] = actor_names

    # A rivalry entry: [A, B, w] in the file.
    entry = defs["RivalryEntry"]
    defs["RivalryEntry"] = {
        "description": entry.pop("description"),
        "anyOf": [
            {
                "type": "array",
                "prefixItems": [
                    actor_names,
                    actor_names,
                    {"type": "number", "minimum": 0, "maximum": 1},
                ],
                "minItems": 3,
                "maxItems": 3,
            },
            entry,
        ],
    }
    for key in ("add_sanctions", "remove_sanctions"):
        defs["Relations"]["properties"][key]["items"]["items"] = actor_names

    top = schema["properties"]
    top["parameters"]["properties"] = parameters
    top["parameters"]["additionalProperties"] = False
    top["actors"]["propertyNames"] = actor_names
    top["uncertainties"]["propertyNames"] = parameter_names
    top["levers"]["propertyNames"] = {"enum": [*BLOC_CLASSES, *ACTOR_IDS]}
    schema["title"] = "moondust scenario"
    return {"$schema": SCHEMA_DIALECT, **schema}


# --- the reference page ------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref:
        resolved = schema["$defs"][ref.rsplit("/", 1)[-1]]
        return {**resolved, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _type(schema: dict[str, Any], node: dict[str, Any]) -> str:
    node = _resolve(schema, node)
    if node.get("enum") == list(ACTOR_IDS):
        return "actor id"
    if "enum" in node:
        return " \\| ".join(f"`{value}`" for value in node["enum"])
    if "anyOf" in node:
        kinds = [_type(schema, option) for option in node["anyOf"] if option.get("type") != "null"]
        return " or ".join(dict.fromkeys(kinds))
    kind = node.get("type", "")
    if kind == "array":
        if "prefixItems" in node:
            return "[" + ", ".join(_type(schema, item) for item in node["prefixItems"]) + "]"
        return f"list of {_type(schema, node.get('items', {}))}"
    if kind == "object" and "title" in node and node.get("properties"):
        return "table"
    if kind == "object":
        return "table"
    return {"integer": "integer", "number": "number", "string": "string"}.get(kind, kind or "any")


def _range(node: dict[str, Any]) -> str:
    for option in node.get("anyOf", []):
        if option.get("type") != "null" and {"minimum", "maximum", "exclusiveMinimum"} & set(
            option
        ):
            node = option
    low = node.get("minimum", node.get("exclusiveMinimum"))
    high = node.get("maximum", node.get("exclusiveMaximum"))
    if low is None and high is None:
        return ""
    left = "(" if "exclusiveMinimum" in node else "["
    right = ")" if "exclusiveMaximum" in node else "]"
    return f"{left}{_number(low)}, {_number(high)}{right}"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _default(node: dict[str, Any], required: bool) -> str:
    if "default" not in node:
        return "required" if required else "—"
    value = node["default"]
    if value in ({}, [], None, ""):
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{k} = {v!r}" for k, v in value.items())
    return f"`{value}`"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _sentence(text: str) -> str:
    text = _cell(text)
    return text[:1].upper() + text[1:]


def _field_table(
    schema: dict[str, Any],
    properties: dict[str, Any],
    prefix: str,
    required: tuple[str, ...] = (),
    defaults: dict[str, str] | None = None,
) -> list[str]:
    lines = ["| field | type | range | default | meaning |", "|---|---|---|---|---|"]
    for name, node in properties.items():
        default = (defaults or {}).get(name) or _default(node, name in required)
        resolved = _resolve(schema, node)
        meaning = node.get("description") or resolved.get("description", "")
        lines.append(
            f"| `{prefix}{name}` | {_type(schema, node)} | {_range(resolved)} | {default} "
            f"| {_cell(meaning)} |"
        )
    return lines


def markdown_reference() -> str:
    """The scenario file reference (``docs/scenario-reference.md``), generated from the schema."""
    schema = scenario_json_schema()
    top = schema["properties"]
    defs = schema["$defs"]
    out = [
        "# Scenario file reference",
        "",
        "<!-- Generated from the scenario schema by `moondust schema --format markdown`; "
        "do not edit (tests/world/test_scenario_schema.py fails when it is stale). -->",
        "",
        "A scenario is a TOML file; every section and field is optional. `moondust schema` writes "
        "its JSON Schema, so an editor with a TOML language server (Taplo, Even Better TOML) "
        "completes and checks scenario files: put "
        "`#:schema ./scenario.schema.json` on the first line after "
        "`moondust schema --out scenario.schema.json`. The built-in scenarios in "
        "`moondust/scenarios/` are complete examples; `moondust validate FILE` checks one.",
        "",
        "## Top level",
        "",
        *_field_table(schema, {k: v for k, v in top.items() if k in ("name", "description")}, ""),
        "",
    ]
    sections = [
        ("simulation", "[simulation]", defs["Simulation"]["properties"], "simulation."),
        ("policies", "[policies]", defs["Policies"]["properties"], "policies."),
        ("relations", "[relations]", defs["Relations"]["properties"], "relations."),
    ]
    for key, title, properties, prefix in sections:
        out += [f"## `{title}`", "", _sentence(top[key]["description"]) + ".", ""]
        out += [*_field_table(schema, properties, prefix), ""]
    choice = defs["PolicyChoice"]["anyOf"][1]
    out += [
        "### A policy",
        "",
        "Each policy (`policies.default`, `policies.blocs.<class>`, `policies.actors.<ACTOR>`) is "
        'a preset name, `"cutthroat"`, or a table with the preset and levers set beside it, '
        '`{ preset = "status-quo", asat_allowed = 0 }`. A preset\'s own parameters may be set '
        "too (`moondust` checks them).",
        "",
        *_field_table(
            schema,
            choice["properties"],
            "",
            required=tuple(choice["required"]),
            defaults=dict.fromkeys(LEVERS, "the preset's"),
        ),
        "",
        f"Bloc classes: {', '.join(f'`{b}`' for b in BLOC_CLASSES)}. "
        f"Actor ids: {', '.join(f'`{a}`' for a in ACTOR_IDS)}.",
        "",
        "## `[actors.<ACTOR>]`",
        "",
        _sentence(top["actors"]["description"]) + ".",
        "",
        *_field_table(schema, defs["ActorOverride"]["properties"], ""),
        "",
        "## `[uncertainties.<parameter>]`",
        "",
        _sentence(top["uncertainties"]["description"])
        + "; the values must stay within the parameter's validity bounds (listed below).",
        "",
        *_field_table(
            schema,
            defs["Distribution"]["properties"],
            "",
            required=tuple(defs["Distribution"]["required"]),
        ),
        "",
        "## `[levers.<target>]`",
        "",
        _sentence(top["levers"]["description"])
        + ". A lever is `preset` (a list of policy names) or one of the levers above, with a "
        "list of distinct values; each combination is one variant of the scenario.",
        "",
        "## `[parameters]`",
        "",
        _sentence(top["parameters"]["description"])
        + ". Range is the validity bound (a value outside it is refused); the plausible range "
        "and the source of each value are in [the model](model.md).",
        "",
        *_field_table(schema, top["parameters"]["properties"], ""),
        "",
    ]
    return "\n".join(out)
