"""Photos and signatures on a tablet used for months, in real headless Chromium against a real
server: an upload cut halfway resumes where the server's copy ends, and files the server has
held for the retention period leave the device but still show (from the server when online,
as an "on the server" placeholder offline).

The link is cut with Playwright's routing only; the app, the server and HTTP are real. Time
passes on the tablet's clock (Playwright's page clock), never by sleeping.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import random
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from playwright.sync_api import FilePayload, Page, Route, expect

from tests.browser.test_field_app import (
    INSPECTOR,
    api_token,
    bearer,
    expect_from_service_worker,
    expect_waiting,
    fill_inspection,
    go_offline,
    go_online,
    only_record_id,
    open_form,
    png,
    png_bytes,
    server_history,
    server_record,
    sign_in,
    submit,
    sync_now,
    wait_idle,
    watch_responses,
)
from tests.browser.waiting import wait_until
from tests.live_server import LiveServer

CHUNK = 256 * 1024  # CHUNK_BYTES in static/pwa/js/sync.js
DAY = 24 * 60 * 60
RETENTION_DAYS = 14  # RETENTION_DAYS in static/pwa/js/retention.js


# --- pictures made here ------------------------------------------------------------------------


def busy_photo(seed: int, width: int = 1600, height: int = 1200, block: int = 4) -> bytes:
    """A picture full of detail (random 4-pixel squares): after the app's own reduction to a
    JPEG at quality 0.8 it is still about 750 KB, three upload chunks."""
    rnd = random.Random(seed)
    rows = []
    for _ in range(height // block):
        cells = rnd.randbytes(3 * (width // block))
        line = b"\x00" + b"".join(cells[i : i + 3] * block for i in range(0, len(cells), 3))
        rows.append(line * block)
    return png(width, height, b"".join(rows), level=1)


def plain_photo(rgb: tuple[int, int, int], width: int = 64, height: int = 48) -> bytes:
    return png_bytes(width, height, rgb)


# --- the app -----------------------------------------------------------------------------------


def add_photo(page: Page, picture: bytes, name: str) -> str:
    """Add a row to Photos with this picture; returns the hash the app stored it under."""
    page.get_by_role("button", name="Add Photos").click()
    page.get_by_label("Photo", exact=True).last.set_input_files(
        files=FilePayload(name=name, mimeType="image/png", buffer=picture)
    )
    expect(page.get_by_text(re.compile(r"Photo saved")).last).to_be_visible(timeout=30000)
    return str(
        wait_until(
            page,
            """async () => {
              const drafts = await window.homeward.db.getAll('drafts');
              const rows = (drafts.length && drafts[0].data.photos) || [];
              return rows.length && rows[rows.length - 1].photo;
            }""",
        )
    )


def draft_signature(page: Page) -> str:
    return str(
        page.evaluate(
            "window.homeward.db.getAll('drafts').then((d) => d[0].data.inspector_signature)"
        )
    )


def sign_differently(page: Page) -> str:
    """One more stroke on the signature pad: another signature, another hash."""
    before = draft_signature(page)
    pad = page.get_by_role("img", name="Lead inspector's signature")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] - 60, box["y"] + 15)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 20, box["y"] + box["height"] - 15, steps=5)
    page.mouse.up()
    return str(
        wait_until(
            page,
            """(before) => window.homeward.db.getAll('drafts').then((d) =>
                 d.length && d[0].data.inspector_signature !== before
                   && d[0].data.inspector_signature)""",
            before,
        )
    )


def attachment_rows(page: Page) -> dict[str, dict[str, Any]]:
    """The device's attachment rows, by hash: state, whether the bytes are here, times."""
    rows = page.evaluate(
        """async () => (await window.homeward.db.getAll('attachments')).map((a) => ({
             sha256: a.sha256, state: a.state, size: a.size, content_type: a.content_type,
             has_blob: Boolean(a.blob), blob_size: a.blob ? a.blob.size : null,
             uploaded_at: a.uploaded_at || null, pruned_at: a.pruned_at || null }))"""
    )
    return {row["sha256"]: row for row in rows}


