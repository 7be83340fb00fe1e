"""The inventory's Monte Carlo range: deterministic, bracketing, and exact where it must be."""

from __future__ import annotations

import numpy as np
import pytest

from moondust.moon import He3Map, MoonParameters
from moondust.moon.uncertainty import CLASS_SAMPLED, SAMPLED, inventory_range


def test_range_is_deterministic_and_brackets_the_default(moon_1deg: He3Map) -> None:
    first = moon_1deg.inventory()
    again = He3Map(1.0).inventory()
    assert first.total_kg_q05 == again.total_kg_q05 and first.total_kg_q95 == again.total_kg_q95
    assert first.total_kg_q05 < first.total_kg < first.total_kg_q95
    assert first.near_far_ratio_q05 < first.near_side_kg / first.far_side_kg
    assert first.near_side_kg / first.far_side_kg < first.near_far_ratio_q95
    assert first.draws == int(MoonParameters().inventory_draws)


def _fixed(params: MoonParameters) -> dict[str, tuple[float, float]]:
    names = SAMPLED + CLASS_SAMPLED
    return {name: (getattr(params, name), getattr(params, name)) for name in names}


def test_a_draw_at_the_defaults_reproduces_the_map_exactly() -> None:
    # Collapse every sampled range to the default and switch off TiO2 errors: each draw must
    # then be the map's own integral (this checks the per-column shortcut of the Monte Carlo).
    for moon in (He3Map(2.0), He3Map(0.5, tio2_model="class")):
        draws = inventory_range(moon, draws=5, ranges=_fixed(moon.params), tio2_errors=False)
        inv = moon.inventory(with_range=False)
        np.testing.assert_allclose(draws.total_kg, inv.total_kg, rtol=1e-12)
        np.testing.assert_allclose(draws.near_side_kg, inv.near_side_kg, rtol=1e-12)


def test_tio2_errors_alone_move_the_total_a_little(moon_1deg: He3Map) -> None:
    # With parameters fixed the spread comes from 1,790 independent pixel errors: small.
    draws = inventory_range(moon_1deg, draws=200, ranges=_fixed(moon_1deg.params))
    total = moon_1deg.inventory(with_range=False).total_kg
    assert np.mean(draws.total_kg) == pytest.approx(total, rel=0.01)
    assert 0 < np.std(draws.total_kg) / total < 0.05


def test_every_sampled_parameter_moves_the_inventory() -> None:
    base = He3Map(3.0).inventory(with_range=False).total_kg
    specs = MoonParameters.specs()
    for name in SAMPLED:
        moved = He3Map(3.0, MoonParameters().with_overrides({name: specs[name].low}))
        assert moved.inventory(with_range=False).total_kg != pytest.approx(base, rel=1e-6), name


def test_user_override_becomes_the_centre_of_the_range() -> None:
    thick = He3Map(3.0, MoonParameters().with_overrides({"regolith_highland_m": 30.0}))
    inv = thick.inventory()
    assert inv.total_kg_q05 < inv.total_kg < inv.total_kg_q95
