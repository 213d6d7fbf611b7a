"""Request body limits, enforced while the body is read, before any parser sees it."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from app.errors import CodedHTTPException, error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class BodyLimit:
    """At most ``limit`` bytes of body; a larger one is refused with 413 ``code``."""

    limit: int
    code: str = "body_too_large"
    message: str = "The request body is larger than the limit of {limit} bytes."

    def text(self) -> str:
        return self.message.format(limit=self.limit)


class BodyTooLarge(CodedHTTPException):
    """Raised from ``receive`` the moment a body passes its limit; the handler renders it."""

    def __init__(self, limit: BodyLimit) -> None:
        super().__init__(limit.code, limit.text())


async def send_json_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """Refuse a body over the limit with 413 (``body_too_large`` unless the limit says other).

    A declared Content-Length over the limit is refused before anything is read; a chunked
    or lying body is counted as it streams and cut off the moment it passes the limit.
    ``overrides`` gives other limits by path prefix (attachments: larger, and answered
    ``attachment_too_large`` whether the size was declared or counted).
    """

    def __init__(
        self, app: ASGIApp, limit: BodyLimit, overrides: dict[str, BodyLimit] | None = None
    ) -> None:
        self.app = app
        self.limit = limit
        self.overrides = overrides or {}

    def limit_for(self, path: str) -> BodyLimit:
        for prefix, limit in self.overrides.items():
            if path.startswith(prefix):
                return limit
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await send_json_error(
                        send, 400, "bad_request", "Content-Length is not a number."
                    )
                    return
                if declared > limit.limit:
                    await send_json_error(send, 413, limit.code, limit.text())
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > limit.limit:
                    raise BodyTooLarge(limit)
            return msg

        async def tracking_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await send_json_error(send, 413, limit.code, limit.text())