def named_in(record: dict[str, Any]) -> set[str]:
    data = record["data"]
    return {row["photo"] for row in data.get("photos", [])} | {data["inspector_signature"]}


def server_file(server: LiveServer, sha: str) -> bytes:
    answer = httpx.get(
        f"{server.url}/api/v1/attachments/{sha}", headers=bearer(api_token(server, "mosvy"))
    )
    assert answer.status_code == 200, answer.text
    return answer.content


# --- 1. an upload cut halfway --------------------------------------------------------------------


@dataclass
class Link:
    """The tablet's link as Playwright's routing sees it: every /api request passes, except
    that the photo's second chunk is cut (its request lost, or its answer lost), and from then
    on the link is down until restore(). Each PUT of the photo that reached the server is noted
    with the server's answer."""

    photo: str
    lose: str  # "request": chunk 2 never reaches the server; "answer": it does, its answer not
    down: bool = False
    puts: int = 0
    delivered: list[tuple[int, int, int]] = field(default_factory=list)  # offset, bytes, status
    heads: list[int | None] = field(default_factory=list)  # Upload-Offset in each HEAD answer

    def handle(self, route: Route) -> None:
        request = route.request
        if self.down:
            route.abort("internetdisconnected")
            return
        if f"/attachments/{self.photo}" not in request.url or request.method not in ("HEAD", "PUT"):
            route.continue_()
            return
        if request.method == "HEAD":
            answer = route.fetch()
            held = answer.headers.get("upload-offset")
            self.heads.append(None if held is None else int(held))
            route.fulfill(response=answer)
            return
        self.puts += 1
        if self.puts == 2 and self.lose == "request":
            self.down = True
            route.abort("internetdisconnected")  # the chunk is lost on the way
            return
        answer = route.fetch()  # the request reaches the server
        offset = int(request.headers.get("upload-offset") or 0)
        self.delivered.append((offset, len(request.post_data_buffer or b""), answer.status))
        if self.puts == 2:  # lose == "answer": stored, and the tablet never hears of it
            self.down = True
            route.abort("connectionreset")
            return
        route.fulfill(response=answer)

    def restore(self) -> int:
        """The link is back; returns how many PUTs of the photo reached the server so far."""
        self.down = False
        return len(self.delivered)

    def stored(self) -> list[tuple[int, int]]:
        """(offset, bytes) of the PUTs whose bytes the server kept (204 part, 201 complete)."""
        return [(offset, n) for offset, n, status in self.delivered if status in (201, 204)]


def cut_mid_photo(page: Page, server: LiveServer, lose: str, seed: int) -> tuple[Link, str, int]:
    """An inspection with a photo of several chunks, submitted online; the link goes down in
    the middle of the photo's upload. Returns the link, the photo's hash and its size."""
    sign_in(page, server)
    open_form(page)
    fill_inspection(page, photo=False)
    photo = add_photo(page, busy_photo(seed=seed), "courtyard.png")
    size = int(attachment_rows(page)[photo]["blob_size"])
    assert size > 2 * CHUNK, f"the photo must span more than two chunks, it is {size} bytes"
    link = Link(photo, lose)
    page.context.route("**/api/**", link.handle)
    submit(page)  # online: the app syncs at once, and the link goes down mid-photo
    page.wait_for_function("() => window.homeward.syncer.lastError !== null")
    wait_idle(page)
    return link, photo, size


def upload_offset(server: LiveServer, sha: str) -> int | None:
    """What the server holds of the tablet user's unfinished upload (HEAD's Upload-Offset,
    shown to the uploader only); None when whole."""
    head = httpx.head(
        f"{server.url}/api/v1/attachments/{sha}", headers=bearer(api_token(server, INSPECTOR))
    )
    if head.status_code == 200:
        return None
    assert head.status_code == 404, head.status_code
    return int(head.headers["upload-offset"])


