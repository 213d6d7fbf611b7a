"""The field app's rough edges a field worker hits in a day (issue #16), in real Chromium
against a real server, on a 7" tablet (800×1280) and a phone (412×915), in English and Khmer."""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import TABLET
from tests.browser.test_field_app import (
    INSPECTOR,
    SCHEMA,
    api_token,
    fill_inspection,
    first_institution,
    inspection_data,
    open_form,
    png_bytes,
    shot,
    sign_in,
    sync_now,
    wait_idle,
)
from tests.live_server import LiveServer

PHONE = {"width": 412, "height": 915}  # a 7-inch phone, in CSS pixels
VIEWPORTS = [pytest.param(TABLET, id="tablet"), pytest.param(PHONE, id="phone")]


def queue_refused_inspection(page: Page, server: LiveServer) -> str:
    """An inspection queued on the device that the server refuses (no round, no signature): what
    a device rule missed. Returns its record_id."""
    data = inspection_data(first_institution(server, api_token(server, INSPECTOR)), "")
    del data["inspection_round"]
    del data["inspector_signature"]
    return str(
        page.evaluate(
            """async (data) => {
              const { queueChange } = await import('/js/sync.js');
              const { newUuid } = await import('/js/uuid.js');
              const app = window.homeward;
              const form = (await app.store.formList()).forms.find((f) => f.form_id === 'institution_inspection');
              const recordId = newUuid();
              await queueChange(app.db, {
                change_id: newUuid(), record_id: recordId, form_id: form.form_id, form_version: form.version,
                base_rev: null, data, attachments: [], captured_at: new Date().toISOString(),
                username: app.session.username, priority: 'normal', title: form.title, origin: 'new',
              });
              await app.shell.refreshStatus();
              return recordId;
            }""",
            data,
        )
    )


# --- 1. a refusal is visible ------------------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_refused_submission_is_counted_in_the_status_and_on_home_and_leads_to_it(
    new_device: Any, server: LiveServer, viewport: dict[str, int]
) -> None:
    page = new_device(viewport=viewport)
    sign_in(page, server)
    record_id = queue_refused_inspection(page, server)
    expect(page.locator("#status")).to_contain_text("1 submission waiting to upload.")
    page.get_by_role("button", name="Sync now").click()
    wait_idle(page)
    # the toast says what happened, the status region how many need correction
    expect(page.locator("#notice")).to_have_text(
        "Sync finished: 1 submission was refused by the server and needs correction."
    )
    # readable: light text on the red of a refusal
    colours = page.locator("#notice").evaluate(
        "el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]"
    )
    assert colours == ["rgb(255, 255, 255)", "rgb(160, 0, 28)"], colours
    status = page.locator("#status")
    expect(status).to_contain_text("Nothing waiting to upload.")
    expect(status).to_contain_text("1 submission needs correction.")
    # home says it too, with the record to open
    expect(page.get_by_role("heading", name="Needs correction")).to_be_visible()
    expect(page.locator("section.attention")).to_contain_text("1 submission needs correction.")
    expect(page.locator("section.attention")).to_contain_text("Rejected: needs correction")
    shot(page, f"refused-submission-{'phone' if viewport == PHONE else 'tablet'}.png")
    # the status line leads to the record, with the server's reasons and the way to correct it
    status.get_by_role("link", name="1 submission needs correction.").click()
    expect(page).to_have_url(re.compile(f"#/record/{record_id}$"))
    expect(page.locator("#record-state")).to_have_text("Rejected: needs correction")
    expect(page.get_by_role("button", name="Correct and send again")).to_be_visible()
    # in Khmer, with Khmer digits
    page.get_by_role("button", name="ភាសាខ្មែរ").click()
    expect(status).to_contain_text("ការបញ្ជូន ១ ត្រូវកែ។")
    page.goto(f"{server.url}/#/")
    expect(page.get_by_role("heading", name="ត្រូវកែ")).to_be_visible()
    # a correction begun (something typed) is a draft: the count goes while it is open
    page.goto(f"{server.url}/#/record/{record_id}")
    page.get_by_role("button", name="កែ ហើយបញ្ជូនម្តងទៀត").click()
    expect(page.locator("#status-attention")).to_have_count(1)
    page.locator("[data-path='beds'] input").fill("21")
    expect(page.locator("#status-attention")).to_have_count(0)
    assert page.errors == []


