"""The explorer's state and what it means for the model (no Solara here, so it is easy to test).

:class:`Settings` is one immutable value: the policy levers a user moved for each bloc, the
assumptions (engine parameters) they changed, and the view (runs, horizon, modified baseline,
the Moon page's year, the Compare page's scenarios). :func:`build_scenario` applies it to a base
scenario; :func:`to_query` / :func:`from_query` put it in the URL (only what differs from the
defaults, so links stay short); :func:`scenario_toml` writes a scenario file the command line reads;
:func:`parse_upload` reads one with the same checks and error messages as ``moondust validate``.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import re
import urllib.parse
import zlib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from moondust.engine_parameters import EngineParameters
from moondust.errors import InputFileError
from moondust.limits import parse_toml
from moondust.world.policies import LEVERS, check_policy_name, policy_names
from moondust.world.scenario import (
    Policies,
    PolicyChoice,
    Scenario,
    builtin_scenarios,
    load_scenario,
    parse_scenario,
)

log = logging.getLogger("moondust.explorer")
"""One line per refused visitor input (never a traceback: visitors' input is not a fault)."""

QUERY_VERSION = "1"
"""Version of the URL's query string (``v=1``), so old links can be read after changes."""

BLOCS: tuple[str, ...] = ("artemis", "ilrs")
BLOC_NAMES = {"artemis": "Artemis Accords bloc", "ilrs": "ILRS bloc"}
BLOC_SHORT = {"artemis": "Artemis", "ilrs": "ILRS", "both": "both blocs", "neither": "neither"}
LEAD_ACTOR = {"artemis": "USA", "ilrs": "CHN"}
"""Whose levers a bloc's controls show until the user moves them (then they apply to all)."""

MAX_RUNS = 200
"""Most Monte Carlo runs one update may ask for (URL values above it are capped)."""
RUN_CHOICES: tuple[int, ...] = (50, 100, 200)
DEFAULT_RUNS = 200
HORIZON_CHOICES: tuple[int, ...] = (2050, 2060, 2075, 2100)
DEFAULT_END = 2060
"""The explorer simulates to 2060 unless asked (He-3 is first delivered around 2040)."""

MAX_UPLOAD_BYTES = 64 * 1024
"""Largest scenario file the explorer accepts (the built-in ones are about 1–2 KB)."""
MAX_LINK_CHARS = 6000
"""Largest encoded uploaded scenario kept in a share link."""


@dataclass(frozen=True)
class Control:
    """One control: a slider (``low``–``high`` by ``step``) or a choice between ``choices``."""

    name: str
    label: str
    help: str
    low: float = 0.0
    high: float = 1.0
    step: float = 0.05
    choices: tuple[tuple[str, Any], ...] = ()

    @property
    def is_choice(self) -> bool:
        """A choice (buttons) rather than a slider."""
        return bool(self.choices)

    def clamp(self, value: Any) -> Any:
        """A value within the control's range (choices: one of them), or ValueError."""
        if self.is_choice:
            allowed = [v for _, v in self.choices]
            for option in allowed:
                if isinstance(option, float) and not isinstance(value, str):
                    if float(value) == option:
                        return option
                elif str(value) == str(option):
                    return option
            raise ValueError(f"{self.name}: expected one of {allowed}, got {value!r}")
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{self.name}: not a finite number")
        number = min(max(number, self.low), self.high)
        return round(number, 6)


POLICY_CONTROLS: tuple[Control, ...] = (
    Control(
        "preset",
        "Starting policy",
        "Sets every lever below to the preset's values for the whole bloc; moving a lever then "
        "changes that lever alone.",
        choices=(
            ("status quo", "status-quo"),
            ("cut-throat", "cutthroat"),
            ("emulation", "emulation"),
            ("reciprocal", "reciprocal"),
        ),
    ),
    Control(
        "openness",
        "Openness: technology and data shared (0–1)",
        "Scales the knowledge spillovers partners get from this bloc's programmes.",
    ),
    Control(
        "rivalry",
        "Rivalry: a rival's milestone felt as a threat (0–1)",
        "Raises the military share and races civil effort after a rival's success.",
    ),
    Control(
        "reaction",
        "Military reaction to rivals' arming (Richardson k, per year)",
        "How strongly the military share of the space budget follows rivals' military shares.",
        high=0.5,
        step=0.01,
    ),
    Control(
        "restraint",
        "Military restraint (Richardson a, per year)",
        "How strongly the bloc pulls its own military share back down.",
        high=0.5,
        step=0.01,
    ),
    Control(
        "emulation",
        "Emulation: a rival's milestone inspires civil effort (0–1)",
        "Civil budget surge and faster learning after anyone's milestone.",
    ),
    Control(
        "station_openness",
        "Station seats open to foreign crews (share, 0–1)",
        "Joint crews raise spillovers and may soften rivalries.",
    ),
    Control(
        "shared_sites",
        "He-3 mining sites",
        "Exclusive zones, or sites shared with partners as joint bases.",
        choices=(("exclusive", 0.0), ("shared", 1.0)),
    ),
    Control(
        "asat_allowed",
        "Destructive anti-satellite (ASAT) tests",
        "A ban stops this bloc's destructive tests (and the debris they make).",
        choices=(("allowed", 1.0), ("banned", 0.0)),
    ),
)
POLICY_BY_NAME = {c.name: c for c in POLICY_CONTROLS}

ASSUMPTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "fusion_rd_fraction",
        "Fusion breakthrough timing: share of R&D on D-He3 fusion",
        "More fusion R&D brings the D-He3 demonstration and power plants earlier.",
    ),
    ("spillover_max", "Spillover strength between open partners (β max)", ""),
    ("launch_learning_rate", "Landing-cost learning per doubling of mass landed", ""),
    ("crowd_out", "Crowd-out: military growth taken from the civil budget", ""),
    ("growth_drag", "Growth drag of military burden (per year)", ""),
)


