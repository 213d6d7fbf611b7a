"""GET /api/v1/indicators on SQLite and PostgreSQL: each indicator on a small hand-made data
set with known answers (pushed through the API), a child counted once, scope, and on the demo
data every indicator against an independent count over the pulled records."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from app.auth.users import create_user
from app.db.session import session_scope
from tests.api.helpers import assert_error, auth_headers
from tests.api.sync_helpers import change, push
from tests.unit.test_domain_forms import (
    case_closure,
    case_plan,
    child_registration,
    follow_up_visit,
    institution,
    institution_inspection,
)

PASSWORD = "a-long-test-password"
YEAR = 2025


def _users() -> None:
    with session_scope() as session:
        for username, role, province in (
            ("insp.02", "inspector", "02"),
            ("insp.08", "inspector", "08"),
            ("sw.02", "social_worker", "02"),
            ("sw.08", "social_worker", "08"),
            ("sup.02", "dosvy_supervisor", "02"),
            ("ministry", "mosvy", None),
            ("root", "admin", None),
        ):
            create_user(
                session,
                username=username,
                password=PASSWORD,
                role=role,
                province=province,
                check_locations=False,
            )


def _one(client: TestClient, user: str, form_id: str, data: dict[str, Any]) -> str:
    record_id = str(uuid.uuid4())
    [result] = push(
        client, auth_headers(client, user, PASSWORD), change(form_id, data, record_id=record_id)
    )
    assert result["status"] == "applied", result
    return record_id


def _institution(client: TestClient, province: str, **changes: Any) -> str:
    data = institution()
    district, commune = f"{province}01", f"{province}0101"
    data.update(province=province, district=district, commune=commune, **changes)
    if data.get("status") == "closed":
        data.setdefault("closed_date", "2024-06-01")
    return _one(client, f"insp.{province}", "institution", data)


def _inspection(client: TestClient, province: str, inst: str, day: str) -> str:
    data = institution_inspection()
    data.update(institution=inst, inspection_date=day)
    data["inspection_round"] = "first_half" if int(day[5:7]) <= 6 else "second_half"
    return _one(client, f"insp.{province}", "institution_inspection", data)


def _child(client: TestClient, province: str, inst: str, **changes: Any) -> str:
    data = child_registration()
    data.update(institution=inst, **changes)
    if data.get("disability") == "yes":
        data["disability_types"] = ["physical"]
    return _one(client, f"sw.{province}", "child_registration", data)


def _about(
    client: TestClient,
    province: str,
    form_id: str,
    data: dict[str, Any],
    child: str,
    **changes: Any,
) -> str:
    data.update(child=child, **changes)
    return _one(client, f"sw.{province}", form_id, data)


def _closure(
    client: TestClient,
    province: str,
    child: str,
    closed: str,
    home: str,
    decision: str = "approved",
) -> str:
    data = case_closure()
    data.update(closure_date=closed, reintegration_date=home)
    data["supervisor"] = dict(data["supervisor"], supervisor_decision=decision, signoff_date=closed)
    if decision == "not_approved":
        data["supervisor"]["supervisor_comment"] = "Keep visiting for six more months."
    return _about(client, province, "case_closure", data, child)


def _visit(
    client: TestClient, province: str, child: str, day: str, home: str, parenting: str
) -> str:
    data = follow_up_visit()
    data.update(
        visit_date=day, reintegration_date=home, next_visit_date=f"{int(day[:4]) + 1}{day[4:]}"
    )
    data["family_situation"] = dict(data["family_situation"], attended_parenting=parenting)
    return _about(client, province, "follow_up_visit", data, child)


def _plan(client: TestClient, province: str, child: str, day: str) -> str:
    return _about(client, province, "case_plan", case_plan(), child, plan_date=day)


def _build(client: TestClient) -> dict[str, str]:
    """The hand-made data set; its answers for 2025 are worked out in each test."""
    _users()
    ids: dict[str, str] = {}
    ids["i1"] = _institution(client, "02", opened_date="2010-01-01", status="operating")
    ids["i2"] = _institution(client, "02", opened_date="2025-03-01", status="operating")
    ids["i3"] = _institution(client, "08", opened_date="2000-01-01", status="closed")
    ids["i4"] = _institution(client, "08", opened_date="2001-01-01", status="operating")
    _inspection(client, "02", ids["i1"], "2025-02-10")
    _inspection(client, "02", ids["i1"], "2025-09-15")
    _inspection(client, "02", ids["i2"], "2025-04-01")
    _inspection(client, "08", ids["i4"], "2025-03-03")
    _inspection(client, "08", ids["i4"], "2025-05-05")  # twice, but both in the first half
    # A: reintegrated in 2023, case closed (approved) in 2025, twice: counted once
    a = ids["a"] = _child(client, "02", ids["i1"], sex="female", date_of_birth="2015-05-01",
                          disability="no", admission_date="2020-01-01")  # fmt: skip
    _visit(client, "02", a, "2023-11-01", "2023-05-01", "yes")
    _visit(client, "02", a, "2024-05-01", "2023-05-01", "yes")
    _visit(client, "02", a, "2025-03-01", "2023-05-01", "yes")
    _closure(client, "02", a, "2025-06-30", "2023-05-01")
    _closure(client, "02", a, "2025-08-01", "2023-05-01")
    # B: in care, under 3 at the end of 2025, with a disability and a case plan
    b = ids["b"] = _child(client, "02", ids["i1"], sex="male", date_of_birth="2023-03-01",
                          disability="yes", admission_date="2024-01-10")  # fmt: skip
    _plan(client, "02", b, "2025-02-01")
    # C: in care, 15; case plan only in 2026 (after the year's end)
    c = ids["c"] = _child(client, "02", ids["i2"], sex="female", date_of_birth="2010-01-01",
                          disability="no", admission_date="2025-04-01")  # fmt: skip
    _plan(client, "02", c, "2026-01-15")
    # D: turned 18 in 2025: no longer a child in care
    _child(client, "08", ids["i4"], sex="male", date_of_birth="2007-06-01", disability="no",
           admission_date="2019-01-01")  # fmt: skip
    # E: reintegrated in October 2025 (follow-up visit), family not in a parenting programme
    e = ids["e"] = _child(client, "08", ids["i4"], sex="male", date_of_birth="2012-02-02",
                          disability="no", admission_date="2018-01-01")  # fmt: skip
    _visit(client, "08", e, "2025-11-01", "2025-10-01", "no")
    # F: a closure the supervisor did not approve: not counted as reintegrated
    f = ids["f"] = _child(client, "08", ids["i4"], sex="female", date_of_birth="2014-01-01",
                          disability="no", admission_date="2020-01-01")  # fmt: skip
    _closure(client, "08", f, "2025-07-01", "2023-06-01", decision="not_approved")
    # G: in care in Kandal, with a case plan since 2024
    g = ids["g"] = _child(client, "08", ids["i4"], sex="female", date_of_birth="2016-01-01",
                          disability="no", admission_date="2021-01-01")  # fmt: skip
    _plan(client, "08", g, "2024-01-01")
    # H: registered, then rejected by the supervisor: in no figure
    h = ids["h"] = _child(client, "02", ids["i1"], sex="male", date_of_birth="2012-01-01",
                          disability="no", admission_date="2020-01-01")  # fmt: skip
    rejected = client.post(
        f"/api/v1/records/{h}/review",
        json={"action": "reject", "comment": "Registered twice."},
        headers=auth_headers(client, "sup.02", PASSWORD),
    )
    assert rejected.status_code == 200, rejected.text
    return ids


def _get(client: TestClient, user: str, query: str = f"year={YEAR}") -> dict[str, Any]:
    response = client.get(
        f"/api/v1/indicators?{query}", headers=auth_headers(client, user, PASSWORD)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in body["indicators"]}


def test_each_indicator_on_a_hand_made_data_set(client: TestClient) -> None:
    _build(client)
    body = _get(client, "ministry")
    assert body["year"] == YEAR and body["as_of"] == "2025-12-31"
    found = _by_id(body)
    assert list(found) == [
        "children_reintegrated",
        "children_in_residential_care",
        "children_in_care_with_case_plan",
        "children_under_3_in_residential_care",
        "new_institutions",
        "institutions_inspected_twice",
        "families_in_parenting_programmes",
    ]
    values = {k: (v["value"], v["target"], v["unit"]) for k, v in found.items()}
    assert values == {
        "children_reintegrated": (1, 1200, "children"),  # A once, not F; 2025 = plan year 2
        "children_in_residential_care": (3, 8000, "children"),  # B, C, G
        "children_in_care_with_case_plan": (66.7, 100, "percent"),  # B and G of 3
        "children_under_3_in_residential_care": (1, 0, "children"),  # B
        "new_institutions": (1, 0, "institutions"),  # i2
        "institutions_inspected_twice": (33.3, 100, "percent"),  # i1 of i1, i2, i4 (i3 closed)
        "families_in_parenting_programmes": (1, 3500, "families"),  # A's family, once
    }
    care = found["children_in_residential_care"]["by"]
    assert care["province"] == {"02": 2, "08": 1}
    assert care["sex"] == {"female": 2, "male": 1}
    assert care["age_band"] == {"0-2": 1, "3-5": 0, "6-11": 1, "12-14": 0, "15-17": 1, "18+": 0}
    assert care["disability"] == {"yes": 1, "no": 2}
    plan = found["children_in_care_with_case_plan"]
    assert (plan["count"], plan["of"]) == (2, 3)
    assert plan["by"]["province"] == {"02": 50.0, "08": 100.0}
    back = found["children_reintegrated"]["by"]
    assert back["age_band"]["6-11"] == 1 and back["sex"] == {"female": 1, "male": 0}
    assert found["institutions_inspected_twice"]["by"] == {"province": {"02": 50.0, "08": 0.0}}
    assert found["new_institutions"]["by"] == {"province": {"02": 1}}
    phases = {p["year"]: p for p in found["children_reintegrated"]["phases"]}
    assert phases[2024] == {"year": 2024, "plan_year": 1, "target": 800, "value": 0}
    assert phases[2025] == {"year": 2025, "plan_year": 2, "target": 1200, "value": 1}
    assert phases[2026]["target"] == 1500
    # at the end of 2023: A and F went home that year (F's closure was not approved, but it
    # says when F went home), B and C were not admitted yet, D was 16, H is rejected
    earlier = _by_id(_get(client, "ministry", "year=2023"))
    assert earlier["children_in_residential_care"]["value"] == 3  # D, E, G
    assert earlier["children_reintegrated"]["value"] == 0


def test_a_province_supervisor_sees_only_their_province(client: TestClient) -> None:
    _build(client)
    found = _by_id(_get(client, "sup.02"))
    assert found["children_in_residential_care"]["value"] == 2
    assert found["children_in_care_with_case_plan"]["value"] == 50.0
    assert found["institutions_inspected_twice"]["value"] == 50.0
    assert found["families_in_parenting_programmes"]["value"] == 1
    for item in found.values():
        assert set(item["by"]["province"]) <= {"02"}, item
    # the same province asked for by name: the same answer; another province: as absent
    assert _get(client, "sup.02", f"year={YEAR}&province=02") == _get(client, "sup.02")
    headers = auth_headers(client, "sup.02", PASSWORD)
    assert_error(
        client.get(f"/api/v1/indicators?year={YEAR}&province=08", headers=headers), 404, "not_found"
    )
    # national roles narrow to a province on request
    kandal = _by_id(_get(client, "root", f"year={YEAR}&province=08"))
    assert kandal["children_in_residential_care"]["value"] == 1
    assert kandal["children_reintegrated"]["value"] == 0


def test_bad_requests_and_roles(client: TestClient) -> None:
    _users()
    ministry = auth_headers(client, "ministry", PASSWORD)
    assert_error(
        client.get("/api/v1/indicators?year=1999", headers=ministry), 422, "validation_error"
    )
    future = date.today().year + 2
    assert_error(
        client.get(f"/api/v1/indicators?year={future}", headers=ministry), 422, "validation_error"
    )
    assert_error(
        client.get("/api/v1/indicators?year=abc", headers=ministry), 422, "validation_error"
    )
    assert_error(
        client.get("/api/v1/indicators?province=2", headers=ministry), 422, "validation_error"
    )
    assert_error(client.get("/api/v1/indicators?province=99", headers=ministry), 404, "not_found")
    field = auth_headers(client, "sw.02", PASSWORD)
    assert_error(client.get("/api/v1/indicators", headers=field), 403, "forbidden")
    assert_error(client.get("/api/v1/indicators"), 401, "not_authenticated")
    this_year = client.get("/api/v1/indicators", headers=ministry).json()
    assert this_year["year"] == date.fromisoformat(this_year["as_of"]).year


# --- the demo data: every indicator against an independent count over the pulled records ----


def _pull_all(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = "limit=5000" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/api/v1/sync/pull?{query}", headers=headers).json()
        records += page["records"]
        cursor = page["cursor"]
        if not page["more"]:
            return records


def _years(born: str, on: date) -> int:
    b = date.fromisoformat(born)
    return on.year - b.year - (1 if (on.month, on.day) < (b.month, b.day) else 0)


def _expected(records: list[dict[str, Any]], year: int, as_of: date) -> dict[str, float]:
    """The seven figures recounted from the pulled records, in plain loops."""
    live = [r for r in records if r["review"]["state"] != "rejected"]
    forms: dict[str, list[dict[str, Any]]] = {}
    for r in live:
        forms.setdefault(r["form_id"], []).append(r["data"])
    went_home: dict[str, str] = {}
    for d in forms.get("follow_up_visit", []) + forms.get("case_closure", []):
        if d.get("reintegration_date"):
            went_home[d["child"]] = min(went_home.get(d["child"], "9999"), d["reintegration_date"])
    for d in forms.get("case_closure", []):
        if d["supervisor"]["supervisor_decision"] == "approved":
            went_home[d["child"]] = min(went_home.get(d["child"], "9999"), d["closure_date"])
    day = as_of.isoformat()
    registered = {r["record_id"]: r["data"] for r in live if r["form_id"] == "child_registration"}
    in_care = {
        cid
        for cid, d in registered.items()
        if d["admission_date"] <= day
        and _years(d["date_of_birth"], as_of) < 18
        and went_home.get(cid, "9999") > day
    }
    with_plan = {d["child"] for d in forms.get("case_plan", []) if d["plan_date"] <= day} & in_care
    first_done: dict[str, str] = {}
    for d in forms.get("case_closure", []):
        if (
            d["closure_reason"] == "reintegration_complete"
            and d["supervisor"]["supervisor_decision"] == "approved"
        ):
            first_done[d["child"]] = min(first_done.get(d["child"], "9999"), d["closure_date"])
    reached = {
        d["child"]
        for d in forms.get("follow_up_visit", [])
        if d["family_situation"]["attended_parenting"] == "yes"
        and f"{min(2024, year)}-01-01" <= d["visit_date"] <= day
    }
    institutions = {r["record_id"]: r["data"] for r in live if r["form_id"] == "institution"}
    halves: dict[str, set[bool]] = {}
    for d in forms.get("institution_inspection", []):
        if d["inspection_date"].startswith(str(year)):
            halves.setdefault(d["institution"], set()).add(d["inspection_date"][5:7] <= "06")
    operating = [
        iid
        for iid, d in institutions.items()
        if d.get("opened_date", "0000") <= f"{year}-12-31"
        and not (d["status"] == "closed" and d.get("closed_date", "0000") < f"{year}-01-01")
    ]
    twice = [iid for iid in operating if halves.get(iid) == {True, False}]
    return {
        "children_reintegrated": sum(1 for v in first_done.values() if v.startswith(str(year))),
        "children_in_residential_care": len(in_care),
        "children_in_care_with_case_plan": round(100 * len(with_plan) / len(in_care), 1),
        "children_under_3_in_residential_care": sum(
            1 for cid in in_care if _years(registered[cid]["date_of_birth"], as_of) < 3
        ),
        "new_institutions": sum(
            1 for d in institutions.values() if d.get("opened_date", "").startswith(str(year))
        ),
        "institutions_inspected_twice": round(100 * len(twice) / len(operating), 1),
        "families_in_parenting_programmes": len(reached),
    }


def test_on_the_demo_data_each_indicator_matches_an_independent_count(
    demo_client: TestClient,
) -> None:
    from app.demo.plan_history import load_plan_history
    from app.settings import get_settings

    with session_scope() as session:
        report = load_plan_history(session, get_settings().data_dir)
    assert report.records > 2000
    for user, province in (("mosvy", None), ("supervisor.pp", "12")):
        headers = auth_headers(demo_client, user)
        records = _pull_all(demo_client, headers)
        for year in (2024, 2026):
            body = demo_client.get(f"/api/v1/indicators?year={year}", headers=headers).json()
            got = {i["id"]: i["value"] for i in body["indicators"]}
            assert got == _expected(records, year, date.fromisoformat(body["as_of"])), (user, year)
            for item in body["indicators"]:
                if province:
                    assert set(item["by"]["province"]) <= {province}
                elif item["unit"] != "percent":  # the splits add up to the figure
                    for split, shares in item["by"].items():
                        assert sum(shares.values()) == item["value"], (item["id"], split)
    national = demo_client.get(
        "/api/v1/indicators?year=2025", headers=auth_headers(demo_client, "mosvy")
    ).json()
    # the demo shows Battambang on its way: most of the year's share done, not all of it
    reintegrated = national["indicators"][0]
    assert 0 < reintegrated["value"] < reintegrated["target"]
    assert reintegrated["by"]["province"] == {"02": reintegrated["value"]}
