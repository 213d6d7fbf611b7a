"""Administration in real headless Chromium against a real server: an admin creates a user on
the desk (no JavaScript) who then signs in on the field app; an admin revokes a lost tablet,
whose next `Sync now` signs it out with its queued submission intact, uploaded after the next
sign-in."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import new_device  # noqa: F401
from tests.browser.test_background_sync import queue_inspection_offline, stored_record
from tests.browser.test_field_app import (
    api_token,
    expect_waiting,
    go_online,
    sign_in,
    wait_idle,
)
from tests.desk.browser_helpers import desk_context, sign_in_on_desk
from tests.live_server import LiveServer

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = (
    REPO / "docs" / "screenshots"
    if os.environ.get("HOMEWARD_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "homeward-screenshots"
)


@pytest.fixture
def desk(browser: Any, server: LiveServer) -> Iterator[Page]:
    """The admin signed in on the desk, in a browser with JavaScript off (the desk needs none)."""
    context = desk_context(browser)
    page = context.new_page()
    sign_in_on_desk(page, server.url, "admin")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    yield page
    context.close()


def test_an_admin_creates_a_user_who_then_signs_in_on_the_field_app(
    desk: Page,
    new_device: Any,  # noqa: F811
    server: LiveServer,
) -> None:
    desk.get_by_role("link", name="Users").click()
    expect(desk.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    desk.get_by_label("Username", exact=True).fill("ccwc.new")
    desk.get_by_label("Password", exact=True).fill("field-password-1")
    desk.get_by_label("Role", exact=True).select_option(label="CCWC member")
    desk.get_by_label("Scope (location code)").fill("120101")
    desk.get_by_role("button", name="Create user").click()
    expect(desk.get_by_role("status")).to_have_text("User ccwc.new created.")
    row = desk.get_by_role("row").filter(has=desk.get_by_role("rowheader", name="ccwc.new"))
    expect(row).to_contain_text("CCWC member")
    expect(row).to_contain_text("Active")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    desk.screenshot(path=str(SCREENSHOTS / "desk-users.png"), full_page=True)

    tablet = new_device()
    tablet.goto(f"{server.url}/")
    tablet.get_by_label("Username").fill("ccwc.new")
    tablet.get_by_label("Password").fill("field-password-1")
    tablet.get_by_role("button", name="Sign in").click()
    expect(tablet.get_by_role("heading", name="Forms")).to_be_visible()
    expect(tablet.get_by_role("button", name="Placement recommendation")).to_be_visible()
    wait_idle(tablet)
    assert tablet.errors == []  # type: ignore[attr-defined]

    desk.reload()
    row = desk.get_by_role("row").filter(has=desk.get_by_role("rowheader", name="ccwc.new"))
    expect(row.get_by_role("cell").nth(3)).not_to_have_text("Never")


def test_a_revoked_tablet_is_signed_out_at_sync_now_and_keeps_its_queued_work(
    desk: Page,
    new_device: Any,  # noqa: F811
    server: LiveServer,
) -> None:
    tablet = new_device()
    item = queue_inspection_offline(tablet, server, photo=False)  # inspector.sr, offline
    device_id = tablet.evaluate("window.homeward.deviceId")
    assert isinstance(device_id, str) and device_id

    desk.get_by_role("link", name="Devices").click()
    desk.get_by_role("button", name=f"Revoke device {device_id}").click()
    expect(desk.get_by_role("status")).to_contain_text(f"Device {device_id} revoked")

    # back online, but the automatic sync on reconnecting finds no network (so that the
    # person's own `Sync now` is the first request the server refuses)
    tablet.context.route("**/api/**", lambda route: route.abort())
    go_online(tablet)
    wait_idle(tablet)
    tablet.context.unroute("**/api/**")
    expect_waiting(tablet, 1)
    tablet.get_by_role("button", name="Sync now").click()
    expect(tablet.get_by_role("button", name="Sign in")).to_be_visible()
    outbox = tablet.evaluate("window.homeward.db.getAll('outbox')")
    assert [(i["change_id"], i["state"]) for i in outbox] == [(item["change_id"], "waiting")]
    mosvy = api_token(server, "mosvy")
    assert stored_record(server, mosvy, item["record_id"]) is None

    sign_in(tablet, server)  # the same inspector, on the same tablet: a new token
    expect_waiting(tablet, 0)
    stored = stored_record(server, mosvy, item["record_id"])
    assert stored is not None and stored["rev"] == 1
    assert tablet.errors == []  # type: ignore[attr-defined]
