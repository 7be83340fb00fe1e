"""Scenario files: TOML validated with pydantic (DESIGN §4).

A scenario says how long to simulate, which policy each actor follows, what to change in the 2025
world and the engine's parameters, and which parameters are uncertain. A bad file gets one error
naming the file, the field and what was expected (:class:`~moondust.errors.InputFileError`).

Example::

    name = "my-scenario"
    description = "US bloc cut-throat, ILRS cooperative"

    [simulation]
    start = 2025
    end = 2100
    runs = 200
    seed = 1

    [parameters]            # engine parameters (moondust params engine)
    spillover_max = 0.7

    [policies]
    default = "status-quo"
    blocs = { artemis = "cutthroat", ilrs = "emulation" }
    actors = { IND = { preset = "emulation", openness = 0.6 } }

    [actors.CHN]            # change an actor's 2025 data
    civil_usd_bn = 20.0

    [relations]
    remove_sanctions = [["USA", "CHN"]]
    rivalry = [["USA", "CHN", 0.5]]

    [uncertainties]         # sampled per run
    spillover_max = { dist = "uniform", low = 0.2, high = 0.9 }

    [levers.ilrs]           # optional: a grid of policy levers for `moondust sweep`
    openness = [0.3, 0.6, 0.9]
    [levers.artemis]
    preset = ["cutthroat", "emulation"]
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from moondust.engine.params import EngineParameters
from moondust.errors import InputFileError, MoondustError
from moondust.world.ids import ACTOR_IDS, BASE_YEAR
from moondust.world.policies import LEVERS, check_policy_name, make_policy

BLOC_CLASSES = ("artemis", "ilrs", "both", "neither")
"""How a policy can address a group: Artemis only, ILRS only, members of both, of neither."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Simulation(_Strict):
    """Time span, default number of runs and seed."""

    start: int = Field(BASE_YEAR, description="first simulated year (the data describe 2025)")
    end: int = Field(2100, description="last simulated year")
    runs: int = Field(200, ge=1, le=10_000_000, description="default number of Monte Carlo runs")
    seed: int = Field(0, ge=0, lt=2**63, description="seed of the counter-based random streams")

    @model_validator(mode="after")
    def _span(self) -> Simulation:
        if self.start != BASE_YEAR:
            raise ValueError(f"start must be {BASE_YEAR} (the year the packaged world describes)")
        if not self.start < self.end <= 2300:
            raise ValueError(f"end must be after start ({self.start}) and at most 2300")
        return self


def _allow_import(info: ValidationInfo) -> bool | None:
    """The ``allow_import`` of the validation context (None: as the process allows)."""
    context = info.context if isinstance(info.context, dict) else {}
    allowed = context.get("allow_import")
    return None if allowed is None else bool(allowed)


class PolicyChoice(_Strict):
    """A preset (or ``module:Class``) with optional lever overrides."""

    model_config = ConfigDict(extra="allow", frozen=True)
    preset: str

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"preset": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> PolicyChoice:
        overrides = self.lever_overrides
        unknown = sorted(set(overrides) - set(LEVERS) - {"tolerance"})
        if unknown:
            raise ValueError(f"unknown lever(s) {unknown}; expected some of {list(LEVERS)}")
        for name, value in overrides.items():
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise ValueError(f"lever {name} must be a number ≥ 0, got {value!r}")
        check_policy_name(self.preset, _allow_import(info))
        return self

    @property
    def lever_overrides(self) -> dict[str, float]:
        """Levers set explicitly next to the preset."""
        return dict(self.model_extra or {})

    def build(self) -> Any:
        """The :class:`~moondust.world.policies.Policy` object."""
        return make_policy(self.preset, **self.lever_overrides)


class Policies(_Strict):
    """Which policy each actor follows: actor entry, else its bloc class, else the default."""

    default: PolicyChoice = PolicyChoice(preset="status-quo")
    blocs: dict[Literal["artemis", "ilrs", "both", "neither"], PolicyChoice] = {}
    actors: dict[str, PolicyChoice] = {}

    @field_validator("actors")
    @classmethod
    def _known_actors(cls, value: dict[str, PolicyChoice]) -> dict[str, PolicyChoice]:
        _check_actors(value)
        return value


