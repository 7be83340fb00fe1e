"""The moondust explorer, a Solara app: ``moondust dashboard`` (or ``solara run
moondust.dashboard.app``).

Pages: the Explorer (policy levers by bloc, assumptions apart, the main graphs against the
baseline), the Moon (who holds the He-3 mining sites in a chosen year; click to probe the model's
layers) and Compare (two scenarios with the same seeds). The whole state lives in the URL's query
string. Ensembles are computed off the UI thread (:mod:`moondust.dashboard.compute`); while one
computes, the last graphs stay on screen, and a newer change cancels it.
"""

from __future__ import annotations

import base64
import html
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, cast

import numpy as np
import solara
import solara.lab

from moondust.dashboard import model
from moondust.dashboard.compute import Ensemble
from moondust.dashboard.figures import (
    Chart,
    SiteRow,
    explorer_charts,
    moon_spec,
    plotly_spec,
    site_rows,
    to_csv,
    to_png,
    unshift,
)
from moondust.dashboard.model import Base, Settings
from moondust.dashboard.requests import (
    Computed,
    Request,
    compare_request,
    compute,
    default_base,
    explorer_request,
)
from moondust.dashboard.routes import register_routes
from moondust.dashboard.widgets import (
    plotly_element,
    plotly_preload_element,
    share_element,
    upload_element,
)
from moondust.errors import MoondustError
from moondust.world.blocs import BlocClass
from moondust.world.scenario import Scenario, builtin_scenarios

DEBOUNCE_S = 0.03
"""Wait this long before simulating, so a held arrow key computes only its last value."""

CSS = """
.md-root { max-width: 1500px; margin: 0 auto; padding: 8px 16px 32px 16px; }
.md-header { display: flex; flex-wrap: wrap; align-items: center; gap: 12px;
  border-bottom: 1px solid #ddd; margin-bottom: 12px; padding-bottom: 6px; }
.md-header h1 { font-size: 1.5rem; font-weight: 500; margin: 0 12px 0 0; }
.md-nav .v-btn { text-transform: none; }
.md-card-title { font-size: 1.05rem; font-weight: 500; margin: 0 0 4px 0; }
.md-help { font-size: 0.82rem; color: #333; margin: 0 0 6px 0; }
.md-summary { font-size: 0.85rem; color: #222; margin: 4px 0 0 0; }
.md-status { font-size: 0.85rem; color: #333; min-height: 1.3em; }
.md-outcome { font-size: 0.9rem; }
.md-outcome b { font-size: 1.1rem; }
.md-upload-label { display: block; font-size: 0.85rem; margin: 8px 0 2px 0; }
.md-share-input { width: 100%; border: 1px solid #999; padding: 3px 6px; font-size: 0.8rem; }
.md-table { border-collapse: collapse; font-size: 0.85rem; }
.md-table th, .md-table td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; }
.md-table td.num { text-align: right; }
.md-chart-buttons .v-btn, .md-sidebar .v-btn { text-transform: none; letter-spacing: 0; }
.md-sidebar .v-input__slider .v-input__slot { flex-wrap: wrap; }
.md-sidebar .v-input__slider .v-label { width: 100%; max-width: 100%; white-space: normal;
  height: auto; line-height: 1.25; margin: 6px 0 34px 0 !important; font-size: 0.88rem;
  color: #222 !important; }
.md-sidebar .v-input__slider .v-slider { margin-left: 6px; }
.md-sidebar .v-card { padding: 10px 14px; }
.md-block { display: block; width: 100%; margin-top: 6px; }
.md-plot { width: 100%; }
:focus-visible { outline: 3px solid #E69F00 !important; outline-offset: 2px; }
"""


# --- configuration and state -------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class AppState:
    """One browser tab's state (created from its URL when the page opens)."""

    settings: solara.Reactive[Settings]
    base: solara.Reactive[Base]
    default: Base
    notice: solara.Reactive[str]
    upload_error: solara.Reactive[str]


StateContext = solara.create_context(cast("AppState | None", None))


def use_state() -> AppState:
    """The tab's :class:`AppState` (provided by :func:`Layout`)."""
    state = solara.use_context(StateContext)
    if state is None:
        raise RuntimeError("the explorer's pages must be rendered inside Layout")
    return state


def page_query(state: AppState) -> str:
    """The query string of the tab's current state."""
    return model.to_query(state.settings.value, state.base.value, state.default)


