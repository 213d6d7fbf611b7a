"""Sync throughput and bytes on the wire, end to end against a real server process.

    .venv/bin/python bench/sync_bench.py [--records N | --quick] [--no-peer] [--workers W]
                                         [--clients C]

On a fresh SQLite database in a temp dir (``homeward migrate`` + ``homeward seed-demo``), with
the demo inspector ``inspector.sr`` (scope: Siem Reap, province 17):

1. push: N realistic ``institution_inspection`` changes (each naming a real demo institution
   in scope; unique record_id/change_id/_row_ids, UUID v7 as the field app makes them (time
   first: ids made in a row sort together); photo and signature as sha256 hashes, listed
   in ``attachments`` as a tablet does) in pushes of 100, over HTTP, each client one push
   after another; beside a raw ``sqlite3`` insert of the same rows into a table with the
   ``records`` table's DDL (executemany, one transaction per 100, WAL, synchronous=NORMAL).
   By default the server runs as deployed: one worker per core (the Dockerfile's default is
   2 workers), with more tablets pushing at once than there are workers, as in the field
   (``--clients``, default: twice the workers; with only as many clients as workers, two of
   them often queue on one worker while the other idles, since a worker takes the next
   connection whenever its loop is free); ``--workers 1 --clients 1`` gives the one-process,
   one-tablet figure.
2. the same batches, from the same number of clients, against a CouchDB-protocol peer (npm
   ``pouchdb-server@4.2.0``, installed into a scratch dir under the system temp dir), run
   twice: on its default storage (LevelDB files in a fresh temp dir; the targets are judged
   against this one: our server keeps its data in a file too, and both survive a crash of the
   process) and ``--in-memory`` (MemDOWN: everything is lost at exit; shown beside it, not
   judged): ``_bulk_docs`` of 100, then ``_changes?include_docs=true`` followed with
   ``limit``/``since``.
3. pull: ``/api/v1/sync/pull`` followed with the cursor over everything in scope (limit 1000
   and 5000), ``Accept-Encoding: gzip``; records/s includes decompressing and parsing JSON
   (with orjson, a native parser like a browser's ``JSON.parse``; the same for the peer).
4. bytes per submission: a change as JSON (alone; gzip-compressed as a push of 1 and as a push
   of 100 divided by 100) beside the ODK XForm XML instance of the same submission.

Each push run also prints the CPU its server used (our master and workers, the peer's node
process, read from ``/proc``), per push and per record, with the cores that kept busy on
average: rates on one machine depend on it, so this is what a ratio of rates rests on.
The pushing clients are ``http.client`` threads of this process (light, to leave the cores
to the server measured).

Request bodies are serialised before the clock starts (the same for us and the peer); the
clock covers sending, the server's work and reading (and parsing) the response. Each pull is
run 3 times and the median pass reported; the raw insert is the median of 3 fresh files. Our
pull returns everything in scope (the pushed inspections + the province's demo records), the
peer's only the pushed docs: compare records/s, not seconds. Neither side fsyncs a write
(our SQLite: WAL with synchronous=NORMAL; LevelDB: no sync). Exit status is 0 whatever the
figures: this measures, it does not assert.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import orjson

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from bench.xform import xform_instance  # noqa: E402
from tests.live_server import LiveServer, free_port  # noqa: E402
from tests.unit.test_domain_forms import institution_inspection  # noqa: E402

USERNAME = "inspector.sr"
PASSWORD = "homeward-demo"
PROVINCE = "17"
FORM_ID = "institution_inspection"
FORM_VERSION = "2026.1"
DEVICE_ID = "bench-tab-001"
BATCH = 100
PULL_LIMITS = (1000, 5000)
RAW_RUNS = 3
PULL_PASSES = 3  # each pull is repeated; the median pass is reported (shared machines)
GZIP_LEVEL = 6  # zlib's default, what Android's GZIPOutputStream and browsers use

PEER_PACKAGE = "pouchdb-server@4.2.0"
PEER_DIR = Path(tempfile.gettempdir()) / "homeward-bench-pouchdb-server-4.2.0"
PEER_DB = "bench"

T = TypeVar("T")

TARGET_PUSH_VS_RAW = 0.10
TARGET_PUSH_VS_PEER = 2.0
TARGET_PULL_VS_PEER = 3.0
TARGET_PULL_RATE = 20_000.0

NAMES = [
    "Keo Vanna",
    "Ly Sreymom",
    "Chea Sokha",
    "Sok Piseth",
    "Meas Channary",
    "Heng Dara",
    "Pich Sophal",
    "Nget Malis",
    "Ouk Rithy",
    "Chan Bopha",
    "Long Visal",
    "Srey Pov",
]
AGENCIES = ["dosvy", "district", "mosvy"]
CAPTIONS = [
    "Dormitory, girls' side",
    "Dormitory, boys' side",
    "Kitchen",
    "Water tank",
    "Classroom",
    "Latrines",
    "Play area",
    "Case files cabinet",
]
ACTIONS = [
    "Stop tour group visits by January; DoSVY to start case reviews.",
    "Trace families of the children admitted in 2025; case reviews every quarter.",
    "Repair the water filter; register the three children without birth certificates.",
    "Prepare a transition plan with the DoSVY by March; no new admissions meanwhile.",
    "Hire a second social worker; move the youngest children to kinship care.",
]
STANDARDS = [
    "child_protection_policy",
    "every_child_registered",
    "case_files",
    "safe_water",
    "sleeping_space",
    "school_attendance",
    "health_care",
    "no_voluntourism",
]


def out(line: str = "") -> None:
    print(line, flush=True)


# --- realistic changes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Institution:
    record_id: str
    province: str
    district: str | None
    commune: str | None


MADE_FROM_MS = 1_763_600_000_000  # 2025-11-20: the ids' clock starts here, a record a minute


def _uuid(rng: random.Random, ms: int) -> str:
    """An id as the field app makes it (static/pwa/js/uuid.js): UUID v7, time then random."""
    value = (ms << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64) | (0b10 << 62)
    return str(uuid.UUID(int=value | rng.getrandbits(62)))


def _sha(*parts: object) -> str:
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()


def _js_number(value: float) -> float | int:
    """A number as the field app's ``JSON.stringify`` writes it: 6.0 as ``6``, not ``6.0``."""
    return int(value) if value.is_integer() else value


