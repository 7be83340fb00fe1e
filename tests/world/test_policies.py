"""Every policy passes the same harness (after Axelrod's TestPlayer)."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from moondust.errors import MoondustError
from moondust.world import policies
from moondust.world.policies import (
    ALLOW_IMPORT_ENV,
    ENTRY_POINT_GROUP,
    LEVERS,
    PRESETS,
    CutThroat,
    Emulation,
    Observation,
    Policy,
    Reciprocal,
    StatusQuo,
    allow_policy_imports,
    check_policy_name,
    make_policy,
    policy_imports_allowed,
    policy_names,
)

BOUNDED = (
    "openness",
    "emulation",
    "rivalry",
    "coordinate",
    "station_openness",
    "shared_sites",
    "asat_allowed",
)


def observation(
    own: float = 0.2, rivals: float = 0.2, runs: int = 4, actors: int = 3
) -> Observation:
    shape = (runs, actors)
    return Observation(
        year=2030,
        military_share=np.full(shape, own),
        rival_military_share=np.full(shape, rivals),
        rival_milestones_last_year=np.zeros(shape),
        milestones_held=np.zeros(shape),
    )


class Hermit(Policy):
    """A user-written policy: closed, unreactive, unarmed."""

    name = "hermit"
    defaults: ClassVar[dict[str, float]] = {
        **CutThroat.defaults,
        "openness": 0.0,
        "rivalry": 0.0,
        "reaction": 0.0,
    }


class Dice(Policy):
    """A user-written stochastic policy: openness drawn anew each year (for the harness)."""

    name = "dice"
    classifier: ClassVar[dict[str, bool]] = {**Policy.classifier, "stochastic": True}
    defaults: ClassVar[dict[str, float]] = StatusQuo.defaults

    def levers(self, observation: Observation) -> dict[str, np.ndarray]:
        levers = super().levers(observation)
        levers["openness"] = np.random.default_rng().uniform(size=observation.military_share.shape)
        return levers


class Watcher(Policy):
    """A user-written policy that observes its own milestones only (not its rivals)."""

    name = "watcher"
    classifier: ClassVar[dict[str, bool]] = {**Policy.classifier, "observes": True}
    defaults: ClassVar[dict[str, float]] = StatusQuo.defaults

    def levers(self, observation: Observation) -> dict[str, np.ndarray]:
        levers = super().levers(observation)
        levers["openness"] = np.clip(0.1 * observation.milestones_held, 0.0, 1.0)
        return levers


HARNESSED = sorted([*PRESETS.values(), Hermit, Dice, Watcher], key=lambda cls: cls.name)


def observations() -> dict[str, Observation]:
    """Observations that differ in one respect each, around a calm base."""
    base = observation(own=0.2, rivals=0.2)
    return {
        "base": base,
        "own arms": replace(base, military_share=np.full((4, 3), 0.35)),
        "own milestones": replace(base, milestones_held=np.full((4, 3), 7.0)),
        "year": replace(base, year=2070),
        "rivals arm": replace(base, rival_military_share=np.full((4, 3), 0.6)),
        "rivals land": replace(base, rival_milestones_last_year=np.full((4, 3), 3.0)),
    }


def differs(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return any(not np.array_equal(a[k], b[k]) for k in LEVERS)


@pytest.mark.parametrize("cls", HARNESSED, ids=lambda cls: cls.name)
def test_policy_harness(cls: type[Policy]) -> None:
    """Every policy keeps the lever contract, and its classifier tells the truth about it.

    After Axelrod's shared strategy harness: stochastic is checked by asking twice, observes and
    reacts_to_rivals by feeding observations that differ in one respect each, cooperative by the
    levers at a calm observation. The engine relies on ``is_constant()``: it never calls the
    levers of a constant policy.
    """
    policy = cls()
    assert set(policy.classifier) == {"cooperative", "stochastic", "observes", "reacts_to_rivals"}
    seen = {key: policy.levers(obs) for key, obs in observations().items()}
    for levers in seen.values():
        assert set(levers) == set(LEVERS)
        for lever, values in levers.items():
            assert values.shape == (4, 3), lever
            assert np.all(values >= 0), lever
            if lever in BOUNDED:
                assert np.all(values <= 1), lever
    base = seen["base"]
    again = policy.levers(observations()["base"])
    assert differs(base, again) == policy.classifier["stochastic"]
    if policy.classifier["stochastic"]:
        return  # what it observes cannot be told from its draws
    mine = ("own arms", "own milestones", "year")
    rivals = ("rivals arm", "rivals land")
    assert any(differs(base, seen[k]) for k in (*mine, *rivals)) == policy.classifier["observes"]
    assert any(differs(base, seen[k]) for k in rivals) == policy.classifier["reacts_to_rivals"]
    assert policy.is_constant() == (not policy.classifier["observes"])
    if policy.is_constant():
        assert all(np.array_equal(base[k], np.full((4, 3), v)) for k, v in policy.values.items())
    calm = base["emulation"] >= base["rivalry"]
    cooperative = bool(np.all(calm) and np.all(base["asat_allowed"] == 0))
    assert cooperative == policy.classifier["cooperative"]
    assert repr(policy).startswith(type(policy).__name__)


def test_a_constant_policy_may_not_override_its_levers() -> None:
    """The engine reads a constant policy's values: a levers() it never calls must not exist."""
    with pytest.raises(TypeError, match="neither observes nor is stochastic"):

        class Liar(Policy):
            defaults: ClassVar[dict[str, float]] = StatusQuo.defaults

            def levers(self, observation: Observation) -> dict[str, np.ndarray]:
                return super().levers(observation)

    with pytest.raises(TypeError, match="lacks"):

        class Vague(Policy):
            classifier: ClassVar[dict[str, bool]] = {"cooperative": True}


