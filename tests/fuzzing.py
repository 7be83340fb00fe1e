"""Hypothesis strategies and settings shared by the fuzz suites (tests/*/test_*_fuzz.py).

Strategies generate scenarios as read from TOML, valid but extreme (every number inside its
validity bounds, often on them) or anything at all (wrong types, NaN and infinity, huge integers,
unknown names, unicode). Under ``CI=true`` examples are derandomized, so CI never flakes on a new
one; locally they are random and ``MOONDUST_FUZZ_SCALE`` (default 1) multiplies their number.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from moondust.engine.params import EngineParameters
from moondust.limits import DESCRIPTION_MAX_CHARS, MAX_RUNS, MAX_SEED, NAME_MAX_CHARS
from moondust.world.ids import ACTOR_IDS, BASE_YEAR
from moondust.world.policies import LEVERS, PRESETS, SWITCHES, policy_setting_bounds
from moondust.world.scenario import BLOC_CLASSES, NORMAL_MIN_SD

CI = os.environ.get("CI", "").lower() == "true"
SCALE = float(os.environ.get("MOONDUST_FUZZ_SCALE", "1"))


def fuzz_settings(examples: int) -> settings:
    """Settings of one fuzz test: ``examples`` cases, reproducible under CI."""
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=None,
        derandomize=CI,
        database=None if CI else settings.default.database,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


PARAMETERS = list(EngineParameters.model_fields)
SPECS = EngineParameters.specs()

WEIRD_NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([0, 1, -1, -0.0, 5e-324, 1e308, -1e308, 2**63, 2**63 - 1, 2**64, 10**400]),
)
TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "../..", "a/b", "ünïcødé 月", "\x00", "x" * 300, "tab\there"]),
)
ANY_VALUE = st.one_of(WEIRD_NUMBERS, st.booleans(), TEXT, st.lists(WEIRD_NUMBERS, max_size=3))


def inside(low: float, high: float) -> st.SearchStrategy[float]:
    """Valid but extreme numbers: anywhere in ``low``..``high``, often exactly on an end."""
    return st.one_of(st.floats(min_value=low, max_value=high), st.sampled_from([low, high]))


def around(low: float, high: float) -> st.SearchStrategy[Any]:
    """Numbers mostly near ``low``..``high`` (inside, on and just past the ends), some weird."""
    span = max(high - low, 1.0)
    return st.one_of(
        st.floats(min_value=low, max_value=high),
        st.floats(min_value=low - span, max_value=high + span),
        st.sampled_from([low, high, -low, 100 * high + 1]),
        WEIRD_NUMBERS,
    )


def parameter_value(name: str, valid: bool = False) -> st.SearchStrategy[Any]:
    if valid:  # anywhere within the validity bounds, the caps included
        bounds = EngineParameters.validity(name)
        return st.floats(
            bounds.low, bounds.high, exclude_min=bounds.low_open, exclude_max=bounds.high_open
        )
    spec = SPECS[name]
    return around(spec.low, spec.high)


PARAMETER_NAMES = st.one_of(st.sampled_from(PARAMETERS), st.sampled_from(["nope", "", "Ω"]))
LEVER_NAMES = st.one_of(st.sampled_from([*LEVERS, "tolerance"]), TEXT)
ACTORS = st.one_of(st.sampled_from(ACTOR_IDS), st.sampled_from(["MARS", "", "usa"]))
PRESET_NAMES = st.one_of(
    st.sampled_from(sorted(PRESETS)),
    st.sampled_from(["anarchy", "nosuchmodule:Policy", "moondust.world.policies:Observation"]),
)


@st.composite
def policy_choice(draw: st.DrawFn, valid: bool = False) -> Any:
    if valid:
        preset = draw(st.sampled_from(sorted(PRESETS)))
        names = st.sampled_from([*LEVERS, *(["tolerance"] if preset == "reciprocal" else [])])
        levers = {}
        for lever in draw(st.lists(names, max_size=3, unique=True)):
            low, high = policy_setting_bounds(lever)
            switch = lever in SWITCHES
            levers[lever] = draw(st.sampled_from([0.0, 1.0]) if switch else inside(low, high))
        return {"preset": preset, **levers}
    if draw(st.booleans()):
        return draw(PRESET_NAMES)
    levers = draw(st.dictionaries(LEVER_NAMES, around(0.0, 1.0), max_size=3))
    return {"preset": draw(PRESET_NAMES), **levers}


@st.composite
def distribution(draw: st.DrawFn, name: str, valid: bool = False) -> Any:
    if valid:  # inside the validity bounds; a normal anywhere with its mean inside
        bounds = EngineParameters.validity(name)
        ends = sorted(draw(st.lists(parameter_value(name, True), min_size=3, max_size=3)))
        kind = draw(st.sampled_from(["uniform", "triangular", "normal"]))
        if kind == "normal" or ends[0] == ends[2]:
            # The schema refuses sd < NORMAL_MIN_SD × max(1, |mean|): valid ones start above it
            # (a fixed 1e-6 floor met the rule exactly at mean 1000 and failed by rounding).
            smallest = 2 * NORMAL_MIN_SD * max(1.0, abs(ends[1]))
            sd = draw(st.floats(smallest, max(10 * max(bounds.high - bounds.low, 1.0), smallest)))
            return {"dist": "normal", "mean": ends[1], "sd": sd}
        if kind == "uniform":
            return {"dist": "uniform", "low": ends[0], "high": ends[2]}
        return {"dist": "triangular", "low": ends[0], "mode": ends[1], "high": ends[2]}
    spec = SPECS.get(name)
    low, high = (spec.low, spec.high) if spec else (0.0, 1.0)
    kind = draw(st.sampled_from(["uniform", "triangular", "normal", "loguniform", "beta"]))
    value = around(low, high)
    fields = {
        "uniform": ("low", "high"),
        "loguniform": ("low", "high"),
        "triangular": ("low", "mode", "high"),
        "normal": ("mean", "sd"),
        "beta": ("low",),
    }[kind]
    chosen = {field: draw(value) for field in fields if draw(st.integers(0, 9))}  # some missing
    if kind in ("uniform", "loguniform", "triangular") and draw(st.booleans()):
        ordered = sorted(draw(st.lists(st.floats(low, high), min_size=3, max_size=3)))
        chosen.update(low=ordered[0], mode=ordered[1], high=ordered[2])
        if kind != "triangular":
            del chosen["mode"]
    return {"dist": kind, **chosen}


@st.composite
def valid_scenario_dict(draw: st.DrawFn) -> dict[str, Any]:
    """A valid but extreme scenario: numbers anywhere inside their bounds, often on them."""
    actors = st.sampled_from(ACTOR_IDS)
    names = draw(st.lists(st.sampled_from(PARAMETERS), max_size=4, unique=True))
    uncertain = draw(st.lists(st.sampled_from(PARAMETERS), max_size=2, unique=True))
    ordered = ("mining_sites", "shell_floor_km", "shell_ceiling_km")
    uncertain = [n for n in uncertain if n not in ordered]
    override = st.fixed_dictionaries(
        {},
        optional={
            "civil_usd_bn": inside(0.0, 10_000.0),
            "military_usd_bn": inside(0.0, 10_000.0),
            "gdp_growth_pct": inside(-10.0, 15.0),
        },
    )
    pairs = st.lists(actors, min_size=2, max_size=2, unique=True)
    data = {
        "simulation": {"end": BASE_YEAR + 3, "seed": draw(st.sampled_from([0, MAX_SEED]))},
        "parameters": {n: draw(parameter_value(n, True)) for n in names},
        "policies": {
            "default": draw(policy_choice(True)),
            "actors": draw(st.dictionaries(actors, policy_choice(True), max_size=2)),
        },
        "actors": draw(st.dictionaries(actors, override, max_size=3)),
        "relations": {"add_sanctions": draw(st.lists(pairs, max_size=1))},
        "uncertainties": {n: draw(distribution(n, True)) for n in uncertain},
    }
    parameters = data["parameters"]
    floor = parameters.get("shell_floor_km", SPECS["shell_floor_km"].default)
    if floor >= parameters.get("shell_ceiling_km", SPECS["shell_ceiling_km"].default):
        parameters.pop("shell_floor_km", None)
        parameters.pop("shell_ceiling_km", None)
    return data


@st.composite
def scenario_dict(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario as read from TOML: each section present or not, valid or not."""
    data: dict[str, Any] = {}
    if draw(st.booleans()):
        data["name"] = draw(TEXT)
    if draw(st.integers(0, 3)) == 0:
        data["description"] = draw(st.one_of(TEXT, st.just("d" * (DESCRIPTION_MAX_CHARS + 1))))
    if draw(st.booleans()):
        simulation = {
            "start": draw(st.one_of(st.just(BASE_YEAR), WEIRD_NUMBERS)),
            "end": draw(st.one_of(st.integers(BASE_YEAR - 1, 2400), WEIRD_NUMBERS)),
            "runs": draw(st.one_of(st.integers(-1, MAX_RUNS + 1), WEIRD_NUMBERS)),
            "seed": draw(st.one_of(st.integers(-1, MAX_SEED + 1), WEIRD_NUMBERS)),
        }
        keep = draw(st.sets(st.sampled_from(sorted(simulation))))
        data["simulation"] = {k: v for k, v in simulation.items() if k in keep}
    if draw(st.booleans()):
        names = draw(st.lists(PARAMETER_NAMES, max_size=3))
        data["parameters"] = {
            n: draw(parameter_value(n) if n in SPECS else ANY_VALUE) for n in names
        }
    if draw(st.booleans()):
        data["policies"] = {
            "default": draw(policy_choice()),
            "blocs": draw(
                st.dictionaries(st.sampled_from(BLOC_CLASSES), policy_choice(), max_size=2)
            ),
            "actors": draw(st.dictionaries(ACTORS, policy_choice(), max_size=2)),
        }
    if draw(st.booleans()):
        override = st.fixed_dictionaries(
            {},
            optional={
                "civil_usd_bn": around(0.0, 10_000.0),
                "military_usd_bn": around(0.0, 10_000.0),
                "gdp_growth_pct": around(-10.0, 15.0),
            },
        )
        data["actors"] = draw(st.dictionaries(ACTORS, override, max_size=3))
    if draw(st.booleans()):
        pair = st.lists(ACTORS, min_size=1, max_size=3)
        data["relations"] = {
            "add_sanctions": draw(st.lists(pair, max_size=2)),
            "remove_sanctions": draw(st.lists(pair, max_size=2)),
            "rivalry": draw(
                st.lists(st.tuples(ACTORS, ACTORS, around(0.0, 1.0)).map(list), max_size=3)
            ),
        }
    if draw(st.booleans()):
        names = draw(st.lists(PARAMETER_NAMES, max_size=3, unique=True))
        data["uncertainties"] = {n: draw(distribution(n)) for n in names}
    if draw(st.integers(0, 3)) == 0:
        target = draw(st.one_of(st.sampled_from(BLOC_CLASSES), ACTORS))
        axes = draw(
            st.dictionaries(
                st.one_of(st.just("preset"), LEVER_NAMES),
                st.lists(st.one_of(around(0.0, 1.0), PRESET_NAMES), max_size=3),
                max_size=2,
            )
        )
        data["levers"] = {target: axes}
    return data


