"""Whether a special-operations worker's certificate lets them do one trade on one day (standards.md §19):
only a certificate in the issuer's register as valid (certState 01), for that trade's category, on a day up
to its expiry day (today ≤ expiringDate: the day itself still valid), never a date computed here. The one
reading the gates (personnel.trade_certificate), the machines (crane.operator, hoist.operator, through
rules.roster) and the installers of a machine (<kind>.papers) share."""

from __future__ import annotations

from datetime import date

from contract.config.crane import Operator
from contract.config.trades import CERT_STATES, TRADES, Trade
from rules.wording import MAJOR_ZH

ARTICLE = "建质规〔2024〕5号 第四条(三) 建筑施工特种作业人员未取得有效特种作业人员操作资格证书上岗作业"
# the renewal window's warning (rules.personnel.renewal_warning_d), at the gates and at the machines alike
RENEWAL_CLAUSE = (
    "建质〔2008〕75号 资格证书有效期2年，期满前3个月内申请延期复核（条文编号未核实，实践值，可配置）；"
    f"{ARTICLE}，{MAJOR_ZH}"
)


def trade_zh(trade: str) -> str:
    """A trade's Chinese name with its code, e.g. 建筑电工(01)."""
    code, zh = TRADES[trade]
    return f"{zh}({code})"


def category_of(op: Operator, needs: Trade) -> Trade:
    """The trade ``op``'s certificate is for: as the site file says, else the booked trade, else (a roster
    entry of the older form, a driver with neither) the trade the machine that reports them needs."""
    return op.category or op.trade or needs


def standing_problem(op: Operator, needs: Trade) -> tuple[str, str] | None:
    """What keeps ``op``'s certificate from covering trade ``needs`` whatever the day (Chinese, English):
    no certificate, a state other than valid, or another trade's category. None: only its date can."""
    if op.valid_until is None:
        return "无特种作业操作资格证书（站点文件未填写有效期）", "no special-operations certificate on record"
    if op.state != "valid":
        code, zh = CERT_STATES[op.state]
        return f"操作资格证书状态为{zh}({code})", f"certificate {op.state}"
    held = category_of(op, needs)
    if held != needs:
        return (
            f"持{trade_zh(held)}证书，不是{trade_zh(needs)}证书",
            f"holds a {held} certificate, not a {needs} one",
        )
    return None


def problem_on(op: Operator, needs: Trade, today: date) -> tuple[str, str] | None:
    """What keeps ``op`` from working as ``needs`` on the local date ``today`` (None: certified that day)."""
    found = standing_problem(op, needs)
    if found is not None or op.valid_until is None or today <= op.valid_until:
        return found
    return f"操作资格证书已于 {op.valid_until} 过期", f"certificate expired on {op.valid_until}"
