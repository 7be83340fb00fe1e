"""The explorer's per-tab state and its computations, shared by the layout and the pages.

A tab's state (:class:`AppState`) is created from its URL by :func:`moondust.dashboard.app.Layout`
and provided to the pages through :data:`StateContext`; :func:`use_state` reads it. Ensembles run
in Solara tasks off the UI thread (:func:`use_computed`).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, cast

import solara
import solara.lab

from moondust.dashboard import model
from moondust.dashboard.model import Base, Settings
from moondust.dashboard.requests import Computed, Request, compute
from moondust.errors import MoondustError
from moondust.world.scenario import builtin_scenarios

DEBOUNCE_S = 0.03
"""Wait this long before simulating, so a held arrow key computes only its last value."""


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
    """The tab's :class:`AppState` (provided by :func:`moondust.dashboard.app.Layout`)."""
    state = solara.use_context(StateContext)
    if state is None:
        raise RuntimeError("the explorer's pages must be rendered inside Layout")
    return state


def page_query(state: AppState) -> str:
    """The query string of the tab's current state."""
    return model.to_query(state.settings.value, state.base.value, state.default)


def update_settings(state: AppState, update: Callable[[Settings], Settings]) -> None:
    """Replace the tab's settings by ``update(settings)``."""
    state.settings.set(update(state.settings.value))


# --- computation -------------------------------------------------------------------------------
# Two tasks, not one made by a factory: Solara keys a module-level task's result in each kernel by
# its function's module and qualified name, so each task needs a function of its own.
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


def use_page(
    task: Any, build: Callable[[Base, Settings], Request]
) -> tuple[AppState, Request, Computed | None, bool]:
    """A page's state, its request ``build(base, settings)`` and :func:`use_computed` on ``task``.

    Parameters
    ----------
    task
        The Solara task that computes the page's ensembles (:func:`explorer_task`, …).
    build
        Builds the page's request from the tab's base and settings (rebuilt when either changes).

    Returns
    -------
    tuple
        The tab's :class:`AppState`, the request, the latest computed result (None before the
        first) and whether it is stale.
    """
    state = use_state()
    settings, base = state.settings.value, state.base.value
    request = solara.use_memo(lambda: build(base, settings), [base, settings])
    computed, stale = use_computed(task, request)
    return state, request, computed, stale


# --- the scenario a tab starts from ------------------------------------------------------------
def start_from(state: AppState, name: str) -> None:
    """Start from the built-in scenario ``name``, without moved levers or assumptions."""
    if name in builtin_scenarios():
        state.base.set(model.builtin_base(name))
        state.settings.set(replace(state.settings.value, levers=(), assumptions=()))


def upload_scenario(state: AppState, data: dict[str, Any]) -> None:
    """Make an uploaded scenario file (``{name, size, content}``) the base, or say why not.

    A visitor's file is refused with a message on the page, never with an exception.
    """
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
