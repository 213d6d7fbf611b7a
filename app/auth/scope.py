"""Geographic scope: national, a province, a district or a commune.

Cambodia's location codes nest by prefix (province ``12`` > district ``1201`` >
commune ``120101`` > village ``12010101``), so a scope covers a location exactly when
the location's code starts with the scope's code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, true

LEVEL_LENGTHS = {"province": 2, "district": 4, "commune": 6, "village": 8}
_CODE = re.compile(r"^\d{2}(\d{2}){0,3}$")


@dataclass(frozen=True)
class Scope:
    province: str | None = None
    district: str | None = None
    commune: str | None = None

    @property
    def code(self) -> str | None:
        """The most specific code of the scope (None = national)."""
        return self.commune or self.district or self.province

    @property
    def level(self) -> str:
        if self.commune:
            return "commune"
        if self.district:
            return "district"
        if self.province:
            return "province"
        return "national"

    def covers(self, location_code: str | None) -> bool:
        code = self.code
        if code is None:
            return True
        return location_code is not None and location_code.startswith(code)

    def as_dict(self) -> dict[str, str | None]:
        return {"province": self.province, "district": self.district, "commune": self.commune}

    def filter(self, table: Any) -> ColumnElement[bool]:
        """A WHERE clause restricting ``table`` (with province/district/commune columns)."""
        if self.commune:
            return table.commune == self.commune  # type: ignore[no-any-return]
        if self.district:
            return table.district == self.district  # type: ignore[no-any-return]
        if self.province:
            return table.province == self.province  # type: ignore[no-any-return]
        return true()


def record_location(row: Any) -> str | None:
    """The most specific location code of a row with province/district/commune columns."""
    return row.commune or row.district or row.province  # type: ignore[no-any-return]


def is_location_code(code: str) -> bool:
    return bool(_CODE.match(code))


def location_columns(code: str | None) -> dict[str, str | None]:
    """Split a location code into the province/district/commune columns a record stores."""
    if not code:
        return {"province": None, "district": None, "commune": None}
    return {
        "province": code[:2] if len(code) >= 2 else None,
        "district": code[:4] if len(code) >= 4 else None,
        "commune": code[:6] if len(code) >= 6 else None,
    }


def scope_from_codes(province: str | None, district: str | None, commune: str | None) -> Scope:
    """Build a scope, checking that the codes are well formed and nest inside each other."""
    for name, value, length in (
        ("province", province, 2),
        ("district", district, 4),
        ("commune", commune, 6),
    ):
        if value is not None and not re.fullmatch(rf"\d{{{length}}}", value):
            raise ValueError(f"{name} code must be {length} digits, got {value!r}")
    if commune and not district:
        district = commune[:4]
    if district and not province:
        province = district[:2]
    if district and province and not district.startswith(province):
        raise ValueError(f"district {district} is not in province {province}")
    if commune and district and not commune.startswith(district):
        raise ValueError(f"commune {commune} is not in district {district}")
    return Scope(province=province, district=district, commune=commune)
