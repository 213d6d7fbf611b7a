"""Time the indicators API and page at ten times the demo's size.

    .venv/bin/python bench/indicators_bench.py [--factor 10] [--requests 40] [--quick]

Builds a throwaway SQLite database: the demo data set, the plan's years in Battambang pushed
through sync (app/demo/plan_history.py), then ``factor - 1`` copies of every record by bulk
insert (new ids, references remapped, same provinces), so the children, institutions, case
plans, visits and closures are ``factor`` times the demo's. Then, in process:

- ``facts``: the indicators' facts caught up with every record once (what ``homeward
  migrate`` does after the upgrade that adds them; a write later catches up only its records);
- ``cold``: one computation with no kept result (what the first request of a scope and year
  pays after any write);
- ``api`` / ``page``: ``--requests`` GETs of /api/v1/indicators and /review/indicators for
  mosvy (national) and a Battambang supervisor, over the plan's three years, p50/p95/max,
  cold (the first of each scope and year) and warm (the rest reuse the kept result)
  printed apart, and the p95 of all of them judged;
- ``after a write``: a supervisor approves a record, then mosvy's next GET (the facts catch
  up with that record and every figure is computed again).

``--quick`` (the tests' smoke run): factor 1, a few requests.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

TARGET_MS = 500.0


def _build(path: Path, factor: int) -> dict[str, int]:
    from sqlalchemy import insert, select

    from app.auth.users import create_user
    from app.db.migrate import migrate_and_publish_builtin_forms
    from app.db.session import session_scope
    from app.demo.accounts import ensure_demo_accounts
    from app.demo.load import load_demo
    from app.demo.plan_history import load_plan_history
    from app.models import Record
    from app.sync.sequence import next_seq

    migrate_and_publish_builtin_forms()
    with session_scope() as session:
        load_demo(session)
        ensure_demo_accounts(session)
        create_user(
            session,
            username="supervisor.btb",
            password="homeward-demo",
            role="dosvy_supervisor",
            province="02",
            check_locations=False,
        )
    started = time.perf_counter()
    with session_scope() as session:
        load_plan_history(session, path.parent)
    pushed = time.perf_counter() - started
    columns = [c for c in Record.__table__.columns.keys() if c != "seq"]  # noqa: SIM118
    with session_scope() as session:
        rows = [
            dict(r._mapping)
            for r in session.execute(select(*(Record.__table__.c[c] for c in columns)))
        ]
    base = len(rows)
    started = time.perf_counter()
    for copy in range(1, factor):

        def new_id(old: str, copy: int = copy) -> str:
            return str(uuid.uuid5(uuid.NAMESPACE_OID, f"{copy}:{old}"))

        batch: list[dict[str, Any]] = []
        for row in rows:
            data = dict(row["data"])
            for ref in ("child", "institution"):
                if isinstance(data.get(ref), str):
                    data[ref] = new_id(data[ref])
            batch.append({**row, "record_id": new_id(row["record_id"]), "data": data})
        with session_scope() as session:
            seq = next_seq(session)  # a write like any other: its records get the next seq
            for row in batch:
                row["seq"] = seq
            for start in range(0, len(batch), 2000):
                session.execute(insert(Record), batch[start : start + 2000])
    copied = time.perf_counter() - started
    print(
        f"built: {base * factor:,} records ({factor} x {base:,}); plan history pushed in "
        f"{pushed:.1f} s, copies inserted in {copied:.1f} s"
    )
    return {"records": base * factor}


def _percentiles(name: str, samples: list[float]) -> float:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"{name}: {len(samples)} requests, p50 {statistics.median(samples):.0f} ms, "
        f"p95 {p95:.0f} ms, max {ordered[-1]:.0f} ms"
    )
    return p95


def _after_writes(client: Any, headers: dict[str, str], path: Path, rounds: int = 5) -> float:
    """Approve a received record (a write: its ``seq`` moves), then time the next GET."""
    import sqlite3

    with sqlite3.connect(path) as db:
        ids = [
            r[0]
            for r in db.execute(
                "SELECT record_id FROM records WHERE review_state = 'received'"
                " AND form_id = 'case_plan' LIMIT ?",
                (rounds,),
            )
        ]
    samples: list[float] = []
    for record_id in ids:
        review = client.post(
            f"/api/v1/records/{record_id}/review",
            json={"action": "approve", "comment": "bench"},
            headers=headers,
        )
        assert review.status_code == 200, review.text
        started = time.perf_counter()
        answer = client.get("/api/v1/indicators?year=2025", headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text
    return _percentiles("api (mosvy) after a write", samples)


def run(path: Path, factor: int, requests: int) -> None:
    os.environ["HOMEWARD_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["HOMEWARD_DATA_DIR"] = str(path.parent)
    from fastapi.testclient import TestClient

    from app.auth.scope import Scope
    from app.db.session import session_scope
    from app.indicators.compute import compute
    from app.indicators.facts import bring_up_to_date
    from app.main import create_app

    _build(path, factor)
    started = time.perf_counter()
    with session_scope() as session:
        bring_up_to_date(session)
    print(f"facts: every record caught up once in {time.perf_counter() - started:.1f} s")
    today = date.today()
    with session_scope() as session:
        for scope, name in ((Scope(), "national"), (Scope(province="02"), "province 02")):
            started = time.perf_counter()
            report = compute(session, scope=scope, year=2025, today=today)
            cold = (time.perf_counter() - started) * 1000
            in_care = report.figure("children_in_residential_care").value
            print(f"cold ({name}, 2025): {cold:.0f} ms ({in_care:,.0f} children in care)")
    years = (2024, 2025, 2026)
    worst = 0.0
    with TestClient(create_app()) as client:
        for user in ("mosvy", "supervisor.btb"):
            token = client.post(
                "/api/v1/auth/token", data={"username": user, "password": "homeward-demo"}
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            samples = []
            for n in range(requests):
                started = time.perf_counter()
                answer = client.get(f"/api/v1/indicators?year={years[n % 3]}", headers=headers)
                samples.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, answer.text
            _percentiles(f"api ({user}) cold", samples[:3])
            _percentiles(f"api ({user}) warm", samples[3:])
            worst = max(worst, _percentiles(f"api ({user}) all", samples))
            if user == "mosvy":
                worst = max(worst, _after_writes(client, headers, path))
        signin = client.get("/review/signin").text
        csrf = re.search(r'name="csrftoken" value="([^"]+)"', signin)
        assert csrf is not None
        client.post(
            "/review/signin",
            data={"username": "mosvy", "password": "homeward-demo", "csrftoken": csrf.group(1)},
            headers={"Origin": "http://testserver"},
        )
        samples = []
        for n in range(requests):
            started = time.perf_counter()
            page = client.get(f"/review/indicators?year={years[n % 3]}")
            samples.append((time.perf_counter() - started) * 1000)
            assert page.status_code == 200
        _percentiles("page (mosvy) cold", samples[:3])
        _percentiles("page (mosvy) warm", samples[3:])
        worst = max(worst, _percentiles("page (mosvy) all", samples))
    verdict = "PASS" if worst < TARGET_MS else "FAIL"
    print(f"p95 target {TARGET_MS:.0f} ms: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="factor 1, 6 requests")
    args = parser.parse_args()
    factor, requests = (1, 6) if args.quick else (args.factor, args.requests)
    with tempfile.TemporaryDirectory() as tmp:
        run(Path(tmp) / "bench.db", factor, requests)


if __name__ == "__main__":
    main()
