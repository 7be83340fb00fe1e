"""D-He3 against D-T: reactivities, ignition and power density (docs/model.md, Fusion inputs).

Pure functions, no model state. The thermal reactivities are the Bosch & Hale (1992) fits
(H.-S. Bosch and G. M. Hale, "Improved formulas for fusion cross-sections and thermal
reactivities", Nucl. Fusion 32:611, doi:10.1088/0029-5515/32/4/I07), their Eqs. (12)-(14) with the
Table VII coefficients; ``tests/world/test_fusion_physics.py`` checks them against the paper's
Table VIII. With ``x = T (C2 + T (C4 + T C6)) / (1 + T (C3 + T (C5 + T C7)))``:

    θ = T / (1 − x),   ξ = (B_G² / 4θ)^(1/3),
    ⟨σv⟩ = C1 θ √(ξ / (m_r c² T³)) exp(−3ξ)                       [cm³/s, T in keV]

From these, for a 0-D Maxwellian plasma with T_e = T_i (an idealisation; see the caveats below):

* **Ignition triple product** (charged products heat the plasma, bremsstrahlung cools it):
  ``n_i τ_E T = W T / (x₁x₂ ⟨σv⟩ E_ch − C_B Z_eff (n_e/n_i)² √T)`` with ``W = 1.5 (1 + n_e/n_i) T``
  the thermal energy per ion, ``x₁, x₂`` the fuel fractions of the ions, ``E_ch`` the charged
  energy per reaction (D-T: the 3.5 MeV α; D-He3: all 18.35 MeV) and ``C_B = 5.35e-37 W m³
  keV^-1/2`` (NRL Plasma Formulary bremsstrahlung). Minimised over T it gives the optimum.
* **Fusion power density at equal plasma pressure** ``p = (n_i + n_e) T`` (fixed β B²):
  ``P/p² = x₁x₂ ⟨σv⟩ E / ((1 + n_e/n_i)² T²)``, largest where ⟨σv⟩/T² peaks.

D-He3 (50:50 ions, n_e = 1.5 n_i, Z_eff = 5/3) needs about 13× the D-T triple product without
radiation, about 16× with bremsstrahlung, at ~4.4-5× the temperature, and gives ~1/80 of D-T's
power density at equal pressure. These are idealised *lower bounds*: synchrotron radiation,
relativistic bremsstrahlung above ~50 keV, T_e < T_i and ash dilution all make D-He3 harder, so
the engine's multiplier (``dhe3_triple_product_factor`` in ``data/parameters/fusion.csv``) is swept
above them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

KEV_J = 1.602176634e-16
"""One keV in joules (CODATA exact)."""

BREMSSTRAHLUNG_W_M3 = 5.35e-37
"""Bremsstrahlung coefficient: P_br = C_B Z_eff n_e² √T_keV W m⁻³ (NRL Plasma Formulary)."""

AVOGADRO = 6.02214076e23
HE3_MOLAR_MASS_G = 3.016029
MOLAR_VOLUME_STP_L = 22.414
"""Molar volume of an ideal gas at 0 °C and 1 atm (litres per mole)."""

LITRES_PER_KG_HE3 = 1000.0 / HE3_MOLAR_MASS_G * MOLAR_VOLUME_STP_L
"""Litres of He-3 gas at STP in one kilogram (≈ 7,432 L; sources rarely state the reference
conditions, so litre figures carry about ±7 %)."""


class BoschHaleFit(NamedTuple):
    """Table VII of Bosch & Hale (1992) for one reaction."""

    bg_sqrt_kev: float
    mrc2_kev: float
    c: tuple[float, float, float, float, float, float, float]
    t_min_kev: float
    t_max_kev: float
    max_deviation: float
    """The fit's largest deviation from the R-matrix reactivities over its range (fraction)."""


BOSCH_HALE: dict[str, BoschHaleFit] = {
    "DT": BoschHaleFit(
        34.3827,
        1124656.0,
        (1.17302e-9, 1.51361e-2, 7.51886e-2, 4.60643e-3, 1.35000e-2, -1.06750e-4, 1.36600e-5),
        0.2,
        100.0,
        0.0025,
    ),
    "DHe3": BoschHaleFit(
        68.7508,
        1124572.0,
        (5.51036e-10, 6.41918e-3, -2.02896e-3, -1.91080e-5, 1.35776e-4, 0.0, 0.0),
        0.5,
        190.0,
        0.025,
    ),
    "DDp": BoschHaleFit(
        31.3970,
        937814.0,
        (5.65718e-12, 3.41267e-3, 1.99167e-3, 0.0, 1.05060e-5, 0.0, 0.0),
        0.2,
        100.0,
        0.0035,
    ),
    "DDn": BoschHaleFit(
        31.3970,
        937814.0,
        (5.43360e-12, 5.85778e-3, 7.68222e-3, 0.0, -2.96400e-6, 0.0, 0.0),
        0.2,
        100.0,
        0.003,
    ),
}
"""Bosch & Hale (1992) Table VII: D(t,n)α, ³He(d,p)α, D(d,p)T and D(d,n)³He."""