def expect_whole_and_complete(page: Page, server: LiveServer, photo: str, size: int) -> str:
    """The server's copy hashes to its name; the record is complete and stored once; the
    tablet knows it. Returns the record_id."""
    stored = server_file(server, photo)
    assert len(stored) == size
    assert hashlib.sha256(stored).hexdigest() == photo
    record_id = only_record_id(page)
    record = server_record(server, record_id)
    assert record["incomplete"] is False
    assert record["data"]["photos"][0]["photo"] == photo
    assert [r["rev"] for r in server_history(server, record_id)] == [1]
    assert attachment_rows(page)[photo]["state"] == "uploaded"
    outbox = page.evaluate("window.homeward.db.getAll('outbox')")
    assert [(i["record_id"], i["state"]) for i in outbox] == [(record_id, "sent")]
    wait_until(
        page,
        "(id) => window.homeward.db.get('records', `inspector.sr|${id}`)"
        ".then((r) => r && r.incomplete === false)",
        record_id,
    )
    page.goto(f"{page.url.split('#')[0]}#/records")
    expect(page.locator(f'[data-record-id="{record_id}"]')).to_contain_text("Sent")
    expect_waiting(page, 0)
    return record_id


@pytest.mark.parametrize("lose", ["request", "answer"])
def test_a_photo_upload_cut_halfway_resumes_where_the_servers_copy_ends(
    new_device: Any, server: LiveServer, lose: str
) -> None:
    page = new_device()
    link, photo, size = cut_mid_photo(page, server, lose, seed=17)
    held = CHUNK if lose == "request" else 2 * CHUNK

    # seen from the server: the record is stored, incomplete, with part of the photo
    assert upload_offset(server, photo) == held
    assert server_record(server, only_record_id(page))["incomplete"] is True
    assert attachment_rows(page)[photo]["state"] == "queued"

    before = link.restore()
    sync_now(page)

    # resumed from the server's offset: the first PUT after the cut starts where HEAD said
    assert link.heads[-1] == held
    resumed = link.delivered[before:]
    assert resumed, "nothing was sent after the link came back"
    assert resumed[0][0] == held
    assert all(offset > 0 for offset, _, _ in resumed), "the upload restarted at 0"
    # every byte reached the server exactly once, in order, and was kept
    assert link.stored() == [(o, n) for o, n, _ in link.delivered]
    offsets = [offset for offset, _ in link.stored()]
    assert offsets == [sum(n for _, n in link.stored()[:i]) for i in range(len(offsets))]
    assert sum(n for _, n in link.stored()) == size

    expect_whole_and_complete(page, server, photo, size)
    assert page.errors == []


class StalledUpload:
    """The cut request as the server still sees it: a PUT of the photo from `offset` that sent
    some bytes and then hangs (a dead connection can take the server minutes to notice) and
    holds the file's upload lock until drop()."""

    def __init__(self, server: LiveServer, sha: str, offset: int, size: int, data: bytes) -> None:
        self.gate = threading.Event()

        def body() -> Iterator[bytes]:
            yield data
            self.gate.wait(60)
            raise ConnectionAbortedError("the link is gone")

        def put() -> None:
            headers = {
                **bearer(api_token(server, "inspector.sr")),
                "Content-Type": "image/jpeg",
                "Upload-Offset": str(offset),
                "Upload-Length": str(size),
            }
            with contextlib.suppress(httpx.HTTPError, ConnectionAbortedError):
                httpx.put(
                    f"{server.url}/api/v1/attachments/{sha}",
                    content=body(),
                    headers=headers,
                    timeout=90,
                )

        self.thread = threading.Thread(target=put, daemon=True)
        self.thread.start()

    def drop(self) -> None:
        self.gate.set()
        self.thread.join(30)


