"""XLSX exports: a sheet of records and a sheet per repeat, linked by ``record_id``.

XlsxWriter in ``constant_memory`` mode keeps one row per sheet in memory and writes the rest
to temporary files; the finished workbook (a zip, whose directory comes last) is then sent
from disk in chunks and deleted. Chosen over openpyxl's write-only mode as measured
(docs/performance.md): about twice as fast, with half the memory. Text is always written as
text (never run as a formula); photos and signatures are links to the API's attachment URL.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from app.exports.cells import Cell, CellFormat, RecordRow, record_cells, repeat_cells
from app.exports.columns import Table

_CHUNK = 64 * 1024
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
# Excel holds at most 65,530 links a sheet: past it a link is written as plain text.
MAX_LINKS = 65_530


def sheet_names(tables: list[Table]) -> list[str]:
    """Excel's sheet names: at most 31 characters, none of []:*?/\\, unique."""
    names: list[str] = []
    for table in tables:
        base = _SHEET_NAME_BAD.sub("_", table.name)[:31]
        name, n = base, 2
        while name.lower() in (x.lower() for x in names):
            suffix = f"~{n}"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        names.append(name)
    return names


class _Sheet:
    def __init__(self, sheet: Worksheet, table: Table, links: list[bool]) -> None:
        self.sheet = sheet
        self.table = table
        self.links = links  # per column: a photo or signature
        self.row = 1
        self.linked = 0

    def write(self, cells: list[Cell]) -> None:
        for col, value in enumerate(cells):
            if value is None:
                continue
            if isinstance(value, str):
                if self.links[col] and self.linked < MAX_LINKS:
                    self.sheet.write_url(self.row, col, value, string=value)
                    self.linked += 1
                else:
                    self.sheet.write_string(self.row, col, value)
            elif isinstance(value, int | float):
                self.sheet.write_number(self.row, col, value)
            else:  # an answer of a shape its field does not declare
                self.sheet.write_string(self.row, col, str(value))
        self.row += 1


def xlsx_stream(
    batches: Iterable[list[RecordRow]], tables: list[Table], fmt: CellFormat
) -> Iterator[bytes]:
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="homeward-export-")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(
            path,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "tmpdir": tempfile.gettempdir(),
            },
        )
        bold = workbook.add_format({"bold": True})
        sheets: list[_Sheet] = []
        for table, name in zip(tables, sheet_names(tables), strict=True):
            sheet = workbook.add_worksheet(name)
            for col, column in enumerate(table.columns):
                sheet.write_string(0, col, column.header(fmt.lang), bold)
            kinds = [c.field.type if c.field else "" for c in table.columns]
            sheets.append(_Sheet(sheet, table, [k in ("photo", "signature") for k in kinds]))
            sheet.freeze_panes(1, 0)
        main_cells = record_cells(tables[0], fmt)
        repeats = [(sheet, repeat_cells(sheet.table, fmt)) for sheet in sheets[1:]]
        for batch in batches:
            for record in batch:
                sheets[0].write(main_cells(record))
                for sheet, rows in repeats:
                    for cells in rows(record):
                        sheet.write(cells)
        workbook.close()
        with open(path, "rb") as finished:
            while chunk := finished.read(_CHUNK):
                yield chunk
    finally:
        os.unlink(path)
