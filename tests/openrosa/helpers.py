"""Helpers for OpenRosa tests: instance XML as a client makes it, and a Collect-like POST."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
import uuid
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pyxform
from fastapi.testclient import TestClient
from openpyxl import Workbook

from app.demo.accounts import DEMO_PASSWORD
from tests.api.helpers import sign_in
from tests.api.sync_helpers import placement_data
from tests.conftest import skip_or_fail

ODK_VALIDATE = (
    Path(pyxform.__file__).parent / "validators" / "odk_validate" / "bin" / "ODK_Validate.jar"
)
HARNESS = Path(__file__).resolve().parent.parent / "odk" / "Harness.java"
VERSION = "2026.1"
SIGNATURES = {"sig-1.png": b"\x89PNG first signature", "sig-2.png": b"\x89PNG second signature"}


def java() -> str:
    """The java binary (skipped without it; a failure under CI=true)."""
    found = shutil.which("java")
    if found is None or not ODK_VALIDATE.exists():
        skip_or_fail("java (Debian default-jre-headless) or pyxform's ODK_Validate.jar is missing")
    assert found is not None
    return found


def token_of(client: TestClient, username: str, device_id: str | None = None) -> str:
    response = sign_in(client, username, device_id=device_id)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def basic(username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    value = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {value}"}


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def placement_answers(commune: str = "120101") -> dict[str, Any]:
    """A valid placement recommendation as a client fills it: signatures are file names,
    repeat rows carry no server row keys."""
    data = placement_data(commune)
    for row, name in zip(data["ccwc_members"], SIGNATURES, strict=True):
        row.pop("_row_id", None)
        row["member_signature"] = name
    return data


def _nodes(data: dict[str, Any]) -> str:
    out = []
    for name, value in data.items():
        if isinstance(value, dict):
            out.append(f"<{name}>{_nodes(value)}</{name}>")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            out.extend(f"<{name}>{_nodes(row)}</{name}>" for row in value)
        elif isinstance(value, list):
            out.append(f"<{name}>{escape(' '.join(value))}</{name}>")
        else:
            out.append(f"<{name}>{escape(str(value))}</{name}>")
    return "".join(out)


def instance_xml(
    form_id: str,
    data: dict[str, Any],
    *,
    instance_id: str | None = None,
    deprecated_id: str | None = None,
    version: str = VERSION,
    orx: bool = True,
) -> tuple[bytes, str]:
    """(XML, instanceID) of a submission of ``data``; ``orx``: meta in the orx namespace."""
    instance_id = instance_id or f"uuid:{uuid.uuid4()}"
    prefix = "orx:" if orx else ""
    deprecated = (
        f"<{prefix}deprecatedID>{deprecated_id}</{prefix}deprecatedID>" if deprecated_id else ""
    )
    meta = (
        f"<{prefix}meta><{prefix}instanceID>{instance_id}</{prefix}instanceID>"
        f"{deprecated}</{prefix}meta>"
    )
    xml = (
        f'<?xml version="1.0"?><data xmlns:orx="http://openrosa.org/xforms" id="{form_id}" '
        f'version="{version}">{_nodes(data)}{meta}</data>'
    )
    return xml.encode(), instance_id


def post_submission(
    client: TestClient,
    base: str,
    xml: bytes,
    files: dict[str, bytes] | None = None,
    *,
    headers: dict[str, str] | None = None,
    incomplete: bool = False,
) -> Any:
    """POST as Collect does: multipart, ``xml_submission_file`` then one part per file named
    by its file name, and Collect's odd ``Date`` header."""
    parts: list[tuple[str, tuple[str, bytes, str]]] = [
        ("xml_submission_file", ("submission.xml", xml, "text/xml"))
    ]
    for name, content in (files or {}).items():
        parts.append((name, (name, content, "image/png")))
    data = {"*isIncomplete*": "yes"} if incomplete else None
    return client.post(
        f"{base}/submission",
        files=parts,
        data=data,
        headers={"Date": "Mon, 07 Dec 2026 10:00:00 GMT+07:00", **(headers or {})},
    )


def message_of(response: Any) -> str:
    found = re.search(r"<message[^>]*>(.*)</message>", response.text, re.S)
    assert found is not None, response.text
    return found.group(1)


def household_visit_xlsform() -> bytes:
    """A small XLSForm as field teams write them: a repeat, a select_multiple, a photo."""
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    for row in (
        ["type", "name", "label::English (en)", "label::Khmer (km)", "required"],
        ["text", "household", "Household", "គ្រួសារ", "yes"],
        ["select_multiple needs", "needs", "Needs", "តម្រូវការ", ""],
        ["begin_repeat", "members", "Members", "សមាជិក", ""],
        ["text", "member", "Name", "ឈ្មោះ", ""],
        ["end_repeat", "", "", "", ""],
        ["image", "house_photo", "Photo", "រូបថត", ""],
    ):
        survey.append(row)
    choices = book.create_sheet("choices")
    for row in (
        ["list_name", "name", "label::English (en)", "label::Khmer (km)"],
        ["needs", "food", "Food", "អាហារ"],
        ["needs", "school", "School", "សាលា"],
    ):
        choices.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version", "form_title", "form_title_km", "roles"])
    settings.append(["household_visit", "1", "Household visit", "ការសួរសុខទុក្ខគ្រួសារ", "ccwc"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
