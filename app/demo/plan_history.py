"""The action plan's years in one province: case plans, follow-up visits, parenting
programmes and case closures (with reintegrations), so the indicators have something real to
show (docs/indicators.md, "Demo data").

Battambang (province 02) is shown on its way to its share of the plan's targets: about nine
in ten of its share of each year's reintegrations done in 2024 and 2025 and three in four so
far in 2026, case plans for a growing part of the children in care, and most reintegrated
families in a parenting programme. Everything is synthetic and deterministic (same database,
same records), and written through the sync push path as the demo's Battambang social worker
(``social.btb``), as a tablet would: validated, scoped, audited. Signatures are a few small
synthetic images uploaded once through the attachment path.

Run after the bulk load; a second run finds its ``meta`` row and adds nothing (a partial
earlier run is safe too: its changes come back ``duplicate``).
"""

from __future__ import annotations

import hashlib
import random
import struct
import uuid
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.attachments.service import record_upload
from app.attachments.storage import AttachmentStore
from app.auth.principal import Principal, principal_of_user
from app.auth.users import find_user
from app.clock import now_utc
from app.demo.generate import DEMO_NAMESPACE, FORM_VERSION, REFERENCE_DATE
from app.demo.people import adult_name
from app.indicators.definitions import PHASE_TARGETS, PLAN_YEARS
from app.models import Meta, Record
from app.sync.push import push_changes

META_KEY = "demo_plan_history"
VERSION = "2026.1"
PROVINCE = "02"
WORKER = "social.btb"
DEVICE = "demo-plan-history"
SEED = 20240101
BATCH = 500
# Battambang's share of each year's reintegration target, and how much of it was done.
SHARE = 1542 / 11788
DONE = {PLAN_YEARS[0]: 0.88, PLAN_YEARS[1]: 0.9, PLAN_YEARS[2]: 0.76}
IN_FOLLOW_UP = 200  # reintegrated since late 2024, follow-up still running
TURNED_18 = 24  # cases closed for another reason
PARENTING_RATE = 0.7
HARM_RATE = 0.01
FOLLOW_UP_YEARS = 2


@dataclass(frozen=True)
class Child:
    record_id: str
    born: date
    admitted: date


@dataclass
class PlanReport:
    skipped: bool
    records: int = 0
    seconds: float = 0.0


def _id(kind: str, key: str) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, f"plan-history:{kind}:{key}"))