@cache
def assumption_controls() -> tuple[Control, ...]:
    """Sliders over each assumption's cited range (``moondust params engine``)."""
    specs = EngineParameters.specs()
    controls = []
    for name, label, extra in ASSUMPTIONS:
        spec = specs[name]
        step = _nice_step((spec.high - spec.low) / 20)
        unit = "" if spec.unit in ("1", "") else f", {spec.unit}"
        help_text = " ".join(
            part
            for part in (extra, spec.description + ".", f"Default {spec.default:g}.", spec.source)
            if part
        )
        controls.append(
            Control(
                name,
                f"{label} ({spec.low:g}–{spec.high:g}{unit})",
                help_text,
                low=spec.low,
                high=spec.high,
                step=step,
            )
        )
    return tuple(controls)


def _nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, at most ``raw``."""
    if raw <= 0:
        return 0.01
    power = 10 ** math.floor(math.log10(raw))
    for factor in (5, 2, 1):
        if factor * power <= raw:
            return float(f"{factor * power:.10g}")
    return float(f"{power:.10g}")


def assumption_by_name() -> dict[str, Control]:
    """Assumption controls keyed by parameter name."""
    return {c.name: c for c in assumption_controls()}


@cache
def actor_blocs() -> dict[str, str]:
    """Each actor's bloc class (artemis, ilrs, both, neither) from the packaged world."""
    from moondust.world.blocs import bloc_class_of
    from moondust.world.world import load_world

    world = load_world()
    return {
        actor: str(bloc_class_of(bool(a), bool(i)))
        for actor, a, i in zip(world.ids, world.artemis, world.ilrs, strict=True)
    }


# --- the state ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """Everything a user chose; immutable and hashable (so it can key caches and effects).

    ``levers`` holds ``(bloc, lever, value)`` for the levers moved (value: a number, or a preset
    name for ``preset``), ``assumptions`` holds ``(parameter, value)``; both sorted.
    """

    levers: tuple[tuple[str, str, Any], ...] = ()
    assumptions: tuple[tuple[str, float], ...] = ()
    runs: int = DEFAULT_RUNS
    end: int = DEFAULT_END
    modified_baseline: bool = True
    year: int | None = None
    compare_a: str = "current"
    compare_b: str = "cutthroat"

    def lever(self, bloc: str, name: str) -> Any:
        """The value the user set, or None."""
        for b, n, value in self.levers:
            if b == bloc and n == name:
                return value
        return None

    def bloc_levers(self, bloc: str) -> dict[str, Any]:
        """The levers the user set for a bloc."""
        return {n: v for b, n, v in self.levers if b == bloc}

    def with_lever(self, bloc: str, name: str, value: Any) -> Settings:
        """Set one lever; choosing a preset clears the bloc's other levers."""
        value = POLICY_BY_NAME[name].clamp(value)
        if name == "preset":
            kept = [item for item in self.levers if item[0] != bloc]
        else:
            kept = [item for item in self.levers if item[:2] != (bloc, name)]
        return replace(self, levers=tuple(sorted([*kept, (bloc, name, value)], key=_key)))

    def reset_bloc(self, bloc: str) -> Settings:
        """Forget every lever moved for a bloc."""
        return replace(self, levers=tuple(item for item in self.levers if item[0] != bloc))

    def assumption(self, name: str) -> float | None:
        """The value the user set, or None."""
        return dict(self.assumptions).get(name)

    def with_assumption(self, name: str, value: float) -> Settings:
        """Set one assumption (clamped to its cited range)."""
        value = assumption_by_name()[name].clamp(value)
        kept = {**dict(self.assumptions), name: value}
        return replace(self, assumptions=tuple(sorted(kept.items())))

    def reset_assumptions(self) -> Settings:
        """Forget every assumption changed."""
        return replace(self, assumptions=())

    @property
    def policies_changed(self) -> bool:
        """Any lever moved."""
        return bool(self.levers)

    @property
    def assumptions_changed(self) -> bool:
        """Any assumption changed."""
        return bool(self.assumptions)


