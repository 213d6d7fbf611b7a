"""Work on the demo desk: a year of history over the demo data set, through the same write path
as a tablet's push (``app.sync.push.push_changes``) and the supervisors' own services
(``app.records.workflow``). Synthetic and deterministic (fixed seed, uuid5 ids).

What it adds (a few hundred records, a few seconds): institution inspections of the demo year
(most institutions inspected in the first half, some in the second, the rest overdue), some
with abuse allegations, children under 3 or more beds than the baseline; abuse reports;
placement recommendations in every state (recommended, authorized, certified, declined);
reviews (approved, returned and rejected records); open conflicts, each made by two tablets
pushing on the same base revision. Signatures are one small synthetic image per field user,
stored as an upload is, so no record waits for an attachment.

Idempotent: the ``meta`` row ``demo_history`` says it was added; every id is derived, so a run
interrupted half-way and run again writes each push once (``duplicate``) and skips every
review or placement step already taken.
"""

from __future__ import annotations

import random
import struct
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from hashlib import sha256
from time import perf_counter
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.attachments.service import record_upload
from app.attachments.storage import AttachmentStore
from app.auth.principal import Principal
from app.auth.scope import Scope
from app.clock import now_utc
from app.db.session import committed
from app.demo.generate import DEMO_NAMESPACE, FORM_VERSION, REFERENCE_DATE
from app.models import Location, Meta, Record
from app.records import workflow
from app.settings import get_settings
from app.sync.push import push_changes

META_KEY = "demo_history"
HISTORY_VERSION = "2026.1"
SEED = 20261207
YEAR = REFERENCE_DATE.year
FIRST_HALF = (date(YEAR, 1, 12), date(YEAR, 6, 26))
SECOND_HALF = (date(YEAR, 7, 6), REFERENCE_DATE - timedelta(days=4))
FIRST_HALF_SHARE = 0.8  # of institutions inspected in the first half; the rest are overdue
SECOND_HALF_SHARE = 0.35  # of those, inspected again in the second half already
PUSH_SIZE = 200
CONFLICTS = 3
ABUSE_REPORTS = 5
# each placement state, twice (the first of each pair in Phnom Penh, so supervisor.pp acts on it)
PLACEMENT_STATES = ("recommended", "authorized", "certified", "declined") * 2


@dataclass
class HistoryReport:
    skipped: bool = False
    inspections: int = 0
    abuse_reports: int = 0
    placements: dict[str, int] = field(default_factory=dict)
    reviews: dict[str, int] = field(default_factory=dict)
    conflicts: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class _Institution:
    record_id: str
    province: str
    district: str
    commune: str
    baseline_beds: int
    gps: dict[str, float]


def _id(*parts: object) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, "history:" + ":".join(str(p) for p in parts)))


def _row(*parts: object) -> str:
    return _id("row", *parts)


def _principal(username: str, role: str, scope: Scope, device: str) -> Principal:
    return Principal(
        user_id=0, username=username, role=role, scope=scope, token_id=0, device_id=device
    )


