"""End to end: ``moondust dashboard`` on a free loopback port, driven by Playwright in Chromium.

Uses Debian's Chromium (``/usr/bin/chromium``, or ``MOONDUST_CHROMIUM``), never a downloaded
browser. Skipped when Playwright or Chromium is missing. The explorer's screenshot is saved under
pytest's temporary directory (its path is printed; run with ``-s`` to see it), and also copied to
``$MOONDUST_DASHBOARD_ARTIFACTS`` when that is set (for CI to keep).
"""

from __future__ import annotations

import os
import shutil
import tomllib
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from moondust.cli import main
from moondust.world.scenario import parse_scenario
from tests.dashboard.conftest import SERVER_LOGS

pytest.importorskip("solara", reason="the dashboard extra is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

CHROMIUM = os.environ.get("MOONDUST_CHROMIUM", "/usr/bin/chromium")
if not Path(CHROMIUM).is_file():
    pytest.skip(f"no Chromium at {CHROMIUM}", allow_module_level=True)

pytestmark = pytest.mark.slow

LOAD_TIMEOUT_MS = 90_000
"""First page on a busy 2-core machine: Python renders the page, the browser draws five graphs."""
UPDATE_TIMEOUT_MS = 60_000
OPENNESS = "Artemis: Openness: technology and data shared (0–1)"
HE3_DATA = (
    "() => { const el = document.querySelector('.md-chart-he3 .js-plotly-plot');"
    " return el && el.data ? JSON.stringify(el.data.map(t => t.y)) : null; }"
)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture
def tab(chromium: Any) -> Iterator[Any]:
    """A fresh browser session (its own cookies, so its own Solara kernel)."""
    ctx = chromium.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    yield ctx
    ctx.close()


def open_explorer(ctx: Any, url: str) -> Any:
    """A new page at ``url``, once its main graph is drawn."""
    page = ctx.new_page()
    page.goto(url)
    page.wait_for_function(HE3_DATA, timeout=LOAD_TIMEOUT_MS)
    return page


def wait_until_current(page: Any) -> None:
    """Until the status line no longer says a computation is pending."""
    page.wait_for_function(
        "() => { const s = document.querySelector('.md-status'); const t = s && s.textContent;"
        " return t && t.includes('updated in') && !t.includes('Updating'); }",
        timeout=UPDATE_TIMEOUT_MS,
    )


def slider_value(page: Any, name: str) -> str:
    slider = page.get_by_role("slider", name=name, exact=True)
    slider.wait_for(state="attached")
    return str(slider.get_attribute("aria-valuenow"))


def download(page: Any, button: str) -> bytes:
    with page.expect_download(timeout=UPDATE_TIMEOUT_MS) as info:
        page.get_by_role("button", name=button, exact=True).click()
    return Path(info.value.path()).read_bytes()


def block_the_internet(tab: Any) -> list[str]:
    """Abort every request that leaves this computer; the list records them."""
    blocked: list[str] = []

    def only_loopback(route: Any) -> None:
        host = urllib.parse.urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost", "::1"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    tab.route("**/*", only_loopback)
    return blocked


def test_the_page_loads_with_the_network_blocked_screenshot_and_exports(
    server: str, tab: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    blocked = block_the_internet(tab)
    page = open_explorer(tab, server + "/")
    wait_until_current(page)
    assert blocked == [], f"the page asked the internet for {blocked}"
    for key in ("first", "he3", "military", "debris", "co2"):
        assert page.locator(f".md-chart-{key} .js-plotly-plot").count() == 1
    assert page.get_by_role("slider").count() >= 17  # every lever and assumption
    shot = tmp_path_factory.mktemp("dashboard-artifacts") / "explorer.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    print(f"\nexplorer screenshot: {shot}")
    artifacts = os.environ.get("MOONDUST_DASHBOARD_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(artifacts) / shot.name)
    csv = download(page, "CSV (He-3 delivered)").decode()
    assert csv.startswith("year,artemis_current_median_t,artemis_current_p10_t,")
    assert download(page, "PNG (debris)").startswith(b"\x89PNG")
    toml = download(page, "Download settings (scenario TOML)").decode()
    assert "Saved from the moondust explorer" in toml
    assert parse_scenario(tomllib.loads(toml)).name == "baseline"  # `moondust run` reads it


def test_moving_a_slider_from_the_keyboard_changes_the_main_graph(server: str, tab: Any) -> None:
    page = open_explorer(tab, server + "/")
    wait_until_current(page)
    before = page.evaluate(HE3_DATA)
    slider = page.get_by_role("slider", name=OPENNESS, exact=True)
    slider.wait_for(state="attached")  # Vuetify's thumb has no size: focus it, use the keys
    slider.focus()
    page.keyboard.press("End")
    page.wait_for_function(
        f"(before) => ({HE3_DATA})() !== before", arg=before, timeout=UPDATE_TIMEOUT_MS
    )
    assert slider.get_attribute("aria-valuenow") == "1"
    page.wait_for_url("**artemis.openness=1**")
    page.go_back()  # the browser's history steps back through the settings
    page.wait_for_function(f"(before) => ({HE3_DATA})() === before", arg=before)
    assert slider.get_attribute("aria-valuenow") == "0.5"


def test_the_share_link_reproduces_the_view(server: str, chromium: Any) -> None:
    query = "v=1&ilrs.preset=cutthroat&artemis.station_openness=0.6&p.crowd_out=0.8&runs=50"
    first = chromium.new_context(viewport={"width": 1500, "height": 1100})
    second = chromium.new_context(viewport={"width": 1500, "height": 1100})
    try:
        page = open_explorer(first, f"{server}/?{query}")
        wait_until_current(page)
        link = page.locator(".md-share-input").input_value()
        shared = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))
        assert shared == dict(urllib.parse.parse_qsl(query))
        again = open_explorer(second, link)  # another browser session, as a colleague opens it
        wait_until_current(again)
        for name in (
            "Artemis: Station seats open to foreign crews (share, 0–1)",
            "Crowd-out: military growth taken from the civil budget (0–1)",
        ):
            assert slider_value(again, name) == slider_value(page, name)
        assert again.evaluate(HE3_DATA) == page.evaluate(HE3_DATA)  # same seeds, same graph
    finally:
        first.close()
        second.close()


def test_a_bad_toml_upload_shows_the_cli_error(
    server: str,
    tab: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = b'name = "broken"\n[simulation\nruns = 10\n'
    (tmp_path / "broken.toml").write_bytes(bad)
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "broken.toml"]) == 2
    cli_error = capsys.readouterr().err.strip().removeprefix("moondust: error: ")
    page = open_explorer(tab, server + "/")
    page.locator("input.md-upload-input").set_input_files(
        files=[{"name": "broken.toml", "mimeType": "application/toml", "buffer": bad}]
    )
    error = page.locator(".md-upload-error")
    error.wait_for(timeout=UPDATE_TIMEOUT_MS)
    assert cli_error in error.inner_text()
    assert "not valid TOML" in cli_error


def test_a_link_naming_a_module_shows_a_notice_and_imports_nothing(server: str, tab: Any) -> None:
    """The attack: ``?src=`` packs a scenario whose policy is ``this:Policy``.

    Importing ``this`` prints the Zen of Python into the server's log; the page must instead
    show one short notice, and the log must hold no traceback.
    """
    import base64
    import json
    import zlib

    text = json.dumps({"policies": {"default": "this:Policy"}}).encode()
    link = base64.urlsafe_b64encode(zlib.compress(text, 9)).decode().rstrip("=")
    page = open_explorer(tab, f"{server}/?src={link}")
    notice = page.get_by_text("Some settings in the link were not understood")
    assert "never in the explorer" in notice.inner_text()
    log = SERVER_LOGS[server].read_text(errors="replace")
    assert "Traceback" not in log and "Beautiful is better than ugly" not in log