def make_change(i: int, institution: Institution, rng: random.Random) -> dict[str, Any]:
    """The builder's inspection, varied the way 5,000 real ones would vary."""
    data = institution_inspection()
    made = MADE_FROM_MS + i * 60_000
    day = date(2026, 11, 20) - timedelta(days=rng.randrange(0, 300))
    data["institution"] = institution.record_id
    data["inspection_date"] = day.isoformat()
    data["inspection_round"] = "first_half" if day.month <= 6 else "second_half"
    data["inspectors"] = [
        {
            "_row_id": _uuid(rng, made),
            "inspector_name": rng.choice(NAMES),
            "inspector_agency": rng.choice(AGENCIES),
        }
        for _ in range(rng.randint(1, 3))
    ]
    kids = data["children"]
    for key in ("girls_3_5", "boys_3_5", "girls_6_11", "boys_6_11", "girls_12_17", "boys_12_17"):
        kids[key] = rng.randint(0, 18)
    kids["young_women_18_plus"] = rng.randint(0, 3)
    kids["young_men_18_plus"] = rng.randint(0, 3)
    girls = kids["girls_0_2"] + kids["girls_3_5"] + kids["girls_6_11"] + kids["girls_12_17"]
    boys = kids["boys_0_2"] + kids["boys_3_5"] + kids["boys_6_11"] + kids["boys_12_17"]
    kids["girls_with_disability"] = rng.randint(0, min(3, girls))
    kids["boys_with_disability"] = rng.randint(0, min(3, boys))
    kids["children_with_case_plan"] = rng.randint(0, girls + boys)
    data["beds"] = girls + boys + rng.randint(0, 25)
    staff = rng.randint(4, 30)
    data["staff"] = {
        "staff_total": staff,
        "carers": rng.randint(1, staff),
        "social_workers": rng.randint(0, min(3, staff)),
    }
    standards = {name: ("yes" if rng.random() < 0.8 else "no") for name in STANDARDS}
    if "no" in standards.values():
        standards["standards_comments"] = rng.choice(
            [
                "Tour groups visit on weekends.",
                "No case files for new admissions.",
                "Water filter broken since August.",
                "Older children share beds.",
            ]
        )
    data["standards"] = standards
    data["follow_up_actions"] = rng.choice(ACTIONS)
    data["photos"] = [
        {
            "_row_id": _uuid(rng, made),
            "photo": _sha("photo", i, k),
            "photo_caption": rng.choice(CAPTIONS),
        }
        for k in range(rng.randint(1, 3))
    ]
    data["gps"] = {
        "lat": _js_number(round(13.36 + rng.uniform(-0.6, 0.6), 6)),
        "lon": _js_number(round(103.86 + rng.uniform(-0.6, 0.6), 6)),
        "accuracy": _js_number(round(rng.uniform(3, 20), 1)),
        "altitude": _js_number(round(rng.uniform(5, 40), 1)),
    }
    data["inspector_signature"] = _sha("signature", i)
    attachments = [row["photo"] for row in data["photos"]] + [data["inspector_signature"]]
    clock = f"{rng.randint(7, 16):02d}:{rng.randint(0, 59):02d}:00"
    return {
        "change_id": _uuid(rng, made),
        "record_id": _uuid(rng, made),
        "form_id": FORM_ID,
        "form_version": FORM_VERSION,
        "base_rev": None,
        "data": data,
        "attachments": attachments,
        "captured_at": f"{day.isoformat()}T{clock}+07:00",
    }


