"""ODK Web Forms' engine (npm @getodk/xforms-engine, in node with jsdom) against a live
Homeward server over HTTP, as Web Forms uses an OpenRosa server: it downloads each form its
user's formList offers (md5 checked) and loads it; fills and submits (the engine's
``prepareInstancePayload()`` FormData POSTed to ``{server}/openrosa/key/{token}/submission``)
a repeat, select_multiples and image files; edits a submission with ``editInstance`` (a new
instanceID, ``deprecatedID`` the old one, only the new file sent). What arrived is checked
through Homeward's API: data, attachments by hash, revisions, scope, the under-3 rule.

The driver is ``tests/odk/webforms/driver.mjs``; ``tests/openrosa/webforms_engine.py``
installs its packages (skipped without node and npm; a failure under ``CI=true``).
"""

from __future__ import annotations

import base64
import re
import shutil
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.demo.accounts import DEMO_PASSWORD
from tests.live_server import LiveServer
from tests.openrosa.helpers import SIGNATURES, household_visit_xlsform, placement_answers, sha
from tests.openrosa.webforms_engine import run_driver, webforms_node

FIELD_USERS = ("ccwc.pp", "inspector.sr", "social.btb")
PHOTO = b"\x89PNG\r\n\x1a\n a house, photographed by Web Forms"
NEW_SIGNATURE = b"\x89PNG a third member signs in the edit"
XLSX = "application/octet-stream"


@pytest.fixture(scope="module")
def node() -> str:
    return webforms_node()