# --- computation -------------------------------------------------------------------------------
@solara.lab.task(prefer_threaded=True)
def explorer_task(request: Request) -> Computed | None:
    """The Explorer's (and the Moon page's) ensembles, in a thread of this tab."""
    time.sleep(DEBOUNCE_S)
    if not explorer_task.is_current():
        return None
    return compute(request, explorer_task.is_current)


@solara.lab.task(prefer_threaded=True)
def compare_task(request: Request) -> Computed | None:
    """The Compare page's two ensembles."""
    time.sleep(DEBOUNCE_S)
    if not compare_task.is_current():
        return None
    return compute(request, compare_task.is_current)


def use_computed(task: Any, request: Request) -> tuple[Computed | None, bool]:
    """Run ``task`` whenever the request changes; the latest result and whether it is stale."""

    def start() -> None:
        task(request)

    solara.use_effect(start, [request.key])
    # A superseded call returns None, and Solara then reports None as the task's latest value:
    # keep the last finished result here, so the graphs stay on screen while a new one computes.
    last = solara.use_ref(cast("Computed | None", None))
    latest = task.latest
    if isinstance(latest, Computed):
        last.current = latest
    computed = last.current
    stale = bool(task.pending) or computed is None or computed.key != request.key
    return computed, stale


# --- small pieces ---
CHART_SHORT = {
    "first": "who is first",
    "he3": "He-3 delivered",
    "military": "military spending",
    "debris": "debris",
    "co2": "CO2 avoided",
}
PLOTLY_CONFIG = {
    "responsive": True,
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}


def figure_json(figure: Any) -> dict[str, Any]:
    """A Plotly figure (or its JSON already) as the JSON plotly.js draws."""
    if isinstance(figure, dict):
        return figure
    return cast("dict[str, Any]", json.loads(figure.to_json()))


@solara.component
def Plot(
    figure: Any,
    dependencies: list[Any],
    on_click: Callable[[dict[str, Any]], None] | None = None,
    label: str = "",
    filename: str = "moondust",
) -> None:
    """A Plotly graph that fits its container, drawn by plotly.js in the browser.

    ``on_click`` gets the clicked point's ``{"x": …, "y": …}``; ``filename`` names the PNG the
    graph's camera button saves.
    """
    spec = solara.use_memo(lambda: figure_json(figure), dependencies)
    height = int(spec.get("layout", {}).get("height") or 340)
    config = {
        **PLOTLY_CONFIG,
        "toImageButtonOptions": {"format": "png", "scale": 2, "filename": filename},
    }
    plotly_element(spec, config, label, height, on_click)


def _esc(text: Any) -> str:
    return html.escape(str(text))


@solara.component
def Paragraph(text: str, classes: str = "md-help", role: str | None = None) -> None:
    """A paragraph of plain text."""
    attributes = {"role": role, "aria-live": "polite"} if role else None
    solara.HTML(tag="p", unsafe_innerHTML=_esc(text), classes=[classes], attributes=attributes)


@solara.component
def Heading(text: str, level: int = 2) -> None:
    """A heading (screen readers navigate by them)."""
    solara.HTML(tag=f"h{level}", unsafe_innerHTML=_esc(text), classes=["md-card-title"])


def _table(header: list[str], rows: list[list[str]], caption: str, numeric: set[int]) -> str:
    head = "".join(f'<th scope="col">{_esc(h)}</th>' for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_esc(c)}</td>' if i in numeric else f"<td>{_esc(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<table class="md-table"><caption style="text-align:left">{_esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


@solara.component
def ChartCard(chart: Chart, token: str) -> None:
    """A graph with its CSV and PNG downloads and its text summary."""
    figure = solara.use_memo(lambda: plotly_spec(chart), [token])
    with solara.Card(margin=0, elevation=1, classes=[f"md-chart md-chart-{chart.key}"]):
        Plot(figure, [token], label=chart.title, filename=f"moondust-{chart.key}")
        Paragraph(chart.summary, "md-summary")
        with solara.Row(gap="8px", classes=["md-chart-buttons"]):
            solara.FileDownload(
                lambda: to_csv(chart).encode(),
                filename=f"moondust-{chart.key}.csv",
                label=f"CSV ({CHART_SHORT.get(chart.key, chart.key)})",
                mime_type="text/csv",
                icon_name="mdi-download",
            )
            solara.FileDownload(
                lambda: to_png(chart),
                filename=f"moondust-{chart.key}.png",
                label=f"PNG ({CHART_SHORT.get(chart.key, chart.key)})",
                mime_type="image/png",
                icon_name="mdi-image-outline",
            )


