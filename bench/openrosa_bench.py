"""OpenRosa submissions per second, end to end against a real server process.

Each submission is what ODK Collect sends: one POST of a multipart body with the instance
XML (a placement recommendation) and one 50 KB photo, over a kept-alive connection, by 2
client threads (``--clients``: phones submitting at once); the server runs with 2 workers on
a fresh SQLite database with the demo data. Every answer must be 201. The clients share the
machine's cores with the server, so they are light: the standard library's ``http.client``
sending bodies built before the clock starts (httpx spent about 2 ms of CPU per POST, a
tenth of what the server spent; this spends a fraction of a millisecond). Printed beside ODK
Central's published figure (41 submissions per second on a 2 GB machine); Homeward's target
is at least 400.

Also printed: the server's CPU per submission (its processes, from ``/proc``), the clients'
CPU, and what one durable 50 KB file write costs on this disk (write, fsync, rename, fsync of
the folder: what the server does before it answers 201, so that a phone that deletes its copy
loses nothing): a client waits for it on every submission, whatever the CPU.

    .venv/bin/python bench/openrosa_bench.py [--submissions N] [--clients C] [--quick]
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import httpx

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.sync_bench import process_table, tree_cpu_seconds  # noqa: E402
from tests.live_server import LiveServer  # noqa: E402

USERNAME = "ccwc.pp"
PASSWORD = "homeward-demo"
COMMUNE = "120101"
PHOTO_BYTES = 50 * 1024
CLIENTS = 2
WORKERS = 2
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


@dataclass(frozen=True)
class Submission:
    """One POST's body, as Collect builds it, and its Content-Type (the boundary)."""

    body: bytes
    content_type: str


def multipart(xml: bytes, photo_name: str, photo: bytes) -> Submission:
    """The multipart/form-data body Collect sends: ``xml_submission_file`` then one part per
    file, named by its file name."""
    boundary = uuid.uuid4().hex
    chunks: list[bytes] = []
    for name, filename, media_type, content in (
        ("xml_submission_file", "submission.xml", "text/xml", xml),
        (photo_name, photo_name, "image/jpeg", photo),
    ):
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {media_type}\r\n\r\n'.encode()
        )
        chunks += [content, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return Submission(b"".join(chunks), f"multipart/form-data; boundary={boundary}")


def submit_all(base: str, submissions: list[Submission], failures: list[str]) -> None:
    """POST each submission in turn over one kept-alive connection (a phone sending its
    queue); any answer but 201 is a failure."""
    target = urllib.parse.urlsplit(base)
    path = f"{target.path}/submission"
    connection = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, 60)
    try:
        for submission in submissions:
            connection.request(
                "POST",
                path,
                body=submission.body,
                headers={"Content-Type": submission.content_type, "X-OpenRosa-Version": "1.0"},
            )
            response = connection.getresponse()
            answer = response.read()
            if response.status != 201:
                failures.append(f"{response.status} {answer[:300].decode(errors='replace')}")
    except (OSError, http.client.HTTPException) as exc:  # counted as a failure, not a crash
        failures.append(f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()


def workers_cpu(pid: int) -> dict[int, float]:
    """CPU seconds used so far by each child of ``pid`` (the server's workers)."""
    parent, used = process_table()
    return {child: used[child] for child, up in parent.items() if up == pid}


def reference_loop_ms() -> float:
    """CPU milliseconds of a fixed pure-Python loop (the best of 3): this VM's speed varies
    with its host by 2–3× from day to day, so figures taken on different days compare only
    beside this."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        total = 0
        for i in range(2_000_000):
            total += i
        best = min(best, time.process_time() - started)
    return 1000 * best


def durable_write_ms(folder: Path, rounds: int = 40) -> float:
    """Median milliseconds of one durable write of a 50 KB file in ``folder``: write, fsync,
    rename, fsync of the folder (what ``app.attachments.storage`` does for every file)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = os.urandom(PHOTO_BYTES)
    times = []
    for i in range(rounds):
        started = time.perf_counter()
        partial = folder / f"probe-{i}.partial"
        with partial.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, folder / f"probe-{i}")
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        times.append(time.perf_counter() - started)
    return 1000 * sorted(times)[len(times) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=CLIENTS, help="phones at once (2)")
    parser.add_argument("--quick", action="store_true", help="60 submissions (a smoke test)")
    args = parser.parse_args()
    total = 60 if args.quick else args.submissions
    clients = max(1, args.clients)
    with tempfile.TemporaryDirectory(prefix="homeward-openrosa-bench-") as tmp:
        fsync_ms = durable_write_ms(Path(tmp) / "probe")
        server = LiveServer(prepare(Path(tmp)), workers=WORKERS).start(timeout=120)
        try:
            signed = httpx.post(
                f"{server.url}/api/v1/auth/token",
                data={"username": USERNAME, "password": PASSWORD, "device_id": "bench-collect"},
            )
            signed.raise_for_status()
            base = f"{server.url}/openrosa/key/{signed.json()['access_token']}"
            httpx.get(f"{base}/formList", timeout=120).raise_for_status()  # XForms made once
            bodies: list[Submission] = []
            for _ in range(total):
                name = f"{uuid.uuid4().hex}.jpg"
                bodies.append(multipart(instance(name), name, os.urandom(PHOTO_BYTES)))
            failures: list[str] = []
            threads = [
                threading.Thread(target=submit_all, args=(base, bodies[i::clients], failures))
                for i in range(clients)
            ]
            assert server.process is not None
            server_cpu = tree_cpu_seconds(server.process.pid)
            per_worker = workers_cpu(server.process.pid)
            client_cpu = time.process_time()
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.perf_counter() - started
            server_cpu = tree_cpu_seconds(server.process.pid) - server_cpu
            client_cpu = time.process_time() - client_cpu
            worked = {
                pid: used - per_worker.get(pid, 0.0)
                for pid, used in workers_cpu(server.process.pid).items()
            }
        finally:
            server.stop()
    rate = total / seconds
    print(
        f"openrosa: {total} submissions (50 KB photo each, {clients} clients, {WORKERS} workers) "
        f"in {seconds:.2f} s = {rate:,.0f} submissions/s"
    )
    print(
        f"  CPU per submission: server {1000 * server_cpu / total:.2f} ms "
        f"({server_cpu / seconds:.2f} of {os.cpu_count()} cores busy), "
        f"clients {1000 * client_cpu / total:.2f} ms"
    )
    shares = sorted((used / server_cpu for used in worked.values()), reverse=True)
    print(
        "  each worker's share of the server CPU: "
        + " / ".join(f"{100 * share:.0f} %" for share in shares[:WORKERS])
        + " (kept-alive connections stay on the worker that accepted them)"
    )
    print(
        f"  one durable 50 KB file write on this disk: {fsync_ms:.2f} ms (median); "
        f"{clients} clients waiting for it alone: at most {clients * 1000 / fsync_ms:,.0f}/s"
    )
    print(
        f"  load average at the end: {os.getloadavg()[0]:.1f}; "
        f"this machine's reference loop: {reference_loop_ms():.0f} ms of CPU"
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