def make_changes(n: int, institutions: list[Institution], seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [make_change(i, institutions[i % len(institutions)], rng) for i in range(n)]


def batches(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def gz(raw: bytes) -> bytes:
    return gzip.compress(raw, compresslevel=GZIP_LEVEL, mtime=0)


# --- results -----------------------------------------------------------------------------------


@dataclass
class Row:
    section: int
    label: str
    value: str
    target: str = ""
    ok: bool | None = None


@dataclass
class Report:
    """Every figure, by section (1 push, 2 peer, 3 pull, 4 bytes), with its verdict."""

    rows: list[Row] = field(default_factory=list)

    def add(
        self, section: int, label: str, value: str, target: str = "", ok: bool | None = None
    ) -> None:
        self.rows.append(Row(section, label, value, target, ok))

    def table(self) -> str:
        rows = sorted(self.rows, key=lambda r: r.section)  # stable: order within a section kept
        w1 = max(len(r.label) for r in rows)
        w2 = max(len(r.value) for r in rows)
        w3 = max(max(len(r.target) for r in rows), len("target"))
        lines = [
            f"{'figure':<{w1}}  {'value':>{w2}}  {'target':<{w3}}  result",
            "-" * (w1 + w2 + w3 + 12),
        ]
        for r in rows:
            verdict = "" if r.ok is None else ("PASS" if r.ok else "FAIL")
            lines.append(f"{r.label:<{w1}}  {r.value:>{w2}}  {r.target:<{w3}}  {verdict}".rstrip())
        return "\n".join(lines)


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


# --- our server --------------------------------------------------------------------------------


def prepare_database(tmp: Path) -> tuple[str, Path]:
    db = tmp / "homeward.db"
    url = f"sqlite:///{db}"
    os.environ["HOMEWARD_DATABASE_URL"] = url  # LiveServer passes os.environ on
    os.environ["HOMEWARD_DATA_DIR"] = str(tmp / "data")
    for command in ("migrate", "seed-demo"):
        done = subprocess.run(
            [sys.executable, "-m", "app", command],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(f"homeward {command} failed:\n{done.stderr[-2000:]}")
    return url, db


def institutions_in_scope(db: Path) -> list[Institution]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT record_id, province, district, commune FROM records "
            "WHERE form_id = 'institution' AND province = ? ORDER BY record_id",
            (PROVINCE,),
        ).fetchall()
    return [Institution(*row) for row in rows]


def records_in_scope(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(
            conn.execute("SELECT count(*) FROM records WHERE province = ?", (PROVINCE,)).fetchone()[
                0
            ]
        )


def sign_in(client: httpx.Client) -> None:
    response = client.post(
        "/api/v1/auth/token",
        data={"username": USERNAME, "password": PASSWORD, "device_id": DEVICE_ID},
    )
    response.raise_for_status()
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"


@dataclass(frozen=True)
class Answer:
    """A response as the pushing clients read it."""

    status: int
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


def _post_all(
    server_pid: int,
    base_url: str,
    headers: dict[str, str],
    path: str,
    bodies: list[bytes],
    clients: int,
    check: Callable[[Answer], list[str]],
) -> PushRun:
    """POST every body to ``path``, from ``clients`` concurrent clients (each taking every
    clients-th body): seconds from the first request to the last response, the statuses
    ``check`` reads from each response (it raises on a failure), and the CPU used meanwhile
    by the server (process ``server_pid`` and its descendants) and by the clients.

    The clients are the standard library's ``http.client``, a connection per request (as
    separate tablets would open; with kept-alive connections the kernel may hand both clients'
    connections to one server worker). They share the machine's cores with the server, so a
    light client leaves the cores to the server being measured (httpx spent 3.4 ms of CPU per
    push of 100, about a tenth of the server's; this spends under 1 ms), for us and the peer
    alike."""
    statuses: Counter[str] = Counter()
    failures: list[BaseException] = []
    lock = threading.Lock()
    target = urllib.parse.urlsplit(base_url)
    host, port = target.hostname or "127.0.0.1", target.port or 80
    sent = {**headers, "Content-Type": "application/json", "Connection": "close"}

    def run(share: list[bytes]) -> None:
        try:
            for body in share:
                connection = http.client.HTTPConnection(host, port, timeout=300)
                try:
                    connection.request("POST", path, body=body, headers=sent)
                    response = connection.getresponse()
                    answer = Answer(response.status, response.read())
                finally:
                    connection.close()
                found = check(answer)
                with lock:
                    statuses.update(found)
        except BaseException as exc:  # reported after the clock stops
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(bodies[k::clients],)) for k in range(clients)]
    seconds, server_cpu, client_cpu = run_timed(threads, server_pid)
    if failures:
        raise RuntimeError(f"{len(failures)} client(s) failed: {failures[0]}") from failures[0]
    return PushRun(seconds, statuses, server_cpu, client_cpu)


def _our_statuses(response: Answer) -> list[str]:
    if response.status != 200:
        raise RuntimeError(f"push answered {response.status}: {response.text[:300]}")
    return [r["status"] for r in response.json()["results"]]


def process_table() -> tuple[dict[int, int], dict[int, float]]:
    """Every process's parent and CPU seconds (user + system) so far, from Linux ``/proc``
    (empty elsewhere)."""
    proc = Path("/proc")
    parent: dict[int, int] = {}
    used: dict[int, float] = {}
    if not proc.is_dir():
        return parent, used
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        parent[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    return parent, used


def run_timed(threads: list[threading.Thread], server_pid: int) -> tuple[float, float, float]:
    """Start ``threads`` (the clients) and wait for them: the wall seconds, the server's CPU
    seconds (``server_pid`` and its children) and this process's, over that time."""
    server_before, client_before = tree_cpu_seconds(server_pid), time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    server_cpu = tree_cpu_seconds(server_pid) - server_before
    return seconds, server_cpu, time.process_time() - client_before


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and all its descendants
    (0.0 where there is no ``/proc``): a server's master and workers, or the peer's node."""
    parent, used = process_table()
    total, wanted = 0.0, {pid}
    while wanted:
        total += sum(used.get(p, 0.0) for p in wanted)
        wanted = {child for child, up in parent.items() if up in wanted}
    return total


@dataclass(frozen=True)
class PushRun:
    """A run of pushes: seconds of wall clock, statuses, and the CPU seconds the server's
    processes and the pushing clients (this process) used meanwhile."""

    seconds: float
    statuses: Counter[str]
    server_cpu: float
    client_cpu: float

    def cpu_line(self, pushes: int, records: int) -> str:
        server = self.server_cpu / pushes * 1000
        return (
            f"CPU: server {server:.1f} ms per push of {BATCH} "
            f"({self.server_cpu / records * 1e6:.0f} us/record, "
            f"{self.server_cpu / self.seconds:.2f} of {os.cpu_count()} cores busy on average), "
            f"clients {self.client_cpu / pushes * 1000:.1f} ms per push"
        )


def push_ours(client: httpx.Client, bodies: list[bytes], clients: int, server_pid: int) -> PushRun:
    headers = {"Authorization": client.headers["Authorization"]}
    return _post_all(
        server_pid,
        str(client.base_url),
        headers,
        "/api/v1/sync/push",
        bodies,
        clients,
        _our_statuses,
    )


@dataclass
class PullRun:
    limit: int
    records: int
    pages: int
    seconds: float  # the whole loop: requests, responses, gunzip, JSON parsing
    wire_bytes: int
    gzip_pages: int  # pages that came gzip-compressed (a server may send a small one plain)
    parse_seconds: float = 0.0  # of which the client's json.loads


def median_run(runs: list[PullRun]) -> PullRun:
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


def pull_ours(client: httpx.Client, limit: int) -> PullRun:
    cursor: str | None = None
    records = pages = wire = 0
    parse = 0.0
    gzipped = 0
    started = time.perf_counter()
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = client.get(
            "/api/v1/sync/pull", params=params, headers={"Accept-Encoding": "gzip"}
        )
        if response.status_code != 200:
            raise RuntimeError(f"pull answered {response.status_code}: {response.text[:500]}")
        parse_started = time.perf_counter()
        body = orjson.loads(response.content)
        parse += time.perf_counter() - parse_started
        gzipped += response.headers.get("content-encoding") == "gzip"
        wire += response.num_bytes_downloaded
        pages += 1
        records += len(body["records"])
        cursor = body["cursor"]
        if not body["more"]:
            break
    return PullRun(limit, records, pages, time.perf_counter() - started, wire, gzipped, parse)


# --- raw SQLite baseline -----------------------------------------------------------------------


def raw_sqlite(
    template_db: Path,
    target: Path,
    changes: list[dict[str, Any]],
    institutions: dict[str, Institution],
) -> float:
    """Seconds to insert the same rows into a bare copy of the records table."""
    with sqlite3.connect(template_db) as src:
        ddl = [
            sql
            for (sql,) in src.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'records' AND sql IS NOT NULL "
                "ORDER BY type DESC"
            )
        ]  # table first, then its indexes
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        for sql in ddl:
            conn.execute(sql)
        columns = [r[1] for r in conn.execute("PRAGMA table_info(records)")]
        now = "2026-11-24 12:00:00.000000"
        rows = []
        for seq, change in enumerate(changes, start=1):
            inst = institutions[change["data"]["institution"]]
            values = {
                "record_id": change["record_id"],
                "form_id": change["form_id"],
                "form_version": change["form_version"],
                "rev": 1,
                "data": json.dumps(change["data"], ensure_ascii=False),
                "province": inst.province,
                "district": inst.district,
                "commune": inst.commune,
                "seq": seq,
                "incomplete": 1,
                "flags": "[]",
                "queue_priority": 0,  # no flag: as the push stores it
                "placement_state": None,
                "review_state": "received",
                "review_comment": None,
                "created_by": USERNAME,
                "created_at": now,
                "updated_at": now,
            }
            rows.append(tuple(values.get(c) for c in columns))
        insert = (
            f"INSERT INTO records ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        )
        started = time.perf_counter()
        for chunk in batches(rows):
            conn.execute("BEGIN")
            conn.executemany(insert, chunk)
            conn.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        conn.close()


# --- the CouchDB-protocol peer -----------------------------------------------------------------


@dataclass
class PeerResult:
    storage: str
    push: PushRun
    pulls: list[PullRun]
    note: str = ""


def _install_peer() -> tuple[Path | None, str]:
    binary = PEER_DIR / "node_modules" / ".bin" / "pouchdb-server"
    if binary.exists():
        return binary, f"{PEER_PACKAGE} already installed in {PEER_DIR}"
    npm = shutil.which("npm")
    if npm is None:
        return None, "npm is not on PATH"
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    # a package.json of its own, so npm never walks up into another project
    (PEER_DIR / "package.json").write_text('{"name": "homeward-bench-peer", "private": true}\n')
    out(f"  installing {PEER_PACKAGE} into {PEER_DIR} (npm install --no-save) …")
    try:
        done = subprocess.run(
            [npm, "install", "--no-save", "--no-audit", "--no-fund", PEER_PACKAGE],
            cwd=PEER_DIR,
            capture_output=True,
            text=True,
            timeout=900,
        )
    except subprocess.TimeoutExpired:
        return None, "npm install timed out after 900 s"
    if done.returncode != 0 or not binary.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        return None, f"npm install failed (exit {done.returncode}): " + " | ".join(tail)
    return binary, f"{PEER_PACKAGE} installed into {PEER_DIR}"


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# the peer's storages: its default (LevelDB files on disk, like our SQLite file) and MemDOWN
JUDGED_STORAGE = "disk"
PEER_STORAGES: dict[str, str] = {
    "disk": "LevelDB on disk (its default; durable like our SQLite file)",
    "memory": "in memory (--in-memory: MemDOWN, lost at exit)",
}


def _peer_statuses(response: Answer) -> list[str]:
    if response.status not in (200, 201):
        raise RuntimeError(f"_bulk_docs answered {response.status}: {response.text[:300]}")
    results = response.json()
    failed = [r for r in results if not r.get("ok")]
    if failed:
        raise RuntimeError(f"_bulk_docs refused {len(failed)} docs: {failed[0]}")
    return ["ok"] * len(results)


def run_peer(changes: list[dict[str, Any]], storage: str, clients: int = 1) -> PeerResult | str:
    """The peer's figures on ``storage`` (a key of PEER_STORAGES), or why there are none."""
    binary, how = _install_peer()
    out(f"  {how}")
    if binary is None:
        return how
    port = free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="homeward-bench-peer-"))
    where = ["--in-memory"] if storage == "memory" else ["--dir", str(data_dir)]
    log = PEER_DIR / f"server-{port}.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [str(binary), *where, "--port", str(port), "--no-stdout-logs"],
            cwd=PEER_DIR,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace").strip().splitlines()[-5:]
                return "pouchdb-server did not start: " + (" | ".join(tail) or "no output")
            time.sleep(0.2)
        bodies = [
            dumps(
                {
                    "docs": [
                        {
                            "_id": c["record_id"],
                            "form_id": c["form_id"],
                            "form_version": c["form_version"],
                            "data": c["data"],
                            "attachments": c["attachments"],
                            "captured_at": c["captured_at"],
                            "device_id": DEVICE_ID,
                        }
                        for c in batch
                    ]
                }
            )
            for batch in batches(changes)
        ]
        with httpx.Client(base_url=url, timeout=300) as client:
            client.put(f"/{PEER_DB}").raise_for_status()
            try:
                push = _post_all(
                    process.pid, url, {}, f"/{PEER_DB}/_bulk_docs", bodies, clients, _peer_statuses
                )
            except RuntimeError as exc:
                return str(exc)
            pulls = [
                median_run([_pull_peer(client, limit) for _ in range(PULL_PASSES)])
                for limit in PULL_LIMITS
            ]
        return PeerResult(PEER_STORAGES[storage], push, pulls)
    finally:
        _stop(process)
        log.unlink(missing_ok=True)
        shutil.rmtree(data_dir, ignore_errors=True)


