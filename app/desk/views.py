"""/review: the supervisors' desk. Thin views: parse, check, call the service the API calls,
render. No business logic lives here."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, Response

from app.audit import record_audit
from app.auth.roles import FIELD_ROLES, may
from app.auth.service import sign_in
from app.clock import now_utc
from app.db.session import SessionDep, committed
from app.desk import queries
from app.desk.i18n import LANG_COOKIE, LANGUAGES, localized, text
from app.desk.placements import allowed_steps
from app.desk.present import diff, present
from app.desk.sessions import (
    COOKIE,
    LiveSession,
    device_for,
    end_session,
    live_session,
    new_session_id,
    start_session,
    token_id_of,
)
from app.desk.settings import get_desk_settings
from app.desk.web import (
    CSRF_FIELD,
    HERE,
    PRE_SESSION_COOKIE,
    ChangePasswordFirst,
    DeskRefusal,
    DeskRoute,
    SignInFirst,
    check_csrf,
    check_form_csrf,
    forbidden,
    lang_of,
    local_path,
    redirect,
    render,
    secure_cookies,
)
from app.errors import ApiError
from app.forms.schema import FormSchema
from app.forms.store import current_versions, get_version, schema_of
from app.indicators.links import indicator_link
from app.records import workflow
from app.settings import get_settings
from app.sync import queries as sync_queries

router = APIRouter(prefix="/review", route_class=DeskRoute, include_in_schema=False)

NOT_FOUND = {"title_key": "not_found_title", "message_key": "not_found_text"}


# --- sessions -------------------------------------------------------------------------------


def current_session(request: Request, session: SessionDep) -> LiveSession:
    """The live session behind the cookie (its idle clock restarted), or sign in first."""
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        raise SignInFirst
    idle = timedelta(minutes=get_desk_settings().idle_minutes)
    with committed(session):
        live = live_session(session, cookie, now=now_utc(), idle=idle)
    if live is None:
        raise SignInFirst
    return live


LiveDep = Annotated[LiveSession, Depends(current_session)]


def staff(live: LiveDep) -> LiveSession:
    """A desk user: field roles get the page that points them to the field app."""
    if live.principal.role in FIELD_ROLES:
        raise DeskRefusal(403, "field_role.html", live=live, csrf=live.csrf_token)
    if live.must_change_password:
        raise ChangePasswordFirst
    return live


StaffDep = Annotated[LiveSession, Depends(staff)]


async def csrf_checked(request: Request, live: StaffDep) -> LiveSession:
    return await check_form_csrf(request, live)


CheckedDep = Annotated[LiveSession, Depends(csrf_checked)]


def _set_cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/review",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(),
    )


def _signin_page(request: Request, status: int = 200, **context: Any) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(request, "signin.html", status=status, csrf=token, **context)
    _set_cookie(response, PRE_SESSION_COOKIE, token)
    return response


@router.get("/signin")
def signin_form(request: Request, session: SessionDep) -> Response:
    try:
        current_session(request, session)
    except SignInFirst:
        return _signin_page(request, signed_out=request.query_params.get("out") == "1")
    return redirect("/review")


@router.post("/signin")
def signin(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=256)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrftoken: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    check_csrf(request, csrftoken, request.cookies.get(PRE_SESSION_COOKIE))
    errors: list[tuple[str, str, dict[str, Any]]] = []
    if not username.strip():
        errors.append(("username", "username_required", {}))
    if not password:
        errors.append(("password", "password_required", {}))
    if errors:
        return _signin_page(request, 422, errors=errors, username=username)
    session_id = new_session_id()
    try:
        user, issued = sign_in(
            session,
            username=username,
            password=password,
            device_id=device_for(session_id),
            client_address=request.client.host if request.client else "unknown",
            now=now_utc(),
            settings=get_settings(),
        )
    except ApiError as exc:
        session.commit()  # the failure and its audit line are kept, as the API does
        if exc.code == "too_many_attempts":
            wait = (exc.headers or {}).get("Retry-After", "60")
            found = [("username", "too_many_attempts", {"seconds": wait})]
            return _signin_page(request, 429, errors=found, username=username)
        found = [("username", "invalid_credentials", {})]
        return _signin_page(request, 401, errors=found, username=username)
    except BaseException:
        session.rollback()
        raise
    session.flush()
    token_id = token_id_of(session, issued.token)
    start_session(session, session_id=session_id, user=user, token_id=token_id, now=now_utc())
    record_audit(
        session,
        action="desk.sign_in",
        actor=user.username,
        device_id=device_for(session_id),
        details={"client": request.client.host if request.client else "unknown"},
    )
    session.commit()
    response = redirect("/review")
    _set_cookie(response, COOKIE, session_id)
    response.delete_cookie(PRE_SESSION_COOKIE, path="/review")
    return response


@router.post("/signout")
async def signout(request: Request, session: SessionDep, live: LiveDep) -> Response:
    form = await request.form()
    submitted = form.get(CSRF_FIELD)
    check_csrf(request, submitted if isinstance(submitted, str) else None, live.csrf_token)
    with committed(session):
        end_session(session, live, now=now_utc())
        record_audit(
            session,
            action="desk.sign_out",
            actor=live.principal.username,
            device_id=live.principal.device_id,
        )
    response = redirect("/review/signin?out=1")
    response.delete_cookie(COOKIE, path="/review")
    return response


@router.get("/language/{lang}")
def switch_language(lang: str, next: str | None = None) -> Response:
    """Remember the reader's language (a preference, not a change of data: a plain link)."""
    response = redirect(local_path(next))
    if lang in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            path="/review",
            samesite="lax",
            secure=secure_cookies(),
            httponly=True,
        )
    return response


