"""The permission table is the only check of who may do what, and every verb in it is used."""

from __future__ import annotations

import re
from pathlib import Path

from app.auth.roles import PERMISSIONS, ROLES

APP = Path(__file__).resolve().parents[2] / "app"
ROLES_PY = APP / "auth" / "roles.py"


def _sources() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in APP.rglob("*.py") if p != ROLES_PY}


def test_every_verb_is_used_outside_the_table() -> None:
    text = "\n".join(_sources().values())
    unused = [verb for verb in PERMISSIONS if f'"{verb}"' not in text]
    assert unused == []


def test_no_role_is_compared_by_hand_outside_the_table() -> None:
    pattern = re.compile(r"\.role\s*(==|!=|in|not in)\s*[\"(\[{]|role\s*(==|!=)\s*\"")
    found = [
        f"{path.relative_to(APP)}:{n}: {line.strip()}"
        for path, text in _sources().items()
        for n, line in enumerate(text.splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []


def test_the_role_list_is_written_once() -> None:
    literal = re.compile(r'"inspector",\s*"ccwc",\s*"social_worker"')
    assert [p for p, text in _sources().items() if literal.search(text)] == []
    assert len(ROLES) == 6
