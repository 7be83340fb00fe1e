"""What a sweep varies: Latin hypercubes, quantile functions, the [levers] grid and its variants."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import moondust
from moondust.engine.simulate import sample_uncertainties
from moondust.errors import InputFileError
from moondust.experiments.sampling import (
    latin_hypercube,
    lever_axes,
    lever_points,
    scenario_variant,
)
from moondust.world.scenario import Distribution, load_scenario, parse_scenario

UNCERTAIN = {
    "spillover_max": Distribution(dist="uniform", low=0.1, high=1.0),
    "crowd_out": Distribution(dist="triangular", low=0.0, mode=0.3, high=1.0),
    "idea_productivity": Distribution(dist="loguniform", low=0.08, high=0.4),
    "budget_noise": Distribution(dist="normal", mean=0.05, sd=0.01),
}


def test_latin_hypercube_is_stratified_seeded_and_follows_the_distributions() -> None:
    design = latin_hypercube(UNCERTAIN, 200, seed=3)
    assert list(design.columns) == sorted(UNCERTAIN) and len(design) == 200
    for name, dist in UNCERTAIN.items():
        frozen = {
            "uniform": lambda d: stats.uniform(d.low, d.high - d.low),
            "triangular": lambda d: stats.triang((d.mode - d.low) / (d.high - d.low), d.low,
                                                 d.high - d.low),
            "loguniform": lambda d: stats.loguniform(d.low, d.high),
            "normal": lambda d: stats.norm(d.mean, d.sd),
        }[dist.dist](dist)  # fmt: skip
        strata = np.floor(frozen.cdf(design[name].to_numpy()) * 200).astype(int)
        assert sorted(strata) == list(range(200)), name  # exactly one draw per stratum
    again = latin_hypercube(UNCERTAIN, 200, seed=3)
    assert design.equals(again)
    assert not design.equals(latin_hypercube(UNCERTAIN, 200, seed=4))


def test_quantile_functions_agree_with_the_engines_sampling() -> None:
    """The sweep's LHS and the engine's Monte Carlo draw from the same distributions."""
    runs = np.arange(4000)
    engine = sample_uncertainties(UNCERTAIN, seed=9, run_index=runs)
    probabilities = np.linspace(0.05, 0.95, 7)
    for name, dist in UNCERTAIN.items():
        expected = dist.ppf(probabilities, parameter=name)
        observed = np.quantile(engine[name], probabilities)
        spread = dist.ppf([0.95], parameter=name)[0] - dist.ppf([0.05], parameter=name)[0]
        np.testing.assert_allclose(observed, expected, atol=0.04 * spread, err_msg=name)


SCENARIO = {
    "policies": {
        "default": "status-quo",
        "blocs": {"ilrs": {"preset": "emulation", "openness": 0.7}},
    },
    "levers": {
        "ilrs": {"openness": [0.3, 0.9]},
        "USA": {"preset": ["cutthroat", "reciprocal"], "reaction": [0.5]},
        "IND": {"rivalry": [0.0, 1.0]},
    },
}


def test_the_lever_grid_crosses_every_axis_in_file_order() -> None:
    scenario = parse_scenario(SCENARIO)
    assert [a.name for a in lever_axes(scenario)] == [
        "lever_ilrs_openness",
        "lever_USA_preset",
        "lever_USA_reaction",
        "lever_IND_rivalry",
    ]
    points = lever_points(scenario)
    assert len(points) == 2 * 2 * 1 * 2
    assert points[0] == {
        "lever_ilrs_openness": 0.3,
        "lever_USA_preset": "cutthroat",
        "lever_USA_reaction": 0.5,
        "lever_IND_rivalry": 0.0,
    }
    assert points[-1]["lever_ilrs_openness"] == 0.9 and points[-1]["lever_IND_rivalry"] == 1.0
    assert lever_points(load_scenario("baseline")) == [{}]


def test_a_lever_point_becomes_policy_overrides() -> None:
    scenario = parse_scenario(SCENARIO)
    variant = scenario_variant(scenario, lever_points(scenario)[-1])
    policies = variant.policies
    # a bloc keeps its preset and its other overrides
    assert policies.blocs["ilrs"].preset == "emulation"
    assert policies.blocs["ilrs"].lever_overrides == {"openness": 0.9}
    # an actor gets the preset of the axis and the lever
    assert policies.actors["USA"].preset == "reciprocal"
    assert policies.actors["USA"].lever_overrides == {"reaction": 0.5}
    # India (ILRS and Artemis: "both") starts from the policy it follows: the default
    assert policies.actors["IND"].preset == "status-quo"
    assert policies.actors["IND"].lever_overrides == {"rivalry": 1.0}
    assert variant.levers == {}
    # and the engine really uses it
    results = moondust.simulate(variant.with_changes(simulation={"end": 2027}), runs=1, seed=1)
    assert results.runs == 1


def test_a_scenario_without_levers_keeps_its_digest() -> None:
    import hashlib
    import json

    baseline = load_scenario("baseline")
    assert baseline.levers == {}
    before = baseline.model_dump(mode="json")
    del before["levers"]  # the digest as computed before scenarios could declare levers
    text = json.dumps(before, sort_keys=True)
    assert baseline.digest() == hashlib.sha256(text.encode()).hexdigest()[:16]
    assert (
        parse_scenario(SCENARIO).digest()
        != parse_scenario({k: v for k, v in SCENARIO.items() if k != "levers"}).digest()
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[levers.MARS]\nopenness = [0.5]", "unknown lever target 'MARS'"),
        ("[levers.ilrs]\nopennes = [0.5]", "unknown lever 'opennes'"),
        ("[levers.ilrs]\nopenness = []", "at least 1 item"),
        ("[levers.ilrs]\nopenness = [0.5, 0.5]", "values must be distinct"),
        ("[levers.ilrs]\nopenness = [-1]", "openness must be a number from 0 to 1"),
        ('[levers.ilrs]\npreset = ["anarchy"]', "unknown policy 'anarchy'"),
        ("[levers.ilrs]\nopenness = 0.5", "valid list"),
    ],
)
def test_bad_lever_grids_name_the_file_and_field(tmp_path: Path, content: str, expected: str):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(InputFileError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "levers" in message and expected in message
