"""Fixtures for the field app in real headless Chromium against a real server.

Each test gets its own SQLite copy of the demo database, its own LiveServer and fresh browser
contexts (a context is one device: its own IndexedDB, service worker and Cache Storage).
Chromium is ``/usr/bin/chromium`` (TOOLCHAIN.md): without it the tests skip, except under
``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import skip_or_fail
from tests.live_server import LiveServer

# expect() does not use the context's default timeout (15 s below): give it the same, once,
# for every browser test (a loaded 2-core runner is slower than the 5 s default allows)
EXPECT_TIMEOUT_MS = 15_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TABLET = {"width": 800, "height": 1280}  # a 7" tablet held upright, in CSS pixels
PHONE = {"width": 360, "height": 740}


def require_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        skip_or_fail(f"{CHROMIUM} is missing (apt-get install -y chromium fonts-khmeros)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # module scope: one Playwright at a time (another module may start its own)
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_database(templates: dict[str, str], tmp_path: Path) -> tuple[str, Path]:
    """A fresh SQLite copy of the demo database (not parametrized: one backend is enough for
    the browser) and its attachments directory."""
    path = tmp_path / "homeward.db"
    shutil.copyfile(templates["sqlite-demo"], path)
    files = tmp_path / "files"
    files.mkdir()
    return f"sqlite:///{path}", files


@pytest.fixture
def server(
    browser_database: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[LiveServer]:
    url, files = browser_database
    monkeypatch.setenv("HOMEWARD_DATA_DIR", str(files))
    live = LiveServer(url, workers=1).start()
    yield live
    live.stop()


@pytest.fixture
def new_device(browser: Any, server: LiveServer) -> Iterator[Callable[..., Any]]:
    """new_device(**context options) -> a page in a fresh context: one tablet."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        settings: dict[str, Any] = {
            "viewport": TABLET,
            "locale": "en-US",
            "timezone_id": "Asia/Phnom_Penh",
            "permissions": ["geolocation"],
            "geolocation": {"latitude": 13.3633, "longitude": 103.8564, "accuracy": 5},
            "service_workers": "allow",
            # the tests' own wait_for_function predicates are evaluated strings, which the
            # app's Content-Security-Policy forbids; the app itself is checked under the policy
            # by test_field_app.py::test_the_app_runs_under_its_content_security_policy
            "bypass_csp": True,
        }
        settings.update(options)
        context = browser.new_context(**settings)
        context.set_default_timeout(EXPECT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.errors = []  # uncaught exceptions in the app fail the test
        page.on("pageerror", lambda err: page.errors.append(str(err)))
        return page

    yield make
    for context in contexts:
        context.close()
