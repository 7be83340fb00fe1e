"""The explorer's pages rendered without a browser (``solara.render``), as a user drives them."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

solara = pytest.importorskip("solara", reason="the dashboard extra is not installed")
pytest.importorskip("plotly", reason="the dashboard extra is not installed")

import ipyvuetify as v  # noqa: E402
from solara.routing import Router, router_context  # noqa: E402

from moondust.cli import main  # noqa: E402
from moondust.dashboard import app, model  # noqa: E402
from moondust.dashboard.compute import EnsembleService  # noqa: E402
from moondust.dashboard.widgets import PlotlyWidget, ShareWidget, UploadWidget  # noqa: E402
from tests.dashboard.conftest import QUICK  # noqa: E402

OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}


def poll_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait for an update made in the task's thread."""
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "condition not met in time"
        time.sleep(0.02)


@dataclass
class Rendered:
    """A page rendered inside the explorer's layout, and the URLs it pushed."""

    rc: Any
    pushed: list[str] = field(default_factory=list)

    def figure(self, key: str) -> dict[str, Any]:
        """The JSON of the graph whose card has class ``md-chart-{key}``."""
        plots = self.rc.find(PlotlyWidget, label=CHART_TITLES[key]).wait_for(timeout=30)
        return dict(plots.widget.figure)

    def slider(self, label: str) -> Any:
        return self.rc.find(v.Slider, label=label).widget

    def button(self, text: str) -> Any:
        found = [w for w in self.rc.find(v.Btn).widgets if text in w.children]
        assert len(found) == 1, f"{len(found)} buttons say {text!r}"
        return found[0]

    def alerts(self, class_: str | None = None) -> list[str]:
        """The texts of the page's alerts (those with class ``class_`` only, if given)."""
        found = self.rc.find(v.Alert) if class_ is None else self.rc.find(v.Alert, class_=class_)
        return [str(w.children) for w in found.widgets]


CHART_TITLES = {
    "first": "Who delivers commercial He-3 to Earth first",
    "he3": "He-3 delivered to Earth, cumulative, by bloc",
    "military": "Military space spending by bloc",
    "debris": "Orbital debris in low Earth orbit",
    "co2": "CO2 avoided by D-He3 fusion, cumulative",
}


@pytest.fixture
def render() -> Iterator[Callable[[Any, str], Rendered]]:
    """Render a page at ``path?query`` (a fresh tab each time); closed at teardown."""
    opened: list[Any] = []

    def open_page(page: Any, url: str) -> Rendered:
        pushed: list[str] = []

        @solara.component
        def Tab() -> None:  # a browser tab: its address changes when the page pushes one
            address = solara.use_reactive(url)

            def push(path: str) -> None:
                pushed.append(path)
                address.set(path)

            router_context.provide(Router(address.value, app.routes, set_path=push))
            app.Layout(children=[page()])

        _, rc = solara.render(Tab(), handle_error=False)
        opened.append(rc)
        return Rendered(rc, pushed)

    yield open_page
    for rc in opened:
        rc.close()


def html_text(rendered: Rendered) -> str:
    """Every raw-HTML block on the page (tables, outcome cards, summaries), joined."""
    return "\n".join(str(w.unsafe_innerHTML) for w in rendered.rc.find(solara.widgets.HTML).widgets)


def y_values(figure: dict[str, Any]) -> list[Any]:
    return [trace.get("y") for trace in figure["data"]]


