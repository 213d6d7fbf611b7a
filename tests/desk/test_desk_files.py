"""A record's photos, signatures and GPS on the desk, on SQLite and PostgreSQL: thumbnails that
open full size, a geo: link (no map tiles from another host), and files only for those who may
read the record (any other hash is the same 404 as a file that does not exist)."""

from __future__ import annotations

import hashlib
import os
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.auth.users import create_user
from app.db.session import session_scope
from app.demo.accounts import DEMO_PASSWORD
from app.models import Record
from tests.api.helpers import auth_headers
from tests.api.sync_helpers import change, inspection_data, push
from tests.desk.helpers import desk_sign_in


def _institution_in(district: str) -> str:
    with session_scope() as session:
        record_id = session.scalar(
            select(Record.record_id)
            .where(Record.form_id == "institution", Record.district == district)
            .order_by(Record.record_id)
            .limit(1)
        )
    assert record_id is not None
    return record_id


def test_photos_open_full_size_gps_links_and_files_stay_in_scope(demo_client: TestClient) -> None:
    inspector = auth_headers(demo_client, "inspector.pp1")
    content = os.urandom(2_000)
    sha = hashlib.sha256(content).hexdigest()
    put = demo_client.put(
        f"/api/v1/attachments/{sha}",
        content=content,
        headers={**inspector, "Content-Type": "image/jpeg"},
    )
    assert put.status_code in (200, 201), put.text
    data = inspection_data(
        _institution_in("1201"),
        photos=[{"_row_id": str(uuid.uuid4()), "photo": sha, "photo_caption": "Dormitory"}],
        gps={"lat": 11.5564, "lon": 104.9282, "accuracy": 8.0},
    )
    new = change("institution_inspection", data)
    new["attachments"] = [sha]
    [result] = push(demo_client, inspector, new)
    assert result["status"] == "applied", result.get("errors") or result

    desk_sign_in(demo_client, "supervisor.pp")
    page = demo_client.get(f"/review/records/{new['record_id']}")
    assert page.status_code == 200, page.text
    assert f'<img class="thumb" src="/review/files/{sha}"' in page.text
    assert f'<a href="/review/files/{sha}"' in page.text
    assert '<a href="geo:11.5564,104.9282">11.556400, 104.928200 (within 8 m)</a>' in page.text
    got = demo_client.get(f"/review/files/{sha}")
    assert (got.status_code, got.content) == (200, content)
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]
    assert "no-store" in got.headers["cache-control"]

    # in Khmer, the coordinates in Khmer digits
    demo_client.get("/review/language/km")
    khmer = demo_client.get(f"/review/records/{new['record_id']}")
    assert "១១.៥៥៦៤០០, ១០៤.៩២៨២០០" in khmer.text
    demo_client.get("/review/language/en")

    # a supervisor of another province: the file is absent, exactly as a hash never stored
    with session_scope() as session:
        create_user(
            session,
            username="supervisor.sr",
            password=DEMO_PASSWORD,
            role="dosvy_supervisor",
            province="17",
        )
    demo_client.cookies.clear()
    desk_sign_in(demo_client, "supervisor.sr")
    hidden = demo_client.get(f"/review/files/{sha}")
    missing = demo_client.get(f"/review/files/{'0' * 64}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace(sha, "0" * 64) == missing.text  # the page names its own URL
    assert demo_client.get("/review/files/not-a-hash").status_code == 404


def test_a_photo_not_yet_received_says_so_instead_of_a_broken_image(
    demo_client: TestClient,
) -> None:
    inspector = auth_headers(demo_client, "inspector.pp1")
    content = os.urandom(1_500)
    sha = hashlib.sha256(content).hexdigest()
    data = inspection_data(
        _institution_in("1201"),
        photos=[{"_row_id": str(uuid.uuid4()), "photo": sha, "photo_caption": "Kitchen"}],
    )
    new = change("institution_inspection", data)
    new["attachments"] = [sha]
    [result] = push(demo_client, inspector, new)
    assert result["status"] == "applied", result.get("errors") or result

    desk_sign_in(demo_client, "supervisor.pp")
    page = demo_client.get(f"/review/records/{new['record_id']}").text
    assert f'src="/review/files/{sha}"' not in page
    waiting = page.count("<dd>Not received yet</dd>")  # this photo, and any other file named
    assert waiting >= 1
    demo_client.get("/review/language/km")
    assert "មិនទាន់បានទទួលនៅឡើយ" in demo_client.get(f"/review/records/{new['record_id']}").text
    demo_client.get("/review/language/en")

    # the photo arrives: the record page shows it
    put = demo_client.put(
        f"/api/v1/attachments/{sha}",
        content=content,
        headers={**inspector, "Content-Type": "image/jpeg"},
    )
    assert put.status_code in (200, 201), put.text
    page = demo_client.get(f"/review/records/{new['record_id']}").text
    assert f'<img class="thumb" src="/review/files/{sha}"' in page
    assert page.count("<dd>Not received yet</dd>") == waiting - 1
