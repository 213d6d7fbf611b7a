"""SQL for locations: the units inside a scope."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.scope import Scope
from app.models import Location


def locations_in_scope(session: Session, *, scope: Scope) -> Sequence[Location]:
    stmt = select(Location).order_by(Location.code)
    if scope.code is not None:
        stmt = stmt.where(Location.code.startswith(scope.code, autoescape=True))
    return session.scalars(stmt).all()


def unknown_codes(session: Session, codes: Iterable[str | None]) -> list[str]:
    """The codes among ``codes`` that no location has, in the order given."""
    wanted = [code for code in codes if code]
    known = set(session.scalars(select(Location.code).where(Location.code.in_(wanted))))
    return [code for code in wanted if code not in known]
