"""Group commit (app.sync.group_commit, app.sync.push.push_group), on SQLite and PostgreSQL:
pushes that wait together are decided one after the other, as if they had come in turn, and
committed in one transaction; a push whose write fails is written again on its own, so its
error is not the others'; over HTTP, OpenRosa submissions sent at once are each stored
exactly once."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.principal import Principal, principal_of_user
from app.auth.users import find_user
from app.db.session import session_scope
from app.models import AuditEntry, Record, RecordRevision, SyncChange
from app.sync.group_commit import GroupCommitter
from app.sync.push import PushRequest
from tests.api.sync_helpers import change, placement_data
from tests.openrosa.helpers import (
    SIGNATURES,
    instance_xml,
    placement_answers,
    post_submission,
    token_of,
)


def _principal(username: str, device_id: str) -> Principal:
    with session_scope() as session:
        user = find_user(session, username)
        assert user is not None
        return principal_of_user(user, device_id=device_id)


def _push_together(
    committer: GroupCommitter, requests: list[PushRequest]
) -> list[list[dict[str, Any]] | BaseException]:
    """Every request handed to ``committer`` before its writer first runs (one group)."""

    async def run() -> list[list[dict[str, Any]] | BaseException]:
        return await asyncio.gather(
            *(committer.push(request) for request in requests), return_exceptions=True
        )

    return asyncio.run(run())


def _count(model: Any, *where: Any) -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_pushes_that_wait_together_are_decided_in_turn_and_committed_once(
    demo_client: TestClient,
) -> None:
    tablet = _principal("ccwc.pp", "tab-a")
    other_tablet = _principal("ccwc.pp", "tab-b")
    first = change("placement_recommendation", placement_data())
    too_young = change(
        "placement_recommendation",
        placement_data(date_of_birth="2024-05-01", recommended_placement="residential_care"),
    )
    outside = change("placement_recommendation", placement_data("170101"))
    second = change("placement_recommendation", placement_data())
    also: list[int] = []
    committer = GroupCommitter()
    outcomes = _push_together(
        committer,
        [
            PushRequest(tablet, "tab-a", [first]),
            PushRequest(other_tablet, "tab-b", [first]),  # the same change again: duplicate
            PushRequest(tablet, "tab-a", [too_young, outside]),
            PushRequest(
                other_tablet,
                "tab-b",
                [second],
                also_write=lambda session, results: also.append(len(results)),
            ),
        ],
    )
    assert committer.groups == 1 and committer.pushes == 4  # one transaction for all four
    statuses = [[r["status"] for r in o] for o in outcomes if isinstance(o, list)]
    assert statuses == [["applied"], ["duplicate"], ["rejected", "rejected"], ["applied"]]
    assert isinstance(outcomes[2], list)
    codes = [[e["code"] for e in r["errors"]] for r in outcomes[2]]
    assert "out_of_scope" in codes[1] and codes[0] and "out_of_scope" not in codes[0]
    assert also == [1]
    # stored exactly once each; the refused ones not at all, their refusal audited
    assert _count(SyncChange, SyncChange.change_id == first["change_id"]) == 1
    assert _count(RecordRevision, RecordRevision.record_id == first["record_id"]) == 1
    assert _count(Record, Record.record_id == second["record_id"]) == 1
    for refused in (too_young, outside):
        assert _count(Record, Record.record_id == refused["record_id"]) == 0
    assert _count(AuditEntry, AuditEntry.action == "sync.rejected") >= 2
    with session_scope() as session:  # one transaction: one sequence number
        seqs = session.scalars(
            select(Record.seq).where(
                Record.record_id.in_([first["record_id"], second["record_id"]])
            )
        ).all()
    assert len(set(seqs)) == 1


def test_a_push_whose_write_fails_fails_alone(demo_client: TestClient) -> None:
    tablet = _principal("ccwc.pp", "tab-a")
    good, bad = (change("placement_recommendation", placement_data()) for _ in range(2))

    def broken(session: Session, results: list[dict[str, Any]]) -> None:
        raise RuntimeError("the caller's rows could not be written")

    committer = GroupCommitter()
    ok, failed = _push_together(
        committer,
        [
            PushRequest(tablet, "tab-a", [good]),
            PushRequest(tablet, "tab-a", [bad], also_write=broken),
        ],
    )
    assert isinstance(ok, list) and ok[0]["status"] == "applied"
    assert isinstance(failed, RuntimeError)
    assert _count(Record, Record.record_id == good["record_id"]) == 1
    assert _count(Record, Record.record_id == bad["record_id"]) == 0
    assert _count(SyncChange, SyncChange.change_id == bad["change_id"]) == 0


def test_submissions_sent_at_once_are_each_stored_once(demo_client: TestClient) -> None:
    token = token_of(demo_client, "ccwc.pp")
    base = f"/openrosa/key/{token}"
    distinct = [instance_xml("placement_recommendation", placement_answers()) for _ in range(10)]
    twice = instance_xml("placement_recommendation", placement_answers())
    sent = [xml for xml, _ in distinct] + [twice[0], twice[0]]
    statuses: list[int] = [0] * len(sent)
    start = threading.Barrier(len(sent))

    def send(index: int) -> None:
        start.wait()
        statuses[index] = post_submission(demo_client, base, sent[index], SIGNATURES).status_code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(sent))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses[:10] == [201] * 10
    assert sorted(statuses[10:]) == [201, 202]  # the second of the same instance: duplicate
    for _, instance_id in [*distinct, twice]:
        record_id = instance_id.removeprefix("uuid:")
        assert _count(RecordRevision, RecordRevision.record_id == record_id) == 1
