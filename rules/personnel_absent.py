"""personnel.absent: while dangerous work goes on (a crane or hoist moving or loaded, a pour under
way), the project manager must be on site performing their duties and a full-time safety officer
must supervise on site (住建部令第37号, article [U]; docs/standards.md §7). An absence that lasts
as long as the grace period is an alarm per role (a grace of 30 min: the alarm at the 30th
minute; the grace is practice, no clause words it): an absent project manager is an ordinary hazard
(一般隐患), not a major one, so never critical."""

from __future__ import annotations

from functools import partial

from contract.alert_event import Level
from contract.config.personnel import ROLE_ZH
from rules.levels import LevelMemory, crosses
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "personnel.absent"
CLAUSE = (
    "住建部令第37号《危险性较大的分部分项工程安全管理规定》危大工程施工期间项目负责人应在施工现场履职，"
    "专职安全生产管理人员现场监督（条款号待核）；宽限时间为行业惯例，可配置"
)
WATCHED = ("project_manager", "safety_officer")
ROLE_EN = {"project_manager": "project manager", "safety_officer": "safety officer"}


class PersonnelAbsent:
    """How long each watched role has been missing while dangerous work goes on."""

    def __init__(self) -> None:
        self._missing_since: dict[str, float] = {}
        self._memory = LevelMemory()

    def evaluate(
        self,
        device: str,
        now: float,
        working: bool,
        present: dict[str, list[str]],
        missing_from: dict[str, float],
        grace_s: float,
        work: tuple[str, str],
    ) -> list[RuleResult]:
        """Verdicts at ``now``; ``present`` maps each role to the names of its people on site, and
        ``missing_from`` to the instant its absence during this work began (the work's start, or
        the last of them leaving), so the grace period counts from then rather than from the tick."""
        out: list[RuleResult] = []
        for role in WATCHED:
            missing = working and not present.get(role)
            since = self._missing_since.get(role)
            if missing and since is None:
                self._missing_since[role] = since = min(now, missing_from.get(role, now))
            elif not missing:
                self._missing_since.pop(role, None)
                since = None
            absent_s = now - since if since is not None else 0.0
            level: Level | None = "alarm" if since is not None and crosses(absent_s, grace_s) else None
            if level is None and self._memory.get(device, role) is None:
                continue  # nothing to report: the common case, every tick
            # made when first read (RuleResult.later): an alarm repeats at every tick while the role is missing
            found = self._memory.report_later(
                RULE,
                device,
                role,
                level,
                now,
                False,
                partial(_result, device, role, level, absent_s, grace_s, work, now, bool(present.get(role))),
                value=round(absent_s / 60, 1),  # given at once: the alert manager reads every repeat's
            )
            if found is not None:
                out.append(found)
        return out


def _result(
    device: str,
    role: str,
    level: Level | None,
    absent_s: float,
    grace_s: float,
    work: tuple[str, str],
    ts: float,
    arrived: bool,
) -> RuleResult:
    zh, en = ROLE_ZH[role], ROLE_EN[role]
    if level:
        what = f"{work[0]}进行中，{zh}不在现场已 {absent_s / 60:.0f} 分钟"
        what_en = f"{work[1]} under way and no {en} on site for {absent_s / 60:.0f} min"
    elif arrived:
        what, what_en = f"{zh}到岗", f"{en} on duty"
    else:  # the work stopped, nobody arrived: the all-clear must not say they did
        what, what_en = f"{work[0]}已停止（{zh}仍未到岗）", f"{work[1]} stopped (still no {en} on site)"
    return RuleResult(
        rule=RULE,
        device=device,
        point=role,
        level=level,
        ts=ts,
        clause=CLAUSE,
        value=round(absent_s / 60, 1),
        threshold=round(grace_s / 60, 1),
        unit="min",
        message=pick(level, what, f"通知{zh}立即到岗；到岗前暂停危大作业"),
        message_en=pick_en(level, what_en, f"call the {en} back; pause the dangerous work until then"),
        details={"work": work[0]},
    )