def test_a_resume_while_the_server_still_holds_the_cut_request_retries_by_itself(
    new_device: Any, server: LiveServer
) -> None:
    page = new_device()
    link, photo, size = cut_mid_photo(page, server, "request", seed=29)
    assert upload_offset(server, photo) == CHUNK
    more = base64.b64decode(
        page.evaluate(
            """async ([sha, from, n]) => {
              const row = await window.homeward.db.get('attachments', sha);
              const bytes = new Uint8Array(await row.blob.slice(from, from + n).arrayBuffer());
              let s = '';
              for (const b of bytes) s += String.fromCharCode(b);
              return btoa(s);
            }""",
            [photo, CHUNK, 64 * 1024],
        )
    )
    stalled = StalledUpload(server, photo, CHUNK, size, more)
    try:
        deadline = time.monotonic() + 15
        while (upload_offset(server, photo) or 0) <= CHUNK:  # its bytes are arriving
            assert time.monotonic() < deadline, "the stalled upload never started"
            page.wait_for_timeout(50)

        # no retry armed while the link was down may fire into the run below (a second 409):
        # let a run in progress end (it fails, and arms a retry), then disarm the retry. The
        # retry this test waits for below is the one "Sync now"'s busy answer arms.
        page.evaluate(
            """async () => {
              const syncer = window.homeward.syncer;
              while (syncer.running) await syncer.running;
              syncer.clearRetry();
            }"""
        )
        before = link.restore()
        sync_now(page)  # the server is busy with the old request: 409, ask again in a moment
        assert [status for _, _, status in link.delivered[before:]] == [409]
        assert attachment_rows(page)[photo]["state"] == "queued"
        assert server_record(server, only_record_id(page))["incomplete"] is True
    finally:
        stalled.drop()  # the server notices the old connection is gone

    # nobody presses anything: the app asks again by itself and finishes the photo
    deadline = time.monotonic() + 45
    while upload_offset(server, photo) is not None:
        assert time.monotonic() < deadline, "the app did not resume by itself"
        page.wait_for_timeout(200)
    wait_idle(page)
    # from what the server held, the stalled request's bytes included: not from the app's memory
    held = link.heads[-1]
    assert held is not None and held > CHUNK
    resumed = [(o, n) for o, n, status in link.delivered[before:] if status in (201, 204)]
    assert resumed[0][0] == held
    assert sum(n for _, n in resumed) == size - held
    expect_whole_and_complete(page, server, photo, size)
    assert page.errors == []


# --- 2. photos leave the tablet after the retention period --------------------------------------


def fill_and_submit(
    page: Page, server: LiveServer, picture: bytes, *, other_signature: bool
) -> tuple[str, set[str]]:
    """An inspection with one photo, sent at once; returns its record_id and its files."""
    page.get_by_role("link", name="Homeward").click()
    open_form(page)
    fill_inspection(page, photo=False)
    add_photo(page, picture, "wall.png")
    if other_signature:
        sign_differently(page)
    record_id = str(
        page.evaluate("window.homeward.db.getAll('drafts').then((d) => d[0].record_id)")
    )
    submit(page)
    wait_idle(page)
    expect_waiting(page, 0)
    return record_id, named_in(server_record(server, record_id))