def test_a_refusal_in_a_sync_the_user_did_not_start_is_said_at_once(
    new_device: Any, server: LiveServer
) -> None:
    page = new_device()
    sign_in(page, server)
    queue_refused_inspection(page, server)
    page.evaluate("window.homeward.syncer.run({ reason: 'timer' })")
    wait_idle(page)
    expect(page.locator("#notice")).to_have_text(
        "Sync finished: 1 submission was refused by the server and needs correction."
    )
    expect(page.locator("#status")).to_contain_text("1 submission needs correction.")
    # a sync the user started with nothing to send says only that it finished
    sync_now(page)
    expect(page.locator("#notice")).to_have_text("Sync finished.")
    assert page.errors == []


# --- 3. the first Submit does what it says ----------------------------------------------------


def draw_on(page: Page, name: str) -> None:
    pad = page.get_by_role("img", name=name)
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 8):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + box["height"] / 2 + (-1) ** step * 15)
    page.mouse.up()


def queued_changes(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate("window.homeward.db.getAll('outbox')"))


def test_submit_right_after_signing_waits_for_the_signature_and_queues_the_record(
    new_device: Any, server: LiveServer
) -> None:
    page = new_device()
    sign_in(page, server)
    open_form(page)
    fill_inspection(page, photo=False)
    # sign again and tap Submit at once, before the pad's own save (400 ms after the stroke)
    page.get_by_role("button", name="Clear signature").click()
    draw_on(page, "Lead inspector's signature")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", name="My records")).to_be_visible()
    items = queued_changes(page)
    assert len(items) == 1
    assert re.fullmatch(r"[0-9a-f]{64}", items[0]["data"]["inspector_signature"])
    assert items[0]["attachments"] == [items[0]["data"]["inspector_signature"]]
    assert page.errors == []


def test_a_refused_submit_points_at_a_real_message_and_the_notice_goes_when_fixed(
    new_device: Any, server: LiveServer
) -> None:
    page = new_device()
    sign_in(page, server)
    open_form(page)
    fill_inspection(page, photo=False)
    page.get_by_label("Beds", exact=True).fill("")
    page.get_by_role("button", name="Submit").click()
    notice = page.get_by_text("Some answers need attention: see the messages in red.")
    expect(notice).to_be_visible()
    # the message in red is there, under the field and in the summary, and the field has focus
    beds = page.get_by_label("Beds", exact=True)
    expect(beds).to_be_focused()
    expect(beds).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".hw-summary")).to_contain_text("Beds")
    assert queued_changes(page) == []
    page.get_by_label("Beds", exact=True).fill("20")
    expect(notice).to_be_hidden()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", name="My records")).to_be_visible()
    assert len(queued_changes(page)) == 1
    assert page.errors == []


# --- 6. residential care for a child under 3: refused at once, what follows hidden ------------

UNDER_3 = {
    "en": (
        "Residential care (last resort)",
        "Residential care is not allowed for a child under 3 years old on the recommendation date.",
        "Why is no family-based option suitable?",
        "Kinship care",
        "Name of the relative",
    ),
    "km": (
        "ការថែទាំតាមមណ្ឌល (ជាជម្រើសចុងក្រោយ)",
        "មិនអនុញ្ញាតឱ្យដាក់កុមារអាយុក្រោម ៣ ឆ្នាំ",
        "ហេតុអ្វីគ្មានជម្រើសផ្អែកលើគ្រួសារណាមួយសមស្រប?",
        "ការថែទាំដោយសាច់ញាតិ",
        "ឈ្មោះសាច់ញាតិ",
    ),
}


