"""The placements worklists over HTTP, on SQLite and PostgreSQL: what a row shows, the chain
(DoSVY authorizes, MoSVY certifies, either declines with a reason) through the API's own
service, the wrong role refused, CSRF, scope, audit and keyset paging."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.desk.settings import get_desk_settings
from tests.desk.chain_helpers import audit_lines, other_users, post, pushed_placement, stored
from tests.desk.helpers import desk_sign_in

ROW = re.compile(r'<h3 id="p-[0-9a-f-]{36}"><a href="/review/records/([0-9a-f-]{36})"')


def _listed(client: TestClient, worklist: str, **params: str) -> list[str]:
    page = client.get("/review/placements", params={"list": worklist, **params})
    assert page.status_code == 200, page.text
    return ROW.findall(page.text)


def _as(client: TestClient, username: str) -> str:
    client.cookies.clear()
    return desk_sign_in(client, username)


def test_a_row_shows_age_sex_disability_reasons_and_alternatives(demo_client: TestClient) -> None:
    rid = pushed_placement(demo_client)  # born 2019-04-02, recommended 2026-11-18
    _as(demo_client, "supervisor.pp")
    page = demo_client.get("/review/placements")
    assert page.status_code == 200
    assert ROW.findall(page.text) == [rid]
    body = page.text
    for shown in ("7 years", "Female", "Poverty", "Parents migrated for work", "Kinship care"):
        assert shown in body, shown
    assert "Support to the family" not in body  # an alternative not considered
    assert re.search(r'list=authorization" aria-current="page">[^<]*<span class="count">1<', body)
    assert re.search(r'list=certification">[^<]*<span class="count">0<', body)
    assert 'value="authorize"' in body and 'value="decline"' in body
    assert 'value="certify"' not in body
    khmer = demo_client.get("/review/language/km", params={"next": "/review/placements"})
    assert "៧ ឆ្នាំ" in khmer.text and "រង់ចាំការអនុញ្ញាតពីមន្ទីរសង្គមកិច្ច" in khmer.text


def test_dosvy_authorizes_then_mosvy_certifies_each_step_audited(demo_client: TestClient) -> None:
    rid = pushed_placement(demo_client)
    token = _as(demo_client, "supervisor.pp")
    done = post(demo_client, f"/review/placements/{rid}", {"action": "authorize"}, token)
    assert done.status_code == 303
    assert done.headers["location"] == "/review/placements?list=authorization&done=authorized"
    assert "the placement is now Authorized" in demo_client.get(done.headers["location"]).text
    assert stored(rid).placement_state == "authorized"
    assert _listed(demo_client, "authorization") == []
    waiting = demo_client.get("/review/placements", params={"list": "certification"}).text
    assert ROW.findall(waiting) == [rid] and 'value="certify"' not in waiting

    token = _as(demo_client, "mosvy")
    assert demo_client.get("/review/placements").text.count('value="certify"') == 1
    done = post(
        demo_client,
        f"/review/placements/{rid}",
        {"action": "certify", "back": "certification", "comment": "Checked with DoSVY."},
        token,
    )
    assert done.status_code == 303 and stored(rid).placement_state == "certified"
    [authorized] = audit_lines("placement.authorize", rid)
    [certified] = audit_lines("placement.certify", rid)
    assert authorized.actor == "supervisor.pp" and certified.actor == "mosvy"
    assert (authorized.device_id or "").startswith("desk:")
    assert (certified.device_id or "").startswith("desk:")
    assert certified.details == {
        "from": "authorized",
        "to": "certified",
        "comment": "Checked with DoSVY.",
    }
    trail = demo_client.get(f"/review/records/{rid}").text
    assert "certified the placement" in trail and "Checked with DoSVY." in trail
    assert ">Certify</button>" not in trail  # nothing left to do


def test_the_wrong_role_sees_no_button_and_a_forged_post_is_refused(
    demo_client: TestClient,
) -> None:
    rid = pushed_placement(demo_client)
    before = stored(rid)
    for username, action in (
        ("mosvy", "authorize"),  # MoSVY certifies; authorizing is DoSVY's
        ("admin", "authorize"),
        ("supervisor.pp", "certify"),
        ("mosvy", "decline"),  # declining a recommendation is DoSVY's step
    ):
        token = _as(demo_client, username)
        if username != "supervisor.pp":
            page = demo_client.get("/review/placements", params={"list": "authorization"})
            assert ROW.findall(page.text) == [rid]
            assert "<button" not in page.text.split("<h1>")[1]
            record = demo_client.get(f"/review/records/{rid}").text
            assert ">Authorize</button>" not in record and ">Decline</button>" not in record
        forged = post(
            demo_client, f"/review/placements/{rid}", {"action": action, "comment": "x"}, token
        )
        assert forged.status_code in (403, 409), (username, action, forged.text)
        if username != "supervisor.pp":
            assert forged.status_code == 403, (username, action)
    after = stored(rid)
    assert after.placement_state == "recommended" and after.seq == before.seq
    assert audit_lines("placement.authorize", rid) == []


def test_without_a_valid_csrf_token_nothing_changes(demo_client: TestClient) -> None:
    rid = pushed_placement(demo_client)
    token = _as(demo_client, "supervisor.pp")
    before = stored(rid)
    for data, headers in (
        ({"action": "authorize"}, {"Origin": "http://testserver"}),
        ({"action": "authorize", "csrftoken": "forged"}, {"Origin": "http://testserver"}),
        ({"action": "authorize", "csrftoken": token}, {"Origin": "http://evil.example"}),
    ):
        refused = demo_client.post(f"/review/placements/{rid}", data=data, headers=headers)
        assert refused.status_code == 403, refused.text
    after = stored(rid)
    assert after.placement_state == "recommended" and after.seq == before.seq


def test_a_kandal_supervisor_never_sees_nor_acts_on_a_siem_reap_placement(
    demo_client: TestClient,
) -> None:
    commune = other_users()
    rid = pushed_placement(demo_client, "ccwc.sr", commune)
    _as(demo_client, "supervisor.sr")
    assert _listed(demo_client, "authorization") == [rid]  # it is there, for Siem Reap
    token = _as(demo_client, "supervisor.kd")
    for worklist in ("authorization", "certification"):
        page = demo_client.get("/review/placements", params={"list": worklist}).text
        assert rid not in page and rid[:8] not in page
        assert page.count('<span class="count">0<') == 2
    assert demo_client.get(f"/review/records/{rid}").status_code == 404
    for action in ("authorize", "decline"):
        hidden = post(
            demo_client, f"/review/placements/{rid}", {"action": action, "comment": "no"}, token
        )
        assert hidden.status_code == 404
    missing = post(
        demo_client,
        "/review/placements/00000000-0000-4000-8000-000000000000",
        {"action": "authorize"},
        token,
    )
    assert missing.status_code == 404
    assert stored(rid).placement_state == "recommended"
    [refusal, _] = audit_lines("placement.authorize.refused", rid) + audit_lines(
        "placement.decline.refused", rid
    )
    assert refusal.actor == "supervisor.kd"


def test_declining_needs_a_reason_on_the_worklist_and_on_the_record_page(
    demo_client: TestClient,
) -> None:
    first, second = pushed_placement(demo_client), pushed_placement(demo_client)
    token = _as(demo_client, "supervisor.pp")
    empty = post(
        demo_client, f"/review/placements/{first}", {"action": "decline", "comment": " "}, token
    )
    assert empty.status_code == 422
    assert f'href="#reason-{first}"' in empty.text and "Enter the reason" in empty.text
    record_page = demo_client.get(f"/review/records/{second}").text
    assert ">Authorize</button>" in record_page and ">Decline</button>" in record_page
    empty = post(
        demo_client,
        f"/review/placements/{second}",
        {"action": "decline", "back": "record"},
        token,
    )
    assert empty.status_code == 422 and 'href="#reason"' in empty.text
    assert stored(first).placement_state == stored(second).placement_state == "recommended"

    done = post(
        demo_client,
        f"/review/placements/{second}",
        {"action": "decline", "back": "record", "comment": "Family support first."},
        token,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/review/records/{second}?placed=declined"
    assert "the placement is now Declined" in demo_client.get(done.headers["location"]).text
    assert stored(second).placement_state == "declined"
    [line] = audit_lines("placement.decline", second)
    assert line.details["comment"] == "Family support first."
    again = post(demo_client, f"/review/placements/{second}", {"action": "authorize"}, token)
    assert again.status_code == 409 and "it is now Declined" in again.text


def test_keyset_pages_walk_a_worklist_once(
    demo_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = {pushed_placement(demo_client) for _ in range(5)}
    monkeypatch.setenv("HOMEWARD_DESK_PAGE_SIZE", "2")
    get_desk_settings.cache_clear()
    try:
        _as(demo_client, "supervisor.pp")
        seen: list[str] = []
        url: str | None = "/review/placements?list=authorization"
        while url:
            page = demo_client.get(url).text
            seen += ROW.findall(page)
            found = re.search(r'href="(/review/placements\?[^"]*after=[^"]*)" rel="next"', page)
            url = found.group(1).replace("&amp;", "&") if found else None
        assert len(seen) == len(set(seen)) == 5 and set(seen) == made
    finally:
        monkeypatch.undo()
        get_desk_settings.cache_clear()
