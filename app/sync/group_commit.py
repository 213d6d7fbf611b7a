"""Group commit: pushes that arrive while one is being written share the next transaction.

A push of one change (an OpenRosa submission: one instance per POST) pays a whole write
transaction for itself: the session and its connection, the sequence number, the device's
note, the commit and its fsync; in a push of 100 the same costs are shared and a change costs
a fraction of it (docs/performance.md, "OpenRosa submissions"). Here, in each worker, the
first push that comes is written at once; every push that arrives meanwhile waits for it to
end and then all of them are decided one after the other in the next transaction, committed
once (``app.sync.push.push_group``), as PostgreSQL's own group commit shares one WAL flush
between the transactions that end together. Nothing waits on purpose: a push that finds no
write under way is written at once, so a lone phone gets its answer as soon as before.

The write runs on the event loop, as a sync push does (``app.sync.routes``), not in a
thread: the writer lock is held while the group is decided, and in a thread its statements
waited for the GIL behind the loop's own work on other requests (the locked part took 1.7×
its CPU time, and every worker waits for it: measured, bench/openrosa_bench.py). Requests
that come while it runs are read when it ends, and form the next group.

Each push keeps its own answer: its results are decided as if the pushes had come one after
the other in the order they arrived, and a push whose write fails is written again on its
own, so that its error is not another's (``push_group``). Nothing is answered before the
transaction that holds it has committed.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field
from typing import Any

from app.db.session import session_factory
from app.sync.push import PushRequest, push_group

MAX_GROUP = 32  # pushes in one transaction at most (the lock is held while they are decided)

Results = list[dict[str, Any]]


@dataclass
class _Waiting:
    request: PushRequest
    answer: asyncio.Future[Results]


@dataclass
class GroupCommitter:
    """One event loop's queue of pushes and the one writer that drains it."""

    waiting: list[_Waiting] = field(default_factory=list)
    writing: bool = False
    groups: int = 0  # transactions written so far (for tests and the bench)
    pushes: int = 0  # pushes written in them

    async def push(self, request: PushRequest) -> Results:
        """``request``'s results once the transaction that holds them has committed; its
        exception if its push raised."""
        answer: asyncio.Future[Results] = asyncio.get_running_loop().create_future()
        self.waiting.append(_Waiting(request, answer))
        if not self.writing:
            self.writing = True
            asyncio.get_running_loop().create_task(self._drain())
        return await asyncio.shield(answer)  # a caller that goes away does not stop the write

    async def _drain(self) -> None:
        try:
            # the requests ready to run reach their push first: they join this group
            await asyncio.sleep(0)
            while self.waiting:
                group, self.waiting = self.waiting[:MAX_GROUP], self.waiting[MAX_GROUP:]
                try:
                    outcomes = _write([w.request for w in group])
                except Exception as exc:  # noqa: BLE001 - every push of the group learns it
                    outcomes = [exc] * len(group)
                self.groups += 1
                self.pushes += len(group)
                for waiting, outcome in zip(group, outcomes, strict=True):
                    if waiting.answer.done():
                        continue
                    if isinstance(outcome, Exception):
                        waiting.answer.set_exception(outcome)
                    else:
                        waiting.answer.set_result(outcome)
                await asyncio.sleep(0)  # answer these; what was read meanwhile joins the next
        finally:
            self.writing = False


def _write(requests: list[PushRequest]) -> list[Results | Exception]:
    session = session_factory()()
    try:
        return push_group(session, requests)
    finally:
        session.close()


_COMMITTERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, GroupCommitter] = (
    weakref.WeakKeyDictionary()
)


def committer() -> GroupCommitter:
    """The running event loop's committer (one per worker)."""
    loop = asyncio.get_running_loop()
    found = _COMMITTERS.get(loop)
    if found is None:
        found = _COMMITTERS[loop] = GroupCommitter()
    return found


async def push_grouped(request: PushRequest) -> Results:
    """``push_changes`` for ``request``, sharing its transaction with the pushes that wait
    beside it."""
    return await committer().push(request)
