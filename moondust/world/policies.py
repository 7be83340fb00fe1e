"""Policies: small classes that map what an actor observes to its levers, vectorised over runs.

Each policy has a ``classifier`` dict of metadata (as Axelrod's strategies do) and a
:meth:`Policy.levers` method that returns every lever for all runs and actors at once; the engine
uses the values for the actors that follow the policy. Presets: ``cutthroat``, ``emulation``,
``status-quo`` and ``reciprocal``.

Your own policies: subclass :class:`Policy` and either

* **register it** in your package's metadata under the entry-point group ``moondust.policies``
  (``[project.entry-points."moondust.policies"] my-policy = "my_package.policies:MyPolicy"``);
  once the package is installed, scenarios, sweeps and the explorer accept ``"my-policy"`` like a
  preset; or
* name it in a scenario as ``"package.module:ClassName"``. That imports (and so runs) Python code
  named by the scenario file, so it is refused unless imports are allowed explicitly: ``moondust
  run/sweep/validate --allow-import`` or :func:`allow_policy_imports` in a script. The explorer
  never allows it, whatever a visitor uploads or links.

The preset lever values are modelling assumptions (docs/model.md, "Policies"), not data.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from moondust.errors import MoondustError

LEVERS: tuple[str, ...] = (
    "openness",
    "emulation",
    "rivalry",
    "reaction",
    "restraint",
    "coordinate",
    "station_openness",
    "shared_sites",
    "asat_allowed",
)
"""Every lever an actor sets each year.

openness            0..1  how much of its technology and data it shares (scales spillovers β)
emulation           0..1  how strongly a rival's or partner's milestone inspires civil effort
rivalry             0..1  how strongly a rival's milestone is felt as a threat (military, race)
reaction            ≥0    Richardson reaction k to rivals' military shares
restraint           ≥0    Richardson restraint a on its own military share
coordinate          0/1   coordinate R&D with its bloc partners (an R&D cartel)
station_openness    0..1  share of its station seats open to foreign crews (M4)
shared_sites        0/1   share mining sites with partners instead of exclusive zones (M5)
asat_allowed        0/1   may test destructive anti-satellite weapons (M7)
"""

LEVER_BOUNDS: dict[str, tuple[float, float]] = {
    "openness": (0.0, 1.0),
    "emulation": (0.0, 1.0),
    "rivalry": (0.0, 1.0),
    "reaction": (0.0, 100.0),
    "restraint": (0.0, 100.0),
    "coordinate": (0.0, 1.0),
    "station_openness": (0.0, 1.0),
    "shared_sites": (0.0, 1.0),
    "asat_allowed": (0.0, 1.0),
}
"""Validity bounds of each lever. ``reaction`` and ``restraint`` are capped at 100 (the presets
use at most 0.3; higher values only saturate the military share). A policy's own parameters
declare their bounds on the class (:attr:`Policy.parameters`)."""

SWITCHES = ("coordinate", "shared_sites", "asat_allowed")
"""Levers that are switches: exactly 0 or 1."""


def check_lever(name: str, value: object) -> float:
    """A lever's value as a float, if it is a finite number within :data:`LEVER_BOUNDS`.

    Raises
    ------
    MoondustError
        On an unknown lever, a non-number (booleans included), NaN, infinity or a value out of
        bounds; the message names the lever and what it expects.
    """
    if name not in LEVER_BOUNDS:
        raise MoondustError(f"unknown lever {name!r}; expected one of {list(LEVER_BOUNDS)}")
    low, high = LEVER_BOUNDS[name]
    return _check_number("lever", name, value, low, high)


def _check_number(kind: str, name: str, value: object, low: float, high: float) -> float:
    """``value`` as a float if it is a finite number in [low, high] (switches: 0 or 1)."""
    expected = "0 or 1" if name in SWITCHES else f"a number from {low:g} to {high:g}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MoondustError(f"{kind} {name} must be {expected} (got {value!r})")
    # compare before converting: a huge int has no float; NaN fails every comparison
    valid = value in (0, 1) if name in SWITCHES else low <= value <= high
    if not valid:
        raise MoondustError(f"{kind} {name} must be {expected} (got {value!r})")
    return float(value)


Levers = dict[str, NDArray[np.float64]]


@dataclass(frozen=True)
class Observation:
    """What every actor observes at the start of a year (arrays of shape (runs, actors))."""

    year: int
    military_share: NDArray[np.float64]
    rival_military_share: NDArray[np.float64]
    """Rivalry-weighted mean military share of an actor's rivals (0 where it has none)."""
    rival_milestones_last_year: NDArray[np.float64]
    """Rivalry-weighted count of milestones its rivals achieved last year."""
    milestones_held: NDArray[np.float64]


