"""Scenario files: TOML validated with pydantic (the format: the example below).

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
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from moondust.engine_parameters import EngineParameters
from moondust.errors import InputFileError, MoondustError
from moondust.limits import (
    DESCRIPTION_MAX_CHARS,
    MAX_RUNS,
    MAX_SEED,
    NAME_MAX_CHARS,
    SCENARIO_MAX_BYTES,
    brief,
    cap_message,
    parse_toml,
)
from moondust.parameters import ValidityBounds
from moondust.world.blocs import BLOC_CLASSES
from moondust.world.ids import ACTOR_IDS, BASE_YEAR, START_YEARS, check_start_year
from moondust.world.policies import (
    LEVERS,
    check_policy_name,
    check_policy_setting,
    make_policy,
    policy_setting_names,
)


class _Strict(BaseModel):
    # NaN and infinity are never a valid number in a scenario
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Simulation(_Strict):
    """Time span, default number of runs and seed."""

    start: int = Field(
        BASE_YEAR,
        description="the year whose end the world describes; the first simulated year follows it "
        f"(a year with packaged data: {', '.join(str(y) for y in START_YEARS)})",
    )
    end: int = Field(2100, description="last simulated year")
    runs: int = Field(200, ge=1, le=MAX_RUNS, description="default number of Monte Carlo runs")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="seed of the counter-based random streams")
    uncertainty: Literal["full", "none"] = Field(
        "full",
        description="which band the runs show: full (chance + parameter uncertainty: every "
        "documented parameter range in data/parameters is sampled per run) or none (chance only: "
        "the parameters at their defaults, except the scenario's own [uncertainties])",
    )

    @model_validator(mode="after")
    def _span(self) -> Simulation:
        check_start_year(self.start)
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

    model_config = ConfigDict(extra="allow", frozen=True, allow_inf_nan=False)
    preset: str = Field(
        max_length=NAME_MAX_CHARS,
        description="a preset (cutthroat, emulation, status-quo, reciprocal), a registered policy "
        "name or module:Class; the levers may be set beside it",
    )

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"preset": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> PolicyChoice:
        overrides = self.lever_overrides
        unknown = [name for name in overrides if name not in LEVERS]
        if len(unknown) > 5:  # a flood of names: say so briefly before building anything
            raise ValueError(f"unknown lever(s) {brief(unknown)}; expected some of {list(LEVERS)}")
        allow_import = _allow_import(info)
        check_policy_name(self.preset, allow_import)  # before anything is imported
        # What `run` does: the policy checks its levers and its own parameters (names, bounds),
        # and a class that cannot load fails here.
        try:
            self.build(allow_import)
        except MoondustError as exc:
            raise ValueError(str(exc)) from None
        return self

    @property
    def lever_overrides(self) -> dict[str, float]:
        """Levers set explicitly next to the preset."""
        return dict(self.model_extra or {})

    def build(self, allow_import: bool | None = None) -> Any:
        """The :class:`~moondust.world.policies.Policy` object (``allow_import``: as in
        :func:`~moondust.world.policies.check_policy_name`)."""
        return make_policy(self.preset, allow_import=allow_import, **self.lever_overrides)


class Policies(_Strict):
    """Which policy each actor follows: actor entry, else its bloc class, else the default."""

    default: PolicyChoice = Field(
        PolicyChoice(preset="status-quo"), description="the policy of every actor not named below"
    )
    blocs: dict[Literal["artemis", "ilrs", "both", "neither"], PolicyChoice] = Field(
        {}, description="the policy of each bloc class's actors (an actor entry wins)"
    )
    actors: dict[str, PolicyChoice] = Field({}, description="the policy of one actor, by actor id")

    @field_validator("actors")
    @classmethod
    def _known_actors(cls, value: dict[str, PolicyChoice]) -> dict[str, PolicyChoice]:
        _check_actors(value)
        return value


BUDGET_MAX_USD_BN = 10_000.0
"""Largest 2025 budget an actor may be given, USD bn/yr (the largest in the data is about 70;
10,000 grown at the fastest allowed rate to 2300 stays far from overflow)."""


class ActorOverride(_Strict):
    """Changes to one actor's 2025 data."""

    civil_usd_bn: float | None = Field(
        None, ge=0, le=BUDGET_MAX_USD_BN, description="civil space budget, USD bn/yr"
    )
    military_usd_bn: float | None = Field(
        None, ge=0, le=BUDGET_MAX_USD_BN, description="military space, USD bn/yr"
    )
    gdp_growth_pct: float | None = Field(None, ge=-10, le=15, description="real growth, %/yr")


