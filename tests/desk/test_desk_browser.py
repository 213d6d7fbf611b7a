"""The desk in real headless Chromium against a real server (the browser fixtures of
tests/browser): sign in, filter the queue, open a record and see its diff, return it with a
comment, switch to Khmer. No JavaScript is needed by the desk: the pages are plain forms."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.api.sync_helpers import change, placement_data
from tests.browser.conftest import EXPECT_TIMEOUT_MS
from tests.live_server import LiveServer

REPO = Path(__file__).resolve().parents[2]
# Retaken into docs/screenshots with HOMEWARD_SCREENSHOTS=1 (then committed), as the field
# app's browser tests do; otherwise into a scratch folder.
SCREENSHOTS = (
    REPO / "docs" / "screenshots"
    if os.environ.get("HOMEWARD_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "homeward-screenshots"
)
PASSWORD = "homeward-demo"


def _push(server: LiveServer, username: str, *changes: dict[str, Any]) -> None:
    token = httpx.post(
        f"{server.url}/api/v1/auth/token", data={"username": username, "password": PASSWORD}
    ).json()["access_token"]
    answer = httpx.post(
        f"{server.url}/api/v1/sync/push",
        json={"device_id": "tab-ccwc-1", "changes": list(changes)},
        headers={"Authorization": f"Bearer {token}"},
    )
    answer.raise_for_status()
    assert {r["status"] for r in answer.json()["results"]} == {"applied"}, answer.text


def test_a_supervisor_filters_opens_returns_and_reads_in_khmer(
    browser: Any,
    server: LiveServer,
) -> None:
    first = change("placement_recommendation", placement_data(child_name="Sok Dara"))
    others = [
        change("placement_recommendation", placement_data(child_name=name))
        for name in ("Chan Sophea", "Keo Vanna")
    ]
    _push(server, "ccwc.pp", first, *others)
    # a second revision from the tablet: the record page shows what changed
    edited = change(
        "placement_recommendation",
        placement_data(child_name="Sok Dara", village="Phum Thmei"),
        record_id=first["record_id"],
        base_rev=1,
    )
    _push(server, "ccwc.pp", edited)

    context = browser.new_context(
        viewport={"width": 1280, "height": 1000},
        locale="en-US",
        timezone_id="Asia/Phnom_Penh",
        java_script_enabled=False,  # the desk works with no JavaScript at all
    )
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"{server.url}/review")
        expect(page).to_have_url(f"{server.url}/review/signin")
        page.get_by_label("Username").fill("supervisor.pp")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Review queue")).to_be_visible()

        page.get_by_label("Form").select_option(label="Placement recommendation")
        page.get_by_role("button", name="Apply filters").click()
        expect(page.get_by_role("link", name="Placement recommendation")).to_have_count(3)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "desk-queue.png"), full_page=True)

        page.get_by_label("Search the records' text").fill("Phum Thmei")
        page.get_by_role("button", name="Apply filters").click()
        rows = page.get_by_role("link", name="Placement recommendation")
        expect(rows).to_have_count(1)
        rows.click()
        expect(page).to_have_url(f"{server.url}/review/records/{first['record_id']}")
        diff = page.locator("table.diff")
        expect(diff).to_contain_text("Village")
        expect(diff).to_contain_text("Phum Thmei")

        page.get_by_role("button", name="Return").click()  # no comment: refused, explained
        expect(page.get_by_role("alert")).to_contain_text("Enter a comment")
        page.get_by_label("Comment").fill("Add the father's name, please.")
        page.get_by_role("button", name="Return").click()
        expect(page.get_by_role("status")).to_contain_text("Returned")

        page.get_by_role("link", name="ភាសាខ្មែរ").click()
        expect(page.locator("html")).to_have_attribute("lang", "km")
        expect(page.get_by_role("heading", name="អនុសាសន៍ស្ដីពីការដាក់កុមារ")).to_be_visible()
        expect(page.get_by_text("ឈ្មោះពេញរបស់កុមារ").first).to_be_visible()  # a form label
        expect(page.get_by_text("បានបញ្ជូនត្រឡប់").first).to_be_visible()  # "Returned"
        page.screenshot(path=str(SCREENSHOTS / "desk-record-km.png"), full_page=True)
    finally:
        context.close()
