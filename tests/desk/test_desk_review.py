"""The queue and the record page over HTTP, on SQLite and PostgreSQL: scope, filters, keyset
paging, and reviews that change a record exactly as the API's review does."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.auth.users import create_user
from app.db.session import session_scope
from app.demo.accounts import DEMO_PASSWORD
from app.models import AuditEntry, Record
from tests.api.helpers import auth_headers
from tests.api.sync_helpers import change, demo_institution, inspection_data, placement_data, push
from tests.desk.helpers import ORIGIN, desk_sign_in

ROW_LINK = re.compile(r'href="/review/records/([0-9a-f-]{36})"')


ABUSE = {
    "abuse_description": "A carer hit a boy with a stick.",
    "referred_to_rrt": "yes",
    "rrt_referral_date": "2026-11-20",
}


def _other_supervisors() -> None:
    with session_scope() as session:
        for username, province in (("supervisor.kd", "08"), ("supervisor.sr", "17")):
            create_user(
                session,
                username=username,
                password=DEMO_PASSWORD,
                role="dosvy_supervisor",
                province=province,
            )


def _pushed_placement(client: TestClient, **overrides: Any) -> str:
    ccwc = auth_headers(client, "ccwc.pp")
    new = change("placement_recommendation", placement_data(**overrides))
    push(client, ccwc, new)
    return str(new["record_id"])


def _record(record_id: str) -> Record:
    with session_scope() as session:
        record = session.get(Record, record_id)
        assert record is not None
        session.expunge(record)
        return record


def test_the_queue_lists_records_in_scope_with_counts_and_links(demo_client: TestClient) -> None:
    rid = _pushed_placement(demo_client)
    desk_sign_in(demo_client, "supervisor.pp")
    page = demo_client.get("/review", params={"form": "placement_recommendation"})
    assert page.status_code == 200
    assert ROW_LINK.findall(page.text) == [rid]
    assert re.search(r'state=received">1</a>', page.text)


def test_a_supervisor_of_another_province_never_sees_a_phnom_penh_record(
    demo_client: TestClient,
) -> None:
    _other_supervisors()
    rid = _pushed_placement(demo_client)
    for username in ("supervisor.kd", "supervisor.sr"):
        demo_client.cookies.clear()
        desk_sign_in(demo_client, username)
        for params in (
            {},
            {"province": "12"},
            {"q": "Village"},
            {"form": "placement_recommendation"},
        ):
            page = demo_client.get("/review", params=params)
            assert page.status_code == 200
            assert rid not in page.text
            assert "Phnom Penh" not in page.text
        counted = demo_client.get(
            "/review", params={"form": "placement_recommendation", "province": "12"}
        )
        assert re.search(r'state=received">0</a>', counted.text)
        nobody = "00000000-0000-4000-8000-000000000000"
        missing = demo_client.get(f"/review/records/{nobody}")
        hidden = demo_client.get(f"/review/records/{rid}")
        assert hidden.status_code == missing.status_code == 404
        # the same page (but for the address in the language links): nothing tells them apart
        assert hidden.text.replace(rid, nobody) == missing.text


def test_filters_narrow_the_queue(demo_client: TestClient) -> None:
    _other_supervisors()
    inspector = auth_headers(demo_client, "inspector.sr")
    institution = demo_institution("17")
    flagged = change(
        "institution_inspection",
        inspection_data(
            institution,
            abuse_allegation="yes",
            abuse=ABUSE | {"abuse_description": ABUSE["abuse_description"] + " ក្មេងប្រុស"},
        ),
    )
    plain = change("institution_inspection", inspection_data(institution, abuse_allegation="no"))
    results = push(demo_client, inspector, flagged, plain)
    assert [r["status"] for r in results] == ["applied", "applied"], results
    desk_sign_in(demo_client, "supervisor.sr")
    inspections = {"form": "institution_inspection"}
    listed = ROW_LINK.findall(demo_client.get("/review", params=inspections).text)
    assert listed[0] == flagged["record_id"]  # abuse first by default
    assert set(listed) == {flagged["record_id"], plain["record_id"]}
    only = demo_client.get("/review", params=inspections | {"flag": "abuse_allegation"})
    assert ROW_LINK.findall(only.text) == [flagged["record_id"]]

    def listed_with(**params: str) -> list[str]:
        return ROW_LINK.findall(demo_client.get("/review", params=inspections | params).text)

    # free text over the records' text, whatever the case, in Khmer too; % and _ are letters
    for q in ("stick", "A BOY with", "ក្មេង"):
        assert listed_with(q=q) == [flagged["record_id"]], q
    assert listed_with(q="100%") == [] and listed_with(q="st_ck") == []
    assert listed_with(state="approved") == []
    assert listed_with(to="2000-01-01") == []
    assert len(listed_with(province="17")) == 2
    bad = demo_client.get("/review", params={"from": "yesterday"})
    assert bad.status_code == 422 and 'href="#from"' in bad.text


def test_keyset_pages_walk_the_queue_once_without_offset(demo_client: TestClient) -> None:
    desk_sign_in(demo_client, "supervisor.pp")
    seen: list[str] = []
    url: str | None = "/review?form=institution"
    pages = 0
    while url and pages < 10:
        page = demo_client.get(url)
        seen += ROW_LINK.findall(page.text)
        found = re.search(r'href="(/review\?[^"]*after=[^"]*)" rel="next"', page.text)
        url = found.group(1).replace("&amp;", "&") if found else None
        pages += 1
    with session_scope() as session:
        expected = set(
            session.scalars(
                select(Record.record_id).where(
                    Record.form_id == "institution", Record.province == "12"
                )
            )
        )
    assert pages > 1 and "offset" not in (url or "")
    assert len(seen) == len(set(seen)) == len(expected) and set(seen) == expected


def _review(client: TestClient, rid: str, action: str, comment: str, token: str) -> Any:
    return client.post(
        f"/review/records/{rid}/review",
        data={"action": action, "comment": comment, "csrftoken": token},
        headers=ORIGIN,
        follow_redirects=False,
    )


def test_a_review_without_the_csrf_token_is_refused_and_changes_nothing(
    demo_client: TestClient,
) -> None:
    rid = _pushed_placement(demo_client)
    token = desk_sign_in(demo_client, "supervisor.pp")
    before = _record(rid)
    for data, headers in (
        ({"action": "approve"}, ORIGIN),
        ({"action": "approve", "csrftoken": "forged"}, ORIGIN),
        ({"action": "approve", "csrftoken": token}, {}),
        ({"action": "approve", "csrftoken": token}, {"Origin": "http://evil.example"}),
    ):
        response = demo_client.post(f"/review/records/{rid}/review", data=data, headers=headers)
        assert response.status_code == 403, response.text
    after = _record(rid)
    assert before.review_state == after.review_state == "received"
    assert after.seq == before.seq


def test_return_needs_a_comment_then_travels_to_the_device_like_the_apis(
    demo_client: TestClient,
) -> None:
    rid = _pushed_placement(demo_client)
    ccwc = auth_headers(demo_client, "ccwc.pp")
    cursor = demo_client.get("/api/v1/sync/pull", params={"limit": 1000}, headers=ccwc).json()
    while cursor["more"]:
        cursor = demo_client.get(
            "/api/v1/sync/pull", params={"limit": 1000, "cursor": cursor["cursor"]}, headers=ccwc
        ).json()
    token = desk_sign_in(demo_client, "supervisor.pp")
    empty = _review(demo_client, rid, "return", "  ", token)
    assert empty.status_code == 422
    assert 'class="error-summary"' in empty.text and 'href="#comment"' in empty.text
    assert _record(rid).review_state == "received"
    done = _review(demo_client, rid, "return", "Add the father's name.", token)
    assert done.status_code == 303 and done.headers["location"].startswith(f"/review/records/{rid}")
    page = demo_client.get(done.headers["location"])
    assert "Returned" in page.text and "Add the father&#39;s name." in page.text
    pulled = demo_client.get(
        "/api/v1/sync/pull", params={"cursor": cursor["cursor"]}, headers=ccwc
    ).json()
    [returned] = [r for r in pulled["records"] if r["record_id"] == rid]
    assert returned["review"] == {"state": "returned", "comment": "Add the father's name."}
    with session_scope() as session:
        [line] = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "review.return", AuditEntry.target_id == rid
            )
        ).all()
        assert line.actor == "supervisor.pp" and (line.device_id or "").startswith("desk:")
        assert line.details == {"rev": 1, "comment": "Add the father's name."}


def test_approve_and_reject_change_the_record_as_the_api_does(demo_client: TestClient) -> None:
    via_desk, via_api = _pushed_placement(demo_client), _pushed_placement(demo_client)
    token = desk_sign_in(demo_client, "supervisor.pp")
    supervisor = auth_headers(demo_client, "supervisor.pp")
    for action, comment in (("approve", ""), ("reject", "Not a real child.")):
        assert _review(demo_client, via_desk, action, comment, token).status_code == 303
        api = demo_client.post(
            f"/api/v1/records/{via_api}/review",
            json={"action": action, "comment": comment or None},
            headers=supervisor,
        )
        assert api.status_code == 200
        desk_record, api_record = _record(via_desk), _record(via_api)
        assert (desk_record.review_state, desk_record.review_comment) == (
            api_record.review_state,
            api_record.review_comment,
        )
        if action == "approve":
            # a second review of an approved record is refused, as by the API (409)
            again = _review(demo_client, via_desk, "reject", "Too late.", token)
            assert again.status_code == 409 and "Approved" in again.text
            via_desk, via_api = _pushed_placement(demo_client), _pushed_placement(demo_client)
    assert _record(via_desk).review_state == "rejected"


def test_the_record_page_shows_labels_in_the_readers_language(demo_client: TestClient) -> None:
    rid = _pushed_placement(demo_client)
    desk_sign_in(demo_client, "supervisor.pp")
    english = demo_client.get(f"/review/records/{rid}").text
    assert "Recommended placement" in english or "Placement" in english
    for button in (">Approve</button>", ">Return</button>", ">Reject</button>"):
        assert button in english
    assert '<label for="comment">Comment</label>' in english
    demo_client.get("/review/language/km")
    khmer = demo_client.get(f"/review/records/{rid}").text
    assert "អនុម័ត" in khmer and '<html lang="km">' in khmer


def test_an_admin_reads_but_may_not_review_and_mosvy_may(demo_client: TestClient) -> None:
    rid = _pushed_placement(demo_client)
    token = desk_sign_in(demo_client, "admin")
    page = demo_client.get(f"/review/records/{rid}")
    assert page.status_code == 200 and ">Approve</button>" not in page.text
    refused = _review(demo_client, rid, "approve", "", token)
    assert refused.status_code == 403
    assert _record(rid).review_state == "received"
    demo_client.cookies.clear()
    token = desk_sign_in(demo_client, "mosvy")
    assert _review(demo_client, rid, "approve", "", token).status_code == 303
    assert _record(rid).review_state == "approved"
