"""The explorer's own HTTP routes: plotly.js once, and the front end read-only.

Registered by the server (:func:`moondust.dashboard.server.serve`) and, for ``solara run
moondust.dashboard.app``, when the app module is imported; :func:`register_routes` is idempotent.
A module of its own so that the app and the server share it without importing each other.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


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
