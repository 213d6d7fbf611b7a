"""Collect's configuration code, pure: the settings Collect reads, base64(zlib(JSON)), the
device id, and an SVG the desk's CSP allows."""

from __future__ import annotations

import base64
import json
import re
import zlib

from app.desk.collect import (
    clean_device_name,
    collect_settings,
    decode_settings,
    encode_settings,
    new_device_id,
    qr_svg,
    server_url,
)
from tests.desk.qr_reading import decode


def test_the_code_is_base64_of_zlib_of_collects_settings_json() -> None:
    url = server_url("http://example.test/", "hw_abc")
    assert url == "http://example.test/openrosa/key/hw_abc"
    payload = encode_settings(collect_settings(url=url, username="ccwc.pp"))
    settings = json.loads(zlib.decompress(base64.b64decode(payload, validate=True)))
    assert settings == decode_settings(payload)
    assert set(settings) == {"general", "admin", "project"}
    assert settings["general"]["server_url"] == url
    assert settings["general"]["username"] == "ccwc.pp"
    assert "password" not in settings["general"]  # the token in the URL is the key
    assert settings["general"]["form_update_mode"] == "match_exactly"
    assert settings["project"]["name"] == "Homeward"


def test_the_svg_holds_the_payload_and_no_inline_style() -> None:
    payload = encode_settings(collect_settings(url="http://h/openrosa/key/hw_x", username="u"))
    svg = qr_svg(payload, title="Code <Collect> & ខ្មែរ")
    assert decode(svg) == payload
    assert "style" not in svg and "<script" not in svg
    assert "<title>Code &lt;Collect&gt; &amp; ខ្មែរ</title>" in svg


def test_a_device_id_is_new_each_time_and_carries_the_cleaned_name() -> None:
    assert clean_device_name("  Collect \n on   my phone ") == "Collect on my phone"
    assert len(clean_device_name("x" * 500)) == 60
    first, second = new_device_id("My phone"), new_device_id("My phone")
    assert first != second
    assert re.fullmatch(r"collect:[0-9a-f]{8}:My phone", first)
    assert len(new_device_id("x" * 500)) <= 128