def _pull_peer(client: httpx.Client, limit: int) -> PullRun:
    since: Any = 0
    records = pages = wire = 0
    parse = 0.0
    gzipped = 0
    started = time.perf_counter()
    while True:
        response = client.get(
            f"/{PEER_DB}/_changes",
            params={"include_docs": "true", "limit": limit, "since": since},
            headers={"Accept-Encoding": "gzip"},
        )
        response.raise_for_status()
        parse_started = time.perf_counter()
        body = orjson.loads(response.content)
        parse += time.perf_counter() - parse_started
        gzipped += response.headers.get("content-encoding") == "gzip"
        wire += response.num_bytes_downloaded
        pages += 1
        records += len(body["results"])
        since = body["last_seq"]
        if len(body["results"]) < limit:
            break
    return PullRun(limit, records, pages, time.perf_counter() - started, wire, gzipped, parse)


# --- bytes on the wire -------------------------------------------------------------------------


@dataclass
class WireBytes:
    change_raw: int
    push1_raw: int
    push1_gzip: int
    push100_raw_each: float
    push100_gzip_each: float
    xform_raw: int
    xform_gzip: int
    xform_sample: str


def _with_calculations(change: dict[str, Any], institution: Institution) -> dict[str, Any]:
    """The data as ODK would hold it on the tablet: calculated values filled in (the same
    validator the server runs; the referenced institution is the real one)."""
    from datetime import UTC, datetime

    from app.forms.definitions import load_builtin_form
    from app.forms.validate import validate_submission

    def lookup(form_id: str, record_id: str) -> dict[str, Any] | None:
        if record_id != institution.record_id:
            return None
        return {
            "form_id": "institution",
            "data": {},
            "location": institution.commune or institution.district or institution.province,
        }

    result = validate_submission(
        load_builtin_form(FORM_ID),
        change["data"],
        today=date.today(),
        now=datetime.now(UTC),
        lookup_record=lookup,
    )
    if not result.ok:
        raise RuntimeError(f"the sample change does not validate: {result.errors[:3]}")
    return result.data