def reactivity_cm3_s(reaction: str, t_kev: ArrayLike) -> NDArray[np.float64]:
    """Maxwellian ⟨σv⟩ in cm³/s at ion temperature ``t_kev`` (Bosch & Hale 1992, Eqs. 12-14).

    Raises
    ------
    KeyError
        For a reaction other than ``DT``, ``DHe3``, ``DDp``, ``DDn``.
    ValueError
        If a temperature lies outside the fit's range of validity.

    Examples
    --------
    >>> f"{float(reactivity_cm3_s('DT', 10.0)):.4g}"  # Table VIII: 1.136e-16
    '1.136e-16'
    """
    fit = BOSCH_HALE[reaction]
    t = np.asarray(t_kev, dtype=np.float64)
    if np.any(t < fit.t_min_kev) or np.any(t > fit.t_max_kev):
        raise ValueError(
            f"{reaction}: Bosch-Hale fit valid for {fit.t_min_kev:g}-{fit.t_max_kev:g} keV"
        )
    c1, c2, c3, c4, c5, c6, c7 = fit.c
    x = t * (c2 + t * (c4 + t * c6)) / (1.0 + t * (c3 + t * (c5 + t * c7)))
    theta = t / (1.0 - x)
    xi = (fit.bg_sqrt_kev**2 / (4.0 * theta)) ** (1.0 / 3.0)
    return np.asarray(
        c1 * theta * np.sqrt(xi / (fit.mrc2_kev * t**3)) * np.exp(-3.0 * xi), dtype=np.float64
    )


@dataclass(frozen=True)
class Fuel:
    """A fusion fuel mix: reaction, ion fractions, energies per reaction and charge state."""

    name: str
    reaction: str
    x1: float
    x2: float
    """Fractions of the ions that are each reactant (D-T 50:50: 0.5, 0.5)."""
    energy_mev: float
    charged_mev: float
    electrons_per_ion: float
    z_eff: float


DT = Fuel("D-T", "DT", 0.5, 0.5, 17.59, 3.52, 1.0, 1.0)
"""D-T 50:50: 17.59 MeV per reaction, 3.52 MeV of it in the α; n_e = n_i."""

DHE3 = Fuel("D-He3", "DHe3", 0.5, 0.5, 18.35, 18.35, 1.5, 5.0 / 3.0)
"""D-³He 50:50 ions: 18.35 MeV all charged (α 3.6 + p 14.7); n_e = 1.5 n_i;
Z_eff = (½·1 + ½·4)/1.5."""


def ignition_triple_product(
    fuel: Fuel, t_kev: ArrayLike, *, bremsstrahlung: bool = True
) -> NDArray[np.float64]:
    """Ignition ``n_i τ_E T`` (keV s m⁻³) at ``t_kev``; ``inf`` where no ignition is possible."""
    t = np.asarray(t_kev, dtype=np.float64)
    sv_m3 = reactivity_cm3_s(fuel.reaction, t) * 1e-6
    heating = fuel.x1 * fuel.x2 * sv_m3 * fuel.charged_mev * 1e3 * KEV_J  # W m³ per n_i²
    if bremsstrahlung:
        heating = heating - BREMSSTRAHLUNG_W_M3 * fuel.z_eff * fuel.electrons_per_ion**2 * np.sqrt(
            t
        )
    energy = 1.5 * (1.0 + fuel.electrons_per_ion) * t * KEV_J  # J per ion
    with np.errstate(divide="ignore"):
        return np.where(heating > 0, energy * t / np.where(heating > 0, heating, 1.0), np.inf)