@pytest.mark.parametrize(
    ("viewport", "lang"),
    [pytest.param(TABLET, "en", id="tablet-en"), pytest.param(PHONE, "km", id="phone-km")],
)
def test_residential_care_for_a_child_under_3_is_refused_at_once_and_its_questions_hidden(
    new_device: Any, server: LiveServer, viewport: dict[str, int], lang: str
) -> None:
    residential, refusal, why, kinship, relative = UNDER_3[lang]
    page = new_device(viewport=viewport)
    sign_in(page, server, "ccwc.pp")
    open_form(page, "Placement recommendation")
    if lang == "km":
        page.get_by_role("button", name="ភាសាខ្មែរ").click()
    dob = page.locator("[data-path='date_of_birth'] input")
    dob.fill("2025-01-01")
    dob.blur()
    placement = page.locator("[data-path='recommended_placement']")
    placement.get_by_label(residential, exact=True).check()
    # no blur: the refusal is on screen at once and the residential questions are not
    expect(placement.locator(".hw-error")).to_contain_text(refusal)
    expect(placement.locator(".hw-error")).to_have_count(1)
    assert placement.locator(".hw-error").inner_text().count(refusal) == 1
    expect(page.get_by_text(why, exact=True)).to_be_hidden()
    # a family-based choice clears it and opens its own questions
    placement.get_by_label(kinship, exact=True).check()
    expect(placement.locator(".hw-error")).to_be_hidden()
    expect(page.get_by_text(relative, exact=True)).to_be_visible()
    # an older child may be placed in residential care: the questions come back
    placement.get_by_label(residential, exact=True).check()
    dob.fill("2015-01-01")
    dob.blur()
    expect(placement.locator(".hw-error")).to_be_hidden()
    expect(page.get_by_text(why, exact=True)).to_be_visible()
    assert page.errors == []


# --- 5. beds above the baseline flagged on the device; the server's flags on a record ----------


def institution_data(server: LiveServer, record_id: str) -> dict[str, Any]:
    answer = httpx.get(
        f"{server.url}/api/v1/records/{record_id}",
        headers={"Authorization": f"Bearer {api_token(server, INSPECTOR)}"},
    )
    answer.raise_for_status()
    return dict(answer.json()["data"])


def seed_inspection_with_beds(server: LiveServer, beds: int) -> str:
    """An inspection already on the server, sent by another tablet, with `beds` beds."""
    token = api_token(server, INSPECTOR)
    signature = png_bytes(40, 20, (0, 0, 0))
    sha = hashlib.sha256(signature).hexdigest()
    put = httpx.put(
        f"{server.url}/api/v1/attachments/{sha}",
        content=signature,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "image/png"},
    )
    assert put.status_code in (200, 201), put.text
    record_id = str(uuid.uuid4())
    change = {
        "change_id": str(uuid.uuid4()),
        "record_id": record_id,
        "form_id": "institution_inspection",
        "form_version": SCHEMA["version"],
        "base_rev": None,
        "data": inspection_data(first_institution(server, token), sha, beds=beds),
        "attachments": [sha],
        "captured_at": "2026-12-01T09:00:00+07:00",
    }
    answer = httpx.post(
        f"{server.url}/api/v1/sync/push",
        json={"device_id": "tab-seed", "changes": [change]},
        headers={"Authorization": f"Bearer {token}"},
    )
    answer.raise_for_status()
    assert answer.json()["results"][0]["status"] == "applied", answer.text
    return record_id


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_beds_above_the_baseline_are_flagged_as_they_are_typed_in_both_languages(
    new_device: Any, server: LiveServer, viewport: dict[str, int]
) -> None:
    page = new_device(viewport=viewport)
    sign_in(page, server)
    open_form(page)
    page.wait_for_function(
        "document.querySelectorAll('.hw-reference select option').length > 2", timeout=15000
    )
    select = page.get_by_label("Institution", exact=True)
    select.select_option(index=1)
    baseline = int(institution_data(server, select.input_value())["baseline_beds"])
    beds_field = page.locator("[data-path='beds']")
    flag = beds_field.locator(".hw-flag")
    page.get_by_label("Beds", exact=True).fill(str(baseline))
    expect(flag).to_have_count(0)
    page.get_by_label("Beds", exact=True).fill(str(baseline + 5))
    expect(flag).to_have_text(
        f"{baseline + 5} beds reported, above the institution's baseline of {baseline}: "
        "no new beds may be added."
    )
    page.get_by_role("button", name="ភាសាខ្មែរ").click()
    km = str(baseline + 5).translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
    km_base = str(baseline).translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
    expect(flag).to_have_text(
        f"បានរាយការណ៍គ្រែចំនួន {km} លើសពីចំនួនគោល {km_base} របស់មណ្ឌល៖ មិនអនុញ្ញាតឱ្យបន្ថែមគ្រែថ្មីទេ។"
    )
    page.get_by_role("button", name="English").click()
    page.get_by_label("Beds", exact=True).fill(str(baseline - 1))
    expect(flag).to_be_hidden()
    assert page.errors == []


