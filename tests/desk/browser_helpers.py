"""The desk in real Chromium: a context as a supervisor's computer has one, and signing in
through the sign-in page."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import BrowserContext, Page

from app.demo.accounts import DEMO_PASSWORD
from tests.browser.conftest import EXPECT_TIMEOUT_MS


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
