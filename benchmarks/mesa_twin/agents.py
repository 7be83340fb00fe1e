"""One Mesa agent per space programme: its budgets, capabilities, heritage, milestones and levers.

Each method is one actor's part of a mechanism of docs/model.md, written for one actor in plain
Python floats and lists. Where a mechanism needs the other actors' values of *last* year (the
Richardson arms race, spillovers, heritage), the model passes a snapshot taken before anyone
moves, so the update is simultaneous, as in moondust.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa

from benchmarks.mesa_twin.inputs import DOMAINS, TRACKS

if TYPE_CHECKING:
    from benchmarks.mesa_twin.model import MoonRace

K = len(DOMAINS)
FUSION = DOMAINS.index("fusion")
PROJECTION_HORIZON = 2030
"""Last year of the IMF growth projections."""
ROADMAP_LOOKAHEAD = 2
"""A milestone the roadmap schedules within this many years is preferred as a target."""
SCHEDULE_SLACK = 1
"""An announced milestone is attempted at most this many years early."""
MAX_RD_SHARE = 0.95
CAPABILITY_FLOOR = 0.1
HOURS_PER_YEAR = 8766.0


def aj_effort_ratio(beta: float, convexity: float) -> float:
    """d'Aspremont–Jacquemin cartel over non-cooperative R&D effort, x^C / x^N."""
    return (
        (1 + beta)
        / (2 - beta)
        * (convexity - (2 - beta) * (1 + beta))
        / (convexity - (1 + beta) ** 2)
    )