def _key(item: tuple[str, str, Any]) -> tuple[str, str]:
    return item[0], item[1]


@dataclass(frozen=True)
class Base:
    """The scenario the explorer starts from: a built-in (by name) or an uploaded file."""

    scenario: Scenario
    builtin: str | None = None
    source: str = ""
    encoded: str | None = field(default=None, compare=False)
    """The uploaded scenario packed for the URL (None for built-ins, or when too large)."""

    @property
    def label(self) -> str:
        """What to call it on the page."""
        return self.builtin or f"{self.scenario.name} (from {self.source})"


def builtin_base(name: str) -> Base:
    """A built-in scenario as a base."""
    return Base(load_scenario(name, allow_import=False), builtin=name, source=name)


def base_from_file(path: str | Path) -> Base:
    """A base from a scenario TOML file (as ``moondust dashboard --scenario FILE``)."""
    scenario = load_scenario(path, allow_import=False)
    name = Path(path).name
    return Base(scenario, source=name, encoded=_encode_base(scenario))


def base_from_scenario(scenario: Scenario, source: str) -> Base:
    """A base from an uploaded, validated scenario."""
    return Base(scenario, source=source, encoded=_encode_base(scenario))


def _encode_base(scenario: Scenario) -> str | None:
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    packed = base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")
    return packed if len(packed) <= MAX_LINK_CHARS else None


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a scenario may hold")


def _decode_base(packed: str) -> Base:
    if len(packed) > MAX_LINK_CHARS:
        raise InputFileError("link: the packed scenario is too long")
    try:
        raw = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))
        inflater = zlib.decompressobj()
        text = inflater.decompress(raw, MAX_UPLOAD_BYTES)
        if inflater.unconsumed_tail:
            raise InputFileError("link: the packed scenario is too large")
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, zlib.error, RecursionError) as exc:
        raise InputFileError(f"link: cannot read the packed scenario: {exc}") from None
    if not isinstance(data, dict):
        raise InputFileError("link: the packed scenario is not a table")
    scenario = parse_scenario(data, source="link", allow_import=False)
    return Base(scenario, source="link", encoded=packed)


# --- scenarios ---------------------------------------------------------------------------------
def build_scenario(
    base: Scenario, settings: Settings, *, policies: bool = True, assumptions: bool = True
) -> Scenario:
    """The base scenario with the settings applied (levers, assumptions, horizon, runs).

    A lever moved for a bloc applies to every member: to the bloc's policy entry and to each
    actor entry of that bloc (actor entries otherwise take precedence in the engine).
    """
    data = base.model_dump()
    end = min(settings.end, base.simulation.end)
    data["simulation"] = {**data["simulation"], "end": end, "runs": settings.runs}
    if assumptions and settings.assumptions:
        data["parameters"] = {**base.parameters, **dict(settings.assumptions)}
    if policies and settings.levers:
        data["policies"] = _apply_levers(base.policies, settings)
    data["name"] = base.name if not (policies and settings.levers) else f"{base.name}-explored"
    return parse_scenario(data, source="explorer settings", allow_import=False)


def _apply_levers(policies: Policies, settings: Settings) -> dict[str, Any]:
    out = policies.model_dump()
    blocs = actor_blocs()
    for bloc in BLOCS:
        chosen = settings.bloc_levers(bloc)
        if not chosen:
            continue
        preset = chosen.pop("preset", None)
        start = policies.blocs.get(bloc) or policies.default  # type: ignore[call-overload]
        out["blocs"][bloc] = _merged(start, preset, chosen)
        for actor, choice in policies.actors.items():
            if blocs.get(actor) == bloc:
                out["actors"][actor] = _merged(choice, preset, chosen)
    return out


