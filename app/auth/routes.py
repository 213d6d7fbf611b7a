"""/api/v1/auth and /api/v1/me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from app.auth.principal import Principal, require
from app.auth.schemas import RevokeIn, RevokeOut, ScopeOut, TokenOut, UserOut
from app.auth.service import revoke, sign_in
from app.clock import now_utc
from app.db.session import SessionDep, committed
from app.errors import ApiError
from app.settings import get_settings
from app.web.media import AcceptsForm, AcceptsJson

router = APIRouter(prefix="/api/v1", tags=["auth"])


def _user_out(username: str, role: str, scope: dict[str, str | None]) -> UserOut:
    return UserOut(username=username, role=role, scope=ScopeOut(**scope))


@router.post("/auth/token", response_model=TokenOut, dependencies=[AcceptsForm])
def token(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(min_length=1, max_length=256)],
    password: Annotated[str, Form(min_length=1, max_length=1024)],
    device_id: Annotated[str | None, Form(max_length=128)] = None,
) -> TokenOut:
    try:
        user, issued = sign_in(
            session,
            username=username,
            password=password,
            device_id=device_id,
            client_address=request.client.host if request.client else "unknown",
            now=now_utc(),
            settings=get_settings(),
        )
    except ApiError:
        session.commit()  # the failure and its audit line are kept
        raise
    except BaseException:
        session.rollback()  # within this call: see app.db.committed
        raise
    session.commit()
    scope = {"province": user.province, "district": user.district, "commune": user.commune}
    return TokenOut(
        access_token=issued.token,
        expires_at=issued.expires_at,
        user=_user_out(user.username, user.role, scope),
    )


@router.get("/me", response_model=UserOut)
def me(principal: Annotated[Principal, Depends(require("me.read"))]) -> UserOut:
    return _user_out(principal.username, principal.role, principal.scope.as_dict())


@router.post("/auth/revoke", response_model=RevokeOut, dependencies=[AcceptsJson])
def revoke_route(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("token.revoke"))],
    body: RevokeIn | None = None,
) -> RevokeOut:
    body = body or RevokeIn()
    with committed(session):
        count = revoke(
            session,
            actor_username=principal.username,
            actor_role=principal.role,
            actor_token_id=principal.token_id,
            actor_device_id=principal.device_id,
            username=body.username,
            device_id=body.device_id,
            now=now_utc(),
        )
    return RevokeOut(revoked=count)