# --- the explorer ------------------------------------------------------------------------------
def test_explorer_shows_five_graphs_with_baseline_markers_and_units(
    render: Callable[[Any, str], Rendered],
) -> None:
    page = render(app.Explorer, f"/?{QUICK}")
    for key, title in CHART_TITLES.items():
        figure = page.figure(key)
        names = " ".join(str(t.get("name", "")) for t in figure["data"])
        assert "baseline" in names, key  # the baseline on every graph
        assert figure["layout"]["yaxis"]["title"]["text"], key  # units on every axis
        if key != "first":
            assert figure["layout"]["xaxis"]["title"]["text"] == "year"
            dashes = {t["line"].get("dash") for t in figure["data"] if t.get("mode")}
            assert {"solid", "dot"} <= dashes, key  # never colour alone: line styles differ
        assert title in figure["layout"]["title"]["text"]
    he3 = page.figure("he3")
    bands = [t for t in he3["data"] if t.get("fill") == "tonexty"]
    assert bands, "the 10–90 % band is drawn"
    colours = {t["line"]["color"] for t in he3["data"] if t.get("mode") == "lines+markers"}
    assert colours <= OKABE_ITO
    markers = {t["marker"]["symbol"] for t in he3["data"] if t.get("mode") == "lines+markers"}
    assert len(markers) >= 4  # bloc by shape, baseline by hollow markers
    shapes = he3["layout"].get("shapes", [])
    annotations = " ".join(a["text"] for a in he3["layout"].get("annotations", []))
    assert shapes and "crewed landing" in annotations  # milestone markers on the time axis


def test_levers_grouped_by_bloc_apart_from_assumptions_each_with_a_reset(
    render: Callable[[Any, str], Rendered],
) -> None:
    page = render(app.Explorer, f"/?{QUICK}")
    page.figure("he3")
    labels = [w.label for w in page.rc.find(v.Slider).widgets]
    for bloc in ("Artemis", "ILRS"):
        assert any(label.startswith(f"{bloc}: Openness") for label in labels)
        assert any(label.startswith(f"{bloc}: Station seats") for label in labels)
    assert any(label.startswith("Fusion breakthrough timing") for label in labels)
    assert any(label.startswith("Crowd-out") for label in labels)
    for text in ("Reset Artemis policies", "Reset ILRS policies", "Reset assumptions"):
        assert page.button(text).disabled  # nothing moved yet
    for toggle in ("exclusive", "shared", "allowed", "banned"):
        assert len([w for w in page.rc.find(v.Btn).widgets if toggle in w.children]) == 2


def test_moving_a_slider_changes_the_graph_url_and_reset_restores_it(
    render: Callable[[Any, str], Rendered],
) -> None:
    page = render(app.Explorer, f"/?{QUICK}")
    before = y_values(page.figure("he3"))
    openness = page.slider("Artemis: Openness: technology and data shared (0–1)")
    openness.v_model = 1.0  # what the browser sends when the thumb moves
    poll_until(lambda: y_values(page.figure("he3")) != before)
    assert any("artemis.openness=1" in url for url in page.pushed)
    share = page.rc.find(ShareWidget).widget
    assert "artemis.openness=1" in share.path
    reset = page.button("Reset Artemis policies")
    assert not reset.disabled
    reset.click()
    poll_until(lambda: y_values(page.figure("he3")) == before)
    assert "artemis.openness" not in page.pushed[-1]


def test_modified_baseline_appears_when_an_assumption_changes(
    render: Callable[[Any, str], Rendered],
) -> None:
    page = render(app.Explorer, f"/?{QUICK}&p.spillover_max=1")
    poll_until(
        lambda: "modified baseline" in str([t.get("name") for t in page.figure("debris")["data"]])
    )
    toggle = page.rc.find(v.Switch).widget
    toggle.v_model = False
    poll_until(
        lambda: (
            "modified baseline" not in str([t.get("name") for t in page.figure("debris")["data"]])
        )
    )
    assert any("mb=0" in url for url in page.pushed)


def test_the_link_reopens_the_same_view(render: Callable[[Any, str], Rendered]) -> None:
    query = f"{QUICK}&ilrs.preset=cutthroat&ilrs.asat_allowed=0&p.crowd_out=0.8"
    page = render(app.Explorer, f"/?{query}")
    assert page.slider("Crowd-out: military growth taken from the civil budget (0–1)").v_model == (
        0.8
    )
    link = page.rc.find(ShareWidget).widget.path
    settings, _, problems = model.from_query(link.split("?", 1)[1], app.default_base())
    assert not problems
    assert settings.lever("ilrs", "preset") == "cutthroat"
    assert settings.lever("ilrs", "asat_allowed") == 0.0
    assert settings.assumption("crowd_out") == 0.8
    assert page.pushed == []  # the address already says it all
    again = render(app.Explorer, link)
    assert y_values(again.figure("he3")) == y_values(page.figure("he3"))


