"""An upload whose client goes silent mid-body (a tablet that lost its link without a word)
does not keep the file locked: after ``HOMEWARD_UPLOAD_IDLE_SECONDS`` the server keeps what
arrived and frees the file, and the tablet's resume from HEAD's offset completes it. Over real
HTTP against a server process; the silent client is still connected throughout."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from collections.abc import Iterator

import httpx

from tests.live_server import LiveServer

CUT = 100 * 1024


def _headers(base: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/v1/auth/token",
        data={"username": "inspector.sr", "password": "homeward-demo", "device_id": "tab-stall"},
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _offset(base: str, sha: str, headers: dict[str, str]) -> int | None:
    response = httpx.head(f"{base}/api/v1/attachments/{sha}", headers=headers)
    value = response.headers.get("upload-offset")
    return int(value) if value is not None else None


def test_a_silent_upload_frees_the_file_and_the_resume_completes_it(
    sqlite_demo_database: str,
) -> None:
    photo = os.urandom(300 * 1024)
    sha = hashlib.sha256(photo).hexdigest()
    server = LiveServer(sqlite_demo_database, env={"HOMEWARD_UPLOAD_IDLE_SECONDS": "1"}).start()
    gate = threading.Event()
    try:
        base = server.url
        headers = _headers(base)

        def silent_body() -> Iterator[bytes]:
            yield photo[:CUT]
            gate.wait(60)  # connected, saying nothing, until the test ends

        def silent_put() -> None:
            with contextlib.suppress(httpx.HTTPError):
                httpx.put(
                    f"{base}/api/v1/attachments/{sha}",
                    content=silent_body(),
                    headers={**headers, "Upload-Offset": "0", "Upload-Length": str(len(photo))},
                    timeout=90,
                )

        thread = threading.Thread(target=silent_put, daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while _offset(base, sha, headers) != CUT:
            assert time.monotonic() < deadline, "the first bytes never arrived"
            time.sleep(0.05)

        # the tablet, back online, resumes from the server's offset; while the silent request
        # holds the file it is told to ask again (409), then the server lets go by itself
        answers = []
        deadline = time.monotonic() + 15
        while True:
            held = _offset(base, sha, headers)
            assert held is not None
            response = httpx.put(
                f"{base}/api/v1/attachments/{sha}",
                content=photo[held:],
                headers={**headers, "Upload-Offset": str(held)},
            )
            answers.append(response.status_code)
            if response.status_code != 409:
                break
            assert time.monotonic() < deadline, f"the file stayed locked: {answers}"
            time.sleep(0.25)
        assert response.status_code == 201, response.text
        assert thread.is_alive(), "the silent client must still be connected"
        stored = httpx.get(f"{base}/api/v1/attachments/{sha}", headers=headers)
        assert stored.status_code == 200
        assert stored.content == photo
        assert _offset(base, sha, headers) == len(photo)  # the whole file, once
    finally:
        gate.set()
        server.stop()
