"""Background Sync in real headless Chromium against a real server: a tablet whose inspector
finished a form offline and closed the app uploads it when the connection returns, with no page
of the app open, because the service worker runs the app's own sync; with a page open, the page
syncs (and shows it). Page and worker never sync at once (one Web Lock per origin).

The Background Sync event is fired from outside, as the browser would fire it, through the
DevTools protocol (``ServiceWorker.dispatchSyncEvent``). Nothing is mocked: the service worker,
IndexedDB, HTTP and the server are real; ``context.route`` only watches the pushes (and says
whether the page or the service worker sent them).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import BrowserContext, CDPSession, Page, Request, Route, expect

from tests.browser.test_field_app import (
    api_token,
    bearer,
    expect_from_service_worker,
    expect_waiting,
    fill_inspection,
    go_offline,
    go_online,
    open_form,
    server_history,
    sign_in,
    submit,
    wait_idle,
    watch_responses,
)
from tests.browser.waiting import wait_until
from tests.live_server import LiveServer

TAG = "homeward-sync"


# --- watching the pushes -----------------------------------------------------------------------


@dataclass
class Pushes:
    """Every push the device makes, let through to the server unchanged: who sent it (the
    page or the service worker) and the change_ids it carried. ``lose`` answers: that many
    pushes reach the server, but their answer never reaches the device (a cut link)."""

    sent: list[tuple[str, list[str]]] = field(default_factory=list)
    lose: int = 0
    lost: list[int] = field(default_factory=list)  # the server's status for each lost answer
    hold: int = 0  # that many pushes wait in ``held`` (not sent on) until ``release()``
    held: list[Route] = field(default_factory=list)

    def handle(self, route: Route) -> None:
        request = route.request
        body = json.loads(request.post_data or "{}")
        who = "worker" if request.service_worker is not None else "page"
        self.sent.append((who, [c["change_id"] for c in body.get("changes", [])]))
        if self.hold > 0:
            self.hold -= 1
            self.held.append(route)  # answered later, by release()
            return
        if self.lose > 0:
            self.lose -= 1
            self.lost.append(route.fetch().status)  # the server stores the change ...
            route.abort("connectionreset")  # ... and the device never hears of it
            return
        route.continue_()

    def release(self) -> None:
        """Let the held pushes go on to the server."""
        while self.held:
            self.held.pop(0).continue_()

    def of(self, change_id: str) -> list[str]:
        """Who pushed this change, once per push that carried it."""
        return [who for who, ids in self.sent if change_id in ids]


def watch_pushes(context: BrowserContext) -> Pushes:
    pushes = Pushes()
    context.route("**/api/v1/sync/push", pushes.handle)
    return pushes


def watch_worker_api(context: BrowserContext) -> list[str]:
    """Every /api request the service worker makes ("METHOD path"), in order: a worker run
    that syncs makes some (a push, a pull, forms) even when it has nothing to push."""
    made: list[str] = []

    def seen(request: Request) -> None:
        path = urlsplit(request.url).path
        if request.service_worker is not None and path.startswith("/api/"):
            made.append(f"{request.method} {path}")

    context.on("request", seen)
    return made


def record_sync_reasons(page: Page) -> None:
    """From now on the page keeps, in window.syncReasons, the reason of each sync run that
    ended well ('online', 'background-sync', ...), in order."""
    page.evaluate(
        """() => {
          window.syncReasons = [];
          window.homeward.syncer.addEventListener(
            'synced', (e) => window.syncReasons.push(e.detail.reason));
        }"""
    )


def lock_requests_pending(page: Page) -> int:
    """How many requests for the sync lock wait in the origin (any context: the worker's too)."""
    return int(
        page.evaluate(
            """(name) => navigator.locks.query()
                 .then((s) => s.pending.filter((l) => l.name === name).length)""",
            TAG,
        )
    )


# --- firing Background Sync through the DevTools protocol ---------------------------------------


class DevTools:
    """A DevTools session on a blank page of the device: learns the app's service worker
    registration and fires its Background Sync event, as the browser does when the connection
    returns."""

    def __init__(self, context: BrowserContext, origin: str) -> None:
        self.origin = origin
        self.holder = context.new_page()  # about:blank: not a window of the app
        self.session: CDPSession = context.new_cdp_session(self.holder)
        self.registrations: dict[str, dict[str, Any]] = {}
        self.worker_errors: list[str] = []  # uncaught errors in the service worker
        self.retries_asked: list[str] = []  # sync events it rejected with SyncLater, on purpose
        self.session.on("ServiceWorker.workerRegistrationUpdated", self._registrations)
        self.session.on("ServiceWorker.workerErrorReported", self._error)
        self.session.send("ServiceWorker.enable")

    def _registrations(self, event: dict[str, Any]) -> None:
        for registration in event["registrations"]:
            self.registrations[registration["registrationId"]] = registration

    def _error(self, event: dict[str, Any]) -> None:
        # a sync event's waitUntil rejected with SyncLater asks the browser to fire it again
        # (the designed retry): Chromium reports it as an uncaught rejection; anything else is
        # an error of the worker
        message = str(event["errorMessage"]["errorMessage"])
        if message.startswith("Uncaught (in promise) SyncLater:"):
            self.retries_asked.append(message)
        else:
            self.worker_errors.append(message)

    def registration_id(self, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        scope = f"{self.origin}/"
        while True:
            for rid, registration in self.registrations.items():
                if registration["scopeURL"] == scope and not registration["isDeleted"]:
                    return rid
            assert time.monotonic() < deadline, f"no registration for {scope}: {self.registrations}"
            self.holder.wait_for_timeout(50)  # lets Playwright deliver the protocol's events

    def fire_sync(self) -> None:
        self.session.send(
            "ServiceWorker.dispatchSyncEvent",
            {
                "origin": self.origin,
                "registrationId": self.registration_id(),
                "tag": TAG,
                "lastChance": False,
            },
        )


# --- the server, through its own API -------------------------------------------------------------


def stored_record(server: LiveServer, token: str, record_id: str) -> dict[str, Any] | None:
    answer = httpx.get(f"{server.url}/api/v1/records/{record_id}", headers=bearer(token))
    if answer.status_code == 404:
        return None
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def eventually(holder: Page, check: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"still not {what} after {timeout} s"
        holder.wait_for_timeout(100)


def queue_inspection_offline(page: Page, server: LiveServer, *, photo: bool) -> dict[str, Any]:
    """Signed in online, then with no signal: fill and submit an inspection. Its outbox item."""
    sign_in(page, server)
    go_offline(page)
    open_form(page)
    fill_inspection(page, photo=photo)
    submit(page)
    expect_waiting(page, 1)
    items = page.evaluate("window.homeward.db.getAll('outbox')")
    assert len(items) == 1 and items[0]["state"] == "waiting", items
    assert page.errors == []  # type: ignore[attr-defined]
    return dict(items[0])


def close_the_app(context: BrowserContext, origin: str) -> None:
    for page in list(context.pages):
        if page.url.startswith(origin):
            page.close()


def outbox_on_device(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate("window.homeward.db.getAll('outbox')"))


def open_app(context: BrowserContext, url: str) -> Page:
    """A page of the app, its uncaught exceptions kept in ``page.errors`` (as conftest does)."""
    page = context.new_page()
    errors: list[str] = []
    page.errors = errors  # type: ignore[attr-defined]
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.responses = watch_responses(page)  # type: ignore[attr-defined]
    page.opening = page.goto(url)  # type: ignore[attr-defined]
    return page


def other_window(context: BrowserContext, server: LiveServer) -> Page:
    """A window of the origin that is not the app (the health check's JSON): it reads the
    device's IndexedDB without the app's code, and is no page for the worker to delegate to."""
    page = context.new_page()
    page.goto(f"{server.url}/healthz")
    return page


def device_rows(window: Page, store: str) -> list[dict[str, Any]]:
    """A store of the device's IndexedDB, read raw (no app code runs in ``window``)."""
    return list(
        window.evaluate(
            """(store) => new Promise((resolve, reject) => {
              const opening = indexedDB.open('homeward');
              opening.onerror = () => reject(opening.error);
              opening.onsuccess = () => {
                const db = opening.result;
                const read = db.transaction(store).objectStore(store).getAll();
                read.onsuccess = () => { db.close(); resolve(read.result); };
                read.onerror = () => { db.close(); reject(read.error); };
              };
            })""",
            store,
        )
    )


def device_meta(window: Page, key: str) -> Any:
    return {r["key"]: r["value"] for r in device_rows(window, "meta")}.get(key)


def device_session(window: Page) -> dict[str, Any] | None:
    session = device_meta(window, "session")
    return dict(session) if session else None


# --- the tests ---------------------------------------------------------------------------------


def test_with_the_app_closed_the_service_worker_uploads_what_was_finished_offline(
    new_device: Any, server: LiveServer
) -> None:
    page = new_device()
    context = page.context
    item = queue_inspection_offline(page, server, photo=True)
    record_id, change_id = item["record_id"], item["change_id"]
    files = set(item["attachments"])
    assert len(files) == 2  # the photo and the signature, still on the device only
    last_sync = page.evaluate("window.homeward.db.getMeta('last_sync:inspector.sr')")
    pushes = watch_pushes(context)
    tools = DevTools(context, server.url)
    tools.registration_id()

    close_the_app(context, server.url)  # the inspector closes the app, still offline
    assert [p.url for p in context.pages] == ["about:blank"]
    context.set_offline(False)  # the connection returns
    token = api_token(server, "mosvy")  # the server's own view, not the device's
    assert stored_record(server, token, record_id) is None  # nothing sent by itself so far

    tools.fire_sync()
    stored = eventually(
        tools.holder,
        lambda: (r := stored_record(server, token, record_id)) and not r["incomplete"] and r,
        "stored with both files",
    )
    assert pushes.of(change_id) == ["worker"]  # the service worker pushed it, once
    assert [r["rev"] for r in server_history(server, record_id)] == [1]  # stored exactly once
    assert stored["rev"] == 1
    assert stored["form_id"] == item["form_id"] and stored["form_version"] == item["form_version"]
    assert stored["data"] == item["data"]  # the content as the inspector finished it
    for sha in files:
        head = httpx.head(f"{server.url}/api/v1/attachments/{sha}", headers=bearer(token))
        assert head.status_code == 200, sha
    window = other_window(context, server)  # the worker's run ends (after its pull)
    eventually(window, lambda: device_meta(window, "last_sync:inspector.sr") != last_sync, "done")
    window.close()

    # the app opened again, with no signal (so it cannot sync itself): nothing waits
    context.set_offline(True)
    again = open_app(context, f"{server.url}/#/records")
    expect(again.get_by_role("heading", name="My records")).to_be_visible()
    expect_from_service_worker(again.opening, again.responses)  # type: ignore[attr-defined]
    expect_waiting(again, 0)
    expect(again.locator(f'[data-record-id="{record_id}"]')).to_contain_text("Sent")
    settled = outbox_on_device(again)
    assert [(i["change_id"], i["state"], i["result"]["status"]) for i in settled] == [
        (change_id, "sent", "applied")
    ]
    attachments = again.evaluate("window.homeward.db.getAll('attachments')")
    assert {a["sha256"]: a["state"] for a in attachments} == dict.fromkeys(files, "uploaded")
    # the worker also pulled: the device holds the record as the server has it
    pulled = again.evaluate(
        "(key) => window.homeward.db.get('records', key)", f"inspector.sr|{record_id}"
    )
    assert pulled and pulled["rev"] == 1

    record_sync_reasons(again)
    go_online(again)  # and back online, the app has nothing left to push
    wait_until(again, "window.syncReasons.includes('online')")  # its online run is over
    wait_idle(again)
    assert pushes.of(change_id) == ["worker"]
    assert [r["rev"] for r in server_history(server, record_id)] == [1]
    assert again.errors == []  # type: ignore[attr-defined]
    assert tools.worker_errors == []


def test_with_the_app_open_the_page_syncs_and_nothing_is_pushed_twice(
    new_device: Any, server: LiveServer
) -> None:
    page = new_device()
    context = page.context
    item = queue_inspection_offline(page, server, photo=False)
    change_id, record_id = item["change_id"], item["record_id"]
    pushes = watch_pushes(context)
    pushes.hold = 1  # the page's push waits, mid-run, while the browser fires the event
    from_worker = watch_worker_api(context)
    tools = DevTools(context, server.url)
    record_sync_reasons(page)

    go_online(page)  # the online event syncs at once
    eventually(page, lambda: pushes.held, "the page's push on its way")
    assert pushes.of(change_id) == ["page"]
    tools.fire_sync()  # the browser's Background Sync event, with the page open, mid-run
    # the worker asks the page, which is syncing, for one more run (Syncer.run sets `again`)
    wait_until(page, "window.homeward.syncer.again")
    pushes.release()
    # the online run, then the one the worker asked for (a run asked for during a run keeps
    # the first one's reason)
    wait_until(page, "window.syncReasons.filter((r) => r === 'online').length >= 2")
    wait_idle(page)
    expect_waiting(page, 0)
    page.wait_for_timeout(2000)  # a worker syncing by itself would go on now the lock is free
    assert pushes.of(change_id) == ["page"]  # pushed once, by the page
    assert all(who == "page" for who, _ in pushes.sent), pushes.sent
    assert from_worker == []  # the worker did not sync (not even a pull): it asked the page
    assert [r["rev"] for r in server_history(server, record_id)] == [1]
    assert page.errors == []
    assert tools.worker_errors == []


def test_the_service_worker_waits_for_a_sync_in_progress_elsewhere(
    new_device: Any, server: LiveServer
) -> None:
    """The worker's run takes the same Web Lock as the page's: while another context of the
    origin holds it (a page mid-sync), the worker pushes nothing; once it is free, it does."""
    page = new_device()
    context = page.context
    item = queue_inspection_offline(page, server, photo=False)
    change_id, record_id = item["change_id"], item["record_id"]
    pushes = watch_pushes(context)
    from_worker = watch_worker_api(context)
    tools = DevTools(context, server.url)
    tools.registration_id()
    close_the_app(context, server.url)
    context.set_offline(False)

    # a window of the origin that is not the app (the health check) holds the sync lock
    other = context.new_page()
    other.goto(f"{server.url}/healthz")
    other.evaluate(
        """() => new Promise((held) => {
          navigator.locks.request('homeward-sync', () => {
            held();
            return new Promise((release) => { window.releaseSync = release; });
          });
        })"""
    )
    assert lock_requests_pending(other) == 0
    tools.fire_sync()
    # the worker's run asks for the lock, and waits: its request is pending, nothing sent
    wait_until(
        other,
        """(name) => navigator.locks.query()
             .then((s) => s.pending.some((l) => l.name === name))""",
        TAG,
    )
    assert pushes.sent == []
    assert from_worker == []
    token = api_token(server, "mosvy")
    assert stored_record(server, token, record_id) is None

    other.evaluate("window.releaseSync()")
    eventually(other, lambda: stored_record(server, token, record_id), "stored")
    assert pushes.of(change_id) == ["worker"]
    assert [r["rev"] for r in server_history(server, record_id)] == [1]
    assert tools.worker_errors == []


def test_a_worker_push_whose_answer_is_lost_is_retried_by_the_next_event_and_stored_once(
    new_device: Any, server: LiveServer
) -> None:
    """No answer (a cut link): the worker's run fails, so the browser will fire again; the
    change stays queued, unchanged, and the next event settles it as the duplicate it is."""
    page = new_device()
    context = page.context
    item = queue_inspection_offline(page, server, photo=False)
    change_id, record_id = item["change_id"], item["record_id"]
    pushes = watch_pushes(context)
    pushes.lose = 1
    tools = DevTools(context, server.url)
    tools.registration_id()
    close_the_app(context, server.url)
    context.set_offline(False)
    token = api_token(server, "mosvy")

    tools.fire_sync()
    eventually(tools.holder, lambda: stored_record(server, token, record_id), "stored")
    # the server may store the change before the route hands its (then lost) answer back here
    eventually(tools.holder, lambda: pushes.lost, "the answer lost")
    assert pushes.lost == [200]
    window = other_window(context, server)
    queued = eventually(
        window,
        lambda: [i for i in device_rows(window, "outbox") if i["attempts"] == 1],
        "marked attempted",
    )
    assert [(i["change_id"], i["state"]) for i in queued] == [(change_id, "waiting")]
    assert queued[0]["data"] == item["data"]  # never changes once it may be on the server

    tools.fire_sync()  # the browser tries again later
    settled = eventually(
        window,
        lambda: [i for i in device_rows(window, "outbox") if i["state"] != "waiting"],
        "settled",
    )
    assert [(i["change_id"], i["state"], i["result"]["status"]) for i in settled] == [
        (change_id, "sent", "duplicate")
    ]
    assert pushes.of(change_id) == ["worker", "worker"]
    assert [r["rev"] for r in server_history(server, record_id)] == [1]  # stored once
    stored = stored_record(server, token, record_id)
    assert stored is not None and stored["data"] == item["data"]
    assert tools.worker_errors == []
    # the first event asked the browser to try again (the answer was lost); the second did not
    eventually(tools.holder, lambda: tools.retries_asked, "the retry asked for")
    assert len(tools.retries_asked) == 1, tools.retries_asked


def test_a_refused_token_makes_the_worker_stop_and_the_work_waits_for_the_next_sign_in(
    new_device: Any, server: LiveServer
) -> None:
    """A 401 is not a reason to retry: the worker marks the session expired (as the page does)
    and later events do nothing; the queued change stays until the inspector signs in again."""
    page = new_device()
    context = page.context
    item = queue_inspection_offline(page, server, photo=False)
    change_id, record_id = item["change_id"], item["record_id"]
    device_token = page.evaluate("window.homeward.db.getMeta('session')")["token"]
    pushes = watch_pushes(context)
    from_worker = watch_worker_api(context)
    tools = DevTools(context, server.url)
    tools.registration_id()
    close_the_app(context, server.url)
    context.set_offline(False)
    revoked = httpx.post(f"{server.url}/api/v1/auth/revoke", headers=bearer(device_token))
    assert revoked.status_code == 200, revoked.text

    tools.fire_sync()
    window = other_window(context, server)
    expired = eventually(
        window,
        lambda: (s := device_session(window)) and s["expires_at"].startswith("1970") and s,
        "marked expired",
    )
    assert expired["username"] == "inspector.sr" and expired["token"] == device_token
    assert pushes.of(change_id) == ["worker"]  # refused with 401: nothing stored
    token = api_token(server, "mosvy")
    assert stored_record(server, token, record_id) is None

    # a later event: nobody is signed in, so no request at all. The worker says nothing when
    # its event is over (no signal to wait on without changing the app): a bounded wait, long
    # enough for a run that did sync (it would push or pull within milliseconds)
    before = len(from_worker)
    assert before >= 1 and from_worker[-1] == "POST /api/v1/sync/push", from_worker
    tools.fire_sync()
    window.wait_for_timeout(3000)
    assert from_worker[before:] == []  # no /api request at all, not only no push
    assert len(pushes.sent) == 1
    assert [(i["change_id"], i["state"]) for i in device_rows(window, "outbox")] == [
        (change_id, "waiting")
    ]

    # the inspector opens the app: it asks for the password, and then sends the kept work
    again = open_app(context, f"{server.url}/")
    expect(again.get_by_role("button", name="Sign in")).to_be_visible()
    sign_in(again, server)
    eventually(again, lambda: stored_record(server, token, record_id), "stored")
    wait_idle(again)
    expect_waiting(again, 0)
    assert pushes.of(change_id) == ["worker", "page"]
    assert [r["rev"] for r in server_history(server, record_id)] == [1]
    assert again.errors == []  # type: ignore[attr-defined]
    assert tools.worker_errors == []
