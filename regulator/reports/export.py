"""The hazard ledger as a spreadsheet (XLSX) or CSV: the rows the review queue lists for the same filter
and user (``Review.matching``, read through the user's scope), Chinese headers, Beijing dates.

The CSV is UTF-8 with a byte-order mark: without it Excel, which a bureau opens it with, reads the bytes as
the system's code page (GBK on a Chinese Windows) and the Chinese comes out garbled.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from regulator.names import LEVEL_NAMES, STATE_NAMES, beijing, beijing_text

Value = str | float | int | datetime | None


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _when(ts: float | None) -> datetime | None:
    return None if ts is None else beijing(ts)


# (header, width in characters, the cell's value from a hazard as the queue gives it)
COLUMNS: tuple[tuple[str, int, Callable[[dict[str, Any]], Value]], ...] = (
    ("隐患编号", 9, lambda h: h["id"]),
    ("项目编号", 16, lambda h: h["project"]),
    ("项目名称", 24, lambda h: h["project_name"]),
    ("城市", 8, lambda h: h["city"]),
    ("区县", 8, lambda h: h["district"]),
    ("检查项", 14, lambda h: h["rule_name"]),
    ("级别", 6, lambda h: LEVEL_NAMES.get(h["level"], h["level"])),
    ("隐患分类", 14, lambda h: h["classification_name"]),
    ("判定依据条款", 30, lambda h: h["citation"]),
    ("标准条款", 30, lambda h: h["clause"]),
    ("设备", 12, lambda h: h["device"]),
    ("监测点", 10, lambda h: h["point"]),
    # the worst value of its events and readings while open (regulator/ledger/peaks.py), when, and in words
    ("峰值", 8, lambda h: h["peak_value"]),
    ("限值", 8, lambda h: h["peak_threshold"]),
    ("单位", 6, lambda h: h["unit"]),
    ("峰值时间", 17, lambda h: _when(h["peak_ts"])),
    ("峰值说明", 28, lambda h: h["peak_text"]),
    # the site's words at the peak; a peak read from the summaries has none: the newest
    ("描述", 30, lambda h: h["peak_message"] or h["message"]),
    ("现场状态", 12, lambda h: h["site_state_name"]),
    ("审核状态", 8, lambda h: STATE_NAMES.get(h["state"], h["state"])),
    ("挂牌督办", 8, lambda h: _yes(h["major"])),
    ("整改期限", 17, lambda h: _when(h["deadline"])),
    ("是否逾期", 8, lambda h: _yes(h["overdue"])),
    ("首次报警", 17, lambda h: _when(h["first_ts"])),
    ("最近报警", 17, lambda h: _when(h["last_ts"])),
    ("销号/误报时间", 17, lambda h: _when(h["closed_at"])),
    ("来源", 8, lambda h: h["source_name"]),
)
HEADERS = tuple(c[0] for c in COLUMNS)
DATE_FORMAT = "yyyy-mm-dd hh:mm"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


# text a spreadsheet would run as a formula (CSV injection): a site's message or a public report's text is
# not the bureau's to execute, so such text is kept as text behind an apostrophe
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cells(hazard: dict[str, Any]) -> list[Value]:
    values = [value(hazard) for _, _, value in COLUMNS]
    return [f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v for v in values]


def to_xlsx(hazards: list[dict[str, Any]], title: str) -> bytes:
    """The hazards as one sheet named ``title``: a bold, frozen header row; dates as Beijing-time date cells
    (Excel sorts and filters them as dates)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])  # Excel's limit on a sheet's name
    sheet.freeze_panes = "A2"
    for index, (_, width, _) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for text in HEADERS:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for hazard in hazards:
        row: list[object] = []
        for value in _cells(hazard):
            if isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
                row.append(cell)
            elif isinstance(value, str):
                # control characters a gateway sent (XML 1.0, which XLSX is, cannot hold them) would make
                # the whole export fail: each is shown as the replacement character instead
                row.append(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
            else:
                row.append(value)
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(hazards: list[dict[str, Any]]) -> bytes:
    """The hazards as CSV, UTF-8 with a byte-order mark, dates ``yyyy-MM-dd HH:mm`` Beijing time."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for hazard in hazards:
        writer.writerow(
            "" if v is None else v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else v
            for v in _cells(hazard)
        )
    return out.getvalue().encode("utf-8-sig")


def filename(stem: str, now: float, suffix: str) -> str:
    """``隐患台账_<stem>_<yyyymmdd-HHMM>.<suffix>``: what a download is saved as."""
    stamp = beijing_text(now).replace("-", "").replace(" ", "-").replace(":", "")
    return f"隐患台账_{stem}_{stamp}.{suffix}"
