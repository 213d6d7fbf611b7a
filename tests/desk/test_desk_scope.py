"""Scope on every desk page, table-driven, on SQLite and PostgreSQL: a Kandal supervisor never
sees a Siem Reap record id, count, institution or place name on any page (the queue with each
filter, a record page, coverage, and placements and conflicts once they exist), and a Siem
Reap record's page is the same 404 as a missing record's. The same pages show the Siem Reap
work to the national roles (mosvy, admin): the probe can see what it looks for.

To cover a new desk page, add a row to ``PAGES``: its name and a function from the Siem Reap
fixture to the path to ask (and, if a national user's first page of it need not show the
Siem Reap work, its name to ``NATIONAL_MAY_NOT_SEE``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.auth.users import create_user
from app.db.session import session_scope
from app.demo.accounts import DEMO_PASSWORD
from app.models import Location, Record
from tests.api.helpers import auth_headers
from tests.api.sync_helpers import change, demo_institution, inspection_data, placement_data, push
from tests.desk.helpers import desk_sign_in

ABUSE = {
    "abuse_description": "A carer hit a boy with a stick.",
    "referred_to_rrt": "yes",
    "rrt_referral_date": "2026-11-20",
}
SIEM_REAP_NAMES = ("Siem Reap", "សៀមរាប")
NOBODY = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class SiemReap:
    """The Siem Reap work every page is probed with."""

    inspection: str  # an abuse allegation, with an open conflict made by two tablets
    placement: str
    institution: str
    district: str
    marker: str  # a word only the inspection's data holds

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.inspection, self.placement, self.institution)


# (page, path for the Siem Reap fixture); every page here answers 200 to each staff role
PAGES: list[tuple[str, Callable[[SiemReap], str]]] = [
    ("queue", lambda sr: "/review"),
    ("queue: form", lambda sr: "/review?form=institution_inspection"),
    ("queue: state", lambda sr: "/review?state=received"),
    ("queue: province", lambda sr: "/review?province=17"),
    ("queue: district", lambda sr: f"/review?district={sr.district}"),
    ("queue: flag any", lambda sr: "/review?flag=any&province=17"),
    ("queue: flag abuse", lambda sr: "/review?flag=abuse"),
    ("queue: flag abuse_allegation", lambda sr: "/review?flag=abuse_allegation"),
    ("queue: flag conflict", lambda sr: "/review?flag=conflict"),
    ("queue: text", lambda sr: f"/review?q={sr.marker}"),
    ("queue: dates", lambda sr: "/review?from=2020-01-01&to=2100-12-31&province=17"),
    ("queue: placements", lambda sr: "/review?form=placement_recommendation&province=17"),
    ("coverage", lambda sr: "/review/coverage?year=2026"),
    ("coverage: province", lambda sr: "/review/coverage?year=2026&province=17"),
    ("coverage: district", lambda sr: f"/review/coverage?year=2026&district={sr.district}"),
]
# pages other helpers build: probed once their route exists
LATER_PAGES: list[tuple[str, Callable[[SiemReap], str]]] = [
    ("placements", lambda sr: "/review/placements"),
    ("conflicts", lambda sr: "/review/conflicts"),
]
# the national coverage list is paged (100 rows) and starts with Battambang and Kandal
NATIONAL_MAY_NOT_SEE = {"coverage"}
STAFF = {"dosvy_supervisor": "supervisor.kd", "mosvy": "mosvy", "admin": "admin"}


def _existing_pages(client: TestClient) -> list[tuple[str, Callable[[SiemReap], str]]]:
    paths = {getattr(route, "path", "") for route in client.app.routes}  # type: ignore[attr-defined]
    return PAGES + [(name, path) for name, path in LATER_PAGES if path(_DUMMY) in paths]


_DUMMY = SiemReap("", "", "", "", "")


def _siem_reap_work(client: TestClient) -> SiemReap:
    with session_scope() as session:
        create_user(
            session,
            username="supervisor.kd",
            password=DEMO_PASSWORD,
            role="dosvy_supervisor",
            province="08",
        )
        commune = session.scalar(
            select(func.min(Location.code)).where(
                Location.level == "commune", Location.code.startswith("17")
            )
        )
        assert commune is not None
        create_user(
            session, username="ccwc.sr", password=DEMO_PASSWORD, role="ccwc", commune=commune
        )
    institution = demo_institution("17")
    marker = "Zyxwvutsr"
    first = change(
        "institution_inspection",
        inspection_data(
            institution,
            abuse_allegation="yes",
            abuse=ABUSE,
            inspection_date="2026-03-02",
            inspection_round="first_half",
            follow_up_actions=f"{marker} follow-up",
        ),
    )
    inspector = auth_headers(client, "inspector.sr")
    assert push(client, inspector, first)[0]["status"] == "applied"
    rid = first["record_id"]
    edits = []
    for beds in (41, 42):  # two tablets edit revision 1: the second is a conflict
        data = {**first["data"], "beds": beds}
        edits.append(change("institution_inspection", data, record_id=rid, base_rev=1))
    push(client, inspector, edits[0], device_id="tab-a")
    assert push(client, inspector, edits[1], device_id="tab-b")[0]["status"] == "conflict"
    placement = change("placement_recommendation", placement_data(commune))
    ccwc = auth_headers(client, "ccwc.sr")
    assert push(client, ccwc, placement)[0]["status"] == "applied", placement
    with session_scope() as session:
        district = session.scalar(select(Record.district).where(Record.record_id == rid))
    assert district is not None
    return SiemReap(rid, placement["record_id"], institution, district, marker)


def _leaks(text: str, sr: SiemReap) -> list[str]:
    return [s for s in (*sr.ids, *SIEM_REAP_NAMES) if s in text]


def _numbers_in_counts(text: str) -> list[int]:
    table = re.search(r'<table class="counts">(.*?)</table>', text, re.S)
    return [int(n) for n in re.findall(r">(\d+)<", table.group(1))] if table else []


@pytest.mark.parametrize("role", sorted(STAFF))
def test_no_desk_page_shows_another_province_and_national_roles_see_it(
    demo_client: TestClient, role: str
) -> None:
    sr = _siem_reap_work(demo_client)
    desk_sign_in(demo_client, STAFF[role])
    national = role != "dosvy_supervisor"
    for name, path_of in _existing_pages(demo_client):
        page = demo_client.get(path_of(sr))
        assert page.status_code == 200, (name, page.status_code)
        leaks = _leaks(page.text, sr)
        if national:
            assert leaks or name in NATIONAL_MAY_NOT_SEE, f"{name}: national should see it"
        else:
            assert leaks == [], f"{name} shows {leaks} to a Kandal supervisor"
    # counts: in the other province's filter, nothing; and a Siem Reap record page is 404
    counted = demo_client.get("/review?province=17")
    numbers = _numbers_in_counts(counted.text)
    assert numbers and (any(numbers) if national else not any(numbers)), numbers
    coverage = demo_client.get("/review/coverage?year=2026&province=17")
    assert _numbers_in_counts(coverage.text)[0] == (80 if national else 0)
    for record_id in sr.ids:
        shown = demo_client.get(f"/review/records/{record_id}")
        if national:
            assert shown.status_code == 200, record_id
            continue
        missing = demo_client.get(f"/review/records/{NOBODY}")
        assert shown.status_code == missing.status_code == 404
        assert shown.text.replace(record_id, NOBODY) == missing.text