@router.get("/static/desk.css")
def stylesheet() -> Response:
    return FileResponse(
        HERE / "static" / "desk.css",
        media_type="text/css",
        headers={"Cache-Control": "max-age=3600"},
    )


# --- the queue ------------------------------------------------------------------------------


def _date(value: str | None) -> tuple[date | None, bool]:
    if not value:
        return None, True
    try:
        return date.fromisoformat(value), True
    except ValueError:
        return None, False


def _form_titles(session: SessionDep, lang: str) -> dict[str, str]:
    return {row.form_id: localized(schema_of(row).title, lang) for row in current_versions(session)}


@router.get("")
def queue(
    request: Request,
    session: SessionDep,
    live: StaffDep,
    form: Annotated[str | None, Query(max_length=64)] = None,
    state: Annotated[str | None, Query(max_length=16)] = None,
    province: Annotated[str | None, Query(max_length=2)] = None,
    district: Annotated[str | None, Query(max_length=4)] = None,
    flag: Annotated[str | None, Query(max_length=32)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    after: Annotated[str | None, Query(max_length=80)] = None,
    indicator: Annotated[str | None, Query(max_length=64)] = None,
    year: Annotated[str | None, Query(max_length=4)] = None,
    split: Annotated[str | None, Query(max_length=16)] = None,
    key: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    lang = lang_of(request)
    behind = indicator_link(session, live.principal.scope, indicator, year, split, key)
    start, start_ok = _date(date_from)
    end, end_ok = _date(date_to)
    errors: list[tuple[str, str, dict[str, Any]]] = [
        (name, "bad_date", {}) for name, ok in (("from", start_ok), ("to", end_ok)) if not ok
    ]
    filters = queries.QueueFilters(
        form=form or None,
        state=state if state in queries.REVIEW_STATES else None,
        province=province or None,
        district=district or None,
        flag=flag if flag in queries.FLAG_FILTERS else None,
        q=(q or "").strip() or None,
        date_from=start,
        date_to=end,
        record_ids=behind.record_ids if behind else None,
    )
    scope = live.principal.scope
    rows, next_key = queries.queue_page(
        session,
        scope=scope,
        filters=filters,
        after=queries.QueueKey.decode(after),
        limit=get_desk_settings().page_size,
    )
    counts = queries.state_counts(session, scope=scope, filters=filters)
    names = queries.location_names(
        session, {code for r in rows for code in (r.province, r.district, r.commune) if code}
    )
    params = {
        k: v
        for k, v in {
            "form": filters.form,
            "state": filters.state,
            "province": filters.province,
            "district": filters.district,
            "flag": filters.flag,
            "q": filters.q,
            "from": date_from if start else None,
            "to": date_to if end else None,
            **(behind.params if behind else {}),
        }.items()
        if v
    }
    return render(
        request,
        "queue.html",
        status=422 if errors else 200,
        live=live,
        csrf=live.csrf_token,
        errors=errors,
        filters=filters,
        params=params,
        raw={"from": date_from or "", "to": date_to or ""},
        rows=rows,
        next_key=next_key.encode() if next_key else None,
        paged=bool(after),
        counts=counts,
        forms=_form_titles(session, lang),
        provinces=queries.locations_in_scope(session, scope=scope, level="province"),
        districts=queries.locations_in_scope(
            session, scope=scope, level="district", parent=filters.province or scope.province
        ),
        names=names,
        states=queries.REVIEW_STATES,
        flag_filters=queries.FLAG_FILTERS,
        behind=behind,
        may_review=may(live.principal.role, "record.review"),
    )


# --- a record -------------------------------------------------------------------------------


def checked_record_id(record_id: str) -> str:
    """A record id from a URL, written as stored; a string that is no UUID is the 404 page."""
    try:
        return str(uuid.UUID(record_id))
    except ValueError:
        raise DeskRefusal(404, "error.html", **NOT_FOUND) from None


def render_record_page(
    request: Request,
    session: SessionDep,
    live: LiveSession,
    record_id: str,
    *,
    status: int = 200,
    errors: list[tuple[str, str, dict[str, Any]]] | None = None,
    comment: str = "",
) -> Response:
    lang = lang_of(request)
    record = sync_queries.scoped_record(session, scope=live.principal.scope, record_id=record_id)
    if record is None:
        raise DeskRefusal(404, "error.html", live=live, csrf=live.csrf_token, **NOT_FOUND)
    schemas: dict[str, FormSchema | None] = {}

    def schema_for(version: str) -> FormSchema | None:
        if version not in schemas:
            row = get_version(session, record.form_id, version)
            schemas[version] = schema_of(row) if row is not None else None
        return schemas[version]

    schema = schema_for(record.form_version)
    revisions = workflow.revision_history(session, record_id)
    history = []
    previous: dict[str, Any] | None = None
    for rev in revisions:
        data = rev["data"] if isinstance(rev["data"], dict) else {}
        changes = (
            None
            if previous is None
            else diff(schema_for(rev["form_version"]), previous, data, lang)
        )
        history.append({**rev, "changes": changes})
        previous = data
    history.reverse()  # newest first, as a feed
    names = queries.location_names(
        session, {c for c in (record.province, record.district, record.commune) if c}
    )
    return render(
        request,
        "record.html",
        status=status,
        live=live,
        csrf=live.csrf_token,
        record=record,
        title=localized(schema.title, lang) if schema else record.form_id,
        items=present(schema, record.data or {}, lang, queries.missing_files(session, record)),
        conflicts=sync_queries.open_conflicts(session, [record_id]).get(record_id, []),
        trail=queries.review_trail(session, record_id),
        placement=workflow.placement_history(session, record_id),
        history=history,
        names=names,
        may_review=may(live.principal.role, "record.review"),
        placement_steps=allowed_steps(live.principal.role, record.placement_state),
        errors=errors or [],
        comment=comment,
        done=request.query_params.get("done"),
        label_of=lambda path: _label_of(schema, path, lang),
    )


def _label_of(schema: FormSchema | None, path: str, lang: str) -> str:
    found = schema.field_at(path) if schema else None
    return localized(found.label, lang) if found is not None and found.label else path


@router.get("/records/{record_id}")
def record_page(request: Request, session: SessionDep, live: StaffDep, record_id: str) -> Response:
    return render_record_page(request, session, live, checked_record_id(record_id))


@router.post("/records/{record_id}/review")
def review(
    request: Request,
    session: SessionDep,
    live: CheckedDep,
    record_id: str,
    action: Annotated[str, Form(max_length=16)] = "",
    comment: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    record_id = checked_record_id(record_id)
    if action not in workflow.REVIEW_STATES or not may(live.principal.role, "record.review"):
        raise forbidden(live, "may_not_review")
    try:
        with committed(session):
            record = workflow.review_record(
                session,
                live.principal,
                record_id=record_id,
                action=action,
                comment=comment.strip() or None,
                now=now_utc(),
            )
    except ApiError as exc:
        if exc.code == "not_found":
            raise DeskRefusal(404, "error.html", live=live, **NOT_FOUND) from None
        if exc.code == "validation_error":
            errors: list[tuple[str, str, dict[str, Any]]] = [("comment", "comment_required", {})]
            return render_record_page(request, session, live, record_id, status=422, errors=errors)
        if exc.code == "invalid_transition":
            current = sync_queries.scoped_record(
                session, scope=live.principal.scope, record_id=record_id
            )
            state = text(
                lang_of(request), f"state_{current.review_state if current else 'received'}"
            )
            errors = [("comment", "already_reviewed", {"state": state})]
            return render_record_page(
                request, session, live, record_id, status=409, errors=errors, comment=comment
            )
        raise
    return redirect(f"/review/records/{record_id}?done={record.review_state}")