class Policy:
    """Base class: constant levers, optionally overridden per instance.

    ``classifier`` says what a policy is and does, and one shared test harness checks it against
    behaviour (tests/world/test_policies.py), so the engine can rely on it:

    ``cooperative``
        At a calm observation (rivals arm no more than the actor) its levers emulate at least as
        much as they rival and ban destructive ASAT tests.
    ``stochastic``
        The same observation can give different levers.
    ``observes``
        Its levers depend on the observation. A policy that does not observe (and is not
        stochastic) is *constant*: the engine reads :attr:`values` and never calls
        :meth:`levers`, so such a class must not override it.
    ``reacts_to_rivals``
        Its levers change with what its rivals do (their military share or milestones). A
        constant policy still meets its rivals through the engine: the ``rivalry`` lever turns
        their milestones into threat, ``reaction`` their arms into its own.

    Parameters
    ----------
    **overrides
        Lever values replacing the class defaults, e.g. ``CutThroat(openness=0.3)``, and values
        of the class's own :attr:`parameters`.
    """

    name: ClassVar[str] = "policy"
    classifier: ClassVar[dict[str, bool]] = {
        "cooperative": False,
        "stochastic": False,
        "observes": False,
        "reacts_to_rivals": False,
    }
    defaults: ClassVar[dict[str, float]] = {}
    parameters: ClassVar[dict[str, tuple[float, float, float]]] = {}
    """The policy's own parameters besides the levers: name → (default, low, high)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        missing = set(Policy.classifier) - set(cls.classifier)
        if missing:
            raise TypeError(f"{cls.__name__}.classifier lacks {sorted(missing)}")
        if "levers" in cls.__dict__ and cls.is_constant():
            raise TypeError(
                f"{cls.__name__} overrides levers() but its classifier says it neither observes "
                "nor is stochastic; set classifier['observes'] (or 'stochastic') to True"
            )

    @classmethod
    def is_constant(cls) -> bool:
        """Whether the levers are :attr:`values` whatever the observation (see ``classifier``)."""
        return not (cls.classifier["observes"] or cls.classifier["stochastic"])

    def __init__(self, **overrides: float) -> None:
        own = {k: v for k, v in overrides.items() if k in self.parameters}
        levers = {k: v for k, v in overrides.items() if k not in own}
        unknown = set(levers) - set(LEVERS)
        if unknown:
            known = [*LEVERS, *self.parameters]
            raise MoondustError(
                f"unknown lever(s) {sorted(unknown)} for policy {self.name!r}; expected some of "
                f"{known}"
            )
        missing = set(LEVERS) - set(self.defaults) - set(levers)
        if missing:
            raise MoondustError(f"policy {self.name!r} does not set lever(s) {sorted(missing)}")
        chosen = {k: check_lever(k, v) for k, v in levers.items()}
        self.values: dict[str, float] = {**self.defaults, **chosen}
        self.settings: dict[str, float] = {
            k: _check_number("parameter", k, own.get(k, default), low, high)
            for k, (default, low, high) in self.parameters.items()
        }
        """The values of the class's own :attr:`parameters`."""

    def levers(self, observation: Observation) -> Levers:
        """Every lever for all runs and actors; the engine keeps those of this policy's actors."""
        shape = observation.military_share.shape
        return {name: np.full(shape, value) for name, value in self.values.items()}

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.values.items() if self.defaults.get(k) != v}
        args = ", ".join(f"{k}={v:g}" for k, v in changed.items())
        return f"{type(self).__name__}({args})"


