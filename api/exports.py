"""Tables as files for spreadsheets: CSV for Finnish Excel, and XLSX.

Finnish Excel opens a CSV by double-click when it is separated by semicolons, has decimal
commas and starts with a UTF-8 byte order mark (else it reads the text as Windows-1252).
Text that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) is defused with a leading apostrophe, unless it is a number: `-2.0` stays `-2.0`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

Cell = str | int | float | bool | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
BOM = "\ufeff"


class FinnishExcel(csv.Dialect):
    """The CSV dialect of Finnish Excel (what its "CSV (semicolon separated)" saves)."""

    delimiter = ";"
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL


def is_number(text: str) -> bool:
    return _NUMBER.match(text) is not None


def defused(text: str) -> str:
    """Text that would start a formula, with an apostrophe before it; numbers as they are."""
    if text[:1] in FORMULA_STARTS and not is_number(text):
        return f"'{text}"
    return text


def _finnish(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    return defused(value)


def finnish_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A CSV for Finnish Excel: BOM, semicolons, decimal commas, CRLF, formulas defused."""
    out = io.StringIO()
    writer = csv.writer(out, dialect=FinnishExcel)
    writer.writerow([defused(name) for name in header])
    for row in rows:
        writer.writerow([_finnish(value) for value in row])
    return (BOM + out.getvalue()).encode("utf-8")


def xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """An XLSX workbook of one sheet: numbers as numbers, text always as text (never a
    formula, whatever it starts with)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    for row_index, row in enumerate([list(header), *rows], start=1):
        for column_index, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column_index)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