def power_density_per_pressure2(fuel: Fuel, t_kev: ArrayLike) -> NDArray[np.float64]:
    """Fusion power density over the plasma pressure squared, ``P / p²`` (W m⁻³ per (keV m⁻³)²).

    ``p = (n_i + n_e) T``; at fixed β B² (equal pressure) the power density is proportional to it.
    """
    t = np.asarray(t_kev, dtype=np.float64)
    sv_m3 = reactivity_cm3_s(fuel.reaction, t) * 1e-6
    return np.asarray(
        fuel.x1
        * fuel.x2
        * sv_m3
        * fuel.energy_mev
        * 1e3
        * KEV_J
        / ((1.0 + fuel.electrons_per_ion) ** 2 * t**2),
        dtype=np.float64,
    )


class Optimum(NamedTuple):
    """The best temperature for a figure of merit and its value there."""

    t_kev: float
    value: float


def _grid(fuel: Fuel) -> NDArray[np.float64]:
    fit = BOSCH_HALE[fuel.reaction]
    return np.geomspace(max(fit.t_min_kev, 2.0), fit.t_max_kev, 4001)


def ignition_optimum(fuel: Fuel, *, bremsstrahlung: bool = True) -> Optimum:
    """The temperature of the lowest ignition triple product and that triple product."""
    t = _grid(fuel)
    values = ignition_triple_product(fuel, t, bremsstrahlung=bremsstrahlung)
    k = int(np.argmin(values))
    return Optimum(float(t[k]), float(values[k]))


def power_density_optimum(fuel: Fuel) -> Optimum:
    """The temperature of the largest fusion power density at fixed pressure, and ``P/p²`` there."""
    t = _grid(fuel)
    values = power_density_per_pressure2(fuel, t)
    k = int(np.argmax(values))
    return Optimum(float(t[k]), float(values[k]))


@dataclass(frozen=True)
class DHe3Requirements:
    """What D-He3 needs relative to D-T, each fuel at its own optimum (idealised lower bounds)."""

    triple_product_ratio: float
    """Ignition n τ T of D-He3 over D-T, charged-product heating only (≈ 13)."""
    triple_product_ratio_brems: float
    """The same with bremsstrahlung losses (≈ 16)."""
    temperature_ratio: float
    """Optimal temperature of D-He3 over D-T at fixed pressure (≈ 4.4)."""
    power_density_ratio: float
    """Fusion power density of D-He3 over D-T at equal pressure (≈ 1/80)."""


def dhe3_requirements() -> DHe3Requirements:
    """The D-He3/D-T ratios that scale the engine's D-He3 thresholds (docs/model.md)."""
    power_dt, power_dhe3 = power_density_optimum(DT), power_density_optimum(DHE3)
    return DHe3Requirements(
        triple_product_ratio=ignition_optimum(DHE3, bremsstrahlung=False).value
        / ignition_optimum(DT, bremsstrahlung=False).value,
        triple_product_ratio_brems=ignition_optimum(DHE3).value / ignition_optimum(DT).value,
        temperature_ratio=power_dhe3.t_kev / power_dt.t_kev,
        power_density_ratio=power_dhe3.value / power_dt.value,
    )


def threshold_shift_levels(triple_product_factor: float, levels_per_decade: float) -> float:
    """Extra capability levels D-He3 needs beyond D-T: ``ΔA = L_10 · log10(F)``.

    The engine's fusion capability is an ordinal scale; reading one decade of triple product as
    ``levels_per_decade`` levels (``fusion_levels_per_decade``), a D-He3 milestone needs the D-T
    milestone's threshold plus ``L_10 log10(F)`` with ``F = dhe3_triple_product_factor``.
    """
    if triple_product_factor < 1 or levels_per_decade < 0:
        raise ValueError("need a factor >= 1 and levels_per_decade >= 0")
    return float(levels_per_decade * np.log10(triple_product_factor))


def he3_from_dd_kg_per_gwh_th() -> float:
    """He-3 bred by D-D fusion per GWh of fusion heat (each D-D reaction ends in one ³He).

    The two D-D branches are nearly equal; with the triton burning or decaying the average energy
    per He-3 is ½(3.27 + 4.03) = 3.65 MeV, so ``m = 3.016 g / (N_A · 3.65 MeV)`` per joule.
    """
    joules_per_reaction = 3.65e3 * KEV_J
    kg_per_joule = HE3_MOLAR_MASS_G * 1e-3 / AVOGADRO / joules_per_reaction
    return kg_per_joule * 3.6e12


def he3_energy_gwh_th_per_kg() -> float:
    """Fusion heat per kg of He-3 burned with D: 18.35 MeV per ³He (≈ 163 GWh_th/kg)."""
    return 18.35e3 * KEV_J * AVOGADRO / (HE3_MOLAR_MASS_G * 1e-3) / 3.6e12
