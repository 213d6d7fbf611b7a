"""Sign-in from the outside: parallel guesses, timing by username, locking out the owner (#14
items 4, 5, 6)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import argon2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text, update

from app.db.session import session_scope
from app.demo.accounts import DEMO_PASSWORD
from app.models import User
from app.settings import get_settings
from tests.api.helpers import assert_error, sign_in

ATTACKER = ("203.0.113.66", 40000)
OWNER = ("198.51.100.7", 50000)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The server's clock stands still: a wait cannot run out while Argon2 hashes."""
    still = datetime.now(UTC)
    monkeypatch.setattr("app.auth.routes.now_utc", lambda: still)
    return still


@pytest.fixture
def clients(demo_database: str) -> Iterator[dict[str, TestClient]]:
    """One app, reached from two client addresses: an attacker's and the account owner's."""
    from app.main import create_app

    app = create_app()
    with (
        TestClient(app, raise_server_exceptions=False, client=ATTACKER) as attacker,
        TestClient(app, raise_server_exceptions=False, client=OWNER) as owner,
    ):
        yield {"attacker": attacker, "owner": owner}


def _failures(username: str) -> list[int]:
    with session_scope() as session:
        rows = session.execute(
            text("SELECT failures FROM login_attempts WHERE username = :u"), {"u": username}
        )
        return [row[0] for row in rows]


def test_parallel_wrong_passwords_are_checked_no_more_than_the_throttle_allows(
    clients: dict[str, TestClient], clock: datetime
) -> None:
    """Item 4: 20 guesses at once; exactly the free ones are checked, and each is counted."""
    client = clients["attacker"]
    free = get_settings().login_free_failures
    parallel = 20
    start = threading.Barrier(parallel)
    statuses: list[int] = []
    lock = threading.Lock()

    def guess(n: int) -> None:
        start.wait()
        response = sign_in(client, "mosvy", f"wrong-password-{n}")
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = Counter(statuses)
    assert counts == {401: free, 429: parallel - free}, counts
    # every counter that applies to this attempt saw every checked failure, none lost
    assert _failures("mosvy") and set(_failures("mosvy")) == {free}


def _verify_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = argon2.PasswordHasher.verify

    def counting(self: argon2.PasswordHasher, hash: Any, password: Any) -> Any:
        calls.append(hash)
        return real(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting)
    return calls


def test_unknown_or_inactive_user_is_checked_with_argon2_as_a_real_one(
    demo_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 5: every sign-in runs one Argon2 verification with the same parameters."""
    calls = _verify_calls(monkeypatch)
    assert_error(sign_in(demo_client, "ccwc.pp", "wrong-password"), 401, "invalid_credentials")
    assert_error(sign_in(demo_client, "no.such.user", "wrong-password"), 401, "invalid_credentials")
    with session_scope() as session:
        session.execute(update(User).where(User.username == "mosvy").values(active=False))
    assert_error(sign_in(demo_client, "mosvy", DEMO_PASSWORD), 401, "invalid_credentials")
    assert len(calls) == 3
    params = [argon2.extract_parameters(h) for h in calls]
    assert params[0] == params[1] == params[2]  # the dummy hash costs what a real one costs


def test_an_attacker_elsewhere_cannot_lock_the_owner_out(
    clients: dict[str, TestClient], clock: datetime
) -> None:
    """Item 6: the attacker keeps getting 429; the owner, at their address, signs in."""
    attacker, owner = clients["attacker"], clients["owner"]
    statuses = [sign_in(attacker, "mosvy", f"guess-{n}").status_code for n in range(10)]
    free = get_settings().login_free_failures
    assert statuses == [401] * free + [429] * (10 - free)
    assert sign_in(owner, "mosvy").status_code == 200
    # the owner's success does not set the attacker free
    assert_error(sign_in(attacker, "mosvy", "guess-again"), 429, "too_many_attempts")


def test_a_known_device_signs_in_past_a_guesser_on_many_addresses(
    demo_database: str, clock: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 6: guesses from many addresses reach the account's ceiling; the owner's tablet,
    which has signed in as the owner before, still signs in; a new address waits."""
    from app.main import create_app

    monkeypatch.setenv("HOMEWARD_LOGIN_FREE_FAILURES_PER_ACCOUNT", "6")
    get_settings.cache_clear()
    app = create_app()
    with TestClient(app, raise_server_exceptions=False, client=OWNER) as owner:
        assert sign_in(owner, "mosvy", device_id="tab-owner").status_code == 200
    statuses = []
    for n in range(4):
        with TestClient(app, raise_server_exceptions=False, client=(f"192.0.2.{n}", 1)) as bot:
            statuses += [sign_in(bot, "mosvy", f"guess-{n}-{k}").status_code for k in range(3)]
    assert statuses.count(401) == 6  # then the account's ceiling: every guess waits
    assert statuses[-1] == 429
    with TestClient(app, raise_server_exceptions=False, client=("192.0.2.200", 1)) as new:
        assert_error(sign_in(new, "mosvy"), 429, "too_many_attempts")
    with TestClient(app, raise_server_exceptions=False, client=OWNER) as owner:
        assert sign_in(owner, "mosvy", device_id="tab-owner").status_code == 200
