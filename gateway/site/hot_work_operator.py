"""A hot-work permit's operator checked against the site's roster of special-operations workers (standards.md
§18, §19): the roster keeps each card as the issuer's register gives it (its number, its certState, its expiry
date), so where the permit's operator is on the roster with the card the permit names, the register decides,
not what was typed into the request. A card the register holds as 暂扣, 吊销, 撤销, 注销 or 失效 lets nobody do
hot work (消防法 Art. 21: 电焊、气焊等具有火灾危险作业的人员…必须持证上岗; GB 50720-2011 §6.3.1(2)), nor one
whose register date ends before the window does.

A person the roster does not hold, or holds with another card (a welder's 应急管理部 card is not one of 75号's
categories: the roster may list their 建筑电工 card instead), is judged on the card the request gives, as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from contract.config.crane import Operator as RosterEntry
from contract.config.trades import CERT_STATES
from contract.hot_work import PermitRequest
from gateway.site.site_work import WorkError
from rules.hot_work_clauses import CHECKED_2011, GB50720_EN, cite_6_3_1


class OperatorRegister:
    """The roster's cards by badge id, as the issuer's register gives them."""

    def __init__(self, roster: Iterable[RosterEntry]) -> None:
        self._by_id = {op.id: op for op in roster}

    def check(self, r: PermitRequest, last_day: date) -> None:
        """WorkError where the register holds the operator's card as not valid, or valid to before
        ``last_day`` (the window's last local day)."""
        op = r.operator
        entry = self._by_id.get(op.person_id) if op.person_id else None
        if entry is None or entry.licence_no != op.certificate_no:
            return  # not on the roster, or another of their cards: the request's card is judged
        if entry.state != "valid":
            code, zh = CERT_STATES[entry.state]
            found_zh, found_en = f"在登记中为{zh}（certState {code}）", f"is {entry.state} in the register"
        elif entry.valid_until is None:
            found_zh, found_en = "在登记中无有效期", "has no expiry date in the register"
        elif entry.valid_until < last_day:
            found_zh = (
                f"在登记中有效期至 {entry.valid_until.isoformat()}，早于作业结束日 {last_day.isoformat()}"
            )
            found_en = f"is valid until {entry.valid_until.isoformat()} in the register, before {last_day.isoformat()}"
        else:
            return
        raise WorkError(
            f"动火操作人 {op.name}（{op.person_id}）的证书 {op.certificate_no} {found_zh}：电焊、气焊等动火操作须持有效"
            f"证件（消防法 第二十一条；{cite_6_3_1(2)}，{CHECKED_2011}）；请指定持有效证件的操作人。"
            f" Operator {op.name} ({op.person_id}): certificate {op.certificate_no} {found_en} (the site file's "
            f"operators roster): hot work needs a valid card (消防法 第二十一条, {GB50720_EN} §6.3.1(2)); name a "
            "certified operator"
        )
