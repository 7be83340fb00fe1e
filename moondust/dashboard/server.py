"""Serve the explorer: Solara's ASGI app under uvicorn, offline and without telemetry.

Solara reads its settings from the environment when it is first imported, so :func:`serve` sets
them first: production mode, telemetry off, idle tabs culled after 15 minutes. The front end
(Vue, Vuetify, RequireJS, fonts) comes from the ``solara-assets`` package through Solara's local
``/_solara/cdn`` route, so a machine without internet gets the same page. The worker processes
start, and the starting scenario's baseline is simulated, while the server comes up.
plotly.js (the copy bundled with plotly.py) is served once, cacheable, at
:data:`~moondust.dashboard.widgets.PLOTLY_JS_ROUTE`, rather than inside every graph's widget.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

APP = "moondust.dashboard.app"


def configure(scenario: str | None = None) -> None:
    """Environment for Solara (before it is imported) and for the app."""
    os.environ["SOLARA_APP"] = APP
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ["SOLARA_MODE"] = "production"
    os.environ.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "15m")
    if scenario:
        os.environ["MOONDUST_DASHBOARD_SCENARIO"] = scenario


def plotly_js_path() -> Path:
    """The plotly.js bundled with the installed plotly.py (the version its JSON is written for)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def register_routes() -> None:
    """Serve plotly.js from Solara's server (idempotent; a no-op before Solara's server loads)."""
    module = sys.modules.get("solara.server.starlette")
    if module is None:
        return
    from starlette.responses import FileResponse
    from starlette.routing import Route

    from moondust.dashboard.widgets import PLOTLY_JS_ROUTE

    router = module.app.router
    if any(getattr(route, "path", None) == PLOTLY_JS_ROUTE for route in router.routes):
        return

    async def plotly_js(request: Any) -> FileResponse:
        return FileResponse(
            plotly_js_path(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    router.routes.insert(0, Route(PLOTLY_JS_ROUTE, endpoint=plotly_js))


def _prepare() -> None:
    """Start the workers and simulate the starting scenario, so the first page is quick."""
    from moondust.dashboard.app import default_base, explorer_request
    from moondust.dashboard.compute import service
    from moondust.dashboard.model import Settings

    service().warm()
    request = explorer_request(default_base(), Settings())
    for scenario in request.scenarios.values():
        service().ensemble(scenario, request.runs)


def serve(host: str = "127.0.0.1", port: int = 8765, scenario: str | None = None) -> None:
    """Run the explorer until interrupted (Ctrl+C)."""
    configure(scenario)
    import solara.server.settings as settings
    import uvicorn

    settings.main.mode = "production"
    settings.telemetry.mixpanel_enable = False
    # Over plain http on loopback Solara falls back to SameSite=lax cookies and warns on every
    # page load; that is the intended set-up here, so keep the log for real problems.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    import solara.server.starlette

    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)
    register_routes()
    threading.Thread(target=_prepare, name="moondust-prepare", daemon=True).start()
    uvicorn.run(
        solara.server.starlette.app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
    )
