"""/review/password: after an administrator reset a user's password, the desk asks them for a
new one before any other page (``ChangePasswordFirst`` in app.desk.views' ``staff``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.auth.password_change import change_password, password_errors
from app.db.session import SessionDep, committed
from app.desk.sessions import LiveSession
from app.desk.views import LiveDep
from app.desk.web import DeskRoute, check_csrf, redirect, render
from app.models import User

router = APIRouter(prefix="/review", route_class=DeskRoute, include_in_schema=False)


def _page(
    request: Request,
    live: LiveSession,
    status: int = 200,
    errors: Sequence[tuple[str, str]] = (),
) -> Response:
    return render(
        request,
        "password_change.html",
        status=status,
        live=live,
        csrf=live.csrf_token,
        errors=[(field, key, {}) for field, key in errors],
    )


@router.get("/password")
def password_form(request: Request, live: LiveDep) -> Response:
    if not live.must_change_password:
        return redirect("/review")
    return _page(request, live)


@router.post("/password")
def password_change(
    request: Request,
    session: SessionDep,
    live: LiveDep,
    new_password: Annotated[str, Form(max_length=1024)] = "",
    new_password_again: Annotated[str, Form(max_length=1024)] = "",
    csrftoken: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    check_csrf(request, csrftoken, live.csrf_token)
    if not live.must_change_password:
        return redirect("/review")
    user = session.get(User, live.principal.user_id)
    assert user is not None  # a live session has a user
    errors = password_errors(user, new_password, new_password_again)
    if errors:
        return _page(request, live, 422, errors)
    with committed(session):
        change_password(session, user, new_password, device_id=live.principal.device_id)
    return redirect("/review")
