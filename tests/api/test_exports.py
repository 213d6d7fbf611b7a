"""Exports over HTTP on SQLite and PostgreSQL: what a file holds (read back with openpyxl and
the csv module), scope, filters, errors, the audit line, and that rows are streamed."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.auth.scope import Scope
from app.auth.users import create_user
from app.db.session import session_factory, session_scope
from app.demo.accounts import DEMO_PASSWORD
from app.desk.queries import QueueFilters
from app.exports.cells import CellFormat
from app.exports.columns import tables_of
from app.exports.csv_export import csv_rows
from app.exports.queries import record_batches
from app.forms.definitions import load_builtin_forms
from app.models import AuditEntry, Record
from tests.api.helpers import assert_error, auth_headers
from tests.api.sync_helpers import change, demo_institution, inspection_data, placement_data, push
from tests.unit.test_domain_forms import PHOTO

BOM = b"\xef\xbb\xbf"


def _csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(BOM), body[:20]
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _kandal_supervisor(client: TestClient) -> dict[str, str]:
    with session_scope() as session:
        create_user(
            session,
            username="supervisor.kandal",
            password=DEMO_PASSWORD,
            role="dosvy_supervisor",
            province="08",
            created_by="test",
        )
    return auth_headers(client, "supervisor.kandal")


def _count(form_id: str, province: str | None = None) -> int:
    with session_scope() as session:
        stmt = select(func.count()).select_from(Record).where(Record.form_id == form_id)
        if province:
            stmt = stmt.where(Record.province == province)
        return int(session.scalar(stmt) or 0)


def test_an_xlsx_export_read_back_equals_the_records(demo_client: TestClient) -> None:
    inspector = auth_headers(demo_client, "inspector.sr")
    first = change("institution_inspection", inspection_data(demo_institution("17")))
    second = change(
        "institution_inspection",
        inspection_data(demo_institution("17"), beds=31, abuse_allegation="no"),
    )
    push(demo_client, inspector, first, second)
    admin = auth_headers(demo_client, "admin")

    response = demo_client.get("/api/v1/exports/institution_inspection.xlsx?lang=en", headers=admin)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="institution_inspection.xlsx"' in response.headers["content-disposition"]
    # an XLSX is a zip already: sent as it is, though the client accepts gzip
    assert "gzip" in response.request.headers["accept-encoding"]
    assert "content-encoding" not in response.headers
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["records", "inspectors", "photos"]

    rows = list(book["records"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:3] == ("Record ID", "Form version", "Revision")
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert set(by_id) == {first["record_id"], second["record_id"]}  # one row each, no others
    one = by_id[first["record_id"]]
    assert one["Form version"] == "2026.1" and one["Revision"] == 1
    assert one["Province"] == "17"
    assert one["Created by"] == "inspector.sr"
    assert one["Beds"] == 55 and by_id[second["record_id"]]["Beds"] == 31  # numbers stay numbers
    assert (
        one["Inspection round"] == "Second half of the year (July–December)"
    )  # a choice's English label
    assert one["Any allegation of abuse or irregularity?"] == "No"
    assert one["Girls aged 6–11"] == 11  # a group's field, flattened
    signature = one["Lead inspector's signature"]
    assert (
        signature == f"http://testserver/api/v1/attachments/{first['data']['inspector_signature']}"
    )

    inspectors = list(book["inspectors"].iter_rows(values_only=True))
    assert inspectors[0] == ("Record ID", "Row ID", "Inspector's name", "Agency")
    assert sorted((r[0], r[2]) for r in inspectors[1:]) == sorted(
        (rec["record_id"], name) for rec in (first, second) for name in ("Keo Vanna", "Ly Sreymom")
    )
    photos = list(book["photos"].iter_rows(values_only=True))
    assert {r[0] for r in photos[1:]} == {first["record_id"], second["record_id"]}
    assert {r[2] for r in photos[1:]} == {f"http://testserver/api/v1/attachments/{PHOTO}"}


def test_a_csv_keeps_its_khmer_with_a_bom(demo_client: TestClient) -> None:
    admin = auth_headers(demo_client, "admin")
    km = demo_client.get(
        "/api/v1/exports/child_registration.csv?lang=km&province=18", headers=admin
    )
    assert km.status_code == 200, km.text
    assert km.headers["content-type"] == "text/csv; charset=utf-8"
    rows = _csv(km.content)
    assert len(rows) == _count("child_registration", "18")
    assert {r["ភេទ"] for r in rows} == {"ស្រី", "ប្រុស"}  # header and choices in Khmer
    assert all(r["ខេត្ត"] == "18" for r in rows)
    assert any("\u1780" <= ch <= "\u17ff" for ch in rows[0]["ឈ្មោះពេញរបស់កុមារ (ខ្មែរ)"])

    names = _csv(
        demo_client.get("/api/v1/exports/child_registration.csv?province=18", headers=admin).content
    )
    assert {r["sex"] for r in names} == {"female", "male"}  # names without lang
    assert {"record_id", "_province", "family.mother_name"} <= set(names[0])
    assert sorted(r["record_id"] for r in names) == sorted(r["លេខសម្គាល់កំណត់ត្រា"] for r in rows)


def test_a_csv_of_a_form_with_repeats_is_a_zip_of_csvs_linked_by_record_id(
    demo_client: TestClient,
) -> None:
    ccwc = auth_headers(demo_client, "ccwc.pp")
    made = change("placement_recommendation", placement_data(child_name="=cmd|' /C calc'!A0"))
    push(demo_client, ccwc, made)
    supervisor = auth_headers(demo_client, "supervisor.pp")
    response = demo_client.get(
        "/api/v1/exports/placement_recommendation.csv?lang=en", headers=supervisor
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == [
        "placement_recommendation.csv",
        "placement_recommendation-ccwc_members.csv",
    ]
    [record] = _csv(archive.read("placement_recommendation.csv"))
    assert record["Record ID"] == made["record_id"]
    assert record["Child's full name"] == "'=cmd|' /C calc'!A0"  # never run as a formula
    assert record["Recommended placement"] == "Kinship care"
    members = _csv(archive.read("placement_recommendation-ccwc_members.csv"))
    assert len(members) == len(made["data"]["ccwc_members"]) >= 1
    assert {m["Record ID"] for m in members} == {made["record_id"]}
    assert [m["Name"] for m in members] == [m["member_name"] for m in made["data"]["ccwc_members"]]


def test_a_provinces_supervisor_exports_only_their_province(demo_client: TestClient) -> None:
    kandal = _kandal_supervisor(demo_client)
    rows = _csv(demo_client.get("/api/v1/exports/child_registration.csv", headers=kandal).content)
    assert len(rows) == _count("child_registration", "08") > 0
    assert {r["_province"] for r in rows} == {"08"}  # never a Siem Reap (17) row
    # asking for another province's records gives none, not that province's
    other = demo_client.get("/api/v1/exports/child_registration.csv?province=17", headers=kandal)
    assert _csv(other.content) == []
    book = openpyxl.load_workbook(
        io.BytesIO(
            demo_client.get("/api/v1/exports/child_registration.xlsx", headers=kandal).content
        ),
        read_only=True,
    )
    provinces = [r[5] for r in book["records"].iter_rows(min_row=2, values_only=True)]
    assert len(provinces) == len(rows) and set(provinces) == {"08"}
    mosvy = auth_headers(demo_client, "mosvy")
    national = _csv(
        demo_client.get("/api/v1/exports/child_registration.csv", headers=mosvy).content
    )
    assert len(national) == _count("child_registration")


def test_the_queues_filters_apply(demo_client: TestClient) -> None:
    ccwc = auth_headers(demo_client, "ccwc.pp")
    kept, other = (change("placement_recommendation", placement_data()) for _ in range(2))
    push(demo_client, ccwc, kept, other)
    supervisor = auth_headers(demo_client, "supervisor.pp")
    approved = demo_client.post(
        f"/api/v1/records/{kept['record_id']}/review",
        json={"action": "approve"},
        headers=supervisor,
    )
    assert approved.status_code == 200, approved.text

    def ids(query: str) -> list[str]:
        response = demo_client.get(
            f"/api/v1/exports/placement_recommendation.csv?{query}", headers=supervisor
        )
        assert response.status_code == 200, response.text
        main = zipfile.ZipFile(io.BytesIO(response.content)).read("placement_recommendation.csv")
        return sorted(r["record_id"] for r in _csv(main))

    assert ids("") == sorted([kept["record_id"], other["record_id"]])
    assert ids("state=approved") == [kept["record_id"]]
    assert ids("state=received&province=12&district=1201") == [other["record_id"]]
    assert ids("from=2999-01-01") == []
    assert ids("to=2000-01-01") == []
    assert ids(f"q={other['data']['child_name']}&state=") == sorted(
        r["record_id"]
        for r in (kept, other)
        if r["data"]["child_name"] == other["data"]["child_name"]
    )
    assert ids("flag=conflict") == []


def test_bad_input_is_a_clear_4xx(demo_client: TestClient) -> None:
    admin = auth_headers(demo_client, "admin")
    for query, path in (
        ("state=bogus", "state"),
        ("from=30-11-2026", "from"),
        ("province=Kandal", "province"),
        ("flag=nope", "flag"),
        ("lang=fr", "lang"),
        ("colour=red", "colour"),
        ("q=a%00b", "q"),  # PostgreSQL refuses NUL: a 422, never a 500
    ):
        response = demo_client.get(f"/api/v1/exports/institution.csv?{query}", headers=admin)
        error = assert_error(response, 422, "validation_error")
        assert [d["path"] for d in error["details"]] == [path], error
    assert_error(
        demo_client.get("/api/v1/exports/no_such_form.xlsx", headers=admin), 404, "not_found"
    )
    for field_role in ("ccwc.pp", "inspector.sr"):
        refused = demo_client.get(
            "/api/v1/exports/institution.csv", headers=auth_headers(demo_client, field_role)
        )
        assert_error(refused, 403, "forbidden")
    assert_error(demo_client.get("/api/v1/exports/institution.csv"), 401, "not_authenticated")


def test_each_export_is_audited_with_its_filters(demo_client: TestClient) -> None:
    mosvy = auth_headers(demo_client, "mosvy")
    demo_client.get("/api/v1/exports/institution.csv?lang=km&province=17&state=", headers=mosvy)
    demo_client.get("/api/v1/exports/institution.xlsx", headers=mosvy)
    demo_client.get("/api/v1/exports/no_such_form.csv", headers=mosvy)  # nothing exported
    with session_scope() as session:
        lines = session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("export.%")).order_by(AuditEntry.id)
        ).all()
    assert [(e.action, e.actor, e.target_id) for e in lines] == [
        ("export.csv", "mosvy", "institution"),
        ("export.xlsx", "mosvy", "institution"),
    ]
    assert lines[0].details == {
        "filters": {"lang": "km", "province": "17"},
        "scope": "national",
    }


def test_rows_are_read_in_keyset_batches_and_sent_as_they_are_read(
    demo_database: str,
) -> None:
    """The CSV is a stream: its header goes out before any row is read, and each chunk
    after one batch, so memory holds one batch however many records there are."""
    session = session_factory()()
    try:
        filters = QueueFilters(form="child_registration", province="08")
        batches = list(record_batches(session, scope=Scope(), filters=filters, batch=100))
        ids = [r.record_id for b in batches for r in b]
        assert all(len(b) <= 100 for b in batches) and len(batches) > 5
        assert ids == sorted(set(ids)) and len(ids) == _count("child_registration", "08")

        read: list[int] = []

        def counted() -> Any:
            for batch in record_batches(session, scope=Scope(), filters=filters, batch=100):
                read.append(len(batch))
                yield batch

        schema = next(s for s in load_builtin_forms() if s.form_id == "child_registration")
        stream = csv_rows(counted(), tables_of(schema)[0], CellFormat(None, "/a/"))
        assert next(stream).startswith(BOM + b"record_id,") and read == []
        first = next(stream)
        assert read == [100] and first.count(b"\n") == 100
        assert sum(1 for _ in stream) == len(batches) - 1
    finally:
        session.close()