def test_a_records_server_flags_show_on_its_page_in_both_languages(
    new_device: Any, server: LiveServer
) -> None:
    record_id = seed_inspection_with_beds(server, 1500)
    page = new_device()
    sign_in(page, server)
    page.goto(f"{server.url}/#/record/{record_id}")
    flags = page.locator("#record-flags")
    expect(flags).to_contain_text("Flagged for the supervisor:")
    expect(flags).to_contain_text("Beds: 1500 beds reported, above the institution's baseline of")
    expect(page.locator("[data-path='beds'] .hw-flag")).to_contain_text("1500 beds reported")
    page.get_by_role("button", name="ភាសាខ្មែរ").click()
    expect(flags).to_contain_text("បានសម្គាល់សម្រាប់អ្នកត្រួតពិនិត្យ៖")
    expect(flags).to_contain_text("ចំនួនគ្រែ: បានរាយការណ៍គ្រែចំនួន")
    assert page.errors == []


# --- 7. drafts and records people can tell apart ------------------------------------------------


def drafts_on_device(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate("window.homeward.db.getAll('drafts')"))


def go_home(page: Page) -> None:
    page.locator("#bar a.brand").click()
    expect(page.locator("#forms-h")).to_be_visible()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_drafts_start_at_the_first_answer_say_whose_they_are_and_can_be_deleted(
    new_device: Any, server: LiveServer, viewport: dict[str, int]
) -> None:
    page = new_device(viewport=viewport)
    sign_in(page, server, "ccwc.pp")
    # opened and left without typing: no draft
    open_form(page, "Placement recommendation")
    go_home(page)
    expect(page.get_by_role("heading", name="Drafts")).to_have_count(0)
    assert drafts_on_device(page) == []
    # two placements for two children: each draft says whose it is
    for child in ("Sok Srey Leak", "Chan Dara"):
        open_form(page, "Placement recommendation")
        page.get_by_label("Child's full name").fill(child)
        expect(page.locator("#draft-name")).to_contain_text(child)
        go_home(page)
    drafts = page.locator("li.draft")
    expect(drafts).to_have_count(2)
    expect(
        drafts.filter(has_text="Continue: Placement recommendation: Sok Srey Leak")
    ).to_have_count(1)
    expect(drafts.filter(has_text="Continue: Placement recommendation: Chan Dara")).to_have_count(1)
    shot(page, f"drafts-{'phone' if viewport == PHONE else 'tablet'}.png")
    page.get_by_role("button", name="ភាសាខ្មែរ").click()
    expect(drafts.filter(has_text="បន្ត៖ អនុសាសន៍ស្ដីពីការដាក់កុមារ: Sok Srey Leak")).to_have_count(1)
    page.get_by_role("button", name="English").click()
    # Delete draft asks first; "Keep the draft" keeps it
    drafts.filter(has_text="Sok Srey Leak").get_by_role("link").click()
    page.get_by_role("button", name="Delete draft").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Delete this draft? What was typed in it will be lost.")
    confirm.get_by_role("button", name="Keep the draft").click()
    expect(confirm).to_be_hidden()
    assert len(drafts_on_device(page)) == 2
    page.get_by_role("button", name="Delete draft").click()
    confirm.get_by_role("button", name="Yes, delete it").click()
    expect(page.locator("#notice")).to_have_text("Draft deleted.")
    expect(drafts).to_have_count(1)
    expect(drafts).to_contain_text("Chan Dara")
    assert [d["data"]["child_name"] for d in drafts_on_device(page)] == ["Chan Dara"]
    assert page.errors == []


def test_an_inspection_is_named_by_its_institution_in_either_language(
    new_device: Any, server: LiveServer
) -> None:
    record_id = seed_inspection_with_beds(server, 20)
    page = new_device()
    sign_in(page, server)
    page.goto(f"{server.url}/#/record/{record_id}")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(
        re.compile(
            r"Institution inspection: Inspection \d{1,2} [A-Z][a-z]{2} \d{4} — Care Centre 17-\d+"
        )
    )
    page.get_by_role("button", name="ភាសាខ្មែរ").click()
    expect(heading).to_contain_text("— មណ្ឌលថែទាំកុមារ")
    # the institution picker names institutions in the interface's language
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{server.url}/#/")
    expect(page.locator("#forms-h")).to_be_visible()
    open_form(page)
    page.wait_for_function(
        "document.querySelectorAll('.hw-reference select option').length > 2", timeout=15000
    )
    options = page.locator(".hw-reference select option")
    expect(options.nth(1)).to_contain_text("Care Centre")
    page.get_by_role("button", name="ភាសាខ្មែរ").click()
    expect(options.nth(1)).to_contain_text("មណ្ឌលថែទាំកុមារ")
    assert page.errors == []


