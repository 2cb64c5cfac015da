"""<kind>.papers: a machine's papers (standards.md §13), for every device whose kind declares a ``papers:``
section (contract/config/papers.py) and whose site file fills it in (a machine without one is a
check-config hint, not an alert).

- ``registration``: a machine at work (its judge reports work: a crane's hook loaded, a hoist running)
  with no acceptance date, registered more than 30 days after acceptance, or still unregistered once 30
  days from acceptance have passed (the 30th day is in time: 建设部令第166号 gives the user 30 days from
  acceptance to register, standards.md §13, §19 "registration due = acceptance date + 30 days"), is
  critical: 建质规〔2024〕5号 第八条(一) makes it a major hazard. Unregistered within those 30 days is a
  warning naming the day it is due, at work or not; idle past them it stays a warning (overdue), critical
  once it works.
- ``inspection``: the next periodic inspection due within 30 days (today to the 30th day ahead) is a
  warning; past its day (the day itself still in date), critical. Judged on the site's local date, once a day.
- ``installers``: a machine at work whose papers name an 安拆 crew of whom one held no valid 安装拆卸工
  certificate of its category on the day it was installed is critical (rules/installer_papers.py).

Verdicts are reached at the engine's tick (work is heard of between ticks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from contract.alert_event import Level
from contract.config.device import DeviceConfig
from contract.config.papers import MachineDevice, MachinePapers
from contract.config.site import SiteConfig
from contract.config.trades import Trade
from contract.kinds.kind import Kind
from rules.installer_papers import CLAUSE as INSTALLER_CLAUSE
from rules.installer_papers import installer_problems
from rules.levels import LevelMemory
from rules.papers_due import due_level
from rules.probes import Probe
from rules.result import RuleResult
from rules.site_day import SiteDay
from rules.wording import MAJOR_ZH, pick, pick_en
from rules.work_watcher import WorkWatcher

REGISTER_WITHIN_D = 30  # 建设部令第166号: use registration within 30 days of acceptance
REGISTRATION_CLAUSE = (
    "建质规〔2024〕5号 第八条(一) 建筑起重机械未经验收合格即投入使用，或未按规定办理使用登记，"
    f"{MAJOR_ZH}；建设部令第166号 验收合格之日起30日内办理使用登记"
)
INSPECTION_CLAUSE = (
    "建设部令第166号 第七条 检验不合格的建筑起重机械不得使用；定期检验周期按省级规定（可配置日期）"
)


def rule_of(kind: str) -> str:
    """The papers rule id of a machine kind, e.g. crane.papers."""
    return f"{kind}.papers"


def registration_due(papers: MachinePapers) -> date | None:
    """The last day an accepted machine not yet registered may be registered on (None: registered, or
    not accepted)."""
    if papers.accepted_on is None or (papers.registration_no and papers.registered_on is not None):
        return None
    return papers.accepted_on + timedelta(days=REGISTER_WITHIN_D)


def registration_problem(papers: MachinePapers, today: date) -> tuple[str, str] | None:
    """What is wrong with a machine's acceptance and registration on the local ``today``, in Chinese and
    English (None: in order, or unregistered still within its 30 days: :func:`registration_due`)."""
    if papers.accepted_on is None:
        return "未记录验收合格日期（未经验收不得使用）", "no acceptance recorded"
    if not papers.registration_no or papers.registered_on is None:
        due = registration_due(papers)
        if due is not None and today <= due:
            return None  # still within its 30 days: the warning of MachinePapersRules._registration
        return (
            f"验收合格（{papers.accepted_on}）已超过30天仍未办理使用登记",
            f"not registered for use more than 30 days after acceptance on {papers.accepted_on}",
        )
    late = (papers.registered_on - papers.accepted_on).days
    if late > REGISTER_WITHIN_D:
        return (
            f"使用登记日期 {papers.registered_on} 晚于验收合格 {papers.accepted_on} {late} 天（超过30天）",
            f"registered {late} days after acceptance (more than 30)",
        )
    return None


def inspection_level(papers: MachinePapers, today: date) -> Level | None:
    """The level of a machine's next periodic inspection on ``today`` (None: not due soon, or no date)."""
    return due_level(papers.next_inspection_on, today)


