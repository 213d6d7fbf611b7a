"""/api/v1/users, /api/v1/devices and the forms' administration (admin only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from app.admin import devices as device_service
from app.admin import users as user_service
from app.admin.forms import list_versions
from app.admin.schemas import (
    AdminUserOut,
    DeviceListOut,
    DeviceOut,
    FormVersionListOut,
    FormVersionOut,
    PasswordIn,
    PasswordOut,
    RetiredOut,
    UserIn,
    UserListOut,
)
from app.auth.principal import Principal, require
from app.auth.schemas import ScopeOut
from app.auth.users import UserExists
from app.clock import now_utc
from app.db.session import SessionDep, committed
from app.errors import ApiError
from app.forms import retirement
from app.forms.routes import PublishedOut
from app.forms.store import VersionExists, get_version, save_version, schema_of
from app.models import RetiredForm
from app.web.media import AcceptsJson

router = APIRouter(prefix="/api/v1", tags=["admin"])

UsernamePath = Annotated[str, Path(min_length=1, max_length=64)]
FormIdPath = Annotated[str, Path(min_length=1, max_length=64)]


def _user_out(view: user_service.UserView) -> AdminUserOut:
    return AdminUserOut(
        username=view.username,
        role=view.role,
        scope=ScopeOut(**view.scope.as_dict()),
        active=view.active,
        created_at=view.created_at,
        last_sign_in_at=view.last_sign_in_at,
        last_sync_at=view.last_sync_at,
    )


def _no_user(username: str) -> ApiError:
    return ApiError("not_found", f"No user {username}.")


@router.get("/users", response_model=UserListOut)
def users(
    session: SessionDep, _: Annotated[Principal, Depends(require("user.manage"))]
) -> UserListOut:
    return UserListOut(users=[_user_out(v) for v in user_service.list_users(session)])


@router.post("/users", status_code=201, response_model=AdminUserOut, dependencies=[AcceptsJson])
def create_user_route(
    body: UserIn,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("user.manage"))],
) -> AdminUserOut:
    try:
        with committed(session):
            user = user_service.add_user(
                session,
                actor=principal.username,
                username=body.username,
                password=body.password,
                role=body.role,
                province=body.province,
                district=body.district,
                commune=body.commune,
            )
            view = user_service.view_of(session, user.username)
    except UserExists as exc:
        raise ApiError("conflict", str(exc) + ".") from exc
    except ValueError as exc:
        detail = {"path": "body", "code": "invalid_user", "message": str(exc)}
        raise ApiError("validation_error", str(exc) + ".", details=[detail]) from exc
    return _user_out(view)


@router.post("/users/{username}/disable", response_model=AdminUserOut, dependencies=[AcceptsJson])
def disable_user_route(
    username: UsernamePath,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("user.manage"))],
) -> AdminUserOut:
    try:
        with committed(session):
            user = user_service.disable_user(
                session, actor=principal.username, username=username, now=now_utc()
            )
            view = user_service.view_of(session, user.username)
    except user_service.UnknownUser as exc:
        raise _no_user(username) from exc
    except user_service.OwnAccount as exc:
        raise ApiError("conflict", "You cannot disable your own account.") from exc
    return _user_out(view)


@router.post("/users/{username}/enable", response_model=AdminUserOut, dependencies=[AcceptsJson])
def enable_user_route(
    username: UsernamePath,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("user.manage"))],
) -> AdminUserOut:
    try:
        with committed(session):
            user = user_service.enable_user(session, actor=principal.username, username=username)
            view = user_service.view_of(session, user.username)
    except user_service.UnknownUser as exc:
        raise _no_user(username) from exc
    return _user_out(view)


@router.post("/users/{username}/password", response_model=PasswordOut, dependencies=[AcceptsJson])
def reset_password_route(
    username: UsernamePath,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("user.manage"))],
    body: PasswordIn | None = None,
) -> PasswordOut:
    body = body or PasswordIn()
    try:
        with committed(session):
            reset = user_service.reset_password(
                session,
                actor=principal.username,
                username=username,
                password=body.password,
                now=now_utc(),
            )
    except user_service.UnknownUser as exc:
        raise _no_user(username) from exc
    return PasswordOut(
        username=reset.username,
        temporary_password=reset.temporary_password,
        revoked=reset.revoked,
    )


@router.get("/devices", response_model=DeviceListOut)
def devices(
    session: SessionDep, _: Annotated[Principal, Depends(require("device.manage"))]
) -> DeviceListOut:
    return DeviceListOut(
        devices=[
            DeviceOut(**vars(v), last_sync_at=v.last_sync_at)
            for v in device_service.list_devices(session, now=now_utc())
        ]
    )


@router.get("/forms/versions", response_model=FormVersionListOut)
def form_versions(
    session: SessionDep, _: Annotated[Principal, Depends(require("form.publish"))]
) -> FormVersionListOut:
    return FormVersionListOut(
        versions=[
            FormVersionOut(
                form_id=v.form_id,
                version=v.version,
                title=v.schema.title,
                hash=v.hash,
                roles=list(v.schema.roles),
                published=v.published,
                published_at=v.published_at,
                created_at=v.created_at,
                retired=v.retired_at is not None,
                retired_at=v.retired_at,
            )
            for v in list_versions(session)
        ]
    )


@router.post(
    "/forms/{form_id}/versions/{version}/publish",
    response_model=PublishedOut,
    dependencies=[AcceptsJson],
)
def publish_stored_version(
    form_id: FormIdPath,
    version: Annotated[str, Path(min_length=1, max_length=32)],
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("form.publish"))],
) -> PublishedOut:
    """Publish a version stored as a draft (an XLSForm imported without ``publish``)."""
    row = get_version(session, form_id, version)
    if row is None:
        raise ApiError("not_found", f"No form {form_id} version {version}.")
    try:
        with committed(session):
            result = save_version(
                session, schema_of(row), publish=True, actor=principal.username, now=now_utc()
            )
    except VersionExists as exc:  # pragma: no cover - the stored content is the content
        raise ApiError("version_exists", str(exc)) from exc
    return PublishedOut(
        form_id=result.form_id, version=result.version, hash=result.hash, published=True
    )


def _retired_out(session: SessionDep, form_id: str) -> RetiredOut:
    found = session.get(RetiredForm, form_id)
    return RetiredOut(
        form_id=form_id,
        retired=found is not None,
        retired_at=found.retired_at if found is not None else None,
    )


@router.post("/forms/{form_id}/retire", response_model=RetiredOut, dependencies=[AcceptsJson])
def retire_form_route(
    form_id: FormIdPath,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("form.retire"))],
) -> RetiredOut:
    try:
        with committed(session):
            retirement.retire_form(
                session, form_id=form_id, actor=principal.username, now=now_utc()
            )
    except retirement.UnknownForm as exc:
        raise ApiError("not_found", f"No form {form_id}.") from exc
    return _retired_out(session, form_id)


@router.post("/forms/{form_id}/restore", response_model=RetiredOut, dependencies=[AcceptsJson])
def restore_form_route(
    form_id: FormIdPath,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("form.retire"))],
) -> RetiredOut:
    try:
        with committed(session):
            retirement.restore_form(session, form_id=form_id, actor=principal.username)
    except retirement.UnknownForm as exc:
        raise ApiError("not_found", f"No form {form_id}.") from exc
    return _retired_out(session, form_id)
