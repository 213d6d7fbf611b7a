"""A form imported from an English-only XLSForm carries "Needs Khmer" in the field app's form
list, in English and in Khmer, and still does after an offline reload (the shell comes from
the service worker's cache); the bilingual built-in forms carry no such label."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect

from tests.api.test_xlsform_open import CHOICES, SETTINGS, SURVEY, XLSX
from tests.browser.test_field_app import api_token, bearer, sign_in
from tests.live_server import LiveServer
from tests.unit.test_xlsform import xlsx


def test_an_english_only_form_is_labelled_needs_khmer_in_the_form_list(
    new_device: Callable[..., Page], server: LiveServer
) -> None:
    published = httpx.post(
        f"{server.url}/api/v1/forms/xlsform",
        headers=bearer(api_token(server, "admin")),
        files={"file": ("home_visit.xlsx", xlsx(SURVEY, CHOICES, SETTINGS), XLSX)},
        data={"publish": "true"},
    )
    assert published.status_code == 201, published.text
    assert published.json()["needs_khmer"] is True

    page = new_device()
    sign_in(page, server, "social.btb")  # a field role: the workbook's default roles
    home_visit = page.locator("button.form-button", has_text="Home visit")
    expect(home_visit.locator(".badge.needs-khmer")).to_have_text("Needs Khmer")
    expect(home_visit.locator(".badge.needs-khmer")).to_have_attribute(
        "title", "Some texts of this form have no Khmer translation: they are shown in English."
    )
    expect(page.locator("button.form-button")).not_to_have_count(1)  # the built-in forms too
    expect(page.locator(".badge.needs-khmer")).to_have_count(1)  # and only this one is marked

    page.get_by_role("button", name="ភាសាខ្មែរ").click()
    expect(home_visit.locator(".badge.needs-khmer")).to_have_text("ត្រូវការភាសាខ្មែរ")

    page.context.set_offline(True)
    page.reload()
    expect(page.locator(".badge.needs-khmer")).to_have_count(1)
    expect(home_visit).to_contain_text("ត្រូវការភាសាខ្មែរ")
    page.context.set_offline(False)
    assert page.errors == []