def test_a_bad_link_is_reported_not_fatal(render: Callable[[Any, str], Rendered]) -> None:
    page = render(app.Explorer, f"/?{QUICK}&artemis.nonsense=3&runs=100000")
    page.figure("he3")
    assert any("artemis.nonsense" in text for text in page.alerts())
    settings, _, _ = model.from_query("runs=100000", app.default_base())
    assert settings.runs == model.MAX_RUNS  # runs per update are capped


def test_bad_upload_shows_the_cli_error(
    render: Callable[[Any, str], Rendered],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = b'name = "broken"\n[simulation]\nruns = "many"\n'
    (tmp_path / "broken.toml").write_bytes(bad)
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "broken.toml"]) == 2
    cli_error = capsys.readouterr().err.strip().removeprefix("moondust: error: ")
    page = render(app.Explorer, f"/?{QUICK}")
    upload = page.rc.find(UploadWidget).widget
    upload.vue_upload(
        {"name": "broken.toml", "size": len(bad), "content": base64.b64encode(bad).decode()}
    )
    # The page may be re-rendering for the ensemble in its task's thread; the alert then appears
    # when that render ends, not during this call.
    assert cli_error
    poll_until(lambda: any(cli_error in text for text in page.alerts("md-upload-error")))
    upload.vue_upload({"name": "huge.toml", "size": 10**6, "content": None})
    poll_until(lambda: any("at most 64 KB" in text for text in page.alerts("md-upload-error")))
    assert len(page.alerts("md-upload-error")) == 1


def test_good_upload_becomes_the_base_and_the_download_reads_back(
    render: Callable[[Any, str], Rendered],
) -> None:
    scenario = model.load_scenario("cutthroat")
    text = model.scenario_toml(scenario).encode()
    page = render(app.Explorer, f"/?{QUICK}")
    page.rc.find(UploadWidget).widget.vue_upload(
        {"name": "mine.toml", "size": len(text), "content": base64.b64encode(text).decode()}
    )
    poll_until(lambda: any("src=" in url for url in page.pushed))
    assert not page.alerts("md-upload-error")
    parsed = model.parse_upload("again.toml", text)
    assert parsed.digest() == scenario.digest()


# --- the Moon and Compare pages ----------------------------------------------------------------
def test_moon_page_shows_sites_and_probes_a_click(render: Callable[[Any, str], Rendered]) -> None:
    page = render(app.MoonPage, f"/moon?{QUICK}&year=2045")
    plots = page.rc.find(PlotlyWidget, label="He-3 map with the mining sites").wait_for(timeout=30)
    figure = plots.widget.figure
    assert figure["data"][0]["type"] == "heatmap"
    assert "Mining sites in 2045" in html_text(page)
    plots.widget.vue_click({"x": 23.473, "y": 0.674})  # Apollo 11, Mare Tranquillitatis
    poll_until(lambda: "he3_ppb" in html_text(page), timeout=10)
    assert "Layers at 0.674°N 23.473°E" in html_text(page)
    assert "Mare Tranquillitatis" in html_text(page)


def test_compare_uses_the_same_seeds(render: Callable[[Any, str], Rendered]) -> None:
    page = render(app.ComparePage, f"/compare?{QUICK}&a=baseline&b=cutthroat")
    poll_until(lambda: "A: baseline" in html_text(page), timeout=60)
    text = html_text(page)
    assert "B: cutthroat" in text and "10 runs each, seed" in text
    base = app.default_base()
    settings, _, _ = model.from_query(f"{QUICK}&a=baseline&b=cutthroat", base)
    request = app.compare_request(base, settings)
    seeds = {s.simulation.seed for s in request.scenarios.values()}
    assert len(seeds) == 1


# --- computation -------------------------------------------------------------------------------
def test_a_stale_update_is_cancelled_and_not_cached() -> None:
    service = EnsembleService(workers=1)
    try:
        base = app.default_base()
        settings = model.Settings(runs=50, end=2050).with_lever("artemis", "openness", 0.95)
        scenario = model.build_scenario(base.scenario, settings)
        assert service.ensemble(scenario, 50, is_current=lambda: False) is None
        assert service.cancelled == 1 and service.cached(scenario, 50) is None
    finally:
        service.shutdown()
