"""The form renderer (static/pwa/js/ui/form.js) in a real headless Chromium.

The real domain forms are rendered in a test page (tests/browser/pages/form-harness.html) served
with static/pwa/ by a small HTTP server; they are filled by label as a screen reader user or a
test would, and the data the renderer produces passes the server's validator unchanged.

Without /usr/bin/chromium the tests skip, unless CI=true: then they fail.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import struct
import threading
import uuid
import zlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from app.forms.definitions import load_builtin_form
from app.forms.schema import FormSchema
from app.forms.validate import validate_submission

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TODAY, NOW = "2026-11-24", "2026-11-24T09:00:00+07:00"
INSTITUTION = "0b7f6f3e-52a1-4f0e-9d43-6a3c8e1f2a10"
# More than 12 institutions on the device: the reference list gets a search box.
INSTITUTIONS = [{"record_id": INSTITUTION, "label": "Mondul Kumar Sangkat"}] + [
    {"record_id": str(uuid.UUID(int=i + 1, version=4)), "label": f"Children's centre {i + 1}"}
    for i in range(14)
]
GPS = {"latitude": 11.5564, "longitude": 104.9282, "accuracy": 8}


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium (Playwright's own download does not work here); skip without it."""
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is required when CI=true (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """static/pwa/ at /, the test page and the form definitions under /__test__/."""
    site = tmp_path_factory.mktemp("form-site")
    for entry in (ROOT / "static" / "pwa").iterdir():
        (site / entry.name).symlink_to(entry)
    (site / "__test__").mkdir()
    (site / "__test__" / "form-harness.html").symlink_to(
        ROOT / "tests" / "browser" / "pages" / "form-harness.html"
    )
    (site / "__test__" / "forms").symlink_to(ROOT / "app" / "forms" / "definitions")
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 600, "height": 960}, geolocation=GPS, permissions=["geolocation"]
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def open_form(
    page: Page, base_url: str, form_id: str, *, lang: str = "en", query: str = "", **config: Any
) -> None:
    config.setdefault("records", {"institution": INSTITUTIONS})
    page.add_init_script(f"window.__harness = {json.dumps(config)};")
    url = f"{base_url}/__test__/form-harness.html?form={form_id}&lang={lang}&today={TODAY}{query}"
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]")


def label(schema: FormSchema, path: str, lang: str = "en") -> str:
    found = schema.field_at(path)
    assert found is not None and found.label is not None, path
    return str(getattr(found.label, lang))


def server_errors(form_id: str, data: Any) -> list[tuple[str, str]]:
    records = {r["record_id"]: {"form_id": "institution", "data": {"baseline_beds": 60},
                                "location": "120203"} for r in INSTITUTIONS}  # fmt: skip
    result = validate_submission(
        load_builtin_form(form_id),
        data,
        today=date.fromisoformat(TODAY),
        now=datetime.fromisoformat(NOW),
        lookup_record=lambda _form_id, record_id: records.get(record_id),
    )
    return [(e.path, e.code) for e in result.errors]


