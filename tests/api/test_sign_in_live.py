"""Parallel wrong passwords against a real server with two worker processes (#14 item 4)."""

from __future__ import annotations

import threading
from collections import Counter

import httpx
import pytest
from sqlalchemy import select

from app.db.session import session_scope
from app.models import LoginAttempt
from app.settings import get_settings
from tests.live_server import LiveServer

PARALLEL = 40


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_parallel_guesses_on_two_workers_are_each_counted(
    backend: str, request: pytest.FixtureRequest
) -> None:
    database = request.getfixturevalue(f"{backend}_demo_database")
    server = LiveServer(database, workers=2).start()
    start = threading.Barrier(PARALLEL)
    statuses: list[int] = []
    lock = threading.Lock()

    def guess(n: int) -> None:
        start.wait()
        response = httpx.post(
            f"{server.url}/api/v1/auth/token",
            data={"username": "mosvy", "password": f"wrong-{n}"},
            timeout=120,
        )
        with lock:
            statuses.append(response.status_code)

    try:
        threads = [threading.Thread(target=guess, args=(n,)) for n in range(PARALLEL)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    counts = Counter(statuses)
    assert set(counts) <= {401, 429}, counts  # no 500: no lost lock, no busy database
    free = get_settings().login_free_failures
    # the clock runs: a guess may rightly pass after a wait of 1, 2 … s, but no more
    assert free <= counts[401] <= free + 2, counts
    with session_scope() as session:
        counters = {a.source: a.failures for a in session.scalars(select(LoginAttempt))}
    assert counters == {"addr:127.0.0.1": counts[401], "account": counts[401]}
