"""Responses compressed by zlib-ng are ordinary gzip: the standard library (as every client)
reads back exactly the bytes the app sent, whole or streamed, and small ones go as they are."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import Response, StreamingResponse
from fastapi.testclient import TestClient

from app.web.compression import ZlibNgGZipMiddleware

PAGE = json.dumps(
    {
        "records": [
            {"record_id": f"r{i}", "data": {"beds": i, "note": "ភូមិ " * (i % 7)}}
            for i in range(3000)
        ]
    }  # fmt: skip
).encode()


def _app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(ZlibNgGZipMiddleware, minimum_size=1024, compresslevel=3)

    @app.get("/page")
    def page() -> Response:
        return Response(PAGE, media_type="application/json")

    @app.get("/small")
    def small() -> Response:
        return Response(b'{"ok":true}', media_type="application/json")

    @app.get("/stream")
    def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(PAGE), 50_000):
                yield PAGE[start : start + 50_000]

        return StreamingResponse(chunks(), media_type="application/json")

    return app


def _raw(client: TestClient, path: str, accept: str) -> tuple[bytes, str | None]:
    with client.stream("GET", path, headers={"Accept-Encoding": accept}) as response:
        assert response.status_code == 200
        return b"".join(response.iter_raw()), response.headers.get("content-encoding")


def test_gzip_from_zlib_ng_reads_back_exactly_with_the_standard_library() -> None:
    with TestClient(_app()) as client:
        for path in ("/page", "/stream"):
            body, encoding = _raw(client, path, "gzip, deflate")
            assert encoding == "gzip"
            assert gzip.decompress(body) == PAGE
            assert len(body) < len(PAGE) / 5
        plain, encoding = _raw(client, "/page", "identity")
        assert (plain, encoding) == (PAGE, None)
        small, encoding = _raw(client, "/small", "gzip")
        assert (small, encoding) == (b'{"ok":true}', None)


def test_already_compressed_media_types_go_as_they_are_and_text_is_gzipped() -> None:
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    app = FastAPI()
    app.add_middleware(ZlibNgGZipMiddleware, minimum_size=1024, compresslevel=3)
    types = {"xlsx": xlsx, "zip": "application/zip", "png": "image/png", "csv": "text/csv"}

    @app.get("/file/{kind}")
    def file(kind: str) -> Response:
        return Response(PAGE, media_type=types[kind])

    with TestClient(app) as client:
        for kind in ("xlsx", "zip", "png"):
            body, encoding = _raw(client, f"/file/{kind}", "gzip")
            assert encoding is None and body == PAGE, kind
        body, encoding = _raw(client, "/file/csv", "gzip")
        assert encoding == "gzip" and gzip.decompress(body) == PAGE
