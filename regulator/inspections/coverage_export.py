"""A plan's coverage as an XLSX workbook (reports/xlsx_sheet.py's sheets): its projects, the unseen first;
the counts per district and per inspector; the key-risk projects' monthly duty."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from regulator.names import beijing
from regulator.reports.xlsx_sheet import add_sheet

COUNTS = (("待查", 8), ("逾期未查", 10), ("已查", 8), ("合计", 8))


def _counts(c: dict[str, Any]) -> list[int]:
    return [c["due"], c["overdue"], c["done"], c["total"]]


def to_xlsx(cover: dict[str, Any]) -> bytes:
    """The workbook's bytes."""
    book = Workbook(write_only=True)
    plan = cover["plan"]
    add_sheet(
        book,
        f"覆盖情况 {plan['title']}",
        (("项目编号", 16), ("项目名称", 24), ("辖区", 28), ("状态", 10), ("检查时间", 18), ("检查人", 12),
         ("派定检查人", 20)),
        [
            [p["project"], p["name"], p["district"], p["state_name"],
             beijing(p["inspected_at"]) if p["inspected_at"] is not None else None, p["inspected_by"] or "",
             "、".join(p["inspectors"])]
            for p in cover["projects"]
        ],
    )  # fmt: skip
    add_sheet(
        book, "按辖区", (("辖区", 28), *COUNTS), [[d["district"], *_counts(d)] for d in cover["districts"]]
    )
    add_sheet(
        book,
        "按检查人",
        (("检查人", 16), *COUNTS),
        [[i["inspector"], *_counts(i)] for i in cover["inspectors"]],
    )
    duty = cover["key_risk"]
    add_sheet(
        book,
        f"重点风险项目月度检查 {duty['month']}",
        (
            ("项目编号", 16),
            ("项目名称", 24),
            ("辖区", 28),
            ("认定事实", 30),
            ("本月检查次数", 12),
            ("状态", 8),
        ),
        [
            [p["project"], p["name"], p["district"], "、".join(p["facts"]), p["inspections"], p["state_name"]]
            for p in duty["projects"]
        ],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
