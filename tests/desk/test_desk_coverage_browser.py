"""The coverage page in real headless Chromium, in Khmer, with no JavaScript, over the demo data
set and its history (app.demo.history): overdue institutions first, each linked to its record.
``HOMEWARD_SCREENSHOTS=1`` retakes docs/screenshots/desk-coverage-km.png."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from app.demo.history import add_history
from tests.desk.browser_helpers import demo_server_with, desk_context, sign_in_on_desk
from tests.live_server import LiveServer

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = (
    REPO / "docs" / "screenshots"
    if os.environ.get("HOMEWARD_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "homeward-screenshots"
)


@pytest.fixture
def history_server(
    templates: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LiveServer]:
    """A live server on a copy of the demo database with the demo history added."""
    yield from demo_server_with(
        templates, tmp_path, monkeypatch, lambda session, _files: add_history(session)
    )


def test_coverage_in_khmer_lists_overdue_institutions_first(
    browser: Any, history_server: LiveServer
) -> None:
    server = history_server
    context = desk_context(
        browser, viewport={"width": 1280, "height": 900}, locale="km-KH", bypass_csp=True
    )
    page = context.new_page()
    try:
        sign_in_on_desk(page, server.url, "supervisor.pp")
        expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
        page.get_by_role("link", name="Inspection coverage").click()
        expect(page.get_by_role("heading", name="Inspection coverage")).to_be_visible()
        page.get_by_role("link", name="ភាសាខ្មែរ").click()
        expect(page.locator("html")).to_have_attribute("lang", "km")
        expect(page.get_by_role("heading", name="ការគ្របដណ្ដប់នៃការអធិការកិច្ច")).to_be_visible()

        rows = page.locator("table.coverage tbody tr")
        count = rows.count()
        # Phnom Penh's 117 institutions (no other province's), 100 a page
        assert count == 100
        expect(page.get_by_text("ទំព័រទី ១ នៃ ២").first).to_be_visible()
        overdue = ["ហួសកាលកំណត់" in rows.nth(i).inner_text() for i in range(count)]
        first_done = overdue.index(False)
        assert 0 < first_done < count and not any(overdue[first_done:])  # overdue first
        expect(page.get_by_text("ដល់ពេលត្រូវធ្វើ").first).to_be_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "desk-coverage-km.png"))

        # an inspected institution's latest inspection opens its record
        latest = rows.nth(first_done).locator("td").nth(4).get_by_role("link")
        href = latest.get_attribute("href")
        assert href and re.fullmatch(r"/review/records/[0-9a-f-]{36}", href)
        latest.click()
        expect(page).to_have_url(f"{server.url}{href}")
        expect(page.get_by_role("heading", name="ការអធិការកិច្ចមណ្ឌលថែទាំកុមារ")).to_be_visible()
    finally:
        context.close()
