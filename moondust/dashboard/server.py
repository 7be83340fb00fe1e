"""Serve the explorer: Solara's ASGI app under uvicorn, offline and without telemetry.

Solara reads its settings from the environment when it is first imported, so :func:`serve` sets
them first: production mode, telemetry off, idle tabs culled after 15 minutes. The front end
(Vue, Vuetify, RequireJS, fonts) comes from the ``solara-assets`` package through the
``/_solara/cdn`` route, so a machine without internet gets the same page. That route is Solara's
caching proxy to a public CDN; :func:`register_routes` replaces it with a read-only view of the
installed files, so a request can neither fetch nor store nor delete anything there. The worker
processes start, and the starting scenario's baseline is simulated, while the server comes up.
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
    from moondust.world.policies import allow_policy_imports

    # The explorer never imports code a scenario names, whoever started it and how.
    allow_policy_imports(False)
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


def assets_app(directory: Path) -> Any:
    """A read-only ASGI app serving the front-end files installed under ``directory``.

    Solara's own ``/_solara/cdn`` route is a caching proxy: for a path it has not stored it
    downloads the file from a public CDN and writes it into the installed assets, and for a
    path that is a directory it deletes that directory first. Any visitor could therefore wipe
    the front end (offline, it cannot be fetched back) or make the server download and store
    arbitrary npm files. This app serves existing regular files only; everything else is a 404.
    """
    from solara.server.starlette import immutable_cache_control
    from starlette.staticfiles import StaticFiles

    class InstalledAssets(StaticFiles):
        async def get_response(self, path: str, scope: Any) -> Any:
            response = await super().get_response(path, scope)
            if response.status_code in (200, 304):  # exact npm versions: never stale
                response.headers["Cache-Control"] = immutable_cache_control()
            return response

    return InstalledAssets(directory=directory, check_dir=False, follow_symlink=False)


def register_routes() -> None:
    """Serve plotly.js, and the front end read-only from the installed assets.

    Idempotent; a no-op before Solara's server module is loaded.
    """
    module = sys.modules.get("solara.server.starlette")
    if module is None:
        return
    from solara.server import settings
    from solara.server.cdn_helper import cdn_url_path
    from starlette.responses import FileResponse
    from starlette.routing import Mount, Route

    from moondust.dashboard.widgets import PLOTLY_JS_ROUTE

    router = module.app.router
    cdn_path = f"/{cdn_url_path}"
    for index, route in enumerate(router.routes):
        if isinstance(route, Mount) and route.path == cdn_path:
            if getattr(route.app, "moondust_read_only", False):
                break
            assets = assets_app(Path(settings.assets.proxy_cache_dir))
            assets.moondust_read_only = True
            router.routes[index] = Mount(cdn_path, app=assets)
            break
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
