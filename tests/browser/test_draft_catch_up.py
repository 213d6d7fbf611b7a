"""A draft of an existing record catches up with the server (static/pwa/js/drafts.js).

An inspector edits a record offline and keeps the draft; meanwhile another tablet changes the
same record on the server. When the newer revision is pulled, the draft merges it in (the
server's own three-way merge, js/merge.js): what only the server changed comes in, what only
the inspector changed stays, a field both changed keeps the inspector's value and shows the
server's beside it, and the draft's base moves to the pulled revision, so the change finally
sent is applied as it is: nothing either side wrote is lost, and no conflict is left for a
supervisor. Once when the draft is opened after the sync, once while it is open.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.browser.test_field_app import (
    CAMBODIA,
    INSPECTOR,
    SCHEMA,
    api_token,
    bearer,
    go_offline,
    go_online,
    seed_inspection,
    server_history,
    server_record,
    sign_in,
    submit,
    sync_now,
    wait_idle,
)
from tests.browser.waiting import wait_until
from tests.live_server import LiveServer


def edit_on_another_tablet(
    server: LiveServer, record_id: str, edit: Callable[[dict[str, Any]], None]
) -> int:
    """Another tablet edits the record's current revision; the new rev."""
    current = server_record(server, record_id)
    data = current["data"]
    edit(data)
    change = {
        "change_id": str(uuid.uuid4()),
        "record_id": record_id,
        "form_id": "institution_inspection",
        "form_version": SCHEMA["version"],
        "base_rev": current["rev"],
        "data": data,
        "attachments": [],
        "captured_at": datetime.now(CAMBODIA).isoformat(),
    }
    answer = httpx.post(
        f"{server.url}/api/v1/sync/push",
        json={"device_id": "tab-other", "changes": [change]},
        headers=bearer(api_token(server, INSPECTOR)),
    )
    answer.raise_for_status()
    result = answer.json()["results"][0]
    assert result["status"] == "applied", result
    return int(result["rev"])


def the_draft(page: Page) -> dict[str, Any]:
    drafts: list[dict[str, Any]] = page.evaluate("window.homeward.db.getAll('drafts')")
    assert len(drafts) == 1, drafts
    return drafts[0]


def inspector_names(page: Page) -> list[str]:
    names = page.get_by_label("Inspector's name", exact=True)
    return [names.nth(i).input_value() for i in range(names.count())]


