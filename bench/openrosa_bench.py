"""OpenRosa submissions per second, end to end against a real server process.

Each submission is what ODK Collect sends: one POST of a multipart body with the instance
XML (a placement recommendation) and one 50 KB photo, over a kept-alive connection, by 2
client threads; the server runs with 2 workers on a fresh SQLite database with the demo
data. Every answer must be 201. Printed beside ODK Central's published figure (41
submissions per second on a 2 GB machine); Homeward's target is at least 400.

    .venv/bin/python bench/openrosa_bench.py [--submissions N] [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from xml.sax.saxutils import escape

import httpx

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.live_server import LiveServer  # noqa: E402

USERNAME = "ccwc.pp"
PASSWORD = "homeward-demo"
COMMUNE = "120101"
PHOTO_BYTES = 50 * 1024
CLIENTS = int(os.environ.get("ORB_CLIENTS", "2"))
TARGET = 400
CENTRAL = 41


def instance(photo_name: str) -> bytes:
    """A valid placement recommendation; both CCWC members' signatures name the photo."""
    fields = {
        "commune": COMMUNE,
        "recommendation_date": "2026-11-18",
        "child_name": "Child",
        "date_of_birth": "2019-04-02",
        "date_of_birth_estimated": "no",
        "sex": "female",
        "disability": "no",
        "child_currently_with": "relatives",
        "reasons_for_separation": "poverty",
        "reasons_description": "Synthetic.",
        "alternatives_considered": "kinship_care",
        "recommended_placement": "kinship_care",
        "best_interests": "Synthetic.",
    }
    body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items())
    family = (
        "<family><mother_alive>yes</mother_alive><father_alive>yes</father_alive>"
        "<main_carer_name>Carer</main_carer_name><main_carer_relationship>mother"
        "</main_carer_relationship><household_size>4</household_size></family>"
    )
    kin = (
        "<kinship_carer><kinship_carer_name>Aunt</kinship_carer_name>"
        "<kinship_carer_relationship>Aunt</kinship_carer_relationship>"
        f"<kinship_carer_commune>{COMMUNE}</kinship_carer_commune></kinship_carer>"
    )
    member = "".join(
        f"<ccwc_members><_row_id>{uuid.uuid4()}</_row_id><member_name>Member</member_name>"
        f"<member_position>{position}</member_position><member_signature>{photo_name}"
        "</member_signature></ccwc_members>"
        for position in ("chief", "focal_point")
    )
    meta = f"<orx:meta><orx:instanceID>uuid:{uuid.uuid4()}</orx:instanceID></orx:meta>"
    return (
        '<?xml version="1.0"?><data xmlns:orx="http://openrosa.org/xforms" '
        f'id="placement_recommendation" version="2026.1">{body}{family}{kin}{member}{meta}</data>'
    ).encode()


def prepare(tmp: Path) -> str:
    url = f"sqlite:///{tmp / 'homeward.db'}"
    os.environ["HOMEWARD_DATABASE_URL"] = url
    os.environ["HOMEWARD_DATA_DIR"] = str(tmp / "data")
    for command in ("migrate", "seed-demo"):
        done = subprocess.run(
            [sys.executable, "-m", "app", command], cwd=REPO, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"homeward {command} failed:\n{done.stderr[-2000:]}")
    return url


def submit_all(base: str, bodies: list[tuple[bytes, str, bytes]], failures: list[str]) -> None:
    with httpx.Client(timeout=60) as client:
        for xml, photo_name, photo in bodies:
            response = client.post(
                f"{base}/submission",
                files=[
                    ("xml_submission_file", ("submission.xml", xml, "text/xml")),
                    (photo_name, (photo_name, photo, "image/jpeg")),
                ],
            )
            if response.status_code != 201:
                failures.append(f"{response.status_code} {response.text[:300]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="60 submissions (a smoke test)")
    args = parser.parse_args()
    total = 60 if args.quick else args.submissions
    with tempfile.TemporaryDirectory(prefix="homeward-openrosa-bench-") as tmp:
        server = LiveServer(prepare(Path(tmp)), workers=2).start(timeout=120)
        try:
            signed = httpx.post(
                f"{server.url}/api/v1/auth/token",
                data={"username": USERNAME, "password": PASSWORD, "device_id": "bench-collect"},
            )
            signed.raise_for_status()
            base = f"{server.url}/openrosa/key/{signed.json()['access_token']}"
            httpx.get(f"{base}/formList", timeout=120).raise_for_status()  # XForms made once
            bodies = []
            for _ in range(total):
                name = f"{uuid.uuid4().hex}.jpg"
                bodies.append((instance(name), name, os.urandom(PHOTO_BYTES)))
            failures: list[str] = []
            threads = [
                threading.Thread(target=submit_all, args=(base, bodies[i::CLIENTS], failures))
                for i in range(CLIENTS)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.perf_counter() - started
        finally:
            server.stop()
    rate = total / seconds
    print(
        f"openrosa: {total} submissions (50 KB photo each, {CLIENTS} clients, {CLIENTS} workers) "
        f"in {seconds:.2f} s = {rate:,.0f} submissions/s"
    )
    print(f"  ODK Central (published): {CENTRAL} submissions/s on a 2 GB machine")
    verdict = "PASS" if rate >= TARGET else "below target"
    print(f"  target >= {TARGET} submissions/s: {verdict}")
    if failures:
        print(f"FAILED: {len(failures)} answers were not 201, e.g. {failures[0]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