class ActorOverride(_Strict):
    """Changes to one actor's 2025 data."""

    civil_usd_bn: float | None = Field(None, ge=0, description="civil space budget, USD bn/yr")
    military_usd_bn: float | None = Field(None, ge=0, description="military space, USD bn/yr")
    gdp_growth_pct: float | None = Field(None, ge=-10, le=15, description="real growth, %/yr")


Pair = Annotated[list[str], Field(min_length=2, max_length=2)]


class RivalryEntry(_Strict):
    """One rivalry intensity, ``[A, B, w]`` in the file."""

    a: str
    b: str
    intensity: float = Field(ge=0, le=1)

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            if len(value) != 3:
                raise ValueError("expected [ACTOR, ACTOR, intensity 0..1]")
            return {"a": value[0], "b": value[1], "intensity": value[2]}
        return value


class Relations(_Strict):
    """Changes to sanctions and rivalries."""

    add_sanctions: list[Pair] = []
    remove_sanctions: list[Pair] = []
    rivalry: list[RivalryEntry] = []

    @model_validator(mode="after")
    def _known(self) -> Relations:
        for pair in [*self.add_sanctions, *self.remove_sanctions]:
            _check_actors(pair)
        for entry in self.rivalry:
            _check_actors([entry.a, entry.b])
        return self


class Distribution(_Strict):
    """A named distribution for Monte Carlo sampling of one parameter."""

    dist: Literal["uniform", "triangular", "normal", "loguniform"]
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _complete(self) -> Distribution:
        need = {
            "uniform": ("low", "high"),
            "loguniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
            "normal": ("mean", "sd"),
        }[self.dist]
        missing = [name for name in need if getattr(self, name) is None]
        if missing:
            raise ValueError(f"{self.dist} needs {', '.join(need)}; missing {', '.join(missing)}")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError("low must be below high")
        if self.dist == "loguniform" and (self.low or 0) <= 0:
            raise ValueError("loguniform needs low > 0")
        low, mode, high = self.low or 0, self.mode or 0, self.high or 0
        if self.dist == "triangular" and not low <= mode <= high:
            raise ValueError("triangular needs low ≤ mode ≤ high")
        return self


LEVER_GRID_MAX = 10_000
"""Most lever combinations (grid points) a scenario may declare."""

LeverValues = Annotated[list[float | str], Field(min_length=1)]


def _check_levers(
    value: dict[str, dict[str, list[float | str]]], allow_import: bool | None = None
) -> None:
    """Targets are bloc classes or actors; levers are known; values are valid and distinct."""
    points = 1
    for target, axes in value.items():
        if target not in BLOC_CLASSES and target not in ACTOR_IDS:
            raise ValueError(
                f"unknown lever target {target!r}; expected a bloc class {list(BLOC_CLASSES)} "
                "or an actor id"
            )
        for lever, values in axes.items():
            if lever not in (*LEVERS, "preset", "tolerance"):
                raise ValueError(
                    f"{target}: unknown lever {lever!r}; expected 'preset' or some of "
                    f"{list(LEVERS)}"
                )
            if len(set(map(repr, values))) != len(values):
                raise ValueError(f"{target}.{lever}: values must be distinct, got {values}")
            for item in values:
                if lever == "preset":
                    if not isinstance(item, str):
                        raise ValueError(f"{target}.preset: expected a policy name, got {item!r}")
                    try:
                        check_policy_name(item, allow_import)
                    except ValueError as exc:
                        raise ValueError(f"{target}.preset: {exc}") from None
                elif isinstance(item, str | bool) or item < 0:
                    raise ValueError(f"{target}.{lever}: values must be numbers ≥ 0, got {item!r}")
            points *= len(values)
    if points > LEVER_GRID_MAX:
        raise ValueError(f"the lever grid has {points:,} points; at most {LEVER_GRID_MAX:,}")


