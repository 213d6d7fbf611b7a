"""/openrosa: the OpenRosa 1.0 server ODK Collect, Enketo and ODK Web Forms talk to.

Each route exists twice: under ``/openrosa/key/{token}`` (the token in the path, the URL a
Collect project is configured with) and under ``/openrosa`` (HTTP Basic). Thin, as every
route here: authenticate (``app.openrosa.auth``), call one service, answer. Submissions are
decided by the sync's push (``app.openrosa.receive``); answers carry
``X-OpenRosa-Version: 1.0``; a POST is never answered 200 or 204 (Collect counts both as
failures).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from app.attachments.storage import AttachmentStore
from app.auth.principal import Principal
from app.db.session import SessionDep, committed, session_factory
from app.errors import ApiError
from app.forms.retirement import retired_form_ids
from app.forms.store import current_versions, get_version, schema_of
from app.openrosa.auth import MAX_TOKEN, basic_principal, key_principal
from app.openrosa.formlist import ListedForm, openrosa_response, xforms_list
from app.openrosa.receive import Outcome, Part, receive_submission
from app.openrosa.xforms import XFormUnavailable, xform_for
from app.settings import get_settings

router = APIRouter(tags=["openrosa"], include_in_schema=False)

XML = "text/xml; charset=utf-8"
VERSION_HEADER = {"X-OpenRosa-Version": "1.0"}
MAX_FILES = 100  # file parts of one submission
INCOMPLETE_FIELD = "*isIncomplete*"


def _base(request: Request, token: str | None) -> str:
    root = str(request.base_url).rstrip("/")
    return f"{root}/openrosa/key/{token}" if token is not None else f"{root}/openrosa"


def _accept_length() -> dict[str, str]:
    return {"X-OpenRosa-Accept-Content-Length": str(get_settings().max_body_bytes)}


def _answer(outcome: Outcome) -> Response:
    return Response(
        openrosa_response(outcome.message),
        status_code=outcome.status,
        media_type=XML,
        headers={**VERSION_HEADER, **_accept_length()},
    )


def form_list(request: Request, session: SessionDep, principal: Principal, base: str) -> Response:
    listed = []
    retired = retired_form_ids(session)  # retired from the field: not offered to fill
    with committed(session):  # an XForm made the first time is stored
        for row in current_versions(session):
            schema = schema_of(row)
            if principal.role not in schema.roles or schema.form_id in retired:
                continue
            try:
                stored = xform_for(session, schema)
            except XFormUnavailable:
                continue  # docs/openrosa.md, "What does not map"
            listed.append(
                ListedForm(
                    form_id=schema.form_id,
                    version=schema.version,
                    name=schema.title.en,
                    md5=stored.md5,
                    download_url=f"{base}/forms/{schema.form_id}/versions/{schema.version}.xml",
                )
            )
    return Response(
        xforms_list(listed), media_type=XML, headers={**VERSION_HEADER, "Cache-Control": "no-store"}
    )


def form_download(
    session: SessionDep, principal: Principal, form_id: str, version: str
) -> Response:
    missing = Response(
        openrosa_response(f"No form {form_id} version {version}."),
        status_code=404,
        media_type=XML,
        headers=VERSION_HEADER,
    )
    row = get_version(session, form_id, version)
    if row is None or not row.published:
        return missing
    schema = schema_of(row)
    if principal.role not in schema.roles:
        return missing
    try:
        with committed(session):
            stored = xform_for(session, schema)
    except XFormUnavailable:
        return missing
    return Response(
        stored.xml,
        media_type=XML,
        headers={**VERSION_HEADER, "Content-MD5-Hex": stored.md5, "Cache-Control": "no-store"},
    )


def submission_head() -> Response:
    return Response(status_code=204, headers={**VERSION_HEADER, **_accept_length()})


async def submission_post(request: Request, session: SessionDep, principal: Principal) -> Response:
    from app.auth.roles import may

    if not may(principal.role, "sync.push"):
        return _answer(Outcome(403, f"Your role ({principal.role}) may not submit records."))
    try:
        form = await request.form(max_files=MAX_FILES + 1, max_fields=20)
    except MultiPartException as exc:
        return _answer(Outcome(400, f"The body is not a multipart submission: {exc.message}"))
    try:
        xml_part = form.get("xml_submission_file")
        if not isinstance(xml_part, UploadFile):
            return _answer(Outcome(400, "The submission has no xml_submission_file part."))
        xml = await xml_part.read()
        parts = []
        for name, value in form.multi_items():
            if name == "xml_submission_file" or not isinstance(value, UploadFile):
                continue
            parts.append(
                Part(
                    filename=value.filename or name,
                    content=await value.read(),
                    content_type=value.content_type or "application/octet-stream",
                )
            )
        if len(parts) > MAX_FILES:
            return _answer(Outcome(413, f"At most {MAX_FILES} files per submission."))
        incomplete = str(form.get(INCOMPLETE_FIELD) or "").strip().lower() in {"yes", "true"}
    finally:
        await form.close()
    store = AttachmentStore.under(get_settings().data_dir)
    outcome = await receive_submission(
        session, principal, xml=xml, parts=parts, incomplete=incomplete, store=store
    )
    return _answer(outcome)


def _register(
    prefix: str, authenticate: Callable[..., Principal | Awaitable[Principal]], token: bool
) -> None:
    """The routes under ``prefix``, authenticated by ``authenticate``."""
    who = Depends(authenticate)

    def base_of(request: Request) -> str:
        return _base(request, request.path_params.get("token") if token else None)

    def list_endpoint(
        request: Request, session: SessionDep, principal: Principal = who
    ) -> Response:
        return form_list(request, session, principal, base_of(request))

    def download_endpoint(
        session: SessionDep, form_id: str, version: str, principal: Principal = who
    ) -> Response:
        return form_download(session, principal, form_id, version)

    def head_endpoint(principal: Principal = who) -> Response:
        return submission_head()

    async def post_endpoint(
        request: Request, session: SessionDep, principal: Principal = who
    ) -> Response:
        return await submission_post(request, session, principal)

    routes: list[tuple[str, Callable[..., Any], list[str], int | None]] = [
        ("/formList", list_endpoint, ["GET", "HEAD"], None),
        ("/forms/{form_id}/versions/{version}.xml", download_endpoint, ["GET", "HEAD"], None),
        ("/submission", head_endpoint, ["HEAD"], 204),
    ]
    if not token:  # Basic: its password check runs in a thread, as FastAPI runs a plain def
        routes.append(("/submission", post_endpoint, ["POST"], 201))
    for path, endpoint, methods, status in routes:
        router.add_api_route(
            prefix + path, endpoint, methods=methods, status_code=status, response_model=None
        )
    if token:
        router.add_route(prefix + "/submission", keyed_submission, methods=["POST"])


async def keyed_submission(request: Request) -> Response:
    """``POST /openrosa/key/{token}/submission``, the route every Collect phone configured by
    its QR code submits to, as a plain Starlette endpoint: its session and its token are
    taken here, as ``get_session`` and ``key_principal`` would be given to it, without
    FastAPI's dependency solving (about a tenth of a submission's CPU when the pushes share
    their transactions: docs/performance.md, "OpenRosa submissions")."""
    token = str(request.path_params["token"])
    if len(token) > MAX_TOKEN:
        raise ApiError("invalid_token")
    session = session_factory()()
    try:
        principal = await key_principal(session, token)
        return await submission_post(request, session, principal)
    finally:
        session.rollback()
        session.close()


_register("/openrosa/key/{token}", key_principal, token=True)
_register("/openrosa", basic_principal, token=False)
