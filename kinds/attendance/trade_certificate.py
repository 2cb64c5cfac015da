"""personnel.trade_certificate: a special-operations worker (建筑施工特种作业人员, standards.md §19) passing an
access gate into the site, judged against the certificate of the trade the site file books them for.

- Entering (or on site when the local date turns) with no certificate, one not valid in the issuer's
  register (暂扣, 吊销, 撤销, 注销, 失效), one for another trade, or one past its expiry day (today ≤
  expiringDate: the expiry day itself is still valid) is critical: 建质规〔2024〕5号 第四条(三) makes working so
  a major hazard. It ends only when the gate sees them leave (or the site file names a valid certificate).
- A certificate that expires within the renewal window (rules.personnel.renewal_warning_d, 90 days: the
  three months before expiry in which 延期复核 is applied for [U]) is a warning to the employer, kept while
  the window lasts, in or out.

Only workers the site file books for a trade are judged here: the machines judge their drivers at the
controls (crane.operator, hoist.operator), and everyone else's passage is no certificate's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contract.alert_event import Level
from contract.config.crane import Operator
from rules.certificate_check import ARTICLE, RENEWAL_CLAUSE, problem_on, trade_zh
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.site_day import SiteDay
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "personnel.trade_certificate"
CLAUSE = f"{ARTICLE}，{MAJOR_ZH}；建设部令第166号 第二十五条；建质〔2008〕75号 第三条"
REFUSED = "禁止其进场从事该特种作业：劝离作业岗位，持有效证书（状态有效、类别相符、在有效期内）方可上岗"
REFUSED_EN = "keep them off the work: only a valid certificate of the booked trade lets them work"


@dataclass
class _Worker:
    op: Operator
    on_site: bool = False
    gate: str = ""  # the gate they last passed, as its name


class TradeCertificate:
    """The booked special-operations workers of one site, judged at each gate passage and each new day."""

    def __init__(self, device: str, roster: list[Operator], renewal_d: int, utc_offset_h: float) -> None:
        self.device = device  # the alerts' device: the site's first access gate
        self._workers = {op.id: _Worker(op) for op in roster if op.trade is not None}
        self._renewal_d = renewal_d
        self._day = SiteDay(utc_offset_h)
        self._checked_on: date | None = None
        self.memory = LevelMemory()

    def passage(self, gate: str, person: str, entered: bool, ts: float) -> RuleResult | None:
        """Gate ``gate`` (its name) saw ``person`` enter or leave at ``ts``; None: no one booked for a
        trade, or nothing new to say."""
        worker = self._workers.get(person)
        if worker is None:
            return None
        worker.on_site, worker.gate = entered, gate
        return self._judge(worker, self._day.of(ts), ts)

    def tick(self, now: float) -> list[RuleResult]:
        """On the first tick of each local day, every booked worker the gates have seen judged again: a
        certificate that expired at midnight is caught on a worker still on site."""
        today = self._day.of(now)
        if today == self._checked_on:
            return []
        self._checked_on = today
        found = [self._judge(w, today, now) for w in self._workers.values() if w.gate]
        return [r for r in found if r is not None]

    def _judge(self, worker: _Worker, today: date, ts: float) -> RuleResult | None:
        op = worker.op
        assert op.trade is not None
        trade = trade_zh(op.trade)
        who = f"特种作业人员 {op.name or op.id}（{op.id}，{trade}）"
        problem = problem_on(op, op.trade, today)
        until = op.valid_until
        days = (until - today).days if until is not None else -1
        level: Level | None
        if problem is not None and worker.on_site:
            level = "critical"
            what, what_en = f"{who}经{worker.gate}进场，{problem[0]}", f"{op.id} entered: {problem[1]}"
            action, action_en = REFUSED, REFUSED_EN
        elif problem is None and days <= self._renewal_d:
            level = "warning"
            what = f"{who}操作资格证书（{op.licence_no or '无编号'}）将于 {until} 到期（剩 {days} 天）"
            what_en = f"{op.id}'s certificate expires on {until} ({days} d)"
            action, action_en = (
                "用人单位督促其在期满前申请延期复核",
                "have them apply for renewal before expiry",
            )
        else:
            level = None
            what = f"{who}已出场" if not worker.on_site else f"{who}持有效操作资格证书"
            what_en = f"{op.id} left the site" if not worker.on_site else f"{op.id} certified"
            action = action_en = ""
        clause = RENEWAL_CLAUSE if level == "warning" else CLAUSE
        return self.memory.report(
            self.device,
            op.id,
            level,
            lambda: RuleResult(
                rule=RULE,
                device=self.device,
                point=op.id,
                level=level,
                ts=ts,
                clause=clause,
                value=op.licence_no,
                message=pick(level, what, action),
                message_en=pick_en(level, what_en, action_en),
                details={
                    "worker": op.id,
                    "trade": op.trade or "",
                    "category": op.category or op.trade or "",
                    "state": op.state,
                    "valid_until": str(until),
                    "gate": worker.gate,
                },
            ),
        )
