"""CSV exports, streamed: UTF-8 with a BOM (Excel then shows Khmer), one row per record.

A form without repeats is one CSV. A form with repeats is a zip of CSVs, written as it is
sent (the zip's entries use data descriptors, so nothing needs to seek back): the records'
file first, streamed batch by batch, then one file per repeat, linked by ``record_id``,
whose rows wait in temporary files on disk during the pass (never in memory).

A text cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is written with a leading ``'``.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from typing import IO, Any

from app.exports.cells import (
    Cell,
    CellFormat,
    RecordRow,
    guarded_columns,
    record_cells,
    repeat_cells,
)
from app.exports.columns import Table

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CHUNK = 64 * 1024


def csv_cell(value: Cell) -> Cell:
    if value.__class__ is str and value.startswith(_FORMULA_START):  # type: ignore[union-attr]
        return "'" + value
    return value


def _header(table: Table, lang: str | None) -> list[str]:
    return [c.header(lang) for c in table.columns]


def file_name(form_id: str, table: Table) -> str:
    return f"{form_id}.csv" if not table.repeat else f"{form_id}-{table.repeat}.csv"


def csv_rows(batches: Iterable[list[RecordRow]], table: Table, fmt: CellFormat) -> Iterator[bytes]:
    """One CSV (the records' table): the BOM and header, then a chunk per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(_header(table, fmt.lang))
    yield buffer.getvalue().encode()
    to_cells = record_cells(table, fmt)
    guarded = guarded_columns(table)
    for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        for record in batch:
            writer.writerow(_guard(to_cells(record), guarded))
        yield buffer.getvalue().encode()


def _guard(row: list[Cell], guarded: list[int]) -> list[Cell]:
    for i in guarded:
        value = row[i]
        if value.__class__ is str and value.startswith(_FORMULA_START):  # type: ignore[union-attr]
            row[i] = "'" + value  # type: ignore[operator]
    return row


class _Pipe:
    """A write-only sink whose bytes are taken out as they come (zipfile writes into it)."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def write(self, data: bytes) -> int:
        self.buffer += data
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = bytes(self.buffer)
        self.buffer.clear()
        return data


def csv_zip(
    batches: Iterable[list[RecordRow]], tables: list[Table], fmt: CellFormat, form_id: str
) -> Iterator[bytes]:
    """A zip of CSVs: the records' file streamed, then each repeat's file."""
    main, repeats = tables[0], tables[1:]
    pipe = _Pipe()
    with ExitStack() as stack:
        spools: list[IO[str]] = []
        writers: list[Any] = []
        for table in repeats:
            spool = stack.enter_context(
                tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline="")
            )
            spool.write(BOM)
            writer = csv.writer(spool)
            writer.writerow(_header(table, fmt.lang))
            spools.append(spool)
            writers.append(writer)
        archive = stack.enter_context(
            zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_DEFLATED)
        )
        with archive.open(file_name(form_id, main), mode="w", force_zip64=True) as entry:
            for chunk in csv_rows(_spooling(batches, repeats, writers, fmt), main, fmt):
                entry.write(chunk)
                yield pipe.take()
        for table, spooled in zip(repeats, spools, strict=True):
            spooled.seek(0)
            with archive.open(file_name(form_id, table), mode="w", force_zip64=True) as entry:
                while text := spooled.read(_CHUNK):
                    entry.write(text.encode())
                    yield pipe.take()
        archive.close()
        yield pipe.take()


def _spooling(
    batches: Iterable[list[RecordRow]], repeats: list[Table], writers: list[Any], fmt: CellFormat
) -> Iterator[list[RecordRow]]:
    """Pass the batches on, writing each record's repeat rows to their spools on the way."""
    spooled = [
        (repeat_cells(t, fmt), guarded_columns(t), w) for t, w in zip(repeats, writers, strict=True)
    ]
    for batch in batches:
        for record in batch:
            for to_rows, guarded, writer in spooled:
                for cells in to_rows(record):
                    writer.writerow(_guard(cells, guarded))
        yield batch
