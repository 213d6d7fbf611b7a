"""/review/users: the users, a new user, disabling and enabling one, resetting a password.
Thin views over app.admin.users (the API's own services)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from app.admin import users as service
from app.auth.roles import ROLES
from app.clock import now_utc
from app.db.session import SessionDep, committed
from app.desk import queries
from app.desk.admin_guard import allowed, allowed_post
from app.desk.sessions import LiveSession
from app.desk.web import DeskRefusal, DeskRoute, redirect, render

router = APIRouter(prefix="/review", route_class=DeskRoute, include_in_schema=False)

AdminDep = Annotated[LiveSession, Depends(allowed("user.manage"))]
AdminCheckedDep = Annotated[LiveSession, Depends(allowed_post("user.manage"))]

DONE = ("created", "disabled", "enabled")


def _page(
    request: Request,
    session: SessionDep,
    live: LiveSession,
    *,
    status: int = 200,
    errors: list[tuple[str, str, dict[str, Any]]] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    users = service.list_users(session)
    codes = {u.scope.code for u in users if u.scope.code}
    done = request.query_params.get("done")
    return render(
        request,
        "admin_users.html",
        status=status,
        live=live,
        csrf=live.csrf_token,
        users=users,
        names=queries.location_names(session, codes),
        roles=ROLES,
        provinces=queries.locations_in_scope(session, scope=live.principal.scope, level="province"),
        errors=errors or [],
        values=values or {},
        done=done if done in DONE else None,
        done_user=request.query_params.get("user", "")[:64],
    )


@router.get("/users")
def users_page(request: Request, session: SessionDep, live: AdminDep) -> Response:
    return _page(request, session, live)


@router.post("/users")
def create_user(
    request: Request,
    session: SessionDep,
    live: AdminCheckedDep,
    username: Annotated[str, Form(max_length=256)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
    scope: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    values = {"username": username, "role": role, "scope": scope}
    problems = service.new_user_problems(
        session, username=username, password=password, role=role, scope_code=scope
    )
    if problems:
        conflict = any(code == "admin_user_exists" for _, code, _ in problems)
        return _page(
            request,
            session,
            live,
            status=409 if conflict else 422,
            errors=[(f, c, dict(p)) for f, c, p in problems],
            values=values,
        )
    with committed(session):
        user = service.add_user(
            session,
            actor=live.principal.username,
            username=username,
            password=password,
            role=role,
            **service.scope_codes(scope),
        )
    return redirect(f"/review/users?done=created&user={user.username}")


def _unknown(live: LiveSession) -> DeskRefusal:
    return DeskRefusal(
        404,
        "error.html",
        live=live,
        csrf=live.csrf_token,
        title_key="not_found_title",
        message_key="not_found_text",
    )


@router.post("/users/{username}/disable")
def disable_user(
    request: Request, session: SessionDep, live: AdminCheckedDep, username: str
) -> Response:
    try:
        with committed(session):
            user = service.disable_user(
                session, actor=live.principal.username, username=username, now=now_utc()
            )
    except service.UnknownUser:
        raise _unknown(live) from None
    except service.OwnAccount:
        errors: list[tuple[str, str, dict[str, Any]]] = [("users", "admin_not_yourself", {})]
        return _page(request, session, live, status=409, errors=errors)
    return redirect(f"/review/users?done=disabled&user={user.username}")


@router.post("/users/{username}/enable")
def enable_user(session: SessionDep, live: AdminCheckedDep, username: str) -> Response:
    try:
        with committed(session):
            user = service.enable_user(session, actor=live.principal.username, username=username)
    except service.UnknownUser:
        raise _unknown(live) from None
    return redirect(f"/review/users?done=enabled&user={user.username}")


@router.post("/users/{username}/password")
def reset_password(
    request: Request,
    session: SessionDep,
    live: AdminCheckedDep,
    username: str,
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """A typed password (at least 8 characters), or none: a temporary one, shown once here."""
    if password and len(password) < 8:
        errors: list[tuple[str, str, dict[str, Any]]] = [
            ("users", "admin_password_short", {"n": "8"})
        ]
        return _page(request, session, live, status=422, errors=errors)
    try:
        with committed(session):
            reset = service.reset_password(
                session,
                actor=live.principal.username,
                username=username,
                password=password or None,
                now=now_utc(),
            )
    except service.UnknownUser:
        raise _unknown(live) from None
    if reset.username == live.principal.username:
        return redirect("/review/signin")  # their own password: every session of theirs ended
    return render(
        request,
        "admin_password.html",
        live=live,
        csrf=live.csrf_token,
        reset=reset,
    )