# --- the layout --------------------------------------------------------------------------------
PAGES: tuple[tuple[str, str], ...] = (("", "Explorer"), ("moon", "Moon"), ("compare", "Compare"))


@solara.component
def Layout(children: list[Any] | None = None) -> None:
    """Every page: state from the URL, the header and navigation, the URL kept in step."""
    router = solara.use_router()
    initial = solara.use_memo(lambda: model.from_query(router.search, default_base()), [])
    settings = solara.use_reactive(initial[0])
    base = solara.use_reactive(initial[1])
    notice = solara.use_reactive("; ".join(initial[2]))
    upload_error = solara.use_reactive("")
    state = solara.use_memo(
        lambda: AppState(settings, base, default_base(), notice, upload_error), []
    )
    StateContext.provide(state)
    query = model.to_query(settings.value, base.value, state.default)
    path = router.path or "/"
    search = router.search or ""
    followed = solara.use_ref(search)

    def same_state(text: str) -> bool:
        found, found_base, _ = model.from_query(text, state.default)
        return (found, found_base) == (settings.value, base.value)

    def follow_url() -> None:
        """The address changed from outside (Back, Forward, a pasted link): show that state."""
        if search == followed.current:
            return
        followed.current = search
        if not same_state(search):
            found, found_base, problems = model.from_query(search, state.default)
            settings.set(found)
            base.set(found_base)
            notice.set("; ".join(problems))

    def sync_url() -> None:
        """The state changed here: put it in the address (a new history entry)."""
        if router.set_path is None or search == query or same_state(search):
            return
        followed.current = query
        router.push(f"{path}?{query}")

    solara.use_effect(follow_url, [search])
    solara.use_effect(sync_url, [query, path])
    current = path.strip("/").split("/")[0]
    with solara.Column(classes=["md-root"], gap="0px"):
        solara.Style(CSS)
        solara.Title("moondust explorer")
        plotly_preload_element()
        with solara.Row(classes=["md-header"]):
            solara.HTML(tag="h1", unsafe_innerHTML="moondust explorer")
            with solara.Row(classes=["md-nav"], gap="4px"):
                for slug, label in PAGES:
                    solara.Button(
                        label,
                        text=slug != current,
                        color="primary" if slug == current else None,
                        on_click=lambda slug=slug: router.push(f"/{slug}?{query}"),
                        attributes={"aria-current": "page"} if slug == current else None,
                    )
            Paragraph(
                "The race for the Moon's helium-3: move a lever, see the race change. "
                "Simulated on this computer; nothing is sent anywhere.",
            )
        if notice.value:
            solara.Warning(f"Some settings in the link were not understood: {notice.value}")
        solara.Column(children=list(children or []), gap="0px", classes=["md-page"])


# --- the explorer ------------------------------------------------------------------------------
def _set(state: AppState, update: Callable[[Settings], Settings]) -> None:
    state.settings.set(update(state.settings.value))


def _lever_setter(
    state: AppState, bloc: str, name: str, labels: dict[str, Any] | None = None
) -> Callable[[Any], None]:
    def set_lever(value: Any) -> None:
        chosen = labels[value] if labels is not None else value
        _set(state, lambda s: s.with_lever(bloc, name, chosen))

    return set_lever


def _assumption_setter(state: AppState, name: str) -> Callable[[float], None]:
    def set_assumption(value: float) -> None:
        _set(state, lambda s: s.with_assumption(name, value))

    return set_assumption


