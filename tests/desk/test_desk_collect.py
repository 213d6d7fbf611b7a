"""Configure ODK Collect on the desk: a field user's POST issues a token on a new device and
answers with Collect's settings QR code and the server URL. Over real HTTP (a live server):
the QR code, read by an independent decoder, leads Collect to that user's forms; the admin's
devices page lists and revokes the device, and Collect is cut off at once. Other roles and
CSRF-less POSTs are refused, and no token is made for them."""

from __future__ import annotations

import re
from html import unescape

import httpx
import segno
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.db.session import session_scope
from app.desk.collect import DEVICE_PREFIX, decode_settings
from app.models import AuthToken
from tests.desk.helpers import ORIGIN, csrf_of, desk_sign_in
from tests.desk.qr_reading import decode, modules
from tests.live_server import LiveServer

PASSWORD = "homeward-demo"
_SVG = re.compile(r'<svg viewBox="[^"]+" class="qr">.*?</svg>', re.S)
_URL = re.compile(r'<output id="server-url"[^>]*>([^<]+)</output>')
_FORM_ID = re.compile(r"<formID>([^<]+)</formID>")


def _live_desk(server: LiveServer, username: str) -> tuple[httpx.Client, str]:
    """A browser-like client signed in to the live server's desk; returns it and its CSRF."""
    client = httpx.Client(base_url=server.url, headers={"Origin": server.url})
    page = client.get("/review/signin")
    signed = client.post(
        "/review/signin",
        data={"username": username, "password": PASSWORD, "csrftoken": csrf_of(page.text)},
    )
    assert signed.status_code == 303, signed.text
    return client, csrf_of(client.get("/review/collect").text)


def _collect_tokens() -> int:
    with session_scope() as session:
        count = session.scalar(
            select(func.count())
            .select_from(AuthToken)
            .where(AuthToken.device_id.startswith(DEVICE_PREFIX))
        )
        return int(count or 0)


def test_the_qr_code_leads_collect_to_the_users_forms_until_the_device_is_revoked(
    server: LiveServer,
) -> None:
    inspector, csrf = _live_desk(server, "inspector.sr")
    form = inspector.get("/review/collect")
    assert form.status_code == 200 and 'name="device_name"' in form.text
    answer = inspector.post(
        "/review/collect", data={"csrftoken": csrf, "device_name": "  Collect on   my phone "}
    )
    # the page itself answers: no redirect, so no URL ever holds the token; never cached
    assert answer.status_code == 200, answer.text
    assert "location" not in answer.headers and answer.url.path == "/review/collect"
    assert answer.headers["cache-control"] == "no-store"
    svg = _SVG.search(answer.text)
    assert svg, "no QR code on the page"
    assert "style" not in svg.group(0)  # the desk's CSP forbids inline styles

    payload = decode(svg.group(0))  # read by zxing-cpp from the drawn modules
    settings = decode_settings(payload)  # base64 → zlib → JSON
    url = settings["general"]["server_url"]
    assert url.startswith(f"{server.url}/openrosa/key/hw_")
    assert settings["general"]["username"] == "inspector.sr"
    assert settings["general"]["form_update_mode"] == "match_exactly"
    assert settings["admin"] == {} and settings["project"]["name"] == "Homeward"
    shown = _URL.search(answer.text)
    assert shown and unescape(shown.group(1)) == url
    # the same library, given the same payload, draws exactly these modules
    code = segno.make(payload, micro=False, error="m")
    assert modules(svg.group(0)) == [
        [bool(cell) for cell in row] for row in code.matrix_iter(scale=1, border=4)
    ]

    # Collect's first call: formList at that URL lists the forms the inspector may fill
    listed = httpx.get(f"{url}/formList")
    assert listed.status_code == 200, listed.text
    assert listed.headers["content-type"].startswith("text/xml")
    token = url.rsplit("/", 1)[1]
    api_forms = httpx.get(
        f"{server.url}/api/v1/forms", headers={"Authorization": f"Bearer {token}"}
    ).json()["forms"]
    assert sorted(_FORM_ID.findall(listed.text)) == sorted(f["form_id"] for f in api_forms)
    assert "institution_inspection" in _FORM_ID.findall(listed.text)

    # audited with the device; the admin's devices page lists it and revokes it
    admin_token = httpx.post(
        f"{server.url}/api/v1/auth/token", data={"username": "admin", "password": PASSWORD}
    ).json()["access_token"]
    entries = httpx.get(
        f"{server.url}/api/v1/audit",
        params={"action": "collect.configured"},
        headers={"Authorization": f"Bearer {admin_token}"},
    ).json()["entries"]
    assert [(e["actor"], e["target_type"]) for e in entries] == [("inspector.sr", "device")]
    device_id = entries[0]["device_id"]
    assert re.fullmatch(r"collect:[0-9a-f]{8}:Collect on my phone", device_id)
    assert token not in str(entries)

    admin, admin_csrf = _live_desk(server, "admin")
    devices = admin.get("/review/devices")
    assert device_id in unescape(devices.text)
    revoked = admin.post(
        "/review/devices/revoke", data={"csrftoken": admin_csrf, "device_id": device_id}
    )
    assert revoked.status_code == 303, revoked.text
    assert httpx.get(f"{url}/formList").status_code == 401
    # the inspector's desk session is another device: it goes on
    assert inspector.get("/review/collect").status_code == 200
    inspector.close()
    admin.close()


