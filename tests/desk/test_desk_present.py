"""A record's answers as the desk shows them: numbers and dates in the reader's digits."""

from __future__ import annotations

from app.desk.present import show_value
from app.forms.definitions import load_builtin_form
from app.forms.schema import walk


def test_numbers_and_dates_take_the_readers_digits() -> None:
    schema = load_builtin_form("institution_inspection")
    fields = [info.field for info in walk(schema.fields)]
    beds = next(f for f in fields if f.name == "beds")
    assert show_value(schema, beds, 60, "en") == "60"
    assert show_value(schema, beds, 60, "km") == "៦០"
    a_date = next(f for f in fields if f.type == "date")
    assert show_value(schema, a_date, "2026-11-30", "km") == "៣០ វិច្ឆិកា ២០២៦"
    assert show_value(schema, a_date, "2026-11-30", "en") == "30 November 2026"
