"""The conflicts page over HTTP, on SQLite and PostgreSQL: both values side by side with who,
which device and when; keep either or type the right value (read as the field's type, then
validated as a push is); the new revision reaches the devices on their next pull. Scope, the
wrong role, CSRF and the audit line."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.db.session import session_scope
from app.models import Conflict
from tests.api.helpers import auth_headers
from tests.api.sync_helpers import demo_institution, inspection_data, placement_data
from tests.desk.chain_helpers import (
    audit_lines,
    other_users,
    post,
    pull_all,
    stored,
    two_tablets_clash,
)
from tests.desk.helpers import desk_sign_in

CLASH = re.compile(r'<article class="clash" aria-labelledby="c-([0-9a-f-]{36})">')


def _as(client: TestClient, username: str) -> str:
    client.cookies.clear()
    return desk_sign_in(client, username)


def _village_clash(client: TestClient) -> tuple[str, str]:
    return two_tablets_clash(
        client,
        "ccwc.pp",
        "placement_recommendation",
        placement_data(),
        {"village": "Phum Thmei"},
        {"village": "Phum Chas"},
    )


def _household_clash(client: TestClient) -> tuple[str, str]:
    return two_tablets_clash(
        client,
        "ccwc.pp",
        "placement_recommendation",
        placement_data(),
        {"family": {"household_size": 6}},
        {"family": {"household_size": 7}},
    )


def _conflict(conflict_id: str) -> Conflict:
    with session_scope() as session:
        found = session.scalar(select(Conflict).where(Conflict.id == conflict_id))
        assert found is not None
        session.expunge(found)
        return found


def test_both_values_side_by_side_with_who_which_device_and_when(demo_client: TestClient) -> None:
    rid, cid = _village_clash(demo_client)
    _as(demo_client, "supervisor.pp")
    page = demo_client.get("/review/conflicts")
    assert page.status_code == 200
    assert CLASH.findall(page.text) == [cid]
    assert 'Conflicts <span class="muted">(1)</span>' in page.text
    server, device = page.text.split('class="server-side"')[1].split('class="device-side"')
    assert "Phum Thmei" in server and "tab-a" in server and "ccwc.pp" in server
    assert "revision 2" in server  # the revision that set the server's value
    assert "Phum Chas" in device and "tab-b" in device
    assert f'href="/review/records/{rid}"' in page.text
    for button in (
        ">Keep server value</button>",
        ">Keep device value</button>",
        ">Resolve</button>",
    ):
        assert button in device
    assert f'<label for="value-{cid}">Value</label>' in page.text
    queue = demo_client.get("/review", params={"flag": "conflict"}).text
    assert rid in queue


def test_keeping_the_device_value_makes_a_revision_the_devices_pull(
    demo_client: TestClient,
) -> None:
    rid, cid = _village_clash(demo_client)
    ccwc = auth_headers(demo_client, "ccwc.pp")
    cursor, _ = pull_all(demo_client, ccwc)
    token = _as(demo_client, "supervisor.pp")
    done = post(demo_client, f"/review/conflicts/{cid}", {"choice": "device"}, token)
    assert done.status_code == 303 and done.headers["location"] == "/review/conflicts?done=resolved"
    after = demo_client.get(done.headers["location"]).text
    assert "Resolved" in after and CLASH.findall(after) == []
    record = stored(rid)
    assert record.data["village"] == "Phum Chas" and record.rev == 4
    conflict = _conflict(cid)
    assert conflict.resolved_by == "supervisor.pp" and conflict.resolved_rev == 4
    [line] = audit_lines("conflict.resolve", rid)
    assert line.actor == "supervisor.pp" and (line.device_id or "").startswith("desk:")
    assert line.details == {"conflict_id": cid, "path": "village", "rev": 4}
    _, pulled = pull_all(demo_client, ccwc, cursor)
    [mine] = [r for r in pulled if r["record_id"] == rid]
    assert mine["data"]["village"] == "Phum Chas" and mine["rev"] == 4
    assert mine["open_conflicts"] == []
    again = post(demo_client, f"/review/conflicts/{cid}", {"choice": "server"}, token)
    assert again.status_code == 409 and stored(rid).rev == 4


def test_a_typed_value_is_read_as_its_fields_type_and_checked_like_a_push(
    demo_client: TestClient,
) -> None:
    rid, cid = _household_clash(demo_client)
    token = _as(demo_client, "supervisor.pp")
    page = demo_client.get("/review/conflicts").text
    assert "People in the household" in page
    for typed, message in (
        ("seven", "Enter a whole number"),
        ("", "Enter a value"),
        ("40", "The value does not fit the form"),  # the form's maximum is 30
    ):
        refused = post(
            demo_client, f"/review/conflicts/{cid}", {"choice": "typed", "value": typed}, token
        )
        assert refused.status_code == 422, (typed, refused.text)
        assert 'class="error-summary"' in refused.text and f'href="#value-{cid}"' in refused.text
        assert message in refused.text, typed
    assert stored(rid).rev == 3 and _conflict(cid).resolved_at is None
    assert audit_lines("conflict.resolve", rid) == []
    done = post(demo_client, f"/review/conflicts/{cid}", {"choice": "typed", "value": " 8 "}, token)
    assert done.status_code == 303
    assert stored(rid).data["family"]["household_size"] == 8  # an integer, not "8"


def test_keeping_the_server_value_keeps_it_and_closes_the_conflict(
    demo_client: TestClient,
) -> None:
    rid, cid = _household_clash(demo_client)
    token = _as(demo_client, "mosvy")
    done = post(demo_client, f"/review/conflicts/{cid}", {"choice": "server"}, token)
    assert done.status_code == 303
    assert stored(rid).data["family"]["household_size"] == 6
    assert _conflict(cid).resolved_by == "mosvy"


def test_a_kandal_supervisor_never_sees_nor_resolves_a_siem_reap_conflict(
    demo_client: TestClient,
) -> None:
    other_users()
    institution = demo_institution("17")
    rid, cid = two_tablets_clash(
        demo_client,
        "inspector.sr",
        "institution_inspection",
        inspection_data(institution),
        {"beds": 12},
        {"beds": 14},
    )
    _as(demo_client, "supervisor.sr")
    assert CLASH.findall(demo_client.get("/review/conflicts").text) == [cid]
    for username in ("supervisor.kd", "supervisor.pp"):
        token = _as(demo_client, username)
        page = demo_client.get("/review/conflicts").text
        assert cid not in page and rid not in page
        assert 'Conflicts <span class="muted">(0)</span>' in page
        hidden = post(demo_client, f"/review/conflicts/{cid}", {"choice": "device"}, token)
        assert hidden.status_code == 404
        assert "There is no record at this address" in hidden.text
    assert stored(rid).data["beds"] == 12 and _conflict(cid).resolved_at is None
    refusals = audit_lines("conflict.resolve.refused", cid)
    assert [r.actor for r in refusals] == ["supervisor.kd", "supervisor.pp"]


def test_the_wrong_role_and_a_missing_csrf_token_change_nothing(demo_client: TestClient) -> None:
    rid, cid = _village_clash(demo_client)
    token = _as(demo_client, "admin")
    page = demo_client.get("/review/conflicts").text
    assert CLASH.findall(page) == [cid] and "Keep server value" not in page
    refused = post(demo_client, f"/review/conflicts/{cid}", {"choice": "device"}, token)
    assert refused.status_code == 403
    token = _as(demo_client, "supervisor.pp")
    for data, headers in (
        ({"choice": "device"}, {"Origin": "http://testserver"}),
        ({"choice": "device", "csrftoken": "forged"}, {"Origin": "http://testserver"}),
        ({"choice": "device", "csrftoken": token}, {"Origin": "http://evil.example"}),
    ):
        response = demo_client.post(f"/review/conflicts/{cid}", data=data, headers=headers)
        assert response.status_code == 403
    unknown = post(demo_client, f"/review/conflicts/{cid}", {"choice": "both"}, token)
    assert unknown.status_code == 403
    assert stored(rid).rev == 3 and _conflict(cid).resolved_at is None
    assert audit_lines("conflict.resolve", rid) == []