def probes(kind: Kind, dev: DeviceConfig, utc_offset_h: float) -> list[Probe]:
    """The papers rule of a machine whose site file dates its next periodic inspection: the machine's
    readings from the morning after that day (the date alone is the hazard, at work or at rest). It is
    latched as far as the readings go: only papers renewed in the site file end it."""
    if not isinstance(dev, MachineDevice) or dev.papers is None or dev.papers.next_inspection_on is None:
        return []
    metric = next(m.name for m in kind.metrics if not m.text)
    day_after = dev.papers.next_inspection_on + timedelta(days=1)
    morning = datetime(
        day_after.year, day_after.month, day_after.day, 9, tzinfo=timezone(timedelta(hours=utc_offset_h))
    )
    return [
        Probe(
            rule_of(kind.name),
            dev.id,
            metric,
            interval_s=dev.poll_interval_s,
            beyond=(0.0,),
            clear=0.0,
            latched=True,
            start=morning.timestamp(),
            alert=(dev.id, "inspection"),
        )
    ]


@dataclass
class _Machine:
    device: str
    name: str
    rule: str
    papers: MachinePapers
    installer_trade: Trade | None  # the category its 安拆 crew must hold (installers point)
    worked: bool = False  # at work since the start: a registration problem is a hazard from then
    judged: bool = False  # its registration verdict given since the last work


