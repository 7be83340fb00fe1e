"""Results of a simulation: an xarray Dataset and the summaries users read (docs/outputs.md).

:class:`Results` wraps ``dataset``, with dims ``run`` (global run index), ``actor``, ``year``,
``milestone`` and ``domain``. The same type comes back from :func:`moondust.simulate` and, later,
from opening a sweep's directory.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from moondust.world.blocs import BLOC_CLASSES, BlocClass

BAND_LABELS = {"full": "chance + parameter uncertainty", "none": "chance only"}
"""What a band spans under each ``[simulation] uncertainty`` mode (docs/outputs.md)."""


def band_label(uncertainty: str, declared: int = 0) -> str:
    """The words for a band: ``chance only``, or ``chance + parameter uncertainty``; a chance-only
    batch of a scenario that declares ``declared`` uncertain parameters of its own says so.

    >>> band_label("none", 2)
    "chance + the scenario's 2 uncertain parameter(s)"
    """
    if uncertainty == "none" and declared:
        return f"chance + the scenario's {declared} uncertain parameter(s)"
    return BAND_LABELS.get(uncertainty, uncertainty)


@dataclass(frozen=True)
class Summary:
    """Tables that summarise a batch of runs.

    Attributes
    ----------
    milestones
        One row per (actor, milestone): ``p_achieved`` by the end year, ``median_year``,
        ``p5_year``, ``p95_year`` (over runs that achieved it) and ``p_first`` (probability of
        being first to it; ties in a year share the credit).
    blocs
        One row per (bloc, milestone): ``p_first``, the probability an actor of that bloc class
        (artemis, ilrs, both, neither) is first.
    spending
        One row per actor: cumulative civil and military spending to the end year, USD bn, median
        and 5–95 % band.
    outcomes
        One row per race metric of :meth:`Results.run_outcomes` (numeric ones): median, 5 % and
        95 % over runs, and mean; for a share of runs (``p_…``, e.g.
        ``p_he3_delivered_by_2100``) every column is the share.
    runs, start, end, scenario
        What was summarised.
    uncertainty, band
        ``full`` or ``none`` (``[simulation] uncertainty``) and what the bands span
        (:func:`band_label`).
    """

    milestones: pd.DataFrame
    blocs: pd.DataFrame
    spending: pd.DataFrame
    outcomes: pd.DataFrame
    runs: int
    start: int
    end: int
    scenario: str
    uncertainty: str = "none"
    band: str = BAND_LABELS["none"]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN becomes null)."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            clean = frame.astype(object).where(frame.notna(), None)
            rows = clean.to_dict(orient="records")
            return [{str(key): value for key, value in row.items()} for row in rows]

        return {
            "scenario": self.scenario,
            "runs": self.runs,
            "start": self.start,
            "end": self.end,
            "uncertainty": self.uncertainty,
            "band": self.band,
            "milestones": records(self.milestones),
            "blocs": records(self.blocs),
            "spending": records(self.spending),
            "outcomes": records(self.outcomes),
        }

    def race_milestones(self) -> list[str]:
        """The milestones the race is about: those not every actor already held at the start.

        Returns
        -------
        list of str
            Milestone names in the order of :attr:`milestones`, without those some actor had
            achieved in every run by :attr:`start` (``p_achieved`` 1 and ``p95_year`` ≤ start).
        """
        table = self.milestones
        held = table[(table["p_achieved"] == 1.0) & (table["p95_year"] <= self.start)]
        order = list(dict.fromkeys(table["milestone"]))
        return [m for m in order if m not in set(held["milestone"])]

    def first_by_bloc(self) -> pd.DataFrame:
        """Probability each bloc class is first to each milestone, as a wide table.

        Returns
        -------
        pandas.DataFrame
            Index ``milestone``, one column per bloc class (``artemis``, ``ilrs``, ``both``,
            ``neither``), values ``p_first`` from :attr:`blocs`.
        """
        return self.blocs.pivot(index="milestone", columns="bloc", values="p_first")

    def leading_actors(self, milestones: list[str], limit: int = 6) -> list[str]:
        """The actors most often first to some of ``milestones``, likeliest first.

        Parameters
        ----------
        milestones
            The milestones that count (usually :meth:`race_milestones`).
        limit
            At most this many actors.

        Returns
        -------
        list of str
            Actors with a positive summed ``p_first`` over ``milestones``, by that sum,
            largest first.
        """
        frame = self.milestones
        leaders = (
            frame[frame["milestone"].isin(milestones)]
            .groupby("actor")["p_first"]
            .sum()
            .sort_values(ascending=False)
        )
        return [a for a in leaders.index if leaders[a] > 0][:limit]

    def earliest_median_year(self, milestone: str) -> float:
        """The earliest of the actors' median years to ``milestone``.

        Parameters
        ----------
        milestone
            A milestone name.

        Returns
        -------
        float
            The smallest ``median_year`` among actors that reach ``milestone`` in some run;
            NaN if none does.
        """
        table = self.milestones
        rows = table[(table["milestone"] == milestone) & (table["p_achieved"] > 0)]
        return float(rows["median_year"].min()) if len(rows) else float("nan")

    def spending_by_bloc(self) -> pd.DataFrame:
        """Cumulative civil and military spending per bloc class, summing the actors' medians.

        Returns
        -------
        pandas.DataFrame
            Index ``bloc``, columns ``civil_cum_median`` and ``military_cum_median`` (USD bn).
        """
        return self.spending.groupby("bloc")[["civil_cum_median", "military_cum_median"]].sum()

    def total_spending(self) -> dict[str, float]:
        """Cumulative spending of all actors, summing their medians.

        Returns
        -------
        dict
            ``{"civil": …, "military": …}``, USD bn.
        """
        return {
            kind: float(self.spending[f"{kind}_cum_median"].sum()) for kind in ("civil", "military")
        }

    def tidy(self) -> pd.DataFrame:
        """One long table (``table, actor, bloc, milestone, statistic, value``) for Parquet."""
        parts = []
        for table, frame, keys in (
            ("milestones", self.milestones, ["actor", "bloc", "milestone"]),
            ("blocs", self.blocs, ["bloc", "milestone"]),
            ("spending", self.spending, ["actor", "bloc"]),
            ("outcomes", self.outcomes.rename(columns={"metric": "milestone"}), ["milestone"]),
        ):
            long = frame.melt(id_vars=keys, var_name="statistic", value_name="value")
            long.insert(0, "table", table)
            parts.append(long)
        tidy = pd.concat(parts, ignore_index=True)
        for column in ("actor", "bloc", "milestone"):
            if column not in tidy:
                tidy[column] = ""
            tidy[column] = tidy[column].fillna("").astype(str)
        tidy["value"] = tidy["value"].astype(float)
        return tidy[["table", "actor", "bloc", "milestone", "statistic", "value"]]


class Results:
    """A batch of simulated runs.

    Parameters
    ----------
    dataset
        The xarray Dataset (see the module docstring for its layout).
    """

    def __init__(self, dataset: xr.Dataset) -> None:
        self.dataset = dataset

    def __repr__(self) -> str:
        ds = self.dataset
        return (
            f"Results(scenario={ds.attrs.get('scenario')!r}, runs={ds.sizes['run']}, "
            f"actors={ds.sizes['actor']}, years={int(ds.year[0])}–{int(ds.year[-1])})"
        )

    @property
    def runs(self) -> int:
        """Number of runs."""
        return int(self.dataset.sizes["run"])

    @property
    def uncertainty(self) -> str:
        """``full`` (every documented parameter range sampled) or ``none`` (chance only); results
        written before the mode existed were chance only."""
        return str(self.dataset.attrs.get("uncertainty", "none"))

    @property
    def band(self) -> str:
        """What the bands over these runs span (:func:`band_label`)."""
        import json

        try:
            declared = len(json.loads(self.dataset.attrs["scenario_json"])["uncertainties"])
        except (KeyError, TypeError, ValueError):
            declared = 0
        return band_label(self.uncertainty, declared)

    # --- race metrics -------------------------------------------------------------------------
    def first_credit(self) -> xr.DataArray:
        """Credit for being first to each milestone, (run, actor, milestone), summing to 1 per
        (run, milestone) when anyone achieved it (ties in a year share the credit)."""
        years = self.dataset["milestone_year"]
        earliest = years.min("actor", skipna=True)
        tied = (years == earliest) & years.notnull()
        count = tied.sum("actor")
        return (tied / count.where(count > 0)).fillna(0.0)

    def run_outcomes(self, race: str = "he3_delivered") -> pd.DataFrame:
        """Race metrics per run (docs/outputs.md), one row per run.

        Columns: who first reaches ``race`` (actor ids joined by ``+`` when tied in a year), their
        bloc (``tie`` if tied across blocs, empty if nobody), the year; He-3 delivered, energy and
        CO2 avoided cumulated to 2050, 2075 and 2100 (those within the simulated years);
        cumulative military and civil spending; the climate value; and, where the model computes
        them, debris at the end, ASAT tests, incidents and foreign crew flights. With the He-3
        market: ``p_he3_delivered_by_2100`` (1 if any lunar He-3 reached Earth by 2100, else 0),
        ``he3_price_usd_per_kg_<year>`` (2030, 2050, 2075, 2100), ``he3_revenue_usd_bn`` (all
        actors, all years) and who first sold lunar He-3 (``first_he3_sold_actor``, ``_bloc``,
        ``_year``: the race's winner is the one whose He-3 finds a buyer).
        """
        ds = self.dataset
        years = ds["milestone_year"].sel(milestone=race)
        earliest = years.min("actor", skipna=True)
        tied = ((years == earliest) & years.notnull()).values  # (run, actor)
        actors = ds["actor"].values
        blocs = ds["bloc"].values
        first_actor, first_bloc = [], []
        for row in tied:
            names = actors[row]
            first_actor.append("+".join(str(a) for a in names))
            kinds = set(blocs[row])
            # "" for nobody, not BlocClass.NOBODY: this column is the deprecated outcome name
            # first_he3_delivered_bloc (moondust.experiments.outcomes.DEPRECATED_NAMES), kept as
            # written until it is removed; first_bloc_<race> is the outcome to use
            first_bloc.append(
                "" if not kinds else kinds.pop() if len(kinds) == 1 else str(BlocClass.TIE)
            )
        table = pd.DataFrame(
            {
                f"first_{race}_actor": first_actor,
                f"first_{race}_bloc": first_bloc,
                f"first_{race}_year": earliest.values,
            },
            index=pd.Index(ds["run"].values, name="run"),
        )
        horizon = ds["year"].values
        for name, variable in (
            ("he3_delivered_kg", "he3_delivered_kg"),
            ("energy_twh", "energy_twh"),
            ("co2_avoided_mt", "co2_avoided_mt"),
        ):
            if variable not in ds:
                continue
            total = ds[variable].sum("actor").cumsum("year")
            for year in (2050, 2075, 2100):
                if horizon[0] < year <= horizon[-1]:
                    table[f"{name}_by_{year}"] = total.sel(year=year).values
        if "he3_price_usd_per_kg" in ds:
            self._he3_market_outcomes(table)
        later = slice(1, None)
        table["military_cum_usd_bn"] = (
            ds["military_usd_bn"].isel(year=later).sum(["actor", "year"]).values
        )
        table["civil_cum_usd_bn"] = (
            ds["civil_usd_bn"].isel(year=later).sum(["actor", "year"]).values
        )
        if "climate_value_usd_bn" in ds:
            table["climate_value_usd_bn"] = ds["climate_value_usd_bn"].sum(["actor", "year"]).values
        optional = {
            "debris_end": ("debris", lambda v: v.isel(year=-1)),
            "asat_tests": ("asat_tests", lambda v: v.sum([d for d in v.dims if d != "run"])),
            "incidents": ("incidents", lambda v: v.sum([d for d in v.dims if d != "run"])),
            "foreign_crew_flights": (
                "foreign_flights",
                lambda v: v.sum([d for d in v.dims if d != "run"]),
            ),
        }
        for column, (variable, reduce) in optional.items():
            if variable in ds:
                table[column] = reduce(ds[variable]).values
        return table

    def _he3_market_outcomes(self, table: pd.DataFrame) -> None:
        """Add the He-3 market's per-run outcomes to ``table`` (see :meth:`run_outcomes`)."""
        ds = self.dataset
        horizon = ds["year"].values
        delivered = ds["he3_delivered_kg"]
        if horizon[0] < 2100 <= horizon[-1]:
            by_2100 = delivered.sel(year=slice(None, 2100)).sum(["actor", "year"])
            table["p_he3_delivered_by_2100"] = (by_2100.values > 0).astype(float)
        for year in (2030, 2050, 2075, 2100):
            if horizon[0] <= year <= horizon[-1]:
                price = ds["he3_price_usd_per_kg"].sel(year=year).values
                table[f"he3_price_usd_per_kg_{year}"] = price
        table["he3_revenue_usd_bn"] = ds["he3_revenue_usd_bn"].sum(["actor", "year"]).values
        # The race's winner is the one whose He-3 finds a buyer: the first actor (or tied actors)
        # whose lunar He-3 is sold (every kilogram delivered is sold, engine/market.py).
        selling = (delivered > 0).transpose("run", "actor", "year").values
        first_year = np.where(selling.any(axis=2), horizon[selling.argmax(axis=2)], np.nan)
        earliest = np.nanmin(np.where(np.isnan(first_year), np.inf, first_year), axis=1)
        actors, blocs = ds["actor"].values, ds["bloc"].values
        names, kinds_of_first = [], []
        for row, year in zip(first_year, earliest, strict=True):
            tied = row == year
            names.append("+".join(str(a) for a in actors[tied]))
            kinds = {str(b) for b in blocs[tied]}
            kinds_of_first.append(
                str(BlocClass.NOBODY)
                if not kinds
                else kinds.pop()
                if len(kinds) == 1
                else str(BlocClass.TIE)
            )
        table["first_he3_sold_actor"] = names
        table["first_he3_sold_bloc"] = kinds_of_first
        table["first_he3_sold_year"] = np.where(np.isinf(earliest), np.nan, earliest)

    def summary(self) -> Summary:
        """Median years, bands, probability of being first, cumulative spending."""
        ds = self.dataset
        years = ds["milestone_year"]
        achieved = years.notnull()
        credit = self.first_credit()
        p_achieved = achieved.mean("run")
        with warnings.catch_warnings():  # milestones nobody reaches have all-NaN years
            warnings.simplefilter("ignore", RuntimeWarning)
            quantiles = years.quantile([0.05, 0.5, 0.95], dim="run", skipna=True)
        p_first = credit.mean("run")

        bloc_of = {
            actor: str(bloc) for actor, bloc in zip(ds.actor.values, ds.bloc.values, strict=True)
        }  # .values, not .item(): a dataset opened lazily holds dask arrays
        rows = []
        for actor in ds.actor.values:
            bloc = bloc_of[actor]
            for milestone in ds.milestone.values:
                sel = {"actor": actor, "milestone": milestone}
                q = quantiles.sel(sel).values
                rows.append(
                    {
                        "actor": str(actor),
                        "bloc": bloc,
                        "milestone": str(milestone),
                        "p_achieved": float(p_achieved.sel(sel)),
                        "median_year": float(q[1]),
                        "p5_year": float(q[0]),
                        "p95_year": float(q[2]),
                        "p_first": float(p_first.sel(sel)),
                    }
                )
        milestones = pd.DataFrame(rows)

        bloc_first = credit.groupby(ds.bloc).sum("actor").mean("run")
        bloc_rows = []
        for bloc in BLOC_CLASSES:
            for milestone in ds.milestone.values:
                value = (
                    float(bloc_first.sel(bloc=bloc, milestone=milestone))
                    if bloc in bloc_first.bloc.values
                    else 0.0
                )
                bloc_rows.append({"bloc": bloc, "milestone": str(milestone), "p_first": value})
        blocs = pd.DataFrame(bloc_rows)

        cumulative_civil = ds["civil_usd_bn"].isel(year=slice(1, None)).sum("year")
        cumulative_military = ds["military_usd_bn"].isel(year=slice(1, None)).sum("year")
        spend_rows = []
        for actor in ds.actor.values:
            civil = cumulative_civil.sel(actor=actor).quantile([0.05, 0.5, 0.95]).values
            military = cumulative_military.sel(actor=actor).quantile([0.05, 0.5, 0.95]).values
            spend_rows.append(
                {
                    "actor": str(actor),
                    "bloc": bloc_of[actor],
                    "civil_cum_median": float(civil[1]),
                    "civil_cum_p5": float(civil[0]),
                    "civil_cum_p95": float(civil[2]),
                    "military_cum_median": float(military[1]),
                    "military_cum_p5": float(military[0]),
                    "military_cum_p95": float(military[2]),
                }
            )
        per_run = self.run_outcomes().select_dtypes("number")
        outcome_rows = [
            {
                "metric": str(name),
                "median": float(column.median()),
                "p5": float(column.quantile(0.05)),
                "p95": float(column.quantile(0.95)),
                "mean": float(column.mean()),
            }
            if not str(name).startswith("p_")
            # A share of runs (an indicator per run): every column is the share.
            else dict.fromkeys(("median", "p5", "p95", "mean"), float(column.mean()))
            | {"metric": str(name)}
            for name, column in per_run.items()
        ]
        return Summary(
            milestones=milestones,
            blocs=blocs,
            spending=pd.DataFrame(spend_rows),
            outcomes=pd.DataFrame(outcome_rows),
            runs=self.runs,
            start=int(ds.attrs["start"]),
            end=int(ds.attrs["end"]),
            scenario=str(ds.attrs["scenario"]),
            uncertainty=self.uncertainty,
            band=self.band,
        )

    # --- storage ------------------------------------------------------------------------------
    def save(self, directory: str | Path) -> dict[str, Path]:
        """Write ``results.zarr`` (the dataset), ``summary.parquet`` (tidy) and
        ``checksums.json`` (their SHA-256) into a directory.

        Under the directory's lock, each is written to a temporary name unique to this process
        and renamed, so an interrupted or concurrent save never leaves a half-written or mixed
        result under the final names (see :func:`moondust.storage.save_run`); a failed
        save removes its temporaries.

        Raises
        ------
        MoondustError
            If another moondust process is writing into the directory, or the disk is full or
            the path read-only (one clear error naming the path, see
            :func:`moondust.errors.writing`).
        """
        from moondust.errors import writing
        from moondust.storage import save_run

        with writing(Path(directory)):  # a full disk or a read-only path: one clear error
            return save_run(self, directory)

    @classmethod
    def open(cls, path: str | Path, trust: bool = False) -> Results:
        """Open a dataset written by :meth:`save` (its directory or the ``.zarr`` store), verified
        against its checksums unless ``trust``, and load it into memory."""
        from moondust.storage import open_run

        return cls(open_run(path, trust=trust).load())