Pair = Annotated[list[str], Field(min_length=2, max_length=2)]


class RivalryEntry(_Strict):
    """One rivalry intensity, ``[A, B, w]`` in the file."""

    a: str = Field(description="an actor id")
    b: str = Field(description="another actor id")
    intensity: float = Field(ge=0, le=1, description="rivalry weight w of the pair")

    @model_validator(mode="after")
    def _two_actors(self) -> RivalryEntry:
        if self.a == self.b:
            raise ValueError(f"a rivalry needs two different actors, not {self.a} twice")
        return self

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

    add_sanctions: list[Pair] = Field([], description="pairs [A, B] to put under sanctions")
    remove_sanctions: list[Pair] = Field([], description="sanctioned pairs [A, B] to lift")
    rivalry: list[RivalryEntry] = Field(
        [], description="rivalry intensities [A, B, w], w in 0..1, replacing the 2025 values"
    )

    @model_validator(mode="after")
    def _known(self) -> Relations:
        for pair in [*self.add_sanctions, *self.remove_sanctions]:
            _check_actors(pair)
            if pair[0] == pair[1]:
                raise ValueError(f"a sanction needs two different actors (got {pair})")
        for entry in self.rivalry:
            _check_actors([entry.a, entry.b])
        added = {frozenset(pair) for pair in self.add_sanctions}
        both = [sorted(p) for p in added & {frozenset(pair) for pair in self.remove_sanctions}]
        if both:
            raise ValueError(f"pair(s) both added to and removed from sanctions: {brief(both)}")
        pairs = [frozenset((entry.a, entry.b)) for entry in self.rivalry]
        repeated = sorted({tuple(sorted(p)) for p in pairs if pairs.count(p) > 1})
        if repeated:
            raise ValueError(f"rivalry given more than once for {brief(repeated)}")
        return self


