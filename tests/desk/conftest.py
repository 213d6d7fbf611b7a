"""The desk's browser test uses the field app's browser fixtures (Chromium, a live server
on a copy of the demo database)."""

from tests.browser.conftest import browser, browser_database, server  # noqa: F401
