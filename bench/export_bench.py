"""Time the exports of 100,000 records, with their peak memory.

    .venv/bin/python bench/export_bench.py [--records N] [--quick] [--keep PATH]

Builds a throwaway SQLite database (migrated, the built-in forms published) and bulk-inserts
N child registrations made from the demo generator's children (Khmer names, groups, choices),
then runs each export in a subprocess of its own, through the code the route streams
(``app.exports.service.start_export``), and reads every byte of it. Each subprocess reports
its time, its size and its peak RSS (``resource.getrusage``, so the figure is the process's
own). Targets: CSV under 10 s and 150 MB; XLSX under 60 s with bounded memory (under 250 MB).
``--quick`` (2,000 records) is what tests/test_bench_smoke.py runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, cast

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CSV_SECONDS, CSV_MB = 10.0, 150.0
XLSX_SECONDS, XLSX_MB = 60.0, 250.0
FORM = "child_registration"


def _peak_mb() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not carried over from the parent
    this process was forked from)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def build(path: Path, count: int) -> None:
    os.environ["HOMEWARD_DATABASE_URL"] = f"sqlite:///{path}"
    from sqlalchemy import Table

    from app.clock import now_utc
    from app.db.bulk_insert import insert_rows
    from app.db.migrate import migrate_and_publish_builtin_forms
    from app.db.session import session_scope
    from app.demo.generate import generate_demo
    from app.models import Record

    migrate_and_publish_builtin_forms()
    children = generate_demo().children
    table = cast(Table, Record.__table__)
    now = now_utc()
    with session_scope() as session:
        batch: list[dict[str, Any]] = []
        for n in range(count):
            child = children[n % len(children)]
            batch.append(
                {
                    **child,
                    "record_id": str(uuid.UUID(int=n + 1, version=4)),
                    "seq": n + 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if len(batch) == 5000:
                insert_rows(session, table, batch)
                batch = []
        if batch:
            insert_rows(session, table, batch)


def child(path: Path, kind: str) -> None:
    """One export, read to the end; prints ``kind seconds bytes peak_mb baseline_mb``."""
    os.environ["HOMEWARD_DATABASE_URL"] = f"sqlite:///{path}"
    from app.auth.scope import Scope
    from app.db.session import session_scope
    from app.exports.schemas import ExportQuery
    from app.exports.service import Who, start_export

    baseline = _peak_mb()
    started, cpu = time.perf_counter(), _cpu_seconds()
    size = 0
    with session_scope() as session:
        export = start_export(
            session,
            Who("bench", Scope(), None),
            form_id=FORM,
            kind="xlsx" if kind == "xlsx" else "csv",
            query=ExportQuery(lang="km"),
            base_url="http://127.0.0.1:8000",
        )
    for chunk in export.body:
        size += len(chunk)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    print(f"{kind} {seconds:.3f} {cpu:.3f} {size} {_peak_mb():.1f} {baseline:.1f}")


def measure(path: Path, kind: str) -> tuple[float, float, int, float, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--keep", str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    _, seconds, cpu, size, peak, baseline = done.stdout.split()[-6:]
    return float(seconds), float(cpu), int(size), float(peak), float(baseline)


def run(path: Path, count: int) -> bool:
    started = time.perf_counter()
    build(path, count)
    print(f"data: {count:,} {FORM} records inserted in {time.perf_counter() - started:.1f} s")
    ok = True
    for kind, seconds_limit, mb_limit in (
        ("csv", CSV_SECONDS, CSV_MB),
        ("xlsx", XLSX_SECONDS, XLSX_MB),
    ):
        seconds, cpu, size, peak, baseline = measure(path, kind)
        scaled = seconds * 100_000 / count
        passed = seconds < seconds_limit * count / 100_000 and peak < mb_limit
        ok = ok and passed
        print(
            f"{kind}: {count:,} records in {seconds:.2f} s (CPU {cpu:.2f} s) "
            f"= {count / seconds:,.0f} records/s, "
            f"{size / 1e6:.1f} MB; peak RSS {peak:.0f} MB (after imports {baseline:.0f} MB); "
            f"at 100,000: {scaled:.1f} s (target {seconds_limit:.0f} s, {mb_limit:.0f} MB) "
            f"{'PASS' if passed else 'FAIL'}"
        )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="2,000 records (the smoke test)")
    parser.add_argument("--keep", type=Path, help="the database file (kept afterwards)")
    parser.add_argument("--child", choices=("csv", "xlsx"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.keep, args.child)
        return
    count = 2_000 if args.quick else args.records
    if args.keep is not None:
        args.keep.unlink(missing_ok=True)
        ok = run(args.keep, count)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            ok = run(Path(tmp) / "export-bench.db", count)
    if not ok and not args.quick:
        sys.exit(1)


if __name__ == "__main__":
    main()
