"""Uncertainty by default: every documented parameter range sampled per run (issue 19).

Run *i* gets the same parameter values alone, in any batch, chunk or thread count; the values lie
in the documented ranges; a scenario's own uncertainties, its fixed parameters and a sweep's inputs
take precedence over the tables; ``uncertainty = "none"`` samples nothing but the scenario's own.
(That ``none`` keeps the built-in scenarios' outputs bit for bit is checked by
``python -m benchmarks.reference check``.)
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from moondust.engine.simulate import parameter_key, sample_uncertainties, simulate
from moondust.engine_parameters import EngineParameters
from moondust.errors import InputFileError
from moondust.world.scenario import (
    NOT_SAMPLED,
    Scenario,
    load_scenario,
    parse_scenario,
    table_uncertainties,
)

SHORT = {"end": 2032}


def _short(name: str = "baseline", mode: str = "full") -> Scenario:
    scenario = load_scenario(name)
    return scenario.with_changes(
        simulation={**scenario.simulation.model_dump(), **SHORT, "uncertainty": mode}
    )


def _inputs(ds: xr.Dataset) -> dict[str, np.ndarray]:
    return {
        str(k).removeprefix("input_"): ds[k].values
        for k in ds.data_vars
        if str(k).startswith("input_")
    }


def test_full_is_the_default_and_samples_every_documented_range() -> None:
    scenario = load_scenario("baseline")
    assert scenario.simulation.uncertainty == "full"
    specs = EngineParameters.specs()
    documented = {n for n, s in specs.items() if s.low < s.high}
    assert set(scenario.sampled_uncertainties()) == documented - set(NOT_SAMPLED)
    assert len(documented - set(NOT_SAMPLED)) > 90
    assert load_scenario("baseline").with_uncertainty("none").sampled_uncertainties() == {}


def test_sampled_values_lie_in_their_documented_ranges_and_fill_them() -> None:
    runs = np.arange(2000, dtype=np.int64)
    draws = sample_uncertainties({}, 5, runs, table_uncertainties())
    specs = EngineParameters.specs()
    for name, values in draws.items():
        spec = specs[name]
        assert values.min() >= spec.low and values.max() <= spec.high, name
        # uniform: every fifth of the range is hit about 400 times in 2,000 draws
        counts = np.histogram(values, bins=5, range=(spec.low, spec.high))[0]
        assert counts.min() > 300, (name, counts)
        assert EngineParameters.validity(name).contains(float(values.min()))
        assert EngineParameters.validity(name).contains(float(values.max()))
    # independent parameters: no two share their draws
    matrix = np.array([draws[n] for n in sorted(draws)])
    correlation = np.corrcoef(matrix)
    np.fill_diagonal(correlation, 0.0)
    assert np.abs(correlation).max() < 0.15


def test_each_parameter_has_its_own_key() -> None:
    names = list(EngineParameters.model_fields)
    assert len({parameter_key(n) for n in names}) == len(names)


def test_run_i_is_the_same_alone_in_a_batch_or_offset() -> None:
    scenario = _short()
    batch = simulate(scenario, runs=12, seed=3, threads=1).dataset
    threaded = simulate(scenario, runs=12, seed=3, threads=2).dataset
    xr.testing.assert_identical(batch, threaded)
    inputs = _inputs(batch)
    assert len(inputs) == len(scenario.sampled_uncertainties())
    for k in (0, 7, 11):
        alone = simulate(scenario, runs=1, seed=3, first_run=k).dataset
        xr.testing.assert_identical(alone.drop_attrs(), batch.sel(run=[k]).drop_attrs())
    tail = simulate(scenario, runs=5, seed=3, first_run=7).dataset
    xr.testing.assert_identical(tail.drop_attrs(), batch.sel(run=slice(7, 11)).drop_attrs())
    # runs differ in their parameters, and another seed draws others
    assert np.unique(inputs["crowd_out"]).size == 12
    other = _inputs(simulate(scenario, runs=3, seed=4).dataset)
    assert not np.array_equal(other["crowd_out"], inputs["crowd_out"][:3])


def test_none_samples_nothing_and_full_changes_the_outcomes() -> None:
    none = simulate(_short(mode="none"), runs=6, seed=2).dataset
    full = simulate(_short(mode="full"), runs=6, seed=2).dataset
    assert _inputs(none) == {}
    assert none.attrs["uncertainty"] == "none" and full.attrs["uncertainty"] == "full"
    assert not np.array_equal(none["civil_usd_bn"].values, full["civil_usd_bn"].values)


def test_a_scenario_s_own_choices_take_precedence() -> None:
    base = _short()
    declared = {"crowd_out": {"dist": "uniform", "low": 0.9, "high": 1.0}}
    scenario = base.with_changes(uncertainties=declared, parameters={"spillover_max": 0.31})
    sampled = scenario.sampled_uncertainties()
    assert "spillover_max" not in sampled  # fixed by the scenario
    assert sampled["crowd_out"].low == 0.9  # the scenario's distribution, not the table's
    ds = simulate(scenario, runs=8, seed=1).dataset
    assert "input_spillover_max" not in ds
    assert (ds["input_crowd_out"].values >= 0.9).all()
    # the scenario's own uncertainties draw the same values in both modes
    chance = simulate(scenario.with_uncertainty("none"), runs=8, seed=1).dataset
    np.testing.assert_array_equal(chance["input_crowd_out"].values, ds["input_crowd_out"].values)
    assert set(_inputs(chance)) == {"crowd_out"}
    # a sweep's inputs replace the sampling of the same names; the others are unchanged
    given = simulate(scenario, runs=8, seed=1, inputs={"rivalry_gain": np.full(8, 0.123)}).dataset
    assert (given["input_rivalry_gain"].values == 0.123).all()
    np.testing.assert_array_equal(given["input_lunar_share"].values, ds["input_lunar_share"].values)


def test_parameters_a_batch_shares_are_not_sampled() -> None:
    ds = simulate(_short(), runs=3, seed=0).dataset
    for name in NOT_SAMPLED:
        assert f"input_{name}" not in ds


def test_the_mode_is_in_the_file_and_the_digest() -> None:
    base = load_scenario("baseline")
    assert base.digest() != base.with_uncertainty("none").digest()
    data = base.model_dump()
    data["simulation"]["uncertainty"] = "some"
    with pytest.raises(InputFileError, match="uncertainty"):
        parse_scenario(data)


def test_ordered_parameters_hold_over_the_sampled_ranges() -> None:
    # The shell grid's floor must lie below its ceiling in every run. The ceiling is fixed at
    # 2,000 km since the eight-shell debris model, so a floor above it is refused in both modes.
    data = load_scenario("baseline").model_dump()
    data["parameters"] = {"shell_floor_km": 2500.0}
    for mode in ("full", "none"):
        data["simulation"]["uncertainty"] = mode
        with pytest.raises(InputFileError, match="shell_floor_km"):
            parse_scenario(data)
    data["parameters"] = {"shell_floor_km": 300.0}
    assert parse_scenario(data).engine_parameters.shell_floor_km == 300.0


def test_the_fast_uniform_draws_equal_the_distribution_s_quantiles() -> None:
    from moondust.engine.random import Stream, uniform

    runs = np.arange(300, dtype=np.int64)
    ranges = table_uncertainties()
    draws = sample_uncertainties({}, 9, runs, ranges)
    for name, dist in ranges.items():
        u = uniform(9, runs, 0, Stream.PARAMETER_RANGES, parameter_key(name))
        np.testing.assert_array_equal(draws[name], dist.ppf(u, parameter=name))
