"""The campaign grading as an XLSX workbook: the key-risk projects with their facts and duties, and the
published companies (曝光名单), one sheet each."""

from __future__ import annotations

import io

from openpyxl import Workbook

from regulator.reports.grading import FACTS, Grading, duties
from regulator.reports.xlsx_sheet import add_sheet

Row = list[str | float | int]


def to_xlsx(graded: Grading) -> bytes:
    """The workbook's bytes."""
    book = Workbook(write_only=True)  # no default sheet: the two below are the workbook
    rules = graded.policy
    projects: list[Row] = []
    for p in graded.key_projects():
        done = duties(p, rules)
        facts = "\n".join(f"{FACTS[f.fact]}：{f.source}，{f.detail}" for f in p.facts)
        projects.append(
            [p.code, p.name, p.contractor, p.place or "", facts, "是" if p.stopped else "否",
             "已完成" if done["inspection_done"] else "未完成", "已报送" if done["report_done"] else "未报送"]
        )  # fmt: skip
    add_sheet(
        book,
        f"重点风险项目 {graded.month}",
        (("项目编号", 16), ("项目名称", 24), ("施工单位", 24), ("辖区", 24), ("认定事实及来源", 60),
         ("停工中", 8), ("本月检查", 10), ("本月报告", 10)),
        projects,
    )  # fmt: skip
    published: list[Row] = [
        [c.name, len(c.projects), len(c.stopped), round(c.ratio, 3), "、".join(c.stopped)]
        for c in graded.published()
    ]
    add_sheet(
        book,
        "曝光企业名单",
        (("企业名称", 30), ("在建项目数", 12), ("停工项目数", 12), ("停工比例", 10), ("停工项目", 40)),
        published,
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
