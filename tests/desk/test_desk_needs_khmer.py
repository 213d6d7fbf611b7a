"""The desk's forms page marks a form imported from an English-only XLSForm "Needs Khmer",
in English and Khmer, and only that one (the built-in forms are bilingual)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api.helpers import auth_headers
from tests.api.test_xlsform_open import CHOICES, SETTINGS, SURVEY, XLSX
from tests.desk.helpers import desk_sign_in
from tests.unit.test_xlsform import xlsx

_BADGE = re.compile(r'<span class="tag needs-khmer"[^>]*>([^<]+)</span>')


def test_the_forms_page_marks_the_english_only_form_needs_khmer(demo_client: TestClient) -> None:
    desk_sign_in(demo_client, "admin")
    before = demo_client.get("/review/forms")
    assert _BADGE.findall(before.text) == []  # the built-in forms are bilingual

    published = demo_client.post(
        "/api/v1/forms/xlsform",
        headers=auth_headers(demo_client, "admin"),
        files={"file": ("home_visit.xlsx", xlsx(SURVEY, CHOICES, SETTINGS), XLSX)},
        data={"publish": "true"},
    )
    assert published.status_code == 201, published.text
    version = published.json()["version"]

    page = demo_client.get("/review/forms")
    assert _BADGE.findall(page.text) == ["Needs Khmer"]
    row = next(r for r in page.text.split("<tr>") if "home_visit" in r)
    assert "Needs Khmer" in row
    assert "no Khmer translation: English is shown in their place" in page.text
    preview = demo_client.get(f"/review/forms/home_visit/versions/{version}")
    assert _BADGE.findall(preview.text) == ["Needs Khmer"]

    demo_client.get("/review/language/km")
    khmer = demo_client.get("/review/forms")
    assert _BADGE.findall(khmer.text) == ["ត្រូវការភាសាខ្មែរ"]
