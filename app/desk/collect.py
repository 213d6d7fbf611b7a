"""Configure ODK Collect: a new device and token for a field user, and the QR code Collect
scans to set itself up.

Collect's configuration code (docs.getodk.org, "Importing and exporting settings") is its
settings JSON, ``{"general": {...}, "admin": {...}, "project": {...}}``, compressed with zlib
and encoded as base64; every setting the code omits is reset to Collect's default. The server
URL carries the token (``{server}/openrosa/key/{token}``), so Collect needs no password.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import segno
from sqlalchemy.orm import Session

from app.audit import record_audit
from app.auth.tokens import issue_token
from app.models import User

DEVICE_PREFIX = "collect:"
MAX_DEVICE_NAME = 60
PROJECT_NAME = "Homeward"
PROJECT_COLOR = "#0b3a62"  # the desk's ink: the project's colour in Collect's switcher


@dataclass(frozen=True)
class CollectSetup:
    device_id: str
    server_url: str
    payload: str  # what the QR code holds: base64(zlib(settings JSON))
    svg: str  # the QR code, an inline SVG with no style attribute
    expires_at: datetime


def clean_device_name(name: str) -> str:
    """The name as shown on the devices page: spaces collapsed, at most 60 characters."""
    return re.sub(r"\s+", " ", name).strip()[:MAX_DEVICE_NAME]


def new_device_id(name: str) -> str:
    """A device id no other sign-in has: ``collect:{8 hex}:{name}``."""
    return f"{DEVICE_PREFIX}{secrets.token_hex(4)}:{clean_device_name(name)}"


def server_url(root: str, token: str) -> str:
    return f"{root.rstrip('/')}/openrosa/key/{token}"


def collect_settings(*, url: str, username: str) -> dict[str, Any]:
    """Collect's settings: the server, the user's name (shown in Collect; no password), the
    forms kept exactly as the server lists them, finalized forms sent on any network."""
    return {
        "general": {
            "server_url": url,
            "username": username,
            "form_update_mode": "match_exactly",
            "autosend": "wifi_and_cellular",
        },
        "admin": {},
        "project": {"name": PROJECT_NAME, "icon": "H", "color": PROJECT_COLOR},
    }


def encode_settings(settings: dict[str, Any]) -> str:
    """base64(zlib(JSON)), as Collect reads a configuration code."""
    raw = json.dumps(settings, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def decode_settings(payload: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(zlib.decompress(base64.b64decode(payload)))
    return decoded


def qr_svg(payload: str, *, title: str) -> str:
    """The QR code as inline SVG: dark modules drawn as one path on a white square, sized by
    its viewBox (the page's stylesheet sets the width). Presentation attributes only: the
    desk's CSP forbids inline styles."""
    code = segno.make(payload, micro=False, error="m")
    return code.svg_inline(
        scale=1,
        border=4,
        dark="#000",
        light="#fff",
        title=title,
        svgclass="qr",
        lineclass=None,
        omitsize=True,
    )


def configure_collect(
    session: Session,
    *,
    user: User,
    device_name: str,
    root: str,
    title: str,
    now: datetime,
    ttl: timedelta,
) -> CollectSetup:
    """Issue a bearer token for ``user`` on a new device (as ``/api/v1/auth/token`` does: the
    admin's devices page lists it and revokes it) and audit it. The caller commits; the token
    itself is returned once, in the URL and the QR code, and stored only as its hash."""
    device_id = new_device_id(device_name)
    issued = issue_token(session, user, device_id=device_id, now=now, ttl=ttl)
    url = server_url(root, issued.token)
    payload = encode_settings(collect_settings(url=url, username=user.username))
    record_audit(
        session,
        action="collect.configured",
        actor=user.username,
        device_id=device_id,
        target_type="device",
        target_id=device_id,
        details={"expires_at": issued.expires_at.isoformat()},
    )
    return CollectSetup(
        device_id=device_id,
        server_url=url,
        payload=payload,
        svg=qr_svg(payload, title=title),
        expires_at=issued.expires_at,
    )
