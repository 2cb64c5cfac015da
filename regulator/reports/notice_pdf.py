"""A supervision notice (整改通知书 or 停工整改通知书, regulator/ledger/supervision.py) typeset as a one-page PDF in the
regulator's CJK font (plumbing/cjk_pdf.py): the notice's number, the project and its companies, the
hazard and the article of 建质规〔2024〕5号 it breaks, the evidence picture, the deadline, what the
contractor must do, and the issuing authority.
"""

from __future__ import annotations

import io
from typing import Any

from fpdf.enums import WrapMode, XPos, YPos

from plumbing.cjk_pdf import FAMILY, MARGIN, PAGE_W, CjkPdf
from regulator.ledger.supervision import BASIS, NOTICE_KINDS, PLAN, authority_name
from regulator.names import beijing_text

ORDERS = {
    "rectify": "请你单位立即组织整改，于整改期限前消除上述重大事故隐患，并将整改情况（附整改前后照片）书面报送我单位，"
    "经复查合格后予以销号。逾期未整改的，将提级督办并依法处理。",
    "stop_work": "鉴于上述重大事故隐患，请你单位自收到本通知书之日起立即停止相关部位施工，撤出作业人员，"
    "组织整改；整改完成并经我单位复查合格后，方可恢复施工。拒不停工整改的，将依法从严处理。",
}
BASIS_LINE = "依据：" + BASIS + "；《建设工程安全生产管理条例》；" + PLAN + "。"


def hazard_text(hazard: dict[str, Any]) -> str:
    """The hazard as a notice says it: the check and where, its worst value with its time (the worst of
    all its events and readings: a notice never says less than the site saw, regulator/peaks.py), and the
    site's words at it; a hazard without a value (a licence, an inspector's finding) by its words."""
    where = (hazard["device"] + (f" {hazard['point']}" if hazard.get("point") else "")).strip()
    check = f"{hazard['rule_name']}（{where}）" if where else hazard["rule_name"]
    if not hazard.get("peak_text"):
        said = hazard.get("peak_message") or hazard.get("message") or ""
        return f"{said}（{hazard['rule_name']}，{where}）" if where else said
    worst = f"{check}：峰值 {hazard['peak_text']}"
    if hazard.get("peak_ts") is not None:
        worst += f"，{beijing_text(hazard['peak_ts'])}（北京时间）"
    said = hazard.get("peak_message") or ""
    return f"{worst}。现场报告：{said}" if said else f"{worst}。"


def render(notice: dict[str, Any], hazard: dict[str, Any], picture: bytes | None, now: float) -> bytes:
    """The notice as PDF bytes."""
    kind_name = NOTICE_KINDS[notice["kind"]]
    issuer = authority_name(notice["authority"])
    pdf = CjkPdf(f"{kind_name} {notice['number']}")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font(FAMILY, size=18)
    pdf.cell(0, 10, issuer, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, size=22)
    pdf.cell(0, 13, kind_name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, size=11)
    pdf.cell(0, 8, notice["number"], align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(196, 58, 49)
    pdf.set_line_width(0.6)
    pdf.line(MARGIN, pdf.get_y() + 1, PAGE_W - MARGIN, pdf.get_y() + 1)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
    pdf.ln(5)

    pdf.set_font(FAMILY, size=12)
    pdf.multi_cell(
        0, 7, f"{hazard.get('contractor') or '施工总承包单位'}：", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font(FAMILY, size=11)
    pdf.multi_cell(
        0,
        7,
        f"　　经查，你单位承建的{hazard['project_name']}（项目编号 {hazard['project']}）存在以下重大事故隐患，"
        f"已列入{notice['level_name']}挂牌督办：",
        align="L",
        wrapmode=WrapMode.CHAR,  # Chinese breaks between any two characters, not only at spaces
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(1)
    label_w = 32.0
    rows = (
        ("项目名称", f"{hazard['project_name']}（{hazard['project']}）"),
        ("所在地", f"{hazard['city']} {hazard['district']}".strip()),
        ("施工单位", hazard.get("contractor") or "—"),
        ("监理单位", hazard.get("supervisor") or "—"),
        ("隐患描述", hazard_text(hazard)),
        ("判定依据", f"{hazard['citation'] or '建质规〔2024〕5号'} {hazard['basis']}".strip()),
        ("发现时间", beijing_text(hazard["first_ts"])),
        ("整改期限", f"{beijing_text(notice['deadline'])[:10]} 前（北京时间）"),
    )
    for label, value in rows:
        # the value first (it may wrap), then its label as tall as it
        y = pdf.get_y()
        pdf.set_font(FAMILY, size=10)
        pdf.set_xy(MARGIN + label_w, y)
        pdf.multi_cell(
            0, 7, value, border=1, align="L", wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        height = pdf.get_y() - y
        pdf.set_xy(MARGIN, y)
        pdf.multi_cell(label_w, height, label, border=1, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(y + height)

    if picture is not None:
        pdf.ln(3)
        pdf.set_font(FAMILY, size=10)
        pdf.cell(0, 6, "隐患照片（取证）：", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.image(io.BytesIO(picture), x=MARGIN, y=pdf.get_y(), h=55)
        pdf.set_y(pdf.get_y() + 57)

    pdf.ln(2)
    pdf.set_font(FAMILY, size=11)
    pdf.multi_cell(
        0,
        7,
        "　　" + ORDERS[notice["kind"]],
        align="L",
        wrapmode=WrapMode.CHAR,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_font(FAMILY, size=9)
    pdf.multi_cell(0, 5.5, BASIS_LINE, align="L", wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.ln(6)
    pdf.set_font(FAMILY, size=12)
    pdf.cell(0, 8, f"{issuer}（印章）", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(0, 8, beijing_text(notice["issued_at"])[:10], align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, size=8)
    pdf.set_y(-14)
    pdf.cell(
        0,
        5,
        f"签发人：{notice['issued_by']}　本通知书由 sitegw 监管平台生成 {beijing_text(now)}　"
        "本通知书一式两份，监管部门与施工单位各执一份",
        align="C",
    )
    return bytes(pdf.output())
