"""A day's safety log printed as an A4 PDF in the CJK font (plumbing/cjk_pdf.py): the sections the gateway
drafts (standards.md §14), the safety officer's words, and the signature line."""

from __future__ import annotations

from datetime import datetime

from fpdf.enums import XPos, YPos

from contract.config.personnel import ROLE_ZH
from gateway.site.safety_log.store import LogRow
from gateway.uplinks.base import BEIJING
from plumbing.cjk_pdf import FAMILY, CjkPdf

WINDOW_ZH = {"pour": "混凝土浇筑", "jacking": "塔吊顶升"}
MAX_ZH = {"gust_ms": ("最大阵风", "m/s"), "rain_mm_h": ("最大雨强", "mm/h"), "temp_c": ("最高气温", "℃")}
PAPER_ZH = {"registration": "备案、验收、使用登记", "inspection": "定期检验", "certificate": "证书"}


def clock(ts: float | None, empty: str = "—") -> str:
    """``ts`` as Beijing time HH:MM (``empty`` for None)."""
    return empty if ts is None else datetime.fromtimestamp(ts, BEIJING).strftime("%H:%M")


class _Log(CjkPdf):
    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(FAMILY, size=12)
        self.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FAMILY, size=10)

    def para(self, text: str) -> None:
        self.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def lines(self, items: list[str], empty: str = "（无）") -> None:
        for text in items or [empty]:
            self.para(text)


def render(project_name: str, row: LogRow) -> bytes:
    """The PDF of ``row``, the log of a project named ``project_name``."""
    c = row.content
    pdf = _Log(f"施工安全日志 {row.day}")
    pdf.add_page()
    pdf.set_font(FAMILY, size=18)
    pdf.cell(0, 10, "施工安全日志", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, size=10)
    pdf.para(f"工程名称：{project_name}　　日期：{row.day.isoformat()}")
    wind = "无风速读数" if c.wind_max_ms is None else f"{c.wind_max_ms:.1f} m/s（{c.wind_device}）"
    pdf.para(f"天气：{c.weather or '（未填写）'}　　最大风速：{wind}")
    if c.weather_max:
        pdf.para(
            "　".join(
                f"{name}：{c.weather_max[m]:.1f} {unit}"
                for m, (name, unit) in MAX_ZH.items()
                if m in c.weather_max
            )
        )
    pdf.heading("一、预警信息")
    pdf.lines(c.warnings, "（当日无生效预警信号）")
    pdf.heading("二、今日施工内容及安全工作")
    pdf.para(c.work or "（未填写）")
    pdf.heading("三、报警及处置")
    pdf.lines(
        [
            f"{clock(a.opened_ts)} {a.device} {a.message}（{a.clause}）；处置：{a.handled_by or '—'} {a.handling}；"
            + (
                f"已关闭 {clock(a.resolved_ts)} {a.closed_by} {a.closing_note}".rstrip()
                if a.resolved_ts
                else "未关闭"
            )
            for a in c.alerts
        ]
    )
    pdf.heading("四、危大工程作业（浇筑、顶升）")
    pdf.lines(
        [
            f"{WINDOW_ZH[w.what]} {w.device}：{clock(w.started_ts, '前日开始')} — {clock(w.ended_ts, '未结束')}"
            for w in c.windows
        ]
    )
    pdf.heading("五、有限空间作业")
    pdf.lines(
        [
            f"{e.device} {e.point}：进入 {clock(e.entered_ts)}，出 {clock(e.left_ts, '未出')}"
            for e in c.confined
        ]
    )
    pdf.heading("六、关键岗位人员到岗")
    pdf.lines(
        [
            f"{ROLE_ZH.get(p.role, p.role)} {p.name}：首次进场 {clock(p.first_in, '未到岗')}，"
            f"最后离场 {clock(p.last_out, '在场')}，在场 {p.minutes} 分钟"
            for p in c.people
        ]
    )
    pdf.heading("七、30日内到期的证照")
    pdf.lines(
        [
            f"{p.name} {PAPER_ZH.get(p.paper, p.paper)}：{p.until or '未填写'}"
            + ("" if p.days_left is None else f"（剩 {p.days_left} 天）")
            for p in c.papers_due
        ]
    )
    pdf.heading("八、动火作业")
    pdf.lines(c.hot_work, "（当日无动火许可证）")
    pdf.ln(6)
    signed = (
        f"{row.signed_by}　{datetime.fromtimestamp(row.signed_at, BEIJING):%Y-%m-%d %H:%M}"
        if row.signed_at
        else "（未签字）"
    )
    pdf.para(f"专职安全员签字：{signed}")
    return bytes(pdf.output())
