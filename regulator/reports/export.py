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

from regulator.names import LEVEL_NAMES, STATE_NAMES, beijing, beijing_text
from regulator.reports.xlsx_sheet import Value, add_sheet, as_text


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
    # the worst value of its events and readings while open (regulator/peaks.py), when, and in words
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
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def _cells(hazard: dict[str, Any]) -> list[Value]:
    """The row of a hazard, its text kept as text (regulator/reports/xlsx_sheet.py's ``as_text``)."""
    return [as_text(v) if isinstance(v, str) else v for v in (value(hazard) for _, _, value in COLUMNS)]


def to_xlsx(hazards: list[dict[str, Any]], title: str) -> bytes:
    """The hazards as one sheet named ``title``: a bold, frozen header row; dates as Beijing-time date cells
    (Excel sorts and filters them as dates)."""
    book = Workbook(write_only=True)
    rows = ([value(h) for _, _, value in COLUMNS] for h in hazards)
    add_sheet(book, title, [(text, width) for text, width, _ in COLUMNS], rows)
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