@solara.component
def PolicyCard(bloc: str, shown: dict[str, Any], base_scenario: Scenario) -> None:
    """One bloc's levers, with its own reset."""
    state = use_state()
    settings = state.settings.value
    moved = settings.bloc_levers(bloc)
    short = model.BLOC_SHORT[bloc]
    with solara.Card(margin=0, elevation=1, classes=[f"md-levers md-levers-{bloc}"]):
        Heading(f"Policies: {model.BLOC_NAMES[bloc]}")
        Paragraph(
            f"A lever applies to every member of the bloc. Until you move it, it shows what "
            f"{model.LEAD_ACTOR[bloc]} does in the scenario."
        )
        for control in model.POLICY_CONTROLS:
            name = control.name
            if name == "preset":
                presets = [value for _, value in control.choices]
                if shown["preset"] not in presets:
                    presets.append(shown["preset"])
                solara.Select(
                    label=f"{short}: {control.label}",
                    values=presets,
                    value=shown["preset"],
                    on_value=_lever_setter(state, bloc, "preset"),
                )
            elif control.is_choice:
                labels = {value: label for label, value in control.choices}
                values = {label: value for label, value in control.choices}
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=_esc(f"{short}: {control.label}"),
                    classes=["md-help"],
                )
                solara.ToggleButtonsSingle(
                    value=labels.get(float(shown[name]), control.choices[0][0]),
                    values=list(values),
                    on_value=_lever_setter(state, bloc, name, values),
                    dense=True,
                )
                if name not in moved:
                    count, members = model.bloc_members_with(
                        base_scenario, bloc, name, float(shown[name])
                    )
                    if count != members:
                        Paragraph(
                            f"In the scenario {count} of {members} members: "
                            f"{labels.get(float(shown[name]))}; choosing applies to all."
                        )
            else:
                value = min(max(float(shown[name]), control.low), control.high)
                solara.SliderFloat(
                    label=f"{short}: {control.label}",
                    value=value,
                    min=control.low,
                    max=control.high,
                    step=control.step,
                    on_value=_lever_setter(state, bloc, name),
                    thumb_label="always",
                )
        with solara.Div(classes=["md-block"]):
            solara.Button(
                f"Reset {short} policies",
                icon_name="mdi-restore",
                outlined=True,
                disabled=not moved,
                on_click=lambda: _set(state, lambda s: s.reset_bloc(bloc)),
            )


@solara.component
def AssumptionsCard(base_scenario: Scenario) -> None:
    """The uncertain assumptions, apart from policies, with their own reset."""
    state = use_state()
    settings = state.settings.value
    defaults = base_scenario.engine_parameters
    with solara.Card(margin=0, elevation=1, classes=["md-assumptions"]):
        Heading("Assumptions (what nobody decides)")
        Paragraph(
            "Uncertain facts about the world, each over its cited range. Change them to test "
            "how robust a policy's effect is; the modified baseline shows their effect alone."
        )
        for control in model.assumption_controls():
            chosen = settings.assumption(control.name)
            value = chosen if chosen is not None else float(getattr(defaults, control.name))
            solara.SliderFloat(
                label=control.label,
                value=min(max(value, control.low), control.high),
                min=control.low,
                max=control.high,
                step=control.step,
                on_value=_assumption_setter(state, control.name),
                thumb_label="always",
            )
            if control.name in base_scenario.uncertainties:
                Paragraph("Sampled per run in this scenario: the slider has no effect.")
        with solara.Details("Where these ranges come from"):
            items = "".join(
                f"<li><b>{_esc(c.label)}</b>: {_esc(c.help)}</li>"
                for c in model.assumption_controls()
            )
            solara.HTML(tag="ul", unsafe_innerHTML=items, classes=["md-help"])
        solara.Button(
            "Reset assumptions",
            icon_name="mdi-restore",
            outlined=True,
            disabled=not settings.assumptions_changed,
            on_click=lambda: _set(state, lambda s: s.reset_assumptions()),
        )


@solara.component
def RunCard() -> None:
    """Runs, horizon, the modified-baseline toggle and the global reset."""
    state = use_state()
    settings = state.settings.value
    with solara.Card(margin=0, elevation=1, classes=["md-run"]):
        Heading("Simulation")
        solara.Select(
            label="Monte Carlo runs per update",
            values=list(model.RUN_CHOICES),
            value=settings.runs if settings.runs in model.RUN_CHOICES else model.DEFAULT_RUNS,
            on_value=lambda n: _set(state, lambda s: replace(s, runs=int(n))),
        )
        solara.Select(
            label="Last year simulated",
            values=list(model.HORIZON_CHOICES),
            value=settings.end,
            on_value=lambda y: _set(state, lambda s: replace(s, end=int(y), year=None)),
        )
        solara.Switch(
            label="Show the modified baseline (assumptions changed, policies not)",
            value=settings.modified_baseline,
            on_value=lambda on: _set(state, lambda s: replace(s, modified_baseline=bool(on))),
        )
        solara.Button(
            "Reset policies and assumptions",
            icon_name="mdi-restore-alert",
            outlined=True,
            disabled=not (settings.policies_changed or settings.assumptions_changed),
            on_click=lambda: _set(state, lambda s: replace(s, levers=(), assumptions=())),
        )


