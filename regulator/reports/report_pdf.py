"""The monthly report (regulator/reports/monthly.py) typeset as a PDF, Chinese in an embedded CJK font, its charts
drawn as vector bars (no plotting library: the figures are a few bars each, and the text stays text).

The font and the A4 page are plumbing/cjk_pdf.py's (shared with the gateway's safety log).
"""

from __future__ import annotations

import time

from fpdf.enums import XPos, YPos

from plumbing.cjk_pdf import FAMILY, MARGIN, PAGE_W, CjkPdf
from regulator.ledger.patrol_duty import MonthCoverage
from regulator.names import beijing_text
from regulator.reports.monthly import MonthFigures, PlanCoverage

BAR = (47, 111, 179)
WARN = (196, 58, 49)


class _Report(CjkPdf):
    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FAMILY, size=8)
        self.cell(0, 5, f"{self.report_title} · 第 {self.page_no()} 页", align="C")

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font(FAMILY, size=13)
        self.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FAMILY, size=10)

    def line_of(self, label: str, value: str) -> None:
        self.cell(70, 6, label)
        self.cell(0, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def fit(self, text: str, width: float) -> str:
        """``text`` shortened with … to fit ``width`` mm in the current font (a cell does not wrap)."""
        if self.get_string_width(text) <= width - 2:
            return text
        while text and self.get_string_width(text + "…") > width - 2:
            text = text[:-1]
        return text + "…"

    def bars(self, items: list[tuple[str, int]], colour: tuple[int, int, int] = BAR) -> None:
        """A horizontal bar chart: a label, a bar as long as its share of the largest, the count."""
        if not items:
            self.cell(0, 6, "（本月无）", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            return
        label_w, count_w = 62.0, 14.0
        bar_w = PAGE_W - 2 * MARGIN - label_w - count_w
        top = max(1, *(n for _, n in items))
        self.set_font(FAMILY, size=9)
        for label, n in items:
            if self.will_page_break(6):
                self.add_page()
            x, y = self.get_x(), self.get_y()
            self.cell(label_w, 6, self.fit(label, label_w))
            if n:
                self.set_fill_color(*colour)
                self.rect(x + label_w, y + 1, bar_w * n / top, 4, style="F")
            self.set_xy(x + label_w + bar_w, y)
            self.cell(count_w, 6, str(n), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FAMILY, size=10)

    def grid(
        self, headers: tuple[str, ...], widths: tuple[float, ...], rows: list[tuple[str, ...]], empty: str
    ) -> None:
        """A bordered table: the header row, then each row's cells shortened to fit; ``empty`` without rows."""
        self.set_font(FAMILY, size=9)
        for text, w in zip(headers, widths, strict=True):
            self.cell(w, 7, text, border=1, align="C")
        self.ln(7)
        for cells in rows:
            if self.will_page_break(6):
                self.add_page()
            for text, w in zip(cells, widths, strict=True):
                self.cell(w, 6, self.fit(text, w), border=1)
            self.ln(6)
        if not rows:
            self.cell(0, 6, empty, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value} 天"


def render(fig: MonthFigures, now: float | None = None) -> bytes:
    """The report as PDF bytes."""
    pdf = _Report(fig.title)
    pdf.add_page()
    pdf.set_font(FAMILY, size=15)
    pdf.multi_cell(0, 9, fig.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, size=9)
    period = f"统计期间 {beijing_text(fig.start)[:10]} 至 {beijing_text(fig.end - 1)[:10]}（北京时间）"
    made = f"生成时间 {beijing_text(time.time() if now is None else now)}"
    pdf.cell(0, 6, f"{period}　{made}", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.heading("一、总体情况")
    pdf.line_of("辖区", fig.place)
    pdf.line_of("在册项目数", str(fig.projects))
    pdf.line_of("本月新发现隐患", f"{fig.found} 项（重大事故隐患 {fig.found_major} 项）")
    pdf.line_of("本月销号", f"{fig.closed} 项")
    pdf.line_of("截至统计时未销号", f"{fig.open_now} 项")
    pdf.line_of("整改逾期", f"{fig.overdue} 项（本月逾期升级 {fig.escalated} 项）")

    pdf.heading("二、本月隐患按检查类别")
    pdf.bars(fig.by_kind)
    pdf.heading("三、本月隐患按《重大事故隐患判定标准》条款（建质规〔2024〕5号）")
    pdf.bars(fig.by_article, WARN)

    pdf.heading("四、销号用时（自首次报警至复查销号）")
    pdf.line_of("平均", _days(fig.close_days_mean))
    pdf.line_of("中位数", _days(fig.close_days_median))
    pdf.line_of("最长", _days(fig.close_days_max))

    pdf.heading("五、整改逾期")
    pdf.bars([("逾期未整改", fig.overdue), ("本月逾期升级", fig.escalated)], WARN)

    pdf.heading(f"六、风险较高的项目（前 {len(fig.riskiest)} 名，按风险分级得分）")
    pdf.grid(
        ("项目编号", "项目名称", "区县", "风险等级", "得分", "重大/挂牌", "逾期", "本月隐患"),
        (34.0, 44.0, 22.0, 16.0, 14.0, 20.0, 12.0, 18.0),
        [
            (
                p.code,
                p.name,
                p.district,
                p.grade,
                f"{p.score:g}",
                str(p.open_major),
                str(p.overdue),
                str(p.found),
            )
            for p in fig.riskiest
        ],
        "（无）",
    )

    pdf.heading("七、本月重大事故隐患及峰值（事件与监测读数中的最不利值）")
    pdf.grid(
        ("项目", "检查项", "部位", "峰值", "峰值时间"),
        (40.0, 24.0, 26.0, 60.0, 30.0),
        [
            (
                m.project_name,
                m.check,
                m.where or "—",
                m.worst,
                beijing_text(m.worst_ts)[:16] if m.worst_ts is not None else "—",
            )
            for m in fig.major
        ],
        "（本月无）",
    )
    if fig.major_more:
        pdf.cell(0, 6, f"另有 {fig.major_more} 项，见隐患台账导出", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if fig.patrol is not None:
        _patrol(pdf, fig.patrol)
    if fig.plans:
        _plans(pdf, fig.plans)
    return bytes(pdf.output())


def _patrol(pdf: _Report, c: MonthCoverage) -> None:
    """The video-monitoring set's patrol coverage: the month's, each week's, and the projects not seen."""
    pdf.heading("八、省级视频监控项目远程巡查覆盖")
    share = f"{100 * c.seen / c.total:.0f}%" if c.total else "—"
    pdf.line_of("视频监控项目", f"{c.total} 个")
    pdf.line_of("本月巡查覆盖", f"{c.seen} 个（{share}），巡查 {c.patrols} 次")
    pdf.bars([(f"{label} 巡查到", n) for label, n in c.periods])
    pdf.grid(
        ("本月未巡查项目编号", "项目名称", "区县"),
        (50.0, 90.0, 40.0),
        [(code, name, district) for code, name, district in c.unseen],
        "（全部已巡查）",
    )


def _plans(pdf: _Report, plans: list[PlanCoverage]) -> None:
    """The inspection plans running in the month: each one's counts and its projects not yet inspected."""
    pdf.heading("九、检查计划覆盖情况")
    for p in plans:
        pdf.line_of(f"{p.kind_name}：{p.title}", f"截止 {beijing_text(p.due_at - 1)[:10]}")
        pdf.line_of("覆盖", f"已查 {p.done} / {p.total}，待查 {p.due}，逾期未查 {p.overdue}")
        pdf.grid(
            ("未查项目编号", "项目名称", "区县", "状态"),
            (45.0, 75.0, 40.0, 20.0),
            p.unseen,
            "（全部已查）",
        )