class MachinePapersRules(WorkWatcher):
    """The papers of every machine of a site that has them in its site file."""

    def __init__(self, site: SiteConfig, names: dict[str, str], utc_offset_h: float) -> None:
        self._day = SiteDay(utc_offset_h)  # the site's date at a tick
        self._machines = {
            d.id: _Machine(d.id, names[d.id], rule_of(d.kind), d.papers, d.installer_trade)
            for d in site.devices
            if isinstance(d, MachineDevice) and d.papers is not None
        }
        self._roster = {op.id: op for op in site.operators}
        self.registration, self.inspection, self.installers = LevelMemory(), LevelMemory(), LevelMemory()
        self._checked_on: date | None = None
        self._unjudged = True  # a machine's registration verdict is owed (it was seen at work since)

    def work_seen(self, device: str, what: tuple[str, str], ts: float) -> None:
        """``device`` at work (Shared.on_work): its registration is judged at the next tick."""
        machine = self._machines.get(device)
        if machine is not None and not machine.worked:
            machine.worked, machine.judged = True, False
            self._unjudged = True

    def tick(self, now: float) -> list[RuleResult]:
        """The verdicts reached by ``now``."""
        today = self._day.of(now)
        daily = today != self._checked_on
        if not daily and not self._unjudged:
            return []  # every tick but the first of a day and those after a machine started work
        out: list[RuleResult] = []
        self._checked_on, self._unjudged = today, False
        for m in self._machines.values():
            if not m.judged or daily:
                m.judged = True
                found = self._registration(m, today, now)
                if found is not None:
                    out.append(found)
                crew = self._installers(m, today, now)
                if crew is not None:
                    out.append(crew)
            if daily:
                found = self._inspection(m, today, now)
                if found is not None:
                    out.append(found)
        return out

    def _registration(self, m: _Machine, today: date, now: float) -> RuleResult | None:
        problem = registration_problem(m.papers, today)
        due = registration_due(m.papers)
        level: Level | None = "critical" if problem is not None and m.worked else None
        action = (
            "立即停止使用，完成验收并办理使用登记后方可作业",
            "stop using it until accepted and registered",
        )
        if problem is not None and m.worked:
            what, what_en = f"{m.name}{problem[0]}，设备在作业", f"{m.name} at work: {problem[1]}"
        elif problem is not None and due is not None:
            # idle past its 30 days: the registration is overdue all the same (建设部令第166号), a warning until
            # the machine works (then critical, above); never an all-clear
            level = "warning"
            what, what_en = (
                f"{m.name}验收合格（{m.papers.accepted_on}）已超过30天仍未办理使用登记（应于 {due} 前办理），"
                "设备未见作业",
                f"{m.name} not registered for use, due by {due} (accepted on {m.papers.accepted_on}); idle",
            )
            action = (
                "立即向建设主管部门办理使用登记，办理使用登记前不得投入使用",
                "register it for use now; do not use it before",
            )
        elif problem is not None:  # idle, not accepted or registered late: no hazard until it works
            what, what_en = f"{m.name}{problem[0]}，设备未见作业", f"{m.name} idle: {problem[1]}"
        elif due is not None:
            level = "warning"
            what, what_en = (
                f"{m.name}已于 {m.papers.accepted_on} 验收合格，尚未办理使用登记（应于 {due} 前办理）",
                f"{m.name} accepted on {m.papers.accepted_on}, not yet registered (due by {due})",
            )
            action = "在验收合格之日起30日内向建设主管部门办理使用登记", "register it for use before then"
        else:
            what, what_en = (
                f"{m.name}已验收并办理使用登记（{m.papers.registration_no}）",
                f"{m.name} registered",
            )
        return self.registration.report(
            m.device,
            "registration",
            level,
            lambda: RuleResult(
                rule=m.rule,
                device=m.device,
                point="registration",
                level=level,
                ts=now,
                clause=REGISTRATION_CLAUSE,
                value=m.papers.registration_no,
                message=pick(level, what, action[0]),
                message_en=pick_en(level, what_en, action[1]),
                details={
                    "accepted_on": str(m.papers.accepted_on),
                    "registered_on": str(m.papers.registered_on),
                },
            ),
        )

    def _installers(self, m: _Machine, today: date, now: float) -> RuleResult | None:
        """The installers point: judged once the papers name a crew (empty: not judged)."""
        if not m.papers.installers or m.installer_trade is None:
            return None
        problems = installer_problems(m.papers, self._roster, m.installer_trade, today)
        level: Level | None = "critical" if problems and m.worked else None
        if problems:
            what = f"{m.name}由无有效安装拆卸工证书人员安装，设备在作业：" + "；".join(p[0] for p in problems)
            what_en = f"{m.name} at work, erected by uncertified installers: " + "; ".join(
                p[1] for p in problems
            )
        else:
            what, what_en = f"{m.name}安拆人员持证有效", f"{m.name} installers certified"
        return self.installers.report(
            m.device,
            "installers",
            level,
            lambda: RuleResult(
                rule=m.rule,
                device=m.device,
                point="installers",
                level=level,
                ts=now,
                clause=INSTALLER_CLAUSE,
                value=len(problems),
                message=pick(
                    level, what, "立即停止使用，由具备资质的安装单位持证人员复查安装质量并重新验收后方可使用"
                ),
                message_en=pick_en(level, what_en, "stop using it until certified installers re-check it"),
                details={"installers": list(m.papers.installers), "installed_on": str(m.papers.installed_on)},
            ),
        )

    def _inspection(self, m: _Machine, today: date, now: float) -> RuleResult | None:
        level = inspection_level(m.papers, today)
        due = m.papers.next_inspection_on
        days = (due - today).days if due is not None else 0
        if level == "critical":
            what, what_en = (
                f"{m.name}定期检验已于 {due} 到期",
                f"{m.name}'s periodic inspection was due on {due}",
            )
            action, action_en = "立即停止使用，经检验合格后方可使用", "stop using it until inspected"
        elif level == "warning":
            what, what_en = (
                f"{m.name}定期检验将于 {due} 到期（{days} 天）",
                f"{m.name}'s inspection due on {due}",
            )
            action, action_en = "安排检验检测机构按期检验", "book the inspection body in time"
        else:
            what, what_en, action, action_en = (
                f"{m.name}定期检验在有效期内",
                f"{m.name} inspection in date",
                "",
                "",
            )
        return self.inspection.report(
            m.device,
            "inspection",
            level,
            lambda: RuleResult(
                rule=m.rule,
                device=m.device,
                point="inspection",
                level=level,
                ts=now,
                clause=INSPECTION_CLAUSE,
                value=float(days),
                unit="d",
                message=pick(level, what, action),
                message_en=pick_en(level, what_en, action_en),
                details={"next_inspection_on": str(due)},
            ),
        )
