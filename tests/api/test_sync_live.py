"""Sync against a real server process: concurrent writers on two workers with a reader
following the cursor (PostgreSQL), and kill -9 of the server while a client pushes."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import httpx
import pytest

from app.demo.accounts import DEMO_PASSWORD
from tests.api.sync_helpers import change, placement_data
from tests.live_server import LiveServer

MAX_PUSHES = 300  # a bound, so that a server that keeps failing fails the test, not hangs it
MAX_KILLS = 40
PAGES_WHILE_WRITING = 6  # pull pages the reader reads while the writers write


def _token(base: str, username: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/v1/auth/token",
        data={"username": username, "password": DEMO_PASSWORD},
        timeout=30,
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _follow(
    base: str,
    headers: dict[str, str],
    cursor: str | None,
    seen: dict[str, int],
    pages: list[int] | None = None,
) -> str | None:
    """Follow the cursor until ``more`` is false; record the highest rev seen per record
    (and count the pages read in ``pages[0]``)."""
    for _ in range(10_000):
        params: dict[str, Any] = {"limit": 37}
        if cursor:
            params["cursor"] = cursor
        page = httpx.get(
            f"{base}/api/v1/sync/pull", params=params, headers=headers, timeout=30
        ).json()
        for record in page["records"]:
            seen[record["record_id"]] = max(seen.get(record["record_id"], 0), record["rev"])
        assert page["cursor"] or not page["records"]
        cursor = page["cursor"] or cursor
        if pages is not None:
            pages[0] += 1
        if not page["more"]:
            return cursor
    raise AssertionError("the cursor never ended: a loop")


def test_cursor_misses_nothing_under_concurrent_writers_on_two_workers(
    postgres_demo_database: str,
) -> None:
    """The out-of-order commit hole exists with concurrent writers: PostgreSQL, two workers."""
    server = LiveServer(postgres_demo_database, workers=2).start()
    try:
        base = server.url
        writer_headers = [_token(base, "ccwc.pp") for _ in range(4)]
        reader_headers = _token(base, "supervisor.pp")
        seen: dict[str, int] = {}
        cursor = _follow(base, reader_headers, None, seen)
        written: dict[str, int] = {}
        lock = threading.Lock()
        done = threading.Event()

        def writer(headers: dict[str, str], seed: int) -> None:
            rng = random.Random(seed)
            mine: list[str] = []
            with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                for batch in range(100):
                    # at least 12 batches each, and on until the reader has read pages of the
                    # cursor while writes are in flight (a loaded machine reads slowly; and
                    # while writes go on, one pass of the reader may not reach the end)
                    if batch >= 12 and pages[0] >= PAGES_WHILE_WRITING:
                        break
                    changes = []
                    for _ in range(rng.randint(1, 8)):
                        if mine and rng.random() < 0.3:  # edit one of mine on its latest rev
                            record_id = rng.choice(mine)
                            with lock:
                                rev = written[record_id]
                            changes.append(
                                change(
                                    "placement_recommendation",
                                    placement_data(village=f"v{rng.random()}"),
                                    record_id=record_id,
                                    base_rev=rev,
                                )
                            )
                        else:
                            changes.append(change("placement_recommendation", placement_data()))
                    body = {"device_id": f"tab-{seed}", "changes": changes}
                    results = client.post("/api/v1/sync/push", json=body).json()["results"]
                    with lock:
                        for result in results:
                            # two edits of one record in a batch may clash: still a revision
                            assert result["status"] in {"applied", "merged", "conflict"}, result
                            written[result["record_id"]] = result["rev"]
                    mine.extend(r["record_id"] for r in results)
                    time.sleep(rng.random() * 0.02)

        failures: list[BaseException] = []
        pages = [0]  # pull pages the reader has read since the writers started

        def guarded(headers: dict[str, str], seed: int) -> None:
            try:
                writer(headers, seed)
            except BaseException as exc:  # a thread's failure must fail the test
                failures.append(exc)

        threads = [
            threading.Thread(target=guarded, args=(h, i)) for i, h in enumerate(writer_headers)
        ]
        for thread in threads:
            thread.start()

        before_writes = len(seen)

        def reader() -> None:
            nonlocal cursor
            try:
                while not done.is_set():
                    cursor = _follow(base, reader_headers, cursor, seen, pages)
            except BaseException as exc:
                failures.append(exc)

        reading = threading.Thread(target=reader)
        reading.start()
        for thread in threads:
            thread.join()
        seen_while_writing = len(seen) - before_writes
        done.set()
        reading.join()
        cursor = _follow(base, reader_headers, cursor, seen)  # one last catch-up
        assert len(written) > 50
        assert failures == []
        # the reader followed the cursor while the writes were in flight, not only after
        assert pages[0] >= PAGES_WHILE_WRITING, pages
        assert seen_while_writing > 0
        missed = {rid: rev for rid, rev in written.items() if seen.get(rid, 0) < rev}
        assert missed == {}
    finally:
        server.stop()


def test_kill_9_while_pushing_stores_every_submission_exactly_once(database: str) -> None:
    from sqlalchemy import func, select

    from app.db.engine import reset_engines
    from app.db.session import session_scope
    from app.demo.accounts import ensure_demo_accounts
    from app.models import Record, RecordRevision

    with session_scope() as session:
        ensure_demo_accounts(session)
    reset_engines()
    server = LiveServer(database).start()
    rng = random.Random(7)
    sent: dict[str, dict[str, Any]] = {}
    try:
        headers = _token(server.url, "ccwc.pp")
        pending = [
            change("placement_recommendation", placement_data(village=f"village {i}"))
            for i in range(120)
        ]
        for c in pending:
            sent[c["record_id"]] = c["data"]
        kills = interrupted = 0
        queue = list(pending)
        for _ in range(MAX_PUSHES):
            if not queue:
                break
            batch = queue[:15]
            killer = None
            # at least 4 kills, and more until one has cut a push short (a kill that lands
            # after the answer only restarts the server between pushes)
            wanted = kills < 4 or (interrupted == 0 and kills < MAX_KILLS)
            if wanted and rng.random() < 0.6:
                killer = threading.Timer(rng.random() * 0.05, server.kill)
                killer.start()
            try:
                response = httpx.post(
                    f"{server.url}/api/v1/sync/push",
                    headers=headers,
                    json={"device_id": "tab-crash", "changes": batch},
                    timeout=30,
                )
            except httpx.ConnectError:
                pass  # killed before the push reached it: send it again
            except httpx.TransportError:
                interrupted += 1  # killed during the push: the answer was lost, retry it
            else:
                # a server that answers must answer well, even just after a crash
                assert response.status_code == 200, response.text
                results = response.json()["results"]
                assert all(r["status"] in {"applied", "duplicate"} for r in results), results
                queue = queue[len(batch) :]
            if killer is not None:
                killer.join()
            if server.process is not None and server.process.poll() is not None:
                kills += 1
                server.start()
                headers = _token(server.url, "ccwc.pp")
        else:
            pytest.fail(f"{len(queue)} changes still unsent after {MAX_PUSHES} pushes")
        assert kills >= 4
        assert interrupted >= 1, "no kill cut a push short"
    finally:
        server.stop()
    with session_scope() as session:
        records = dict(
            session.execute(
                select(Record.record_id, Record.data).where(Record.record_id.in_(list(sent)))
            )
            .tuples()
            .all()
        )
        revisions = session.scalar(
            select(func.count())
            .select_from(RecordRevision)
            .where(RecordRevision.record_id.in_(list(sent)))
        )
    assert set(records) == set(sent)
    assert revisions == len(sent)
    for record_id, data in sent.items():
        assert records[record_id]["village"] == data["village"]
