"""Serve the explorer: Solara's ASGI app under uvicorn, offline and without telemetry.

Solara reads its settings from the environment when it is first imported, so :func:`serve` sets
them first: production mode, telemetry off, idle tabs culled after 15 minutes. The front end
(Vue, Vuetify, RequireJS, fonts) comes from the ``solara-assets`` package through the
``/_solara/cdn`` route, so a machine without internet gets the same page. That route is Solara's
caching proxy to a public CDN; :func:`~moondust.dashboard.routes.register_routes` replaces it
with a read-only view of the installed files, so a request can neither fetch nor store nor delete
anything there. The worker processes start, and the starting scenario's baseline is simulated,
while the server comes up. plotly.js (the copy bundled with plotly.py) is served once, cacheable, at
:data:`~moondust.dashboard.widgets.PLOTLY_JS_ROUTE`, rather than inside every graph's widget.
"""

from __future__ import annotations

import os
import threading
import warnings

APP = "moondust.dashboard.app"


def configure(scenario: str | None = None) -> None:
    """Environment for Solara (before it is imported) and for the app."""
    from moondust.world.policies import allow_policy_imports

    # The explorer never imports code a scenario names, whoever started it and how.
    allow_policy_imports(False)
    os.environ["SOLARA_APP"] = APP
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ["SOLARA_MODE"] = "production"
    os.environ.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "15m")
    if scenario:
        os.environ["MOONDUST_DASHBOARD_SCENARIO"] = scenario


def _prepare() -> None:
    """Start the workers and simulate the starting scenario, so the first page is quick."""
    from moondust.dashboard.compute import service
    from moondust.dashboard.model import Settings
    from moondust.dashboard.requests import default_base, explorer_request

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
    from moondust.dashboard.routes import register_routes

    register_routes()
    threading.Thread(target=_prepare, name="moondust-prepare", daemon=True).start()
    uvicorn.run(
        solara.server.starlette.app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
    )