def test_a_draft_edited_offline_takes_in_the_servers_revision_and_loses_nothing(
    new_device: Any, server: LiveServer
) -> None:
    record_id = seed_inspection(server)  # rev 1: 20 beds, 6 carers, one inspector
    page = new_device()
    sign_in(page, server)

    # offline, the inspector edits the record and keeps the draft for later
    go_offline(page)
    page.goto(f"{server.url}/#/record/{record_id}")
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Beds", exact=True).fill("24")
    actions = page.get_by_label("Actions agreed, with deadlines", exact=True)
    actions.fill("Register the 3 new children.")
    page.get_by_role("button", name="Add Inspectors").click()
    page.get_by_label("Inspector's name", exact=True).nth(1).fill("Ly Sreymom")
    agency = page.get_by_role("radiogroup", name="Agency").nth(1)
    agency.get_by_label("DoSVY", exact=True).check()
    page.get_by_role("button", name="Save draft").click()
    continue_draft = page.get_by_role("link", name="Continue: Institution inspection")
    expect(continue_draft).to_be_visible()
    wait_until(
        page,
        """async () => {
          const [d] = await window.homeward.db.getAll('drafts');
          return d && d.base_rev === 1 && d.base_data.beds === 20 && d.data.beds === 24
            && d.data.inspectors.length === 2;
        }""",
    )

    # meanwhile another tablet changes the same record: beds too (a clash), carers, a new row
    def other(data: dict[str, Any]) -> None:
        data["beds"] = 22
        data["staff"]["carers"] = 8
        data["inspectors"].append(
            {
                "_row_id": str(uuid.uuid4()),
                "inspector_name": "Chan Sophal",
                "inspector_agency": "district",
            }
        )

    assert edit_on_another_tablet(server, record_id, other) == 2

    go_online(page)
    sync_now(page)  # pulls rev 2; the draft is not open
    continue_draft.click()
    expect(page.locator("#draft-merged")).to_be_visible()
    expect(page.get_by_label("Beds", exact=True)).to_have_value("24")  # the inspector's
    carers = page.get_by_label("Carers working directly with children", exact=True)
    expect(carers).to_have_value("8")  # the other tablet's
    expect(actions).to_have_value("Register the 3 new children.")
    assert sorted(inspector_names(page)) == ["Chan Sophal", "Keo Vanna", "Ly Sreymom"]
    clash = page.locator("#draft-clashes tbody tr", has_text="Beds")
    expect(clash.locator(".server-value")).to_have_text("22")
    expect(clash.locator(".client-value")).to_have_text("24")
    expect(page.locator("#draft-clashes tbody tr")).to_have_count(1)
    wait_until(
        page,
        """async () => {
          const [d] = await window.homeward.db.getAll('drafts');
          return d.base_rev === 2 && d.base_data.beds === 22 && d.data.beds === 24
            && d.data.staff.carers === 8 && d.data.inspectors.length === 3;
        }""",
    )

    # the draft stays open; the other tablet changes the record again and this one syncs
    def again(data: dict[str, Any]) -> None:
        data["staff"]["social_workers"] = 2

    assert edit_on_another_tablet(server, record_id, again) == 3
    page.get_by_label("Beds", exact=True).focus()
    # a sync of its own (the timer's, Background Sync's): the inspector is typing in Beds
    page.evaluate("window.homeward.syncer.run({ reason: 'timer' })")
    wait_idle(page)
    expect(page.get_by_label("Social workers", exact=True)).to_have_value("2")
    expect(page.get_by_label("Beds", exact=True)).to_be_focused()  # the form was drawn again
    expect(page.get_by_label("Beds", exact=True)).to_have_value("24")
    expect(carers).to_have_value("8")
    assert sorted(inspector_names(page)) == ["Chan Sophal", "Keo Vanna", "Ly Sreymom"]
    expect(page.locator("#draft-clashes tbody tr", has_text="Beds")).to_be_visible()
    # and the inspector keeps typing into the merged draft
    page.get_by_label("Staff in total", exact=True).fill("11")
    wait_until(
        page,
        """async () => {
          const [d] = await window.homeward.db.getAll('drafts');
          return d.base_rev === 3 && d.data.staff.social_workers === 2
            && d.data.staff.staff_total === 11 && d.data.beds === 24;
        }""",
    )

    submit(page)
    sync_now(page)
    items = page.evaluate("window.homeward.db.getAll('outbox')")
    assert [(i["base_rev"], i["state"], i["result"]["status"]) for i in items] == [
        (3, "sent", "applied")
    ]
    stored = server_record(server, record_id)
    assert stored["rev"] == 4
    assert stored["open_conflicts"] == []
    data = stored["data"]
    assert data["beds"] == 24
    assert data["staff"]["carers"] == 8
    assert data["staff"]["social_workers"] == 2
    assert data["staff"]["staff_total"] == 11
    assert data["follow_up_actions"] == "Register the 3 new children."
    names = sorted(row["inspector_name"] for row in data["inspectors"])
    assert names == ["Chan Sophal", "Keo Vanna", "Ly Sreymom"]
    # the other tablet's 22 beds is not lost either: it is revision 2 in the history
    history = server_history(server, record_id)
    assert [(r["rev"], r["status"]) for r in history] == [
        (1, "applied"),
        (2, "applied"),
        (3, "applied"),
        (4, "applied"),
    ]
    assert history[1]["data"]["beds"] == 22
    assert page.errors == []
