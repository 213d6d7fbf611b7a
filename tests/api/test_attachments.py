"""Attachments, from the outside: upload once, resume, verify, limits, scope, incomplete records."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.attachments.storage import AttachmentStore
from app.db.session import session_scope
from app.models import AuditEntry
from app.settings import get_settings
from tests.api.helpers import assert_error, auth_headers
from tests.api.sync_helpers import change, demo_institution, inspection_data, push

URL = "/api/v1/attachments/"
UPLOADER = "inspector.sr"  # every upload here is theirs


def _file(size: int = 300_000) -> tuple[bytes, str]:
    content = os.urandom(size)
    return content, hashlib.sha256(content).hexdigest()


def _store() -> AttachmentStore:
    return AttachmentStore.under(get_settings().data_dir)


def _put(client: TestClient, headers: dict[str, str], sha: str, content: Any, **extra: str) -> Any:
    return client.put(URL + sha, content=content, headers={**headers, **extra})


def _nothing_stored(sha: str) -> bool:
    store = _store()
    return store.stored_size(sha) is None and store.partial_size(sha, owner=UPLOADER) is None


@pytest.fixture
def small_client(demo_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The demo data set, with attachments limited to 1,000 bytes."""
    from app.main import create_app

    monkeypatch.setenv("HOMEWARD_MAX_ATTACHMENT_BYTES", "1000")
    get_settings.cache_clear()
    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client
    get_settings.cache_clear()


def test_upload_head_and_get_round_trip(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr", device_id="tab-017")
    content, sha = _file()

    response = _put(demo_client, headers, sha, content, **{"Content-Type": "image/jpeg"})
    assert response.status_code == 201, response.text
    assert response.json() == {"sha256": sha, "size": len(content), "content_type": "image/jpeg"}
    assert response.headers["upload-offset"] == str(len(content))
    stored = get_settings().data_dir / "attachments" / sha[:2] / sha[2:4] / sha
    assert stored.read_bytes() == content

    head = demo_client.head(URL + sha, headers=headers)
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(content))
    assert head.headers["etag"] == f'"{sha}"'

    got = demo_client.get(URL + sha, headers=headers)
    assert got.status_code == 200
    assert got.content == content
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["etag"] == f'"{sha}"'
    assert got.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]

    cached = demo_client.get(URL + sha, headers={**headers, "If-None-Match": f'"{sha}"'})
    assert cached.status_code == 304

    with session_scope() as session:
        audit = session.execute(
            select(AuditEntry.action, AuditEntry.actor, AuditEntry.device_id).where(
                AuditEntry.target_id == sha
            )
        ).all()
    assert [tuple(a) for a in audit] == [("attachment.upload", "inspector.sr", "tab-017")]