class Scenario(_Strict):
    """A validated scenario.

    ``levers`` (optional) declares a grid of policy levers for sweeps: ``{target: {lever:
    [values]}}`` where a target is a bloc class or an actor id and a lever is ``preset`` or one of
    :data:`~moondust.world.policies.LEVERS`. Each combination of values is a variant of the
    scenario whose policies carry those overrides (see :mod:`moondust.experiments.sampling`).
    """

    name: str = "unnamed"
    description: str = ""
    simulation: Simulation = Simulation()
    parameters: dict[str, float] = {}
    policies: Policies = Policies()
    actors: dict[str, ActorOverride] = {}
    relations: Relations = Relations()
    uncertainties: dict[str, Distribution] = {}
    levers: dict[str, dict[str, LeverValues]] = {}

    @field_validator("parameters")
    @classmethod
    def _known_parameters(cls, value: dict[str, float]) -> dict[str, float]:
        _check_parameter_names(value)
        try:
            EngineParameters().with_overrides(value)
        except MoondustError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("uncertainties")
    @classmethod
    def _known_uncertainties(cls, value: dict[str, Distribution]) -> dict[str, Distribution]:
        _check_parameter_names(value)
        return value

    @field_validator("levers")
    @classmethod
    def _known_levers(
        cls, value: dict[str, dict[str, list[float | str]]], info: ValidationInfo
    ) -> dict[str, dict[str, list[float | str]]]:
        _check_levers(value, _allow_import(info))
        return value

    @field_validator("actors")
    @classmethod
    def _known_actor_overrides(cls, value: dict[str, ActorOverride]) -> dict[str, ActorOverride]:
        _check_actors(value)
        return value

    @property
    def engine_parameters(self) -> EngineParameters:
        """Engine parameters with this scenario's overrides."""
        return EngineParameters().with_overrides(self.parameters)

    def digest(self) -> str:
        """A short hash of the scenario's content (for manifests and caches)."""
        data = self.model_dump(mode="json")
        if not data["levers"]:  # scenarios without a lever grid keep the digest they always had
            del data["levers"]
        text = json.dumps(data, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def with_changes(self, **sections: Any) -> Scenario:
        """A copy with some top-level sections replaced, validated again."""
        return Scenario.model_validate({**self.model_dump(), **sections})


def _check_actors(names: Any) -> None:
    unknown = [name for name in names if name not in ACTOR_IDS]
    if unknown:
        raise ValueError(f"unknown actor(s) {unknown}; expected some of {list(ACTOR_IDS)}")


def _check_parameter_names(names: Any) -> None:
    known = list(EngineParameters.model_fields)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {unknown}; see `moondust params engine` for the list"
        )


# --- loading ----------------------------------------------------------------------------------


def builtin_scenarios() -> dict[str, Path]:
    """Built-in scenario names and their packaged files."""
    folder = Path(str(resources.files("moondust").joinpath("scenarios")))
    return {path.stem: path for path in sorted(folder.glob("*.toml"))}


def load_scenario(name_or_path: str | Path, allow_import: bool | None = None) -> Scenario:
    """A built-in scenario by name (``"baseline"``) or a TOML file by path.

    ``allow_import`` decides whether policies named as ``"module:Class"`` are accepted (None: as
    the process allows, see :func:`~moondust.world.policies.allow_policy_imports`).

    Raises
    ------
    InputFileError
        If the file is missing, is not TOML, or does not validate; the message names the file
        and the field.
    """
    builtins = builtin_scenarios()
    if isinstance(name_or_path, str) and name_or_path in builtins:
        path = builtins[name_or_path]
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise InputFileError(
                f"{path}: no such scenario file or built-in scenario "
                f"(built-ins: {', '.join(builtins)})"
            )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: cannot read: {exc}") from None
    data.setdefault("name", path.stem)
    return parse_scenario(data, source=str(path), allow_import=allow_import)


def parse_scenario(
    data: dict[str, Any], source: str = "<scenario>", allow_import: bool | None = None
) -> Scenario:
    """Validate a scenario given as a dict (as read from TOML).

    Parameters
    ----------
    data
        The scenario's tables.
    source
        What to call it in error messages (a file name).
    allow_import
        Accept policies named as ``"module:Class"`` (importing them runs code): ``False`` for
        untrusted input such as the explorer's uploads and links, ``None`` as the process allows
        (:func:`~moondust.world.policies.allow_policy_imports`).
    """
    try:
        return Scenario.model_validate(data, context={"allow_import": allow_import})
    except ValidationError as exc:
        raise InputFileError(f"{source}: {_describe(exc)}") from None


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"] if not str(part).startswith("function"))
    message = first["msg"]
    message = message.removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    given = first.get("input")
    shown = "" if isinstance(given, dict) or first["type"] == "missing" else f" (got {given!r})"
    more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
    return f"{location or 'scenario'}: {message}{shown}{more}"