def test_files_on_the_server_leave_the_tablet_after_the_retention_and_still_show(
    new_device: Any, server: LiveServer
) -> None:
    page = new_device()
    # the tablet's clock starts 15 days ago and runs; later it is set to today
    page.clock.install(time=time.time() - (RETENTION_DAYS + 1) * DAY)
    sign_in(page, server)

    first, first_files = fill_and_submit(
        page, server, plain_photo((200, 120, 40)), other_signature=False
    )
    second, second_files = fill_and_submit(
        page, server, plain_photo((40, 90, 160)), other_signature=True
    )
    assert not first_files & second_files
    signature = server_record(server, first)["data"]["inspector_signature"]
    (photo,) = first_files - {signature}

    # a supervisor returns the second: the tablet must keep its files for the correction
    returned = httpx.post(
        f"{server.url}/api/v1/records/{second}/review",
        json={"action": "return", "comment": "Add a photo of the kitchen."},
        headers=bearer(api_token(server, "mosvy")),
    )
    assert returned.status_code == 200, returned.text
    sync_now(page)
    rows = attachment_rows(page)
    assert all(rows[sha]["state"] == "uploaded" and rows[sha]["has_blob"] for sha in first_files)
    assert all(rows[sha]["has_blob"] for sha in second_files)

    # fifteen days later, the next sync drops what the server has held long enough
    page.clock.set_system_time(time.time())
    sync_now(page)
    rows = attachment_rows(page)
    for sha in first_files:  # sent, on the server for 15 days, nothing on the tablet needs it
        assert rows[sha]["has_blob"] is False, sha
        assert rows[sha]["state"] == "uploaded" and rows[sha]["pruned_at"], rows[sha]
        assert rows[sha]["size"] > 0 and rows[sha]["content_type"]  # the row stays
    for sha in second_files:  # named by a returned record
        assert rows[sha]["has_blob"] is True, sha
    for sha in first_files | second_files:  # the server still has every one of them, whole
        assert hashlib.sha256(server_file(server, sha)).hexdigest() == sha

    page.get_by_role("link", name="Settings").click()
    expect(page.locator("#attachments-pruned")).to_contain_text(
        f"{len(first_files)} photos and signatures have left this device"
    )
    expect(page.locator("#attachments-retention")).to_contain_text("14 days")

    # online, the first record's photo and signature come from the server, with the token
    fetched: list[tuple[str, str, str | None]] = []
    page.on(
        "request",
        lambda r: (
            fetched.append((r.method, r.url, r.headers.get("authorization")))
            if "/api/v1/attachments/" in r.url
            else None
        ),
    )
    page.goto(f"{page.url.split('#')[0]}#/record/{first}")
    thumb = page.get_by_role("img", name="Photo: Photo")
    expect(thumb).to_be_visible()
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.hw-thumb')].some((i) => i.naturalWidth === 64)"
    )
    expect(page.locator(".hw-on-server:visible")).to_have_count(0)
    gets = {url.rsplit("/", 1)[1] for method, url, auth in fetched if method == "GET" and auth}
    assert {photo, signature} <= gets

    # offline, a clear placeholder says where they are, in English and in Khmer
    go_offline(page)
    seen = watch_responses(page)
    opened = page.reload()
    expect(page.locator("#attachments-on-server")).to_be_visible()
    expect_from_service_worker(opened, seen)
    expect(
        page.get_by_text("Photo kept on the server: it shows here when this device is online.")
    ).to_be_visible()
    expect(
        page.get_by_text("Signature kept on the server: it shows here when this device is online.")
    ).to_be_visible()
    expect(page.get_by_role("img", name="Photo: Photo")).to_be_hidden()
    page.get_by_role("button", name="ភាសាខ្មែរ").click()
    expect(page.get_by_text("រូបថតត្រូវបានរក្សាទុកនៅលើម៉ាស៊ីនមេ", exact=False)).to_be_visible()
    expect(page.get_by_text("ហត្ថលេខាត្រូវបានរក្សាទុកនៅលើម៉ាស៊ីនមេ", exact=False)).to_be_visible()
    page.get_by_role("button", name="English").click()

    # the returned record still shows its own photo from the device, offline
    page.goto(f"{page.url.split('#')[0]}#/record/{second}")
    expect(page.locator("#record-state")).to_have_text("Returned by a supervisor")
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.hw-thumb')].some((i) => i.naturalWidth === 64)"
    )
    expect(page.locator(".hw-on-server:visible")).to_have_count(0)
    expect(page.locator("#attachments-on-server")).to_have_count(0)

    # corrected and sent again: its files stay another retention period from that sending
    page.get_by_role("button", name="Correct and send again").click()
    page.get_by_label("Beds", exact=True).fill("22")
    submit(page)
    go_online(page)
    sync_now(page)
    expect_waiting(page, 0)
    assert server_record(server, second)["review"]["state"] == "received"
    rows = attachment_rows(page)
    assert all(rows[sha]["has_blob"] for sha in second_files)
    assert [r["rev"] for r in server_history(server, second)] == [1, 2]
    assert page.errors == []
