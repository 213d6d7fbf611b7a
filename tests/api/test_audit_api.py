"""Reading the audit log over HTTP on SQLite and PostgreSQL: who may, keyset pages that miss
nothing, filters, the CSV (itself audited), and no way to change a line."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.db.session import session_scope
from app.models import AuditEntry
from tests.api.helpers import assert_error, auth_headers, sign_in
from tests.api.sync_helpers import change, placement_data, push


def _total(**where: Any) -> int:
    with session_scope() as session:
        stmt = select(func.count()).select_from(AuditEntry).filter_by(**where)
        return int(session.scalar(stmt) or 0)


def test_pages_follow_next_newest_first_and_miss_nothing(demo_client: TestClient) -> None:
    for _ in range(3):
        sign_in(demo_client, "ccwc.pp", "wrong-password")
    mosvy = auth_headers(demo_client, "mosvy")
    seen: list[int] = []
    after: str | None = None
    pages = 0
    while True:
        query = "limit=4" + (f"&after={after}" if after else "")
        response = demo_client.get(f"/api/v1/audit?{query}", headers=mosvy)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"entries", "next"}
        assert len(body["entries"]) <= 4
        seen += [e["id"] for e in body["entries"]]
        pages += 1
        after = body["next"]
        if after is None:
            break
    assert pages > 1
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == _total()
    first = demo_client.get("/api/v1/audit?limit=1", headers=mosvy).json()["entries"][0]
    assert set(first) == {
        "id",
        "at",
        "actor",
        "device_id",
        "action",
        "target_type",
        "target_id",
        "details",
    }
    assert first["action"] == "login.succeeded" and first["actor"] == "mosvy"


def test_filters_by_user_action_record_and_dates(demo_client: TestClient) -> None:
    ccwc = auth_headers(demo_client, "ccwc.pp")
    made = change("placement_recommendation", placement_data())
    push(demo_client, ccwc, made)
    supervisor = auth_headers(demo_client, "supervisor.pp")
    step = demo_client.post(
        f"/api/v1/records/{made['record_id']}/placement",
        json={"action": "authorize", "comment": "Kin checked."},
        headers=supervisor,
    )
    assert step.status_code == 200, step.text
    demo_client.post(
        f"/api/v1/records/{made['record_id']}/review",
        json={"action": "return", "comment": "Add the second signature."},
        headers=supervisor,
    )
    admin = auth_headers(demo_client, "admin")

    def entries(query: str) -> list[dict[str, Any]]:
        response = demo_client.get(f"/api/v1/audit?limit=1000&{query}", headers=admin)
        assert response.status_code == 200, response.text
        return response.json()["entries"]  # type: ignore[no-any-return]

    trail = entries(f"record={made['record_id']}")
    assert [(e["action"], e["actor"]) for e in trail] == [
        ("review.return", "supervisor.pp"),
        ("placement.authorize", "supervisor.pp"),
        ("sync.applied", "ccwc.pp"),
    ]
    assert entries(f"target={made['record_id']}") == trail
    assert [e["action"] for e in entries("user=supervisor.pp")] == [
        "review.return",
        "placement.authorize",
        "login.succeeded",
    ]
    logins = entries("action=login.*")
    assert logins and {e["action"] for e in logins} == {"login.succeeded"}
    assert len(logins) == _total(action="login.succeeded")
    assert entries("action=login") == []  # an action is exact; a family ends with .*
    assert [e["action"] for e in entries("user=supervisor.pp&action=review.return")] == [
        "review.return"
    ]
    assert entries("from=2999-01-01") == [] and entries("to=2000-01-01") == []
    assert entries(f"from=2000-01-01&to=2999-12-31&record={made['record_id']}") == trail


def test_only_mosvy_and_admin_may_read_it(demo_client: TestClient) -> None:
    for who in ("supervisor.pp", "ccwc.pp", "inspector.sr"):
        headers = auth_headers(demo_client, who)
        assert_error(demo_client.get("/api/v1/audit", headers=headers), 403, "forbidden")
        assert_error(demo_client.get("/api/v1/audit.csv", headers=headers), 403, "forbidden")
    assert_error(demo_client.get("/api/v1/audit"), 401, "not_authenticated")
    for who in ("mosvy", "admin"):
        headers = auth_headers(demo_client, who)
        assert demo_client.get("/api/v1/audit", headers=headers).status_code == 200


def test_bad_filters_are_422(demo_client: TestClient) -> None:
    admin = auth_headers(demo_client, "admin")
    for query, path in (
        ("action=DROP TABLE", "action"),
        ("after=0", "after"),
        ("after=abc", "after"),
        ("limit=5000", "limit"),
        ("from=yesterday", "from"),
        ("who=admin", "who"),
        ("user=a%00b", "user"),
        (f"after={2**64}", "after"),
    ):
        error = assert_error(
            demo_client.get(f"/api/v1/audit?{query}", headers=admin), 422, "validation_error"
        )
        assert [d["path"] for d in error["details"]] == [path], error
    assert_error(
        demo_client.get("/api/v1/audit.csv?to=31/12/2026", headers=admin), 422, "validation_error"
    )


def test_the_csv_holds_the_filtered_entries_and_is_itself_audited(
    demo_client: TestClient,
) -> None:
    sign_in(demo_client, "ccwc.pp", "wrong-password")
    admin = auth_headers(demo_client, "admin")
    before_reading = demo_client.get("/api/v1/audit?limit=1000", headers=admin).json()["entries"]
    assert _total(action="audit.export") == 0  # paging the JSON is not audited

    response = demo_client.get("/api/v1/audit.csv?action=login.*", headers=admin)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="audit-log.csv"' in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    expected = [e for e in before_reading if e["action"].startswith("login.")]
    assert [int(r["id"]) for r in rows] == [e["id"] for e in expected]
    assert {r["action"] for r in rows} == {"login.failed", "login.succeeded"}
    assert rows[0]["actor"] == "admin"

    with session_scope() as session:
        [line] = session.scalars(select(AuditEntry).where(AuditEntry.action == "audit.export"))
        assert line.actor == "admin" and line.details == {"filters": {"action": "login.*"}}


def test_no_route_changes_or_deletes_a_line(demo_client: TestClient) -> None:
    admin = auth_headers(demo_client, "admin")
    before = _total()
    for method in ("DELETE", "PUT", "PATCH", "POST"):
        for path in ("/api/v1/audit", "/api/v1/audit.csv"):
            response = demo_client.request(method, path, headers=admin)
            assert_error(response, 405, "method_not_allowed")
    assert _total() == before
