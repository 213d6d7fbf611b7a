"""The desk's catalog: every message in both languages, Khmer not English, the same
placeholders; and every key a template or view names exists."""

from __future__ import annotations

import re
from pathlib import Path

from app.desk.i18n import MESSAGES, format_date, format_datetime, format_number, text

DESK = Path(__file__).resolve().parents[2] / "app" / "desk"
KHMER = re.compile("[\u1780-\u17ff]")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_message_is_in_english_and_khmer_and_khmer_is_not_english() -> None:
    for key, (english, khmer) in MESSAGES.items():
        assert english.strip() and khmer.strip(), key
        assert khmer != english, key
        assert KHMER.search(khmer), key
        assert not KHMER.search(english), key
        assert set(PLACEHOLDER.findall(english)) == set(PLACEHOLDER.findall(khmer)), key


def test_every_key_the_templates_and_views_name_is_in_the_catalog() -> None:
    named: set[str] = set()
    for path in [*DESK.glob("templates/*.html"), *DESK.glob("*.py")]:
        source = path.read_text()
        named |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_]+)["']""", source))
        named |= set(re.findall(r"""_key=["']([a-z0-9_]+)["']""", source))
        named |= set(re.findall(r"""\(\s*"[a-z_]+",\s*"([a-z0-9_]+)",\s*\{""", source))
    named = {n for n in named if not n.endswith("_")}  # prefixes: checked below
    assert named and sorted(named - set(MESSAGES)) == []
    # the prefixed families the templates build from data
    for prefix, names in {
        "state_": ("received", "approved", "returned", "rejected"),
        "placement_": ("recommended", "authorized", "certified", "declined"),
        "role_": ("inspector", "ccwc", "social_worker", "dosvy_supervisor", "mosvy", "admin"),
        "action_": ("approve", "return", "reject", "authorize", "certify", "decline", "reopen"),
    }.items():
        assert [n for n in names if prefix + n not in MESSAGES] == []


def test_dates_are_written_as_people_write_them() -> None:
    assert format_date("2026-11-30", "en") == "30 November 2026"
    assert format_date("2026-11-30", "km") == "៣០ វិច្ឆិកា ២០២៦"
    assert format_datetime("2026-11-30T01:05:00+00:00", "en") == "30 November 2026, 08:05"
    assert format_datetime("2026-11-30T01:05:00+00:00", "km") == "៣០ វិច្ឆិកា ២០២៦, ០៨:០៥"
    assert text("km", "row_n", n=2) == "ជួរទី ២"
    assert text("en", "row_n", n=2) == "Row 2"


def test_numbers_are_written_as_people_write_them() -> None:
    assert format_number(11788, "en") == "11,788"
    assert format_number(11788, "km") == "១១.៧៨៨"
    assert format_number(12.5, "en") == "12.5"
    assert format_number(1234.5, "km") == "១.២៣៤,៥"
    assert format_number(0, "km") == "០"