class Distribution(_Strict):
    """A named distribution for Monte Carlo sampling of one parameter."""

    dist: Literal["uniform", "triangular", "normal", "loguniform"] = Field(
        description="the distribution: uniform, loguniform (low, high), triangular (low, mode, "
        "high) or normal (mean, sd; truncated to the parameter's validity bounds)"
    )
    low: float | None = Field(None, description="lower end (uniform, loguniform, triangular)")
    high: float | None = Field(None, description="upper end (uniform, loguniform, triangular)")
    mode: float | None = Field(None, description="most likely value (triangular)")
    mean: float | None = Field(None, description="mean (normal)")
    sd: float | None = Field(None, gt=0, description="standard deviation (normal)")

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
        if self.low is not None and self.high is not None and not np.isfinite(high - low):
            raise ValueError("low and high are too far apart to compute with")
        if self.dist == "normal" and (self.sd or 0) < NORMAL_MIN_SD * max(1.0, abs(self.mean or 0)):
            raise ValueError(
                f"a normal's sd must be at least {NORMAL_MIN_SD:g} × max(1, |mean|) (got "
                f"{self.sd:g}); a narrower one is a constant: set the parameter instead"
            )
        return self

    def support(self, bounds: ValidityBounds | None = None) -> tuple[float, float]:
        """The values it gives: ``low``..``high``; a normal's are the ``bounds`` it is cut to."""
        if self.dist != "normal":
            return float(self.low or 0.0), float(self.high or 0.0)
        return (-np.inf, np.inf) if bounds is None else (bounds.low, bounds.high)

    def check_within(self, name: str, bounds: ValidityBounds) -> None:
        """Refuse a distribution that gives values outside a parameter's validity bounds.

        A bounded distribution's support must lie inside them; a normal is truncated to them
        (:meth:`ppf`), so only its mean must lie inside.

        Raises
        ------
        ValueError
            Naming the parameter and its bounds.
        """
        if self.dist == "normal":
            if not bounds.contains(self.mean or 0.0):
                raise ValueError(
                    f"{name}: the normal's mean {self.mean:g} is outside the parameter's validity "
                    f"bounds {bounds} (a normal is truncated to them)"
                )
            return
        low, high = self.support()
        if not (bounds.contains(low) and bounds.contains(high)):
            raise ValueError(
                f"{name}: the {self.dist} distribution's values {low:g}..{high:g} leave the "
                f"parameter's validity bounds {bounds}"
            )

    def frozen(self, parameter: str | None = None) -> Any:
        """The distribution as a frozen :mod:`scipy.stats` distribution.

        Parameters
        ----------
        parameter
            The engine parameter it describes: a normal is then truncated to the parameter's
            validity bounds (:meth:`moondust.parameters.ParameterSet.validity`), unless less than
            :data:`NORMAL_TAIL` of its mass lies beyond either bound (below what the draws
            resolve), when it stays a plain normal.
        """
        from scipy import stats

        low, high = float(self.low or 0.0), float(self.high or 0.0)
        if self.dist == "uniform":
            return stats.uniform(loc=low, scale=high - low)
        if self.dist == "loguniform":
            return stats.loguniform(low, high)
        if self.dist == "triangular":
            mode = self.mode if self.mode is not None else low
            return stats.triang(c=(mode - low) / (high - low), loc=low, scale=high - low)
        mean, sd = float(self.mean or 0.0), float(self.sd or 1.0)
        if parameter is not None:
            bounds = EngineParameters.validity(parameter)
            a, b = (bounds.low - mean) / sd, (bounds.high - mean) / sd
            if stats.norm.cdf(a) >= NORMAL_TAIL or stats.norm.sf(b) >= NORMAL_TAIL:
                if (b - a) * max(abs(a), abs(b)) < 1e-9:
                    # The bounds are a sliver of one standard deviation, over which the density
                    # is flat to 1e-9: uniform, where scipy's truncnorm loses precision (an sd
                    # of 1e16 over [0, 100] gave a staircase with 2 % of draws on a bound).
                    return stats.uniform(loc=bounds.low, scale=bounds.high - bounds.low)
                return stats.truncnorm(a, b, loc=mean, scale=sd)
        return stats.norm(loc=mean, scale=sd)

    def ppf(self, u: ArrayLike, parameter: str | None = None) -> NDArray[np.float64]:
        """Quantile function: uniform draws ``u`` in (0, 1) → values (the one every sampler uses).

        Parameters
        ----------
        u
            Probabilities; a normal's are kept within :data:`NORMAL_TAIL` of 0 and 1 so its
            values stay finite.
        parameter
            The engine parameter it describes: a normal is truncated to its validity bounds
            (see :meth:`frozen`).

        Examples
        --------
        >>> Distribution(dist="uniform", low=0.2, high=0.6).ppf([0.0, 0.5])
        array([0.2, 0.4])
        >>> normal = Distribution(dist="normal", mean=0.1, sd=1.0)
        >>> bool((normal.ppf([0.01, 0.5], parameter="counterspace_depreciation") > 0).all())
        True
        """
        probabilities = np.asarray(u, dtype=np.float64)
        if self.dist == "normal":
            probabilities = np.clip(probabilities, NORMAL_TAIL, 1 - NORMAL_TAIL)
        values = np.asarray(self.frozen(parameter).ppf(probabilities), dtype=np.float64)
        if self.dist == "normal" and parameter is not None:
            bounds = EngineParameters.validity(parameter)
            return np.clip(values, bounds.low, bounds.high)  # rounding at a bound, nothing more
        return values


NORMAL_TAIL = 1e-12
"""Smallest tail probability sampled from a normal (its quantiles at 1e-12 are ±7 sd)."""

