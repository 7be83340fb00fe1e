"""The race-metric figures (M4–M7) and report sections: what they draw is what the data says.

Figure tests run on ``synthetic``: the real baseline batch with the stations, conflict and debris
variables replaced by deterministic ones of the engine's shapes and dtypes (so the tests do not
move when those models are recalibrated) and a few site holders set by hand. The real engine's
own variables go through the same figures in the ``report`` fixture and in
``test_real_engine_variables_are_drawn``.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from moondust.report import run_report
from moondust.report.data import pct
from moondust.report.html import FIGURE_FILES, report_html
from moondust.report.moon_map import _shift
from moondust.report.run_report import (
    CONFLICT_VARIABLES,
    CREW_VARIABLES,
    conflict_figure,
    crew_figure,
    he3_energy_figure,
    sites_map_figure,
    write_report,
)
from moondust.report.style import BLOC_LABEL
from moondust.results import BLOC_CLASSES, Results

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
STATIONS = {  # id: host, as in data/engine/stations.csv
    "iss": "USA",
    "tiangong": "CHN",
    "us_commercial_leo": "USA",
    "ros": "RUS",
    "ilrs_base": "CHN",
    "artemis_base": "USA",
}
M4_M7 = (*CONFLICT_VARIABLES, *CREW_VARIABLES)


# --- data ----------------------------------------------------------------------------------------
def _station_seats(ds: xr.Dataset, rng: np.random.Generator) -> np.ndarray:
    """(run, station, actor, year) seats: crews of the hosts with a few guests, like M4's."""
    runs, years = ds.sizes["run"], ds["year"].values
    actors = {str(a): i for i, a in enumerate(ds["actor"].values)}
    seats = np.zeros((runs, len(STATIONS), len(actors), len(years)), dtype=np.int8)
    for k, y in enumerate(years):
        guests = rng.integers(0, 3, runs)
        if y <= 2030:  # ISS: treaty partners
            for actor, n in (("USA", 8), ("RUS", 4), ("EUR", 1), ("JPN", 1)):
                seats[:, 0, actors[actor], k] = n
        if y <= 2038:  # Tiangong, a Pakistani guest now and then
            pak = rng.random(runs) < 0.3
            seats[:, 1, actors["CHN"], k] = 6 - pak
            seats[:, 1, actors["PAK"], k] = pak
        if y > 2030:
            seats[:, 2, actors["USA"], k] = 8 - guests
            seats[:, 2, actors["JPN"], k] = guests
        if y >= 2028:
            seats[:, 3, actors["RUS"], k] = 4
        if y >= 2040:
            seats[:, 4, actors["CHN"], k] = 4 - guests // 2
            seats[:, 4, actors["PAK"], k] = guests // 2
        if y >= 2036:
            seats[:, 5, actors["USA"], k] = 4 - guests
            seats[:, 5, actors["IND"], k] = guests
    return seats


def _synthetic(results: Results) -> Results:
    ds = results.dataset.drop_vars([v for v in (*M4_M7, "station") if v in results.dataset])
    rng = np.random.default_rng(2025)
    runs, actors, years = ds.sizes["run"], ds.sizes["actor"], ds.sizes["year"]
    t = np.arange(years)
    rivals = np.isin(ds["actor"].values, ["USA", "CHN", "RUS", "IND"])[None, :, None]
    tests = (rng.random((runs, actors, years)) < 0.01) & rivals & (t > 0)
    fragments = (tests * rng.uniform(101, 3037, tests.shape)).sum(axis=1)
    debris = 40_328.0 * (1 + rng.uniform(0.0, 0.02, (runs, 1))) ** t
    debris += np.cumsum(fragments, axis=1) * 0.9
    military = ds["military_usd_bn"].values
    stock = np.empty_like(military)
    stock[..., 0] = military[..., 0] / 0.1
    for k in range(1, years):
        stock[..., k] = 0.9 * stock[..., k - 1] + military[..., k]
    seats = _station_seats(ds, rng)
    hosts = np.array(list(STATIONS.values()))[:, None] == ds["actor"].values[None, :]
    foreign = (seats * ~hosts[None, :, :, None]).sum(axis=1)
    ray = ("run", "actor", "year")
    ds = ds.assign_coords(station=list(STATIONS)).assign(
        debris=(("run", "year"), debris),
        active_satellites=(
            ("run", "year"),
            11_000.0 * (1 + rng.uniform(0.01, 0.04, (runs, 1))) ** t,
        ),
        counterspace_usd_bn=(ray, stock),
        incidents=(ray, rng.poisson(0.02, (runs, actors, years)) + tests),
        asat_tests=(ray, tests.astype(float)),
        station_seats=(("run", "station", "actor", "year"), seats),
        seats_flown=(ray, seats.sum(axis=1).astype(np.int16)),
        foreign_flights=(ray, foreign.astype(np.int16)),
    )
    # hand-set holders at the end year (30 runs): CHN in 19 runs; unclaimed in 20; USA joint
    index = {str(a): i for i, a in enumerate(ds["actor"].values)}
    holder = ds["site_holder"].values.copy()
    joint = ds["site_joint"].values.copy()
    holder[:, 0:3, -1] = -1
    joint[:, 0:3, -1] = False
    holder[:19, 0, -1], holder[19:, 0, -1] = index["CHN"], index["USA"]
    holder[20:, 1, -1] = index["USA"]
    holder[:, 2, -1] = index["USA"]
    joint[:20, 2, -1] = True
    ds["site_holder"] = (("run", "site", "year"), holder)
    ds["site_joint"] = (("run", "site", "year"), joint)
    return Results(ds)