def _merged(choice: PolicyChoice, preset: str | None, levers: dict[str, Any]) -> dict[str, Any]:
    if preset is not None:
        return {"preset": preset, **levers}
    return {"preset": choice.preset, **choice.lever_overrides, **levers}


def _choice_for(scenario: Scenario, actor: str) -> PolicyChoice:
    policies = scenario.policies
    bloc = actor_blocs()[actor]
    found: PolicyChoice = (
        policies.actors.get(actor) or policies.blocs.get(bloc) or policies.default  # type: ignore[call-overload]
    )
    return found


def effective_levers(scenario: Scenario, actor: str) -> tuple[str, dict[str, float]]:
    """The preset and lever values an actor follows in a scenario."""
    choice = _choice_for(scenario, actor)
    return choice.preset, dict(choice.build(allow_import=False).values)


def bloc_lever_values(scenario: Scenario, bloc: str) -> dict[str, Any]:
    """What a bloc's controls show: its lead actor's preset and levers in ``scenario``."""
    preset, values = effective_levers(scenario, LEAD_ACTOR[bloc])
    return {"preset": preset, **values}


def bloc_members_with(scenario: Scenario, bloc: str, lever: str, value: float) -> tuple[int, int]:
    """How many of a bloc's members set ``lever`` to ``value``, and how many members it has."""
    members = [a for a, b in actor_blocs().items() if b == bloc]
    count = sum(1 for a in members if effective_levers(scenario, a)[1][lever] == value)
    return count, len(members)


# --- the URL -----------------------------------------------------------------------------------
def to_query(settings: Settings, base: Base, default_base: Base) -> str:
    """The query string that reproduces ``settings`` on ``base`` (only non-defaults)."""
    items: list[tuple[str, str]] = [("v", QUERY_VERSION)]
    if base.builtin is not None:
        if base.builtin != default_base.builtin:
            items.append(("s", base.builtin))
    elif base != default_base and base.encoded is not None:
        items.append(("src", base.encoded))
    for bloc, name, value in settings.levers:
        items.append((f"{bloc}.{name}", _text(value)))
    for name, value in settings.assumptions:
        items.append((f"p.{name}", _text(value)))
    defaults = Settings()
    for key, attr in (
        ("runs", "runs"),
        ("end", "end"),
        ("year", "year"),
        ("a", "compare_a"),
        ("b", "compare_b"),
    ):
        value = getattr(settings, attr)
        if value != getattr(defaults, attr) and value is not None:
            items.append((key, _text(value)))
    if settings.modified_baseline != defaults.modified_baseline:
        items.append(("mb", "1" if settings.modified_baseline else "0"))
    return urllib.parse.urlencode(items, safe=".-_")


def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def from_query(query: str | None, default_base: Base) -> tuple[Settings, Base, list[str]]:
    """Settings and base from a query string; bad items are skipped and reported (not fatal)."""
    settings = Settings()
    base = default_base
    problems: list[str] = []
    pairs = urllib.parse.parse_qsl((query or "").lstrip("?"), keep_blank_values=False)
    names = assumption_by_name()
    for key, value in pairs:
        try:
            if key == "v":
                continue
            if key == "s":
                if value not in builtin_scenarios():
                    raise ValueError(f"unknown built-in scenario {value!r}")
                base = builtin_base(value)
            elif key == "src":
                base = _decode_base(value)
            elif key.startswith("p."):
                name = key[2:]
                if name not in names:
                    raise ValueError(f"unknown assumption {name!r}")
                settings = settings.with_assumption(name, float(value))
            elif "." in key:
                bloc, name = key.split(".", 1)
                if bloc not in BLOCS or name not in POLICY_BY_NAME:
                    raise ValueError(f"unknown lever {key!r}")
                if name == "preset":  # only installed policies: a link never imports code
                    check_policy_name(value, allow_import=False)
                parsed: Any = value if name == "preset" else float(value)
                levers = settings.bloc_levers(bloc)
                settings = settings.with_lever(bloc, name, parsed)
                if name == "preset":  # a preset clears the others: put back those read before
                    for other, kept in levers.items():
                        if other != "preset":
                            settings = settings.with_lever(bloc, other, kept)
            elif key == "runs":
                settings = replace(settings, runs=min(max(int(value), 10), MAX_RUNS))
            elif key == "end":
                settings = replace(settings, end=_nearest(int(value), HORIZON_CHOICES))
            elif key == "year":
                settings = replace(settings, year=int(value))
            elif key in ("a", "b"):
                if value != "current" and value not in builtin_scenarios():
                    raise ValueError(f"unknown scenario {value!r}")
                if key == "a":
                    settings = replace(settings, compare_a=value)
                else:
                    settings = replace(settings, compare_b=value)
            elif key == "mb":
                settings = replace(settings, modified_baseline=value not in ("0", "false"))
            else:
                raise ValueError(f"unknown setting {key!r}")
        except (ValueError, InputFileError) as exc:
            problems.append(f"{key}: {short_error(str(exc))}")
        except Exception as exc:  # a visitor's link is never a fault of the server: one line
            log.warning(
                "refused link item %r: %s: %s", key[:40], type(exc).__name__, short_error(str(exc))
            )
            problems.append(f"{key}: not understood")
    return settings, base, problems


