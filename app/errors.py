"""One catalog of errors and one handler that renders the contract's JSON envelope.

Every 4xx/5xx body is ``{"error": {"code", "message", "details"}}``; nothing internal
(stack traces, SQL, paths) ever reaches a response.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

log = logging.getLogger("homeward.errors")

# code -> (HTTP status, default message)
CATALOG: dict[str, tuple[int, str]] = {
    "bad_request": (400, "The request could not be understood."),
    "validation_error": (422, "The request is not valid."),
    "invalid_cursor": (400, "The cursor is not one this server gave."),
    "invalid_credentials": (401, "Wrong username or password."),
    "not_authenticated": (401, "Sign in first: this route needs a bearer token."),
    "invalid_token": (401, "The token is unknown, expired or revoked. Sign in again."),
    "forbidden": (403, "Your role may not do this."),
    "not_found": (404, "Nothing here."),
    "method_not_allowed": (405, "This method is not allowed on this route."),
    "conflict": (409, "The request conflicts with the current state."),
    "version_exists": (409, "This form version is already published with other content."),
    "invalid_xlsform": (422, "The XLSForm cannot be imported."),
    "invalid_transition": (409, "This step is not allowed from the record's current state."),
    "offset_mismatch": (409, "The upload does not continue where the server's copy ends."),
    "hash_mismatch": (422, "The uploaded bytes do not hash to the attachment's name."),
    "attachment_too_large": (413, "The attachment is larger than the limit."),
    "body_too_large": (413, "The request body is too large."),
    "too_many_changes": (413, "Too many changes in one push."),
    "unsupported_media_type": (415, "This content type or encoding is not supported."),
    "too_many_attempts": (429, "Too many failed sign-ins: wait before trying again."),
    "internal_error": (500, "Something went wrong on the server. It has been logged."),
    "database_unavailable": (503, "The database does not answer."),
}

STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_attempts",
}


class ErrorDetail(BaseModel):
    """One entry of ``details``: a validation detail ``{"path", "code", "message"}`` (a
    change's or a form's also ``message_km``), or an XLSForm's ``{"sheet", "row", "feature",
    "message"}``."""

    model_config = ConfigDict(extra="allow")

    message: str
    path: str | None = None
    code: str | None = None


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="A code of the catalog (docs/api.md, Errors)")
    message: str
    details: list[ErrorDetail]


class ErrorOut(BaseModel):
    """The contract's envelope of every 4xx/5xx answer."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorBody


# Declared on every router (app.main), so the OpenAPI document describes error answers as sent.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorOut, "description": "Refused: the error envelope"},
    "5XX": {"model": ErrorOut, "description": "Failed: the error envelope, nothing internal"},
}


class ApiError(Exception):
    """Raise this from anywhere below a route; the handler renders it."""

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        details: list[dict[str, Any]] | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        default_status, default_message = CATALOG.get(code, (status or 400, code))
        self.code = code
        self.message = message or default_message
        self.details = details or []
        self.status = status or default_status
        self.headers = headers
        super().__init__(self.message)


class CodedHTTPException(StarletteHTTPException):
    """An error of the catalog raised where only an ``HTTPException`` passes unchanged (from a
    request's ``receive``: FastAPI turns any other exception met while reading a body into 400)."""

    def __init__(self, code: str, message: str | None = None) -> None:
        status, default_message = CATALOG[code]
        super().__init__(status_code=status, detail=message or default_message)
        self.code = code


def error_body(
    code: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


def _location_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "form", "cookie"}:
        parts = parts[1:]
    return ".".join(parts)


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "path": _location_path(tuple(err.get("loc", ()))),
            "code": str(err.get("type", "invalid")),
            "message": str(err.get("msg", "invalid value")),
        }
        for err in exc.errors()
    ]


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)


METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> list[str]:
    """The methods a path takes, for a 405's ``Allow``: every method some route answers on that
    path (FastAPI makes one route per method, and the router names only the first one's); a
    path no route has belongs to the field app (``app.frontend``), which serves GET and HEAD."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in METHODS
        if any(
            route.matches({**_probe(request), "method": method})[0] is Match.FULL
            for route in routes
        )
    ]
    return allowed or ["GET", "HEAD"]


def _probe(request: Request) -> dict[str, Any]:
    """A fresh scope for the request's path, to ask routes whether they match it."""
    scope = request.scope
    return {
        "type": "http",
        "path": scope["path"],
        "root_path": scope.get("root_path", ""),
        "headers": [],
        "query_string": b"",
    }


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else {}
    if isinstance(exc, CodedHTTPException):
        return error_response(exc.status_code, exc.code, exc.detail, None, headers or None)
    code = STATUS_CODES.get(
        exc.status_code, "internal_error" if exc.status_code >= 500 else "bad_request"
    )
    message = CATALOG.get(code, (exc.status_code, "Request failed."))[1]
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return error_response(exc.status_code, code, message, None, headers or None)


async def _request_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(
        422, "validation_error", CATALOG["validation_error"][1], _validation_details(exc)
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", CATALOG["internal_error"][1])


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