@pytest.fixture(scope="session")
def synthetic(results: Results) -> Results:
    assert results.runs == 30
    return _synthetic(results)


def _without(results: Results, *names: str) -> Results:
    ds = results.dataset
    drop = [n for n in names if n in ds.variables]
    if "station_seats" in names and "station" in ds.coords:
        drop.append("station")
    return Results(ds.drop_vars(drop))


def _panel(fig: Figure, key: str) -> Axes:
    panels = [ax for ax in fig.axes if ax.get_gid() == f"panel:{key}"]
    assert len(panels) == 1, f"no single panel {key}"
    return panels[0]


def _line(ax: Axes, gid: str) -> Line2D:
    lines = [ln for ln in ax.get_lines() if ln.get_gid() == gid]
    assert len(lines) == 1, f"no single line {gid}: {[ln.get_gid() for ln in ax.get_lines()]}"
    return lines[0]


def _values(data: xr.DataArray, *dims: str) -> np.ndarray:
    """The values in float64 (the engine records float32 and small ints; figures sum in float64)."""
    return np.asarray(data.transpose(*dims).values, dtype=float)


def _bloc_mask(results: Results, bloc: str) -> np.ndarray:
    return np.asarray(results.dataset["bloc"].values == bloc)


def _quick_html(results: Results) -> str:
    """The HTML of the report with placeholder images (no rendering: quick)."""
    summary = results.summary()
    pngs = {key: b"png" for key in FIGURE_FILES}
    for key, build in (("conflict", conflict_figure), ("crew", crew_figure)):
        if build(results) is None:
            del pngs[key]
    return report_html(results, summary, pngs)


# --- He-3 and energy -----------------------------------------------------------------------------
def test_he3_energy_lines_are_cumulative_medians_by_bloc(synthetic: Results) -> None:
    fig = he3_energy_figure(synthetic)
    ds = synthetic.dataset
    present = [b for b in BLOC_CLASSES if b in set(ds["bloc"].values)]
    for variable, unit in (("he3_delivered_kg", "(kg)"), ("energy_twh", "(TWh)")):
        ax = _panel(fig, variable)
        assert unit in ax.get_ylabel() and ax.get_xlabel() == "year"
        values = _values(ds[variable], "run", "actor", "year")
        for bloc in present:
            cumulative = values[:, _bloc_mask(synthetic, bloc)].sum(axis=1).cumsum(axis=1)
            np.testing.assert_allclose(
                _line(ax, f"{variable}:{bloc}").get_ydata(), np.median(cumulative, axis=0)
            )
        world = np.median(values.sum(axis=1).cumsum(axis=1), axis=0)
        np.testing.assert_allclose(_line(ax, f"{variable}:world").get_ydata(), world)
    assert "(Mt CO₂)" in _panel(fig, "co2_avoided_mt").get_ylabel()
    # the end of the world line is the run metric the outcomes table reports for 2100
    outcomes = synthetic.summary().outcomes.set_index("metric")["median"]
    end = _line(_panel(fig, "he3_delivered_kg"), "he3_delivered_kg:world").get_ydata()[-1]
    assert end == pytest.approx(outcomes["he3_delivered_kg_by_2100"])