def wire_bytes(changes: list[dict[str, Any]], institutions: dict[str, Institution]) -> WireBytes:
    from app.forms.definitions import load_builtin_form

    one = changes[0]
    count = min(BATCH, len(changes))
    push1 = dumps({"device_id": DEVICE_ID, "changes": [one]})
    push100 = dumps({"device_id": DEVICE_ID, "changes": changes[:count]})
    data = _with_calculations(one, institutions[one["data"]["institution"]])
    xml = xform_instance(load_builtin_form(FORM_ID), data, one["change_id"]).encode()
    return WireBytes(
        change_raw=len(dumps(one)),
        push1_raw=len(push1),
        push1_gzip=len(gz(push1)),
        push100_raw_each=len(push100) / count,
        push100_gzip_each=len(gz(push100)) / count,
        xform_raw=len(xml),
        xform_gzip=len(gz(xml)),
        xform_sample=xml.decode(),
    )


# --- main --------------------------------------------------------------------------------------


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}"


def guarded(report: Report, section: int, name: str, run: Callable[[], T]) -> T | None:
    """Run one measurement; if it breaks, say why, mark it in the table and go on."""
    try:
        return run()
    except Exception as exc:  # a broken section must not hide the others
        out(f"{name}: FAILED: {type(exc).__name__}: {exc}")
        report.add(section, f"{name} (failed, see above)", "error")
        return None


