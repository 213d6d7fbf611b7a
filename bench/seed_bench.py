"""Time loading the demo data set into a fresh SQLite file.

    .venv/bin/python bench/seed_bench.py [--keep PATH]

Prints the seconds taken (generation + insert + commit) and the rows per second.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session

from app.db.engine import make_engine
from app.demo.generate import generate_demo
from app.demo.load import load_demo
from app.models import Base


def run(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    try:
        started = time.perf_counter()
        data = generate_demo()
        generated = time.perf_counter()
        with Session(engine) as session, session.begin():
            report = load_demo(session, data)
        done = time.perf_counter()
    finally:
        engine.dispose()
    total = done - started
    print(f"generate: {generated - started:.2f} s")
    print(f"insert + commit: {done - generated:.2f} s")
    print(
        f"total: {total:.2f} s for {report.rows} rows "
        f"({report.locations} locations, {report.institutions} institutions, "
        f"{report.children} children): {report.rows / total:,.0f} rows/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the database here instead of a temp dir")
    args = parser.parse_args()
    if args.keep is not None:
        args.keep.unlink(missing_ok=True)
        run(args.keep)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(Path(tmp) / "bench.db")


if __name__ == "__main__":
    main()