def test_he3_energy_panel_says_when_a_variable_is_missing(synthetic: Results) -> None:
    fig = he3_energy_figure(_without(synthetic, "energy_twh"))
    ax = _panel(fig, "energy_twh")
    assert not ax.get_lines()
    assert any("energy_twh is not in these results" in t.get_text() for t in ax.texts)
    assert _panel(fig, "he3_delivered_kg").get_lines()


# --- conflict ------------------------------------------------------------------------------------
def test_conflict_lines_match_the_dataset(synthetic: Results) -> None:
    fig = conflict_figure(synthetic)
    assert fig is not None
    ds = synthetic.dataset
    years = ds["year"].values
    military = _panel(fig, "military")
    assert "USD bn per year" in military.get_ylabel()
    for bloc in (b for b in BLOC_CLASSES if b in set(ds["bloc"].values)):
        mask = _bloc_mask(synthetic, bloc)
        for key, variable in (
            ("military", "military_usd_bn"),
            ("counterspace", "counterspace_usd_bn"),
        ):
            values = _values(ds[variable], "run", "actor", "year")[:, mask].sum(axis=1)
            line = _line(_panel(fig, key), f"{key}-bloc:{bloc}")
            np.testing.assert_allclose(line.get_ydata(), np.median(values, axis=0))

    orbit = _panel(fig, "orbit")
    assert "count" in orbit.get_ylabel()
    debris = _values(ds["debris"], "run", "year")
    np.testing.assert_allclose(_line(orbit, "debris").get_ydata(), np.median(debris, axis=0))
    reference = _line(orbit, "debris-reference").get_ydata()
    level = np.median(debris[:, list(years).index(2025)])
    np.testing.assert_allclose(reference, [level, level])
    satellites = np.median(_values(ds["active_satellites"], "run", "year"), axis=0)
    np.testing.assert_allclose(_line(orbit, "active-satellites").get_ydata(), satellites)

    events = _panel(fig, "events")
    assert "per year" in events.get_ylabel()
    tests = _values(ds["asat_tests"], "run", "actor", "year").sum(axis=1).mean(axis=0)
    markers = _line(events, "asat-tests")
    assert markers.get_linestyle() == "None" and markers.get_marker() == "X"
    np.testing.assert_allclose(markers.get_ydata(), np.where(tests > 0, tests, np.nan))
    assert np.nansum(markers.get_ydata()) > 0  # the synthetic batch has tests


def test_conflict_figure_is_none_without_conflict_variables(results: Results) -> None:
    assert conflict_figure(_without(results, *CONFLICT_VARIABLES)) is None


def test_conflict_figure_draws_what_it_has(synthetic: Results) -> None:
    only_debris = _without(synthetic, "active_satellites", "counterspace_usd_bn", "incidents")
    fig = conflict_figure(only_debris)
    assert fig is not None
    assert sorted(str(ax.get_gid()) for ax in fig.axes) == [
        "panel:events",
        "panel:military",
        "panel:orbit",
    ]
    gids = [ln.get_gid() for ln in _panel(fig, "events").get_lines()]
    assert gids == ["asat-tests"]
    text = _quick_html(only_debris)
    section = text.split("<h2>Conflict and the orbital commons</h2>")[1].split("<h2>")[0]
    assert "<figure>" in section
    assert "active satellites (active_satellites)" in section
    assert "counterspace stocks (counterspace_usd_bn)" in section
    assert "incidents (incidents)" in section
    assert "(debris)" not in section


