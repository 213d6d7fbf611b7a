"""XLSForm decompression bombs, from the outside (issue #14 item 8).

A 1 MB .xlsx holding one 1 GiB cell took 74 s and 6 GB of memory before its 422. Each bomb here
is built streamed (the huge part is never held in memory) and must be refused with a 422
`invalid_xlsform` naming the limit, quickly and without a big allocation, over HTTP and from
`homeward import-xlsform`. docs/xlsform.md, "Limits".
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest
from fastapi.testclient import TestClient
from openpyxl.utils import get_column_letter

from app.forms.workbook_limits import (
    MAX_CELLS_PER_ROW,
    MAX_PART_BYTES,
    MAX_ROWS_PER_SHEET,
    MAX_UNCOMPRESSED_BYTES,
)
from tests.api.helpers import assert_error, auth_headers
from tests.unit.test_xlsform import EN, KM, YES_NO, settings, xls, xlsx

MiB = 1024 * 1024
BOMB_BYTES = 256 * MiB  # one cell; the upload is about a quarter of a MiB
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SURVEY_PART = "xl/worksheets/sheet1.xml"  # tests.unit.test_xlsform.xlsx writes survey first
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
TAIL = b"</sheetData></worksheet>"


def _cell(ref: str, text: str | bytes) -> bytes:
    value = text.encode() if isinstance(text, str) else text
    return f'<c r="{ref}" t="inlineStr"><is><t>'.encode() + value + b"</t></is></c>"


def _header() -> bytes:
    return b'<row r="1">' + _cell("A1", "type") + _cell("B1", "name") + _cell("C1", EN) + b"</row>"


def _with_survey(write: Callable[[IO[bytes]], None]) -> bytes:
    """A valid workbook whose survey sheet is replaced by what `write` streams into it."""
    base = zipfile.ZipFile(io.BytesIO(xlsx([["type", "name", EN]], YES_NO, settings())))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for info in base.infolist():
            if info.filename == SURVEY_PART:
                with book.open(SURVEY_PART, "w", force_zip64=True) as stream:
                    write(stream)
            else:
                book.writestr(info.filename, base.read(info.filename))
    return out.getvalue()


def huge_cell_bomb(size: int = BOMB_BYTES) -> bytes:
    def write(stream: IO[bytes]) -> None:
        stream.write(HEAD + _header() + b'<row r="2">' + _cell("A2", "text") + _cell("B2", "q"))
        stream.write(b'<c r="C2" t="inlineStr"><is><t>')
        chunk = b"a" * MiB
        for _ in range(size // MiB):
            stream.write(chunk)
        stream.write(b"</t></is></c></row>" + TAIL)

    return _with_survey(write)


def many_rows_bomb(rows: int = MAX_ROWS_PER_SHEET + 1) -> bytes:
    def write(stream: IO[bytes]) -> None:
        stream.write(HEAD + _header())
        for n in range(2, rows + 2):
            stream.write(
                f'<row r="{n}">'.encode()
                + _cell(f"A{n}", "text")
                + _cell(f"B{n}", f"q{n}")
                + _cell(f"C{n}", f"Q {n}")
                + b"</row>"
            )
        stream.write(TAIL)

    return _with_survey(write)


def many_columns_bomb(columns: int = MAX_CELLS_PER_ROW + 1) -> bytes:
    def write(stream: IO[bytes]) -> None:
        cells = b"".join(
            _cell(f"{get_column_letter(n + 1)}1", f"label::lang{n}") for n in range(columns)
        )
        stream.write(HEAD + b'<row r="1">' + cells + b"</row>" + TAIL)

    return _with_survey(write)


def _upload(
    client: TestClient, headers: dict[str, str], content: bytes, name: str = "bomb.xlsx"
) -> object:
    return client.post(
        "/api/v1/forms/xlsform",
        headers=headers,
        files={"file": (name, content, XLSX_TYPE)},
        data={"publish": "true"},
    )


def _refused_quickly(client: TestClient, content: bytes, limit: str, name: str = "b.xlsx") -> None:
    """422 invalid_xlsform naming `limit`, in under 5 s, allocating under 32 MiB."""
    headers = auth_headers(client, "admin")
    started = time.monotonic()
    response = _upload(client, headers, content, name)
    took = time.monotonic() - started
    tracemalloc.start()  # again, measured (tracemalloc slows Python code many times over)
    try:
        _upload(client, headers, content, name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    error = assert_error(response, 422, "invalid_xlsform")
    messages = " ".join(d["message"] for d in error["details"])
    assert limit in messages, messages
    assert error["details"][0]["feature"] == "workbook limits"
    assert took < 5, f"refused after {took:.1f} s"
    assert peak < 32 * MiB + len(content), f"peak allocation {peak / MiB:.0f} MiB"


def test_a_huge_cell_is_refused_before_it_is_inflated(demo_client: TestClient) -> None:
    bomb = huge_cell_bomb()
    assert len(bomb) < 2 * MiB
    _refused_quickly(demo_client, bomb, f"{MAX_PART_BYTES:,} bytes")


def test_many_rows_are_refused(demo_client: TestClient) -> None:
    bomb = many_rows_bomb()
    _refused_quickly(demo_client, bomb, f"{MAX_ROWS_PER_SHEET:,} rows")


def test_many_columns_are_refused(demo_client: TestClient) -> None:
    _refused_quickly(demo_client, many_columns_bomb(), f"{MAX_CELLS_PER_ROW} cells")


def test_parts_too_large_together_are_refused(demo_client: TestClient) -> None:
    base = zipfile.ZipFile(io.BytesIO(xlsx([["type", "name", EN]], YES_NO, settings())))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for info in base.infolist():
            book.writestr(info.filename, base.read(info.filename))
        filler = b"\0" * MiB  # parts of 1 MiB: below the ratio check's floor
        for n in range(MAX_UNCOMPRESSED_BYTES // MiB + 1):
            book.writestr(f"xl/media/filler{n}.bin", filler)
    _refused_quickly(demo_client, out.getvalue(), f"{MAX_UNCOMPRESSED_BYTES:,} bytes")


def test_an_xls_with_many_rows_is_refused(demo_client: TestClient) -> None:
    survey: list[list[str | None]] = [["type", "name", EN]]
    survey += [["text", f"q{n}", f"Q {n}"] for n in range(MAX_ROWS_PER_SHEET + 1)]
    _refused_quickly(demo_client, xls(survey, YES_NO), f"{MAX_ROWS_PER_SHEET:,} rows", "b.xls")


def test_an_ordinary_workbook_still_imports(demo_client: TestClient) -> None:
    survey = [["type", "name", EN, KM], ["text", "q", "Q", "សំណួរ"]]
    content = xlsx(survey, YES_NO, settings(form_id="after_bombs"))
    response = _upload(demo_client, auth_headers(demo_client, "admin"), content)
    assert response.status_code == 201, response.text  # type: ignore[attr-defined]


# Runs the CLI as `python -m app` does and, at exit, writes its peak resident size (VmHWM of
# this image: wait4's ru_maxrss would include the forked pytest process before exec).
_MEASURED_CLI = """
import atexit, os, runpy, sys
def _peak():
    with open('/proc/self/status') as status, open(os.environ['BOMB_PEAK_FILE'], 'w') as out:
        out.write(next(line for line in status if line.startswith('VmHWM')))
atexit.register(_peak)
sys.argv = ['homeward', *sys.argv[1:]]
runpy.run_module('app', run_name='__main__', alter_sys=True)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_the_command_line_refuses_a_bomb_quickly_and_small(database: str, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(huge_cell_bomb())
    peak_file = tmp_path / "peak.txt"
    env = dict(os.environ, HOMEWARD_DATABASE_URL=database, BOMB_PEAK_FILE=str(peak_file))
    started = time.monotonic()
    refused = subprocess.run(
        [sys.executable, "-c", _MEASURED_CLI, "import-xlsform", str(bomb), "--publish"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    took = time.monotonic() - started
    assert refused.returncode != 0 and "Traceback" not in refused.stderr, refused.stderr
    assert f"{MAX_PART_BYTES:,} bytes" in refused.stderr, refused.stderr
    assert took < 60, f"refused after {took:.1f} s"  # the process's start-up is most of it
    peak_kib = int(peak_file.read_text().split()[1])
    # the whole process (Python, the app, pyxform) stays far below the bomb's 256 MiB
    assert peak_kib * 1024 < 160 * MiB, f"peak resident size {peak_kib // 1024} MiB"