@solara.component
def ScenarioCard(current: Scenario) -> None:
    """Start from a scenario, download the settings, upload a file, share a link."""
    state = use_state()
    settings, base = state.settings.value, state.base.value
    router = solara.use_router()
    builtins = list(builtin_scenarios())
    with solara.Card(margin=0, elevation=1, classes=["md-scenario"]):
        Heading("Scenario")
        choices = builtins if base.builtin is not None else [base.label, *builtins]
        solara.Select(
            label="Start from",
            values=choices,
            value=base.builtin or base.label,
            on_value=lambda name: _start_from(state, name),
        )
        solara.FileDownload(
            lambda: model.scenario_toml(current, model.settings_comment(settings, base)).encode(),
            filename=f"{current.name}.toml",
            label="Download settings (scenario TOML)",
            mime_type="application/toml",
            icon_name="mdi-file-download-outline",
        )
        upload_element(
            "Upload a scenario (TOML, at most 64 KB)",
            model.MAX_UPLOAD_BYTES,
            lambda data: _upload(state, data),
        )
        if state.upload_error.value:
            solara.Error(
                state.upload_error.value,
                classes=["md-upload-error"],
                attributes={"role": "alert"},
            )
        share_element(f"{router.path or '/'}?{page_query(state)}")
        if base.builtin is None and base.encoded is None:
            Paragraph("This uploaded scenario is too large for a link: share its TOML instead.")


def _start_from(state: AppState, name: str) -> None:
    if name in builtin_scenarios():
        state.base.set(model.builtin_base(name))
        state.settings.set(replace(state.settings.value, levers=(), assumptions=()))


def _upload(state: AppState, data: dict[str, Any]) -> None:
    name = model.upload_name(str(data.get("name") or "scenario.toml"))
    try:
        model.check_upload_size(name, int(data.get("size") or 0))
        content = str(data.get("content") or "")
        model.check_upload_size(name, len(content) * 3 // 4)  # whatever the browser said
        scenario = model.parse_upload(name, base64.b64decode(content, validate=True))
    except MoondustError as exc:
        state.upload_error.set(model.short_error(str(exc)))
        return
    except ValueError as exc:  # a corrupt transfer
        state.upload_error.set(model.short_error(f"{name}: cannot read: {exc}"))
        return
    except Exception as exc:  # a visitor's file is never a fault of the server: one log line
        model.log.warning(
            "refused upload %r: %s: %s", name[:80], type(exc).__name__, model.short_error(str(exc))
        )
        state.upload_error.set(f"{name}: cannot read this file as a scenario")
        return
    state.upload_error.set("")
    state.base.set(model.base_from_scenario(scenario, name))
    state.settings.set(replace(state.settings.value, levers=(), assumptions=()))


@solara.component
def Outcomes(computed: Computed) -> None:
    """Headline numbers in words (also the text alternative of the graphs)."""
    now, base = computed.variants["current"], computed.variants["baseline"]
    end = int(now.years[-1])

    def pct(e: Ensemble, bloc: str) -> str:
        return f"{100 * e.p_first[bloc]:.0f} %"

    def total(e: Ensemble, key: str, digits: int = 0) -> str:
        value = e.totals[key][1]
        if not np.isfinite(value):
            return "—"
        return f"{value:.0f}" if key.endswith("_year") else f"{value:,.{digits}f}"

    cards = [
        (
            "First to deliver He-3",
            f"Artemis {pct(now, 'artemis')} · ILRS {pct(now, 'ilrs')}",
            f"baseline: Artemis {pct(base, 'artemis')} · ILRS {pct(base, 'ilrs')}",
        ),
        (
            "He-3 first reaches Earth (median year)",
            total(now, "first_he3_year"),
            f"baseline: {total(base, 'first_he3_year')}",
        ),
        (
            f"He-3 delivered by {end}",
            f"{total(now, 'he3_t_end', 1)} t",
            f"baseline: {total(base, 'he3_t_end', 1)} t",
        ),
        (
            f"Military space spending 2026–{end}",
            f"{total(now, 'military_cum_usd_bn')} USD bn",
            f"baseline: {total(base, 'military_cum_usd_bn')} USD bn",
        ),
        (
            f"Debris in LEO in {end}",
            f"{total(now, 'debris_end')} objects",
            f"baseline: {total(base, 'debris_end')}",
        ),
    ]
    with solara.Row(gap="8px", style={"flex-wrap": "wrap"}, classes=["md-outcomes"]):
        for title, value, compared in cards:
            with solara.Card(margin=0, elevation=1, style={"min-width": "170px", "flex": "1"}):
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=f"{_esc(title)}<br><b>{_esc(value)}</b><br>{_esc(compared)}",
                    classes=["md-outcome"],
                )