# --- crews ---------------------------------------------------------------------------------------
def test_crew_stack_is_the_mean_seats_by_nationality(synthetic: Results) -> None:
    fig = crew_figure(synthetic)
    assert fig is not None
    ax = _panel(fig, "seats")
    assert "seats flown per year" in ax.get_ylabel() and ax.get_xlabel() == "year"
    ds = synthetic.dataset
    seats = _values(ds["seats_flown"], "run", "actor", "year")
    mean = seats.mean(axis=0)
    actors = [str(a) for a in ds["actor"].values]
    tops = [ln for ln in ax.get_lines() if str(ln.get_gid()).startswith("seats-top:")]
    shown = [str(ln.get_gid()).split(":", 1)[1] for ln in tops]
    flown = sorted(
        (a for a in actors if mean[actors.index(a)].sum() > 0),
        key=lambda a: -mean[actors.index(a)].sum(),
    )
    assert shown[: run_report.CREW_NATIONALITIES] == flown[: run_report.CREW_NATIONALITIES]
    lower = np.zeros(mean.shape[1])
    for line, actor in zip(tops, shown, strict=True):
        if actor == "other":
            rest = [actors.index(a) for a in actors if a not in shown]
            layer = mean[rest].sum(axis=0)
        else:
            layer = mean[actors.index(actor)]
        np.testing.assert_allclose(line.get_ydata() - lower, layer, atol=1e-9)
        lower = line.get_ydata()
    np.testing.assert_allclose(tops[-1].get_ydata(), mean.sum(axis=0))  # the stack's total
    layers = [c for c in ax.collections if str(c.get_gid()).startswith("seats:")]
    assert len({c.get_hatch() for c in layers}) == len(tops)  # hatching, not colour alone
    colours = {tuple(np.round(c.get_facecolor()[0], 3)) for c in layers}
    assert len(colours) == len(tops)  # and no two layers share a colour either


def test_crew_foreign_seats_per_host_station(synthetic: Results) -> None:
    fig = crew_figure(synthetic)
    assert fig is not None
    ax = _panel(fig, "foreign")
    assert "cumulative seats" in ax.get_ylabel()
    ds = synthetic.dataset
    seats = _values(ds["station_seats"], "run", "station", "actor", "year")
    actors = ds["actor"].values
    for s, (station, host) in enumerate(STATIONS.items()):
        foreign = seats[:, s][:, actors != host].sum(axis=1).cumsum(axis=1)
        line = _line(ax, f"foreign:{station}")
        np.testing.assert_allclose(line.get_ydata(), np.median(foreign, axis=0))
        assert f"({host})" in line.get_label()
    # Tiangong's guests are Pakistanis in about 30 % of its years: its line is not flat at zero
    assert _line(ax, "foreign:tiangong").get_ydata()[-1] > 0


def test_crew_station_hosts_from_a_coordinate(synthetic: Results) -> None:
    ds = synthetic.dataset
    renamed = ds.assign_coords(station=[f"st{k}" for k in range(ds.sizes["station"])])
    # unknown ids and no host coordinate: foreign flights by the guest's bloc instead
    fig = crew_figure(Results(renamed))
    assert fig is not None
    labels = [ln.get_gid() for ln in _panel(fig, "foreign").get_lines()]
    assert "foreign-bloc:artemis" in labels
    flights = _values(ds["foreign_flights"], "run", "actor", "year")
    guests = flights[:, _bloc_mask(synthetic, "artemis")].sum(axis=1)
    line = _line(_panel(fig, "foreign"), "foreign-bloc:artemis")
    np.testing.assert_allclose(line.get_ydata(), np.median(guests.cumsum(axis=1), axis=0))
    # a ``station_host`` coordinate names the hosts
    hosted = renamed.assign_coords(station_host=("station", list(STATIONS.values())))
    fig = crew_figure(Results(hosted))
    assert fig is not None
    assert _line(_panel(fig, "foreign"), "foreign:st1").get_label().endswith("(CHN)")


def test_crew_figure_fallbacks_and_none(synthetic: Results) -> None:
    # without seats_flown the stack comes from station_seats
    fig = crew_figure(_without(synthetic, "seats_flown"))
    assert fig is not None
    tops = [ln for ln in _panel(fig, "seats").get_lines() if "seats-top:" in str(ln.get_gid())]
    seats = _values(synthetic.dataset["station_seats"], "run", "station", "actor", "year")
    total = seats.sum(axis=(1, 2)).mean(axis=0)
    np.testing.assert_allclose(tops[-1].get_ydata(), total)
    # only foreign_flights: one panel, by the guest's bloc
    fig = crew_figure(_without(synthetic, "seats_flown", "station_seats"))
    assert fig is not None
    assert [ax.get_gid() for ax in fig.axes] == ["panel:foreign"]
    assert crew_figure(_without(synthetic, *CREW_VARIABLES)) is None


