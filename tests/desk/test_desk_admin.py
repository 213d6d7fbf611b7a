"""The administration pages over HTTP, on SQLite and PostgreSQL: admin only (403 for every
other role on every page and POST), CSRF on every POST, the API's services behind each
action, and an audit line for each."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import event, select

from app.db.engine import get_engine
from app.db.session import session_scope
from app.models import AuditEntry
from tests.api.helpers import assert_error, auth_headers, sign_in
from tests.api.sync_helpers import change, placement_data, push
from tests.desk.helpers import ORIGIN, csrf_of, desk_sign_in
from tests.unit.test_xlsform import EN, KM, YES_NO, settings, xlsx

PAGES = ("/review/users", "/review/devices", "/review/forms")
POSTS = (
    ("/review/users", {"username": "x.y", "password": "long-enough", "role": "mosvy"}),
    ("/review/users/ccwc.pp/disable", {}),
    ("/review/users/ccwc.pp/enable", {}),
    ("/review/users/ccwc.pp/password", {}),
    ("/review/devices/revoke", {"device_id": "tab-x"}),
    ("/review/forms/institution_inspection/retire", {}),
    ("/review/forms/institution_inspection/restore", {}),
    ("/review/forms/institution_inspection/versions/2026.1/publish", {}),
)
SURVEY = [
    ["type", "name", EN, KM, "required"],
    ["date", "visit_date", "Visit date", "កាលបរិច្ឆេទចុះសួរ", "yes"],
    ["select_one yes_no", "in_school", "In school?", "កំពុងរៀន?", "yes"],
    ["text", "school_name", "School", "", ""],  # no Khmer: shown in English, a warning
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _audit(action: str) -> list[AuditEntry]:
    with session_scope() as session:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        session.expunge_all()
        return rows


def _post(client: TestClient, path: str, csrf: str, **data: str) -> object:
    return client.post(
        path, data={**data, "csrftoken": csrf}, headers=ORIGIN, follow_redirects=False
    )


def test_other_roles_get_403_on_every_admin_page_and_post(demo_client: TestClient) -> None:
    for username in ("supervisor.pp", "mosvy"):
        csrf = desk_sign_in(demo_client, username)
        for page in PAGES:
            response = demo_client.get(page)
            assert response.status_code == 403, (username, page)
            assert "Only an administrator" in response.text
        for path, data in POSTS:
            response = _post(demo_client, path, csrf, **data)
            assert response.status_code == 403, (username, path)  # type: ignore[attr-defined]
        demo_client.cookies.clear()
    assert sign_in(demo_client, "ccwc.pp").status_code == 200  # not disabled
    for action in ("user.create", "user.disable", "user.password_reset", "form.retire"):
        assert _audit(action) == [] or all(a.actor != "supervisor.pp" for a in _audit(action))


def test_without_a_valid_csrf_token_an_admin_post_is_403_and_changes_nothing(
    demo_client: TestClient,
) -> None:
    desk_sign_in(demo_client, "admin")
    for path, data in POSTS:
        response = demo_client.post(path, data=data, headers=ORIGIN, follow_redirects=False)
        assert response.status_code == 403, path
        forged = _post(demo_client, path, "not-the-token", **data)
        assert forged.status_code == 403, path  # type: ignore[attr-defined]
    assert sign_in(demo_client, "ccwc.pp").status_code == 200
    assert _audit("user.disable") == [] and _audit("form.retire") == []


def test_admin_creates_a_user_on_the_desk_with_errors_said_per_field(
    demo_client: TestClient,
) -> None:
    csrf = desk_sign_in(demo_client, "admin")
    page = demo_client.get("/review/users")
    assert page.status_code == 200
    assert "supervisor.pp" in page.text and 'for="scope"' in page.text
    wrong = _post(
        demo_client,
        "/review/users",
        csrf,
        username="sup.kd",
        password="short",
        role="dosvy_supervisor",
        scope="0801",
    )
    assert wrong.status_code == 422  # type: ignore[attr-defined]
    assert "at least 8 characters" in wrong.text  # type: ignore[attr-defined]
    assert "This role needs a scope of level: province." in wrong.text  # type: ignore[attr-defined]
    unknown = _post(
        demo_client,
        "/review/users",
        csrf,
        username="sup.kd",
        password="long-enough",
        role="dosvy_supervisor",
        scope="99",
    )
    assert unknown.status_code == 422  # type: ignore[attr-defined]
    assert "No location has the code 99." in unknown.text  # type: ignore[attr-defined]
    made = _post(
        demo_client,
        "/review/users",
        csrf,
        username="sup.kd",
        password="long-enough",
        role="dosvy_supervisor",
        scope="08",
    )
    assert made.status_code == 303  # type: ignore[attr-defined]
    listed = demo_client.get(made.headers["location"])  # type: ignore[attr-defined]
    assert "User sup.kd created." in listed.text
    body = sign_in(demo_client, "sup.kd", "long-enough").json()
    assert body["user"] == {
        "username": "sup.kd",
        "role": "dosvy_supervisor",
        "scope": {"province": "08", "district": None, "commune": None},
    }
    exists = _post(
        demo_client,
        "/review/users",
        csrf,
        username="sup.kd",
        password="long-enough",
        role="dosvy_supervisor",
        scope="08",
    )
    assert exists.status_code == 409  # type: ignore[attr-defined]
    [line] = [a for a in _audit("user.create") if a.target_id == "sup.kd"]
    assert line.actor == "admin"


def test_disabling_on_the_desk_ends_the_users_desk_session_and_tokens(
    demo_client: TestClient,
) -> None:
    supervisor = TestClient(demo_client.app, base_url="http://testserver")
    desk_sign_in(supervisor, "supervisor.pp")
    token = auth_headers(demo_client, "supervisor.pp", device_id="tab-s")
    csrf = desk_sign_in(demo_client, "admin")
    response = _post(demo_client, "/review/users/supervisor.pp/disable", csrf)
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert supervisor.get("/review", follow_redirects=False).headers["location"] == (
        "/review/signin"
    )
    assert_error(demo_client.get("/api/v1/me", headers=token), 401, "invalid_token")
    page = demo_client.get("/review/users?done=disabled&user=supervisor.pp")
    assert "Enable supervisor.pp" in page.text
    [line] = _audit("user.disable")
    assert (line.actor, line.target_id) == ("admin", "supervisor.pp")
    # one's own account cannot be disabled
    own = _post(demo_client, "/review/users/admin/disable", csrf)
    assert own.status_code == 409  # type: ignore[attr-defined]


def test_a_reset_shows_a_temporary_password_once(demo_client: TestClient) -> None:
    csrf = desk_sign_in(demo_client, "admin")
    response = _post(demo_client, "/review/users/ccwc.pp/password", csrf, password="")
    assert response.status_code == 200  # type: ignore[attr-defined]
    found = re.search(r'id="temporary-password"[^>]*>([^<]+)<', response.text)  # type: ignore[attr-defined]
    assert found
    assert sign_in(demo_client, "ccwc.pp", found.group(1)).status_code == 200
    assert found.group(1) not in demo_client.get("/review/users").text
    [line] = _audit("user.password_reset")
    assert line.details["generated"] is True


def test_revoking_a_device_on_the_desk_spares_the_users_other_device(
    demo_client: TestClient,
) -> None:
    lost = auth_headers(demo_client, "ccwc.pp", device_id="tab-lost")
    spare = auth_headers(demo_client, "ccwc.pp", device_id="tab-spare")
    csrf = desk_sign_in(demo_client, "admin")
    page = demo_client.get("/review/devices")
    assert "tab-lost" in page.text and "Revoke device tab-lost" in page.text
    assert "desk:" not in page.text
    response = _post(demo_client, "/review/devices/revoke", csrf, device_id="tab-lost")
    assert response.status_code == 303  # type: ignore[attr-defined]
    after = demo_client.get(response.headers["location"])  # type: ignore[attr-defined]
    assert "Device tab-lost revoked: 1 sign-ins ended." in after.text
    assert "Revoke device tab-lost" not in after.text
    assert_error(demo_client.get("/api/v1/sync/pull", headers=lost), 401, "invalid_token")
    assert demo_client.get("/api/v1/me", headers=spare).status_code == 200
    [line] = _audit("token.revoke")
    assert (line.actor, line.target_type, line.target_id) == ("admin", "device", "tab-lost")


def test_an_xlsform_is_previewed_then_published_and_a_form_retired(
    demo_client: TestClient,
) -> None:
    csrf = desk_sign_in(demo_client, "admin")
    workbook = xlsx(SURVEY, YES_NO, settings(form_id="school_check"))
    preview = demo_client.post(
        "/review/forms/upload",
        data={"csrftoken": csrf},
        files={"file": ("school_check.xlsx", workbook, XLSX)},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert preview.status_code == 200, preview.text
    for text in ("visit_date", "select_one", "កំពុងរៀន?", "Draft (not published)", ">Publish<"):
        assert text in preview.text, text
    assert "These labels have no Khmer (the English is shown): school_name" in preview.text
    assert 'id="warnings"' in preview.text  # what the import filled in, by row
    again = demo_client.get("/review/forms/school_check/versions/2026.1")
    assert again.status_code == 200 and "school_name" in again.text
    social = auth_headers(demo_client, "social.btb")
    listed = demo_client.get("/api/v1/forms", headers=social).json()["forms"]
    assert "school_check" not in {f["form_id"] for f in listed}  # a draft: not yet
    published = _post(demo_client, "/review/forms/school_check/versions/2026.1/publish", csrf)
    assert published.status_code == 303  # type: ignore[attr-defined]
    listed = demo_client.get("/api/v1/forms", headers=social).json()["forms"]
    assert "school_check" in {f["form_id"] for f in listed}
    assert [a.target_id for a in _audit("form.publish") if a.actor == "admin"] == [
        "school_check@2026.1"
    ]

    retired = _post(demo_client, "/review/forms/school_check/retire", csrf)
    assert retired.status_code == 303  # type: ignore[attr-defined]
    page = demo_client.get("/review/forms")
    assert "Restore school_check" in page.text
    listed = demo_client.get("/api/v1/forms", headers=social).json()["forms"]
    assert "school_check" not in {f["form_id"] for f in listed}
    [line] = _audit("form.retire")
    assert (line.actor, line.target_id) == ("admin", "school_check")


def test_a_workbook_that_does_not_map_lists_its_problems_by_row(demo_client: TestClient) -> None:
    csrf = desk_sign_in(demo_client, "admin")
    for name, content in (
        ("bad.xlsx", xlsx([*SURVEY, ["no_such_type", "thing", "Thing", "វត្ថុ", ""]], YES_NO)),
        ("garbage.xlsx", b"not a workbook"),
    ):
        response = demo_client.post(
            "/review/forms/upload",
            data={"csrftoken": csrf},
            files={"file": (name, content, XLSX)},
            headers=ORIGIN,
        )
        assert response.status_code == 422, name
        assert 'id="issues"' in response.text and "cannot be imported" in response.text
    assert [a for a in _audit("form.publish") if a.actor == "admin"] == []
    # the pages in Khmer: users, devices, forms and a preview
    demo_client.get("/review/language/km?next=/review/forms")
    for page, heading in (
        ("/review/users", "បង្កើតអ្នកប្រើថ្មី"),
        ("/review/devices", "ឧបករណ៍"),
        ("/review/forms", "ផ្ទុកឡើង XLSForm"),
        ("/review/forms/institution_inspection/versions/2026.1", "កំណែ 2026.1"),
    ):
        response = demo_client.get(page)
        assert response.status_code == 200, page
        assert heading in response.text, page


def _statements_of(client: TestClient, path: str) -> tuple[str, list[str]]:
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", note)
    try:
        page = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert page.status_code == 200, page.text
    return page.text, seen


def test_users_and_devices_pages_read_each_devices_last_sync_not_every_change(
    demo_client: TestClient,
) -> None:
    tablet = auth_headers(demo_client, "ccwc.pp", device_id="tab-pages")
    assert demo_client.get("/api/v1/sync/pull?limit=1", headers=tablet).status_code == 200
    desk_sign_in(demo_client, "admin")
    pages: dict[str, int] = {}
    for path in ("/review/users", "/review/devices"):
        text, statements = _statements_of(demo_client, path)
        assert not [s for s in statements if "sync_changes" in s], path
        pages[path] = len(statements)
    text, _ = _statements_of(demo_client, "/review/devices")
    row = text[text.index('<th scope="row" class="mono">tab-pages</th>') :].split("</tr>")[0]
    cells = re.findall(r"<td>(.*?)</td>", row)
    # first sign-in, last sign-in, last sync (the pull), last upload (none yet)
    assert cells[3] != "Never" and cells[4] == "Never", cells
    for _ in range(3):
        push(
            demo_client,
            tablet,
            change("placement_recommendation", placement_data()),
            device_id="tab-pages",
        )
    for path, count in pages.items():
        text, statements = _statements_of(demo_client, path)
        assert len(statements) == count, path  # as many statements however many changes
    row = text[text.index('<th scope="row" class="mono">tab-pages</th>') :].split("</tr>")[0]
    assert re.findall(r"<td>(.*?)</td>", row)[4] != "Never"


def test_after_a_reset_the_desk_asks_for_a_new_password_before_any_page(
    demo_client: TestClient,
) -> None:
    csrf = desk_sign_in(demo_client, "admin")
    reset = _post(
        demo_client, "/review/users/supervisor.pp/password", csrf, password="given-by-admin"
    )
    assert reset.status_code == 200  # type: ignore[attr-defined]
    _post(demo_client, "/review/signout", csrf)
    demo_client.cookies.clear()

    csrf = desk_sign_in_until_asked(demo_client, "supervisor.pp", "given-by-admin")
    for path in ("/review", "/review/indicators", "/review/records/unknown"):
        asked = demo_client.get(path, follow_redirects=False)
        assert asked.status_code == 303 and asked.headers["location"] == "/review/password", path
    page = demo_client.get("/review/password")
    assert 'label for="new_password">New password<' in page.text
    assert "Change password" in page.text
    # each refusal said by its field; nothing changes
    for new, again, message in (
        ("short", "short", "at least 8 characters"),
        ("a-good-one-2026", "another-one-2026", "not the same"),
        ("given-by-admin", "given-by-admin", "other than the one the administrator gave you"),
    ):
        refused = _post(
            demo_client, "/review/password", csrf, new_password=new, new_password_again=again
        )
        assert refused.status_code == 422 and message in refused.text  # type: ignore[attr-defined]
    # without the CSRF token: 403, and nothing changes
    forged = demo_client.post(
        "/review/password",
        data={"new_password": "a-good-one-2026", "new_password_again": "a-good-one-2026"},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert demo_client.get("/review", follow_redirects=False).status_code == 303

    done = _post(
        demo_client,
        "/review/password",
        csrf,
        new_password="a-good-one-2026",
        new_password_again="a-good-one-2026",
    )
    assert done.status_code == 303 and done.headers["location"] == "/review"  # type: ignore[attr-defined]
    assert demo_client.get("/review", follow_redirects=False).status_code == 200
    assert demo_client.get("/review/password", follow_redirects=False).status_code == 303
    assert sign_in(demo_client, "supervisor.pp", "a-good-one-2026").status_code == 200
    assert sign_in(demo_client, "supervisor.pp", "given-by-admin").status_code == 401
    [line] = _audit("user.password_change")
    assert (line.actor, line.target_id) == ("supervisor.pp", "supervisor.pp")


def desk_sign_in_until_asked(client: TestClient, username: str, password: str) -> str:
    """Sign in on the desk (the sign-in itself goes on to /review, which asks for a new
    password); the session's CSRF token, read from the password page."""
    page = client.get("/review/signin")
    response = client.post(
        "/review/signin",
        data={"username": username, "password": password, "csrftoken": csrf_of(page.text)},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/review/password").text)
