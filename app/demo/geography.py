"""Synthetic geography for the five priority provinces (pure: no database, no randomness).

The provinces carry their official codes and names; everything below them is invented and
named after its own code ("District 1201" / "ស្រុក ១២០១"), so no row can be mistaken for a
real place. Codes nest the official way: province 2 digits, district 4, commune 6, village 8.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict


class LocationRow(TypedDict):
    code: str
    level: str
    parent_code: str | None
    name_en: str
    name_km: str


LEVELS = ("province", "district", "commune", "village")

# Official code, English and Khmer name of the five priority provinces.
PRIORITY_PROVINCES: dict[str, tuple[str, str]] = {
    "12": ("Phnom Penh", "ភ្នំពេញ"),
    "17": ("Siem Reap", "សៀមរាប"),
    "02": ("Battambang", "បាត់ដំបង"),
    "08": ("Kandal", "កណ្ដាល"),
    "18": ("Preah Sihanouk", "ព្រះសីហនុ"),
}

# Approximate centre (latitude, longitude) of each priority province, for invented GPS points.
PROVINCE_CENTRES: dict[str, tuple[float, float]] = {
    "12": (11.5564, 104.9282),
    "17": (13.3633, 103.8564),
    "02": (13.0957, 103.2022),
    "08": (11.4800, 104.9500),
    "18": (10.6253, 103.5234),
}

# Synthetic districts per province (enough communes to spread each province's institutions).
DISTRICTS_PER_PROVINCE: dict[str, int] = {"12": 8, "17": 6, "02": 5, "08": 4, "18": 3}
COMMUNES_PER_DISTRICT = 5
VILLAGES_PER_COMMUNE = 3

_KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")

# The capital's units are khan / sangkat; the provinces' are srok / khum.
_UNIT_KM = {
    ("12", "district"): "ខណ្ឌ",
    ("12", "commune"): "សង្កាត់",
    ("*", "district"): "ស្រុក",
    ("*", "commune"): "ឃុំ",
    ("*", "village"): "ភូមិ",
}
_UNIT_EN = {
    ("12", "district"): "Khan",
    ("12", "commune"): "Sangkat",
    ("*", "district"): "District",
    ("*", "commune"): "Commune",
    ("*", "village"): "Village",
}


def khmer_digits(text: str) -> str:
    """``"1201"`` -> ``"១២០១"``."""
    return text.translate(_KHMER_DIGITS)


def place_names(level: str, code: str) -> tuple[str, str]:
    """The synthetic (English, Khmer) name of a district, commune or village, from its code."""
    return _names(code[:2], level, code)


def _names(province: str, level: str, code: str) -> tuple[str, str]:
    en = _UNIT_EN.get((province, level)) or _UNIT_EN[("*", level)]
    km = _UNIT_KM.get((province, level)) or _UNIT_KM[("*", level)]
    return f"{en} {code}", f"{km} {khmer_digits(code)}"


@dataclass(frozen=True)
class Commune:
    province: str
    district: str
    code: str
    villages: tuple[str, ...]


def province_rows() -> list[LocationRow]:
    return [
        LocationRow(code=code, level="province", parent_code=None, name_en=en, name_km=km)
        for code, (en, km) in PRIORITY_PROVINCES.items()
    ]


def location_rows() -> list[LocationRow]:
    """Every location row, parents before children (provinces, districts, communes, villages)."""
    rows = province_rows()
    by_level: dict[str, list[LocationRow]] = {level: [] for level in LEVELS[1:]}
    for province in PRIORITY_PROVINCES:
        for d in range(1, DISTRICTS_PER_PROVINCE[province] + 1):
            district = f"{province}{d:02d}"
            en, km = _names(province, "district", district)
            by_level["district"].append(
                LocationRow(
                    code=district, level="district", parent_code=province, name_en=en, name_km=km
                )
            )
            for c in range(1, COMMUNES_PER_DISTRICT + 1):
                commune = f"{district}{c:02d}"
                en, km = _names(province, "commune", commune)
                by_level["commune"].append(
                    LocationRow(
                        code=commune, level="commune", parent_code=district, name_en=en, name_km=km
                    )
                )
                for v in range(1, VILLAGES_PER_COMMUNE + 1):
                    village = f"{commune}{v:02d}"
                    en, km = _names(province, "village", village)
                    by_level["village"].append(
                        LocationRow(
                            code=village,
                            level="village",
                            parent_code=commune,
                            name_en=en,
                            name_km=km,
                        )
                    )
    for level in LEVELS[1:]:
        rows.extend(by_level[level])
    return rows


def communes_by_province() -> dict[str, list[Commune]]:
    """The synthetic communes of each priority province, with their villages, in code order."""
    result: dict[str, list[Commune]] = {p: [] for p in PRIORITY_PROVINCES}
    villages: dict[str, list[str]] = {}
    for row in location_rows():
        if row["level"] == "village" and row["parent_code"] is not None:
            villages.setdefault(row["parent_code"], []).append(row["code"])
    for row in location_rows():
        if row["level"] == "commune":
            code = row["code"]
            result[code[:2]].append(
                Commune(
                    province=code[:2],
                    district=code[:4],
                    code=code,
                    villages=tuple(villages.get(code, ())),
                )
            )
    return result