def _status(computed: Computed | None, stale: bool) -> str:
    if computed is None:
        return "Simulating the first ensemble…"
    now = computed.variants["current"]
    text = (
        f"{now.runs} runs, seed {now.seed}, {int(now.years[0])}–{int(now.years[-1])}; "
        f"updated in {computed.seconds:.2f} s"
    )
    return f"Updating… (showing the previous result) — {text}" if stale else text


@solara.component
def Explorer() -> None:
    """The Explorer page: levers and assumptions on the left, graphs on the right."""
    state = use_state()
    settings, base = state.settings.value, state.base.value
    request = solara.use_memo(lambda: explorer_request(base, settings), [base, settings])
    computed, stale = use_computed(explorer_task, request)
    current = request.scenarios["current"]
    shown = {bloc: model.bloc_lever_values(current, bloc) for bloc in model.BLOCS}
    with solara.ColumnsResponsive(default=12, medium=[5, 7], large=[4, 8], xlarge=[3, 9]):
        with solara.Column(gap="12px", classes=["md-sidebar"]):
            for bloc in model.BLOCS:
                PolicyCard(bloc, shown[bloc], base.scenario)
            AssumptionsCard(base.scenario)
            RunCard()
            ScenarioCard(current)
        with solara.Column(gap="12px", classes=["md-main"]):
            solara.ProgressLinear(stale)
            Paragraph(_status(computed, stale), "md-status", role="status")
            if explorer_task.error:
                solara.Error(f"The simulation failed: {explorer_task.exception}")
            if computed is not None:
                Graphs(computed)
            Legend()


@solara.component
def Graphs(computed: Computed) -> None:
    """The outcome cards and the five graphs."""
    charts = solara.use_memo(lambda: explorer_charts(computed.variants), [computed.key])
    token = computed.key
    Outcomes(computed)
    with solara.ColumnsResponsive(default=12, large=[6, 6]):
        for chart in charts:
            ChartCard(chart, token)


@solara.component
def Legend() -> None:
    """How to read the graphs."""
    with solara.Details("How to read these graphs"):
        solara.HTML(
            tag="div",
            classes=["md-help"],
            unsafe_innerHTML=LEGEND_HTML,
        )


LEGEND_HTML = " ".join(
    line.strip()
    for line in """
<p>Solid lines with shaded bands: your settings, median and the 10–90 % range of the Monte Carlo
runs. Dotted lines with hollow markers: the baseline (the scenario you started from). Dash-dot
lines: the <i>modified baseline</i>, the baseline with your assumption changes but none of your
policy changes, so the gap between it and your line is the effect of policy alone. The Artemis bloc
is blue with circles, the ILRS bloc vermillion with squares. Vertical dotted lines mark the median
year of the first crewed landing, the first He-3 delivery and the first D-He3 fusion demonstration
under your settings.</p><p>All runs use the same seeds, so differences come from the settings, not
from chance. Keyboard: Tab to a slider, then the arrow keys, Page Up/Down, Home and End.</p>
""".splitlines()
)


# --- the Moon ----------------------------------------------------------------------------------
@cache
def _display_map() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from moondust.moon import He3Map

    moon = He3Map(resolution_deg=2.0)
    return moon.he3_ppb, moon.grid.lat_deg, moon.grid.lon_deg


@cache
def _probe_map() -> Any:
    from moondust.moon import He3Map

    return He3Map(resolution_deg=1.0)  # what `moondust probe` uses by default