class SpaceProgramme(mesa.Agent):
    """A space programme (country or bloc remainder) racing for the Moon's helium-3.

    Parameters
    ----------
    model
        The :class:`~benchmarks.mesa_twin.model.MoonRace` it belongs to.
    index
        Its position in the scenario's actor list (used for pairwise tables).
    """

    model: MoonRace

    def __init__(self, model: MoonRace, index: int) -> None:
        super().__init__(model)
        data = model.inputs
        p = model.p
        self.index = index
        self.actor_id = data.ids[index]
        self.bloc = data.blocs[index]
        self.policy_index = data.policy_of_actor[index]
        self.levers: dict[str, float] = {}
        # M1 economy and budgets
        self.civil0 = data.civil0[index]
        self.military0 = data.military0[index]
        self.share0 = data.military_share0[index]
        self.imf_growth = data.gdp_growth[index]
        self.grievance = data.grievance[index]
        self.gdp_index = 1.0
        self.envelope = self.civil0 + self.military0
        self.military_share = self.share0
        self.civil = self.civil0
        self.military = self.military0
        self.cumulative_civil = 0.0
        self.cumulative_military = 0.0
        # M2 reactions to others' milestones
        self.civil_surge = 0.0
        self.threat = 0.0
        self.learning = 0.0
        # M2 technology and M3 missions
        self.capability = list(data.capability0[index])
        self.lunar_rd = 0.0
        self.mission_fund = 0.0
        self.research_by_domain = [0.0] * K
        self.growth = [0.0] * K
        self.achieved = list(data.achieved0[index])
        self.achieved_year = list(data.achieved_year0[index])
        self.roadmap = data.roadmap_year[index]
        self.successes = data.successes0[index]
        self.failures = data.failures0[index]
        self.targets = [-1] * len(TRACKS)
        self.new_milestones = 0
        # M7 conflict
        self.counterspace = self.military0 / p["counterspace_depreciation"]
        self.interfered = False
        self.incidents = 0
        self.asat_tests = 0
        # M4 crews
        self.seats_flown = 0
        self.foreign_flights = 0
        # M5 mining
        self.site = -1
        self.miners = 0.0
        self.landed_mass_kg = 0.0
        self.mining_budget = 0.0
        self.mining_spent = 0.0
        self.mined_kg = 0.0
        self.delivered_kg = 0.0
        self.stock_on_moon_kg = 0.0
        # M6 fusion
        self.plants_gw = 0.0
        self.he3_stock_kg = 0.0
        self.energy_twh = 0.0
        self.co2_avoided_mt = 0.0
        self.climate_value = 0.0

    # --- observation ---------------------------------------------------------------------------
    def holds(self, milestone: int) -> bool:
        """Whether the programme holds a milestone now."""
        return self.achieved[milestone]

    def payoff(self) -> float:
        """π for policy imitation: milestones held plus mean capability."""
        return sum(self.achieved) + sum(self.capability) / K

    # --- M1 budgets ----------------------------------------------------------------------------
    def update_budget(self, shares: list[float], rivalry: list[float], mean_share: float) -> None:
        """Grow the economy, draw the budget shock, move the military share, split the envelope.

        ``shares`` are every actor's military shares of last year, ``rivalry`` this actor's row of
        this year's rivalry weights and ``mean_share`` last year's envelope-weighted mean share.
        """
        p = self.model.p
        years_after = max(0, self.model.year - PROJECTION_HORIZON)
        fade = math.exp(-years_after / p["growth_convergence_years"])
        growth = p["long_run_growth"] + (self.imf_growth - p["long_run_growth"]) * fade
        self.gdp_index *= 1.0 + growth - p["growth_drag"] * (self.military_share - mean_share)
        sigma = p["budget_noise"]
        shock = math.exp(sigma * self.random.gauss(0.0, 1.0) - 0.5 * sigma * sigma)
        self.envelope = (self.civil0 + self.military0) * self.gdp_index * shock

        # Richardson: reaction to rivals' shares, restraint, grievance and felt threat.
        pressure = 0.0
        for weight, share in zip(rivalry, shares, strict=True):
            if weight:
                pressure += weight * share
        share = (
            self.military_share
            + self.levers["reaction"] * pressure
            - self.levers["restraint"] * self.military_share
            + self.grievance
            + self.threat
        )
        self.military_share = min(max(share, 0.0), max(p["military_share_max"], self.share0))
        self.military = self.military_share * self.envelope
        above_path = self.military - self.share0 * self.envelope
        civil = (1.0 - self.share0) * self.envelope * (1.0 + self.civil_surge)
        self.civil = max(civil - p["crowd_out"] * above_path, 0.0)
        self.cumulative_military += self.military
        self.cumulative_civil += self.civil

    # --- M3 targets ----------------------------------------------------------------------------
    def choose_targets(self) -> None:
        """On each track, the first eligible milestone, preferring one the roadmap has soon."""
        data = self.model.inputs
        year = self.model.year
        achieved = self.achieved
        best_score = [math.inf] * len(TRACKS)
        targets = [-1] * len(TRACKS)
        size = len(data.milestones)
        for m in range(size):
            if achieved[m] or not all(achieved[q] for q in data.prerequisites[m]):
                continue
            score = m - size if self.roadmap[m] <= year + ROADMAP_LOOKAHEAD else m
            track = data.track[m]
            if score < best_score[track]:
                best_score[track] = score
                targets[track] = m
        if self.model.p["fusion_enabled"] < 0.5:
            targets[TRACKS.index("fusion")] = -1
        self.targets = targets

    # --- M2 technology -------------------------------------------------------------------------
    def fund_research(self, beta: list[float], partners: list[bool]) -> None:
        """Split the lunar programme into R&D (by domain) and the mission fund.

        ``beta`` and ``partners`` are this actor's rows of the spillover and coordination tables.
        """
        p = self.model.p
        count = 0
        beta_sum = 0.0
        for b, partner in zip(beta, partners, strict=True):
            if partner:
                count += 1
                beta_sum += b
        ratio = aj_effort_ratio(beta_sum / count, p["aj_cost_convexity"]) if count else 1.0
        share = min(p["rd_fraction"] * ratio, MAX_RD_SHARE)
        programme = p["lunar_share"] * self.civil
        research = programme * share
        self.lunar_rd = research
        self.mission_fund += programme - research

        # R&D goes to the domains where current targets are short of capability.
        thresholds = self.model.inputs.thresholds
        deficit = [0.0] * K
        for target in self.targets:
            if target >= 0:
                row = thresholds[target]
                for k in range(K):
                    if k != FUSION:
                        deficit[k] = max(deficit[k], row[k] - self.capability[k])
        total = sum(deficit)
        if total > 0:
            weights = [d / total for d in deficit]
        else:
            weights = [0.0 if k == FUSION else 1.0 / (K - 1) for k in range(K)]
        fusion_share = p["fusion_rd_fraction"]
        weights = [w * (1.0 - fusion_share) for w in weights]
        weights[FUSION] = fusion_share
        self.research_by_domain = [research * w for w in weights]

    def plan_growth(
        self,
        beta: list[float],
        others_research: list[list[float]],
        leaders: list[int],
        frontier: list[float],
    ) -> None:
        """Idea production with spillovers plus Nelson–Phelps catch-up toward each leader."""
        p = self.model.p
        lam = p["research_elasticity"]
        phi = p["knowledge_elasticity"]
        delta = p["idea_productivity"]
        visibility = p["public_visibility"]
        absorptive = (
            self.lunar_rd / (self.lunar_rd + p["absorptive_half_usd_bn"]) * (1.0 + self.learning)
        )
        catch_up = p["catch_up_rate"] * absorptive
        growth = []
        for k in range(K):
            effective = self.research_by_domain[k]
            for b, research in zip(beta, others_research, strict=True):
                if b:
                    effective += b * research[k]
            own = self.capability[k]
            change = delta * effective**lam * max(own, CAPABILITY_FLOOR) ** phi
            visible = max(beta[leaders[k]], visibility)
            change += catch_up * max(visible * frontier[k] - own, 0.0)
            growth.append(change)
        self.growth = growth

    def grow(self) -> None:
        """Apply this year's capability growth."""
        self.capability = [a + g for a, g in zip(self.capability, self.growth, strict=True)]

    # --- M3 missions ---------------------------------------------------------------------------
    def success_chance(self, margin: float, partners: list[bool]) -> float:
        """Beta-Bernoulli heritage (own, plus partners' discounted) raised by capability margin."""
        p = self.model.p
        partner_s, partner_f = self.model.partner_heritage(partners)
        tau = p["heritage_transfer"]
        n0 = p["heritage_prior_strength"]
        wins = p["heritage_prior_mean"] * n0 + self.successes + tau * partner_s
        trials = n0 + self.successes + self.failures + tau * (partner_s + partner_f)
        heritage = wins / trials
        return heritage + (1.0 - heritage) * (1.0 - math.exp(-p["margin_gain"] * margin))

    def attempt(self, track: int, partners: list[bool], loss: float) -> None:
        """Attempt this track's target if ready, funded and on schedule; record the outcome."""
        target = self.targets[track]
        if target < 0:
            return
        data = self.model.inputs
        worst = math.inf
        for level, need in zip(self.capability, data.thresholds[target], strict=True):
            if need > 0:
                worst = min(worst, level / need)
        cost = data.cost_usd_bn[target]
        planned = self.roadmap[target]
        year = self.model.year
        on_schedule = math.isnan(planned) or year >= planned - SCHEDULE_SLACK
        if not (worst >= 1.0 and on_schedule and self.mission_fund >= cost):
            return
        self.mission_fund -= cost
        margin = max(worst - 1.0, 0.0) if math.isfinite(worst) else 0.0
        chance = 0.0 if self.interfered else self.success_chance(margin, partners) * loss
        if self.random.random() < chance:
            self.successes += 1
            self.achieved[target] = True
            self.achieved_year[target] = float(year)
            self.new_milestones += 1
        else:
            self.failures += 1

    # --- M5 mining -----------------------------------------------------------------------------
    def landing_cost_usd_per_kg(self) -> float:
        """Wright's law on the programme's cumulative landed mass."""
        p = self.model.p
        reference = p["miner_mass_t"] * 1000.0
        exponent = -math.log2(1.0 - p["launch_learning_rate"])
        return p["surface_delivery_usd_per_kg"] * (
            max(self.landed_mass_kg, reference) / reference
        ) ** (-exponent)

    def buy_miners(self) -> None:
        """Retire old miners, then buy and land new ones with what is left of the budget."""
        p = self.model.p
        self.miners *= 1.0 - 1.0 / p["miner_lifetime_years"]
        if self.site >= 0:
            unit_cost = (
                p["miner_hardware_usd_bn"]
                + p["miner_mass_t"] * 1000.0 * self.landing_cost_usd_per_kg() / 1e9
            )
            new = self.mining_budget / unit_cost
            self.miners += new
            self.landed_mass_kg += new * p["miner_mass_t"] * 1000.0
            self.mining_spent += new * unit_cost
        self.mission_fund -= self.mining_spent

    def mining_capacity(self) -> float:
        """He-3 the programme's miners could extract this year at its site's grade (kg)."""
        if self.site < 0:
            return 0.0
        p = self.model.p
        grade = self.model.sites[self.site].mean_ppb
        return (
            self.miners * p["miner_output_kg_at_20ppb"] * p["extraction_efficiency"] * grade / 20.0
        )

    # --- M6 fusion -----------------------------------------------------------------------------
    def run_plants(self, holds_fusion_power: bool, scc: float) -> None:
        """Build D-He3 plants as far as delivered He-3 can fuel them; burn it; count the CO2."""
        p = self.model.p
        enabled = p["fusion_enabled"] > 0.5
        self.he3_stock_kg += self.delivered_kg
        twh_per_kg = p["fusion_efficiency"] * p["energy_per_kg_gwh_th"] / 1000.0
        twh_per_gw = p["plant_capacity_factor"] * HOURS_PER_YEAR / 1000.0
        if holds_fusion_power and enabled:
            wanted = max(self.he3_stock_kg * twh_per_kg / twh_per_gw - self.plants_gw, 0.0)
            self.plants_gw += min(wanted, p["plant_build_rate_gw"])
        energy = (
            min(self.plants_gw * twh_per_gw, self.he3_stock_kg * twh_per_kg) if enabled else 0.0
        )
        self.he3_stock_kg = max(self.he3_stock_kg - energy / twh_per_kg, 0.0)
        self.energy_twh = energy
        intensity = p["grid_intensity_g_per_kwh"] - p["fusion_intensity_g_per_kwh"]
        self.co2_avoided_mt = energy * intensity / 1000.0
        self.climate_value = self.co2_avoided_mt * scc / 1000.0

    # --- M2 reactions --------------------------------------------------------------------------
    def react(self, rival_signal: float, emulation_signal: float) -> None:
        """Surge, threat and learning from others' milestones this year (felt next year)."""
        p = self.model.p
        keep = 1.0 - p["reaction_decay"]
        emulation = self.levers["emulation"]
        rivalry = self.levers["rivalry"]
        self.civil_surge = min(
            keep * self.civil_surge
            + p["emulation_gain"] * emulation * emulation_signal
            + p["rivalry_race_gain"] * rivalry * rival_signal,
            p["civil_surge_max"],
        )
        self.threat = keep * self.threat + p["rivalry_gain"] * rivalry * rival_signal
        self.learning = keep * self.learning + (
            p["emulation_openness_gain"] * emulation * emulation_signal
        )
