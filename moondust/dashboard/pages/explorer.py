"""The Explorer page: policy levers by bloc, assumptions apart, the main graphs against the
baseline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import solara

from moondust.dashboard import model
from moondust.dashboard.components import ChartCard, Heading, Legend, Paragraph, esc, status_text
from moondust.dashboard.compute import Ensemble
from moondust.dashboard.figures import explorer_charts
from moondust.dashboard.requests import Computed, explorer_request
from moondust.dashboard.state import (
    AppState,
    explorer_task,
    page_query,
    start_from,
    update_settings,
    upload_scenario,
    use_page,
    use_state,
)
from moondust.dashboard.widgets import share_element, upload_element
from moondust.world.scenario import Scenario, builtin_scenarios


@solara.component
def Explorer() -> None:
    """The Explorer page: levers and assumptions on the left, graphs on the right."""
    state, request, computed, stale = use_page(explorer_task, explorer_request)
    base = state.base.value
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
            Paragraph(status_text(computed, stale), "md-status", role="status")
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
                    unsafe_innerHTML=f"{esc(title)}<br><b>{esc(value)}</b><br>{esc(compared)}",
                    classes=["md-outcome"],
                )


def _lever_setter(
    state: AppState, bloc: str, name: str, labels: dict[str, Any] | None = None
) -> Callable[[Any], None]:
    def set_lever(value: Any) -> None:
        chosen = labels[value] if labels is not None else value
        update_settings(state, lambda s: s.with_lever(bloc, name, chosen))

    return set_lever


def _assumption_setter(state: AppState, name: str) -> Callable[[float], None]:
    def set_assumption(value: float) -> None:
        update_settings(state, lambda s: s.with_assumption(name, value))

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
                    unsafe_innerHTML=esc(f"{short}: {control.label}"),
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
                on_click=lambda: update_settings(state, lambda s: s.reset_bloc(bloc)),
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
            + (
                " Until you move a slider, every run draws that assumption from its range (the "
                "bands are chance + parameter uncertainty); moving it fixes it for every run."
                if base_scenario.simulation.uncertainty == "full"
                else " This scenario holds them at their values (the bands are chance only)."
            )
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
                f"<li><b>{esc(c.label)}</b>: {esc(c.help)}</li>"
                for c in model.assumption_controls()
            )
            solara.HTML(tag="ul", unsafe_innerHTML=items, classes=["md-help"])
        solara.Button(
            "Reset assumptions",
            icon_name="mdi-restore",
            outlined=True,
            disabled=not settings.assumptions_changed,
            on_click=lambda: update_settings(state, lambda s: s.reset_assumptions()),
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
            on_value=lambda n: update_settings(state, lambda s: replace(s, runs=int(n))),
        )
        solara.Select(
            label="Last year simulated",
            values=list(model.HORIZON_CHOICES),
            value=settings.end,
            on_value=lambda y: update_settings(state, lambda s: replace(s, end=int(y), year=None)),
        )
        solara.Switch(
            label="Show the modified baseline (assumptions changed, policies not)",
            value=settings.modified_baseline,
            on_value=lambda on: update_settings(
                state, lambda s: replace(s, modified_baseline=bool(on))
            ),
        )
        solara.Button(
            "Reset policies and assumptions",
            icon_name="mdi-restore-alert",
            outlined=True,
            disabled=not (settings.policies_changed or settings.assumptions_changed),
            on_click=lambda: update_settings(
                state, lambda s: replace(s, levers=(), assumptions=())
            ),
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
            on_value=lambda name: start_from(state, name),
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
            lambda data: upload_scenario(state, data),
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