def section_push(
    client: httpx.Client,
    bodies: list[bytes],
    n: int,
    report: Report,
    clients: int,
    server_pid: int,
) -> float:
    run = push_ours(client, bodies, clients, server_pid)
    push_s, statuses = run.seconds, run.statuses
    push_rate = rate(n, push_s)
    out(
        f"push: {n:,} records in {push_s:.2f} s = {fmt_rate(push_rate)} records/s "
        f"({push_s / len(bodies) * 1000:.1f} ms per push of {BATCH}); statuses {dict(statuses)}"
    )
    out(f"  {run.cpu_line(len(bodies), n)}")
    if statuses.get("applied", 0) != n:
        out(f"  WARNING: {n - statuses.get('applied', 0)} changes were not applied")
    who = f"{clients} client{'s' if clients > 1 else ''}"
    report.add(1, f"push records/s (HTTP, end to end, {who})", fmt_rate(push_rate))
    return push_rate


def section_raw(
    db: Path,
    tmp: Path,
    changes: list[dict[str, Any]],
    by_id: dict[str, Institution],
    push_rate: float | None,
    report: Report,
) -> None:
    n = len(changes)
    runs = sorted(raw_sqlite(db, tmp / f"raw-{k}.db", changes, by_id) for k in range(RAW_RUNS))
    raw_s = runs[len(runs) // 2]
    raw_rate = rate(n, raw_s)
    out(
        f"raw sqlite3: {n:,} rows in {raw_s:.3f} s = {fmt_rate(raw_rate)} rows/s, median of "
        f"{RAW_RUNS} fresh files ({', '.join(f'{r:.3f}' for r in runs)} s; records DDL + "
        f"indexes, executemany, transactions of {BATCH}, WAL, synchronous=NORMAL)"
    )
    report.add(1, "raw sqlite3 insert rows/s", fmt_rate(raw_rate))
    if push_rate is not None:
        ratio = push_rate / raw_rate
        out(f"push / raw = {ratio:.1%}")
        report.add(
            1,
            "push / raw sqlite3",
            f"{ratio:.1%}",
            f">= {TARGET_PUSH_VS_RAW:.0%}",
            ratio >= TARGET_PUSH_VS_RAW,
        )


def section_pull(client: httpx.Client, db: Path, report: Report) -> dict[int, PullRun]:
    expected = records_in_scope(db)
    pulls = {}
    for limit in PULL_LIMITS:
        run = median_run([pull_ours(client, limit) for _ in range(PULL_PASSES)])
        pulls[limit] = run
        pull_rate = rate(run.records, run.seconds)
        out(
            f"pull (limit {limit}): {run.records:,} records in {run.pages} pages, "
            f"median of {PULL_PASSES} passes: "
            f"{run.seconds:.2f} s = {fmt_rate(pull_rate)} records/s "
            f"(client parse (orjson) {run.parse_seconds:.2f} s of it; without it "
            f"{fmt_rate(rate(run.records, run.seconds - run.parse_seconds))}/s); "
            f"{run.wire_bytes / 1e6:.2f} MB on the wire "
            f"({run.wire_bytes / max(run.records, 1):,.0f} B/record, "
            f"gzip on {run.gzip_pages} of {run.pages} pages); {expected:,} in scope"
            + ("" if run.records == expected else "  MISMATCH")
        )
        report.add(
            3,
            f"pull records/s (limit {limit}, gzip)",
            fmt_rate(pull_rate),
            f">= {TARGET_PULL_RATE:,.0f}",
            pull_rate >= TARGET_PULL_RATE,
        )
    return pulls


def section_bytes(
    changes: list[dict[str, Any]], by_id: dict[str, Institution], show_xml: bool, report: Report
) -> None:
    wire = wire_bytes(changes, by_id)
    count = min(BATCH, len(changes))
    out(
        f"ours: change JSON alone {wire.change_raw:,} B; as a push of 1: {wire.push1_raw:,} B raw, "
        f"{wire.push1_gzip:,} B gzip; in a push of {count}: {wire.push100_raw_each:,.0f} B raw, "
        f"{wire.push100_gzip_each:,.0f} B gzip per record"
    )
    out(
        f"ODK XForm XML instance: {wire.xform_raw:,} B raw, {wire.xform_gzip:,} B gzip "
        f"(ODK Collect sends it uncompressed, in a multipart body)"
    )
    if show_xml:
        out(wire.xform_sample)
    report.add(4, "bytes/submission ODK XML instance, raw", f"{wire.xform_raw:,}")
    report.add(4, "bytes/submission ODK XML instance, gzip", f"{wire.xform_gzip:,}")
    report.add(
        4,
        "bytes/submission ours, push of 1, raw",
        f"{wire.push1_raw:,}",
        f"< ODK raw {wire.xform_raw:,}",
        wire.push1_raw < wire.xform_raw,
    )
    report.add(
        4,
        "bytes/submission ours, push of 1, gzip",
        f"{wire.push1_gzip:,}",
        f"< ODK gzip {wire.xform_gzip:,}",
        wire.push1_gzip < wire.xform_gzip,
    )
    report.add(
        4,
        "bytes/submission as sent: ours gzip push of 1 vs ODK raw",
        f"{wire.push1_gzip:,}",
        f"< ODK raw {wire.xform_raw:,}",
        wire.push1_gzip < wire.xform_raw,
    )
    report.add(
        4,
        f"bytes/submission ours, push of {count} gzip / {count}",
        f"{wire.push100_gzip_each:,.0f}",
        f"< ODK gzip {wire.xform_gzip:,}",
        wire.push100_gzip_each < wire.xform_gzip,
    )


def _target(target: str, judged: bool) -> str:
    return target if judged else f"({target}: not judged)"


def section_peer(
    changes: list[dict[str, Any]],
    push_rate: float | None,
    pulls: dict[int, PullRun],
    report: Report,
    clients: int = 1,
) -> None:
    """The peer on disk (the comparison the targets are judged on: both sides keep the data in
    files) and in memory (shown beside it with the same ratios, not judged: MemDOWN loses
    everything at exit, which no sync server can)."""
    for storage in PEER_STORAGES:
        _peer_on(storage, changes, push_rate, pulls, report, clients)


def _peer_on(
    storage: str,
    changes: list[dict[str, Any]],
    push_rate: float | None,
    pulls: dict[int, PullRun],
    report: Report,
    clients: int,
) -> None:
    n = len(changes)
    peer = run_peer(changes, storage, clients)
    if isinstance(peer, str):
        out(f"peer ({storage}): no figures: {peer}")
        report.add(2, f"peer (pouchdb-server, {storage})", "unavailable")
        return
    peer_push = rate(n, peer.push.seconds)
    out(f"peer: {PEER_PACKAGE}, storage {peer.storage}")
    out(
        f"peer push (_bulk_docs of {BATCH}): {n:,} docs in {peer.push.seconds:.2f} s "
        f"= {fmt_rate(peer_push)} docs/s"
    )
    out(f"  {peer.push.cpu_line(-(-n // BATCH), n)}")
    report.add(2, f"peer push docs/s (_bulk_docs, {storage})", fmt_rate(peer_push))
    judged = storage == JUDGED_STORAGE
    if push_rate is not None:
        push_vs = push_rate / peer_push
        report.add(
            2,
            f"our push / peer push ({storage})",
            f"{push_vs:.2f}x",
            _target(f">= {TARGET_PUSH_VS_PEER:.0f}x", judged),
            push_vs >= TARGET_PUSH_VS_PEER if judged else None,
        )
    for run in peer.pulls:
        peer_pull = rate(run.records, run.seconds)
        out(
            f"peer pull (_changes include_docs, limit {run.limit}): {run.records:,} docs in "
            f"{run.pages} pages, median of {PULL_PASSES} passes: {run.seconds:.2f} s = "
            f"{fmt_rate(peer_pull)} docs/s "
            f"(client parse (orjson) {run.parse_seconds:.2f} s of it); "
            f"{run.wire_bytes / 1e6:.2f} MB on the wire "
            f"(gzip on {run.gzip_pages} of {run.pages} pages)"
        )
        report.add(2, f"peer pull docs/s (limit {run.limit}, {storage})", fmt_rate(peer_pull))
        ours = pulls.get(run.limit)
        if ours is not None:
            pull_vs = rate(ours.records, ours.seconds) / peer_pull
            report.add(
                2,
                f"our pull / peer pull (limit {run.limit}, {storage})",
                f"{pull_vs:.2f}x",
                _target(f">= {TARGET_PULL_VS_PEER:.0f}x", judged),
                pull_vs >= TARGET_PULL_VS_PEER if judged else None,
            )


def main(argv: list[str] | None = None) -> int:
    # The measuring client should not measure its own cyclic GC rescanning every parsed page
    # (the same for us and the peer; the server tunes its GC the same way, app.main.tune_gc).
    gc.set_threshold(100_000, 50, 100)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000, help="records to push (5000)")
    parser.add_argument("--quick", action="store_true", help="500 records (overrides --records)")
    parser.add_argument("--no-peer", action="store_true", help="skip the pouchdb-server peer")
    cores = os.cpu_count() or 1
    parser.add_argument(
        "--workers",
        type=int,
        default=cores,
        help=f"server worker processes (one per core: {cores})",
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=None,
        help="concurrent pushing clients, for us and the peer alike (twice --workers)",
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed for the records")
    parser.add_argument("--show-xml", action="store_true", help="print the ODK XML instance")
    args = parser.parse_args(argv)
    n = 500 if args.quick else args.records
    if n < 1:
        parser.error("--records must be at least 1")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.clients is None:
        args.clients = 2 * args.workers
    if args.clients < 1:
        parser.error("--clients must be at least 1")
    report = Report()

    out(
        f"Homeward sync bench: {n:,} institution_inspection records in pushes of {BATCH}, "
        f"user {USERNAME} (province {PROVINCE}), server workers {args.workers}, "
        f"pushing clients {args.clients}"
    )
    out(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    with tempfile.TemporaryDirectory(prefix="homeward-bench-") as tmp_name:
        tmp = Path(tmp_name)
        started = time.perf_counter()
        url, db = prepare_database(tmp)
        out(
            f"database: fresh SQLite in {tmp} "
            f"(migrate + seed-demo {time.perf_counter() - started:.1f} s)"
        )
        institutions = institutions_in_scope(db)
        if not institutions:
            out(f"no demo institutions in province {PROVINCE}: nothing to inspect")
            return 0
        by_id = {i.record_id: i for i in institutions}
        changes = make_changes(n, institutions, args.seed)
        bodies = [dumps({"device_id": DEVICE_ID, "changes": batch}) for batch in batches(changes)]
        out(
            f"records: {n:,} inspections of {len(institutions)} demo institutions; "
            f"{len(bodies)} push bodies, {sum(map(len, bodies)) / n:,.0f} B/record as JSON"
        )

        push_rate: float | None = None
        pulls: dict[int, PullRun] = {}
        server = LiveServer(url, workers=args.workers).start(timeout=60)
        assert server.process is not None
        server_pid = server.process.pid
        try:
            with httpx.Client(base_url=server.url, timeout=300) as client:
                sign_in(client)
                out("\n[1] push")
                push_rate = guarded(
                    report,
                    1,
                    "push",
                    lambda: section_push(client, bodies, n, report, args.clients, server_pid),
                )
                guarded(
                    report,
                    1,
                    "raw sqlite3",
                    lambda: section_raw(db, tmp, changes, by_id, push_rate, report),
                )
                out("\n[3] pull")
                pulls = guarded(report, 3, "pull", lambda: section_pull(client, db, report)) or {}
        finally:
            server.stop()

        out("\n[4] bytes per submission")
        guarded(report, 4, "bytes", lambda: section_bytes(changes, by_id, args.show_xml, report))

        out("\n[2] CouchDB-protocol peer")
        if args.no_peer:
            out("peer: skipped (--no-peer)")
            report.add(2, "peer (pouchdb-server)", "skipped")
        else:
            guarded(
                report,
                2,
                "peer",
                lambda: section_peer(changes, push_rate, pulls, report, args.clients),
            )

    out(
        f"\nload average {os.getloadavg()[0]:.2f} at the end "
        "(other work on the machine skews the rates)"
    )
    out(report.table())
    return 0


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds: the server and the peer are stopped


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        code = main()
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