def signature_png(name: str) -> bytes:
    """A small greyscale PNG with a scribble of its own for ``name`` (synthetic, 96×32)."""
    width, height = 96, 32
    rng = random.Random(name)
    ys = [16 + int(10 * rng.uniform(-1, 1)) for _ in range(width // 8 + 1)]
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            a, b = ys[x // 8], ys[x // 8 + 1]
            line = a + (b - a) * (x % 8) / 8
            rows.append(30 if abs(y - line) < 1.2 else 255)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


class _Signatures:
    """One stored signature image per field user, uploaded as that user (so they hold it)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.store = AttachmentStore.under(get_settings().data_dir)
        self.done: dict[str, str] = {}

    def of(self, principal: Principal) -> str:
        if principal.username in self.done:
            return self.done[principal.username]
        image = signature_png(principal.username)
        digest = sha256(image).hexdigest()
        path = self.store.final_path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(image)
        record_upload(
            self.session,
            principal,
            sha256=digest,
            size=len(image),
            content_type="image/png",
            now=now_utc(),
        )
        self.done[principal.username] = digest
        return digest


def _day(rng: random.Random, span: tuple[date, date]) -> date:
    return span[0] + timedelta(days=rng.randrange((span[1] - span[0]).days + 1))


def _change(record_id: str, form_id: str, data: dict[str, Any], key: str, **extra: Any) -> dict:
    return {
        "change_id": _id("change", key),
        "record_id": record_id,
        "form_id": form_id,
        "form_version": FORM_VERSION,
        "base_rev": extra.get("base_rev"),
        "data": data,
        "attachments": [],
        "captured_at": f"{extra.get('day', REFERENCE_DATE).isoformat()}T10:30:00+07:00",
    }


def _inspection_data(
    rng: random.Random, place: _Institution, day: date, half: str, signature: str
) -> dict[str, Any]:
    bands = {
        band: rng.randrange(lo, hi)
        for band, (lo, hi) in {
            "girls_3_5": (0, 4),
            "boys_3_5": (0, 4),
            "girls_6_11": (3, 16),
            "boys_6_11": (3, 16),
            "girls_12_17": (2, 14),
            "boys_12_17": (2, 14),
            "young_women_18_plus": (0, 3),
            "young_men_18_plus": (0, 3),
        }.items()
    }
    under_3 = rng.random() < 0.04
    children = {
        "girls_0_2": 1 if under_3 else 0,
        "boys_0_2": 0,
        **bands,
        "girls_with_disability": rng.randrange(0, 3),
        "boys_with_disability": rng.randrange(0, 3),
    }
    total = sum(v for k, v in children.items() if "18" not in k and "disability" not in k)
    children["children_with_case_plan"] = rng.randrange(total // 2, total + 1)
    beds = place.baseline_beds + (rng.randrange(2, 9) if rng.random() < 0.06 else 0)
    beds -= rng.randrange(0, 6) if beds == place.baseline_beds else 0
    abuse = rng.random() < 0.04
    standards = {
        name: "yes" if rng.random() < 0.85 else "no"
        for name in (
            "child_protection_policy",
            "every_child_registered",
            "case_files",
            "safe_water",
            "sleeping_space",
            "school_attendance",
            "health_care",
            "no_voluntourism",
        )
    }
    data: dict[str, Any] = {
        "institution": place.record_id,
        "inspection_date": day.isoformat(),
        "inspection_round": half,
        "inspectors": [
            {
                "_row_id": _row(place.record_id, half, 1),
                "inspector_name": f"Inspector {place.province}-{rng.randrange(1, 9)}",
                "inspector_agency": "dosvy",
            }
        ],
        "children": children,
        "beds": max(beds, 1),
        "staff": {
            "staff_total": rng.randrange(12, 24),
            "carers": rng.randrange(3, 10),
            "social_workers": rng.randrange(0, 3),
        },
        "standards": standards,
        "abuse_allegation": "yes" if abuse else "no",
        "institution_intention": rng.choice(["continue", "transition", "reintegrate"]),
        "recommended_follow_up": rng.choice(["improve", "transition"]),
        "follow_up_actions": "Review every child's case file with DoSVY before the next round.",
        "gps": place.gps,
        "inspector_signature": signature,
    }
    if "no" in standards.values():
        standards["standards_comments"] = "Some minimum standards are not met yet."
    if abuse:
        data["abuse"] = {
            "abuse_description": "A child told the inspectors a carer hit them.",
            "referred_to_rrt": "yes",
            "rrt_referral_date": day.isoformat(),
        }
    return data


def _abuse_report(rng: random.Random, place: _Institution, day: date, n: int) -> dict[str, Any]:
    sex = rng.choice(["female", "male"])
    return {
        "reported_at": f"{day.isoformat()}T16:40:00+07:00",
        "incident_date": (day - timedelta(days=1)).isoformat(),
        "setting": "residential_care",
        "institution": place.record_id,
        "commune": place.commune,
        "victims": [
            {
                "_row_id": _row("victim", n),
                "victim_name": f"Child {n} (synthetic)",
                "victim_sex": sex,
                "victim_age": rng.randrange(6, 17),
                "victim_disability": "no",
            }
        ],
        "abuse_types": [rng.choice(["physical", "emotional", "neglect"])],
        "description": "The child disclosed harm by a carer; the child is now safe.",
        "source": "child_disclosed",
        "alleged_perpetrator": "staff",
        "perpetrator_has_access": "no",
        "child_safe_now": "yes",
        "medical_care_needed": rng.choice(["yes", "no"]),
        "police_informed": "no",
        "reporter": {
            "reporter_name": f"Inspector {place.province}-1",
            "reporter_role": "inspector",
            "reporter_phone": "+855 12 000 000",
        },
    }


def _placement(rng: random.Random, commune: str, n: int, signature: str) -> dict[str, Any]:
    born = date(rng.randrange(2011, 2021), rng.randrange(1, 13), rng.randrange(1, 28))
    placement = rng.choice(["kinship_care", "family_support", "foster_care"])
    data: dict[str, Any] = {
        "commune": commune,
        "village": f"Phum {n % 9 + 1}",
        "recommendation_date": (REFERENCE_DATE - timedelta(days=10 + n)).isoformat(),
        "child_name": f"Child {commune}-{n} (synthetic)",
        "date_of_birth": born.isoformat(),
        "date_of_birth_estimated": "no",
        "sex": rng.choice(["female", "male"]),
        "disability": "no",
        "child_currently_with": rng.choice(["relatives", "one_parent", "institution"]),
        "reasons_for_separation": ["poverty", "parent_migration"],
        "reasons_description": "The mother works abroad; the family cannot cope alone.",
        "family": {"mother_alive": "yes", "father_alive": "unknown"},
        "alternatives_considered": ["kinship_care", "services_referred"],
        "services_referred": ["social_protection"],
        "recommended_placement": placement,
        "best_interests": "Staying with family near school is in the child's best interests.",
        "ccwc_members": [
            {
                "_row_id": _row("member", commune, n, position),
                "member_name": f"CCWC {position} {commune}",
                "member_position": position,
                "member_signature": signature,
            }
            for position in ("chief", "focal_point")
        ],
    }
    if placement == "kinship_care":
        data["kinship_carer"] = {
            "kinship_carer_name": f"Aunt of child {n} (synthetic)",
            "kinship_carer_relationship": "Aunt",
            "kinship_carer_commune": commune,
        }
    return data


def _institutions(session: Session) -> list[_Institution]:
    rows = session.execute(
        select(Record.record_id, Record.data, Record.province, Record.district, Record.commune)
        .where(Record.form_id == "institution")
        .order_by(Record.record_id)
    ).all()
    found = []
    for r in rows:
        gps = r.data.get("gps") or {}
        found.append(
            _Institution(
                record_id=r.record_id,
                province=r.province,
                district=r.district,
                commune=r.commune,
                baseline_beds=int(r.data.get("baseline_beds") or 30),
                gps={"lat": gps.get("lat", 11.55), "lon": gps.get("lon", 104.92), "accuracy": 8.0},
            )
        )
    return found


def _push(session: Session, principal: Principal, changes: list[dict[str, Any]]) -> list[dict]:
    results: list[dict[str, Any]] = []
    for start in range(0, len(changes), PUSH_SIZE):
        batch = changes[start : start + PUSH_SIZE]
        assert principal.device_id is not None
        results += push_changes(
            session, principal, device_id=principal.device_id, raw_changes=batch
        )
    bad = [r for r in results if r["status"] not in {"applied", "duplicate", "conflict"}]
    if bad:
        raise RuntimeError(f"demo history: a push was refused: {bad[0]}")
    return results


def _inspector(province: str, tablet: str = "a") -> Principal:
    return _principal(
        f"demo.inspector.{province}",
        "inspector",
        Scope(province=province),
        f"tab-{province}{tablet}",
    )


def _supervisor(province: str) -> Principal:
    username = "supervisor.pp" if province == "12" else f"demo.supervisor.{province}"
    return _principal(username, "dosvy_supervisor", Scope(province=province), "desk:demo")


MOSVY = _principal("mosvy", "mosvy", Scope(), "desk:demo")


def _review(session: Session, principal: Principal, record_id: str, action: str, note: str) -> bool:
    state = session.scalar(select(Record.review_state).where(Record.record_id == record_id))
    if state != "received":
        session.rollback()
        return False
    with committed(session):
        workflow.review_record(
            session,
            principal,
            record_id=record_id,
            action=action,
            comment=note or None,
            now=now_utc(),
        )
    return True


def _step(session: Session, principal: Principal, record_id: str, action: str, note: str) -> None:
    state = session.scalar(select(Record.placement_state).where(Record.record_id == record_id))
    session.rollback()
    if action not in workflow.PLACEMENT_STEPS or state not in workflow.PLACEMENT_STEPS[action]:
        return
    with committed(session):
        workflow.step_placement(
            session, principal, record_id=record_id, action=action, comment=note, now=now_utc()
        )


def _communes(session: Session) -> dict[str, str]:
    """The first commune of each province (by code): where the demo's CCWCs recommend."""
    rows = session.scalars(
        select(Location.code).where(Location.level == "commune").order_by(Location.code)
    ).all()
    first: dict[str, str] = {}
    for code in rows:
        first.setdefault(code[:2], code)
    first["12"] = "120101"  # the demo account ccwc.pp's commune
    return first


def add_history(session: Session) -> HistoryReport:
    """Add the demo history unless it is there; commits (each push and step its own)."""
    started = perf_counter()
    if session.scalar(select(Meta.value).where(Meta.key == META_KEY)) == HISTORY_VERSION:
        session.rollback()
        return HistoryReport(skipped=True)
    session.rollback()
    report = HistoryReport()
    rng = random.Random(SEED)
    signatures = _Signatures(session)
    places = _institutions(session)

    # --- inspections, by each province's inspector ------------------------------------------
    by_province: dict[str, list[dict[str, Any]]] = {}
    inspected: list[tuple[str, str, str]] = []  # (record_id, province, half)
    for place in places:
        if rng.random() >= FIRST_HALF_SHARE:
            continue
        halves = [("first_half", FIRST_HALF)]
        if rng.random() < SECOND_HALF_SHARE:
            halves.append(("second_half", SECOND_HALF))
        inspector = _inspector(place.province)
        signature = signatures.of(inspector)
        for half, span in halves:
            day = _day(rng, span)
            record_id = _id("inspection", place.record_id, half)
            data = _inspection_data(rng, place, day, half, signature)
            by_province.setdefault(place.province, []).append(
                _change(record_id, "institution_inspection", data, record_id, day=day)
            )
            inspected.append((record_id, place.province, half))
    for province, changes in sorted(by_province.items()):
        _push(session, _inspector(province), changes)
        report.inspections += len(changes)

    # --- abuse reports ------------------------------------------------------------------------
    for n in range(ABUSE_REPORTS):
        place = places[(n * 53) % len(places)]
        inspector = _inspector(place.province)
        day = REFERENCE_DATE - timedelta(days=2 + n)
        record_id = _id("abuse", n)
        data = _abuse_report(rng, place, day, n)
        data["reporter"]["reporter_name"] = f"Inspector {place.province}-1"
        _push(session, inspector, [_change(record_id, "abuse_report", data, record_id, day=day)])
        report.abuse_reports += 1

    # --- placement recommendations in every state ----------------------------------------------
    communes = _communes(session)
    provinces = ["12", "17", "02", "08"]
    for n, target in enumerate(PLACEMENT_STATES):
        province = "12" if n < 4 else provinces[n % 4]
        commune = communes[province]
        username = "ccwc.pp" if commune == "120101" else f"demo.ccwc.{commune}"
        ccwc = _principal(username, "ccwc", Scope(commune=commune), f"tab-ccwc-{commune}")
        record_id = _id("placement", n)
        data = _placement(rng, commune, n, signatures.of(ccwc))
        _push(session, ccwc, [_change(record_id, "placement_recommendation", data, record_id)])
        supervisor = _supervisor(province)
        if target in {"authorized", "certified"}:
            _step(session, supervisor, record_id, "authorize", "Family assessment checked.")
        if target == "certified":
            _step(
                session, MOSVY, record_id, "certify", "Certified by the Child Welfare Department."
            )
        if target == "declined":
            _step(session, supervisor, record_id, "decline", "Kinship care was not assessed yet.")
        report.placements[target] = report.placements.get(target, 0) + 1

    # --- reviews: most first-half inspections approved, a few returned or rejected ----------------
    reviews = {"approve": 0, "return": 0, "reject": 0}
    conflict_targets = [rid for rid, province, _ in inspected if province == "12"][-CONFLICTS:]
    for i, (record_id, province, half) in enumerate(inspected):
        if record_id in conflict_targets or half != "first_half":
            continue
        action, note = "approve", ""
        if i % 29 == 3:
            action, note = "return", "Please recount the beds: the total looks wrong."
        elif i % 61 == 7:
            action, note = "reject", "Entered twice by mistake; the other copy is kept."
        elif i % 3 == 0:
            continue  # left received, for the queue
        if _review(session, _supervisor(province), record_id, action, note):
            reviews[action] += 1
    report.reviews = reviews

    # --- open conflicts: two tablets edit the same revision ---------------------------------------
    for n, record_id in enumerate(conflict_targets):
        base = session.scalar(select(Record.data).where(Record.record_id == record_id))
        session.rollback()
        if base is None:
            continue
        tablets = []
        for tablet, extra in (("a", 1), ("b", 3)):
            data = {**base, "beds": int(base["beds"]) + extra}
            key = f"conflict:{n}:{tablet}"
            tablets.append(
                (
                    _inspector("12", tablet),
                    _change(record_id, "institution_inspection", data, key, base_rev=1),
                )
            )
        results = [_push(session, principal, [edit])[0] for principal, edit in tablets]
        report.conflicts += sum(r["status"] == "conflict" for r in results)

    with committed(session):
        session.execute(insert(Meta).values(key=META_KEY, value=HISTORY_VERSION))
    report.seconds = perf_counter() - started
    return report
