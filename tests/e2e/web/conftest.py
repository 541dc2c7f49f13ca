"""A real server and a real Chromium: the web app on loopback, driven by Playwright.

The server (uvicorn in a thread) serves a small simulated org once per session; Chromium is
Debian's (``/usr/bin/chromium``, installed by apt; Playwright never downloads a browser). Every
page fixture fails its test on a console error, an uncaught exception or a failed request,
unless the test declares the statuses it expects.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn

from salestrack.config import Settings
from salestrack.store.engine import make_engine
from salestrack.web.app import WebSettings, create_web_app
from tests.web_seed import PASSWORD, Seeded, seed_web_store

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("SALESTRACK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@dataclass
class Site:
    url: str
    seeded: Seeded
    database_url: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{folder / 'store.db'}"
    engine = make_engine(url)
    seeded = seed_web_store(engine)
    web = WebSettings(warehouse_max_age_s=0)
    app = create_web_app(Settings(database_url=url), engine, web=web)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("web server did not start")
        time.sleep(0.05)
    yield Site(f"http://127.0.0.1:{port}", seeded, url)
    server.should_exit = True
    thread.join(timeout=10)
    app.state.web.reader.close()
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[playwright_api.Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Watch:
    """Problems seen in the browser; ``allowed`` lists (status, path) pairs a test expects."""

    problems: list[str] = field(default_factory=list)
    allowed: set[tuple[int, str]] = field(default_factory=set)


class Browse:
    """Opens signed-in pages in fresh contexts and watches them for errors."""

    def __init__(self, browser: playwright_api.Browser, site: Site) -> None:
        self.browser, self.site, self.watch = browser, site, Watch()
        self._contexts: list[playwright_api.BrowserContext] = []

    def page(
        self, email: str | None = None, viewport: dict[str, int] = DESKTOP, **context_args: object
    ) -> playwright_api.Page:
        context = self.browser.new_context(
            viewport=viewport, base_url=self.site.url, **context_args
        )  # type: ignore[arg-type]
        self._contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda m: m.type == "error" and self._problem(f"console: {m.text}"))
        page.on("pageerror", lambda e: self._problem(f"page error: {e}"))
        page.on("requestfailed", lambda r: self._problem(f"failed: {r.url} {r.failure}"))
        page.on("response", self._response)
        if email:
            self.sign_in(page, email)
        return page

    def sign_in(self, page: playwright_api.Page, email: str) -> None:
        page.goto("/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda u: "/login" not in u)

    def _response(self, response: playwright_api.Response) -> None:
        path = response.url.removeprefix(self.site.url).split("?")[0]
        if response.status >= 400 and (response.status, path) not in self.watch.allowed:
            self._problem(f"HTTP {response.status}: {response.url}")

    def _problem(self, text: str) -> None:
        if text.startswith("console: Failed to load resource"):
            return  # the response listener judges every HTTP error, knowing the allowed ones
        if text.endswith("net::ERR_ABORTED"):
            return  # cancelled by the next navigation; a missing file shows as an HTTP 404

        self.watch.problems.append(text)

    def close(self) -> None:
        for context in self._contexts:
            context.close()


@pytest.fixture
def browse(browser: playwright_api.Browser, site: Site) -> Iterator[Browse]:
    b = Browse(browser, site)
    yield b
    b.close()
    assert not b.watch.problems, "browser problems:\n" + "\n".join(b.watch.problems)


def shoot(page: playwright_api.Page, name: str) -> None:
    """A full-page screenshot into test-artifacts/ (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