NORMAL_MIN_SD = 1e-9
"""Narrowest normal, relative to max(1, |mean|): below it the draws are the mean to rounding."""


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
            if lever != "preset" and lever not in policy_setting_names():
                raise ValueError(
                    f"{target}: unknown lever {cap_message(repr(lever), 80)}; expected 'preset' "
                    f"or one of {policy_setting_names()}"
                )
            if len(set(map(repr, values))) != len(values):
                raise ValueError(f"{target}.{lever}: values must be distinct, got {brief(values)}")
            for item in values:
                if lever == "preset":
                    if not isinstance(item, str):
                        raise ValueError(
                            f"{target}.preset: expected a policy name, got "
                            f"{cap_message(repr(item), 80)}"
                        )
                    try:
                        check_policy_name(item, allow_import)
                    except ValueError as exc:
                        raise ValueError(f"{target}.preset: {exc}") from None
                    continue
                try:
                    check_policy_setting(lever, item)
                except MoondustError as exc:
                    raise ValueError(f"{target}: {exc}") from None
            points *= len(values)
    if points > LEVER_GRID_MAX:
        raise ValueError(f"the lever grid has {points:,} points; at most {LEVER_GRID_MAX:,}")


class Scenario(_Strict):
    """A validated scenario.

    ``levers`` (optional) declares a grid of policy levers for sweeps: ``{target: {lever:
    [values]}}`` where a target is a bloc class or an actor id and a lever is ``preset`` or one of
    :data:`~moondust.world.policies.LEVERS`. Each combination of values is a variant of the
    scenario whose policies carry those overrides (see :mod:`moondust.world.lever_grid`).
    """

    name: str = Field(
        "unnamed",
        min_length=1,
        max_length=NAME_MAX_CHARS,
        description="the scenario's name, also its output folder's",
    )
    description: str = Field("", max_length=DESCRIPTION_MAX_CHARS, description="what it is about")
    simulation: Simulation = Field(Simulation(), description="time span, runs and seed")
    parameters: dict[str, float] = Field(
        {}, description="engine parameters set to a value (`moondust params engine`)"
    )
    policies: Policies = Field(Policies(), description="which policy each actor follows")
    actors: dict[str, ActorOverride] = Field(
        {}, description="changes to an actor's 2025 data, by actor id"
    )
    relations: Relations = Field(Relations(), description="changes to sanctions and rivalries")
    uncertainties: dict[str, Distribution] = Field(
        {}, description="engine parameters drawn from a distribution in each run"
    )
    levers: dict[str, dict[str, LeverValues]] = Field(
        {},
        description="a grid of policy levers for sweeps: {target: {lever: [values]}}, a target "
        "being a bloc class or an actor id",
    )

    @field_validator("parameters")
    @classmethod
    def _known_parameters(cls, value: dict[str, float]) -> dict[str, float]:
        _check_parameter_names(value)
        try:
            EngineParameters().with_overrides(value)
        except MoondustError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("name")
    @classmethod
    def _usable_name(cls, value: str) -> str:
        # the name becomes an output directory: one path component, printable
        if value in {".", ".."} or any(c in value for c in "/\\") or not value.isprintable():
            raise ValueError("a name must be printable and usable as a folder name (no / or \\)")
        return value

    @field_validator("uncertainties")
    @classmethod
    def _known_uncertainties(cls, value: dict[str, Distribution]) -> dict[str, Distribution]:
        _check_parameter_names(value)
        if "mining_sites" in value:
            raise ValueError("mining_sites sets the site table and cannot vary between runs")
        for name, dist in value.items():
            dist.check_within(name, EngineParameters.validity(name))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        # parameters whose order the engine needs must keep it in every run
        for below, above in ORDERED_PARAMETERS:
            high = self._extreme(below, upper=True)
            low = self._extreme(above, upper=False)
            if not high < low:
                raise ValueError(
                    f"{below} can reach {high:g}, not below {above} (which can be {low:g})"
                )
        self._check_lever_variants()
        return self

    def _extreme(self, name: str, upper: bool) -> float:
        """The largest (smallest) value a parameter takes in any run."""
        sampled = self.sampled_uncertainties()
        if name in sampled:
            bounds = EngineParameters.validity(name)
            return sampled[name].support(bounds)[1 if upper else 0]
        return float(getattr(self.engine_parameters, name))

    def _check_lever_variants(self) -> None:
        """Every preset a lever grid gives a target builds with the grid's levers (as a sweep
        would), so a file that validates sweeps."""
        from moondust.world.lever_grid import lever_axes, scenario_variant

        axes = lever_axes(self)
        first = {axis.name: axis.values[0] for axis in axes}
        for axis in axes:
            if axis.lever != "preset":
                continue
            for preset in axis.values[1:]:
                scenario_variant(self, {**first, axis.name: preset})
        if axes:
            scenario_variant(self, first)

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
        if data["simulation"]["uncertainty"] == "none":  # chance only: the digest it always had
            del data["simulation"]["uncertainty"]
        text = json.dumps(data, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def sampled_uncertainties(self) -> dict[str, Distribution]:
        """What each run samples: :func:`table_uncertainties` under ``uncertainty = "full"``
        (but not the parameters this scenario sets), with its own ``[uncertainties]`` on top."""
        if self.simulation.uncertainty == "none":
            return dict(self.uncertainties)
        table = {
            name: dist
            for name, dist in table_uncertainties().items()
            if name not in self.parameters
        }
        return {**table, **self.uncertainties}

    def with_uncertainty(self, mode: str) -> Scenario:
        """A copy sampling ``full`` or ``none`` (:attr:`Simulation.uncertainty`)."""
        return self.with_changes(simulation={**self.simulation.model_dump(), "uncertainty": mode})

    def with_changes(self, **sections: Any) -> Scenario:
        """A copy with some top-level sections replaced, validated again."""
        return Scenario.model_validate({**self.model_dump(), **sections})


ORDERED_PARAMETERS = (("shell_floor_km", "shell_ceiling_km"),)
"""Pairs of engine parameters where the first must stay below the second in every run."""

NOT_SAMPLED: dict[str, str] = {
    "mining_sites": "sets the site table, shared by every run of a batch",
    "fusion_enabled": "a modelling switch, not an uncertain quantity",
    "capability_lapse_years": "sets the 2025 capabilities, shared by every run of a batch",
    "lapse_retention": "sets the 2025 capabilities, shared by every run of a batch",
}
"""Engine parameters with a documented range that ``uncertainty = "full"`` leaves at their value,
and why (a scenario may still set them; a sweep may vary those a batch can vary)."""


@cache
def table_uncertainties() -> dict[str, Distribution]:
    """Every documented engine parameter range (``low`` < ``high`` in data/parameters/*.csv but
    :data:`NOT_SAMPLED`) as a uniform distribution: what ``uncertainty = "full"`` samples."""
    return {
        name: Distribution(dist="uniform", low=spec.low, high=spec.high)
        for name, spec in EngineParameters.specs().items()
        if spec.low < spec.high
        and name not in NOT_SAMPLED
        and name in EngineParameters.model_fields
    }


def _check_actors(names: Any) -> None:
    unknown = [name for name in names if name not in ACTOR_IDS]
    if unknown:
        raise ValueError(f"unknown actor(s) {brief(unknown)}; expected some of {list(ACTOR_IDS)}")


def _check_parameter_names(names: Any) -> None:
    known = list(EngineParameters.model_fields)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {brief(unknown)}; see `moondust params engine` for the list"
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
        if path.stat().st_size > SCENARIO_MAX_BYTES:  # before reading it all
            raise InputFileError(
                f"{path}: the file has {path.stat().st_size:,} bytes; a scenario file may have "
                f"at most {SCENARIO_MAX_BYTES:,}"
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: cannot read: {cap_message(str(exc))}") from None
    data = parse_toml(text, source=str(path))
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
        raise InputFileError(cap_message(f"{source}: {_describe(exc)}")) from None


def _show(value: Any) -> str:
    """A value for an error message, at most 100 characters."""
    try:
        text = repr(value)
    except ValueError:  # an int too long for Python's int-str conversion
        return "a number too large to print"
    return text if len(text) <= 100 else f"{text[:80]}… ({len(text):,} characters)"


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"] if not str(part).startswith("function"))
    message = first["msg"]
    message = message.removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    given = first.get("input")
    hidden = isinstance(given, dict) or first["type"] == "missing"
    shown = "" if hidden else f" (got {_show(given)})"
    more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
    return f"{location or 'scenario'}: {message}{shown}{more}"
