"""ODK Web Forms' engine for the tests: node, the npm packages of ``tests/odk/webforms``
(installed on demand with ``npm ci``, once per lock file, under a file lock: pytest runs with
``-n 2``) and a run of its driver (a JSON plan on stdin, a JSON result on stdout).

Without node (20.19 or later), npm or the registry the tests skip; under ``CI=true`` they fail.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.conftest import skip_or_fail

WEBFORMS = Path(__file__).resolve().parent.parent / "odk" / "webforms"
DRIVER = WEBFORMS / "driver.mjs"
STAMP = WEBFORMS / "node_modules" / ".homeward-installed"
LOCK = Path(tempfile.gettempdir()) / "homeward-webforms-npm-ci.lock"
MIN_NODE = (20, 19)  # @getodk/xforms-engine 0.22 and jsdom 29 need Node 20.19 or later


def _node() -> str:
    found = shutil.which("node")
    if found is None:
        skip_or_fail("node is missing (Debian: apt-get install nodejs npm)")
    assert found is not None
    version = subprocess.run([found, "--version"], capture_output=True, text=True, check=False)
    parsed = re.match(r"v(\d+)\.(\d+)", version.stdout.strip())
    if parsed is None or (int(parsed[1]), int(parsed[2])) < MIN_NODE:
        skip_or_fail(f"node {version.stdout.strip()} is older than 20.19 (Web Forms' engine)")
    return found


def _lock_digest() -> str:
    return hashlib.sha256((WEBFORMS / "package-lock.json").read_bytes()).hexdigest()


def _install() -> None:
    """``npm ci`` in tests/odk/webforms unless this lock file's packages are there already."""
    digest = _lock_digest()
    with LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if STAMP.exists() and STAMP.read_text() == digest:
            return
        npm = shutil.which("npm")
        if npm is None:
            skip_or_fail("npm is missing (Debian: apt-get install npm)")
        assert npm is not None
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            cwd=WEBFORMS,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            env={**os.environ, "npm_config_update_notifier": "false"},
        )
        if done.returncode != 0:
            skip_or_fail(f"npm ci in {WEBFORMS} failed: {done.stderr[-2000:]}")
        STAMP.write_text(digest)


def webforms_node() -> str:
    """The node binary, with the engine's packages installed (skip, or fail under CI)."""
    node = _node()
    _install()
    return node


def run_driver(node: str, plan: dict[str, Any], timeout: float = 120) -> list[dict[str, Any]]:
    """Run the driver with ``plan``; its result, one entry a step."""
    done = subprocess.run(
        [node, str(DRIVER)],
        cwd=WEBFORMS,
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result
