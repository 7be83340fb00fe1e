"""The explorer's state, files and graphs, without Solara: links, scenario files, exports."""

from __future__ import annotations

import csv
import inspect
import io
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("solara", reason="the dashboard extra is not installed")
pytest.importorskip("plotly", reason="the dashboard extra is not installed")

from moondust.cli import dashboard_command
from moondust.dashboard import figures, model, server
from moondust.dashboard.app import default_base, explorer_request
from moondust.dashboard.compute import Ensemble, EnsembleService
from moondust.errors import InputFileError
from moondust.world.scenario import builtin_scenarios, load_scenario

OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}


@pytest.fixture(scope="module")
def variants() -> dict[str, Ensemble]:
    """Current (a lever and an assumption moved), baseline and modified baseline, 10 runs."""
    settings = (
        model.Settings(runs=10, end=2050)
        .with_lever("artemis", "openness", 0.9)
        .with_assumption("spillover_max", 0.9)
    )
    request = explorer_request(default_base(), settings)
    assert set(request.scenarios) == {"current", "baseline", "modified baseline"}
    service = EnsembleService(workers=0)
    found = {k: service.ensemble(s, request.runs) for k, s in request.scenarios.items()}
    return {k: v for k, v in found.items() if v is not None}


def test_the_query_string_round_trips_and_stays_short() -> None:
    base = default_base()
    settings = (
        model.Settings(runs=50, end=2075, modified_baseline=False, compare_b="emulation")
        .with_lever("ilrs", "preset", "cutthroat")
        .with_lever("ilrs", "shared_sites", 1.0)
        .with_lever("artemis", "rivalry", 0.75)
        .with_assumption("launch_learning_rate", 0.2)
    )
    query = model.to_query(settings, base, base)
    again, again_base, problems = model.from_query(query, base)
    assert (again, again_base, problems) == (settings, base, [])
    assert model.to_query(model.Settings(), base, base) == "v=1"


def test_link_values_are_clamped_to_the_slider_ranges() -> None:
    settings, _, problems = model.from_query(
        "artemis.openness=7&p.crowd_out=-3&runs=5000&end=2199", default_base()
    )
    assert settings.lever("artemis", "openness") == 1.0
    assert settings.assumption("crowd_out") == 0.0
    assert settings.runs == model.MAX_RUNS and settings.end == 2100
    assert problems == []