def test_staff_roles_get_no_collect_page_and_mint_no_token(demo_client: TestClient) -> None:
    for username in ("supervisor.pp", "mosvy", "admin"):
        demo_client.cookies.clear()  # the next user signs in afresh
        csrf = desk_sign_in(demo_client, username)
        page = demo_client.get("/review/collect")
        assert page.status_code == 403, username
        assert "field users" in page.text
        assert 'href="/review/collect"' not in page.text  # not in their navigation
        posted = demo_client.post(
            "/review/collect",
            data={"csrftoken": csrf, "device_name": "x"},
            headers=ORIGIN,
            follow_redirects=False,
        )
        assert posted.status_code == 403, username
    assert _collect_tokens() == 0


def test_a_post_without_the_csrf_token_or_from_another_site_is_refused(
    demo_client: TestClient,
) -> None:
    csrf = desk_sign_in(demo_client, "ccwc.pp")
    for data, headers in (
        ({"device_name": "x"}, ORIGIN),
        ({"device_name": "x", "csrftoken": "forged"}, ORIGIN),
        ({"device_name": "x", "csrftoken": csrf}, {"Origin": "http://evil.example"}),
    ):
        response = demo_client.post(
            "/review/collect", data=data, headers=headers, follow_redirects=False
        )
        assert response.status_code == 403
    assert _collect_tokens() == 0
    # a GET shows the form and mints nothing
    assert demo_client.get("/review/collect").status_code == 200
    assert _collect_tokens() == 0


def test_field_users_find_the_page_in_both_languages_and_need_a_device_name(
    demo_client: TestClient,
) -> None:
    csrf = desk_sign_in(demo_client, "social.btb")
    pointer = demo_client.get("/review")  # the field-role page points to it
    assert pointer.status_code == 403 and 'href="/review/collect"' in pointer.text
    page = demo_client.get("/review/collect")
    assert 'href="/review/collect" aria-current="page"' in page.text
    assert "Configure ODK Collect" in page.text and 'value="Collect on my phone"' in page.text
    empty = demo_client.post(
        "/review/collect",
        data={"csrftoken": csrf, "device_name": "   "},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert empty.status_code == 422 and "Enter a name for the device." in empty.text
    assert _collect_tokens() == 0

    demo_client.get("/review/language/km")
    khmer = demo_client.post(
        "/review/collect",
        data={"csrftoken": csrf, "device_name": "ថេប្លេតទី ១"},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert khmer.status_code == 200
    assert "កំណត់ ODK Collect" in khmer.text and "ស្កេនកូដនេះ" in khmer.text
    assert "<title>កូដ QR សម្រាប់ការកំណត់របស់ ODK Collect</title>" in khmer.text
    assert _collect_tokens() == 1
    # the Khmer device name is kept as typed, and the token works over the API
    with session_scope() as session:
        device = session.scalar(
            select(AuthToken.device_id)
            .where(AuthToken.device_id.is_not(None))
            .where(AuthToken.device_id.startswith(DEVICE_PREFIX))
        )
    assert device is not None and device.endswith(":ថេប្លេតទី ១")
    token = _URL.search(khmer.text)
    assert token
    headers = {"Authorization": f"Bearer {unescape(token.group(1)).rsplit('/', 1)[1]}"}
    assert demo_client.get("/api/v1/me", headers=headers).json()["username"] == "social.btb"
