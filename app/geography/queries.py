"""SQL for locations: the units inside a scope."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.scope import Scope
from app.models import Location


def locations_in_scope(session: Session, *, scope: Scope) -> Sequence[Location]:
    stmt = select(Location).order_by(Location.code)
    if scope.code is not None:
        stmt = stmt.where(Location.code.startswith(scope.code, autoescape=True))
    return session.scalars(stmt).all()