def probe_rows(lat: float, lon: float) -> tuple[str, list[list[str]]]:
    """What ``moondust probe LAT LON`` prints: a title and (layer, value, unit) rows."""
    probe = _probe_map().probe(lat, lon)
    title = (
        f"Layers at {probe.lat_deg:g}°N {probe.lon_deg:g}°E "
        f"(cell centred {probe.cell_lat_deg:g}, {probe.cell_lon_deg:g})"
    )
    rows = [
        ["mare", probe.mare or "—", ""],
        ["mare_fraction", f"{probe.mare_fraction:.3f}", ""],
        ["tio2_wt_pct", f"{probe.tio2_wt_pct:.2f}", "wt%"],
        ["omat", f"{probe.omat:.3f}", ""],
        ["fluence_factor", f"{probe.fluence_factor:.3f}", "(far-side equator = 1)"],
        ["regolith_m", f"{probe.regolith_m:.2f}", "m"],
        ["he3_ppb", f"{probe.he3_ppb:.2f}", "ppb"],
    ]
    return title, rows


@solara.component
def MoonPage() -> None:
    """The He-3 map with the mining sites and who holds them; click to probe."""
    state = use_state()
    settings, base = state.settings.value, state.base.value
    request = solara.use_memo(lambda: explorer_request(base, settings), [base, settings])
    computed, stale = use_computed(explorer_task, request)
    point = solara.use_reactive(cast("tuple[float, float] | None", None))
    lat_in = solara.use_reactive(0.674)
    lon_in = solara.use_reactive(23.473)
    error = solara.use_reactive("")

    def probe(lat: float, lon: float) -> None:
        try:
            _probe_map().probe(lat, lon)
        except MoondustError as exc:
            error.set(str(exc))
            return
        error.set("")
        point.set((round(lat, 3), round(lon, 3)))

    def on_click(data: Any) -> None:
        try:
            x, y = float(data["x"]), float(data["y"])
        except (KeyError, TypeError, ValueError):
            return
        lat_in.set(round(y, 2))
        lon_in.set(round(unshift(x), 2))
        probe(y, unshift(x))

    Paragraph(
        "The Moon's He-3 (ppb in the regolith, near side left) and the richest deposits open to "
        "mining. Each site shows who holds it in the most runs in the chosen year, and in what "
        "share of runs. Click the map, or type a point, to see every layer of the model there "
        "(as `moondust probe` shows)."
    )
    Paragraph(_status(computed, stale), "md-status", role="status")
    solara.ProgressLinear(stale)
    if computed is None:
        return
    now = computed.variants["current"]
    first, last = int(now.years[0]) + 1, int(now.years[-1])
    year = settings.year if settings.year is not None else last
    year = min(max(year, first), last)
    with solara.ColumnsResponsive(default=12, large=[8, 4]):
        with solara.Column():
            solara.SliderInt(
                label="Year shown on the map",
                value=year,
                min=first,
                max=last,
                on_value=lambda y: _set(state, lambda s: replace(s, year=int(y))),
                thumb_label="always",
            )
            rows = site_rows(now, year)
            MoonMap(computed.key, year, rows, on_click)
            table = _table(
                ["site", "He-3 (kg)", "held by (most runs)", "share of runs"],
                [
                    [
                        r.name,
                        f"{r.he3_kg:.3g}",
                        f"{r.holder} ({model.BLOC_SHORT.get(r.bloc or '', r.bloc)})"
                        if r.holder
                        else "unclaimed",
                        f"{r.share:.0%}",
                    ]
                    for r in rows
                ],
                f"Mining sites in {year} ({now.runs} runs)",
                {1, 3},
            )
            solara.HTML(tag="div", unsafe_innerHTML=table)
        with solara.Column():
            Heading("Probe a point")
            solara.InputFloat("Latitude (°N, −90..90)", value=lat_in)
            solara.InputFloat("Longitude (°E, −180..180 or 0..360)", value=lon_in)
            solara.Button(
                "Probe", icon_name="mdi-target", on_click=lambda: probe(lat_in.value, lon_in.value)
            )
            if error.value:
                solara.Error(error.value, attributes={"role": "alert"})
            if point.value is not None:
                title, layers = probe_rows(*point.value)
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=_table(["layer", "value", "unit"], layers, title, {1}),
                    classes=["md-probe"],
                )