class CutThroat(Policy):
    """A rival's success is your failure: secrecy, threat, arms racing, exclusive zones, ASAT."""

    name = "cutthroat"
    classifier: ClassVar[dict[str, bool]] = {
        "cooperative": False,
        "stochastic": False,
        "observes": False,
        "reacts_to_rivals": False,  # constant levers: rivals act on it through rivalry = 1
    }
    defaults: ClassVar[dict[str, float]] = {
        "openness": 0.1,
        "emulation": 0.0,
        "rivalry": 1.0,
        "reaction": 0.3,
        "restraint": 0.1,
        "coordinate": 0.0,
        "station_openness": 0.0,
        "shared_sites": 0.0,
        "asat_allowed": 1.0,
    }


class Emulation(Policy):
    """Cooperative competition: learn from others' success, open stations, shared sites, no ASAT."""

    name = "emulation"
    classifier: ClassVar[dict[str, bool]] = {
        "cooperative": True,
        "stochastic": False,
        "observes": False,
        "reacts_to_rivals": False,  # constant levers: others' success inspires it (emulation = 1)
    }
    defaults: ClassVar[dict[str, float]] = {
        "openness": 0.9,
        "emulation": 1.0,
        "rivalry": 0.0,
        "reaction": 0.02,
        "restraint": 0.3,
        "coordinate": 1.0,
        "station_openness": 0.5,
        "shared_sites": 1.0,
        "asat_allowed": 0.0,
    }


class StatusQuo(Policy):
    """2025 as it is: partial openness, some rivalry, today's arms-race coefficients."""

    name = "status-quo"
    classifier: ClassVar[dict[str, bool]] = {
        "cooperative": False,
        "stochastic": False,
        "observes": False,
        "reacts_to_rivals": False,
    }
    defaults: ClassVar[dict[str, float]] = {
        "openness": 0.5,
        "emulation": 0.3,
        "rivalry": 0.3,
        "reaction": 0.1,
        "restraint": 0.2,
        "coordinate": 1.0,
        "station_openness": 0.1,
        "shared_sites": 0.0,
        "asat_allowed": 1.0,
    }


class Reciprocal(Policy):
    """Tit for tat: cooperate (emulation levers) while rivals arm no faster than you, else defect.

    Parameters
    ----------
    tolerance
        How much higher (in military share of the space budget) rivals may arm before it defects.
    """

    name = "reciprocal"
    classifier: ClassVar[dict[str, bool]] = {
        "cooperative": True,
        "stochastic": False,
        "observes": True,
        "reacts_to_rivals": True,
    }
    defaults: ClassVar[dict[str, float]] = Emulation.defaults
    parameters: ClassVar[dict[str, tuple[float, float, float]]] = {"tolerance": (0.05, 0.0, 1.0)}

    @property
    def tolerance(self) -> float:
        """How much higher rivals' military share may be before it defects."""
        return self.settings["tolerance"]

    def levers(self, observation: Observation) -> Levers:
        cooperate = observation.rival_military_share <= observation.military_share + self.tolerance
        shape = observation.military_share.shape
        return {
            name: np.where(cooperate, value, CutThroat.defaults[name]) * np.ones(shape)
            for name, value in self.values.items()
        }


PRESETS: dict[str, type[Policy]] = {
    cls.name: cls for cls in (CutThroat, Emulation, StatusQuo, Reciprocal)
}


def check_policy_setting(name: str, value: object) -> float:
    """A lever's or a preset's own parameter's value, checked against its bounds.

    For a lever grid, whose values are checked before the policies that take them are built;
    building each variant then checks that its policy takes the name.

    Raises
    ------
    MoondustError
        On a name that is neither a lever nor a parameter of a preset, or a bad value.
    """
    low, high = policy_setting_bounds(name)
    return _check_number("lever" if name in LEVER_BOUNDS else "parameter", name, value, low, high)


