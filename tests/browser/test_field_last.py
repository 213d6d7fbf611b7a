"""The field app's last rough edges (issue #16 points 2, 8, 10) and a record leaving the device's
scope (issue #14 item 14), in real Chromium against a real server: signing in again offline,
the institution picker in the interface's language, dates that say day, month and year, and the
pull's removals on a tablet."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import TABLET
from tests.browser.test_field_app import (
    CAMBODIA,
    INSPECTOR,
    PASSWORD,
    SCHEMA,
    api_token,
    bearer,
    expect_waiting,
    first_institution,
    go_offline,
    go_online,
    inspection_data,
    open_form,
    png_bytes,
    server_record,
    shot,
    sign_in,
    wait_idle,
)
from tests.live_server import LiveServer

PHONE = {"width": 412, "height": 915}  # a 7-inch phone, in CSS pixels
VIEWPORTS = [pytest.param(TABLET, id="tablet"), pytest.param(PHONE, id="phone")]
PASSWORD_ITERATIONS = 310_000  # docs/field-app.md
SIGNATURE = png_bytes(40, 20, (0, 0, 0))
OTHER = "inspector.pp1"  # another user of the same tablet (Phnom Penh)


def uploaded_signature(server: LiveServer, username: str = INSPECTOR) -> str:
    """A signature the user uploaded through the API: a change may name it at once."""
    sha = hashlib.sha256(SIGNATURE).hexdigest()
    put = httpx.put(
        f"{server.url}/api/v1/attachments/{sha}",
        content=SIGNATURE,
        headers={**bearer(api_token(server, username)), "Content-Type": "image/png"},
    )
    assert put.status_code in (200, 201), put.text
    return sha


def queue_inspection(page: Page, data: dict[str, Any], sha: str) -> str:
    """A complete inspection put in this device's outbox for the signed-in user (as Submit
    does); returns its record_id."""
    return str(
        page.evaluate(
            """async ([data, sha]) => {
              const { queueChange } = await import('/js/sync.js');
              const { newUuid } = await import('/js/uuid.js');
              const app = window.homeward;
              const forms = (await app.store.formList()).forms;
              const form = forms.find((f) => f.form_id === 'institution_inspection');
              const recordId = newUuid();
              await queueChange(app.db, {
                change_id: newUuid(), record_id: recordId, form_id: form.form_id,
                form_version: form.version, base_rev: null, data, attachments: [sha],
                captured_at: new Date().toISOString(), username: app.session.username,
                priority: 'normal', title: form.title, origin: 'new',
              });
              await app.shell.refreshStatus();
              return recordId;
            }""",
            [data, sha],
        )
    )


def sign_in_form(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page, *, warned: str | None = None) -> None:
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Sign out").click()
    if warned is not None:
        expect(page.get_by_role("alert")).to_contain_text(warned)
        page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def server_has(server: LiveServer, record_id: str) -> bool:
    answer = httpx.get(
        f"{server.url}/api/v1/records/{record_id}",
        headers=bearer(api_token(server, "mosvy")),
        timeout=30,
    )
    return answer.status_code == 200


def wait_for_server(page: Page, server: LiveServer, record_id: str) -> None:
    for _ in range(300):
        if server_has(server, record_id):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{record_id} never reached the server")


# --- #16 point 2: signing in again with no signal -----------------------------------------------


def test_a_user_who_signed_in_here_before_signs_in_again_offline_and_the_work_goes_later(
    new_device: Any, server: LiveServer
) -> None:
    sha = uploaded_signature(server)
    data = inspection_data(first_institution(server, api_token(server, INSPECTOR)), sha)
    page = new_device()
    sign_in(page, server)

    # the online sign-in kept a verifier of the password: PBKDF2 with a fresh salt, not the password
    verifier = page.evaluate(f"window.homeward.db.getMeta('verifier:{INSPECTOR}')")
    assert set(verifier) == {"salt", "hash", "iterations", "user", "set_at", "sealed"}
    assert verifier["iterations"] == PASSWORD_ITERATIONS
    salt = bytes.fromhex(verifier["salt"])
    assert len(salt) == 16
    derived = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), salt, PASSWORD_ITERATIONS, 64)
    assert verifier["hash"] == derived[:32].hex()
    token = page.evaluate("window.homeward.session.token")
    stored = json.dumps(page.evaluate("window.homeward.db.getAll('meta')"))
    assert PASSWORD not in stored
    assert stored.count(token) == 1  # in the session only: the verifier's copy is sealed

    go_offline(page)
    record_id = queue_inspection(page, data, sha)
    expect_waiting(page, 1)
    # signing out offline says what happens to the work and how to come back
    sign_out(page, warned="can sign in again here even without a connection")
    assert page.evaluate("window.homeward.db.getMeta('session')") is None

    # a user new to this device still needs a connection, told so in both languages
    sign_in_form(page, "inspector.pp1", PASSWORD)
    expect(page.get_by_role("alert")).to_have_text(
        "No connection. inspector.pp1 has not signed in on this device before: "
        "the first sign-in needs a connection."
    )
    page.get_by_role("button", name="ភាសាខ្មែរ").click()
    page.get_by_label("ឈ្មោះអ្នកប្រើ").fill("inspector.pp1")
    page.get_by_label("ពាក្យសម្ងាត់").fill(PASSWORD)
    page.get_by_role("button", name="ចូល", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(
        "inspector.pp1 មិនទាន់ធ្លាប់ចូលនៅលើឧបករណ៍នេះទេ៖ ការចូលលើកដំបូងត្រូវការអ៊ីនធឺណិត។"
    )
    page.get_by_role("button", name="English").click()

    # a wrong password is refused offline as online
    sign_in_form(page, INSPECTOR, "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    assert page.evaluate("window.homeward.db.getMeta('session')") is None

    # the right one opens the app with no signal, the queued work waiting
    sign_in_form(page, INSPECTOR, PASSWORD)
    expect(page.get_by_role("heading", name="Forms")).to_be_visible()
    expect(page.locator("#notice")).to_contain_text("Signed in without a connection.")
    expect(page.locator("#signed-in-as")).to_contain_text(INSPECTOR)
    expect_waiting(page, 1)
    shot(page, "offline-sign-in.png")
    page.reload()  # still signed in after a restart, offline
    expect(page.get_by_role("heading", name="Forms")).to_be_visible()
    assert not server_has(server, record_id)

    # back online: the token kept from before (not revoked: signed out offline) sends the work
    go_online(page)
    wait_for_server(page, server, record_id)
    wait_idle(page)
    expect_waiting(page, 0)
    assert server_record(server, record_id)["data"]["inspector_signature"] == sha
    assert page.errors == []


def test_an_offline_sign_in_after_an_online_sign_out_asks_for_the_password_once_online(
    new_device: Any, server: LiveServer
) -> None:
    """Signed out online, the token was revoked: signing in again offline works, and the work
    waits for the password, asked again once the server answers. Another user's work on the same
    tablet stays theirs."""
    sha = uploaded_signature(server)
    data = inspection_data(first_institution(server, api_token(server, INSPECTOR)), sha)
    other_sha = uploaded_signature(server, OTHER)
    other_data = inspection_data(first_institution(server, api_token(server, OTHER)), other_sha)
    page = new_device()
    # another user of the tablet leaves work queued, signed out offline
    sign_in(page, server, OTHER)
    go_offline(page)
    other_record = queue_inspection(page, other_data, other_sha)
    sign_out(page, warned="1 items are not uploaded yet")
    go_online(page)

    sign_in(page, server)
    sign_out(page)  # online: the token is revoked, its sealed copy dropped
    assert page.evaluate(f"window.homeward.db.getMeta('verifier:{INSPECTOR}')")["sealed"] is None

    go_offline(page)
    sign_in_form(page, INSPECTOR, PASSWORD)
    expect(page.get_by_role("heading", name="Forms")).to_be_visible()
    record_id = queue_inspection(page, data, sha)
    expect_waiting(page, 1)

    go_online(page)
    expect(page.get_by_role("alert")).to_have_text(
        "You signed in without a connection. Enter your password again to send your work."
    )
    assert not server_has(server, record_id)
    expect(page.get_by_label("Username")).to_have_value(INSPECTOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Forms")).to_be_visible()
    wait_for_server(page, server, record_id)
    wait_idle(page)
    expect_waiting(page, 0)
    # the other user's work stayed theirs: on the device, waiting, not sent under this sign-in
    assert not server_has(server, other_record)
    theirs = page.evaluate(f"window.homeward.db.getAllFromIndex('outbox', 'by_user', '{OTHER}')")
    assert [(i["record_id"], i["state"]) for i in theirs] == [(other_record, "waiting")]

    # five wrong passwords offline (as for the PIN): only an online sign-in will do
    go_offline(page)
    sign_out(page)
    alert = page.get_by_role("alert")
    for _ in range(4):
        sign_in_form(page, INSPECTOR, "not-the-password")
        expect(alert).to_have_text("Wrong username or password.")
        expect(page.get_by_role("button", name="Sign in")).to_be_enabled()
    sign_in_form(page, INSPECTOR, "not-the-password")
    expect(alert).to_have_text(
        "Too many wrong passwords without a connection: "
        "the next sign-in as this user needs a connection."
    )
    assert page.evaluate(f"window.homeward.db.getMeta('verifier:{INSPECTOR}')") is None
    sign_in_form(page, INSPECTOR, PASSWORD)
    expect(alert).to_contain_text("the first sign-in needs a connection")
    assert page.errors == []


# --- #16 point 8: the institution picker in the interface's language ----------------------------


def test_the_institution_picker_names_institutions_in_the_interfaces_language_and_labels_its_search(
    new_device: Any, server: LiveServer
) -> None:
    page = new_device()
    sign_in(page, server)
    open_form(page)
    picker = page.locator(".hw-reference select")  # its label changes with the language
    expect(picker).to_have_accessible_name("Institution")
    page.wait_for_function(
        "document.querySelectorAll('.hw-reference select option').length > 12", timeout=15000
    )
    # the search box's label is in sight, not only read by a screen reader
    search_label = page.locator(".hw-reference label.hw-search-label")
    expect(search_label).to_be_visible()
    expect(search_label).to_have_text("Search the list: Institution")
    search = page.get_by_label("Search the list: Institution", exact=True)
    expect(search).to_be_visible()
    # English: Latin names, in alphabetical order
    names = picker.locator("option").all_inner_texts()[1:]
    assert names and all(n.startswith("Care Centre 17-") for n in names), names[:5]
    assert names == sorted(names)
    search.fill("centre 17-01")
    shown = picker.locator("option").all_inner_texts()[1:]
    assert shown and all("17-01" in n for n in shown), shown
    assert len(shown) < len(names)
    # Khmer: Khmer names, and the label in Khmer
    page.get_by_role("button", name="ភាសាខ្មែរ").click()
    expect(search_label).to_have_text(re.compile(r"^ស្វែងរកក្នុងបញ្ជី៖ [\u1780-\u17ff]"))
    search = page.get_by_label(search_label.inner_text(), exact=True)
    search.fill("")
    expect(picker.locator("option").nth(1)).to_contain_text("មណ្ឌលថែទាំកុមារ")
    khmer = picker.locator("option").all_inner_texts()[1:]
    assert len(khmer) == len(names)
    assert not any("Care Centre" in n for n in khmer), khmer[:3]
    # a name typed in the other language still finds the institution
    search.fill(names[0])
    assert picker.locator("option").count() == 2
    picker.select_option(index=1)
    page.get_by_role("button", name="English").click()
    expect(picker.locator("option:checked")).to_have_text(names[0])
    assert page.errors == []


# --- #16 point 10: dates that say day, month and year --------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_dates_show_day_month_and_year_in_either_language_in_forms_lists_and_records(
    new_device: Any, server: LiveServer, viewport: dict[str, int]
) -> None:
    page = new_device(viewport=viewport)
    sign_in(page, server)
    open_form(page)
    when = page.get_by_label("Date of inspection", exact=True)
    shown = page.locator(".hw-date-shown").first
    today = datetime.now(CAMBODIA).date()
    # the form's default (today), then a date typed: beside the browser's own input
    expect(shown).to_have_text(f"{today.day} {today.strftime('%b')} {today.year}")
    when.fill("2026-12-08")
    expect(shown).to_have_text("8 Dec 2026")
    assert shown.get_attribute("id") in (when.get_attribute("aria-describedby") or "").split()
    box, field = shown.bounding_box(), when.bounding_box()
    assert box and field and box["width"] > 0
    assert box["x"] + box["width"] <= viewport["width"], (box, viewport)  # on screen, not cut
    page.get_by_label("Institution", exact=True).select_option(index=1)
    expect(page.locator("#draft-name")).to_contain_text("Inspection 8 Dec 2026 — Care Centre")
    page.get_by_role("button", name="ភាសាខ្មែរ").click()
    expect(shown).to_have_text("៨ ធ្នូ ២០២៦")
    expect(page.locator("#draft-name")).to_contain_text("៨ ធ្នូ ២០២៦ — មណ្ឌលថែទាំកុមារ")
    page.locator(".hw-field.hw-reference").evaluate("el => el.scrollIntoView({ block: 'start' })")
    shot(page, f"date-khmer-{'phone' if viewport == PHONE else 'tablet'}.png")
    page.get_by_role("button", name="រក្សាទុកសេចក្តីព្រាង").click()
    # the draft list on home names it with the date in Khmer, then in English
    drafts = page.locator("a", has_text="៨ ធ្នូ ២០២៦")
    expect(drafts).to_have_count(1)
    page.get_by_role("button", name="English").click()
    draft = page.get_by_role("link", name=re.compile("^Continue: Institution inspection"))
    expect(draft).to_contain_text("Inspection 8 Dec 2026 — Care Centre")
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}", draft.inner_text())
    # a record's page (read-only answers) shows the date the same way
    record_id = seed_inspection_on(server, "2026-11-30")
    page.get_by_role("button", name="Sync now").click()
    wait_idle(page)
    page.goto(f"{server.url}/#/record/{record_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Inspection 30 Nov 2026")
    expect(page.locator(".hw-date-shown").first).to_have_text("30 Nov 2026")
    page.get_by_role("button", name="ភាសាខ្មែរ").click()
    expect(page.locator(".hw-date-shown").first).to_have_text("៣០ វិច្ឆិកា ២០២៦")
    assert page.errors == []


def seed_inspection_on(server: LiveServer, day: str) -> str:
    """An inspection on the server, made by another tablet of the same user, dated ``day``."""
    token = api_token(server, INSPECTOR)
    sha = uploaded_signature(server)
    data = {**inspection_data(first_institution(server, token), sha), "inspection_date": day}
    return push_new(server, token, data, sha)


def push_new(
    server: LiveServer, token: str, data: dict[str, Any], sha: str, record_id: str | None = None,
    base_rev: int | None = None,
) -> str:  # fmt: skip
    record_id = record_id or str(uuid.uuid4())
    change = {
        "change_id": str(uuid.uuid4()),
        "record_id": record_id,
        "form_id": "institution_inspection",
        "form_version": SCHEMA["version"],
        "base_rev": base_rev,
        "data": data,
        "attachments": [sha],
        "captured_at": datetime.now(CAMBODIA).isoformat(),
    }
    answer = httpx.post(
        f"{server.url}/api/v1/sync/push",
        json={"device_id": "tab-other", "changes": [change]},
        headers=bearer(token),
        timeout=60,
    )
    answer.raise_for_status()
    assert answer.json()["results"][0]["status"] == "applied", answer.text
    return record_id


# --- #14 item 14: a record that leaves the device's scope leaves the tablet ---------------------


def institution_in(server: LiveServer, token: str, district: str) -> str:
    answer = httpx.get(
        f"{server.url}/api/v1/sync/pull", params={"limit": 5000}, headers=bearer(token), timeout=60
    )
    answer.raise_for_status()
    return next(
        r["record_id"]
        for r in answer.json()["records"]
        if r["form_id"] == "institution" and r["data"].get("district") == district
    )


def create_user(server: LiveServer, username: str, *, province: str) -> None:
    """A user made with the contract's CLI on the server's database."""
    done = subprocess.run(
        [sys.executable, "-m", "app", "create-user", "--username", username, "--role",
         "inspector", "--province", province],
        input=PASSWORD, text=True, capture_output=True, timeout=120,
        env={**os.environ, "HOMEWARD_DATABASE_URL": server.database_url},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def device_holds(page: Page, record_id: str, sha: str) -> dict[str, Any]:
    return dict(
        page.evaluate(
            """async ([recordId, sha]) => {
              const db = window.homeward.db;
              const records = (await db.getAll('records')).filter((r) => r.record_id === recordId);
              const items = (await db.getAll('outbox')).filter((i) => i.record_id === recordId);
              const att = await db.get('attachments', sha);
              return {
                records: records.length, left_scope: records.some((r) => r.left_scope === true),
                items: items.length, file: Boolean(att), blob: Boolean(att && att.blob),
              };
            }""",
            [record_id, sha],
        )
    )


def test_a_record_moved_out_of_the_tablets_scope_leaves_it_unless_a_draft_holds_it(
    new_device: Any, server: LiveServer
) -> None:
    district = "inspector.pp1"  # the tablet's user: district 1201
    create_user(server, "inspector.pp", province="12")  # moves records inside Phnom Penh
    province = api_token(server, "inspector.pp")
    here = institution_in(server, api_token(server, district), "1201")
    there = institution_in(server, province, "1202")
    sha_a = uploaded_signature(server, district)
    photo_b = png_bytes(30, 30, (200, 10, 10))
    sha_b = hashlib.sha256(photo_b).hexdigest()
    assert httpx.put(
        f"{server.url}/api/v1/attachments/{sha_b}",
        content=photo_b,
        headers={**bearer(api_token(server, district)), "Content-Type": "image/png"},
    ).is_success
    data_a = inspection_data(here, sha_a)
    data_b = inspection_data(here, sha_b)

    page = new_device(viewport=TABLET)
    sign_in(page, server, district)
    # two inspections made on this tablet, their signatures kept on it, sent
    record_a = queue_inspection(page, data_a, sha_a)
    record_b = queue_inspection(page, data_b, sha_b)
    page.evaluate(
        """async (files) => {
          const db = window.homeward.db;
          for (const [sha, b64] of files) {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const blob = new Blob([bytes], { type: 'image/png' });
            await db.put('attachments', {
              sha256: sha, blob, state: 'queued', size: blob.size, content_type: 'image/png',
            });
          }
        }""",
        [
            [sha_a, base64.b64encode(SIGNATURE).decode()],
            [sha_b, base64.b64encode(photo_b).decode()],
        ],
    )
    page.get_by_role("button", name="Sync now").click()
    wait_idle(page)
    expect_waiting(page, 0)
    for record_id, sha in ((record_a, sha_a), (record_b, sha_b)):
        held = device_holds(page, record_id, sha)
        assert held == {"records": 1, "left_scope": False, "items": 1, "file": True, "blob": True}

    # the user begins a correction of B and keeps it as a draft
    page.goto(f"{server.url}/#/record/{record_b}")
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Beds", exact=True).fill("22")
    page.get_by_role("button", name="Save draft").click()
    expect(
        page.get_by_role("link", name=re.compile("^Continue: Institution inspection"))
    ).to_be_visible()

    # another tablet of the province moves both to an institution of another district
    for record_id, data, sha in ((record_a, data_a, sha_a), (record_b, data_b, sha_b)):
        push_new(server, province, {**data, "institution": there}, sha, record_id, base_rev=1)

    page.get_by_role("button", name="Sync now").click()
    wait_idle(page)
    # A left the tablet: its pulled copy, its settled change and its file
    assert device_holds(page, record_a, sha_a) == {
        "records": 0, "left_scope": False, "items": 0, "file": False, "blob": False,
    }  # fmt: skip
    page.goto(f"{server.url}/#/records")
    expect(page.get_by_role("heading", name="My records")).to_be_visible()
    expect(page.locator(f"a[href='#/record/{record_a}']")).to_have_count(0)
    # B stays, held by the draft, and says why it can no longer be sent
    assert device_holds(page, record_b, sha_b) == {
        "records": 1, "left_scope": True, "items": 1, "file": True, "blob": True,
    }  # fmt: skip
    page.goto(f"{server.url}/#/record/{record_b}")
    note = page.locator("#left-scope")
    expect(note).to_have_text(
        "This record was moved out of your area (to another district or province): what this "
        "device changed in it can no longer be sent. Tell your supervisor."
    )
    shot(page, "left-scope-record.png")
    page.get_by_role("link", name=re.compile("^Continue: Institution inspection")).click()
    draft_note = page.locator("#draft-left-scope")
    expect(draft_note).to_be_visible()
    expect(draft_note).to_contain_text("can no longer be sent")
    page.get_by_role("button", name="ភាសាខ្មែរ").click()
    expect(draft_note).to_have_text(
        "កំណត់ត្រានេះត្រូវបានផ្លាស់ទៅក្រៅតំបន់របស់អ្នក (ទៅស្រុក ឬខេត្តផ្សេង)៖ "
        "អ្វីដែលឧបករណ៍នេះបានកែប្រែក្នុងកំណត់ត្រានេះ មិនអាចបញ្ជូនបានទៀតទេ។ "
        "សូមប្រាប់អ្នកគ្រប់គ្រងរបស់អ្នក។"
    )
    page.goto(f"{server.url}/#/record/{record_b}")
    expect(page.locator("#left-scope")).to_contain_text("មិនអាចបញ្ជូនបានទៀតទេ")
    assert page.errors == []
