"""Loading the demo data set: counts and idempotence, on SQLite and PostgreSQL (its speed is
bench/seed_bench.py's figure)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from app.db.engine import make_engine
from app.demo.generate import DEMO_VERSION, DemoData, generate_demo
from app.demo.load import META_KEY, load_demo
from app.models import Base, Location, Meta, Record
from tests.conftest import skip_or_fail
from tests.postgres import PostgresServer


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")  # foreign keys on
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _counts(session: Session) -> dict[str, int]:
    def count(form_id: str) -> int:
        return (
            session.scalar(
                select(func.count()).select_from(Record).where(Record.form_id == form_id)
            )
            or 0
        )

    return {
        "locations": session.scalar(select(func.count()).select_from(Location)) or 0,
        "institutions": count("institution"),
        "children": count("child_registration"),
    }


def _check_loaded(engine: Engine, demo: DemoData) -> None:
    with Session(engine) as session:
        assert _counts(session) == {
            "locations": len(demo.locations),
            "institutions": 267,
            "children": 11_788,
        }
        assert session.get(Meta, META_KEY) is not None
        assert session.scalar(select(Meta.value).where(Meta.key == META_KEY)) == DEMO_VERSION
        child = demo.children[123]
        stored = session.get(Record, child["record_id"])
        assert stored is not None
        assert stored.data == child["data"]
        assert (stored.province, stored.district, stored.commune) == (
            child["province"],
            child["district"],
            child["commune"],
        )
        assert stored.review_state == "approved" and stored.created_by == "demo"
        assert stored.created_at.tzinfo is not None
        by_province = dict(
            session.execute(
                select(Record.province, func.count())
                .where(Record.form_id == "institution")
                .group_by(Record.province)
            ).all()
        )
        assert by_province == {"12": 117, "17": 80, "02": 35, "08": 20, "18": 15}


def _load_twice(engine: Engine, demo: DemoData) -> None:
    # (how fast it loads is bench/seed_bench.py's figure, not a timed test)
    with Session(engine) as session, session.begin():
        report = load_demo(session)
    assert not report.skipped
    assert (report.institutions, report.children) == (267, 11_788)
    _check_loaded(engine, demo)

    with Session(engine) as session, session.begin():
        again = load_demo(session)
    assert again.skipped and again.rows == 0
    _check_loaded(engine, demo)


def test_load_into_empty_sqlite(engine: Engine, demo: DemoData) -> None:
    _load_twice(engine, demo)
    with Session(engine) as session:
        assert session.get(Location, "12") is not None
        assert session.get(Location, "120101") is not None


def test_existing_provinces_are_kept(engine: Engine, demo: DemoData) -> None:
    with Session(engine) as session, session.begin():
        session.add_all(
            [
                Location(
                    code="12",
                    level="province",
                    parent_code=None,
                    name_en="Phnom Penh (official)",
                    name_km="រាជធានីភ្នំពេញ",
                ),
                Location(
                    code="01",
                    level="province",
                    parent_code=None,
                    name_en="Banteay Meanchey",
                    name_km="បន្ទាយមានជ័យ",
                ),
            ]
        )
    with Session(engine) as session, session.begin():
        report = load_demo(session)
    assert report.locations == len(demo.locations) - 1
    with Session(engine) as session:
        kept = session.get(Location, "12")
        assert kept is not None and kept.name_en == "Phnom Penh (official)"
        assert session.scalar(select(func.count()).select_from(Location)) == len(demo.locations) + 1


def test_pending_provinces_in_the_same_session(engine: Engine, demo: DemoData) -> None:
    with Session(engine) as session, session.begin():
        session.add(
            Location(
                code="17", level="province", parent_code=None, name_en="Siem Reap", name_km="សៀមរាប"
            )
        )
        report = load_demo(session)  # flushes the pending province first
    assert report.locations == len(demo.locations) - 1
    _check_loaded(engine, demo)


def test_without_the_meta_row_nothing_is_duplicated(engine: Engine, demo: DemoData) -> None:
    with Session(engine) as session, session.begin():
        load_demo(session)
    with Session(engine) as session, session.begin():
        session.execute(delete(Meta).where(Meta.key == META_KEY))
    with Session(engine) as session, session.begin():
        report = load_demo(session)
    assert not report.skipped and report.rows == 0
    _check_loaded(engine, demo)


def test_caller_owns_the_transaction(engine: Engine) -> None:
    with Session(engine) as session:
        load_demo(session)
        session.rollback()
    with Session(engine) as session:
        assert _counts(session) == {"locations": 0, "institutions": 0, "children": 0}
        assert session.get(Meta, META_KEY) is None


def test_load_into_postgresql(postgres_server: PostgresServer | None, demo: DemoData) -> None:
    if postgres_server is None:
        skip_or_fail("PostgreSQL is not available")
    with postgres_server.empty_database(f"homeward_demo_load_{os.getpid()}") as url:
        engine = make_engine(url)
        try:
            Base.metadata.create_all(engine)
            _load_twice(engine, demo)
        finally:
            engine.dispose()