def _between(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _png(seed: int) -> bytes:
    """A tiny synthetic signature: an 8x4 greyscale PNG with a few dark pixels."""
    rng = random.Random(seed)
    rows = b"".join(b"\x00" + bytes(rng.choice((0, 255, 255)) for _ in range(8)) for _ in range(4))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 8, 4, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _store_signatures(session: Session, principal: Principal, data_dir: Path) -> list[str]:
    """Upload the synthetic signature images (once); their SHA-256 names."""
    store = AttachmentStore.under(data_dir)
    names = []
    for n in range(4):
        body = _png(n)
        sha = hashlib.sha256(body).hexdigest()
        if store.stored_size(sha) is None:
            with store.exclusive(sha, owner=principal.username):
                partial = store.open_partial(sha, owner=principal.username, restart=True)
                partial.write(body)
                partial.close()
                store.finalize(sha, owner=principal.username)
        record_upload(
            session, principal, sha256=sha, size=len(body), content_type="image/png", now=now_utc()
        )
        names.append(sha)
    return names


def _children(session: Session) -> list[Child]:
    rows = session.execute(
        select(
            Record.record_id,
            Record.data["date_of_birth"].as_string(),
            Record.data["admission_date"].as_string(),
        )
        .where(Record.form_id == "child_registration", Record.province == PROVINCE)
        .order_by(Record.record_id)
    ).all()
    return [Child(r[0], date.fromisoformat(r[1]), date.fromisoformat(r[2])) for r in rows]


def _case_plan(rng: random.Random, child: Child, planned: date, sign: str) -> dict[str, Any]:
    start = planned
    end = _years_later(start, 3) + timedelta(days=rng.randint(0, 60))
    parenting = rng.random() < 0.75
    family: dict[str, Any] = {
        "parenting_programme": "yes" if parenting else "no",
        "livelihood_support": "no",
        "social_protection": "yes" if rng.random() < 0.4 else "no",
    }
    if parenting:
        family["parenting_programme_provider"] = f"Parenting partner {rng.randint(1, 6):02d}"
    return {
        "child": child.record_id,
        "plan_date": planned.isoformat(),
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "case_worker_name": adult_name(rng, rng.choice(("female", "male"))).khmer,
        "case_worker_agency": rng.choice(("dosvy", "ngo")),
        "permanency_goal": rng.choice(("parents", "parents", "kinship_care", "foster_care")),
        "goals": [
            {
                "_row_id": _id("goal", child.record_id),
                "goal_area": "family_relationships",
                "goal_description": "The child returns to live safely with the family.",
                "goal_actions": "Family visits, tracing, preparation of the child and family.",
                "goal_responsible": "Case worker",
                "goal_target_date": _between(rng, start, end).isoformat(),
                "goal_status": "in_progress",
            }
        ],
        "support_to_child": {
            "school_support": "yes" if rng.random() < 0.6 else "no",
            "health_support": "yes" if rng.random() < 0.3 else "no",
            "psychosocial_support": "yes" if rng.random() < 0.4 else "no",
            "vocational_training": "no",
        },
        "support_to_family": family,
        "reviews": [
            {
                "_row_id": _id("review", child.record_id),
                "review_date": _between(rng, start, end).isoformat(),
                "review_type": "case_conference",
            }
        ],
        "child_participated": "yes",
        "family_participated": "yes" if rng.random() < 0.8 else "no",
        "case_worker_signature": sign,
    }


def _visit(
    rng: random.Random, child: Child, visited: date, home: date, parenting: bool, sign: str
) -> dict[str, Any]:
    harm = rng.random() < HARM_RATE
    school = rng.random() < 0.8
    wellbeing: dict[str, Any] = {
        "child_health": rng.choice(("good", "good", "fair")),
        "emotional_wellbeing": rng.choice(("good", "fair")),
        "attends_school": "yes" if school else "no",
        "feels_safe": "no" if harm else "yes",
        "signs_of_harm": "yes" if harm else "no",
    }
    if school:
        wellbeing["school_attendance"] = rng.choice(("regular", "regular", "irregular"))
    if harm:
        wellbeing["harm_details"] = "Bruises seen; the child was afraid to talk."
    return {
        "child": child.record_id,
        "visit_date": visited.isoformat(),
        "reintegration_date": home.isoformat(),
        "visit_type": rng.choice(("home", "home", "school", "phone")),
        "met_child": "yes",
        "child_living_with": rng.choice(("parents", "one_parent", "relatives")),
        "wellbeing": wellbeing,
        "family_situation": {
            "income_stable": "yes" if rng.random() < 0.5 else "no",
            "attended_parenting": "yes" if parenting else "no",
        },
        "risk_level": "high" if harm else rng.choice(("low", "low", "medium")),
        "actions_agreed": "Next home visit agreed with the family.",
        "next_visit_date": (visited + timedelta(days=rng.randint(60, 180))).isoformat(),
        "visitor_name": adult_name(rng, rng.choice(("female", "male"))).khmer,
        "visitor_signature": sign,
    }


def _closure(
    rng: random.Random,
    child: Child,
    closed: date,
    reason: str,
    home: date | None,
    visits: int,
    sign: str,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "child": child.record_id,
        "closure_date": closed.isoformat(),
        "closure_reason": reason,
        "reason_details": (
            "Two years of follow-up: the child is safe and in school."
            if reason == "reintegration_complete"
            else "Turned 18; lives and works independently."
        ),
        "follow_up_visits": visits,
        "final_living_arrangement": "parents"
        if reason == "reintegration_complete"
        else "independent",
        "final_wellbeing": "Good",
        "case_worker_name": adult_name(rng, rng.choice(("female", "male"))).khmer,
        "supervisor": {
            "supervisor_name": adult_name(rng, rng.choice(("female", "male"))).khmer,
            "supervisor_decision": "approved",
            "signoff_date": (closed + timedelta(days=rng.randint(0, 10))).isoformat(),
            "supervisor_signature": sign,
        },
    }
    if home is not None:
        data["reintegration_date"] = home.isoformat()
    return data


def build_changes(
    children: list[Child], signatures: list[str], today: date = REFERENCE_DATE
) -> list[dict[str, Any]]:
    """The pushes' changes (pure and deterministic): form, record, data, capture time."""
    rng = random.Random(SEED)
    pool = list(children)
    rng.shuffle(pool)
    used: set[str] = set()
    changes: list[dict[str, Any]] = []

    def add(form_id: str, key: str, data: dict[str, Any], day: date) -> None:
        record_id = _id(form_id, key)
        changes.append(
            {
                "change_id": _id(f"change:{form_id}", key),
                "record_id": record_id,
                "form_id": form_id,
                "form_version": FORM_VERSION,
                "base_rev": None,
                "data": data,
                "attachments": sorted(
                    {v for v in _leaves(data) if isinstance(v, str) and v in signatures}
                ),
                "captured_at": f"{day.isoformat()}T10:00:00+07:00",
            }
        )

    def pick(home: date) -> Child | None:
        for child in pool:
            if child.record_id in used:
                continue
            if child.admitted <= home - timedelta(days=180) and child.born <= home - timedelta(
                days=365
            ):
                used.add(child.record_id)
                return child
        return None

    def follow(child: Child, home: date, until: date, closed: bool) -> int:
        planned = _between(
            rng, max(child.admitted, home - timedelta(days=365)), home - timedelta(days=60)
        )
        add(
            "case_plan",
            child.record_id,
            _case_plan(rng, child, planned, rng.choice(signatures)),
            planned,
        )
        parenting = rng.random() < PARENTING_RATE
        marks = (180, 540, 700) if closed else (120, 300)
        count = 0
        for n, offset in enumerate(marks):
            visited = home + timedelta(days=offset + rng.randint(0, 20))
            if visited > until:
                break
            sign = rng.choice(signatures)
            add(
                "follow_up_visit",
                f"{child.record_id}:{n}",
                _visit(rng, child, visited, home, parenting and n > 0, sign),
                visited,
            )
            count += 1
        return count

    # reintegrations completed (case closed after two years of follow-up) in each plan year
    for year, target in zip(PLAN_YEARS, PHASE_TARGETS, strict=True):
        if year > today.year:
            break
        last = min(date(year, 12, 31), today - timedelta(days=5))
        done = round(target * SHARE * DONE[year] * ((last - date(year, 1, 1)).days + 1) / 365)
        for _ in range(done):
            closed = _between(rng, date(year, 1, 5), last)
            home = _years_later(closed, -FOLLOW_UP_YEARS) - timedelta(days=rng.randint(5, 90))
            child = pick(home)
            if child is None:
                break
            visits = follow(child, home, closed - timedelta(days=1), closed=True)
            sign = rng.choice(signatures)
            add(
                "case_closure",
                child.record_id,
                _closure(rng, child, closed, "reintegration_complete", home, visits, sign),
                closed,
            )

    # reintegrated since late in the plan's first year: follow-up still running
    for _ in range(IN_FOLLOW_UP):
        home = _between(rng, date(PLAN_YEARS[0], 10, 1), today - timedelta(days=130))
        child = pick(home)
        if child is None:
            break
        follow(child, home, today - timedelta(days=1), closed=False)

    # case plans for the children still in care, more each year
    for child in pool:
        if child.record_id in used or rng.random() > 0.72:
            continue
        planned = _between(
            rng, max(child.admitted, date(PLAN_YEARS[0] - 1, 7, 1)), today - timedelta(days=3)
        )
        add(
            "case_plan",
            child.record_id,
            _case_plan(rng, child, planned, rng.choice(signatures)),
            planned,
        )

    # a few cases closed as the child turned 18
    adults = [c for c in pool if c.record_id not in used and _years_later(c.born, 18) < today]
    for child in adults[:TURNED_18]:
        closed = _years_later(child.born, 18) + timedelta(days=rng.randint(1, 20))
        if closed >= today:
            continue
        used.add(child.record_id)
        add(
            "case_closure",
            child.record_id,
            _closure(rng, child, closed, "turned_18", None, 0, rng.choice(signatures)),
            closed,
        )
    return changes


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def load_plan_history(session: Session, data_dir: Path, today: date = REFERENCE_DATE) -> PlanReport:
    """Push the plan's years (once). Commits (each push is its own transaction)."""
    started = perf_counter()
    loaded = session.scalar(select(Meta.value).where(Meta.key == META_KEY))
    if loaded == VERSION:
        return PlanReport(skipped=True, seconds=perf_counter() - started)
    user = find_user(session, WORKER)
    if user is None:
        raise RuntimeError(f"the demo account {WORKER} is missing: load the demo accounts first")
    principal = principal_of_user(user, device_id=DEVICE)
    children = _children(session)
    session.commit()
    signatures = _store_signatures(session, principal, data_dir)
    changes = build_changes(children, signatures, today)
    written = 0
    for start in range(0, len(changes), BATCH):
        results = push_changes(
            session, principal, device_id=DEVICE, raw_changes=changes[start : start + BATCH]
        )
        bad = [r for r in results if r["status"] not in ("applied", "duplicate")]
        if bad:
            raise RuntimeError(f"the demo's plan history was refused: {bad[0]}")
        written += sum(1 for r in results if r["status"] == "applied")
    if loaded is None:
        session.execute(insert(Meta).values(key=META_KEY, value=VERSION))
    else:
        session.execute(update(Meta).where(Meta.key == META_KEY).values(value=VERSION))
    session.commit()
    return PlanReport(skipped=False, records=written, seconds=perf_counter() - started)
