"""An ODK edit read against the instance it replaces (app.openrosa.edits), and instance XML
read as Homeward data (app.openrosa.submission)."""

from __future__ import annotations

import pytest

from app.forms.schema import Field
from app.openrosa.edits import carried_over
from app.openrosa.submission import SubmissionInvalid, read_data, read_header
from app.openrosa.xforms import with_identity


def test_a_value_the_edit_left_alone_keeps_the_revisions_value() -> None:
    before = {"a": "1", "b": "2", "g": {"x": "1", "y": "1"}}
    base = {"a": "server", "b": "2", "g": {"x": "server", "y": "1"}, "c": "added"}
    edit = {"a": "1", "b": "edited", "g": {"x": "1", "y": "edited"}}
    assert carried_over(edit, before, base) == {
        "a": "server",
        "b": "edited",
        "g": {"x": "server", "y": "edited"},
        "c": "added",
    }


def test_a_value_the_edit_removed_is_removed() -> None:
    before = {"a": "1", "rows": [{"_row_id": "r1"}]}
    base = {"a": "1", "rows": [{"_row_id": "r1"}, {"_row_id": "r2"}]}
    assert carried_over({}, before, base) == {}
    assert carried_over({"a": "1", "rows": []}, before, base) == {"a": "1", "rows": []}


def _field(**spec: object) -> Field:
    return Field.model_validate({"label": {"en": "x", "km": "ក"}, **spec})


FIELDS = [
    _field(name="n", type="integer"),
    _field(name="d", type="decimal"),
    _field(name="s", type="select_multiple", choices=[
        {"name": "a", "label": {"en": "a", "km": "ក"}},
        {"name": "b", "label": {"en": "b", "km": "ខ"}},
    ]),
    _field(name="p", type="geopoint"),
    _field(name="g", type="group", fields=[_field(name="t", type="text")]),
    _field(name="r", type="repeat", fields=[_field(name="img", type="photo")]),
]  # fmt: skip

XML = b"""<?xml version="1.0"?>
<data id="f" version="1" xmlns:orx="http://openrosa.org/xforms">
  <n>3</n><d>2.5</d><s>a b</s><p>11.5 104.9 12 5</p>
  <g><t>hello</t></g><g2/>
  <r><_row_id>k1</_row_id><img>one.jpg</img></r><r><_row_id>k2</_row_id><img/></r>
  <orx:meta><orx:instanceID>uuid:6F1C2B0A-1111-4222-8333-944455556666</orx:instanceID>
  <orx:deprecatedID>uuid:6f1c2b0a-1111-4222-8333-944455556667</orx:deprecatedID></orx:meta>
</data>"""


def test_an_instance_reads_as_the_data_a_push_carries() -> None:
    header = read_header(XML)
    assert (header.form_id, header.version) == ("f", "1")
    assert header.instance_id == "uuid:6F1C2B0A-1111-4222-8333-944455556666"
    assert header.deprecated_id == "uuid:6f1c2b0a-1111-4222-8333-944455556667"
    data = read_data(header.root, FIELDS, {"one.jpg": "a" * 64}.get)
    assert data == {
        "n": 3,
        "d": 2.5,
        "s": ["a", "b"],
        "p": {"lat": 11.5, "lon": 104.9, "altitude": 12.0, "accuracy": 5.0},
        "g": {"t": "hello"},
        "r": [{"_row_id": "k1", "img": "a" * 64}, {"_row_id": "k2"}],
    }


@pytest.mark.parametrize(
    ("xml", "words"),
    [
        (b"<data", "well-formed"),
        (b"<data><meta><instanceID>uuid:x</instanceID></meta></data>", "id"),
        (b"<data id='f'><meta/></data>", "instanceID"),
        (b"<data id='f'><meta><instanceID>nope</instanceID></meta></data>", "UUID"),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><data id="f">&e;</data>',
            "well-formed",
        ),
    ],
)
def test_an_unreadable_submission_says_why(xml: bytes, words: str) -> None:
    with pytest.raises(SubmissionInvalid, match=words):
        read_header(xml)


def test_a_file_the_instance_names_must_arrive() -> None:
    header = read_header(XML)
    with pytest.raises(SubmissionInvalid, match="one.jpg"):
        read_data(header.root, FIELDS, {}.get)


def test_the_instance_root_takes_homewards_identity() -> None:
    xform = '<h:html><model><instance>\n  <data id="x" version="9" odk:prefix="p"/></instance>'
    out = with_identity(xform, "household_visit", "2026.1")
    assert '<data id="household_visit" version="2026.1" odk:prefix="p"/>' in out
