"""One sheet of a regulator's workbook, written the same way for every export (the hazard ledger, the
campaign grading, the national platform's package): a bold, frozen header row, column widths, dates as
Beijing-time date cells, and text kept as text.

Text a spreadsheet would run as a formula (CSV/XLSX injection: a site's message, a public report's words,
a company's name) is kept behind an apostrophe; control characters XML 1.0 (which XLSX is) cannot hold
would make the whole file fail, so each is shown as the replacement character.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Value = str | float | int | datetime | None
DATE_FORMAT = "yyyy-mm-dd hh:mm"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: str) -> str:
    """``value`` as a cell shows it and never runs it: a formula's start behind an apostrophe."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def add_sheet(
    book: Workbook,
    title: str,
    headers: Sequence[tuple[str, int]],
    rows: Iterable[Sequence[Value]],
    date_format: str = DATE_FORMAT,
) -> None:
    """A sheet named ``title`` (cut to Excel's 31 characters) in a write-only ``book``: ``headers`` as
    (text, width in characters), then ``rows``; a datetime is a date cell in ``date_format``."""
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for index, (_, width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for text, _ in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for values in rows:
        row: list[object] = []
        for value in values:
            if isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = date_format
                row.append(cell)
            elif isinstance(value, str):
                row.append(ILLEGAL_CHARACTERS_RE.sub("\ufffd", as_text(value)))
            else:
                row.append(value)
        sheet.append(row)
