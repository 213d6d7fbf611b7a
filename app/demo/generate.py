"""Build the synthetic demo data set (pure and deterministic: same call, same rows).

The totals match the 2015/16 mapping of the five priority provinces exactly (DOMAIN.md):
267 institutions (Phnom Penh 117, Siem Reap 80, Battambang 35, Kandal 20, Preah Sihanouk 15;
173 long-term, 23 short-term, 71 unknown) and 11,788 children under 18 on the reference date
(5,607 girls, 6,181 boys). Everything else (places below province, names, dates) is invented.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from app.demo.geography import LocationRow, communes_by_province, khmer_digits, location_rows
from app.demo.people import child_name

DEMO_VERSION = "2026.1"
FORM_VERSION = "2026.1"
INSTITUTION_FORM = "institution"
CHILD_FORM = "child_registration"
CREATED_BY = "demo"
REFERENCE_DATE = date(2026, 11, 24)
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
_AGE_WEIGHTS = {3: 2, 4: 3, 5: 4, 6: 5, 7: 6, 8: 7, 9: 8, 10: 8, 11: 8, 12: 8, 13: 8, 14: 8,
                15: 7, 16: 6, 17: 5}
DISABILITY_TYPES = ("physical", "intellectual", "visual", "hearing", "speech", "multiple")
CARE_DURATIONS = ("under_6_months", "6_to_12_months", "1_to_3_years", "over_3_years")
PLACEMENTS = ("birth_family", "kinship_care", "foster_care", "residential_care", "other")
_EARLIER_PLACEMENT_WEIGHTS = {"birth_family": 3, "kinship_care": 5, "foster_care": 2,
                              "residential_care": 4, "other": 1}

Row = dict[str, Any]


@dataclass
class DemoData:
    locations: list[LocationRow] = field(default_factory=list)
    institutions: list[Row] = field(default_factory=list)
    children: list[Row] = field(default_factory=list)


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


def _institutions(rng: random.Random) -> list[Row]:
    communes = communes_by_province()
    types = [t for t, n in INSTITUTIONS_BY_TYPE.items() for _ in range(n)]
    rng.shuffle(types)
    rows: list[Row] = []
    for province, count in INSTITUTIONS_BY_PROVINCE.items():
        # Round robin over the shuffled communes: every commune gets its share.
        pool = list(communes[province])
        rng.shuffle(pool)
        for seq in range(1, count + 1):
            commune = pool[(seq - 1) % len(pool)]
            code = f"{province}-{seq:03d}"
            data: Row = {
                "name": f"Care Centre {code}",
                "name_km": f"មណ្ឌលថែទាំកុមារ {khmer_digits(code)}",
                "code": code,
                "institution_type": types[len(rows)],
                "province": province,
                "district": commune.district,
                "commune": commune.code,
                "village": rng.choice(commune.villages),
                "baseline_beds": 0,  # set once its children are known
                "opened_year": rng.randint(1993, 2015),
            }
            rows.append(
                _record(INSTITUTION_FORM, record_id("institution", code), data,
                        province, commune.district, commune.code)
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

    Each row carries a ``_row_id`` (the repeat's row key) so rows keep their identity.
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
                    r["record_id"] for r in same_province
                    if r["data"]["opened_year"] <= start.year
                    and r["record_id"] != institution["record_id"]
                ]
                if candidates:
                    other = rng.choice(candidates)
                else:
                    placement = "kinship_care"
            history.append({"_row_id": record_id("placement", f"{key}:{len(history)}"),
                            "from": start.isoformat(), "to": end.isoformat(),
                            "placement": placement, "institution": other})
            previous = placement
    history.append({"_row_id": record_id("placement", f"{key}:{len(history)}"),
                    "from": admission.isoformat(), "to": None,
                    "placement": "residential_care", "institution": institution["record_id"]})
    return history


def _children(rng: random.Random, institutions: list[Row]) -> list[Row]:
    weights = [
        rng.lognormvariate(0.0, 0.6) * (0.5 if i["data"]["institution_type"] == "short_term" else 1)
        for i in institutions
    ]
    sizes = _split(CHILDREN_TOTAL, weights, MIN_CHILDREN_PER_INSTITUTION)
    sexes = [s for s, n in CHILDREN_BY_SEX.items() for _ in range(n)]
    rng.shuffle(sexes)
    ages = [rng.randint(0, 2) for _ in range(CHILDREN_UNDER_3)]
    ages += rng.choices(list(_AGE_WEIGHTS), weights=list(_AGE_WEIGHTS.values()),
                        k=CHILDREN_TOTAL - CHILDREN_UNDER_3)
    rng.shuffle(ages)

    by_province: dict[str, list[Row]] = {}
    for inst in institutions:
        by_province.setdefault(inst["province"], []).append(inst)

    rows: list[Row] = []
    for inst, size in zip(institutions, sizes, strict=True):
        idata = inst["data"]
        opened = date(idata["opened_year"], 1, 1)
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
            disabled = rng.random() < DISABILITY_RATE
            name = child_name(rng, sex)
            key = f"{idata['code']}:{n:04d}"
            data: Row = {
                "child_name": name.latin,
                "child_name_km": name.khmer,
                "sex": sex,
                "date_of_birth": born.isoformat(),
                "disability": "yes" if disabled else "no",
                "disability_type": rng.choice(DISABILITY_TYPES) if disabled else None,
                "institution": inst["record_id"],
                "admission_date": admission.isoformat(),
                "care_duration": care_duration(admission),
                "placement_history": _placement_history(
                    rng, born, admission, inst, by_province[inst["province"]], key
                ),
            }
            rows.append(
                _record(CHILD_FORM, record_id("child", key), data,
                        inst["province"], inst["district"], inst["commune"])
            )
        idata["baseline_beds"] = size + rng.randint(0, max(2, size // 4))
    return rows


def generate_demo() -> DemoData:
    """The whole demo data set: location rows, institution records, child records."""
    rng = random.Random(SEED)
    institutions = _institutions(rng)
    children = _children(rng, institutions)
    return DemoData(locations=location_rows(), institutions=institutions, children=children)
