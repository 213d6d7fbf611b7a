"""Waiting on the page for a condition that needs ``await`` (IndexedDB, the Cache API).

``page.wait_for_function`` does not await a promise: an async predicate returns a promise,
which is truthy, so it passes at once and checks nothing (microsoft/playwright#29132). Poll
with ``page.evaluate``, which does await, instead."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page


def wait_until(page: Page, predicate: str, arg: Any = None, timeout: float = 15.0) -> Any:
    """Evaluate ``predicate`` (awaited) until it is truthy; its value. Fails after ``timeout``
    seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(predicate, arg)
        if value:
            return value
        assert time.monotonic() < deadline, f"still false after {timeout} s: {predicate}"
        page.wait_for_timeout(50)