# --- 4. the record's location: filled from a one-commune scope, else chosen in scope ----------


def test_a_ccwc_members_commune_is_filled_from_their_scope_and_cannot_be_mistyped(
    new_device: Any, server: LiveServer
) -> None:
    page = new_device()
    sign_in(page, server, "ccwc.pp")
    open_form(page, "Placement recommendation")
    commune = page.get_by_label("Commune code", exact=True)
    expect(commune).to_have_value("120101")
    assert commune.evaluate("el => el.tagName") == "SELECT"
    expect(commune.locator("option")).to_have_count(2)  # "Choose" and the one commune
    expect(commune.locator("option").nth(1)).to_contain_text("(120101)")
    # the form's own defaults are still there
    expect(page.get_by_label("Date of recommendation", exact=True)).not_to_have_value("")
    # filled in by the app, not typed: no draft yet
    go_home(page)
    assert drafts_on_device(page) == []
    assert page.errors == []


def test_a_wider_scope_picks_the_location_among_the_communes_in_scope_in_both_languages(
    new_device: Any, server: LiveServer
) -> None:
    page = new_device()
    sign_in(page, server, "inspector.pp1")  # district 1201
    open_form(page, "Abuse report")
    expect(page.get_by_label("Commune code", exact=True)).to_be_visible()
    commune = page.locator("[data-path='commune'] select")
    assert commune.evaluate("el => el.tagName") == "SELECT"
    expect(commune).to_have_value("")
    options = commune.locator("option")
    texts = options.all_inner_texts()[1:]
    assert len(texts) >= 2, texts
    assert all(re.search(r"\(1201\d\d\)$", x) for x in texts), texts
    english = texts[0]
    commune.select_option(index=1)
    page.get_by_role("button", name="ភាសាខ្មែរ").click()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    khmer = commune.evaluate("el => el.options[1].textContent")
    assert khmer != english and re.search(r"[\u1780-\u17ff]", khmer), (english, khmer)
    assert page.errors == []


# --- 12. a compact header on a phone; Khmer words kept whole ------------------------------------


@pytest.mark.parametrize("lang", ["en", "km"])
def test_the_phone_header_is_compact_says_who_is_signed_in_and_cuts_no_word(
    new_device: Any, server: LiveServer, lang: str
) -> None:
    page = new_device(viewport=PHONE)
    sign_in(page, server)
    if lang == "km":
        page.get_by_role("button", name="ភាសាខ្មែរ").click()
        expect(page.locator("html")).to_have_attribute("lang", "km")
    bar = page.locator("#bar")
    expect(bar.locator("#signed-in-as")).to_contain_text(INSPECTOR)
    box = bar.bounding_box()
    assert box is not None and box["height"] <= 120, box
    # every action on one line, its label whole (no ellipsis, no word cut) and a 48 px target
    for action in bar.locator(".actions > *, .lang").all():
        fit = action.evaluate(
            """el => {
              const label = [...el.children].find((c) => getComputedStyle(c).display !== 'none');
              const r = el.getBoundingClientRect();
              return {text: label.textContent, fits: label.scrollWidth <= el.clientWidth, need: label.scrollWidth, room: el.clientWidth,
                      lines: Math.round(label.getBoundingClientRect().height / parseFloat(getComputedStyle(label).lineHeight || 20)),
                      height: r.height, width: r.width};
            }"""
        )
        assert fit["fits"] and fit["height"] >= 48 and fit["width"] >= 48, fit
    # the actions keep their full names
    for name in (
        ["Sync now", "My records", "Settings", "Lock"]
        if lang == "en"
        else ["ធ្វើសមកាលកម្មឥឡូវ", "កំណត់ត្រារបស់ខ្ញុំ"]
    ):
        expect(bar.locator(f'[aria-label="{name}"]')).to_be_visible()
    shot(page, f"phone-header-{lang}.png")
    assert page.errors == []