def png(width: int, height: int) -> bytes:
    """A real PNG (RGB stripes), written by hand: no image library needed."""
    rows = [b"\x00" + bytes((x * 7 + k * 40) % 256 for x in range(width * 3)) for k in range(8)]
    raw = b"".join(rows[(y // 50) % 8] for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))  # fmt: skip


def choose(page: Page, question: str, answer: str) -> None:
    """Check the radio button `answer` of the radio group named `question`."""
    page.get_by_role("radiogroup", name=question).get_by_label(answer, exact=True).check()


def sign(page: Page, pad_label: str, nth: int = 0) -> None:
    box = page.get_by_label(pad_label, exact=True).nth(nth).bounding_box()
    assert box is not None
    x, y = box["x"], box["y"]
    page.mouse.move(x + box["width"] * 0.1, y + box["height"] * 0.6)
    page.mouse.down()
    for i in range(1, 12):
        dx, dy = 0.1 + i * 0.07, 0.6 - (i % 3) * 0.15
        page.mouse.move(x + box["width"] * dx, y + box["height"] * dy)
    page.mouse.up()


def data(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate("harness.getData()")
    return result


# --- institution_inspection --------------------------------------------------------------------


def test_an_inspection_filled_by_label_is_accepted_by_the_server(page: Page, base_url: str) -> None:
    form = load_builtin_form("institution_inspection")
    open_form(page, base_url, "institution_inspection")

    # a reference: a search box over the 15 institutions on the device, then the list
    page.get_by_label("Search the list: Institution").fill("kumar")
    page.get_by_label("Institution", exact=True).select_option(label="Mondul Kumar Sangkat")
    when = page.get_by_label("Date of inspection", exact=True)
    expect(when).to_have_value(TODAY)  # the dynamic default today()
    when.fill("2026-11-20")
    round_ = page.get_by_role("radiogroup", name="Inspection round")
    round_.get_by_label("Second half of the year (July–December)").check()

    # a repeat: one row from min_count, a second one added
    first = page.get_by_role("group", name="Inspectors 1")
    first.get_by_label("Inspector's name").fill("Keo Vanna")
    first.get_by_label("DoSVY").check()
    page.get_by_role("button", name="Add Inspectors").click()
    second = page.get_by_role("group", name="Inspectors 2")
    second.get_by_label("Inspector's name").fill("Ly Sreymom")
    second.get_by_label("District inspection focal point").check()

    counts = {"girls_0_2": 1, "boys_0_2": 0, "girls_3_5": 3, "boys_3_5": 2, "girls_6_11": 11,
              "boys_6_11": 13, "girls_12_17": 9, "boys_12_17": 10, "young_women_18_plus": 2,
              "young_men_18_plus": 1, "girls_with_disability": 1, "boys_with_disability": 2,
              "children_with_case_plan": 41}  # fmt: skip
    note = page.get_by_text("No child under 3 may live in residential care", exact=False)
    expect(note).to_be_hidden()
    for name, n in counts.items():
        page.get_by_label(label(form, f"children.{name}"), exact=True).fill(str(n))
    # calculations, live: a read-only field, a note showing values, a note made relevant
    expect(page.get_by_label("Children under 3", exact=True)).to_have_value("1")
    expect(page.get_by_text("Children under 18 counted: 49 (girls 24, boys 25).")).to_be_visible()
    expect(note).to_be_visible()
    page.get_by_label("Beds", exact=True).fill("55")

    # a constraint: its message inline on leaving the field, gone once fixed
    page.get_by_label("Staff in total", exact=True).fill("14")
    carers = page.get_by_label(label(form, "staff.carers"), exact=True)
    carers.fill("15")
    carers.press("Tab")
    expect(carers).to_have_attribute("aria-invalid", "true")
    message = page.locator(f"#{carers.get_attribute('id')}-e")
    expect(message).to_have_text("Cannot exceed the staff in total.")
    assert message.get_attribute("id") in (carers.get_attribute("aria-describedby") or "")
    carers.fill("8")
    expect(message).to_be_hidden()
    expect(carers).not_to_have_attribute("aria-invalid", "true")
    page.get_by_label("Social workers", exact=True).fill("1")
    expect(page.get_by_label("Children per carer", exact=True)).to_have_value("6.5")

    standards = form.field_at("standards")
    assert standards is not None and standards.fields is not None
    for name in [f.name for f in standards.fields if f.type == "yes_no"]:
        choose(page, label(form, f"standards.{name}"), "Yes")
    comments = page.get_by_label(label(form, "standards.standards_comments"), exact=True)
    expect(comments).to_be_hidden()  # every standard met: no comments asked
    choose(page, label(form, "standards.no_voluntourism"), "No")
    comments.fill("Tour groups visit on weekends.")

    # skip logic: an allegation of abuse brings the referral questions
    description = page.get_by_label(label(form, "abuse.abuse_description"), exact=True)
    expect(description).to_be_hidden()
    choose(page, label(form, "abuse_allegation"), "Yes")
    expect(description).to_be_visible()
    description.fill("A carer hit a boy with a stick.")
    referral_date = page.get_by_label("Date of referral", exact=True)
    reason = page.get_by_label("Why was it not referred?", exact=True)
    expect(referral_date).to_be_hidden()
    referred = page.get_by_role("radiogroup", name=label(form, "abuse.referred_to_rrt"))
    referred.get_by_label("No").check()
    expect(reason).to_be_visible()
    reason.fill("Waiting for the director")  # kept aside, not sent, once hidden
    referred.get_by_label("Yes").check()
    expect(referral_date).to_be_visible()
    expect(reason).to_be_hidden()
    referral_date.fill("2026-11-21")

    transition = "Transition to community-based services"  # in two questions
    choose(page, label(form, "institution_intention"), transition)
    choose(page, label(form, "recommended_follow_up"), transition)
    page.get_by_label(label(form, "follow_up_actions"), exact=True).fill("Stop tour visits.")

    # a photo: 3000 × 2000 PNG in, at most 1600 px JPEG out, stored by its SHA-256
    page.get_by_role("button", name="Add Photos").click()
    page.get_by_label("Photo", exact=True).set_input_files(
        files=[{"name": "dormitory.png", "mimeType": "image/png", "buffer": png(3000, 2000)}]
    )
    expect(page.get_by_text("Photo saved (1600 × 1067).")).to_be_visible(timeout=15000)
    photo = data(page)["photos"][0]["photo"]
    info = page.evaluate("sha => harness.blobInfo(sha)", photo)
    assert info["type"] == "image/jpeg" and info["head"].startswith("ffd8ff")
    assert (info["width"], info["height"]) == (1600, 1067)
    assert info["size"] < 1_000_000
    expect(page.get_by_role("img", name="Photo: Photo")).to_be_visible()
    page.get_by_label("What the photo shows", exact=True).fill("Dormitory, girls' side")

    # GPS from the device, accuracy shown
    page.get_by_role("button", name="Record location").click()
    expect(page.get_by_text("accuracy 8 m")).to_be_visible()

    # the signature pad gives a PNG, stored by its hash
    sign(page, "Lead inspector's signature")
    page.wait_for_function("() => harness.getData().inspector_signature")
    signature = data(page)["inspector_signature"]
    info = page.evaluate("sha => harness.blobInfo(sha)", signature)
    assert info["type"] == "image/png" and info["head"] == "89504e470d0a1a0a"

    assert page.evaluate("harness.validate()") == []
    final = data(page)
    assert server_errors("institution_inspection", final) == []
    assert final["children_under_3"] == 1 and final["children"]["children_total"] == 49
    assert final["staff"]["carer_child_ratio"] == 6.5
    assert final["abuse"] == {
        "abuse_description": "A carer hit a boy with a stick.",
        "referred_to_rrt": "yes",
        "rrt_referral_date": "2026-11-21",
    }
    assert final["gps"] == {"lat": 11.5564, "lon": 104.9282, "accuracy": 8}
    rows = final["inspectors"]
    assert [r["inspector_name"] for r in rows] == ["Keo Vanna", "Ly Sreymom"]
    assert len({uuid.UUID(r["_row_id"]) for r in rows}) == 2
    assert page.evaluate("harness.state.last") == final  # onChange saw every change
    assert page.evaluate("harness.state.changes") > 40

    # Khmer: every label switches, nothing is lost
    page.evaluate("harness.setLang('km')")
    expect(page.get_by_label(label(form, "inspection_date", "km"), exact=True)).to_have_value(
        "2026-11-20"
    )
    expect(
        page.get_by_role("radiogroup", name=label(form, "inspection_round", "km")).get_by_label(
            "ឆមាសទី២ (កក្កដា–ធ្នូ)"
        )
    ).to_be_checked()
    expect(page.get_by_role("button", name="បន្ថែម មន្ត្រីអធិការកិច្ច")).to_be_visible()
    expect(page.get_by_label("Date of inspection", exact=True)).to_have_count(0)
    assert data(page) == final
    page.evaluate("harness.setLang('en')")
    expect(page.get_by_label("Date of inspection", exact=True)).to_have_value("2026-11-20")


def test_errors_show_inline_with_a_summary_and_server_errors_by_path(
    page: Page, base_url: str
) -> None:
    open_form(page, base_url, "institution_inspection")
    errors = page.evaluate("harness.validate()")
    assert ("institution", "required") in {(e["path"], e["code"]) for e in errors}
    institution = page.get_by_label("Institution", exact=True)
    expect(institution).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".hw-summary")).to_contain_text(f"Please fix {len(errors)} problems:")
    expect(page.get_by_role("status").filter(has_text="problems")).to_have_count(1)  # announced
    assert page.evaluate("harness.focusFirstError()") is True
    expect(institution).to_be_focused()
    # required errors go live once shown: filling the field clears its message
    beds = page.locator(f"#{page.get_by_label('Beds', exact=True).get_attribute('id')}")
    beds_error = page.locator(f"#{beds.get_attribute('id')}-e")
    assert ("beds", "required") in {(e["path"], e["code"]) for e in errors}
    expect(beds).to_have_attribute("aria-invalid", "true")  # shown as invalid first ...
    expect(beds_error).to_be_visible()
    expect(beds_error).not_to_be_empty()
    beds.fill("12")
    expect(beds).not_to_have_attribute("aria-invalid", "true")  # ... and no longer
    expect(beds_error).to_be_hidden()
    # a rejected push: the server's messages, at their paths, in the current language
    page.evaluate(
        """harness.showErrors([{path: 'beds', code: 'beds_above_baseline',
            message: '12 beds reported, above the baseline of 10.', message_km: 'គ្រែ ១២'}])"""
    )
    expect(beds_error).to_contain_text("above the baseline")
    page.evaluate("harness.setLang('km')")
    expect(beds_error).to_contain_text("គ្រែ ១២")
    beds.fill("10")  # the user changes the value: the server's message goes
    expect(beds_error).not_to_contain_text("គ្រែ ១២")
    # too many rows cannot be added: Add is disabled at max_count, Remove at min_count
    expect(page.get_by_role("button", name="លុប មន្ត្រីអធិការកិច្ច ១")).to_be_disabled()


# --- placement_recommendation ------------------------------------------------------------------


def test_a_placement_recommendation_refuses_residential_care_under_3_then_passes(
    page: Page, base_url: str
) -> None:
    form = load_builtin_form("placement_recommendation")
    open_form(page, base_url, "placement_recommendation")
    page.get_by_label("Commune code", exact=True).fill("020105")
    page.get_by_label("Date of recommendation", exact=True).fill("2026-11-18")
    page.get_by_label("Child's full name", exact=True).fill("ស្រីនាង")
    page.get_by_label("Date of birth", exact=True).fill("2024-11-19")
    expect(page.get_by_text("Age on the recommendation date: 1 years.")).to_be_visible()
    choose(page, label(form, "date_of_birth_estimated"), "No")
    choose(page, "Sex", "Female")
    types = page.get_by_role("group", name="Type of disability")
    expect(types).to_be_hidden()
    choose(page, label(form, "disability"), "Yes")
    types.get_by_label("Hearing or speech").check()
    choose(page, label(form, "child_currently_with"), "With relatives")
    reasons = page.get_by_role("group", name=label(form, "reasons_for_separation"))
    reasons.get_by_label("Poverty").check()
    reasons.get_by_label("Other", exact=True).check()
    page.get_by_label("Other reason", exact=True).fill("The house was flooded")
    page.get_by_label(label(form, "reasons_description"), exact=True).fill("Grandmother is ill.")
    choose(page, "Is the mother alive?", "Yes")
    choose(page, "Is the father alive?", "Unknown")

    alternatives = page.get_by_role("group", name="Alternatives considered")
    alternatives.get_by_label("Kinship care").check()
    alternatives.get_by_label("None").check()
    alternatives.get_by_label("None").press("Tab")
    expect(alternatives).to_contain_text("'None' cannot be combined with other alternatives.")
    alternatives.get_by_label("None").uncheck()
    expect(alternatives).not_to_contain_text("'None' cannot be combined")

    placement = page.get_by_role("radiogroup", name="Recommended placement")
    placement.get_by_label("Residential care (last resort)").check()
    # refused at once for a child under 3: what residential care would open stays hidden (#16.6)
    expect(page.get_by_label(label(form, "residential_care.why_not_family_based"))).to_be_hidden()
    codes = {(e["path"], e["code"]) for e in page.evaluate("harness.validate()")}
    assert ("recommended_placement", "under_3_residential_care") in codes
    expect(placement).to_contain_text("Family-based care must be considered")
    expect(placement).to_have_attribute("aria-invalid", "true")

    placement.get_by_label("Kinship care").check()
    expect(page.get_by_label(label(form, "residential_care.why_not_family_based"))).to_be_hidden()
    expect(placement).not_to_have_attribute("aria-invalid", "true")
    page.get_by_label("Name of the relative", exact=True).fill("Yim Chanthou")
    page.get_by_role("group", name="Kinship carer").get_by_label(
        "Relationship to the child", exact=True
    ).fill("Aunt")
    page.get_by_label(label(form, "best_interests"), exact=True).fill("She lives near a school.")
    members = [("Hem Sarun", "CCWC chief (commune chief)"),
               ("Touch Bopha", "Focal point for women and children")]  # fmt: skip
    for i, (name, position) in enumerate(members):
        row = page.get_by_role("group", name=f"CCWC members {i + 1}")
        row.get_by_label("Name", exact=True).fill(name)
        row.get_by_label(position).check()
        sign(page, "Signature", nth=i)
    page.wait_for_function(
        "() => (harness.getData().ccwc_members || []).every(r => r.member_signature)"
    )
    assert page.evaluate("harness.validate()") == []
    final = data(page)
    assert server_errors("placement_recommendation", final) == []
    assert final["disability_types"] == ["hearing"]
    assert final["reasons_for_separation"] == ["poverty", "other"]
    assert final["alternatives_considered"] == ["kinship_care"]
    assert "residential_care" not in final and final["age_years"] == 1
    assert final["family"] == {"mother_alive": "yes", "father_alive": "unknown"}


def test_a_saved_draft_reopens_with_every_answer_and_in_khmer(page: Page, base_url: str) -> None:
    from tests.unit.test_domain_forms import placement_recommendation

    draft = placement_recommendation()
    open_form(page, base_url, "placement_recommendation", lang="km", data=draft)
    expect(page.get_by_label("លេខកូដឃុំ/សង្កាត់", exact=True)).to_have_value("020105")
    expect(page.get_by_role("radiogroup", name="ភេទ").get_by_label("ស្រី")).to_be_checked()
    assert page.evaluate("harness.validate()") == []
    assert data(page) == {**draft, "age_years": 7}
    assert server_errors("placement_recommendation", data(page)) == []


def test_a_returned_record_opens_read_only(page: Page, base_url: str) -> None:
    from tests.unit.test_domain_forms import institution_inspection

    record = institution_inspection()
    open_form(page, base_url, "institution_inspection", data=record, query="&readonly=1")
    expect(page.get_by_label("Beds", exact=True)).to_have_value("55")
    expect(page.get_by_label("Beds", exact=True)).not_to_be_editable()
    expect(choice := page.get_by_role("radiogroup", name="Inspection round")).to_be_visible()
    expect(choice.get_by_label("Second half of the year (July–December)")).to_be_disabled()
    expect(page.get_by_role("button", name="Add Inspectors")).to_have_count(0)
    expect(page.get_by_role("button", name="Record again")).to_be_disabled()
    expect(page.get_by_label("Search the list: Institution")).to_be_hidden()
    assert server_errors("institution_inspection", data(page)) == []


def test_datetime_long_choice_lists_and_a_typed_location(browser: Browser, base_url: str) -> None:
    context = browser.new_context(timezone_id="Asia/Phnom_Penh")  # no GPS permission here
    page = context.new_page()
    open_form(page, base_url, "abuse_report")
    reported = page.get_by_label("Date and time of this report", exact=True)
    expect(reported).to_have_value(re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d$"))  # now()
    reported.fill("2026-11-23T16:40")
    assert data(page)["reported_at"] == "2026-11-23T16:40:00+07:00"
    expect(page.get_by_label("Institution", exact=True)).to_be_hidden()
    page.close()

    page = context.new_page()
    open_form(page, base_url, "institution")
    province = page.get_by_label("Province", exact=True)  # 25 provinces: a list, not buttons
    assert province.evaluate("el => el.tagName") == "SELECT"
    province.select_option(label="Battambang")
    page.get_by_text("Enter the location by hand").click()
    gps = label(load_builtin_form("institution"), "gps")
    page.get_by_role("textbox", name=f"{gps} Latitude").fill("13.1")
    page.get_by_role("textbox", name=f"{gps} Longitude").fill("103.2")
    assert data(page)["gps"] == {"lat": 13.1, "lon": 103.2}
    codes = {(e["path"], e["code"]) for e in page.evaluate("harness.validate()")}
    assert ("gps", "wrong_type") in codes  # no accuracy yet
    page.get_by_role("textbox", name=f"{gps} Accuracy (metres)").fill("៥")  # Khmer digit
    assert data(page)["gps"] == {"lat": 13.1, "lon": 103.2, "accuracy": 5}
    expect(page.get_by_text("accuracy 5 m")).to_be_visible()
    codes = {(e["path"], e["code"]) for e in page.evaluate("harness.validate()")}
    assert not any(path == "gps" for path, _ in codes)
    assert data(page)["province"] == "02"
    context.close()


def test_on_a_phone_every_control_is_named_and_big_enough(page: Page, base_url: str) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    open_form(page, base_url, "placement_recommendation")
    page.get_by_role("radiogroup", name="Recommended placement").get_by_label(
        "Residential care (last resort)"
    ).check()
    checked, problems = page.evaluate(
        """() => {
          const out = [];
          let checked = 0;
          const named = (el) => el.labels?.length || el.getAttribute('aria-labelledby')
            || el.getAttribute('aria-label') || el.closest('label') || el.textContent.trim();
          const controls = '.hw-form :is(input, select, textarea, canvas, button)';
          for (const el of document.querySelectorAll(controls)) {
            if (!el.checkVisibility()) continue;
            if (!named(el)) out.push(`no name: ${el.outerHTML.slice(0, 80)}`);
            const target = el.matches('[type=radio],[type=checkbox]') ? el.closest('label') : el;
            const r = target.getBoundingClientRect();
            const what = target.outerHTML.slice(0, 80);
            checked += 1;
            if (r.height < 48 || r.width < 48) out.push(`small (${r.width}x${r.height}): ${what}`);
          }
          if (document.documentElement.scrollWidth > innerWidth) out.push('scrolls sideways');
          return [checked, out];
        }"""
    )
    # the placement form shows dozens of controls (fields, radio choices, buttons): a selector
    # that matched nothing, or controls all hidden, would check nothing and pass
    assert checked >= 40, checked
    assert problems == [], problems  # at least 48 px (docs/field-app.md)
