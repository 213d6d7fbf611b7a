"""A writer's transaction ends inside the call that began it (app.db.committed), so the writer
lock and PostgreSQL's row lock on the sync counter are free the moment an error leaves it.

This matters because a push runs on the event loop: if a failed request kept the lock until
its teardown (which runs on that loop), a push in the same worker would wait for it forever."""

from __future__ import annotations

import threading

import pytest

from app.db.session import committed, session_factory
from app.db.writer_lock import holds_writer_lock
from app.sync.sequence import next_seq


def _seq_in_thread(results: list[int]) -> threading.Thread:
    def run() -> None:
        with session_factory()() as other, committed(other):
            results.append(next_seq(other))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_an_error_releases_the_lock_before_it_leaves_the_block(database: str) -> None:
    session = session_factory()()
    try:
        with pytest.raises(LookupError), committed(session):
            before = next_seq(session)
            raise LookupError("no such record")
        assert not holds_writer_lock(session)
        # the session stays open (as a request's does until its teardown), yet another
        # writer gets the sequence at once, and the rolled-back value is given again
        results: list[int] = []
        thread = _seq_in_thread(results)
        thread.join(timeout=10)
        assert not thread.is_alive(), "the second writer waited for the first one's lock"
        assert results == [before]
    finally:
        session.close()


def test_success_commits_and_releases(database: str) -> None:
    session = session_factory()()
    try:
        with committed(session):
            first = next_seq(session)
        assert not holds_writer_lock(session)
        results: list[int] = []
        thread = _seq_in_thread(results)
        thread.join(timeout=10)
        assert not thread.is_alive()
        assert results == [first + 1]
    finally:
        session.close()


def test_a_second_writer_waits_until_the_first_commits_then_gets_the_next_value(
    database: str,
) -> None:
    """What keeps the pull cursor from skipping a record (app/sync/sequence.py): a sequence
    value is taken under a lock held to the end of its transaction, so no later value can
    become visible before an earlier one. Deterministic, on both databases: the second writer
    is still waiting while the first is open, and gets the very next value once it commits."""
    session = session_factory()()
    try:
        with committed(session):
            first = next_seq(session)
            results: list[int] = []
            thread = _seq_in_thread(results)
            thread.join(timeout=0.5)
            assert thread.is_alive(), "a second writer got a value while the first was open"
            assert results == []
        thread.join(timeout=10)
        assert not thread.is_alive(), "the second writer still waits after the first committed"
        assert results == [first + 1]
    finally:
        session.close()