def beyond(name: str) -> st.SearchStrategy[Any]:
    """Numbers on, just inside and past a parameter's validity bounds (caps included)."""
    bounds = EngineParameters.validity(name)
    return st.one_of(
        st.sampled_from(
            [
                bounds.low,
                bounds.high,
                bounds.low - 1e-9 * max(abs(bounds.low), 1.0),
                bounds.high * (1 + 1e-9) + 1e-9,
                1.5 * bounds.high,
                bounds.low / 2,
            ]
        ),
        parameter_value(name),
    )


@st.composite
def mutated_scenario_dict(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario with ONE field made extreme or wrong, so that field's check decides."""
    data = draw(valid_scenario_dict())
    actor = draw(st.sampled_from(ACTOR_IDS))
    other = draw(st.sampled_from(ACTOR_IDS))
    name = draw(st.sampled_from(PARAMETERS))
    lever = draw(st.one_of(st.sampled_from(LEVERS), st.just("tolerance")))
    kind = draw(
        st.sampled_from(
            [
                "simulation",
                "parameter",
                "lever",
                "actor",
                "sanction",
                "rivalry",
                "uncertainty",
                "lever grid",
                "text",
            ]
        )
    )
    if kind == "simulation":
        field = draw(st.sampled_from(["start", "end", "runs", "seed"]))
        data["simulation"][field] = draw(
            st.one_of(WEIRD_NUMBERS, st.integers(-1, 2400), st.just(MAX_SEED + 1))
        )
    elif kind == "parameter":
        data["parameters"] = {name: draw(beyond(name))}
    elif kind == "lever":
        preset = draw(PRESET_NAMES)
        data["policies"]["default"] = {"preset": preset, lever: draw(around(0.0, 1.0))}
    elif kind == "actor":
        field, low, high = draw(
            st.sampled_from(
                [
                    ("civil_usd_bn", 0.0, 10_000.0),
                    ("military_usd_bn", 0.0, 10_000.0),
                    ("gdp_growth_pct", -10.0, 15.0),
                ]
            )
        )
        data["actors"] = {actor: {field: draw(around(low, high))}}
    elif kind == "sanction":
        section = draw(st.sampled_from(["add_sanctions", "remove_sanctions"]))
        data["relations"] = {section: [[actor, other]]}
        if draw(st.booleans()):  # the same pair both added and removed
            data["relations"] = {
                "add_sanctions": [[actor, other]],
                "remove_sanctions": [[other, actor]],
            }
    elif kind == "rivalry":
        entries = [[actor, other, draw(around(0.0, 1.0))]]
        data["relations"] = {"rivalry": entries * draw(st.integers(1, 2))}
    elif kind == "uncertainty":
        name = draw(st.one_of(st.just(name), st.sampled_from(["mining_sites", "shell_floor_km"])))
        data["uncertainties"] = {name: draw(distribution(name, draw(st.booleans())))}
        if name in ("shell_floor_km", "shell_ceiling_km"):
            data["parameters"] = {}
    elif kind == "lever grid":
        target = draw(st.one_of(st.sampled_from(BLOC_CLASSES), st.just(actor)))
        presets = draw(
            st.lists(st.sampled_from(sorted(PRESETS)), min_size=1, max_size=2, unique=True)
        )
        values = draw(st.lists(around(0.0, 1.0), min_size=1, max_size=2))
        data["levers"] = {target: {"preset": presets, lever: values}}
    else:
        field = draw(st.sampled_from(["name", "description"]))
        data[field] = draw(st.one_of(TEXT, st.just("n" * (NAME_MAX_CHARS + 1))))
    return data
