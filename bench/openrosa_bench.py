"""OpenRosa submissions per second, end to end against a real server process.

Each submission is what ODK Collect sends: one POST of a multipart body with the instance
XML (a placement recommendation) and one 50 KB photo, over a kept-alive connection; the
server runs with 2 workers on a fresh SQLite database with the demo data. Two scenarios
(``--clients``): 2 phones sending their queues at once, and 16 (a district's phones syncing
after a day in the field: the server's capacity), each phone signed in as its own device.
Every answer must be 201. The clients share the machine's cores with the server, so they are
light: the standard library's ``http.client`` sending bodies built before the clock starts.
Printed beside ODK Central's published figure (41 submissions per second on a 2 GB machine);
Homeward's target is at least 400.

Also printed: the server's CPU per submission (its processes, from ``/proc``), each worker's
share of it, the clients' CPU, and what one durable 50 KB file write costs on this disk
(write, fsync, rename, fsync of the folder: what the server does before it answers 201, so
that a phone that deletes its copy loses nothing): a phone waits for it on every submission,
whatever the CPU; and a reference loop's CPU time, since this VM's speed changes with its host.

    .venv/bin/python bench/openrosa_bench.py [--submissions N] [--clients 2,16] [--quick]
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

from bench.sync_bench import process_table, run_timed  # noqa: E402
from tests.live_server import LiveServer  # noqa: E402

USERNAME = "ccwc.pp"
PASSWORD = "homeward-demo"
COMMUNE = "120101"
PHOTO_BYTES = 50 * 1024
CLIENTS = "2,16"  # phones at once: a queue sent by two, and a district's phones
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


@dataclass(frozen=True)
class Run:
    """One scenario's figures."""

    phones: int
    total: int
    seconds: float
    server_cpu: float
    client_cpu: float
    shares: list[float]
    failures: list[str]

    @property
    def rate(self) -> float:
        return self.total / self.seconds


def run_phones(server: LiveServer, phones: int, total: int) -> Run:
    """``total`` submissions from ``phones`` phones at once, each signed in as its own device
    (as each Collect phone configured by its own QR code is) on its own kept-alive
    connection."""
    bases = []
    for index in range(phones):
        signed = httpx.post(
            f"{server.url}/api/v1/auth/token",
            data={"username": USERNAME, "password": PASSWORD, "device_id": f"collect-{index}"},
            timeout=60,
        )
        signed.raise_for_status()
        bases.append(f"{server.url}/openrosa/key/{signed.json()['access_token']}")
    httpx.get(f"{bases[0]}/formList", timeout=120).raise_for_status()  # XForms made once
    bodies: list[Submission] = []
    for _ in range(total):
        name = f"{uuid.uuid4().hex}.jpg"
        bodies.append(multipart(instance(name), name, os.urandom(PHOTO_BYTES)))
    failures: list[str] = []
    threads = [
        threading.Thread(target=submit_all, args=(bases[i], bodies[i::phones], failures))
        for i in range(phones)
    ]
    assert server.process is not None
    per_worker = workers_cpu(server.process.pid)
    seconds, server_cpu, client_cpu = run_timed(threads, server.process.pid)
    worked = [
        used - per_worker.get(pid, 0.0)
        for pid, used in workers_cpu(server.process.pid).items()
        if pid in per_worker  # a worker, not multiprocessing's resource tracker
    ]
    shares = sorted((used / server_cpu for used in worked), reverse=True)
    return Run(phones, total, seconds, server_cpu, client_cpu, shares, failures)


def report(run: Run) -> None:
    print(
        f"openrosa: {run.total} submissions (50 KB photo each, {run.phones} clients, "
        f"{WORKERS} workers) in {run.seconds:.2f} s = {run.rate:,.0f} submissions/s"
    )
    print(
        f"  CPU per submission: server {1000 * run.server_cpu / run.total:.2f} ms "
        f"({run.server_cpu / run.seconds:.2f} of {os.cpu_count()} cores busy), "
        f"clients {1000 * run.client_cpu / run.total:.2f} ms"
    )
    print(
        "  each worker's share of the server CPU: "
        + " / ".join(f"{100 * share:.0f} %" for share in run.shares[:WORKERS])
        + " (each worker has its own socket; the kernel hashes each connection to one)"
    )
    verdict = "PASS" if run.rate >= TARGET else "below target"
    print(f"  target >= {TARGET} submissions/s: {verdict}")
    if run.failures:
        print(f"FAILED: {len(run.failures)} answers were not 201, e.g. {run.failures[0]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=2000, help="per scenario (2,000)")
    parser.add_argument(
        "--clients", default=CLIENTS, help=f"phones at once, one scenario each ({CLIENTS})"
    )
    parser.add_argument("--quick", action="store_true", help="60 submissions (a smoke test)")
    args = parser.parse_args()
    total = 60 if args.quick else args.submissions
    phones = [max(1, int(c)) for c in str(args.clients).split(",")]
    runs = []
    with tempfile.TemporaryDirectory(prefix="homeward-openrosa-bench-") as tmp:
        fsync_ms = durable_write_ms(Path(tmp) / "probe")
        server = LiveServer(prepare(Path(tmp)), workers=WORKERS).start(timeout=120)
        try:
            for count in phones:
                runs.append(run_phones(server, count, total))
                report(runs[-1])
        finally:
            server.stop()
    print(
        f"one durable 50 KB file write on this disk: {fsync_ms:.2f} ms (median); "
        f"a phone waits for it on every submission"
    )
    print(
        f"load average at the end: {os.getloadavg()[0]:.1f}; "
        f"this machine's reference loop: {reference_loop_ms():.0f} ms of CPU"
    )
    print(f"ODK Central (published): {CENTRAL} submissions/s on a 2 GB machine")
    return 1 if any(run.failures for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
