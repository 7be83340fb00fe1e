"""The Mesa model: one :class:`SpaceProgramme` agent per actor and the yearly pipeline.

``MoonRace.step()`` is one simulated year, in the order of moondust's year pipeline
(docs/model.md, "The race engine"):

1. policy imitation (optional)            7. technology (M2): R&D, spillovers, catch-up
2. each programme's levers (its policy)   8. missions (M3): attempts, success, heritage
3. budgets (M1): Richardson arms race     9. stations (M4): crews fly, crew links
4. conflict (M7): incidents, ASAT tests  10. mining (M5): sites, miners, extraction, delivery
5. debris (M7): the orbital commons      11. fusion (M6): plants, energy, CO2
6. mission targets (M3)                  12. reactions (M2): emulation and rivalry

A :class:`mesa.DataCollector` records world totals every year; :func:`run_twin` sweeps runs with
:func:`mesa.batch_run`. Randomness comes from Mesa's seeded ``self.random`` (a
:class:`random.Random`), so the twin matches moondust in distribution, not draw for draw.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from benchmarks.mesa_twin.agents import DOMAINS, K, SpaceProgramme
from benchmarks.mesa_twin.commons import OrbitalShell, Site, Station
from benchmarks.mesa_twin.inputs import TRACKS, twin_inputs
from moondust.world.policies import LEVERS, Observation
from moondust.world.scenario import Scenario


class MoonRace(mesa.Model):
    """The race for the Moon's helium-3, one run.

    Parameters
    ----------
    scenario
        A built-in scenario name (``"baseline"``), a scenario file, or a Scenario.
    seed
        Seed of Mesa's random number generator.
    """

    def __init__(self, scenario: str | Path | Scenario = "baseline", seed: int | None = None):
        super().__init__(seed=seed)
        self.inputs = data = twin_inputs(scenario)
        self.p = data.sample_parameters(self.random)
        self.year = data.start
        self.n = n = data.n_actors
        self.programmes = [SpaceProgramme(self, i) for i in range(n)]
        self.shell = OrbitalShell(self.p, data.start)
        self.sites = [Site(spec) for spec in data.sites]
        self.stations = [
            Station(
                spec,
                data.start,
                spec.milestone < 0 or data.achieved0[spec.host][spec.milestone],
                self.p,
            )
            for spec in data.stations
        ]
        self.tension = [[0.0] * n for _ in range(n)]
        # Crew links start at the treaty quotas' steady state, which the 2025 relations reflect.
        link0 = [[0.0] * n for _ in range(n)]
        for station in self.stations:
            if station.is_open:
                for j, quota in enumerate(station.spec.quota):
                    link0[station.spec.host][j] += quota * station.spec.seats
        decay = self.p["crew_link_decay"]
        self.crew_link0 = [
            [(link0[i][j] + link0[j][i]) / decay for j in range(n)] for i in range(n)
        ]
        self.crew_link = [row[:] for row in self.crew_link0]
        self.spending_2025 = sum(data.civil0) + sum(data.military0)
        self.ladder_index = {name: m for m, name in enumerate(data.milestones)}
        self.heritage: list[tuple[float, float]] = []
        self.asat_tests_this_year = 0
        self.incidents_this_year = 0
        self.foreign_flights_this_year = 0
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "year": "year",
                "military_usd_bn": lambda m: sum(a.military for a in m.programmes),
                "civil_usd_bn": lambda m: sum(a.civil for a in m.programmes),
                "he3_delivered_kg": lambda m: sum(a.delivered_kg for a in m.programmes),
                "energy_twh": lambda m: sum(a.energy_twh for a in m.programmes),
                "co2_avoided_mt": lambda m: sum(a.co2_avoided_mt for a in m.programmes),
                "debris": lambda m: m.shell.debris,
                "asat_tests": "asat_tests_this_year",
                "incidents": "incidents_this_year",
                "foreign_flights": "foreign_flights_this_year",
                "first_he3_delivered_year": lambda m: m.first_year("he3_delivered")[0],
                "first_he3_delivered_bloc": lambda m: m.first_year("he3_delivered")[1],
                "usa_crewed_landing_year": lambda m: m.milestone_year("USA", "crewed_landing"),
                "chn_crewed_landing_year": lambda m: m.milestone_year("CHN", "crewed_landing"),
            }
        )

    # --- reporters -----------------------------------------------------------------------------
    def first_year(self, milestone: str) -> tuple[float, str]:
        """Earliest year anyone holds ``milestone`` and the bloc of who did (``tie`` across
        blocs, empty if nobody)."""
        m = self.ladder_index[milestone]
        years = [a.achieved_year[m] for a in self.programmes if not math.isnan(a.achieved_year[m])]
        if not years:
            return math.nan, ""
        first = min(years)
        blocs = {a.bloc for a in self.programmes if a.achieved_year[m] == first}
        return first, blocs.pop() if len(blocs) == 1 else "tie"

    def milestone_year(self, actor: str, milestone: str) -> float:
        """Year an actor achieved a milestone (NaN if not)."""
        return self.programmes[self.inputs.ids.index(actor)].achieved_year[
            self.ladder_index[milestone]
        ]

    # --- the year ------------------------------------------------------------------------------
    def step(self) -> None:
        """Simulate one year."""
        self.year += 1
        self.imitate()
        self.choose_levers()
        rivalry = self.relieved_rivalry()
        self.budgets(rivalry)
        fragments = self.conflict(rivalry)
        launch_scale = sum(a.civil + a.military for a in self.programmes) / self.spending_2025
        self.shell.advance_year(self.year, launch_scale, fragments)
        self.agents.do("choose_targets")
        _beta, partners = self.technology()
        self.missions(partners)
        self.fly_crews()
        self.mine(partners)
        self.fusion()
        self.reactions(rivalry)
        self.datacollector.collect(self)
        self.running = self.year < self.inputs.end

    def imitate(self) -> None:
        """Fermi imitation of a more successful actor's policy (off when β_sel = 0)."""
        intensity, rate = self.p["selection_intensity"], self.p["imitation_rate"]
        if intensity <= 0 or rate <= 0:
            return
        payoffs = [a.payoff() for a in self.programmes]
        policies = [a.policy_index for a in self.programmes]
        for i, agent in enumerate(self.programmes):
            if self.random.random() >= rate:
                continue
            other = self.random.randrange(self.n - 1)
            other += other >= i
            advantage = payoffs[other] - payoffs[i]
            if self.random.random() < 1.0 / (1.0 + math.exp(-intensity * advantage)):
                agent.policy_index = policies[other]

    def choose_levers(self) -> None:
        """Every programme asks its policy for this year's levers, given what it observes."""
        rivalry = self.inputs.rivalry
        shares = [a.military_share for a in self.programmes]
        news = [float(a.new_milestones) for a in self.programmes]
        rival_share, rival_news = [], []
        for row in rivalry:
            weight = sum(row)
            pressure = sum(w * x for w, x in zip(row, shares, strict=True))
            rival_share.append(pressure / weight if weight > 0 else 0.0)
            rival_news.append(sum(w * x for w, x in zip(row, news, strict=True)))
        observation = Observation(
            year=self.year,
            military_share=np.array([shares]),
            rival_military_share=np.array([rival_share]),
            rival_milestones_last_year=np.array([rival_news]),
            milestones_held=np.array([[float(sum(a.achieved)) for a in self.programmes]]),
        )
        answers: dict[int, dict[str, Any]] = {}
        for agent in self.programmes:
            if agent.policy_index not in answers:
                policy = self.inputs.policies[agent.policy_index]
                answers[agent.policy_index] = policy.levers(observation)
            chosen = answers[agent.policy_index]
            agent.levers = {name: float(chosen[name][0, agent.index]) for name in LEVERS}

    def relieved_rivalry(self) -> list[list[float]]:
        """Rivalry weights softened by recent joint crews (M4)."""
        most = min(max(self.p["rivalry_relief_max"], 0.0), 1.0)
        gain = max(self.p["rivalry_relief_gain"], 0.0)
        relieved = []
        for i, row in enumerate(self.inputs.rivalry):
            new_row = []
            for j, weight in enumerate(row):
                excess = self.crew_link[i][j] - self.crew_link0[i][j]
                if weight and excess > 0:
                    relief = 1.0 - most * (1.0 - math.exp(-gain * excess))
                    weight *= min(max(relief, 0.0), 1.0)
                new_row.append(weight)
            relieved.append(new_row)
        return relieved

    def budgets(self, rivalry: list[list[float]]) -> None:
        """M1: every programme updates from last year's shares (a simultaneous update)."""
        shares = [a.military_share for a in self.programmes]
        total = sum(a.envelope for a in self.programmes)
        mean_share = sum(a.military_share * a.envelope for a in self.programmes) / total
        for agent in self.programmes:
            agent.update_budget(shares, rivalry[agent.index], mean_share)

    def conflict(self, rivalry: list[list[float]]) -> float:
        """M7: counterspace stocks, at most one incident per rival pair; returns ASAT fragments."""
        p = self.p
        depreciation = p["counterspace_depreciation"]
        for agent in self.programmes:
            agent.counterspace = (1.0 - depreciation) * agent.counterspace + agent.military
            agent.interfered = False
        reference = p["counterspace_reference_usd_bn"] / depreciation
        low, high = self.inputs.asat_fragments
        fragments = 0.0
        incidents = tests = 0
        for i in range(self.n):
            first = self.programmes[i]
            for j in range(i + 1, self.n):
                weight = 0.5 * (rivalry[i][j] + rivalry[j][i])
                if weight <= 0:
                    continue
                second = self.programmes[j]
                tension = 0.5 * (self.tension[i][j] + self.tension[j][i])
                k_i, k_j = max(first.counterspace, 0.0), max(second.counterspace, 0.0)
                hazard = (
                    p["incident_hazard"]
                    * weight
                    * (math.sqrt(k_i * k_j) / reference) ** p["stock_elasticity"]
                    * (1.0 + p["tension_gain"] * max(tension, 0.0))
                )
                if self.random.random() >= -math.expm1(-hazard):
                    continue
                total = first.counterspace + second.counterspace
                share_first = first.counterspace / total if total > 0 else 0.5
                if self.random.random() < share_first:
                    attacker, target = first, second
                else:
                    attacker, target = second, first
                if self.random.random() < p["interference_share"]:
                    target.interfered = True
                    target.incidents += 1
                    incidents += 1
                elif attacker.levers["asat_allowed"] > 0.5:
                    attacker.asat_tests += 1
                    target.incidents += 1
                    incidents += 1
                    tests += 1
                    fragments += math.exp(
                        math.log(low) + (math.log(high) - math.log(low)) * self.random.random()
                    )
        self.incidents_this_year = incidents
        self.asat_tests_this_year = tests
        return fragments

    def technology(self) -> tuple[list[list[float]], list[list[bool]]]:
        """M2: spillovers β, R&D coordination, idea production and catch-up.

        Returns this year's spillovers and coordination partners (used by M3 and M5).
        """
        p = self.p
        data = self.inputs
        n = self.n
        cap = max(p["crew_spillover_cap"], 0.0)
        gain = p["crew_spillover_gain"]
        openness = [a.levers["openness"] for a in self.programmes]
        willing = [a.levers["coordinate"] > 0.5 for a in self.programmes]
        beta: list[list[float]] = []
        partners: list[list[bool]] = []
        for i in range(n):
            beta_row, partner_row = [0.0] * n, [False] * n
            for j in range(n):
                if i == j or data.sanction[i][j]:
                    continue
                same = data.same_bloc[i][j]
                b = p["spillover_max"] * openness[i] * openness[j]
                b *= 1.0 if same else p["cross_bloc_discount"]
                excess = self.crew_link[i][j] - self.crew_link0[i][j]
                if excess > 0:
                    b += cap * (1.0 - math.exp(-gain * excess))
                beta_row[j] = min(max(b, 0.0), 1.0)
                partner_row[j] = same and willing[i] and willing[j]
            beta.append(beta_row)
            partners.append(partner_row)

        for agent in self.programmes:
            agent.fund_research(beta[agent.index], partners[agent.index])
        research = [a.research_by_domain for a in self.programmes]
        leaders, frontier = [], []
        for k in range(K):
            levels = [a.capability[k] for a in self.programmes]
            best = max(levels)
            leaders.append(levels.index(best))
            frontier.append(best)
        for agent in self.programmes:
            agent.plan_growth(beta[agent.index], research, leaders, frontier)
        self.agents.do("grow")
        return beta, partners

    def missions(self, partners: list[list[bool]]) -> None:
        """M3: on each track in turn, every programme attempts its target if it can."""
        loss = self.shell.loss_multiplier()
        for agent in self.programmes:
            agent.new_milestones = 0
        for track in range(len(TRACKS)):
            # Heritage as it stands before this track's attempts (a simultaneous update).
            self.heritage = [
                (a.levers["openness"] * a.successes, a.levers["openness"] * a.failures)
                for a in self.programmes
            ]
            for agent in self.programmes:
                agent.attempt(track, partners[agent.index], loss)

    def partner_heritage(self, partners: list[bool]) -> tuple[float, float]:
        """Openness-weighted successes and failures of a programme's R&D partners."""
        s = f = 0.0
        for (successes, failures), partner in zip(self.heritage, partners, strict=True):
            if partner:
                s += successes
                f += failures
        return s, f

    def fly_crews(self) -> None:
        """M4: stations open and close, train candidates and fly this year's crews."""
        n = self.n
        training_before = [list(station.training) for station in self.stations]
        flights = [[0] * n for _ in range(n)]
        foreign_total = 0
        for station in self.stations:
            seats = station.fly(
                self.year, self.programmes, training_before, self.p, self.inputs.sanction
            )
            host = station.spec.host
            for j, count in enumerate(seats):
                if count:
                    self.programmes[j].seats_flown += count
                    if j != host:
                        self.programmes[j].foreign_flights += count
                        flights[host][j] += count
                        foreign_total += count
        keep = 1.0 - self.p["crew_link_decay"]
        for i in range(n):
            for j in range(n):
                self.crew_link[i][j] = keep * self.crew_link[i][j] + flights[i][j] + flights[j][i]
        self.foreign_flights_this_year = foreign_total

    def mine(self, partners: list[list[bool]]) -> None:
        """M5: claim or join sites in turn, buy miners, extract, deliver to Earth."""
        p = self.p
        n = self.n
        commercial = self.ladder_index["commercial_mining"]
        far_side = self.ladder_index["far_side_landing"]
        delivered = self.ladder_index["he3_delivered"]
        keep = 1.0 - p["tension_decay"]
        for row in self.tension:
            for j in range(n):
                row[j] *= keep
        for agent in self.programmes:
            agent.mining_spent = 0.0
            if agent.holds(commercial):
                budget = p["mining_budget_share"] * p["lunar_share"] * agent.civil
                agent.mining_budget = min(budget, agent.mission_fund)
            else:
                agent.mining_budget = 0.0

        start = self.year % n
        for i in [*range(start, n), *range(start)]:  # a turn order that rotates with the year
            self.seek_site(self.programmes[i], partners[i], far_side)

        for agent in self.programmes:
            agent.buy_miners()

        # Extraction, scaled down where a site holds less than its miners could take.
        capacity = [a.mining_capacity() for a in self.programmes]
        demand = [0.0] * len(self.sites)
        for agent, amount in zip(self.programmes, capacity, strict=True):
            if agent.site >= 0:
                demand[agent.site] += amount
        scale = []
        for site, wanted in zip(self.sites, demand, strict=True):
            taken = min(wanted, site.remaining_kg)
            scale.append(taken / wanted if wanted > 0 else 0.0)
            site.remaining_kg = max(site.remaining_kg - taken, 0.0)
        for agent, amount in zip(self.programmes, capacity, strict=True):
            agent.mined_kg = amount * scale[agent.site] if agent.site >= 0 else 0.0
            agent.stock_on_moon_kg += agent.mined_kg
            agent.delivered_kg = agent.stock_on_moon_kg if agent.holds(delivered) else 0.0
            agent.stock_on_moon_kg -= agent.delivered_kg

    def seek_site(self, agent: SpaceProgramme, partners: list[bool], far_side: int) -> None:
        """One programme's turn: find a site if it has none (or its site is exhausted)."""
        p = self.p
        eps = 1e-12
        sites = self.sites
        current = agent.site
        exhausted = current >= 0 and sites[current].remaining_kg <= eps
        if not (agent.mining_budget > 0 and (current < 0 or exhausted)):
            return
        i = agent.index
        reach_far = agent.holds(far_side)
        reachable = [(reach_far or not s.far_side) and s.remaining_kg > eps for s in sites]
        # Contested: the richest reachable site is held exclusively by a rival.
        richest = _argmax(
            [s.remaining_kg if ok else -1.0 for s, ok in zip(sites, reachable, strict=True)]
        )
        owner = sites[richest].holder
        if (
            owner >= 0
            and not sites[richest].joint
            and self.inputs.rivalry[i][owner] > 0
            and owner != i
        ):
            bump = p["contested_site_tension"]
            self.tension[i][owner] += bump
            self.tension[owner][i] += bump

        sharing = agent.levers["shared_sites"] > 0.5
        join_site = -1
        if sharing:
            for other, partner in zip(self.programmes, partners, strict=True):
                site = other.site
                if (
                    partner
                    and other.levers["shared_sites"] > 0.5
                    and site >= 0
                    and sites[site].joint
                    and sites[site].remaining_kg > eps
                ):
                    join_site = site
                    break
        free = [ok and s.holder < 0 for s, ok in zip(sites, reachable, strict=True)]
        free_site = _argmax(
            [s.remaining_kg if ok else -1.0 for s, ok in zip(sites, free, strict=True)]
        )
        claim = join_site < 0 and any(free)
        setup = p["site_setup_usd_bn"] * (
            p["joint_base_cost_share"] if join_site >= 0 or sharing else 1.0
        )
        settled = False
        if agent.mining_budget >= setup:
            if join_site >= 0:
                agent.site = join_site
                settled = True
            elif claim:
                agent.site = free_site
                sites[free_site].holder = i
                sites[free_site].joint = sites[free_site].joint or sharing
                settled = True
        if settled:
            agent.mining_spent += setup
            agent.mining_budget -= setup
        elif exhausted:
            agent.site = -1  # miners stay idle until it finds a new site

    def fusion(self) -> None:
        """M6: plants, energy, CO2 avoided and its social cost."""
        scc = float(np.interp(self.year, self.inputs.scc_years, self.inputs.scc_usd_per_t))
        power = self.ladder_index["fusion_power"]
        for agent in self.programmes:
            agent.run_plants(agent.holds(power), scc)

    def reactions(self, rivalry: list[list[float]]) -> None:
        """M2: emulation and rivalry reactions to this year's milestones."""
        news = [a.new_milestones for a in self.programmes]
        same_bloc = self.inputs.same_bloc
        for agent in self.programmes:
            i = agent.index
            rival = emulation = 0.0
            for j, count in enumerate(news):
                if count and j != i:
                    weight = rivalry[i][j]
                    rival += weight * count
                    emulation += max(weight, 1.0 if same_bloc[i][j] else 0.0) * count
            agent.react(rival, emulation)