@solara.component
def MoonMap(key: str, year: int, rows: list[SiteRow], on_click: Callable[[Any], None]) -> None:
    """The He-3 map with the sites (redrawn when the ensemble or the year changes)."""
    ppb, lat, lon = _display_map()
    figure = solara.use_memo(lambda: moon_spec(ppb, lat, lon, rows), [key, year])
    Plot(
        figure,
        [key, year],
        on_click=on_click,
        label="He-3 map with the mining sites",
        filename=f"moondust-moon-{year}",
    )


# --- compare -----------------------------------------------------------------------------------
@solara.component
def ComparePage() -> None:
    """Two scenarios side by side, with the same seeds and runs."""
    state = use_state()
    settings, base = state.settings.value, state.base.value
    request = solara.use_memo(lambda: compare_request(base, settings), [base, settings])
    computed, stale = use_computed(compare_task, request)
    options = ["current", *builtin_scenarios()]
    Paragraph(
        "Two scenarios with the same seeds, runs and horizon, so the differences come from the "
        "scenarios. “current” is the Explorer's settings."
    )
    with solara.Row(gap="16px"):
        solara.Select(
            label="Scenario A",
            values=options,
            value=settings.compare_a,
            on_value=lambda name: _set(state, lambda s: replace(s, compare_a=str(name))),
        )
        solara.Select(
            label="Scenario B",
            values=options,
            value=settings.compare_b,
            on_value=lambda name: _set(state, lambda s: replace(s, compare_b=str(name))),
        )
    solara.ProgressLinear(stale)
    Paragraph(_status(computed, stale), "md-status", role="status")
    if computed is None:
        return
    a, b = computed.variants["current"], computed.variants["baseline"]
    names = {
        "current": f"A: {_label(settings.compare_a, request)}",
        "baseline": f"B: {_label(settings.compare_b, request)}",
    }
    rows = []
    for label, key, digits in (
        ("He-3 first reaches Earth (median year)", "first_he3_year", 0),
        (f"He-3 delivered by {int(a.years[-1])} (t)", "he3_t_end", 1),
        ("Military space spending (USD bn, cumulative)", "military_cum_usd_bn", 0),
        (f"Debris in LEO in {int(a.years[-1])} (objects ≥ 10 cm)", "debris_end", 0),
        ("CO2 avoided (Mt, cumulative)", "co2_mt_end", 0),
    ):
        rows.append([label, *(_band(e.totals[key], digits, key.endswith("_year")) for e in (a, b))])
    for bloc in (BlocClass.ARTEMIS, BlocClass.ILRS, BlocClass.NOBODY):
        label = "nobody" if bloc == BlocClass.NOBODY else model.BLOC_NAMES[bloc]
        rows.append(
            [f"First to deliver He-3: {label}", *(f"{100 * e.p_first[bloc]:.0f} %" for e in (a, b))]
        )
    with solara.Card(margin=0, elevation=1):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=_table(
                ["outcome (median, 10–90 % of runs)", names["current"], names["baseline"]],
                rows,
                f"{a.runs} runs each, seed {a.seed}",
                {1, 2},
            ),
        )
    CompareCharts(computed, names)


@solara.component
def CompareCharts(computed: Computed, names: dict[str, str]) -> None:
    """A and B on the same graphs (A solid with its band, B dotted)."""
    charts = solara.use_memo(lambda: explorer_charts(computed.variants, names), [computed.key])
    token = f"compare|{computed.key}"
    with solara.ColumnsResponsive(default=12, large=[6, 6]):
        for chart in charts:
            ChartCard(chart, token)


def _label(name: str, request: Request) -> str:
    if name == "current":
        return f"current settings ({request.scenarios['current'].name})"
    return name


def _band(values: tuple[float, float, float], digits: int, year: bool = False) -> str:
    low, mid, high = values
    if not np.isfinite(mid):
        return "—"
    spec = ".0f" if year else f",.{digits}f"
    return f"{mid:{spec}} ({low:{spec}}–{high:{spec}})"


routes = [
    solara.Route(path="/", component=Explorer, label="Explorer", layout=Layout),
    solara.Route(path="moon", component=MoonPage, label="Moon"),
    solara.Route(path="compare", component=ComparePage, label="Compare"),
]

# `solara run moondust.dashboard.app` imports only this module, so the routes are registered here
# too (idempotent; `moondust dashboard` registers them from the server before this is imported).
register_routes()
