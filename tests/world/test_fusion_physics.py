"""D-He3 against D-T: the Bosch-Hale fits against the paper's table and the derived ratios."""

from __future__ import annotations

import numpy as np
import pytest

from moondust.world import fusion_physics as fp

# Bosch & Hale (1992), Nucl. Fusion 32:611, Table VIII: <σv> in cm³/s, printed to four figures.
TABLE_VIII_T_KEV = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0]
TABLE_VIII = {
    "DT": [6.857e-21, 2.977e-19, 1.366e-17, 1.136e-16, 4.330e-16, 8.649e-16],
    "DHe3": [3.057e-26, 1.399e-23, 6.377e-21, 2.126e-19, 3.482e-18, 5.554e-17],
    "DDp": [1.017e-22, 3.150e-21, 9.024e-20, 5.781e-19, 2.399e-18, 9.838e-18],
    "DDn": [9.933e-23, 3.110e-21, 9.128e-20, 6.023e-19, 2.603e-18, 1.133e-17],
}


@pytest.mark.parametrize("reaction", sorted(TABLE_VIII))
def test_bosch_hale_reproduces_table_viii(reaction: str) -> None:
    # Tolerance 1e-3: the table's four printed figures carry up to 5e-4 rounding; the fit itself
    # reproduces the paper's tabulated values (its own output) to about that.
    got = fp.reactivity_cm3_s(reaction, TABLE_VIII_T_KEV)
    np.testing.assert_allclose(got, TABLE_VIII[reaction], rtol=1e-3)


def test_reactivity_refuses_temperatures_outside_the_fit() -> None:
    with pytest.raises(ValueError, match="valid"):
        fp.reactivity_cm3_s("DT", 150.0)
    with pytest.raises(KeyError):
        fp.reactivity_cm3_s("pB11", 100.0)


def test_dt_ignition_matches_the_textbook_condition() -> None:
    # Lawson/ignition: n T τ_E ≳ 3e21 keV s m⁻³ near 14 keV (IPP, "Fusion product").
    best = fp.ignition_optimum(fp.DT)
    assert 13 < best.t_kev < 15.5
    assert 2.5e21 < best.value < 3.2e21


def test_dhe3_requirements_against_published_ratios() -> None:
    r = fp.dhe3_requirements()
    # ~13x (no radiation) and ~16x (bremsstrahlung) the D-T triple product, ~4.4x the temperature,
    # ~1/80 of the power density at equal pressure ("1/80 the energy production under the same
    # confinement", an ITER physicist quoted in the reference notes' source).
    assert 12 < r.triple_product_ratio < 14
    assert 15 < r.triple_product_ratio_brems < 17
    assert 4.2 < r.temperature_ratio < 4.6
    assert 1 / 85 < r.power_density_ratio < 1 / 75


def test_parameter_rows_agree_with_the_physics() -> None:
    from moondust.parameters import load_specs

    specs = load_specs("fusion")
    r = fp.dhe3_requirements()
    assert specs["dhe3_triple_product_factor"].low <= r.triple_product_ratio_brems + 0.5
    assert specs["dhe3_triple_product_factor"].low >= r.triple_product_ratio - 0.5
    assert specs["dhe3_temperature_factor"].default == pytest.approx(r.temperature_ratio, rel=0.02)
    power = specs["dhe3_power_density_factor"]
    assert power.default == pytest.approx(r.power_density_ratio, rel=0.01)
    dd = specs["dd_he3_kg_per_gwh_th"].default
    assert dd == pytest.approx(fp.he3_from_dd_kg_per_gwh_th(), rel=0.01)


def test_energy_and_unit_constants() -> None:
    assert fp.he3_energy_gwh_th_per_kg() == pytest.approx(163, rel=0.005)
    assert fp.LITRES_PER_KG_HE3 == pytest.approx(7432, rel=1e-3)
    # 50 MW_th of D-D for a year breeds ~13.5 kg of He-3 (reference arithmetic)
    assert 50 * 8.766 * fp.he3_from_dd_kg_per_gwh_th() == pytest.approx(13.5, rel=0.02)


def test_threshold_shift_is_logarithmic() -> None:
    assert fp.threshold_shift_levels(10.0, 1.0) == pytest.approx(1.0)
    assert fp.threshold_shift_levels(100.0, 0.5) == pytest.approx(1.0)
    assert fp.threshold_shift_levels(1.0, 2.0) == 0.0
    with pytest.raises(ValueError):
        fp.threshold_shift_levels(0.5, 1.0)


def test_ignition_is_impossible_where_radiation_wins() -> None:
    # at 5 keV D-He3 bremsstrahlung exceeds its fusion power
    assert np.isinf(fp.ignition_triple_product(fp.DHE3, 5.0))
    assert np.isfinite(fp.ignition_triple_product(fp.DHE3, 5.0, bremsstrahlung=False))
