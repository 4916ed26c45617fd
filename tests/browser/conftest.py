"""Browser-test plumbing: a live `carebook serve`, Debian's Chromium through Playwright,
a phone (Pixel 7) and a desktop (1440×900) context, problem watching and screenshots.

Every test under tests/browser is marked `browser`. Nothing here skips: a missing
Chromium or a server that does not start fails the test (see scripts/ensure-test-tools.sh).
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from tests.conftest import PG_ADMIN_URL, _pg_exec, _pg_psycopg_url
from tests.support.smtp import SmtpSink

from .pages import CSP_WATCH, Device, WatchedPage
from .server import LiveServer, live_server_process

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP_VIEWPORT = {"width": 1440, "height": 900}
VIEWPORTS = ("phone", "desktop")

# An assertion waits this long for the screen to show what it expects (Playwright's default is
# 5 s): a walk of many steps on a 2-core machine running the rest of the suite beside it
# meets an Argon2id hash or a slow sync now and then. It only changes how long a failure
# takes to show, never what passes.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test here `browser`, and run them after all the others.

    While pytest-playwright's session-wide Playwright is alive, the main thread looks as if
    an asyncio loop were running in it, so `asyncio.run` (migrations, the CLI's helpers)
    and pytest-asyncio tests fail after the first browser test. Running the browser tests
    last keeps the rest of the suite unaffected. Inside a browser test, run coroutines with
    `tests.browser.server.run_async` (a thread of its own).
    """
    here = Path(__file__).parent
    browser: list[pytest.Item] = []
    others: list[pytest.Item] = []
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
            browser.append(item)
        else:
            others.append(item)
    items[:] = others + browser


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    report = getattr(request.node, "report_call", None)
    return bool(report is not None and report.failed)


# --- the server ------------------------------------------------------------------------------


@pytest.fixture()
def live_server(data_dir: Path, database_url: str) -> Iterator[LiveServer]:
    """`carebook serve` on a fresh database of its own, without demo data."""
    with live_server_process(data_dir, database_url) as server:
        yield server


@contextmanager
def demo_server_process(
    database_template: str, directory: Path, **extra_env: str
) -> Iterator[LiveServer]:
    """`carebook demo`, then `carebook serve`, on a copy of the template database of its own
    (a PostgreSQL database made from the template, or a copied SQLite file)."""
    data_dir = directory / "data"
    data_dir.mkdir()
    if PG_ADMIN_URL:
        name = f"carebook_demo_{uuid.uuid4().hex[:12]}"
        _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{database_template}"')
        url = _pg_psycopg_url(PG_ADMIN_URL, name).replace("postgresql://", "postgresql+asyncpg://")
        try:
            with live_server_process(data_dir, url, demo=True, **extra_env) as server:
                yield server
        finally:
            _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        target = directory / "carebook.sqlite3"
        shutil.copyfile(database_template, target)
        with live_server_process(
            data_dir, f"sqlite+aiosqlite:///{target}", demo=True, **extra_env
        ) as server:
            yield server


@pytest.fixture(scope="module")
def demo_server(
    database_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The demo installation, shared by the tests of one module."""
    with demo_server_process(database_template, tmp_path_factory.mktemp("demo-server")) as server:
        yield server


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpSink]:
    """A real SMTP server on loopback that keeps what it is sent (one per module)."""
    with SmtpSink() as sink:
        yield sink


@pytest.fixture(scope="module")
def mail_demo_server(
    database_template: str, tmp_path_factory: pytest.TempPathFactory, smtp: SmtpSink
) -> Iterator[LiveServer]:
    """The demo installation with its mail going to `smtp`."""
    with demo_server_process(
        database_template, tmp_path_factory.mktemp("mail-demo-server"),
        CAREBOOK_SMTP_HOST=smtp.host, CAREBOOK_SMTP_PORT=str(smtp.port),
    ) as server:
        yield server


@pytest.fixture()
def expected_database() -> str:
    return "postgresql" if PG_ADMIN_URL else "sqlite"


# --- the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], database_template: str
) -> dict[str, Any]:
    """Debian's Chromium, never a downloaded browser; no network beyond loopback.

    Asks for `database_template` so that the template (built with `asyncio.run`) exists
    before Playwright starts."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _context_options() -> dict[str, Any]:
    return {"locale": "ja-JP", "timezone_id": "Asia/Tokyo"}


def _new_context(browser: Browser, **options: Any) -> BrowserContext:
    context = browser.new_context(**options)
    context.add_init_script(CSP_WATCH)
    return context


def _close(context: BrowserContext, request: pytest.FixtureRequest, viewport: str) -> None:
    if _failed(request):
        for index, page in enumerate(context.pages):
            try:
                page.screenshot(path=str(_screenshot_path(request, f"{viewport}-failed-{index}")),
                                full_page=True)
            except Exception:  # noqa: S110 — a closed page has nothing to show
                pass
    context.close()


@pytest.fixture()
def phone(
    browser: Browser, playwright: Playwright, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    """A Pixel 7: 412×915 CSS pixels, touch, a mobile user agent."""
    device = {k: v for k, v in playwright.devices["Pixel 7"].items()
              if k != "default_browser_type"}
    context = _new_context(browser, **device, **_context_options())
    yield context
    _close(context, request, "phone")


@pytest.fixture()
def desktop(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    """A desktop browser window of 1440×900."""
    context = _new_context(browser, viewport=DESKTOP_VIEWPORT, **_context_options())
    yield context
    _close(context, request, "desktop")


@pytest.fixture(params=VIEWPORTS)
def device(request: pytest.FixtureRequest) -> Device:
    """Runs the test once at the phone viewport and once at the desktop one."""
    return Device(name=request.param, context=request.getfixturevalue(request.param))


# --- screenshots -----------------------------------------------------------------------------


def _screenshot_path(request: pytest.FixtureRequest, viewport: str) -> Path:
    name = getattr(request.node, "originalname", None) or request.node.name
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
    directory = Path(request.config.rootpath) / "test-artifacts" / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{name}-{viewport}.png"


@pytest.fixture()
def screenshot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """`screenshot(page, "phone")` saves test-artifacts/screenshots/<test>-phone.png."""

    def take(page: Page | WatchedPage, viewport: str, *, full_page: bool = True) -> Path:
        target = page.page if isinstance(page, WatchedPage) else page
        path = _screenshot_path(request, viewport)
        target.screenshot(path=str(path), full_page=full_page)
        return path

    return take