def test_uploading_a_stored_file_again_is_a_harmless_200(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    content, sha = _file(5000)
    assert _put(demo_client, headers, sha, content).status_code == 201
    again = _put(demo_client, headers, sha, content, **{"Content-Type": "image/png"})
    assert again.status_code == 200, again.text
    assert again.json()["size"] == len(content)
    assert again.json()["content_type"] == "application/octet-stream"  # the first one stays
    resumed = _put(demo_client, headers, sha, content[:10], **{"Upload-Offset": "0"})
    assert resumed.status_code == 200
    assert demo_client.get(URL + sha, headers=headers).content == content
    with session_scope() as session:
        uploads = session.scalars(
            select(AuditEntry.id).where(AuditEntry.action == "attachment.upload")
        ).all()
    assert len(uploads) == 1


def test_bytes_that_do_not_hash_to_the_name_are_422_and_nothing_is_stored(
    demo_client: TestClient,
) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    content, sha = _file(5000)
    response = _put(demo_client, headers, sha, content + b"tampered")
    assert_error(response, 422, "hash_mismatch")
    assert _nothing_stored(sha)
    assert demo_client.head(URL + sha, headers=headers).status_code == 404
    assert "upload-offset" not in demo_client.head(URL + sha, headers=headers).headers
    assert_error(demo_client.get(URL + sha, headers=headers), 404, "not_found")


def test_an_interrupted_upload_resumes_with_upload_offset(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    content, sha = _file()
    half = len(content) // 2

    first = _put(demo_client, headers, sha, content[:half], **{"Upload-Offset": "0"})
    assert first.status_code == 204, first.text
    assert first.headers["upload-offset"] == str(half)

    head = demo_client.head(URL + sha, headers=headers)
    assert head.status_code == 404
    assert head.headers["upload-offset"] == str(half)
    assert demo_client.get(URL + sha, headers=headers).status_code == 404

    rest = _put(demo_client, headers, sha, content[half:], **{"Upload-Offset": str(half)})
    assert rest.status_code == 201, rest.text
    assert demo_client.get(URL + sha, headers=headers).content == content
    assert _store().partial_size(sha, owner=UPLOADER) is None


def test_an_interrupted_upload_resumes_with_content_range(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    content, sha = _file()
    total, half = len(content), len(content) // 3

    first = _put(
        demo_client,
        headers,
        sha,
        content[:half],
        **{"Content-Range": f"bytes 0-{half - 1}/{total}"},
    )
    assert first.status_code == 204, first.text
    head = demo_client.head(URL + sha, headers=headers)
    assert (head.status_code, head.headers["upload-offset"]) == (404, str(half))

    rest = _put(
        demo_client, headers, sha, content[half:],
        **{"Content-Range": f"bytes {half}-{total - 1}/{total}", "Content-Type": "image/png"},
    )  # fmt: skip
    assert rest.status_code == 201, rest.text
    got = demo_client.get(URL + sha, headers=headers)
    assert (got.content, got.headers["content-type"]) == (content, "image/png")


def test_a_plain_put_after_an_interruption_starts_over(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    content, sha = _file(5000)
    _put(demo_client, headers, sha, b"bytes of a broken attempt", **{"Upload-Offset": "0"})
    assert _put(demo_client, headers, sha, content).status_code == 201
    assert demo_client.get(URL + sha, headers=headers).content == content


def test_a_resume_at_the_wrong_offset_is_409_with_the_servers_offset(
    demo_client: TestClient,
) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    content, sha = _file(10_000)
    _put(demo_client, headers, sha, content[:4000], **{"Upload-Offset": "0"})

    for wrong in ("0", "3000", "4500"):
        response = _put(
            demo_client, headers, sha, content[int(wrong) :], **{"Upload-Offset": wrong}
        )
        assert_error(response, 409, "offset_mismatch")
        assert response.headers["upload-offset"] == "4000"
    ranged = _put(
        demo_client, headers, sha, content[5000:], **{"Content-Range": "bytes 5000-9999/10000"}
    )
    assert_error(ranged, 409, "offset_mismatch")
    assert ranged.headers["upload-offset"] == "4000"

    assert _store().partial_size(sha, owner=UPLOADER) == 4000  # untouched
    done = _put(demo_client, headers, sha, content[4000:], **{"Upload-Offset": "4000"})
    assert done.status_code == 201
    assert demo_client.get(URL + sha, headers=headers).content == content


def test_a_resume_that_reaches_its_total_with_wrong_bytes_is_422(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    content, sha = _file(10_000)
    _put(demo_client, headers, sha, content[:5000], **{"Content-Range": "bytes 0-4999/10000"})
    wrong = _put(
        demo_client, headers, sha, bytes(5000), **{"Content-Range": "bytes 5000-9999/10000"}
    )
    assert_error(wrong, 422, "hash_mismatch")
    assert _nothing_stored(sha)


@pytest.mark.parametrize(
    "extra",
    [
        {"Content-Range": "bytes 5-1/10"},
        {"Content-Range": "bytes 0-10/10"},
        {"Content-Range": "items 0-1/2"},
        {"Upload-Offset": "-1"},
        {"Upload-Offset": "0", "Content-Range": "bytes 2-3/4"},
    ],
)
def test_malformed_upload_headers_are_400(demo_client: TestClient, extra: dict[str, str]) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    _, sha = _file(10)
    assert_error(_put(demo_client, headers, sha, b"ab", **extra), 400, "bad_request")
    assert _nothing_stored(sha)


def test_a_name_that_is_not_a_sha256_is_422(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    assert_error(_put(demo_client, headers, "not-a-hash", b"x"), 422, "validation_error")
    assert_error(demo_client.get(URL + "../../etc", headers=headers), 404, "not_found")


def test_over_the_limit_is_413_before_reading(small_client: TestClient) -> None:
    headers = auth_headers(small_client, "inspector.sr")
    content, sha = _file(1500)

    declared = _put(
        small_client, headers, sha, content[:500], **{"Content-Range": "bytes 0-499/1500"}
    )
    assert_error(declared, 413, "attachment_too_large")
    tus = _put(small_client, headers, sha, content[:500],
               **{"Upload-Offset": "0", "Upload-Length": "1500"})  # fmt: skip
    assert_error(tus, 413, "attachment_too_large")
    # one request over the limit: refused from its Content-Length, as an attachment
    assert_error(_put(small_client, headers, sha, content), 413, "attachment_too_large")
    assert _nothing_stored(sha)

    assert (
        _put(small_client, headers, sha, content[:800], **{"Upload-Offset": "0"}).status_code == 204
    )
    more = _put(small_client, headers, sha, content[800:1300], **{"Upload-Offset": "800"})
    assert_error(more, 413, "attachment_too_large")
    assert _store().partial_size(sha, owner=UPLOADER) == 800  # refused before a byte was read


def test_over_the_limit_while_streaming_is_413_and_drops_the_partial(
    small_client: TestClient,
) -> None:
    headers = auth_headers(small_client, "inspector.sr")
    content, sha = _file(1500)
    assert (
        _put(small_client, headers, sha, content[:800], **{"Upload-Offset": "0"}).status_code == 204
    )

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield content[800:1000]
        yield content[1000:1300]

    response = _put(small_client, headers, sha, chunks(), **{"Upload-Offset": "800"})
    assert_error(response, 413, "attachment_too_large")
    assert _nothing_stored(sha)


def test_a_chunked_upload_over_the_limit_is_attachment_too_large(small_client: TestClient) -> None:
    """No Content-Length, no Upload-Length: counted as it streams, and named for what it is."""
    headers = auth_headers(small_client, "inspector.sr")
    content, sha = _file(1500)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(content), 300):
            yield content[start : start + 300]

    error = assert_error(_put(small_client, headers, sha, chunks()), 413, "attachment_too_large")
    assert "1000 bytes" in error["message"]
    assert _nothing_stored(sha)
    assert small_client.head(URL + sha, headers=headers).status_code == 404


def test_a_second_upload_of_a_file_being_uploaded_is_409(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    content, sha = _file(5000)
    with _store().exclusive(sha, owner=UPLOADER):  # another request is appending to it right now
        busy = _put(demo_client, headers, sha, content)
    assert_error(busy, 409, "conflict")
    assert _put(demo_client, headers, sha, content).status_code == 201


def _pull_all(
    client: TestClient, headers: dict[str, str], cursor: str | None = None
) -> tuple[list[dict[str, Any]], str]:
    records: list[dict[str, Any]] = []
    for _ in range(1000):  # a cursor that never ends fails here rather than hangs the run
        params: dict[str, Any] = {"limit": 5000}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/sync/pull", params=params, headers=headers).json()
        records += page["records"]
        cursor = page["cursor"]
        if not page["more"]:
            return records, cursor
    raise AssertionError("the pull never ended")


def test_a_record_is_incomplete_until_its_files_arrive(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    photo, photo_sha = _file(20_000)
    signature, signature_sha = _file(2_000)
    data = inspection_data(demo_institution("17"), inspector_signature=signature_sha)
    data["photos"][0]["photo"] = photo_sha
    new = change("institution_inspection", data)
    [result] = push(demo_client, headers, new)
    assert result["status"] == "applied", result
    record_url = f"/api/v1/records/{new['record_id']}"

    assert demo_client.get(record_url, headers=headers).json()["incomplete"] is True
    pulled, cursor = _pull_all(demo_client, headers)
    [mine] = [r for r in pulled if r["record_id"] == new["record_id"]]
    assert mine["incomplete"] is True

    assert _put(demo_client, headers, photo_sha, photo).status_code == 201
    assert demo_client.get(record_url, headers=headers).json()["incomplete"] is True
    assert _pull_all(demo_client, headers, cursor)[0] == []  # nothing changed for devices yet

    assert _put(demo_client, headers, signature_sha, signature).status_code == 201
    record = demo_client.get(record_url, headers=headers).json()
    assert record["incomplete"] is False
    assert record["rev"] == 1  # no new revision: only the mark changed
    later, _ = _pull_all(demo_client, headers, cursor)
    assert [(r["record_id"], r["incomplete"]) for r in later] == [(new["record_id"], False)]


def test_only_the_last_revisions_files_count(demo_client: TestClient) -> None:
    """A photo replaced (or replaced twice within one push) no longer holds the record
    incomplete: the links follow the record's last revision."""
    headers = auth_headers(demo_client, "inspector.sr")
    signature, signature_sha = _file(1_500)
    assert _put(demo_client, headers, signature_sha, signature).status_code == 201
    kept, kept_sha = _file(2_500)
    assert _put(demo_client, headers, kept_sha, kept).status_code == 201
    _, lost_sha = _file(3_500)  # never uploaded
    data = inspection_data(demo_institution("17"), inspector_signature=signature_sha)
    data["photos"][0]["photo"] = lost_sha
    first = change("institution_inspection", data)
    [stored] = push(demo_client, headers, first)
    record_url = f"/api/v1/records/{first['record_id']}"
    assert demo_client.get(record_url, headers=headers).json()["incomplete"] is True

    data["photos"][0]["photo"] = kept_sha
    [replaced] = push(
        demo_client,
        headers,
        change("institution_inspection", data, record_id=first["record_id"], base_rev=1),
    )
    assert replaced["status"] == "applied"
    assert demo_client.get(record_url, headers=headers).json()["incomplete"] is False

    # within one push: a new record names the missing photo, then its second change drops it
    data["photos"][0]["photo"] = lost_sha
    second = change("institution_inspection", data)
    data_again = {**data, "photos": [{**data["photos"][0], "photo": kept_sha}]}
    again = change("institution_inspection", data_again, record_id=second["record_id"], base_rev=1)
    assert [r["status"] for r in push(demo_client, headers, second, again)] == ["applied"] * 2
    record = demo_client.get(f"/api/v1/records/{second['record_id']}", headers=headers).json()
    assert (record["rev"], record["incomplete"]) == (2, False)
    assert stored["status"] == "applied"


def test_a_record_pushed_after_its_files_is_complete_at_once(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "inspector.sr")
    photo, photo_sha = _file(3_000)
    signature, signature_sha = _file(1_000)
    for sha, content in ((photo_sha, photo), (signature_sha, signature)):
        assert _put(demo_client, headers, sha, content).status_code == 201
    data = inspection_data(demo_institution("17"), inspector_signature=signature_sha)
    data["photos"][0]["photo"] = photo_sha
    new = change("institution_inspection", data)
    push(demo_client, headers, new)
    record = demo_client.get(f"/api/v1/records/{new['record_id']}", headers=headers).json()
    assert record["incomplete"] is False


def test_a_file_is_read_only_by_its_uploader_and_those_who_see_a_record_naming_it(
    demo_client: TestClient,
) -> None:
    inspector = auth_headers(demo_client, "inspector.sr")  # province 17
    photo, photo_sha = _file(4_000)
    assert _put(demo_client, inspector, photo_sha, photo).status_code == 201

    # not named by any record yet: only its uploader sees it, even a national reader does not
    mosvy = auth_headers(demo_client, "mosvy")
    assert_error(demo_client.get(URL + photo_sha, headers=mosvy), 404, "not_found")
    assert demo_client.get(URL + photo_sha, headers=inspector).status_code == 200

    data = inspection_data(demo_institution("17"))
    data["photos"][0]["photo"] = photo_sha
    push(demo_client, inspector, change("institution_inspection", data))

    assert demo_client.get(URL + photo_sha, headers=mosvy).content == photo
    for outsider in ("social.btb", "supervisor.pp"):  # provinces 02 and 12
        other = auth_headers(demo_client, outsider)
        assert_error(demo_client.get(URL + photo_sha, headers=other), 404, "not_found")
        assert demo_client.head(URL + photo_sha, headers=other).status_code == 404


def test_a_role_without_attachment_write_may_not_upload(demo_client: TestClient) -> None:
    headers = auth_headers(demo_client, "mosvy")
    content, sha = _file(100)
    assert_error(_put(demo_client, headers, sha, content), 403, "forbidden")
    assert _nothing_stored(sha)


def test_no_token_is_401(demo_client: TestClient) -> None:
    content, sha = _file(100)
    assert_error(demo_client.put(URL + sha, content=content), 401, "not_authenticated")
    assert_error(demo_client.get(URL + sha), 401, "not_authenticated")
    assert demo_client.head(URL + sha).status_code == 401
    assert _nothing_stored(sha)