def test_policies_declare_their_own_parameters() -> None:
    assert Reciprocal(tolerance=0.2).tolerance == 0.2 and Reciprocal().tolerance == 0.05
    with pytest.raises(MoondustError, match="parameter tolerance must be a number from 0 to 1"):
        Reciprocal(tolerance=3.0)
    with pytest.raises(MoondustError, match="unknown lever"):
        CutThroat(tolerance=0.1)  # only Reciprocal declares it


def test_orientations_differ_where_the_question_lies() -> None:
    cut, emu = CutThroat().values, Emulation().values
    assert cut["openness"] < emu["openness"] and cut["rivalry"] > emu["rivalry"]
    # Richardson: cut-throat coefficients are unstable in a symmetric pair, emulation's stable.
    assert cut["restraint"] ** 2 < cut["reaction"] ** 2
    assert emu["restraint"] ** 2 > emu["reaction"] ** 2
    assert CutThroat.classifier["cooperative"] is False and Emulation.classifier["cooperative"]


def test_reciprocal_defects_when_rivals_arm() -> None:
    policy = Reciprocal(tolerance=0.05)
    calm = policy.levers(observation(own=0.2, rivals=0.22))
    armed = policy.levers(observation(own=0.2, rivals=0.4))
    assert np.all(calm["openness"] == Emulation.defaults["openness"])
    assert np.all(armed["openness"] == CutThroat.defaults["openness"])


def test_overrides_and_errors() -> None:
    assert make_policy("cutthroat", openness=0.4).values["openness"] == 0.4
    with pytest.raises(MoondustError, match="unknown lever"):
        make_policy("cutthroat", bravery=1.0)
    with pytest.raises(MoondustError, match="unknown policy"):
        make_policy("anarchy")


def test_module_policies_load_only_when_imports_are_allowed(
    allowed_imports: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(MoondustError, match="cannot load policy"):
        make_policy("no_such_module:Policy")
    with pytest.raises(MoondustError, match="not a subclass"):
        make_policy("numpy:ndarray")


def test_a_module_named_by_a_policy_is_never_imported_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack: a scenario names a module whose import runs code."""
    monkeypatch.setenv(ALLOW_IMPORT_ENV, "0")  # restored (unset) after the test
    (tmp_path / "moondust_canary.py").write_text(
        "import pathlib\npathlib.Path(__file__).with_suffix('.ran').touch()\n"
        "from moondust.world.policies import Emulation as Canary\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(MoondustError, match="--allow-import"):
        make_policy("moondust_canary:Canary")
    with pytest.raises(ValueError, match="--allow-import"):
        check_policy_name("moondust_canary:Canary")
    assert "moondust_canary" not in sys.modules
    assert not (tmp_path / "moondust_canary.ran").exists()
    # an explicit opt-in loads it, and worker processes inherit the opt-in through the environment
    allow_policy_imports()
    try:
        assert os.environ[ALLOW_IMPORT_ENV] == "1"
        assert make_policy("moondust_canary:Canary").name == "emulation"
        assert (tmp_path / "moondust_canary.ran").exists()
    finally:
        allow_policy_imports(False)
        sys.modules.pop("moondust_canary", None)
    assert not policy_imports_allowed()


def test_user_policies_load_by_dotted_path(allowed_imports: None) -> None:
    policy = make_policy(f"{__name__}:Hermit")
    assert isinstance(policy, Hermit)
    assert np.all(policy.levers(observation())["openness"] == 0.0)


def test_installed_policies_load_by_their_registered_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A package registers a policy under the entry-point group; no opt-in is needed."""
    monkeypatch.setenv(ALLOW_IMPORT_ENV, "0")  # restored (unset) after the test
    registered = [
        EntryPoint(name="hermit", value=f"{__name__}:Hermit", group=ENTRY_POINT_GROUP),
        EntryPoint(name="cutthroat", value="elsewhere:Impostor", group=ENTRY_POINT_GROUP),
    ]
    monkeypatch.setattr(policies, "entry_points", lambda group: registered)
    policies.registered_policies.cache_clear()
    try:
        assert policy_names() == [*PRESETS, "hermit"]  # a preset's name is never taken over
        assert isinstance(make_policy("hermit", openness=0.2), Hermit)
        assert isinstance(make_policy("cutthroat"), CutThroat)
        check_policy_name("hermit", allow_import=False)
    finally:
        policies.registered_policies.cache_clear()


@pytest.fixture
def allowed_imports(monkeypatch: pytest.MonkeyPatch) -> None:
    """Policies named as module:Class are allowed for this test only."""
    monkeypatch.setenv(ALLOW_IMPORT_ENV, "1")
