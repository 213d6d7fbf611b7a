"""Docs are tested: every route, error code and setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.routing import APIRoute

from app.change_codes import CODES, MESSAGES
from app.errors import CATALOG
from app.main import ROUTERS
from app.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def test_every_route_is_in_the_api_reference() -> None:
    text = (REPO / "docs" / "api.md").read_text()
    missing = [
        f"{method} {route.path}"
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
        if f"| {method} | `{route.path}` |" not in text
    ]
    assert missing == []


def test_every_error_code_is_in_the_api_reference() -> None:
    text = (REPO / "docs" / "api.md").read_text()
    assert [code for code in CATALOG if f"| `{code}` |" not in text] == []


def test_every_setting_is_in_the_readme() -> None:
    text = (REPO / "README.md").read_text()
    names = [f"HOMEWARD_{name.upper()}" for name in Settings.model_fields]
    assert [name for name in names if f"`{name}`" not in text] == []


def test_every_per_change_code_is_in_the_api_reference() -> None:
    text = (REPO / "docs" / "api.md").read_text()
    section = text.split("## Per-change codes", 1)[1]
    assert [code for code in sorted(CODES) if f"| `{code}` |" not in section] == []


def test_every_per_change_code_has_english_and_khmer_text() -> None:
    khmer = re.compile("[\u1780-\u17ff]")
    for key, (en, km) in MESSAGES.items():
        assert en.strip() and khmer.search(km), key
