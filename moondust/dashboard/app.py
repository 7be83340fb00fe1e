"""The moondust explorer, a Solara app: ``moondust dashboard`` (or ``solara run
moondust.dashboard.app``).

Pages: the Explorer (policy levers by bloc, assumptions apart, the main graphs against the
baseline), the Moon (who holds the He-3 mining sites in a chosen year; click to probe the model's
layers) and Compare (two scenarios with the same seeds). The whole state lives in the URL's query
string. Ensembles are computed off the UI thread (:mod:`moondust.dashboard.compute`); while one
computes, the last graphs stay on screen, and a newer change cancels it.

This module holds what Solara looks for: the :func:`Layout` every page shares (the tab's state from
its URL, the header and navigation) and the ``routes``. The pages are in
:mod:`moondust.dashboard.pages`, their building blocks in :mod:`moondust.dashboard.components`, the
tab's state and computations in :mod:`moondust.dashboard.state`.
"""

from __future__ import annotations

from typing import Any

import solara

from moondust.dashboard import model
from moondust.dashboard.components import Paragraph
from moondust.dashboard.pages.compare import ComparePage
from moondust.dashboard.pages.explorer import Explorer
from moondust.dashboard.pages.moon import MoonPage
from moondust.dashboard.requests import compare_request, default_base, explorer_request
from moondust.dashboard.routes import register_routes
from moondust.dashboard.state import AppState, StateContext
from moondust.dashboard.widgets import plotly_preload_element

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


routes = [
    solara.Route(path="/", component=Explorer, label="Explorer", layout=Layout),
    solara.Route(path="moon", component=MoonPage, label="Moon"),
    solara.Route(path="compare", component=ComparePage, label="Compare"),
]

# `solara run moondust.dashboard.app` imports only this module, so the routes are registered here
# too (idempotent; `moondust dashboard` registers them from the server before this is imported).
register_routes()

# The pages and the request builders live in their own modules; tests and benchmarks import them
# from here, as before the split.
__all__ = [
    "CSS",
    "PAGES",
    "ComparePage",
    "Explorer",
    "Layout",
    "MoonPage",
    "compare_request",
    "default_base",
    "explorer_request",
    "routes",
]
