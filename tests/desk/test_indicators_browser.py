"""The indicators page in real headless Chromium, in Khmer, on the demo data with the plan's
years (app/demo/plan_history.py): charts with a title and description, the numbers in tables,
and a number that leads to exactly the records behind it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from app.demo.plan_history import load_plan_history
from tests.desk.browser_helpers import demo_server_with, desk_context, sign_in_on_desk
from tests.desk.test_desk_browser import SCREENSHOTS
from tests.live_server import LiveServer


@pytest.fixture
def plan_server(
    templates: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LiveServer]:
    yield from demo_server_with(templates, tmp_path, monkeypatch, load_plan_history)


def test_the_indicators_page_in_khmer_links_each_number_to_its_records(
    browser: Any, plan_server: LiveServer
) -> None:
    context = desk_context(browser, locale="km-KH", bypass_csp=True)
    page = context.new_page()
    try:
        sign_in_on_desk(page, plan_server.url, "mosvy")
        page.get_by_role("link", name="ភាសាខ្មែរ").click()
        page.get_by_role("link", name="សូចនាករ", exact=True).click()
        expect(page.get_by_role("heading", name="សូចនាករនៃផែនការសកម្មភាព")).to_be_visible()
        page.get_by_label("ឆ្នាំ", exact=True).select_option("2025")
        page.get_by_role("button", name="បង្ហាញ").click()
        expect(page).to_have_url(re.compile(r"year=2025"))
        year = page.get_by_label("ឆ្នាំ", exact=True).locator("option:checked")
        expect(year).to_have_text("២០២៥")  # the year in Khmer digits too

        # every chart is an image named by its title, described in Khmer
        charts = page.get_by_role("img")
        expect(charts).to_have_count(8)
        reintegrated = page.get_by_role("img", name="កុមារដែលបានធ្វើសមាហរណកម្មទៅក្នុងគ្រួសារវិញ")
        expect(reintegrated).to_be_visible()
        desc = reintegrated.locator("desc").text_content() or ""
        assert "គោលដៅ" in desc and "១.២០០" in desc, desc  # Khmer digits, grouped with a dot
        expect(page.get_by_role("heading", name="ដំណាក់កាលសមាហរណកម្មប្រចាំឆ្នាំនៃផែនការ")).to_be_visible()
        assert "style=" not in page.content()

        for details in page.locator("details").all():
            details.locator("summary").click()
        page.screenshot(path=str(SCREENSHOTS / "desk-indicators-km.png"), full_page=True)

        # the figure's number leads to the queue of exactly its records
        link = page.get_by_role("link", name=re.compile("កំណត់ត្រាដែលនៅពីក្រោយតួលេខនេះ: កុមារដែលបាន"))
        shown = int(re.sub(r"\D", "", link.inner_text()))
        assert shown > 0
        link.click()
        expect(page.get_by_text("កំពុងបង្ហាញកំណត់ត្រាដែលនៅពីក្រោយ")).to_be_visible()
        total = page.locator("table.counts tbody td").last.inner_text()
        assert int(re.sub(r"\D", "", total)) == shown  # Khmer digits are digits to int()
    finally:
        context.close()
