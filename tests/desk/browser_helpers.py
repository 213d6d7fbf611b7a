"""The desk in real Chromium: a context as a supervisor's computer has one, signing in
through the sign-in page, and a live server on the demo data with more written to it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page
from sqlalchemy.orm import Session

from app.db.engine import reset_engines
from app.db.session import session_scope
from app.demo.accounts import DEMO_PASSWORD
from tests.browser.conftest import EXPECT_TIMEOUT_MS
from tests.conftest import use_database
from tests.live_server import LiveServer


def desk_context(browser: Any, **options: Any) -> BrowserContext:
    """A desktop screen in Cambodia's time zone, English, no JavaScript (the desk needs none);
    ``options`` override any of these (a Khmer locale, downloads accepted, ...)."""
    context: BrowserContext = browser.new_context(
        **{
            "viewport": {"width": 1280, "height": 1000},
            "locale": "en-US",
            "timezone_id": "Asia/Phnom_Penh",
            "java_script_enabled": False,
            **options,
        }
    )
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    return context


def sign_in_on_desk(
    page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD
) -> None:
    """The sign-in page filled and sent; the page is then on the user's first page."""
    page.goto(f"{base_url}/review/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def demo_server_with(
    templates: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    add: Callable[[Session, Path], object],
) -> Iterator[LiveServer]:
    """A live server (one worker) on a copy of the demo database to which ``add(session,
    files)`` wrote more, through the write path: a fixture's body."""
    path = tmp_path / "homeward.db"
    shutil.copyfile(templates["sqlite-demo"], path)
    files = tmp_path / "files"
    files.mkdir()
    url = f"sqlite:///{path}"
    use_database(url, files)
    with session_scope() as session:
        add(session, files)
    reset_engines()
    monkeypatch.setenv("HOMEWARD_DATA_DIR", str(files))
    live = LiveServer(url, workers=1).start()
    yield live
    live.stop()