# --- 13. smaller things -----------------------------------------------------------------------


def test_record_location_returns_to_record_again_after_a_fix_not_stop(
    new_device: Any, server: LiveServer
) -> None:
    page = new_device(geolocation={"latitude": 13.3633, "longitude": 103.8564, "accuracy": 25})
    sign_in(page, server)
    open_form(page)
    page.get_by_role("button", name="Record location").click()
    expect(page.get_by_text(re.compile(r"Latitude 13\.36"))).to_be_visible()
    # a fix of 25 m: a better one is awaited a few seconds, then the button is free again
    expect(page.get_by_role("button", name="Record again")).to_be_visible(timeout=15000)
    expect(page.get_by_role("button", name="Stop")).to_have_count(0)
    assert page.errors == []


def test_submitted_online_says_it_is_sent_now_and_a_refusal_shows_each_error_once(
    new_device: Any, server: LiveServer
) -> None:
    page = new_device()
    sign_in(page, server)
    record_id = queue_refused_inspection(page, server)
    sync_now(page)
    page.goto(f"{server.url}/#/record/{record_id}")
    expect(page.locator("#server-errors")).to_be_visible()
    errors = page.locator("#server-errors li")
    n = errors.count()
    assert n >= 1
    # each of the server's errors once above the form, and not again in a second list
    expect(page.locator(".hw-summary")).to_be_hidden()
    # online, a Submit is sent at once and says so
    page.goto(f"{server.url}/#/")
    open_form(page)
    fill_inspection(page, photo=False)
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#notice")).to_have_text("Submitted. Sending it now.")
    wait_idle(page)
    assert page.errors == []


# --- 9. numbers in Khmer messages in Khmer digits ------------------------------------------------


def test_numbers_in_khmer_messages_are_written_in_khmer_digits(
    new_device: Any, server: LiveServer
) -> None:
    page = new_device()
    sign_in(page, server)
    open_form(page)
    beds = page.get_by_label("Beds", exact=True)
    beds.fill("3000")
    beds.blur()
    error = page.locator("[data-path='beds'] .hw-error")
    expect(error).to_have_text("The value must be at most 2000.")
    page.get_by_role("button", name="ភាសាខ្មែរ").click()
    expect(error).to_have_text("តម្លៃត្រូវតែយ៉ាងច្រើន ២០០០។")
    assert not re.search(r"[0-9]", error.inner_text())
    # the same for the server's messages on a refused record
    page.get_by_role("button", name="English").click()
    record_id = queue_refused_inspection(page, server)
    sync_now(page)
    page.evaluate("window.homeward.setLanguage('km')")
    page.goto(f"{server.url}/#/record/{record_id}")
    expect(page.locator("#server-errors")).to_be_visible()
    assert not re.search(r"[0-9]", page.locator("#server-errors").inner_text())
    assert page.errors == []


# --- 11. a photo button of our own, in the interface's language ------------------------------


@pytest.mark.parametrize("lang", ["en", "km"])
def test_the_photo_field_is_a_labelled_button_in_the_interfaces_language(
    new_device: Any, server: LiveServer, lang: str
) -> None:
    page = new_device(viewport=PHONE)
    sign_in(page, server)
    open_form(page)
    page.get_by_role("button", name="Add Photos").click()
    if lang == "km":
        page.get_by_role("button", name="ភាសាខ្មែរ").click()
        expect(page.locator("html")).to_have_attribute("lang", "km")
    choose_name, again_name = (
        ("Take or choose a photo", "Take another photo")
        if lang == "en"
        else ("ថត ឬជ្រើសរើសរូបថត", "ថតរូបថតផ្សេង")
    )
    widget = page.locator(".hw-photo-widget").last
    expect(widget.get_by_role("button", name=choose_name)).to_be_visible()
    # the browser's own input ("Choose File / No file chosen") is out of sight
    box = widget.locator("input[type=file]").bounding_box()
    assert box is None or (box["width"] <= 1 and box["height"] <= 1), box
    widget.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "wall.png",
                "mimeType": "image/png",
                "buffer": png_bytes(64, 48, (200, 120, 40)),
            }
        ]
    )
    expect(widget.locator("img.hw-thumb")).to_be_visible()
    expect(widget.get_by_role("button", name=again_name)).to_be_visible()
    assert page.errors == []
