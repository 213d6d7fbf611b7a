"""What validation says about a field: an ``Issue`` (an error or a flag) at a data path, in
English and Khmer, its texts from the one catalog (``app.change_codes``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.change_codes import texts

# lookup_record(form_id, record_id): the record in the caller's scope
# (``{"form_id", "data", "location"}``), or None when it is missing or out of scope alike
LookupRecord = Callable[[str, str], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Issue:
    """An error or a flag at a data path (`household_members.2.age`), in English and Khmer."""

    path: str
    code: str
    message: str
    message_km: str
    urgent: bool = False

    def as_detail(self) -> dict[str, Any]:
        """The contract's validation detail: `{"path", "code", "message", "message_km"}`."""
        detail: dict[str, Any] = {
            "path": self.path,
            "code": self.code,
            "message": self.message,
            "message_km": self.message_km,
        }
        if self.urgent:
            detail["urgent"] = True
        return detail


def issue(
    path: str, code: str, /, *, variant: str | None = None, urgent: bool = False, **params: Any
) -> Issue:
    """The issue ``code`` at ``path``, worded as the catalog's ``code`` or ``code.variant``."""
    en, km = texts(f"{code}.{variant}" if variant else code, **params)
    return Issue(path, code, en, km, urgent)


# type -> (English, Khmer) description for wrong_type
EXPECTED: dict[str, tuple[str, str]] = {
    "form": ("an object of fields", "វត្ថុ (object) នៃចំណុចទិន្នន័យ"),
    "text": ("a text", "អត្ថបទ"),
    "integer": ("a whole number", "ចំនួនគត់"),
    "decimal": ("a number", "លេខ"),
    "date": ("a date written YYYY-MM-DD", "កាលបរិច្ឆេទសរសេរជា YYYY-MM-DD"),
    "datetime": (
        "a date and time with a UTC offset (ISO 8601)",
        "កាលបរិច្ឆេទ និងម៉ោង ដែលមានតំបន់ម៉ោង (ISO 8601)",
    ),
    "select_one": ("the name of one choice", "ឈ្មោះជម្រើសមួយ"),
    "select_multiple": ("a list of choice names", "បញ្ជីឈ្មោះជម្រើស"),
    "yes_no": ('"yes" or "no"', '"yes" ឬ "no"'),
    "geopoint": (
        'a point {"lat", "lon", "accuracy"} (degrees, metres)',
        'ចំណុចភូមិសាស្ត្រ {"lat", "lon", "accuracy"} (ដឺក្រេ ម៉ែត្រ)',
    ),
    "photo": ("the SHA-256 (64 hex digits) of an attachment", "SHA-256 (៦៤ ខ្ទង់) នៃឯកសារភ្ជាប់"),
    "signature": (
        "the SHA-256 (64 hex digits) of an attachment",
        "SHA-256 (៦៤ ខ្ទង់) នៃឯកសារភ្ជាប់",
    ),
    "reference": ("a record ID (UUID)", "លេខសម្គាល់កំណត់ត្រា (UUID)"),
    "group": ("an object of fields", "វត្ថុ (object) នៃចំណុចទិន្នន័យ"),
    "repeat": ("a list of rows", "បញ្ជីជួរ"),
    "row": ("a row (an object of fields)", "ជួរមួយ (object)"),
    "row_key": ("a row ID (UUID)", "លេខសម្គាល់ជួរ (UUID)"),
}


def wrong_type(path: str, kind: str) -> Issue:
    en, km = EXPECTED[kind]
    return issue(path, "wrong_type", expected=en, expected_km=km)