def short_error(message: str, limit: int = 300) -> str:
    """A visitor sees at most ``limit`` characters of an error."""
    return message if len(message) <= limit else f"{message[:limit]}…"


def _nearest(value: int, choices: tuple[int, ...]) -> int:
    return min(choices, key=lambda c: abs(c - value))


# --- scenario files ----------------------------------------------------------------------------
def upload_name(name: str) -> str:
    """The file name an uploaded file is reported under (no directories)."""
    return Path(str(name)).name or "scenario.toml"


def check_upload_size(name: str, size: int) -> None:
    """Refuse files above :data:`MAX_UPLOAD_BYTES` (InputFileError)."""
    if size > MAX_UPLOAD_BYTES:
        raise InputFileError(
            f"{name}: the file is {size / 1024:,.0f} KB; a scenario file may be at most "
            f"{MAX_UPLOAD_BYTES // 1024} KB"
        )


def parse_upload(name: str, data: bytes) -> Scenario:
    """Validate an uploaded scenario file exactly as ``moondust validate FILE`` does.

    Raises
    ------
    InputFileError
        With the same message the command line prints after ``moondust: error:``.
    """
    name = upload_name(name)
    check_upload_size(name, len(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{name}: cannot read: {exc}") from None
    parsed = parse_toml(text, source=name)  # bounded depth and numbers, as the command line
    parsed.setdefault("name", Path(name).stem)
    return parse_scenario(parsed, source=name, allow_import=False)


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def scenario_toml(scenario: Scenario, comment: str = "") -> str:
    """A scenario file (TOML) that ``moondust run FILE`` reads back to the same scenario."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    relations = data.get("relations", {})
    relations["rivalry"] = [[r["a"], r["b"], r["intensity"]] for r in relations.get("rivalry", [])]
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    lines += _table_lines([], data)
    return "\n".join(lines).strip() + "\n"


def _table_lines(path: list[str], table: dict[str, Any]) -> list[str]:
    simple = {k: v for k, v in table.items() if not _is_table(v, path) and not _empty(v)}
    nested = {k: v for k, v in table.items() if _is_table(v, path) and not _empty(v)}
    lines: list[str] = []
    if path and simple:
        lines += ["", f"[{'.'.join(_toml_key(p) for p in path)}]"]
    lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in simple.items()]
    for key, value in nested.items():
        lines += _table_lines([*path, key], value)
    return lines


def _is_table(value: Any, path: list[str]) -> bool:
    """Sections and dicts of dicts get their own [table]; other dicts are inline tables."""
    if not isinstance(value, dict):
        return False
    return not path or any(isinstance(v, dict) for v in value.values())


def _empty(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    return isinstance(value, list) and not value


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text if any(c in text for c in ".eE") or "inf" in text else f"{text}.0"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(
            f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None
        )
        return "{ " + inner + " }" if inner else "{}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def settings_comment(settings: Settings, base: Base) -> str:
    """The header of a downloaded scenario file: where it came from."""
    moved = ", ".join(f"{b}.{n}={_text(v)}" for b, n, v in settings.levers) or "none"
    changed = ", ".join(f"{n}={_text(v)}" for n, v in settings.assumptions) or "none"
    return (
        f"Saved from the moondust explorer, starting from {base.label}.\n"
        f"Levers moved: {moved}.\nAssumptions changed: {changed}.\n"
        "Run it with: moondust run FILE"
    )


def preset_names() -> list[str]:
    """The policies a bloc can follow: the presets, then those installed packages register."""
    return policy_names()


__all__ = [
    "ASSUMPTIONS",
    "BLOCS",
    "LEVERS",
    "MAX_RUNS",
    "MAX_UPLOAD_BYTES",
    "POLICY_CONTROLS",
    "Base",
    "Control",
    "Settings",
    "build_scenario",
    "from_query",
    "parse_upload",
    "scenario_toml",
    "to_query",
]
