"""Sessions and transactions: who commits, and the session a request gets."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session, sessionmaker

from app.db.engine import get_engine

_factory: list[sessionmaker[Session]] = []  # the last one made, for its engine


def session_factory() -> sessionmaker[Session]:
    """The sessions of the current engine. Made again only when the engine changes (tests
    and the CLI switch databases): a ``sessionmaker`` makes a Session subclass, and each new
    class costs SQLAlchemy's event set-up again, once per request when made per request."""
    engine = get_engine()
    if not _factory or _factory[0].kw.get("bind") is not engine:
        _factory[:] = [sessionmaker(bind=engine, expire_on_commit=False)]
    return _factory[0]


@contextmanager
def committed(session: Session) -> Iterator[Session]:
    """Commit ``session`` when the block succeeds; roll it back before any error leaves it.

    A request that writes ends its transaction inside the call that began it, so the writer
    lock (``app.db.writer_lock``) or PostgreSQL's row lock on the sync counter never waits
    for the request's teardown: a push runs on the event loop (``app.sync.routes``) and would
    otherwise wait for a teardown that needs that same loop to run."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any error."""
    session = session_factory()()
    try:
        with committed(session):
            yield session
    finally:
        session.close()


async def get_session() -> AsyncIterator[Session]:
    """A request's session: whatever the route did not commit is rolled back.

    An async generator, so FastAPI opens and closes it on the event loop: a sync generator
    would cost two hops to the thread pool per request, for work that does not wait (the
    session connects only when first used, in the route; closing rolls back what it left,
    which by then is a transaction with nothing to write back).
    """
    session = session_factory()()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]
