"""Limits checked on an XLSForm workbook before pyxform, openpyxl or xlrd parse it.

An .xlsx is a zip of XML parts: a 1 MB upload can hold a 1 GiB cell (issue #14 item 8: 74 s and
6 GB of memory before its 422). `check_workbook` refuses such a workbook from the zip's central
directory (declared sizes: Python's zipfile never inflates a member beyond its declared size, and
a member that does not match it fails its CRC) and from one streaming pass over each part that
counts rows and cells, in bounded memory. An .xls (BIFF8, not compressed) is bounded by the
upload's size; its rows and cells are counted with xlrd before pyxform reads it.
docs/xlsform.md ("Limits") lists the limits; each refusal names the one it hit.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO
from xml.parsers import expat

__all__ = [
    "MAX_CELLS",
    "MAX_CELLS_PER_ROW",
    "MAX_PART_BYTES",
    "MAX_PARTS",
    "MAX_RATIO",
    "MAX_ROWS_PER_SHEET",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_WORKBOOK_BYTES",
    "WorkbookTooLarge",
    "check_workbook",
]

MiB = 1024 * 1024
MAX_WORKBOOK_BYTES = 5 * MiB  # the file as uploaded (.xlsx or .xls)
MAX_UNCOMPRESSED_BYTES = 20 * MiB  # an .xlsx's parts together, uncompressed
MAX_PART_BYTES = 8 * MiB  # any one part (a sheet's XML, the shared strings), uncompressed
MAX_PARTS = 200  # members of the zip
MAX_RATIO = 100  # uncompressed / compressed, for a part above RATIO_FLOOR
RATIO_FLOOR = 1 * MiB
MAX_ROWS_PER_SHEET = 20_000
MAX_CELLS_PER_ROW = 256
MAX_CELLS = 200_000  # in the whole workbook

_CHUNK = 64 * 1024
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW, _CELL = f"{_MAIN_NS} row", f"{_MAIN_NS} c"
# a cell's value (`<v>`), inline string (`<is>`) or formula (`<f>`): an empty, only styled cell
# (Excel writes thousands when a format is applied to whole rows) has none of them
_VALUES = frozenset(f"{_MAIN_NS} {tag}" for tag in ("v", "is", "f"))


class WorkbookTooLarge(ValueError):
    """The workbook is over one of the limits; the message names it (and the part, if any)."""

    def __init__(self, message: str, part: str | None = None) -> None:
        super().__init__(message)
        self.part = part


def check_workbook(content: bytes, kind: str) -> None:
    """Raise WorkbookTooLarge if `content` (".xlsx" or ".xls") is over a limit; else nothing.

    A file that is not a readable workbook at all passes: the reader that follows says so.
    """
    if len(content) > MAX_WORKBOOK_BYTES:
        raise WorkbookTooLarge(
            f"the file is {len(content):,} bytes; a workbook may be at most "
            f"{MAX_WORKBOOK_BYTES:,} bytes ({MAX_WORKBOOK_BYTES // MiB} MiB)"
        )
    if kind == ".xlsx":
        _check_xlsx(content)
    elif kind == ".xls":
        _check_xls(content)


# --- .xlsx -------------------------------------------------------------------------------------


def _check_xlsx(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a zip: the reader refuses it as unreadable
    with archive:
        members = archive.infolist()
        _check_declared_sizes(members)
        counts = _Counts()
        for member in members:
            if member.is_dir():
                continue
            try:
                with archive.open(member) as stream:
                    counts.scan(member.filename, _chunks(stream))
            except WorkbookTooLarge:
                raise
            except Exception:  # noqa: BLE001 - a damaged part: the reader says it is unreadable
                continue


def _check_declared_sizes(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_PARTS:
        raise WorkbookTooLarge(
            f"the workbook has {len(members):,} parts; at most {MAX_PARTS} are allowed"
        )
    total = 0
    for member in members:
        size = member.file_size
        if size > MAX_PART_BYTES:
            raise WorkbookTooLarge(
                f"the part {member.filename} is {size:,} bytes uncompressed; a part may be at "
                f"most {MAX_PART_BYTES:,} bytes ({MAX_PART_BYTES // MiB} MiB)",
                member.filename,
            )
        if size > RATIO_FLOOR and size > MAX_RATIO * max(member.compress_size, 1):
            raise WorkbookTooLarge(
                f"the part {member.filename} expands {size // max(member.compress_size, 1):,} "
                f"times when uncompressed; at most {MAX_RATIO} times is allowed",
                member.filename,
            )
        total += size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise WorkbookTooLarge(
                f"the workbook's parts are more than {MAX_UNCOMPRESSED_BYTES:,} bytes "
                f"({MAX_UNCOMPRESSED_BYTES // MiB} MiB) uncompressed"
            )


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    read = 0
    while chunk := stream.read(_CHUNK):
        read += len(chunk)
        if read > MAX_PART_BYTES:  # zipfile stops at the declared size: a backstop only
            raise WorkbookTooLarge(
                f"a part is more than {MAX_PART_BYTES:,} bytes uncompressed; a part may be "
                f"at most {MAX_PART_BYTES // MiB} MiB"
            )
        yield chunk


class _Refused(Exception):
    """Carries a WorkbookTooLarge out of expat's callbacks (expat would wrap it)."""

    def __init__(self, error: WorkbookTooLarge) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class _Counts:
    """Rows and cells as openpyxl would read them: `<row>` and `<c>` elements of any part."""

    cells: int = 0

    def scan(self, part: str, chunks: Iterator[bytes]) -> None:
        rows = 0
        in_row = 0  # cells with a value in the current row
        counted = True  # the current cell's value was counted

        def start(name: str, _attrs: object) -> None:
            nonlocal rows, in_row, counted
            if name == _ROW:
                rows += 1
                in_row = 0
                if rows > MAX_ROWS_PER_SHEET:
                    raise _Refused(
                        WorkbookTooLarge(
                            f"the sheet {part} has more than {MAX_ROWS_PER_SHEET:,} rows; "
                            f"a sheet may have at most {MAX_ROWS_PER_SHEET:,} rows",
                            part,
                        )
                    )
            elif name == _CELL:
                counted = False
                self.cells += 1
                if self.cells > MAX_CELLS:
                    raise _Refused(
                        WorkbookTooLarge(
                            f"the workbook has more than {MAX_CELLS:,} cells; "
                            f"at most {MAX_CELLS:,} are allowed",
                            part,
                        )
                    )
            elif name in _VALUES and not counted:
                counted = True
                in_row += 1
                if in_row > MAX_CELLS_PER_ROW:
                    raise _Refused(
                        WorkbookTooLarge(
                            f"a row of the sheet {part} has more than {MAX_CELLS_PER_ROW} "
                            f"cells (columns); a row may have at most {MAX_CELLS_PER_ROW}",
                            part,
                        )
                    )

        def no_dtd(*_args: object) -> None:
            raise _Refused(WorkbookTooLarge(f"the part {part} declares a DTD", part))

        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = start
        parser.StartDoctypeDeclHandler = no_dtd
        parser.EntityDeclHandler = no_dtd
        try:
            for chunk in chunks:
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _Refused as refused:
            raise refused.error from None
        except expat.ExpatError:
            return  # not XML (an image, a binary part) or damaged: nothing more to count


