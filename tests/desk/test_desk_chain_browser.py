"""The placement chain, conflicts and approving several at once, in real headless Chromium
against a real server (the browser fixtures of tests/browser), with JavaScript turned off:
the desk's pages are plain forms.

DoSVY authorizes, MoSVY certifies, each sees no button for the other's step and a forged
POST is refused; a conflict made by two tablets is settled and the value reaches a device on
its next pull; two records are approved at once; the placements page in Khmer."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.api.sync_helpers import change, placement_data
from tests.desk.browser_helpers import desk_context, sign_in_on_desk
from tests.live_server import LiveServer

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = (
    REPO / "docs" / "screenshots"
    if os.environ.get("HOMEWARD_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "homeward-screenshots"
)
PASSWORD = "homeward-demo"


def _token(server: LiveServer, username: str) -> str:
    answer = httpx.post(
        f"{server.url}/api/v1/auth/token", data={"username": username, "password": PASSWORD}
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def _push(server: LiveServer, token: str, device: str, *changes: dict[str, Any]) -> list[Any]:
    answer = httpx.post(
        f"{server.url}/api/v1/sync/push",
        json={"device_id": device, "changes": list(changes)},
        headers={"Authorization": f"Bearer {token}"},
    )
    answer.raise_for_status()
    return list(answer.json()["results"])


def _pull(server: LiveServer, token: str, cursor: str | None = None) -> tuple[str, list[Any]]:
    records: list[Any] = []
    while True:
        params: dict[str, Any] = {"limit": 5000, **({"cursor": cursor} if cursor else {})}
        page = httpx.get(
            f"{server.url}/api/v1/sync/pull",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        ).json()
        records += page["records"]
        cursor = page["cursor"]
        if not page["more"]:
            return str(cursor), records


def _desk(browser: Any, server: LiveServer, username: str) -> Page:
    page = desk_context(browser).new_page()
    sign_in_on_desk(page, server.url, username)
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    return page


def _recommendation(page: Page, record_id: str) -> Any:
    return page.get_by_role("article", name=f"Recommendation {record_id[:8]}")


def test_authorize_certify_resolve_and_approve_several_in_a_browser(
    browser: Any, server: LiveServer
) -> None:
    ccwc = _token(server, "ccwc.pp")
    placements = [
        change("placement_recommendation", placement_data(**extra))
        for extra in (
            {},
            {"sex": "male", "disability": "no", "date_of_birth": "2012-01-15"},
            {
                "reasons_for_separation": ["parent_death"],
                "alternatives_considered": ["foster_care"],
            },
        )
    ]
    results = _push(server, ccwc, "tab-ccwc-1", *placements)
    assert {r["status"] for r in results} == {"applied"}, results
    chained, waiting, third = (str(p["record_id"]) for p in placements)
    # a conflict: two tablets change the village of one recommendation from revision 1
    disputed = change("placement_recommendation", placement_data())
    rid = str(disputed["record_id"])
    assert _push(server, ccwc, "tab-a", disputed)[0]["status"] == "applied"
    for device, village in (("tab-a", "Phum Thmei"), ("tab-b", "Phum Chas")):
        edit = change(
            "placement_recommendation", placement_data(village=village), record_id=rid, base_rev=1
        )
        _push(server, ccwc, device, edit)
    cursor, _ = _pull(server, ccwc)

    dosvy = _desk(browser, server, "supervisor.pp")
    mosvy = _desk(browser, server, "mosvy")
    try:
        # DoSVY authorizes; the certification step is not theirs
        dosvy.get_by_role("link", name="Placements").click()
        expect(
            dosvy.get_by_role("heading", name="Waiting for DoSVY's authorization")
        ).to_be_visible()
        row = _recommendation(dosvy, chained)
        expect(row).to_contain_text("7 years")
        expect(row).to_contain_text("Kinship care")
        row.get_by_role("button", name="Authorize").click()
        expect(dosvy.get_by_role("status")).to_contain_text("the placement is now Authorized")
        dosvy.get_by_role("link", name=re.compile("^Waiting for MoSVY's certification")).click()
        expect(_recommendation(dosvy, chained)).to_be_visible()
        expect(dosvy.get_by_role("button", name="Certify")).to_have_count(0)

        # MoSVY certifies; authorizing is not theirs, and a forged POST is refused
        mosvy.get_by_role("link", name="Placements").click()
        expect(
            mosvy.get_by_role("heading", name="Waiting for MoSVY's certification")
        ).to_be_visible()
        row = _recommendation(mosvy, chained)
        row.get_by_label("Reason or note").fill("Documents checked.")
        row.get_by_role("button", name="Certify").click()
        expect(mosvy.get_by_role("status")).to_contain_text("the placement is now Certified")
        mosvy.get_by_role("link", name=re.compile("^Waiting for DoSVY's authorization")).click()
        expect(_recommendation(mosvy, waiting)).to_be_visible()
        expect(mosvy.get_by_role("button", name="Authorize")).to_have_count(0)
        csrf = mosvy.locator('input[name="csrftoken"]').first.get_attribute("value")
        forged = mosvy.request.post(
            f"{server.url}/review/placements/{waiting}",
            form={"csrftoken": csrf or "", "action": "authorize"},
            headers={"Origin": server.url},
        )
        assert forged.status == 403
        mosvy.goto(f"{server.url}/review/records/{chained}")
        expect(mosvy.get_by_text("certified the placement")).to_be_visible()
        expect(mosvy.get_by_text("Documents checked.")).to_be_visible()

        # the conflict: a typed value that is not a whole number is explained, then the
        # device's value is kept and reaches the tablet on its next pull
        dosvy.get_by_role("link", name="Conflicts").click()
        clash = dosvy.locator("article.clash", has_text="Village")
        expect(clash.locator(".server-side")).to_contain_text("Phum Thmei")
        expect(clash.locator(".server-side")).to_contain_text("tab-a")
        expect(clash.locator(".device-side")).to_contain_text("Phum Chas")
        expect(clash.locator(".device-side")).to_contain_text("tab-b")
        clash.get_by_role("button", name="Keep device value").click()
        expect(dosvy.get_by_role("status")).to_contain_text("Resolved")
        _, pulled = _pull(server, ccwc, cursor)
        [mine] = [r for r in pulled if r["record_id"] == rid]
        assert mine["data"]["village"] == "Phum Chas" and mine["open_conflicts"] == []

        # approve several at once from the queue
        dosvy.get_by_role("link", name="Review queue").click()
        dosvy.get_by_label("Form").select_option(label="Placement recommendation")
        dosvy.get_by_role("button", name="Apply filters").click()
        dosvy.get_by_role("checkbox", name=re.compile(f"Select .* {waiting[:8]}$")).check()
        dosvy.get_by_role("checkbox", name=re.compile(f"Select .* {third[:8]}$")).check()
        dosvy.get_by_role("button", name="Approve selected").click()
        expect(dosvy.get_by_role("status")).to_have_text("2 records approved.")

        # the placements page in Khmer
        dosvy.get_by_role("link", name="Placements").click()
        dosvy.get_by_role("link", name="ភាសាខ្មែរ").click()
        expect(dosvy.locator("html")).to_have_attribute("lang", "km")
        expect(dosvy.get_by_role("heading", name="រង់ចាំការអនុញ្ញាតពីមន្ទីរសង្គមកិច្ច")).to_be_visible()
        expect(dosvy.get_by_role("button", name="អនុញ្ញាត")).to_have_count(3)
        expect(
            dosvy.locator(f'article[aria-labelledby="p-{third}"]').get_by_text(
                "ឪពុក ឬម្ដាយ ឬទាំងពីរនាក់ បានស្លាប់"
            )
        ).to_be_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        dosvy.screenshot(path=str(SCREENSHOTS / "desk-placements-km.png"), full_page=True)
    finally:
        dosvy.context.close()
        mosvy.context.close()
