"""/review/collect: a field user configures ODK Collect. GET shows the form; POST (CSRF, a
side effect: it mints a token) issues a token on a new device and renders the server URL and
the QR code at once, never behind a redirect, so no URL ever holds the token."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from markupsafe import Markup

from app.auth.roles import may
from app.clock import now_utc
from app.db.session import SessionDep, committed
from app.desk.collect import clean_device_name, configure_collect
from app.desk.i18n import text
from app.desk.sessions import LiveSession
from app.desk.views import LiveDep
from app.desk.web import (
    CSRF_FIELD,
    DeskRefusal,
    DeskRoute,
    SignInFirst,
    check_csrf,
    lang_of,
    render,
)
from app.models import User
from app.settings import get_settings

router = APIRouter(prefix="/review", route_class=DeskRoute, include_in_schema=False)


def field_user(live: LiveDep) -> LiveSession:
    """A field user (inspector, CCWC member, social worker): the others do not collect."""
    if not may(live.principal.role, "collect.configure"):
        raise DeskRefusal(
            403,
            "error.html",
            live=live,
            csrf=live.csrf_token,
            title_key="forbidden_title",
            message_key="collect_field_roles_only",
        )
    return live


FieldDep = Annotated[LiveSession, Depends(field_user)]


async def field_user_checked(request: Request, live: LiveDep) -> LiveSession:
    form = await request.form()
    submitted = form.get(CSRF_FIELD)
    check_csrf(request, submitted if isinstance(submitted, str) else None, live.csrf_token)
    return field_user(live)


FieldCheckedDep = Annotated[LiveSession, Depends(field_user_checked)]


def _page(request: Request, live: LiveSession, status: int = 200, **context: Any) -> Response:
    lang = lang_of(request)
    context.setdefault("device_name", text(lang, "collect_default_device"))
    return render(
        request,
        "collect.html",
        status=status,
        live=live,
        csrf=live.csrf_token,
        **{"errors": [], "setup": None, "qr": None, **context},
    )


@router.get("/collect")
def collect_page(request: Request, live: FieldDep) -> Response:
    return _page(request, live)


@router.post("/collect")
def configure(
    request: Request,
    session: SessionDep,
    live: FieldCheckedDep,
    device_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    name = clean_device_name(device_name)
    if not name:
        errors: list[tuple[str, str, dict[str, Any]]] = [
            ("device_name", "collect_device_required", {})
        ]
        return _page(request, live, 422, errors=errors, device_name="")
    lang = lang_of(request)
    with committed(session):
        user = session.get(User, live.principal.user_id)
        if user is None:  # the live session checked the user: gone since, sign in again
            raise SignInFirst
        setup = configure_collect(
            session,
            user=user,
            device_name=name,
            root=str(request.base_url),
            title=text(lang, "collect_qr_title"),
            now=now_utc(),
            ttl=timedelta(hours=get_settings().token_ttl_hours),
        )
    return _page(request, live, setup=setup, qr=Markup(setup.svg), device_name=name)