# --- .xls --------------------------------------------------------------------------------------


def _check_xls(content: bytes) -> None:
    import xlrd

    try:
        book = xlrd.open_workbook(
            file_contents=content, on_demand=True, ragged_rows=True, logfile=io.StringIO()
        )
    except Exception:  # noqa: BLE001 - not a readable .xls: the reader refuses it
        return
    try:
        cells = 0
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.nrows > MAX_ROWS_PER_SHEET:
                raise WorkbookTooLarge(
                    f"the sheet {sheet.name} has {sheet.nrows:,} rows; "
                    f"a sheet may have at most {MAX_ROWS_PER_SHEET:,} rows",
                    sheet.name,
                )
            for row in range(sheet.nrows):
                width = sheet.row_len(row)
                if width > MAX_CELLS_PER_ROW:  # .xls has 256 columns at most: a backstop
                    raise WorkbookTooLarge(
                        f"a row of the sheet {sheet.name} has more than {MAX_CELLS_PER_ROW} "
                        f"cells (columns); a row may have at most {MAX_CELLS_PER_ROW}",
                        sheet.name,
                    )
                cells += width
            if cells > MAX_CELLS:
                raise WorkbookTooLarge(
                    f"the workbook has more than {MAX_CELLS:,} cells; "
                    f"at most {MAX_CELLS:,} are allowed",
                    sheet.name,
                )
            book.unload_sheet(index)
    finally:
        book.release_resources()
