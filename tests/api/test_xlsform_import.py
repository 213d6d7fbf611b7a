"""XLSForm import over HTTP and from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from tests.api.helpers import assert_error, auth_headers
from tests.api.sync_helpers import change, push
from tests.unit.test_xlsform import EN, KM, YES_NO, settings, xls, xlsx

SURVEY = [
    ["type", "name", EN, KM, "relevant", "required"],
    ["date", "visit_date", "Visit date", "កាលបរិច្ឆេទចុះសួរ", "", "yes"],
    ["select_one yes_no", "in_school", "In school?", "កំពុងរៀន?", "", "yes"],
    ["text", "school_name", "School", "សាលារៀន", "${in_school} = 'yes'", ""],
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(
    client: TestClient, headers: dict[str, str], content: bytes, name: str, publish: bool
) -> object:
    return client.post(
        "/api/v1/forms/xlsform",
        headers=headers,
        files={"file": (name, content, XLSX)},
        data={"publish": "true" if publish else "false"},
    )


def test_an_xlsform_imported_and_published_is_listed_and_validates(
    demo_client: TestClient,
) -> None:
    admin = auth_headers(demo_client, "admin")
    response = _upload(
        demo_client,
        admin,
        xlsx(SURVEY, YES_NO, settings(form_id="school_check")),
        "school_check.xlsx",
        publish=True,
    )
    assert response.status_code == 201, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert (body["form_id"], body["version"], body["published"]) == ("school_check", "2026.1", True)
    social = auth_headers(demo_client, "social.btb")
    listed = {
        f["form_id"] for f in demo_client.get("/api/v1/forms", headers=social).json()["forms"]
    }
    assert "school_check" in listed
    schema = demo_client.get("/api/v1/forms/school_check/versions/2026.1", headers=social).json()
    assert [f["name"] for f in schema["fields"]] == ["visit_date", "in_school", "school_name"]
    assert schema["fields"][2]["relevant"] == "${in_school} = 'yes'"
    # and submissions are validated against it: its choices, required fields and relevance
    visit = {"visit_date": "2026-11-01", "school_name": "S"}
    good, bad, irrelevant = push(
        demo_client,
        social,
        change("school_check", visit | {"in_school": "yes"}),
        change("school_check", {"in_school": "maybe"}),
        change("school_check", visit | {"in_school": "no"}),
    )
    assert good["status"] == irrelevant["status"] == "applied", (good, irrelevant)
    assert bad["status"] == "rejected"
    assert {(e["path"], e["code"]) for e in bad["errors"]} == {
        ("visit_date", "required"),
        ("in_school", "invalid_choice"),
    }
    stored = demo_client.get(f"/api/v1/records/{irrelevant['record_id']}", headers=social).json()
    assert stored["data"] == {"visit_date": "2026-11-01", "in_school": "no"}


def test_an_xls_workbook_imports_as_a_draft_until_published(demo_client: TestClient) -> None:
    admin = auth_headers(demo_client, "admin")
    response = _upload(
        demo_client,
        admin,
        xls(SURVEY, YES_NO, settings(form_id="xls_draft")),
        "xls_draft.xls",
        publish=False,
    )
    assert response.status_code == 201  # type: ignore[attr-defined]
    social = auth_headers(demo_client, "social.btb")
    listed = {
        f["form_id"] for f in demo_client.get("/api/v1/forms", headers=social).json()["forms"]
    }
    assert "xls_draft" not in listed
    assert_error(
        demo_client.get("/api/v1/forms/xls_draft/versions/2026.1", headers=social), 404, "not_found"
    )


def test_a_bad_workbook_is_a_422_naming_row_and_feature(demo_client: TestClient) -> None:
    admin = auth_headers(demo_client, "admin")
    bad = SURVEY + [["geotrace", "route", "Route", "ផ្លូវ", "", ""]]
    error = assert_error(
        _upload(demo_client, admin, xlsx(bad, YES_NO), "bad.xlsx", True), 422, "invalid_xlsform"
    )
    assert any(d["row"] == 5 and "geotrace" in d["feature"] for d in error["details"])
    garbage = assert_error(
        _upload(demo_client, admin, b"not a workbook", "x.xlsx", True), 422, "invalid_xlsform"
    )
    assert garbage["details"]


def test_only_admin_imports(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "supervisor.pp")
    assert_error(
        _upload(demo_client, headers, xlsx(SURVEY, YES_NO), "f.xlsx", True), 403, "forbidden"
    )


def test_homeward_import_xlsform_from_the_command_line(database: str, tmp_path: Path) -> None:
    good = tmp_path / "cli_form.xlsx"
    good.write_bytes(xlsx(SURVEY, YES_NO, settings(form_id="cli_form")))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([["type", "name", EN, KM], ["begin group", "g", "G", "ក"]], YES_NO))
    env = dict(os.environ, HOMEWARD_DATABASE_URL=database)
    run = [sys.executable, "-m", "app", "import-xlsform"]
    ok = subprocess.run(
        [*run, str(good), "--publish"], env=env, capture_output=True, text=True, timeout=120
    )
    assert ok.returncode == 0, ok.stderr
    assert "cli_form version 2026.1 published" in ok.stdout
    from app.db.session import session_scope
    from app.forms.store import published_schema

    with session_scope() as session:  # the database says so too, not only the output
        schema = published_schema(session, "cli_form", "2026.1")
        assert schema is not None
        assert [f.name for f in schema.fields] == ["visit_date", "in_school", "school_name"]
    refused = subprocess.run([*run, str(bad)], env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0
    assert "row" in refused.stderr and "Traceback" not in refused.stderr


def test_a_re_import_reports_what_the_database_holds(demo_database: str, tmp_path: Path) -> None:
    """A published version stays published: importing it again without --publish says so,
    on the command line and over HTTP."""
    workbook = tmp_path / "again.xlsx"
    workbook.write_bytes(xlsx(SURVEY, YES_NO, settings(form_id="again")))
    env = dict(os.environ, HOMEWARD_DATABASE_URL=demo_database)

    def homeward_import(*flags: str) -> str:
        run = [sys.executable, "-m", "app", "import-xlsform", str(workbook), *flags]
        done = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "again version 2026.1 stored as a draft" in homeward_import()
    assert "again version 2026.1 already a draft with this content" in homeward_import()
    assert "again version 2026.1 published" in homeward_import("--publish")
    again = homeward_import()
    assert "already published with this content" in again and "draft" not in again
    assert "already published with this content" in homeward_import("--publish")

    from app.main import create_app

    with TestClient(create_app()) as client:
        admin = auth_headers(client, "admin")
        response = _upload(client, admin, workbook.read_bytes(), "again.xlsx", publish=False)
        assert response.status_code == 200, response.text  # type: ignore[attr-defined]
        assert response.json()["published"] is True  # type: ignore[attr-defined]
