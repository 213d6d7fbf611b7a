"""Build the synthetic demo data set (pure and deterministic: same call, same rows).

The totals match the 2015/16 mapping of the five priority provinces exactly (DOMAIN.md):
267 institutions (Phnom Penh 117, Siem Reap 80, Battambang 35, Kandal 20, Preah Sihanouk 15;
173 long-term, 23 short-term, 71 unknown) and 11,788 children under 18 on the reference date
(5,607 girls, 6,181 boys). Everything else (places below province, names, dates) is invented.

Each record's ``data`` is a valid submission of its form as the server would store it (the
validator's cleaned data: empty and non-relevant values left out, calculations filled in):
``institution`` and ``child_registration`` version 2026.1. A child's ``institution`` field holds
the institution record's ``record_id``; the record's province/district/commune columns are the
institution's commune, which is where the validator resolves both forms' location.

The child registration form has no placement-history repeat, so each child's earlier
placements are kept beside the records (``DemoData.placements``, not loaded) and show in the
record as who brought the child (``admitted_by``) and a line in ``notes``.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from app.demo.geography import (
    PROVINCE_CENTRES,
    Commune,
    LocationRow,
    communes_by_province,
    khmer_digits,
    location_rows,
    place_names,
)
from app.demo.people import adult_name, child_name, phone_number

DEMO_VERSION = "2026.1"
FORM_VERSION = "2026.1"
INSTITUTION_FORM = "institution"
CHILD_FORM = "child_registration"
CREATED_BY = "demo"
REFERENCE_DATE = date(2026, 11, 24)
# Children were registered in the 2026 exercise, on or after this day (and after admission).
REGISTRATION_START = date(2026, 3, 2)
SEED = 20261124
# Record ids are uuid5 names in this namespace, so every run gives the same ids.
DEMO_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:homeward:demo-data")

INSTITUTIONS_BY_PROVINCE: dict[str, int] = {"12": 117, "17": 80, "02": 35, "08": 20, "18": 15}
INSTITUTIONS_BY_TYPE: dict[str, int] = {"long_term": 173, "short_term": 23, "unknown": 71}
CHILDREN_BY_SEX: dict[str, int] = {"female": 5607, "male": 6181}
CHILDREN_TOTAL = sum(CHILDREN_BY_SEX.values())  # 11,788
# A handful, so the "no child under 3 in residential care" indicator has something to show.
CHILDREN_UNDER_3 = 9
DISABILITY_RATE = 0.07
MIN_CHILDREN_PER_INSTITUTION = 4

# Relative frequency of each age from 3 to 17 on the reference date.
_AGE_WEIGHTS = {
    3: 2,
    4: 3,
    5: 4,
    6: 5,
    7: 6,
    8: 7,
    9: 8,
    10: 8,
    11: 8,
    12: 8,
    13: 8,
    14: 8,
    15: 7,
    16: 6,
    17: 5,
}
CARE_DURATIONS = ("under_6_months", "6_to_12_months", "1_to_3_years", "over_3_years")
PLACEMENTS = ("birth_family", "kinship_care", "foster_care", "residential_care", "other")
_EARLIER_PLACEMENT_WEIGHTS = {
    "birth_family": 3,
    "kinship_care": 5,
    "foster_care": 2,
    "residential_care": 4,
    "other": 1,
}
_PLACEMENT_WORDS = {
    "birth_family": "birth family",
    "kinship_care": "kinship care",
    "foster_care": "foster care",
    "residential_care": "residential care",
    "other": "other care",
}

# Choice names of the forms (in the forms' order) and how often the demo picks each.
OPERATOR_WEIGHTS = {"government": 4, "ngo": 58, "faith_based": 26, "private": 9, "other": 3}
STATUS_WEIGHTS = {"operating": 85, "transitioning": 15}
DONORS = (
    "Private donors abroad",
    "Church network",
    "Local businesses",
    "Foundation grant",
    "Individual sponsors",
)
DISABILITY_WEIGHTS = {
    "physical": 30,
    "visual": 10,
    "hearing": 15,
    "intellectual": 30,
    "psychosocial": 10,
    "other": 5,
}
DISABILITY_TYPES = tuple(DISABILITY_WEIGHTS)
REASONS = (
    "poverty",
    "education",
    "parent_death",
    "abandonment",
    "abuse_neglect",
    "domestic_violence",
    "parent_migration",
    "parent_illness",
    "child_disability",
    "parent_in_prison",
    "other",
)
# Reasons drawn at random; parent_death and child_disability follow from the other answers.
_REASON_WEIGHTS = {
    "poverty": 45,
    "education": 35,
    "abandonment": 6,
    "abuse_neglect": 5,
    "domestic_violence": 4,
    "parent_migration": 8,
    "parent_illness": 5,
    "parent_in_prison": 2,
    "other": 3,
}
# Who brought a child straight from its birth family (or from "other" care).
_ADMITTED_FROM_FAMILY = {
    "parent": 50,
    "relative": 10,
    "ccwc": 10,
    "dosvy": 8,
    "police": 3,
    "ngo": 5,
    "pagoda": 7,
    "self": 2,
    "unknown": 5,
}
_ADMITTED_FROM_OTHER = {"ccwc": 3, "police": 2, "pagoda": 3, "self": 1, "unknown": 2}
_ADMITTED_FROM = {"kinship_care": "relative", "foster_care": "dosvy", "residential_care": "ngo"}
_PARENT_ALIVE = {
    "mother": {"yes": 78, "no": 10, "unknown": 12},
    "father": {"yes": 65, "no": 15, "unknown": 20},
}
NICKNAMES = ("Pov", "Toch", "Thom", "Mean", "Srey", "Aun", "Kha", "Nich")

Row = dict[str, Any]


@dataclass
class DemoData:
    locations: list[LocationRow] = field(default_factory=list)
    institutions: list[Row] = field(default_factory=list)
    children: list[Row] = field(default_factory=list)
    # child record_id -> its placements from birth to the current one (not loaded)
    placements: dict[str, list[Row]] = field(default_factory=dict)


def record_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{key}"))


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def care_duration(admission: date, on: date = REFERENCE_DATE) -> str:
    """The care-duration class of a child admitted on ``admission``, counted to ``on``."""
    days = (on - admission).days
    if days < 183:
        return "under_6_months"
    if days < 365:
        return "6_to_12_months"
    if days < 3 * 365:
        return "1_to_3_years"
    return "over_3_years"


def _record(form_id: str, rid: str, data: Row, province: str, district: str, commune: str) -> Row:
    return {
        "record_id": rid,
        "form_id": form_id,
        "form_version": FORM_VERSION,
        "rev": 1,
        "data": data,
        "province": province,
        "district": district,
        "commune": commune,
        "review_state": "approved",
        "created_by": CREATED_BY,
    }


def _split(total: int, weights: list[float], minimum: int) -> list[int]:
    """``total`` split into ``len(weights)`` parts >= ``minimum``, proportional to the weights."""
    spare = total - minimum * len(weights)
    scale = spare / sum(weights)
    exact = [w * scale for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in by_remainder[: spare - sum(parts)]:
        parts[i] += 1
    return [minimum + p for p in parts]


def _date_between(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _pick_some(rng: random.Random, weights: dict[str, int], k: int) -> set[str]:
    """``k`` distinct names, drawn by weight."""
    chosen: set[str] = set()
    while len(chosen) < k:
        chosen.add(_pick(rng, weights))
    return chosen


def _yes(rng: random.Random, probability: float) -> str:
    return "yes" if rng.random() < probability else "no"


def _in_order(chosen: set[str], order: tuple[str, ...]) -> list[str]:
    return [name for name in order if name in chosen]


def _village_name(code: str) -> str:
    return place_names("village", code)[0]


def _institutions(rng: random.Random) -> list[Row]:
    communes = communes_by_province()
    types = [t for t, n in INSTITUTIONS_BY_TYPE.items() for _ in range(n)]
    rng.shuffle(types)
    rows: list[Row] = []
    for province, count in INSTITUTIONS_BY_PROVINCE.items():
        # Round robin over the shuffled communes: every commune gets its share.
        pool = list(communes[province])
        rng.shuffle(pool)
        lat, lon = PROVINCE_CENTRES[province]
        for seq in range(1, count + 1):
            commune = pool[(seq - 1) % len(pool)]
            code = f"{province}-{seq:03d}"
            operator = _pick(rng, OPERATOR_WEIGHTS)
            status = _pick(rng, STATUS_WEIGHTS)
            director_sex = rng.choice(("female", "male"))
            data: Row = {
                "institution_name": f"មណ្ឌលថែទាំកុមារ {khmer_digits(code)}",
                "institution_name_latin": f"Care Centre {code}",
                "code": code,
                "institution_type": types[len(rows)],
                "operator": operator,
                "has_mou": "no" if operator == "government" else _yes(rng, 0.75),
                "province": province,
                "district": commune.district,
                "commune": commune.code,
                "village": _village_name(rng.choice(commune.villages)),
                "address": f"No. {rng.randint(1, 250)}, Street {rng.randint(1, 600)}",
                "gps": {
                    "lat": round(lat + rng.uniform(-0.08, 0.08), 6),
                    "lon": round(lon + rng.uniform(-0.08, 0.08), 6),
                    "accuracy": round(rng.uniform(3.0, 25.0), 1),
                },
                "opened_date": _date_between(rng, date(1993, 1, 1), date(2015, 12, 31)).isoformat(),
                "baseline_beds": 0,  # set once its children are known
                "baseline_children": 0,
                "director": {
                    "director_name": adult_name(rng, director_sex).khmer,
                    "director_sex": director_sex,
                    "director_phone": phone_number(rng),
                },
                "principal_donor": (
                    "Government budget" if operator == "government" else rng.choice(DONORS)
                ),
                "status": status,
            }
            if status == "transitioning":
                data["supporting_agency"] = f"Transition partner {rng.randint(1, 12):02d}"
            rows.append(
                _record(
                    INSTITUTION_FORM,
                    record_id("institution", code),
                    data,
                    province,
                    commune.district,
                    commune.code,
                )
            )
    return rows


def _placement_history(
    rng: random.Random,
    born: date,
    admission: date,
    institution: Row,
    same_province: list[Row],
    key: str,
) -> list[Row]:
    """Earlier placements from birth to admission, then the current one (``to`` is None).

    Each row carries a ``_row_id`` (a repeat's row key) so rows keep their identity.
    """
    history: list[Row] = []
    span = (admission - born).days
    if span > 0:
        moves = 0 if span < 90 else rng.choices((0, 1, 2, 3), weights=(35, 40, 18, 7))[0]
        cuts = sorted(rng.sample(range(1, span), moves))
        bounds = [born, *(born + timedelta(days=c) for c in cuts), admission]
        previous = ""
        for start, end in zip(bounds, bounds[1:], strict=False):
            if not history:
                placement = "birth_family"
            else:
                options = [p for p in _EARLIER_PLACEMENT_WEIGHTS if p != previous]
                weights = [_EARLIER_PLACEMENT_WEIGHTS[p] for p in options]
                placement = rng.choices(options, weights=weights)[0]
            other: str | None = None
            if placement == "residential_care":
                candidates = [
                    r["record_id"]
                    for r in same_province
                    if r["data"]["opened_date"] <= start.isoformat()
                    and r["record_id"] != institution["record_id"]
                ]
                if candidates:
                    other = rng.choice(candidates)
                else:
                    placement = "kinship_care"
            history.append(
                {
                    "_row_id": record_id("placement", f"{key}:{len(history)}"),
                    "from": start.isoformat(),
                    "to": end.isoformat(),
                    "placement": placement,
                    "institution": other,
                }
            )
            previous = placement
    history.append(
        {
            "_row_id": record_id("placement", f"{key}:{len(history)}"),
            "from": admission.isoformat(),
            "to": None,
            "placement": "residential_care",
            "institution": institution["record_id"],
        }
    )
    return history


def _admitted_by(rng: random.Random, history: list[Row]) -> str:
    """Who brought the child, from the placement it came from."""
    came_from = history[-2]["placement"] if len(history) > 1 else "birth_family"
    if came_from in _ADMITTED_FROM:
        return _ADMITTED_FROM[came_from]
    return _pick(
        rng, _ADMITTED_FROM_FAMILY if came_from == "birth_family" else _ADMITTED_FROM_OTHER
    )


def history_note(history: list[Row], codes: dict[str, str]) -> str | None:
    """The earlier placements as one line of notes.

    None when the child came straight from its birth family: the record says as much.
    """
    earlier = history[:-1]
    if len(earlier) < 2:
        return None
    parts = []
    for row in earlier:
        words = _PLACEMENT_WORDS[row["placement"]]
        if row["institution"] is not None:
            words += f" (Care Centre {codes[row['institution']]})"
        parts.append(f"{words} {row['from']} to {row['to']}")
    return "Earlier care: " + "; ".join(parts) + "."


def _school(rng: random.Random, age: int) -> Row:
    if age < 5:
        return {"attends_school": "no"}
    if age == 5:
        return (
            {"attends_school": "yes", "school_grade": 0}
            if rng.random() < 0.4
            else {"attends_school": "no"}
        )
    if rng.random() < (0.9 if age <= 14 else 0.75):
        grade = age - 6 + (1 if rng.random() < 0.7 else 0) - (1 if rng.random() < 0.3 else 0)
        return {"attends_school": "yes", "school_grade": max(0, min(12, grade))}
    return {"attends_school": "no"}


def _family(
    rng: random.Random,
    family_name: tuple[str, str],
    reasons: set[str],
    mother: str,
    father: str,
    communes: list[Commune],
    home: list[Commune],
) -> Row:
    family: Row = {}
    if mother != "unknown":
        family["mother_name"] = adult_name(rng, "female").khmer
    family["mother_alive"] = mother
    if father != "unknown":
        given = adult_name(rng, "male").khmer.split(" ", 1)[1]
        family["father_name"] = f"{family_name[1]} {given}"
    family["father_alive"] = father
    known = rng.random() < (0.15 if "abandonment" in reasons else 0.78)
    family["family_contact_known"] = "yes" if known else "no"
    if known:
        commune = rng.choice(home if rng.random() < 0.75 else communes)
        family["family_commune"] = commune.code
        family["family_village"] = _village_name(rng.choice(commune.villages))
        if rng.random() < 0.6:
            family["family_phone"] = phone_number(rng)
    family["family_visits_last_year"] = rng.randint(0, 12) if known else 0
    family["siblings_in_institution"] = rng.choices((0, 1, 2, 3), weights=(70, 20, 8, 2))[0]
    return family


def _children(
    rng: random.Random, institutions: list[Row]
) -> tuple[list[Row], dict[str, list[Row]]]:
    weights = [
        rng.lognormvariate(0.0, 0.6) * (0.5 if i["data"]["institution_type"] == "short_term" else 1)
        for i in institutions
    ]
    sizes = _split(CHILDREN_TOTAL, weights, MIN_CHILDREN_PER_INSTITUTION)
    sexes = [s for s, n in CHILDREN_BY_SEX.items() for _ in range(n)]
    rng.shuffle(sexes)
    ages = [rng.randint(0, 2) for _ in range(CHILDREN_UNDER_3)]
    ages += rng.choices(
        list(_AGE_WEIGHTS), weights=list(_AGE_WEIGHTS.values()), k=CHILDREN_TOTAL - CHILDREN_UNDER_3
    )
    rng.shuffle(ages)

    by_province: dict[str, list[Row]] = {}
    for inst in institutions:
        by_province.setdefault(inst["province"], []).append(inst)
    codes = {inst["record_id"]: inst["data"]["code"] for inst in institutions}
    communes = communes_by_province()
    all_communes = [c for province in communes.values() for c in province]

    rows: list[Row] = []
    placements: dict[str, list[Row]] = {}
    for inst, size in zip(institutions, sizes, strict=True):
        idata = inst["data"]
        opened = date.fromisoformat(idata["opened_date"])
        kind = idata["institution_type"]
        for n in range(1, size + 1):
            k = len(rows)
            sex, age = sexes[k], ages[k]
            # Born so that the age on the reference date is exactly ``age``.
            born = _date_between(
                rng,
                date(REFERENCE_DATE.year - age - 1, REFERENCE_DATE.month, REFERENCE_DATE.day)
                + timedelta(days=1),
                date(REFERENCE_DATE.year - age, REFERENCE_DATE.month, REFERENCE_DATE.day),
            )
            lo, hi = max(born, opened), REFERENCE_DATE
            if kind == "long_term" and hi - timedelta(days=183) >= lo and rng.random() < 0.92:
                hi -= timedelta(days=183)
            elif kind == "short_term" and rng.random() < 0.85:
                lo = max(lo, REFERENCE_DATE - timedelta(days=180))
            admission = _date_between(rng, lo, hi)
            registered = _date_between(rng, max(admission, REGISTRATION_START), REFERENCE_DATE)
            disabled = rng.random() < DISABILITY_RATE
            name = child_name(rng, sex)
            key = f"{idata['code']}:{n:04d}"
            rid = record_id("child", key)
            history = _placement_history(
                rng, born, admission, inst, by_province[inst["province"]], key
            )
            placements[rid] = history
            admitted_by = _admitted_by(rng, history)
            mother = _pick(rng, _PARENT_ALIVE["mother"])
            father = _pick(rng, _PARENT_ALIVE["father"])
            reasons = _pick_some(rng, _REASON_WEIGHTS, 1 if rng.random() < 0.55 else 2)
            if "no" in (mother, father):
                reasons.add("parent_death")
            if disabled and rng.random() < 0.4:
                reasons.add("child_disability")
            recommended = rng.random() < (0.5 if admitted_by in ("ccwc", "dosvy") else 0.05)

            data: Row = {
                "institution": inst["record_id"],
                "registration_date": registered.isoformat(),
                "child_name": name.khmer,
                "child_name_latin": name.latin,
            }
            if rng.random() < 0.2:
                data["known_as"] = rng.choice(NICKNAMES)
            data["sex"] = sex
            data["date_of_birth"] = born.isoformat()
            data["date_of_birth_estimated"] = _yes(rng, 0.25)
            data["age_years"] = age_on(born, registered)  # the form's calculation
            data["disability"] = "yes" if disabled else "no"
            if disabled:
                types = _pick_some(rng, DISABILITY_WEIGHTS, 1 if rng.random() < 0.85 else 2)
                data["disability_types"] = _in_order(types, DISABILITY_TYPES)
            data["admission_date"] = admission.isoformat()
            data["admitted_by"] = admitted_by
            data["has_placement_recommendation"] = "yes" if recommended else "no"
            data["reasons_for_admission"] = _in_order(reasons, REASONS)
            data["documents"] = {
                "birth_certificate": _yes(rng, 0.6),
                "family_book": _yes(rng, 0.45),
                "case_file_exists": _yes(rng, 0.7),
            }
            data["education"] = _school(rng, age_on(born, registered))
            family_name = (name.latin.split()[0], name.khmer.split()[0])
            data["family"] = _family(
                rng, family_name, reasons, mother, father, all_communes, communes[inst["province"]]
            )
            data["related_to_director"] = _yes(rng, 0.02)
            note = history_note(history, codes)
            if note is not None:
                data["notes"] = note
            rows.append(
                _record(CHILD_FORM, rid, data, inst["province"], inst["district"], inst["commune"])
            )
        idata["baseline_beds"] = size + rng.randint(0, max(2, size // 4))
        idata["baseline_children"] = size
    return rows, placements


def generate_demo() -> DemoData:
    """The whole demo data set: location rows, institution records, child records."""
    rng = random.Random(SEED)
    institutions = _institutions(rng)
    children, placements = _children(rng, institutions)
    return DemoData(
        locations=location_rows(),
        institutions=institutions,
        children=children,
        placements=placements,
    )