def _argmax(values: list[float]) -> int:
    """Index of the first largest value (as numpy.argmax)."""
    best = 0
    for index, value in enumerate(values):
        if value > values[best]:
            best = index
    return best


def run_twin(
    scenario: str | Path = "baseline",
    runs: int = 100,
    first_seed: int = 0,
    processes: int = 1,
) -> pd.DataFrame:
    """Run ``runs`` seeds of the twin with :func:`mesa.batch_run`; one row per run and year.

    The scenario must be a name or a path (batch_run passes it to every model, possibly in
    another process).
    """
    rows = mesa.batch_run(
        MoonRace,
        parameters={"scenario": str(scenario), "seed": range(first_seed, first_seed + runs)},
        number_processes=processes,
        iterations=1,
        data_collection_period=1,
        max_steps=10_000,
        display_progress=False,
    )
    return pd.DataFrame(rows)


def twin_outcomes(yearly: pd.DataFrame) -> pd.DataFrame:
    """Per-run race outcomes from :func:`run_twin`'s yearly table (columns as
    :func:`benchmarks.mesa_twin.outcomes.moondust_outcomes`)."""
    frame = yearly.sort_values(["seed", "year"])
    grouped = frame.groupby("seed", sort=True)
    last = grouped.tail(1).set_index("seed")
    table = pd.DataFrame(index=last.index)
    table.index.name = "run"
    table["first_he3_delivered_year"] = last["first_he3_delivered_year"].astype(float)
    table["first_he3_delivered_bloc"] = last["first_he3_delivered_bloc"].astype(str)
    for year in (2050, 2075, 2100):
        upto = frame[frame["year"] <= year].groupby("seed")
        table[f"he3_delivered_kg_by_{year}"] = upto["he3_delivered_kg"].sum()
        table[f"energy_twh_by_{year}"] = upto["energy_twh"].sum()
    table["military_cum_usd_bn"] = grouped["military_usd_bn"].sum()
    table["civil_cum_usd_bn"] = grouped["civil_usd_bn"].sum()
    table["debris_end"] = last["debris"].astype(float)
    table["asat_tests"] = grouped["asat_tests"].sum()
    table["incidents"] = grouped["incidents"].sum()
    table["foreign_crew_flights"] = grouped["foreign_flights"].sum()
    table["usa_crewed_landing_year"] = last["usa_crewed_landing_year"].astype(float)
    table["chn_crewed_landing_year"] = last["chn_crewed_landing_year"].astype(float)
    return table


__all__ = ["DOMAINS", "MoonRace", "SpaceProgramme", "run_twin", "twin_outcomes"]