@pytest.fixture(scope="module")
def server(
    node: str, templates: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A live server on a copy of the demo database, with the XLSForm household_visit
    (a photo, a repeat, a select_multiple) published for the CCWC."""
    root = tmp_path_factory.mktemp("webforms")
    shutil.copyfile(templates["sqlite-demo"], root / "homeward.db")
    (root / "files").mkdir()
    live = LiveServer(
        f"sqlite:///{root / 'homeward.db'}", env={"HOMEWARD_DATA_DIR": str(root / "files")}
    ).start()
    try:
        admin = _bearer(live, "admin")
        imported = httpx.post(
            f"{live.url}/api/v1/forms/xlsform",
            files={"file": ("household_visit.xlsx", household_visit_xlsform(), XLSX)},
            data={"publish": "true"},
            headers=admin,
        )
        assert imported.status_code == 201, imported.text
        yield live
    finally:
        live.stop()


def _token(live: LiveServer, username: str) -> str:
    response = httpx.post(
        f"{live.url}/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _bearer(live: LiveServer, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {_token(live, username)}"}


def _base(live: LiveServer, token: str) -> str:
    return f"{live.url}/openrosa/key/{token}"


def _b64(files: dict[str, bytes]) -> dict[str, str]:
    return {name: base64.b64encode(content).decode() for name, content in files.items()}


def test_web_forms_engine_loads_every_form_of_the_form_lists(node: str, server: LiveServer) -> None:
    steps = [{"op": "load", "base": _base(server, _token(server, u))} for u in FIELD_USERS]
    results = run_driver(node, {"steps": steps})
    loaded: dict[str, dict[str, Any]] = {}
    for result in results:
        loaded.update(result["forms"])
    # every form a field role may fill (the built-in ones and the imported XLSForm)
    assert {"placement_recommendation", "household_visit", "institution_inspection"} <= set(loaded)
    problems = {
        form_id: entry
        for form_id, entry in loaded.items()
        if not (
            entry["download_status"] == 200
            and entry["md5_ok"]
            and entry["load_status"] == "success"
            and entry["root_nodes"]
        )
    }
    assert problems == {}


def test_web_forms_engine_fills_submits_and_edits_and_the_record_arrives(
    node: str, server: LiveServer
) -> None:
    token = _token(server, "ccwc.pp")
    answers = placement_answers()
    under_3 = {
        **{k: v for k, v in answers.items() if k != "kinship_carer"},
        "date_of_birth": "2024-06-01",
        "recommended_placement": "residential_care",
    }
    edit = {
        "best_interests": "Edited in Web Forms: the aunt has learnt to sign.",
        "disability_types": ["hearing", "visual"],
        "ccwc_members": [
            {},
            {},
            {
                "member_name": "Keo Dara",
                "member_position": "village_chief",
                "member_signature": "sig-3.png",
            },
        ],
    }
    household = {
        "household": "Household by the pagoda",
        "needs": ["food", "school"],
        "members": [{"member": "Grandmother"}, {"member": "Grandson"}],
        "house_photo": "house.png",
    }
    steps = [
        {"op": "load"},
        {
            "op": "submit",
            "name": "first",
            "form_id": "placement_recommendation",
            "answers": answers,
            "files": _b64(SIGNATURES),
        },
        {
            "op": "edit",
            "name": "edit",
            "of": "first",
            "answers": edit,
            "files": _b64({"sig-3.png": NEW_SIGNATURE}),
        },
        {
            "op": "submit",
            "name": "household",
            "form_id": "household_visit",
            "answers": household,
            "files": _b64({"house.png": PHOTO}),
        },
        {
            "op": "submit",
            "name": "under_3",
            "form_id": "placement_recommendation",
            "answers": under_3,
            "files": _b64(SIGNATURES),
            "language": "en",
            "force": True,
        },
    ]
    plan = {"base": _base(server, token), "steps": steps}
    _, first, edited, visit, refused = run_driver(node, plan)

    # the first submission: the engine's payload, as Homeward stored it
    assert first["payload_status"] == "ready" and first["violations"] == []
    assert first["parts"] == ["xml_submission_file", "sig-1.png", "sig-2.png"]
    assert first["status"] == 201, first["body"]
    assert "<residential_care" not in first["xml"]  # not relevant: left out by the engine
    record_id = first["instance_id"].removeprefix("uuid:")
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{server.url}/api/v1/records/{record_id}"

    # the edit: a new instance that deprecates the first, only the new file sent
    assert edited["deprecated_id"] == first["instance_id"]
    assert edited["instance_id"] != first["instance_id"]
    assert edited["parts"] == ["xml_submission_file", "sig-3.png"]
    assert edited["status"] == 201, edited["body"]
    record = httpx.get(url, headers=headers).json()
    assert record["record_id"] == record_id and record["rev"] == 2
    data = record["data"]
    assert data["best_interests"] == edit["best_interests"]
    # a select_multiple: the engine writes the choices in the form's order
    assert data["disability_types"] == ["visual", "hearing"]
    assert data["reasons_for_separation"] == answers["reasons_for_separation"]
    assert data["family"]["household_size"] == answers["family"]["household_size"]
    assert data["recommended_placement"] == "kinship_care"
    assert data["age_years"] == 7
    assert [(r["member_name"], r["member_signature"]) for r in data["ccwc_members"]] == [
        *(
            (row["member_name"], sha(SIGNATURES[row["member_signature"]]))
            for row in answers["ccwc_members"]
        ),
        ("Keo Dara", sha(NEW_SIGNATURE)),
    ]
    # the rows keep the keys the first submission gave them (once(uuid())), the new one its own
    first_rows = re.findall(r"<_row_id>([^<]+)</_row_id>", first["xml"])
    assert [r["_row_id"] for r in data["ccwc_members"]][:2] == first_rows
    assert len(data["ccwc_members"][2]["_row_id"]) == 36
    for content in (*SIGNATURES.values(), NEW_SIGNATURE):
        stored = httpx.get(f"{server.url}/api/v1/attachments/{sha(content)}", headers=headers)
        assert stored.status_code == 200 and stored.content == content
    history = httpx.get(f"{url}/history", headers=headers)
    assert history.status_code == 200
    revisions = history.json()
    revisions = revisions["revisions"] if isinstance(revisions, dict) else revisions
    assert sorted(r["rev"] for r in revisions) == [1, 2]
    # scope: an inspector of another province does not see it (absent, not forbidden)
    outsider = _bearer(server, "inspector.sr")
    assert httpx.get(url, headers=outsider).status_code == 404

    # a pyxform XLSForm: a photo, a repeat, a select_multiple
    assert visit["status"] == 201, visit["body"]
    assert visit["parts"] == ["xml_submission_file", "house.png"]
    visit_url = f"{server.url}/api/v1/records/{visit['instance_id'].removeprefix('uuid:')}"
    stored_visit = httpx.get(visit_url, headers=headers).json()
    assert stored_visit["form_id"] == "household_visit"
    assert stored_visit["data"]["needs"] == ["food", "school"]
    assert [m["member"] for m in stored_visit["data"]["members"]] == ["Grandmother", "Grandson"]
    assert stored_visit["data"]["house_photo"] == sha(PHOTO)
    photo = httpx.get(f"{server.url}/api/v1/attachments/{sha(PHOTO)}", headers=headers)
    assert photo.content == PHOTO

    # the rule: the engine flags residential care under 3 (the form's constraint), and when
    # the payload is posted anyway the server refuses it with its message
    assert refused["payload_status"] == "pending"
    flagged = {v["reference"].rsplit("/", 1)[-1]: v for v in refused["violations"]}
    assert flagged["recommended_placement"]["condition"] == "constraint"
    assert "family" in (flagged["recommended_placement"]["message"] or "").lower()
    # the rest: the residential-care questions now relevant and required, left unanswered
    assert {
        name: v["condition"] for name, v in flagged.items() if name != "recommended_placement"
    } == dict.fromkeys(
        ["why_not_family_based", "residential_institution", "planned_duration_months"], "required"
    )
    assert refused["status"] == 422, refused["body"]
    assert "recommended_placement" in refused["body"] and "family" in refused["body"].lower()
    never = f"{server.url}/api/v1/records/{refused['instance_id'].removeprefix('uuid:')}"
    assert httpx.get(never, headers=headers).status_code == 404
