"""The administration pages' gate: a desk session of the admin role (others: 403), and for a
POST the CSRF check first (the one of app.desk.views)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.desk.sessions import LiveSession
from app.desk.views import CheckedDep, StaffDep
from app.desk.web import DeskRefusal


def _refuse(live: LiveSession) -> DeskRefusal:
    return DeskRefusal(
        403,
        "error.html",
        live=live,
        csrf=live.csrf_token,
        title_key="forbidden_title",
        message_key="admin_only",
    )


def admin(live: StaffDep) -> LiveSession:
    if live.principal.role != "admin":
        raise _refuse(live)
    return live


def admin_checked(live: CheckedDep) -> LiveSession:
    if live.principal.role != "admin":
        raise _refuse(live)
    return live


AdminDep = Annotated[LiveSession, Depends(admin)]
AdminCheckedDep = Annotated[LiveSession, Depends(admin_checked)]
