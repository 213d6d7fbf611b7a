"""No token reaches a log line: a real server's access log and the app's own log (#14 item 12)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.live_server import REPO, free_port

SECRET = "s3cr3t-T0KEN-abcdefghijklmnopqrstuvwxyz"


def _serve(database: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = dict(os.environ, HOMEWARD_DATABASE_URL=database)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        assert process.poll() is None, log.read_text()
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    raise AssertionError("the server did not start")


def test_tokens_in_a_query_or_an_openrosa_key_path_never_reach_the_log(
    database: str, tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    process, base = _serve(database, log)
    try:
        httpx.get(f"{base}/api/v1/me", params={"access_token": SECRET, "lang": "km"})
        httpx.get(f"{base}/api/v1/me?token={SECRET}")
        httpx.get(f"{base}/openrosa/key/{SECRET}/formList")
        httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {SECRET}"})
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    text = log.read_text()
    assert "GET /api/v1/me?access_token=" in text  # the access log is there, redacted
    assert "/openrosa/key/" in text
    assert "lang=km" in text  # other parameters are kept
    assert SECRET not in text


def test_the_apps_own_log_lines_are_redacted(caplog: object) -> None:
    from app.web.log_redaction import RedactTokens

    record = logging.LogRecord(
        "homeward.errors",
        logging.ERROR,
        __file__,
        1,
        "unhandled error on %s %s",
        ("GET", f"/openrosa/key/{SECRET}/formList?access_token={SECRET}"),
        None,
    )
    assert RedactTokens().filter(record)
    assert SECRET not in record.getMessage()
    access = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", f"/x?a=1&access_token={SECRET}", "1.1", 200),
        None,
    )
    assert RedactTokens().filter(access)
    assert isinstance(access.args, tuple) and len(access.args) == 5  # uvicorn unpacks them
    assert SECRET not in access.getMessage()
    assert "a=1" in access.getMessage()
