"""The desk's web plumbing: templates, security headers on every response, the CSRF check
(in one place), and the pages a refusal renders."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.auth.roles import may
from app.desk.i18n import (
    LANG_COOKIE,
    MESSAGES,
    format_date,
    format_datetime,
    format_number,
    in_lang_digits,
    pick_lang,
    text,
)
from app.desk.nav import nav_for
from app.desk.sessions import LiveSession
from app.settings import get_settings

HERE = Path(__file__).resolve().parent
PRE_SESSION_COOKIE = "homeward_desk_csrf"  # the sign-in form's double-submit token
CSRF_FIELD = "csrftoken"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class DeskRefusal(Exception):
    """Stop a request and show a page: sign in again, 403, 404 or the field-role page."""

    def __init__(self, status: int, template: str, **context: Any) -> None:
        self.status = status
        self.template = template
        self.context = context


def forbidden(live: LiveSession, message_key: str) -> DeskRefusal:
    """The 403 page of the desk, saying why in the reader's language."""
    return DeskRefusal(
        403,
        "error.html",
        live=live,
        csrf=live.csrf_token,
        title_key="forbidden_title",
        message_key=message_key,
    )


def permitted(live: LiveSession, action: str, message_key: str) -> LiveSession:
    """``live``, when its role may ``action`` (``app.auth.roles``); else the 403 page."""
    if not may(live.principal.role, action):
        raise forbidden(live, message_key)
    return live


class SignInFirst(Exception):
    """No live session: go to the sign-in page (the session cookie is cleared)."""


class ChangePasswordFirst(Exception):
    """An administrator reset the user's password: choose a new one before any page."""


def lang_of(request: Request) -> str:
    return pick_lang(request.cookies.get(LANG_COOKIE))


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = lang_of(request)

    def t(key: str, **params: Any) -> str:
        return text(lang, key, **params)

    body = templates.get_template(template).render(
        request=request,
        lang=lang,
        t=t,
        date=lambda v: format_date(v, lang),
        moment=lambda v: format_datetime(v, lang),
        num=lambda v: format_number(v, lang),
        digits=lambda v: in_lang_digits(str(v), lang),
        known_flags=MESSAGES,
        nav_for=nav_for,
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **{"live": None, "csrf": "", **context},
    )
    return HTMLResponse(body, status_code=status)


def secure_cookies() -> bool:
    return get_settings().environment == "production"


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def local_path(value: str | None, default: str = "/review") -> str:
    """``value`` if it is a path on the desk (never another host), else ``default``."""
    if not value or not value.startswith("/review") or value.startswith("//") or "\\" in value:
        return default
    return value


def same_origin(request: Request) -> bool:
    """The POST came from a page of this site: its ``Origin`` (or, without one, its
    ``Referer``) names this host. Compared by host and port: a TLS-terminating proxy in front
    changes the scheme the app sees, not the host."""
    host = request.headers.get("host", "")
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null" or not host:
        return False
    return urlsplit(source).netloc == host


def check_csrf(request: Request, submitted: str | None, expected: str | None) -> None:
    """The one CSRF check of the desk: same origin, and the hidden ``csrftoken`` equal to
    the session's (or, before a session exists, the sign-in cookie's). Else 403."""
    if (
        not same_origin(request)
        or not expected
        or not submitted
        or not secrets.compare_digest(submitted.encode(), expected.encode())
    ):
        raise DeskRefusal(403, "error.html", title_key="forbidden_title", message_key="csrf_failed")


async def check_form_csrf(request: Request, live: LiveSession) -> LiveSession:
    """A POSTed form's CSRF check (``check_csrf``) against the live session's token."""
    form = await request.form()
    submitted = form.get(CSRF_FIELD)
    check_csrf(request, submitted if isinstance(submitted, str) else None, live.csrf_token)
    return live


class DeskRoute(APIRoute):
    """Every desk response carries the security headers; a refusal becomes its page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def desk_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except SignInFirst:
                response = redirect("/review/signin")
                response.delete_cookie("homeward_desk", path="/review")
            except ChangePasswordFirst:
                response = redirect("/review/password")
            except DeskRefusal as refusal:
                response = render(
                    request, refusal.template, status=refusal.status, **refusal.context
                )
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return desk_handler