# --- the sites map -------------------------------------------------------------------------------
def _majority(holder: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per site: the most frequent holder (-1 unclaimed; ties to the smaller) and its share."""
    modes, shares = [], []
    for column in holder.T:
        values, counts = np.unique(column, return_counts=True)
        best = int(np.argmax(counts))  # np.unique sorts, so a tie goes to the smaller value
        modes.append(int(values[best]))
        shares.append(counts[best] / column.size)
    return np.array(modes), np.array(shares)


def _site_collections(fig: Figure) -> dict[str, PathCollection]:
    ax = fig.axes[0]
    return {
        str(c.get_gid()): c
        for c in ax.collections
        if isinstance(c, PathCollection) and str(c.get_gid()).startswith("sites:")
    }


@pytest.mark.parametrize("year", [None, 2060])
def test_sites_map_marks_each_site_with_its_majority_holder(
    synthetic: Results, year: int | None
) -> None:
    ds = synthetic.dataset
    fig = sites_map_figure(synthetic, year=year)
    shown = int(ds["year"].values[-1]) if year is None else year
    holder = ds["site_holder"].sel(year=shown).transpose("run", "site").values
    modes, _ = _majority(holder)
    actors = [str(a) for a in ds["actor"].values]
    collections = _site_collections(fig)
    x = _shift(ds["site_lon"].values)
    y = ds["site_lat"].values
    assert np.all((x >= -90) & (x <= 270))
    for s, mode in enumerate(modes):
        key = "sites:unclaimed" if mode < 0 else f"sites:{actors[mode]}"
        offsets = collections[key].get_offsets()
        assert np.any(np.all(np.isclose(offsets, [x[s], y[s]]), axis=1)), (s, key)
    drawn = sum(len(c.get_offsets()) for k, c in collections.items() if k != "sites:joint")
    assert drawn == ds.sizes["site"]  # one marker per site
    if "sites:unclaimed" in collections:  # hollow
        assert collections["sites:unclaimed"].get_facecolor().size == 0
    assert str(shown) in fig.get_suptitle()
    assert "degrees" in fig.axes[0].get_xlabel() and "degrees" in fig.axes[0].get_ylabel()


def test_sites_map_labels_holder_share_and_joint_bases(synthetic: Results) -> None:
    fig = sites_map_figure(synthetic)
    labels = {
        str(t.get_gid()): t.get_text()
        for t in fig.axes[0].texts
        if str(t.get_gid()).startswith("site-label:")
    }
    assert labels["site-label:0"] == "CHN 63 %"  # 19 of 30 runs
    assert labels["site-label:1"] == "(USA 33 %)"  # unclaimed in 20 runs: hollow, main claimant
    assert labels["site-label:2"] == "USA 100 % joint"  # joint in 20 of the 30 runs
    ds = synthetic.dataset
    joint = _site_collections(fig)["sites:joint"].get_offsets()
    site2 = [_shift(ds["site_lon"].values[2]), ds["site_lat"].values[2]]
    assert np.any(np.all(np.isclose(joint, site2), axis=1))
    hollow = _site_collections(fig)["sites:unclaimed"].get_offsets()
    site1 = [_shift(ds["site_lon"].values[1]), ds["site_lat"].values[1]]
    assert np.any(np.all(np.isclose(hollow, site1), axis=1))
    # marker area grows with the site's He-3, whoever holds it
    pairs = []
    for key, coll in _site_collections(fig).items():
        if key == "sites:joint":
            continue
        for (x, y), size in zip(
            coll.get_offsets(),
            np.broadcast_to(coll.get_sizes(), len(coll.get_offsets())),
            strict=True,
        ):
            site = int(
                np.flatnonzero(
                    np.isclose(_shift(ds["site_lon"].values), x)
                    & np.isclose(ds["site_lat"].values, y)
                )[0]
            )
            pairs.append((float(ds["site_he3_kg"].values[site]), float(size)))
    sizes = np.array([size for _, size in sorted(pairs)])
    assert len(pairs) == ds.sizes["site"] and np.all(np.diff(sizes) >= 0) and sizes[-1] > sizes[0]


def test_sites_map_without_sites_and_bad_year(synthetic: Results) -> None:
    fig = sites_map_figure(_without(synthetic, "site_holder"))
    assert not _site_collections(fig)
    assert any("no mining sites" in t.get_text() for t in fig.axes[0].texts)
    with pytest.raises(ValueError, match="1900"):
        sites_map_figure(synthetic, year=1900)


# --- the report ----------------------------------------------------------------------------------
def test_real_engine_variables_are_drawn(results: Results) -> None:
    """The engine's own M4 and M7 outputs have the shapes the figures expect."""
    ds = results.dataset
    assert all(v in ds for v in M4_M7)
    conflict = conflict_figure(results)
    crew = crew_figure(results)
    assert conflict is not None and crew is not None
    debris = _line(_panel(conflict, "orbit"), "debris").get_ydata()
    np.testing.assert_allclose(debris, np.median(_values(ds["debris"], "run", "year"), axis=0))
    assert len(_panel(crew, "foreign").get_lines()) == ds.sizes["station"]


def test_report_with_every_variable(results: Results, report: dict[str, Path]) -> None:
    text = report["report"].read_text(encoding="utf-8")
    for heading in (
        "He-3 and energy",
        "Conflict and the orbital commons",
        "Crews and stations",
        "Who holds the Moon's He-3 sites",
        "Race metrics over the runs",
    ):
        assert f"<h2>{heading}</h2>" in text
    assert "Not in these results" not in text and "Not drawn" not in text
    embedded = {
        base64.b64decode(src) for src in re.findall(r'src="data:image/png;base64,([^"]+)"', text)
    }
    for key in ("he3_energy", "conflict", "crew", "sites_map"):
        assert report[key].read_bytes() in embedded
    leftovers = [p.name for p in report["report"].parent.rglob("*.tmp")]
    assert leftovers == []


def test_report_states_who_first_delivers_he3(results: Results, report: dict[str, Path]) -> None:
    text = report["report"].read_text(encoding="utf-8")
    blocs = results.summary().blocs.query("milestone == 'he3_delivered'")
    sentence = re.search(r"<strong>Who first delivers He-3 to Earth\?</strong>([^<]*)</p>", text)
    assert sentence is not None
    present = set(results.dataset["bloc"].values)
    for bloc, p in zip(blocs["bloc"], blocs["p_first"], strict=True):
        if bloc in present:
            label = BLOC_LABEL[bloc]
            assert f"{label} {pct(float(p))}" in sentence.group(1)
    assert "nobody by 2100" in sentence.group(1)


def test_outcomes_table_has_readable_labels(results: Results, report: dict[str, Path]) -> None:
    text = report["report"].read_text(encoding="utf-8")
    table = text.split("<h2>Race metrics over the runs</h2>")[1]
    outcomes = results.summary().outcomes
    rows = re.findall(r"<th scope='row'>([^<]*)</th>", table)
    assert len(rows) == len(outcomes)
    for label in (
        "He-3 delivered to Earth by 2050 (kg, cumulative, all actors)",
        "He-3 delivered to Earth by 2100 (kg, cumulative, all actors)",
        "Electricity from fusion by 2075 (TWh, cumulative, all actors)",
        "CO₂ avoided by 2100 (Mt CO₂, cumulative, all actors)",
        "Military space spending after the start year (USD bn, 2025 dollars)",
        "Debris in low Earth orbit at the end (objects ≥ 10 cm)",
        "Foreign crew flights (seats flown as a guest, whole period)",
    ):
        assert label in rows
    assert not any("_" in row for row in rows)  # no raw column ids
    debris = float(outcomes.set_index("metric").loc["debris_end", "median"])
    row = re.search(r"objects ≥ 10 cm\)</th><td>([^<]*)</td>", table)
    assert row is not None and row.group(1) == f"{debris:,.0f}"


def test_report_without_m4_m7_variables(results: Results, tmp_path: Path) -> None:
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "conflict.png").write_bytes(b"stale")  # from an earlier report
    bare = _without(results, *M4_M7, "energy_twh")
    paths = write_report(bare, tmp_path)
    assert "conflict" not in paths and "crew" not in paths
    assert not (tmp_path / "figures" / "conflict.png").exists()
    assert not (tmp_path / "figures" / "crew.png").exists()
    for key in ("he3_energy", "sites_map"):
        assert paths[key].read_bytes().startswith(PNG_SIGNATURE)
    text = paths["report"].read_text(encoding="utf-8")
    assert text.count("<img ") == 6  # with the He-3 market's figure
    conflict = text.split("<h2>Conflict and the orbital commons</h2>")[1].split("<h2>")[0]
    assert "Not drawn" in conflict and "debris" in conflict and "<figure>" not in conflict
    crew = text.split("<h2>Crews and stations</h2>")[1].split("<h2>")[0]
    assert "Not drawn" in crew and "station_seats" in crew and "<figure>" not in crew
    he3 = text.split("<h2>He-3 and energy</h2>")[1].split("<h2>")[0]
    assert "fusion electricity (energy_twh)" in he3
    assert [p.name for p in tmp_path.rglob("*.tmp")] == []
