"""Waiting on the page for a condition that needs ``await`` (IndexedDB, the Cache API).

``page.wait_for_function`` does not await a promise: an async predicate returns a promise,
which is truthy, so it passes at once and checks nothing (microsoft/playwright#29132). Poll
with ``page.evaluate``, which does await, instead. Like ``wait_for_function``, this outlives a
navigation (a reload the app makes): a predicate cut off by one is asked again in the new page.
"""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Error, Page

_NAVIGATED = ("Execution context was destroyed", "navigation")


def wait_until(page: Page, predicate: str, arg: Any = None, timeout: float = 15.0) -> Any:
    """Evaluate ``predicate`` (awaited) until it is truthy; its value. Fails after ``timeout``
    seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = page.evaluate(predicate, arg)
        except Error as exc:
            if page.is_closed() or not any(text in exc.message for text in _NAVIGATED):
                raise
            value = None  # the page navigated meanwhile: ask the new one
        if value:
            return value
        assert time.monotonic() < deadline, f"still false after {timeout} s: {predicate}"
        page.wait_for_timeout(50)