@pytest.mark.parametrize("name", sorted(builtin_scenarios()))
def test_downloaded_settings_read_back_as_the_same_scenario(name: str) -> None:
    base = model.builtin_base(name)
    settings = model.Settings().with_lever("artemis", "asat_allowed", 0.0)
    scenario = model.build_scenario(base.scenario, settings)
    text = model.scenario_toml(scenario, model.settings_comment(settings, base))
    assert text.startswith("# Saved from the moondust explorer")
    assert model.parse_upload(f"{name}.toml", text.encode()).digest() == scenario.digest()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"x" * (model.MAX_UPLOAD_BYTES + 1), "a scenario file may be at most 64 KB"),
        (b"\xff\xfe name", "cannot read"),
        (b"[simulation\n", "not valid TOML"),
        (b"[simulation]\nruns = -1\n", "simulation.runs"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(InputFileError, match=r"^mine\.toml: ") as error:
        model.parse_upload("../../secret/mine.toml", data)
    assert message in str(error.value)


def test_the_uploaded_scenario_travels_in_the_link() -> None:
    scenario = load_scenario("cutthroat").with_changes(name="my-own")
    base = model.base_from_scenario(scenario, "mine.toml")
    query = model.to_query(model.Settings(), base, default_base())
    assert "src=" in query
    _, again, problems = model.from_query(query, default_base())
    assert problems == [] and again.scenario.digest() == scenario.digest()


def test_every_graph_has_units_okabe_ito_colours_and_non_colour_cues(
    variants: dict[str, Ensemble],
) -> None:
    charts = figures.explorer_charts(variants)
    assert [c.key for c in charts] == ["first", "he3", "military", "debris", "co2"]
    for chart in charts:
        assert chart.y_title and chart.unit
        figures.to_plotly(chart)  # plotly.py validates every property of the JSON
        spec = figures.plotly_spec(chart)
        colours = {t["line"]["color"] for t in spec["data"] if t.get("mode") == "lines+markers"}
        assert colours <= OKABE_ITO, chart.key
        for line in chart.lines:
            assert line.variant in figures.VARIANTS
        styles = {(figures.VARIANTS[line.variant][0], line.marker) for line in chart.lines}
        assert len(styles) == len({(line.colour, line.variant) for line in chart.lines})
        if chart.bars:
            patterns = {t["marker"]["pattern"]["shape"] for t in spec["data"]}
            assert len(patterns) == 3  # current, baseline, modified baseline: by hatching
    assert {c for c, _, _ in figures.BLOC_STYLE.values()} <= OKABE_ITO


def test_csv_and_png_exports(variants: dict[str, Ensemble]) -> None:
    he3 = figures.he3_chart(variants)
    rows = list(csv.reader(io.StringIO(figures.to_csv(he3))))
    assert rows[0][:4] == [
        "year",
        "artemis_current_median_t",
        "artemis_current_p10_t",
        "artemis_current_p90_t",
    ]
    assert "artemis_modified_baseline_median_t" in rows[0]
    assert [int(r[0]) for r in rows[1:]] == [int(y) for y in variants["current"].years]
    first = list(csv.reader(io.StringIO(figures.to_csv(figures.first_chart(variants)))))
    assert first[0] == ["who", "current_pct", "baseline_pct", "modified_baseline_pct"]
    assert figures.to_png(figures.debris_chart(variants)).startswith(b"\x89PNG\r\n\x1a\n")


def test_moon_map_marks_sites_and_their_holders(variants: dict[str, Ensemble]) -> None:
    rows = figures.site_rows(variants["current"], 2050)
    assert rows and all(0.0 <= r.share <= 1.0 for r in rows)
    # Since mining must pay (the He-3 market) few default runs hold a site by 2050: mark one as
    # held, as a run where mining pays would, to check the map draws holders.
    first = rows[0]
    rows[0] = figures.SiteRow(
        first.name, first.lat, first.lon, first.he3_kg, "USA", "artemis", max(first.share, 0.6)
    )
    from moondust.dashboard.pages.moon import _display_map

    spec = figures.moon_spec(*_display_map(), rows)
    figures.moon_figure(*_display_map(), rows)  # valid for plotly.py too
    names = [t.get("name") for t in spec["data"]]
    assert names[0] == "He-3 map" and any(str(n).startswith("held by") for n in names)
    assert figures.unshift(270.0) == -90.0


def test_serves_this_computer_only_unless_told() -> None:
    def default(func: Any, name: str) -> Any:
        return inspect.signature(func).parameters[name].default

    assert default(dashboard_command, "host") == "127.0.0.1"
    assert default(server.serve, "host") == "127.0.0.1"


def test_compare_exports_name_the_scenarios_a_and_b(variants: dict[str, Ensemble]) -> None:
    pair = {"current": variants["current"], "baseline": variants["baseline"]}
    names = {"current": "A: current settings", "baseline": "B: cutthroat"}
    debris = figures.debris_chart(pair, names)
    assert figures.to_csv(debris).splitlines()[0] == (
        "year,A_median_objects,A_p10_objects,A_p90_objects,B_median_objects"
    )
    assert debris.subtitle.endswith("(A)")
    assert variants["current"].band in debris.subtitle  # which kind of band is shaded
    assert "B: cutthroat" in debris.summary


def test_a_scenario_file_can_be_the_starting_point(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(model.scenario_toml(load_scenario("emulation")), encoding="utf-8")
    base = model.base_from_file(path)  # moondust dashboard --scenario mine.toml
    assert base.builtin is None and base.label == "emulation (from mine.toml)"
    assert base.scenario.digest() == load_scenario("emulation").digest()
    assert "src=" in model.to_query(model.Settings(), base, model.builtin_base("baseline"))
