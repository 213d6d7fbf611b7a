"""Request bodies' media types: a route that reads a body says which ones it takes.

``accepts(*media_types)`` is a dependency for a route's ``dependencies=[...]``: a request that
carries a body (``Content-Length`` above 0, or ``Transfer-Encoding``) in any other media type is
refused with 415 ``unsupported_media_type`` before the body is read. A request without a body
passes (its route then says what is missing). ``application/json`` takes no parameter but
``charset=utf-8``: JSON is UTF-8, and a body announced in another charset would be misread.
Parameters of other types (a multipart ``boundary``) are the parser's business.

Routes that take any type (attachments: a photo is stored as uploaded) declare nothing.
``docs/api.md`` ("Request bodies") lists each route's types; a test compares it with the code.
"""

from __future__ import annotations

from email.message import Message

from fastapi import Depends, Request
from fastapi.params import Depends as DependsParam

from app.errors import ApiError

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def has_body(request: Request) -> bool:
    headers = request.headers
    if "transfer-encoding" in headers:
        return True
    length = headers.get("content-length", "0").strip()
    return length != "0" and length != ""


def media_type_of(header: str | None) -> tuple[str, dict[str, str]]:
    """``(type/subtype, parameters)`` of a Content-Type header, lower-cased; ``("", {})``
    when there is none."""
    if not header or not header.strip():
        return "", {}
    message = Message()
    message["content-type"] = header
    params = {
        key.lower(): str(value).lower()
        for key, value in message.get_params(failobj=[])[1:]  # [0] is the type itself
    }
    return message.get_content_type(), params


def is_acceptable(header: str | None, media_types: tuple[str, ...]) -> bool:
    media_type, params = media_type_of(header)
    if media_type not in media_types:
        return False
    if media_type == JSON:
        return set(params) <= {"charset"} and params.get("charset", "utf-8") in {"utf-8", "utf8"}
    return True


def accepts(*media_types: str) -> DependsParam:
    """A route dependency: 415 ``unsupported_media_type`` for a body of another media type."""

    def check(request: Request) -> None:
        header = request.headers.get("content-type")
        if has_body(request) and not is_acceptable(header, media_types):
            sent = header.strip() if header and header.strip() else "no Content-Type"
            raise ApiError(
                "unsupported_media_type",
                f"This route takes {' or '.join(media_types)}"
                f"{' (charset utf-8)' if JSON in media_types else ''}; the body was sent as "
                f"{sent[:100]}.",
            )

    check.__name__ = "accepts_" + "_or_".join(
        t.split("/")[1].replace("-", "_") for t in media_types
    )
    check.homeward_media_types = media_types  # type: ignore[attr-defined]
    return Depends(check)


# The route dependencies, named for what they take.
AcceptsJson = accepts(JSON)
AcceptsForm = accepts(FORM, MULTIPART)
AcceptsMultipart = accepts(MULTIPART)
