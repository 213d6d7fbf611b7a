"""/review/devices: every user's signed-in devices and their last upload; revoke a lost
tablet (the API's own revocation: its tokens end at once, its next sync gets 401)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from app.admin.devices import list_devices
from app.auth.service import revoke
from app.clock import now_utc
from app.db.session import SessionDep, committed
from app.desk.admin_guard import allowed, allowed_post
from app.desk.sessions import LiveSession
from app.desk.web import DeskRoute, redirect, render

router = APIRouter(prefix="/review", route_class=DeskRoute, include_in_schema=False)

AdminDep = Annotated[LiveSession, Depends(allowed("device.manage"))]
AdminCheckedDep = Annotated[LiveSession, Depends(allowed_post("device.manage"))]


@router.get("/devices")
def devices_page(request: Request, session: SessionDep, live: AdminDep) -> Response:
    done = request.query_params.get("done")
    return render(
        request,
        "admin_devices.html",
        live=live,
        csrf=live.csrf_token,
        devices=list_devices(session, now=now_utc()),
        done=done if done == "revoked" else None,
        done_device=request.query_params.get("device", "")[:128],
        done_count=request.query_params.get("n", "0")[:6],
    )


@router.post("/devices/revoke")
def revoke_device(
    session: SessionDep,
    live: AdminCheckedDep,
    device_id: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    if not device_id.strip():
        return redirect("/review/devices")
    with committed(session):
        count = revoke(
            session,
            actor_username=live.principal.username,
            actor_role=live.principal.role,
            actor_token_id=live.principal.token_id,
            actor_device_id=live.principal.device_id,
            username=None,
            device_id=device_id,
            now=now_utc(),
        )
    query = {"done": "revoked", "device": device_id, "n": str(count)}
    return redirect("/review/devices?" + urlencode(query))