def policy_setting_bounds(name: str) -> tuple[float, float]:
    """Validity bounds of a lever or of a preset's own parameter (MoondustError if neither)."""
    if name in LEVER_BOUNDS:
        return LEVER_BOUNDS[name]
    for cls in PRESETS.values():
        if name in cls.parameters:
            _, low, high = cls.parameters[name]
            return low, high
    raise MoondustError(f"unknown lever {name!r}; expected one of {policy_setting_names()}")


def policy_setting_names() -> list[str]:
    """The levers, then the presets' own parameters: what a lever grid may vary."""
    return [*LEVERS, *sorted({k for cls in PRESETS.values() for k in cls.parameters})]


ENTRY_POINT_GROUP = "moondust.policies"
"""Entry-point group under which installed packages register their policies by name."""

ALLOW_IMPORT_ENV = "MOONDUST_ALLOW_IMPORT"
"""Environment variable that allows ``module:Class`` policies in this process and its workers.

Set by :func:`allow_policy_imports` (the CLI's ``--allow-import``); worker processes started
afterwards inherit it, so a sweep's workers build the same policies as its driver.
"""


def allow_policy_imports(allowed: bool = True) -> None:
    """Allow (or forbid again) policies named as ``"package.module:ClassName"``.

    Importing a module runs its code, so a scenario file that names one is only trusted when its
    user says so. Worker processes started after this call inherit the choice.
    """
    if allowed:
        os.environ[ALLOW_IMPORT_ENV] = "1"
    else:
        os.environ.pop(ALLOW_IMPORT_ENV, None)


def policy_imports_allowed() -> bool:
    """Whether ``module:Class`` policies may be imported in this process."""
    return os.environ.get(ALLOW_IMPORT_ENV) == "1"


@cache
def registered_policies() -> dict[str, str]:
    """Policies registered by installed packages: name → ``module:Class`` (not imported yet)."""
    found: dict[str, str] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name not in PRESETS:  # a preset's name always means the preset
            found[entry.name] = entry.value
    return found


def policy_names() -> list[str]:
    """Every policy a scenario may name without ``--allow-import``: presets, then registered."""
    return [*PRESETS, *sorted(registered_policies())]


def check_policy_name(spec: str, allow_import: bool | None = None) -> None:
    """Raise :class:`ValueError` unless ``spec`` names a policy this process may build.

    Parameters
    ----------
    spec
        A preset, a registered policy or ``"package.module:ClassName"``.
    allow_import
        Whether a ``module:Class`` name is acceptable; ``None`` asks
        :func:`policy_imports_allowed`. Untrusted input (the explorer) passes ``False``.
    """
    if spec in PRESETS or spec in registered_policies():
        return
    if ":" not in spec:
        raise ValueError(f"unknown policy {_short(spec)}; expected one of {policy_names()}")
    allowed = policy_imports_allowed() if allow_import is None else allow_import
    if not allowed:
        raise ValueError(
            f"policy {_short(spec)} names Python code to import, which is refused unless allowed "
            "explicitly (moondust run/sweep/validate --allow-import; never in the explorer); "
            f"installed policies: {policy_names()}"
        )


def _short(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else f"{text[:limit]}…")


def make_policy(spec: str, *, allow_import: bool | None = None, **overrides: float) -> Policy:
    """A policy from a preset or registered name (``"cutthroat"``) or ``"module:ClassName"``.

    ``allow_import`` decides whether a ``module:Class`` name may be imported (None: as the
    process allows, :func:`policy_imports_allowed`); the other keywords override levers.

    Raises
    ------
    MoondustError
        If the name is unknown, names a module while imports are not allowed
        (:func:`allow_policy_imports`), or the class cannot be loaded or is not a :class:`Policy`.
    """
    if spec in PRESETS:
        return PRESETS[spec](**overrides)
    try:
        check_policy_name(spec, allow_import)
    except ValueError as exc:
        raise MoondustError(str(exc)) from None
    target = registered_policies().get(spec, spec)
    module_name, _, class_name = target.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise MoondustError(f"cannot load policy {_short(spec)}: {exc}") from None
    if not (isinstance(cls, type) and issubclass(cls, Policy)):
        raise MoondustError(
            f"policy {_short(spec)} is not a subclass of moondust.world.policies.Policy"
        )
    return cls(**overrides)
