"""ODK's own engine against Homeward: JavaRosa 5.1 (inside ODK Collect), from pyxform's
ODK_Validate.jar. Every XForm a formList offers passes ODK Validate; a form downloaded from
formList (md5 checked) is filled and serialised by JavaRosa (tests/odk/Harness.java) and
POSTed as Collect posts it, twice; the record is checked through the API."""

from __future__ import annotations

import hashlib
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.auth.roles import FIELD_ROLES
from app.forms.definitions import load_builtin_forms
from tests.api.helpers import auth_headers
from tests.openrosa.helpers import (
    HARNESS,
    ODK_VALIDATE,
    SIGNATURES,
    household_visit_xlsform,
    java,
    message_of,
    placement_answers,
    post_submission,
    sha,
    token_of,
)

NS = {"x": "http://openrosa.org/xforms/xformsList"}
FIELD_USERS = ("ccwc.pp", "inspector.sr", "social.btb")
XLSX = "application/octet-stream"


@pytest.fixture
def sqlite_client(sqlite_demo_database: str) -> Iterator[TestClient]:
    from app.main import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client


def _form_list(client: TestClient, token: str) -> dict[str, tuple[str, str]]:
    """formID -> (downloadUrl, md5) of a user's formList."""
    response = client.get(f"/openrosa/key/{token}/formList")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {
        item.findtext("x:formID", namespaces=NS) or "": (
            item.findtext("x:downloadUrl", namespaces=NS) or "",
            (item.findtext("x:hash", namespaces=NS) or "").removeprefix("md5:"),
        )
        for item in root.findall("x:xform", NS)
    }


def _download(client: TestClient, url: str, md5: str, path: Path) -> Path:
    response = client.get(url)
    assert response.status_code == 200, url
    assert hashlib.md5(response.content).hexdigest() == md5
    path.write_bytes(response.content)
    return path


def _validate(java_bin: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [java_bin, "-jar", str(ODK_VALIDATE), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_xform_in_a_form_list_passes_odk_validate(
    sqlite_client: TestClient, tmp_path: Path
) -> None:
    java_bin = java()
    admin = auth_headers(sqlite_client, "admin")
    imported = sqlite_client.post(
        "/api/v1/forms/xlsform",
        files={"file": ("household_visit.xlsx", household_visit_xlsform(), XLSX)},
        data={"publish": "true"},
        headers=admin,
    )
    files: dict[str, Path] = {}
    for username in FIELD_USERS:
        token = token_of(sqlite_client, username)
        for form_id, (url, md5) in _form_list(sqlite_client, token).items():
            if form_id not in files:
                files[form_id] = _download(sqlite_client, url, md5, tmp_path / f"{form_id}.xml")
    fillable = {s.form_id for s in load_builtin_forms() if set(s.roles) & set(FIELD_ROLES)}
    assert fillable <= set(files)
    assert imported.status_code == 201, imported.text
    # pyxform's own XForm of the workbook, with Homeward's identity on its instance
    xform = files["household_visit"].read_bytes()
    assert b"<h:title>Household visit</h:title>" in xform
    assert b'id="household_visit" version="1"' in xform
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(
            zip(files, pool.map(lambda p: _validate(java_bin, p), files.values()), strict=True)
        )
    failed = {k: r.stdout + r.stderr for k, r in results.items() if r.returncode != 0}
    assert failed == {}


def _answers(data: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Harness answers: one (key, value) per leaf; a repeat's rows by multiplicity."""
    for name, value in data.items():
        if name == "_row_id":
            continue
        if isinstance(value, dict):
            yield from _answers(value, f"{prefix}{name}[0]/")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, row in enumerate(value):
                yield from _answers(row, f"{prefix}{name}[{index}]/")
        elif isinstance(value, list):
            yield f"{prefix}{name}[0]", " ".join(value)
        else:
            yield f"{prefix}{name}[0]", str(value)


def _fill(java_bin: str, form: Path, data: dict[str, Any], out: Path) -> Any:
    answers = out.with_suffix(".tsv")
    answers.write_text("".join(f"{k}\t{v}\n" for k, v in _answers(data)), encoding="utf-8")
    return subprocess.run(
        [java_bin, "-cp", str(ODK_VALIDATE), str(HARNESS), str(form), str(answers), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_collect_s_engine_fills_a_downloaded_form_and_the_record_arrives_once(
    sqlite_client: TestClient, tmp_path: Path
) -> None:
    java_bin = java()
    token = token_of(sqlite_client, "ccwc.pp")
    base = f"/openrosa/key/{token}"
    url, md5 = _form_list(sqlite_client, token)["placement_recommendation"]
    form = _download(sqlite_client, url, md5, tmp_path / "placement.xml")
    answers = placement_answers()
    filled = _fill(java_bin, form, answers, tmp_path / "instance.xml")
    assert filled.returncode == 0, filled.stderr
    instance = (tmp_path / "instance.xml").read_bytes()
    root = ET.fromstring(instance)
    instance_id = root.findtext("meta/instanceID") or ""
    assert instance_id.startswith("uuid:")
    assert root.find("residential_care") is None  # not relevant: left out by JavaRosa

    first = post_submission(sqlite_client, base, instance, SIGNATURES)
    assert first.status_code == 201, first.text
    second = post_submission(sqlite_client, base, instance, SIGNATURES)
    assert second.status_code in {201, 202}, second.text

    headers = {"Authorization": f"Bearer {token}"}
    record_url = f"/api/v1/records/{instance_id.removeprefix('uuid:')}"
    record = sqlite_client.get(record_url, headers=headers).json()
    assert record["rev"] == 1
    data = record["data"]
    assert data["disability_types"] == answers["disability_types"]  # select_multiple
    assert data["reasons_for_separation"] == answers["reasons_for_separation"]
    assert data["family"]["household_size"] == answers["family"]["household_size"]
    assert data["recommended_placement"] == "kinship_care"
    assert [(r["member_name"], r["member_signature"]) for r in data["ccwc_members"]] == [
        (row["member_name"], sha(SIGNATURES[row["member_signature"]]))
        for row in answers["ccwc_members"]
    ]
    assert all(len(r["_row_id"]) == 36 for r in data["ccwc_members"])  # once(uuid())
    for content in SIGNATURES.values():
        stored = sqlite_client.get(f"/api/v1/attachments/{sha(content)}", headers=headers)
        assert stored.content == content
    history = sqlite_client.get(f"{record_url}/history", headers=headers)
    assert history.status_code == 200
    outsider = auth_headers(sqlite_client, "inspector.sr")
    assert sqlite_client.get(record_url, headers=outsider).status_code == 404

    # the rule: JavaRosa refuses residential care under 3 (the form's constraint), and the
    # server refuses it too when a client sends it anyway
    under_3 = {
        **answers,
        "date_of_birth": "2024-06-01",
        "recommended_placement": "residential_care",
    }
    refused = _fill(java_bin, form, under_3, tmp_path / "under3.xml")
    assert refused.returncode == 2 and "recommended_placement" in refused.stderr
    forced = (
        instance.replace(
            b"kinship_care</recommended_placement>", b"residential_care</recommended_placement>"
        )
        .replace(answers["date_of_birth"].encode(), b"2024-06-01")
        .replace(instance_id.encode(), b"uuid:5a0c7a43-3f2e-4a8e-9d8e-0b7f4f3c2d11")
    )
    response = post_submission(sqlite_client, base, forced, SIGNATURES)
    assert response.status_code == 422, response.text
    assert "family" in message_of(response).lower()
