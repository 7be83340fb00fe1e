"""The explorer as a hostile visitor meets it: no code from clients, a read-only front end.

The server-level tests run ``moondust dashboard`` on loopback (the shared ``server`` fixture,
started with policy imports allowed in its environment, which the explorer must ignore) and send
it plain HTTP requests; the model-level tests feed links and uploads to the functions that read
them.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import urllib.error
import urllib.request
import zlib
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("solara", reason="the dashboard extra is not installed")

from moondust.cli import main
from moondust.dashboard import model
from moondust.dashboard.routes import assets_app
from moondust.errors import InputFileError
from moondust.world.policies import ALLOW_IMPORT_ENV

CANARY = "moondust_canary_policy"
"""A module whose import leaves a mark: a policy naming it must never be imported."""


@pytest.fixture
def canary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The canary module on sys.path, in a process that allows policy imports."""
    (tmp_path / f"{CANARY}.py").write_text(
        "import pathlib\npathlib.Path(__file__).with_suffix('.ran').touch()\n"
        "from moondust.world.policies import Emulation as Canary\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv(ALLOW_IMPORT_ENV, "1")  # even so, the explorer refuses
    yield tmp_path / f"{CANARY}.ran"
    sys.modules.pop(CANARY, None)


def pack(text: str) -> str:
    """A scenario packed as the explorer packs it for a share link."""
    return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")


def test_a_link_naming_a_module_imports_nothing(canary: Path) -> None:
    scenario = json.dumps({"policies": {"default": f"{CANARY}:Canary"}})
    default = model.builtin_base("baseline")
    settings, base, problems = model.from_query(f"src={pack(scenario)}", default)
    assert base == default and len(problems) == 1
    assert "src" in problems[0] and "never in the explorer" in problems[0]
    settings, base, problems = model.from_query(f"artemis.preset={CANARY}:Canary", default)
    assert settings == model.Settings() and problems
    assert not canary.exists() and CANARY not in sys.modules


def test_an_upload_naming_a_module_imports_nothing(canary: Path) -> None:
    for text in (
        f'[policies]\ndefault = "{CANARY}:Canary"\n',
        f'[policies.actors]\nCHN = {{ preset = "{CANARY}:Canary" }}\n',
        f'[levers.ilrs]\npreset = ["emulation", "{CANARY}:Canary"]\n',
    ):
        with pytest.raises(InputFileError, match="never in the explorer"):
            model.parse_upload("evil.toml", text.encode())
    assert not canary.exists() and CANARY not in sys.modules


def test_the_dashboard_command_refuses_a_starting_file_naming_a_module(
    canary: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "evil.toml"
    path.write_text(f'[policies]\ndefault = "{CANARY}:Canary"\n')
    assert main(["dashboard", "--scenario", str(path), "--port", "1"]) == 2
    assert "--allow-import" in capsys.readouterr().err
    assert not canary.exists()


@pytest.mark.parametrize(
    "query",
    [
        # NaN and infinities are not numbers a scenario may hold (they broke the page's JSON)
        "src=" + pack('{"policies": {"default": {"preset": "emulation", "openness": NaN}}}'),
        "src=" + pack('{"parameters": {"crowd_out": Infinity}}'),
        # nesting that would exhaust the parser's recursion
        "src=" + pack('{"description": ' + "[" * 50_000 + "]" * 50_000 + "}"),
        "src=" + pack("[" * 100_000 + "]" * 100_000),
        "artemis.openness=nan",
        "p.spillover_max=inf",
        "src=%%%",
    ],
)
def test_bad_links_are_reported_in_one_short_line(query: str) -> None:
    default = model.builtin_base("baseline")
    settings, base, problems = model.from_query(query, default)
    assert (settings, base) == (model.Settings(), default)
    assert len(problems) == 1 and len(problems[0]) < 400 and "Traceback" not in problems[0]


def asgi_get(app: Any, path: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of ``GET path`` sent straight to an ASGI app."""
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [],
    }
    sent: list[dict[str, Any]] = []
    requested: list[bool] = []

    async def receive() -> dict[str, Any]:
        if requested:  # the client stays connected until the response is sent
            await asyncio.sleep(60)
            return {"type": "http.disconnect"}
        requested.append(True)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], headers, body


def test_installed_assets_are_served_read_only(tmp_path: Path) -> None:
    """The front-end route serves existing files only: it neither fetches, writes nor deletes."""
    package = tmp_path / "cdn" / "requirejs@2.3.6"
    package.mkdir(parents=True)
    (package / "require.js").write_text("var requirejs;")
    (tmp_path / "secret.txt").write_text("outside")
    from starlette.applications import Starlette
    from starlette.routing import Mount

    app = Starlette(routes=[Mount("/", app=assets_app(tmp_path / "cdn"))])  # as Solara mounts it
    status, headers, body = asgi_get(app, "/requirejs@2.3.6/require.js")
    assert status == 200 and body == b"var requirejs;"
    assert "immutable" in headers["cache-control"]
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    for path in (
        "/requirejs@2.3.6",
        "/requirejs@2.3.6/",
        "/left-pad@1.3.0/index.js",
        "/../secret.txt",
    ):
        assert asgi_get(app, path)[0] == 404, path
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


@pytest.mark.slow
def test_the_running_explorer_never_fetches_stores_or_deletes_assets(server: str) -> None:
    from solara.server import settings

    cdn = Path(settings.assets.proxy_cache_dir)
    vuetify = next((cdn / "@widgetti").glob("solara-vuetify-app@*"))
    before = sorted(str(p.relative_to(cdn)) for p in vuetify.rglob("*"))
    top = sorted(p.name for p in cdn.iterdir())
    for path in (
        f"@widgetti/{vuetify.name}/dist",  # a directory: Solara's proxy deleted it
        f"@widgetti/{vuetify.name}/dist/",
        "left-pad@1.3.0/index.js",  # unknown: Solara's proxy fetched and stored it
        "left-pad",
        "..%2F..%2Fetc%2Fpasswd",
    ):
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"{server}/_solara/cdn/{path}", timeout=10)
        assert info.value.code == 404, path
    assert sorted(str(p.relative_to(cdn)) for p in vuetify.rglob("*")) == before
    assert sorted(p.name for p in cdn.iterdir()) == top
    with urllib.request.urlopen(f"{server}/_solara/cdn/requirejs@2.3.6/require.js") as response:
        assert response.status == 200 and response.read(20)


@pytest.mark.parametrize("host", ["", " ", "*"])
def test_an_empty_or_wildcard_host_is_refused(
    host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dashboard", "--host", host, "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("moondust: error: --host") and "every network interface" in err


def test_a_named_wildcard_host_is_served_with_a_warning(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from moondust.dashboard import server as server_module

    served: dict[str, object] = {}
    monkeypatch.setattr(server_module, "serve", lambda **kwargs: served.update(kwargs))
    assert main(["dashboard", "--host", "0.0.0.0", "--port", str(free_port())]) == 0
    assert served["host"] == "0.0.0.0"
    assert "warning: --host 0.0.0.0 serves the explorer to every network" in capsys.readouterr().err


def free_port() -> int:
    from tests.dashboard.conftest import free_port as port

    return port()
