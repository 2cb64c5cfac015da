"""<kind>.install: a crane's or hoist's 安拆 window (安装、顶升加节、拆卸; standards.md §10, §13, §19), opened
and closed by a supervisor as the machine's ``install_active`` reading (1 erecting, 2 climbing, 3 dismantling,
0 closed), stored and replayed like any reading. A tower crane's jacking window (``jacking_active``,
kinds/crane/jacking_window.py) is 安拆 work too (JGJ 196-2010: 顶升、加节、降节 are installation): it is judged as the
climb stage for the ``crew``, ``supervisor`` and ``safety_officer`` points, and the ``installer`` and ``plan``
points (the crane's judge tells :meth:`InstallRules.jacking`), whatever the crane's papers say: papers naming no
installers, no safety officer, no installer company or no notice are each critical, as for an 安拆 window. Both windows open on one crane are one set of
points, judged once; closing either leaves them judged while the other is open. While a window is open, each
point is its own module's verdict:

- ``crew`` (rules/install_crew.py): every installer the machine's papers name badged in through the access
  gates with a valid 安装拆卸工 certificate of its category that day, none named being no crew;
- ``supervisor``: the chief supervisor (总监理工程师, the site's supervising engineer of record) badged in;
- ``safety_officer``: one of the 安拆 contractor's full-time safety officers the papers name badged in, or
  critical (standards.md §19 (d); 建设部令第166号 第十三条: its technical staff and safety officer supervise on
  site); papers naming none are no safety officer, critical as well (as papers naming no installers are no
  crew);
- ``installer``: the 安拆 contractor the papers name holds its qualification and safety production licence that
  day, or critical (建设部令第166号 第十条; rules/install_papers.py);
- ``plan``: a notice of the job to the construction authority for the window's stage, dated that day or before,
  whose 危大 item has its special plan written, reviewed and, 超过一定规模, expert-reviewed, or critical
  (standards.md §19 (a)(b); 第十二条(五), 建质规〔2024〕5号 第四条(四));
- ``load`` (cranes): a loaded hook while erecting or dismantling is critical; not during the climb, whose hook
  must carry the manual's balance load (配平, standards.md §10: crane.jacking_balance judges it);
- ``exclusion`` and ``exclusion_watch``: people in the machine's exclusion zone (警戒区) as a camera counts
  them, and that camera's silence (rules/install_zone.py); an 安拆 window's only;

and once an erection or climb closed, or a crane's jacking window fitted new ties (附着, its ``ties_added`` reading:
ties need acceptance, a climb alone does not, standards.md §13), ``acceptance``: the machine at work before an
acceptance dated on or after that day is critical (建质规〔2024〕5号 第八条(一)); the papers rule judges its use
registration from then.
Presence is what the gates last said: a gate never heard from has nobody on site (a silent gate never
clears an alert).

One instance serves the site (``install_rules``): the machines' judges tell it of windows and loads, the
access gates' of passages, the engine of the cameras' readings, and every judge ticks it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from contract.alert_event import Level
from contract.config.crane import Operator
from contract.config.papers import INSTALL_STAGES, MachineDevice, MachinePapers
from contract.config.site import SiteConfig
from contract.config.trades import Trade
from contract.readings import Reading
from rules.install_crew import crew_problems
from rules.install_papers import INSTALLER_CLAUSE, PLAN_CLAUSE, installer_problems, plan_problems
from rules.install_zone import ExclusionZones
from rules.kinds.base import Shared, some
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.site_day import SiteDay
from rules.weather_site import SiteWeather
from rules.wording import MAJOR_ZH, pick, pick_en
from rules.work_watcher import WorkWatcher

CREW_CLAUSE = (
    f"建质规〔2024〕5号 第四条(三) 特种作业人员未取得有效操作资格证书上岗作业，{MAJOR_ZH}；"
    "建设部令第166号 第二十五条（安装拆卸工持证）、第十三条（安装单位现场监督，条号未核实）"
)
SUPERVISOR_CLAUSE = (
    "建设部令第166号 第二十二条（条号未核实） 监理单位监督安装拆卸专项方案执行；住建部令第37号 专项巡视检查；"
    "部分省份要求监理旁站（非国家条文，实践值）"
)
LOAD_CLAUSE = (
    "起重机械安装拆卸作业安全要点：安装、拆卸期间不得进行起升、回转、变幅等操作"
    "（实践值，非标准条文；顶升加节时吊钩按说明书配平，由顶升配平判定）"
)
OFFICER_CLAUSE = (
    "建设部令第166号 第十三条 安装单位的专业技术人员、专职安全生产管理人员应当进行现场监督（条号未核实）；"
    "安拆窗口须安装单位专职安全员在场（standards.md §19，实践值）"
)
ACCEPTANCE_CLAUSE = (
    f"建质规〔2024〕5号 第八条(一) 建筑起重机械未经验收合格即投入使用，{MAJOR_ZH}；"
    "建设部令第166号 安装完毕经检验、验收合格后方可使用，验收合格之日起30日内办理使用登记"
)
TIES_CLAUSE = (
    "；新增附着须重新验收，顶升加节本身无需重新验收（建设部令第166号，条号未核实；standards.md §13）"
)
INSTALLER_ACTION = (
    "立即停止安拆作业：由具有相应资质和有效安全生产许可证的安装单位承担，并在站点文件 papers.installer_company 中登记",
    "stop: a qualified, licensed installer only",
)
PLAN_ACTION = (
    "立即停止安拆作业：专项方案经编制、审核（超过一定规模的经专家论证），连同作业人员名单和作业时间告知县级以上"
    "建设主管部门，并在站点文件 papers.install_notices 中登记后方可作业",
    "stop: have the plan reviewed and the job notified first",
)
CLOSED = 0
CLIMB = 2  # 顶升加节: the stage a crane's jacking window is judged as (standards.md §10)


def rule_of(kind: str) -> str:
    """The 安拆 rule id of a machine kind, e.g. crane.install."""
    return f"{kind}.install"


@dataclass
class _Machine:
    device: str
    name: str
    rule: str
    papers: MachinePapers
    trade: Trade
    stage: int = CLOSED
    jacking: bool = False  # a jacking window open on it: the climb
    opened: float | None = None  # when its 安拆 window opened (None: closed)
    erected_on: date | None = (
        None  # the day its last erection, climb or added ties: acceptance owed from then
    )
    ties: int = 0  # ties a jacking window fitted that day (0: the acceptance is owed for an 安拆 window)
    work: tuple[str, str] | None = None  # the work heard of since the last tick, after erected_on
    facts: dict[str, object] = field(default_factory=dict)  # each point's last inputs judged


class InstallRules(WorkWatcher):
    """The 安拆 windows of every crane and hoist of a site."""

    def __init__(
        self, site: SiteConfig, names: dict[str, str], utc_offset_h: float, weather: SiteWeather
    ) -> None:
        self._machines = {
            d.id: _Machine(d.id, names[d.id], rule_of(d.kind), d.papers or MachinePapers(), d.installer_trade)
            for d in site.devices
            if isinstance(d, MachineDevice) and d.installer_trade is not None and d.kind in ("crane", "hoist")
        }
        self._roster: dict[str, Operator] = {op.id: op for op in site.operators}
        self._supervisors = {p.id for p in site.key_personnel if p.role == "chief_supervisor"}
        self._works = {w.id: w for w in site.dangerous_works}  # the 危大 items the 安拆 notices name
        self._watched = set(self._supervisors) | {
            w for m in self._machines.values() for w in (*m.papers.installers, *m.papers.safety_officers)
        }
        self._inside: set[str] = set()  # of those watched, who the gates last saw come in
        self._zones = ExclusionZones(site)
        self._day = SiteDay(utc_offset_h)
        self._last_tick = -1.0
        self._tick_day: date | None = None  # the local day of the last tick
        self._open: set[str] = set()  # the machines whose 安拆 or jacking window is open
        self._worked = False  # a machine's work since the last tick is waiting for its acceptance's verdict
        self._weather = weather  # an open window is erection work against its weather stop
        self.memory = LevelMemory()

    def window(self, device: str, stage: float, ts: float) -> list[RuleResult]:
        """``device``'s window set to ``stage`` (0 closed) at ``ts``: its verdicts now."""
        m = self._machines.get(device)
        if m is None or int(stage) not in INSTALL_STAGES or int(stage) == m.stage:
            return []
        if int(stage) == CLOSED and m.stage in (1, 2):
            m.erected_on = self._day.of(ts)  # erected or climbed: accepted again before work
            m.ties = 0
        if int(stage) == CLOSED:
            m.opened = None
        elif m.stage == CLOSED:
            m.opened = ts  # from closed; a change of stage keeps the window open since then
        m.stage = int(stage)
        self._track(m)
        m.facts.clear()
        work = (
            (f"{m.name}{INSTALL_STAGES[m.stage]}作业", f"安拆 of {m.device}") if m.stage != CLOSED else None
        )
        self._weather.window(device, "install", work, ts)
        return self._judge(m, ts)

    def jacking(self, device: str, active: bool, ts: float) -> list[RuleResult]:
        """A crane's jacking window opened (``active``) or closed at ``ts`` (the crane's judge tells): jacking is
        安拆 work (standards.md §10, §19: a jacking window may open only with certified installers, the installer's
        safety officer, its qualification and the notice), so its crew, supervisor, safety officer, installer and
        plan are judged as an 安拆 window's climb, papers naming nobody being no crew. An 安拆 window open on it
        judges them already: nothing is judged again, and closing either window leaves them judged while the
        other is open."""
        m = self._machines.get(device)
        if m is None or m.jacking == active:
            return []
        m.jacking = active
        self._track(m)
        if m.stage != CLOSED:
            # the 安拆 window's crew points stand as they are; its hook now holds the balance load
            return some(self.loaded(device, False, ts)) if active else []
        m.facts.clear()
        return self._crew(m, ts, "顶升")

    def tied(self, device: str, ties: int, ts: float) -> None:
        """A jacking window of ``device`` fitted ``ties`` new ties (附着) as it closed at ``ts``: the ties are
        accepted before the crane works again (standards.md §10, §13 [U]: jacking alone needs no acceptance)."""
        m = self._machines.get(device)
        if m is not None:
            m.erected_on, m.ties = self._day.of(ts), ties

    def _track(self, m: _Machine) -> None:
        """``m`` among the machines with a window open (a tick judges them), or not."""
        (self._open.add if _judged(m) != CLOSED else self._open.discard)(m.device)

    def active(self, device: str) -> bool:
        """Is an 安拆 window open on ``device``?"""
        m = self._machines.get(device)
        return m is not None and m.stage != CLOSED

    def stage_zh(self, device: str) -> str:
        """The stage under way on ``device``, in Chinese ("": no window open)."""
        m = self._machines.get(device)
        return "" if m is None or m.stage == CLOSED else INSTALL_STAGES[m.stage]

    def passage(self, person: str, entered: bool, ts: float) -> list[RuleResult]:
        """A gate saw ``person`` come in or leave: the open windows judged again if they are crew or supervisor."""
        if person not in self._watched:
            return []
        (self._inside.add if entered else self._inside.discard)(person)
        out: list[RuleResult] = []
        for m in self._machines.values():
            if m.stage != CLOSED:
                out.extend(self._judge(m, ts))
            elif m.jacking:
                out.extend(self._crew(m, ts))
        return out

    def camera(self, r: Reading) -> list[RuleResult]:
        """A camera's reading: the people it counts in a machine's exclusion zone judged while its window
        is open (Shared.on_camera)."""
        device = self._zones.heard(r)
        m = self._machines.get(device or "")
        if m is None or m.stage == CLOSED:
            return []
        return self._zone(m, r.ts, ("exclusion", "exclusion_watch"))

    def loaded(self, device: str, loaded: bool, ts: float) -> RuleResult | None:
        """A crane's hook loaded (or not) at ``ts``: the ``load`` point while it is erected or dismantled. Not
        while it climbs (the climb stage, or a jacking window open, 降节 inside a dismantling say): its hook then
        carries the manual's balance load (配平, standards.md §10), which crane.jacking_balance judges."""
        m = self._machines.get(device)
        if m is None:
            return None
        judged = _hook_judged(m)
        # not judged and nothing to clear (no point of any machine owes a report: the hook of a crane that never
        # had a window, at every sample, without the load point's key made and looked up)
        if not judged and (not self.memory.owes() or self.memory.get(device, "load") is None):
            return None
        level: Level | None = "critical" if loaded and judged else None
        stage = INSTALL_STAGES[m.stage]
        if level is not None:
            what = (f"{m.name}{stage}作业中吊钩有载", f"{m.name}: hook loaded during 安拆")
        elif judged:
            what = (f"{m.name}{stage}作业中吊钩空载", f"{m.name}: hook empty during 安拆")
        elif m.stage == CLIMB or m.jacking:
            what = (
                f"{m.name}转入顶升加节，吊钩按说明书配平",
                f"{m.name} climbing: hook balanced per the manual",
            )
        else:
            what = (f"{m.name}安拆作业结束", f"{m.name} 安拆 over")
        return self._report(
            m,
            "load",
            level,
            ts,
            LOAD_CLAUSE,
            what,
            (
                "立即停止吊装：安拆期间不得起升、回转、变幅",
                "stop lifting: no hoisting, slewing or luffing during 安拆",
            ),
        )

    def work_seen(self, device: str, what: tuple[str, str], ts: float) -> None:
        """``device`` at work (Shared.on_work): after an erection or climb, its acceptance is judged at the
        next tick."""
        m = self._machines.get(device)
        if m is not None and m.erected_on is not None and m.stage == CLOSED:
            m.work = what
            self._worked = True

    def _acceptance(self, m: _Machine, ts: float) -> RuleResult | None:
        """Work after an erection, a climb or ties added: an acceptance dated since, or critical."""
        assert m.erected_on is not None and m.work is not None
        accepted = m.papers.accepted_on
        level: Level | None = None if accepted is not None and accepted >= m.erected_on else "critical"
        done = (f"新增{m.ties}道附着", f"{m.ties} ties added") if m.ties else ("安拆作业结束", "its 安拆")
        return self._report(
            m,
            "acceptance",
            level,
            ts,
            ACCEPTANCE_CLAUSE + (TIES_CLAUSE if m.ties else ""),
            (
                f"{m.name}于 {m.erected_on} {done[0]}后未经验收（验收日期：{accepted or '未记录'}）即{m.work[0]}",
                f"{m.name}: {m.work[1]} before acceptance after {done[1]} on {m.erected_on}",
            ),
            ("立即停止使用：经检验、验收合格并办理使用登记后方可使用", "stop: accept and register it first"),
        )

    def tick(self, now: float) -> list[RuleResult]:
        """Once per instant, whichever judges tick it: work heard of since judged for its acceptance, and at
        a new local day the open windows judged again (a certificate that expired at midnight)."""
        if now == self._last_tick:
            return []
        today = self._day.of(now)
        new_day = today != self._tick_day
        self._last_tick, self._tick_day = now, today
        if not (new_day or self._worked or self._open):
            return []  # no window open, no work after an erection: nearly every instant of a site
        self._worked = False
        out: list[RuleResult | None] = []
        for m in self._machines.values():
            if m.work is not None:
                out.append(self._acceptance(m, now))
                m.work = None
            if new_day and m.stage != CLOSED:
                out.extend(self._judge(m, now))
            elif new_day and m.jacking:
                out.extend(self._crew(m, now))
            elif m.stage != CLOSED:
                out.extend(self._zone(m, now, ("exclusion_watch",)))  # a camera's silence
        return [r for r in out if r is not None]

    def _judge(self, m: _Machine, ts: float) -> list[RuleResult]:
        """Every point of ``m`` an 安拆 window opening, changing stage or closing judges: its crew points, its
        load, its exclusion zone (their alerts clear when its window closes, the crew's unless a jacking window
        is open still)."""
        out = self._crew(m, ts)
        if not _hook_judged(m):  # a load alert ends with erecting or dismantling
            out.extend(some(self.loaded(m.device, False, ts)))
        return out + self._zone(m, ts, ("exclusion", "exclusion_watch"))

    def _crew(self, m: _Machine, ts: float, ended: str = "安拆") -> list[RuleResult]:
        """The crew, supervisor and safety officer points of ``m``: judged while an 安拆 window or a jacking
        window (the climb) is open, cleared once neither is; ``ended``: the window that closed, in Chinese."""
        judged = _judged(m)
        today, open_ = self._day.of(ts), judged != CLOSED
        stage = INSTALL_STAGES[judged] if open_ else ended
        problems = (
            crew_problems(m.papers.installers, self._roster, self._inside, m.trade, today) if open_ else []
        )
        over = f"{m.name}{ended}作业结束"
        officers = m.papers.safety_officers
        if not open_ or set(officers) & self._inside:
            officer: Level | None = None
            said = f"{m.name}{stage}作业中安装单位专职安全员在场" if open_ else over
            officer_action = ("", "")
        elif officers:
            officer = "critical"
            said = f"{m.name}{stage}作业中安装单位专职安全员（{'、'.join(officers)}）未经闸机进场"
            officer_action = (
                "立即停止安拆作业，安装单位专职安全员到场监督后方可继续",
                "stop until the installer's safety officer is on site",
            )
        else:  # papers naming none: nobody can be shown on site (standards.md §19 (d))
            officer = "critical"
            said = f"{m.name}{stage}作业：站点文件未登记安装单位专职安全员（papers.safety_officers）"
            officer_action = (
                "立即停止安拆作业，在站点文件 papers.safety_officers 中登记安拆单位专职安全员，"
                "并经闸机实名进场监督后方可继续",
                "stop: name the installer's safety officer in papers.safety_officers and have them badge in",
            )
        out = [
            self._report(
                m,
                "crew",
                "critical" if problems else None,
                ts,
                CREW_CLAUSE,
                (
                    (f"{m.name}{stage}作业：" + "；".join(problems))
                    if problems
                    else f"{m.name}{stage}作业人员持证在场"
                    if open_
                    else over,
                    f"{m.name}: 安拆 crew not certified or not badged in"
                    if problems
                    else f"{m.name} crew in order",
                ),
                (
                    "立即停止安拆作业，由持有效安装拆卸工证书人员经闸机实名进场后作业",
                    "stop until the certified crew is in",
                ),
            ),
            self._report(
                m,
                "supervisor",
                "alarm" if open_ and not (self._supervisors & self._inside) else None,
                ts,
                SUPERVISOR_CLAUSE,
                (
                    f"{m.name}{stage}作业中监理人员未到场旁站" if open_ else over,
                    f"{m.name}: no supervisor on site during 安拆" if open_ else f"{m.name} 安拆 over",
                ),
                ("通知总监理工程师到场旁站监督，未到场前暂停作业", "call the supervisor to the site"),
            ),
            self._report(
                m,
                "safety_officer",
                officer,
                ts,
                OFFICER_CLAUSE,
                (
                    said,
                    f"{m.name}: the installer's safety officer not on site during 安拆"
                    if officer
                    else f"{m.name} installer's safety officer in order",
                ),
                officer_action,
            ),
            *self._papers(m, ts, judged, today, over),
        ]
        return [r for r in out if r is not None]

    def _papers(self, m: _Machine, ts: float, judged: int, today: date, over: str) -> list[RuleResult | None]:
        """The ``installer`` and ``plan`` points of ``m`` with its window at stage ``judged`` (CLOSED: cleared)."""
        open_ = judged != CLOSED
        out = []
        for point, problems, clause, fine, en, action in (
            (
                "installer",
                installer_problems(m.papers.installer_company, today) if open_ else [],
                INSTALLER_CLAUSE,
                "安装单位资质、安全生产许可证有效",
                "the installer's qualification and safety licence",
                INSTALLER_ACTION,
            ),
            (
                "plan",
                plan_problems(m.papers.install_notices, self._works, judged, today) if open_ else [],
                PLAN_CLAUSE,
                "已告知，专项方案已审核",
                "the 安拆 notice and its special plan",
                PLAN_ACTION,
            ),
        ):
            if problems:
                what = (
                    f"{m.name}{INSTALL_STAGES[judged]}作业：" + "；".join(problems),
                    f"{m.name}: {en} not in order",
                )
            elif open_:
                what = (f"{m.name}{INSTALL_STAGES[judged]}作业{fine}", f"{m.name}: {en} in order")
            else:
                what = (over, f"{m.name} 安拆 over")
            out.append(self._report(m, point, "critical" if problems else None, ts, clause, what, action))
        return out

    def _zone(self, m: _Machine, ts: float, points: tuple[str, ...]) -> list[RuleResult]:
        """The ``points`` of ``m``'s exclusion zone (none: it has no zone)."""
        if not self._zones.has(m.device):
            return []
        stage = INSTALL_STAGES[m.stage] if m.stage != CLOSED else ""
        out = [
            self._report(m, v.point, v.level, ts, v.clause, v.what, v.action, v.value)
            for v in self._zones.judge(m.device, m.name, stage, m.opened, ts)
            if v.point in points
        ]
        return [r for r in out if r is not None]

    def _report(
        self,
        m: _Machine,
        point: str,
        level: Level | None,
        ts: float,
        clause: str,
        what: tuple[str, str],
        action: tuple[str, str],
        value: float | None = None,
    ) -> RuleResult | None:
        if m.facts.get(point) == (level, what[0]) and level is None:
            return None  # said already: a clear point is said once
        m.facts[point] = (level, what[0])
        make: Callable[[], RuleResult] = lambda: RuleResult(  # noqa: E731
            rule=m.rule,
            device=m.device,
            point=point,
            level=level,
            ts=ts,
            clause=clause,
            value=value,
            message=pick(level, what[0], action[0]),
            message_en=pick_en(level, what[1], action[1]),
            details={"stage": INSTALL_STAGES[_judged(m)], "installers": list(m.papers.installers)},
        )
        return self.memory.report(m.device, point, level, make)


def _hook_judged(m: _Machine) -> bool:
    """Whether ``m``'s hook must be empty now: erecting or dismantling, not climbing (the climb stage, or a
    jacking window open), whose hook carries the manual's balance load."""
    return m.stage not in (CLOSED, CLIMB) and not m.jacking


def _judged(m: _Machine) -> int:
    """The stage ``m``'s crew points judge: its 安拆 window's, else a jacking window's (the climb), else
    CLOSED."""
    if m.stage != CLOSED:
        return m.stage
    return CLIMB if m.jacking else CLOSED


def install_rules(shared: Shared) -> InstallRules:
    """The site's one InstallRules (made at the first judge that asks), hearing of the machines' work."""

    def make() -> InstallRules:
        rules = InstallRules(shared.config, shared.names, shared.utc_offset_h, shared.weather)
        shared.on_work(rules)
        shared.on_camera(rules.camera)
        return rules

    return shared.one("install", make)
