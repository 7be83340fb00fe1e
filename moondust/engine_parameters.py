"""The engine's scalar parameter sets (tables ``data/parameters/engine.csv``, ``stations.csv``,
``mining.csv``, ``fusion.csv`` and ``conflict.csv``; docs/model.md §M1–M7).

:class:`EngineParameters` holds the cited scalar defaults. A scenario may override them and may
declare some as uncertain; :func:`moondust.engine.params.resolve` turns them into the per-run
arrays the kernels take. They sit in the parameters layer, beside :mod:`moondust.parameters`
(the specs they are built from): a scenario holds them, and the world layer must not import the
engine.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import ValidationInfo, field_validator

from moondust.parameters import ParameterSet, spec_field


def _field(name: str, table: str = "engine", **constraints: float) -> float:
    value: float = spec_field(table, name, **constraints)
    return value


def _field_conflict(name: str, **constraints: float) -> float:
    return _field(name, "conflict", **constraints)


class ConflictParameters(ParameterSet):
    """Every scalar parameter of M7, conflict and debris (table ``data/parameters/conflict.csv``).

    The ranges in the table are what a sensitivity analysis sweeps; the bounds declared here are
    validity bounds.
    """

    table: ClassVar[str] = "conflict"

    counterspace_depreciation: float = _field_conflict("counterspace_depreciation", gt=0, le=1)
    counterspace_reference_usd_bn: float = _field_conflict("counterspace_reference_usd_bn", gt=0)
    stock_elasticity: float = _field_conflict("stock_elasticity", ge=0)
    incident_hazard: float = _field_conflict("incident_hazard", ge=0)
    tension_gain: float = _field_conflict("tension_gain", ge=0)
    interference_share: float = _field_conflict("interference_share", ge=0, le=1)
    launch_rate_2025: float = _field_conflict("launch_rate_2025", ge=0)
    mission_lifetime_years: float = _field_conflict("mission_lifetime_years", gt=0)
    disposal_success: float = _field_conflict("disposal_success", ge=0, le=1)
    constellation_realisation: float = _field_conflict("constellation_realisation", ge=0)
    collision_avoidance_failure: float = _field_conflict("collision_avoidance_failure", ge=0, le=1)
    active_collision_fraction: float = _field_conflict("active_collision_fraction", ge=0, le=1)
    disabling_ratio: float = _field_conflict("disabling_ratio", ge=0)
    impact_velocity_km_s: float = _field_conflict("impact_velocity_km_s", ge=0)
    satellite_mass_kg: float = _field_conflict("satellite_mass_kg", gt=0)
    satellite_diameter_m: float = _field_conflict("satellite_diameter_m", ge=0)
    debris_mass_kg: float = _field_conflict("debris_mass_kg", gt=0)
    debris_diameter_m: float = _field_conflict("debris_diameter_m", ge=0)
    explosions_per_year: float = _field_conflict("explosions_per_year", ge=0)
    explosion_scale: float = _field_conflict("explosion_scale", ge=0)
    solar_cycle_amplitude: float = _field_conflict("solar_cycle_amplitude", ge=0, le=5)
    asat_altitude_km: float = _field_conflict("asat_altitude_km", ge=0)
    shell_floor_km: float = _field_conflict("shell_floor_km", ge=0)
    shell_ceiling_km: float = _field_conflict("shell_ceiling_km", gt=0)
    debris_loss_sensitivity: float = _field_conflict("debris_loss_sensitivity", ge=0)

    @field_validator("shell_ceiling_km")
    @classmethod
    def _shell_has_volume(cls, ceiling: float, info: ValidationInfo) -> float:
        floor = info.data.get("shell_floor_km")
        if floor is not None and ceiling <= floor:
            raise ValueError(f"must exceed shell_floor_km ({floor:g} km)")
        return ceiling


class EngineParameters(ConflictParameters):
    """Every scalar parameter of the race engine, with cited defaults and ranges."""

    table: ClassVar[str] = "engine"
    extra_tables: ClassVar[tuple[str, ...]] = ("stations", "mining", "fusion", "conflict")

    lunar_share: float = _field("lunar_share", ge=0, le=1)
    rd_fraction: float = _field("rd_fraction", ge=0, le=1)
    idea_productivity: float = _field("idea_productivity", ge=0)
    research_elasticity: float = _field("research_elasticity", gt=0, le=1.5)
    knowledge_elasticity: float = _field("knowledge_elasticity", ge=0, lt=1)
    catch_up_rate: float = _field("catch_up_rate", ge=0, le=1)
    absorptive_half_usd_bn: float = _field("absorptive_half_usd_bn", gt=0)
    public_visibility: float = _field("public_visibility", ge=0, le=1)
    spillover_max: float = _field("spillover_max", ge=0, le=1)
    cross_bloc_discount: float = _field("cross_bloc_discount", ge=0, le=1)
    aj_cost_convexity: float = _field("aj_cost_convexity", gt=4)
    heritage_prior_mean: float = _field("heritage_prior_mean", gt=0, lt=1)
    heritage_prior_strength: float = _field("heritage_prior_strength", gt=0)
    heritage_transfer: float = _field("heritage_transfer", ge=0, le=1)
    margin_gain: float = _field("margin_gain", ge=0)
    crowd_out: float = _field("crowd_out", ge=0, le=1)
    growth_drag: float = _field("growth_drag", ge=-0.1, le=0.2)
    military_share_max: float = _field("military_share_max", gt=0, le=1)
    budget_noise: float = _field("budget_noise", ge=0, le=1)
    emulation_gain: float = _field("emulation_gain", ge=0)
    rivalry_gain: float = _field("rivalry_gain", ge=0)
    rivalry_race_gain: float = _field("rivalry_race_gain", ge=0)
    emulation_openness_gain: float = _field("emulation_openness_gain", ge=0)
    reaction_decay: float = _field("reaction_decay", ge=0, le=1)
    civil_surge_max: float = _field("civil_surge_max", ge=0)
    selection_intensity: float = _field("selection_intensity", ge=0)
    imitation_rate: float = _field("imitation_rate", ge=0, le=1)
    fusion_rd_fraction: float = _field("fusion_rd_fraction", ge=0, le=1)
    capability_lapse_years: float = _field("capability_lapse_years", ge=0)
    lapse_retention: float = _field("lapse_retention", ge=0, le=1)
    long_run_growth: float = _field("long_run_growth", ge=-0.05, le=0.1)
    growth_convergence_years: float = _field("growth_convergence_years", gt=0)

    # M4 stations and crews (data/parameters/stations.csv)
    crew_training_years: float = _field("crew_training_years", "stations", ge=0)
    crew_link_decay: float = _field("crew_link_decay", "stations", ge=0, le=1)
    crew_spillover_gain: float = _field("crew_spillover_gain", "stations", ge=0)
    crew_spillover_cap: float = _field("crew_spillover_cap", "stations", ge=0, le=1)
    rivalry_relief_gain: float = _field("rivalry_relief_gain", "stations", ge=0)
    rivalry_relief_max: float = _field("rivalry_relief_max", "stations", ge=0, le=1)
    bloc_partner_share: float = _field("bloc_partner_share", "stations", ge=0, le=1)
    guest_openness_min: float = _field("guest_openness_min", "stations", ge=0, le=1)
    guest_seats_max: float = _field("guest_seats_max", "stations", ge=0)

    # M5 mining (data/parameters/mining.csv)
    mining_sites: float = _field("mining_sites", "mining", ge=1, le=200)
    miner_output_kg_at_20ppb: float = _field("miner_output_kg_at_20ppb", "mining", ge=0)
    extraction_efficiency: float = _field("extraction_efficiency", "mining", ge=0, le=2)
    miner_mass_t: float = _field("miner_mass_t", "mining", gt=0)
    miner_hardware_usd_bn: float = _field("miner_hardware_usd_bn", "mining", ge=0)
    miner_lifetime_years: float = _field("miner_lifetime_years", "mining", ge=1)
    surface_delivery_usd_per_kg: float = _field("surface_delivery_usd_per_kg", "mining", gt=0)
    launch_learning_rate: float = _field("launch_learning_rate", "mining", ge=0, lt=1)
    mining_budget_share: float = _field("mining_budget_share", "mining", ge=0, le=1)
    site_setup_usd_bn: float = _field("site_setup_usd_bn", "mining", ge=0)
    joint_base_cost_share: float = _field("joint_base_cost_share", "mining", ge=0, le=1)
    contested_site_tension: float = _field("contested_site_tension", "mining", ge=0)
    tension_decay: float = _field("tension_decay", "mining", ge=0, le=1)
    mining_horizon_years: float = _field("mining_horizon_years", "mining", gt=0)

    # M6 fusion and climate (data/parameters/fusion.csv)
    fusion_enabled: float = _field("fusion_enabled", "fusion", ge=0, le=1)
    energy_per_kg_gwh_th: float = _field("energy_per_kg_gwh_th", "fusion", gt=0)
    fusion_efficiency: float = _field("fusion_efficiency", "fusion", gt=0, le=1)
    plant_build_rate_gw: float = _field("plant_build_rate_gw", "fusion", ge=0)
    plant_capacity_factor: float = _field("plant_capacity_factor", "fusion", gt=0, le=1)
    grid_intensity_g_per_kwh: float = _field("grid_intensity_g_per_kwh", "fusion", ge=0)
    fusion_intensity_g_per_kwh: float = _field("fusion_intensity_g_per_kwh", "fusion", ge=0)
    climate_benefit_counted: float = _field("climate_benefit_counted", "fusion", ge=0, le=1)

    # Fusion and the He-3 market, inputs for issue 18 (data/parameters/fusion.csv; docs/model.md
    # "Fusion and the He-3 market (inputs)"): declared here so code, data and docs stay in step;
    # the engine does not read them yet.
    dhe3_achievable_probability: float = _field("dhe3_achievable_probability", "fusion", ge=0, le=1)
    dhe3_triple_product_factor: float = _field("dhe3_triple_product_factor", "fusion", ge=1)
    dhe3_temperature_factor: float = _field("dhe3_temperature_factor", "fusion", ge=1)
    dhe3_power_density_factor: float = _field("dhe3_power_density_factor", "fusion", gt=0, le=1)
    fusion_levels_per_decade: float = _field("fusion_levels_per_decade", "fusion", ge=0)
    dt_slip_ratio_median: float = _field("dt_slip_ratio_median", "fusion", gt=0)
    dt_slip_log_sigma: float = _field("dt_slip_log_sigma", "fusion", ge=0, le=5)
    fusion_knowledge_elasticity: float = _field("fusion_knowledge_elasticity", "fusion", lt=1)
    capability_decay_rate: float = _field("capability_decay_rate", "fusion", ge=0, le=1)
    he3_reference_price_usd_m_per_kg: float = _field(
        "he3_reference_price_usd_m_per_kg", "fusion", gt=0
    )
    he3_reference_demand_kg_per_yr: float = _field("he3_reference_demand_kg_per_yr", "fusion", ge=0)
    he3_demand_elasticity: float = _field("he3_demand_elasticity", "fusion", lt=0)
    he3_demand_growth: float = _field("he3_demand_growth", "fusion", ge=-0.5, le=1)
    tritium_he3_supply_kg_per_yr: float = _field("tritium_he3_supply_kg_per_yr", "fusion", ge=0)
    dd_he3_kg_per_gwh_th: float = _field("dd_he3_kg_per_gwh_th", "fusion", ge=0)
    electricity_price_usd_per_mwh: float = _field("electricity_price_usd_per_mwh", "fusion", ge=0)
    grid_path_position: float = _field("grid_path_position", "fusion", ge=0, le=1)
    # The He-3 market (M5b, engine/market.py) reads the he3_*, tritium, dd_*, electricity and
    # grid rows above and these two.
    he3_backstop_price_usd_m_per_kg: float = _field(
        "he3_backstop_price_usd_m_per_kg", "fusion", gt=0
    )
    dd_breeding_gw_th: float = _field("dd_breeding_gw_th", "fusion", ge=0)
