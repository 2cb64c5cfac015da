"""The site's hot-work permits (动火许可证, docs/standards.md §18): issued by a supervisor who confirmed the
fire measures on the spot, closed with the post-work check, kept durably in the gateway's SQLite and handed
to the rules whole at start and at every change, as the warning signals are (weather_warnings.py).

A permit is no device's work window (pours.json, jacking): its place is a part of the building, not a
machine, and gas cutting has no sensor at all. The rules judge it by time (rules/hot_work.py): a welder
at work at a place with none in force, its fire watch not badged in, its window over without the check.

What issuing refuses, each naming the field and the fix: the operator's card past its last valid day
before the window ends (消防法 Art. 21; GB 50720-2011 §6.3.1(2); §19: the issuer's date, never computed), or held
by the site's operators roster as not valid or valid to an earlier day (hot_work_operator.py: the register's
state and date over the request's),
fewer than 2 extinguishers or not checked (§5.2.1), combustibles not cleared (§6.3.1(3)), the fire watch
being the operator (the same badge, or the same name where the operator has no badge to tell them apart) or
already the watch of another permit in force at some instant of the window (§6.3.1(6): 每个动火作业点均应设置1个
监护人, a watch of their own for each point; "in force" as contract/hot_work.py judges it, so a closed or lapsed
permit frees its watch), a window longer than its approval level's validity, or than the longest any permit
may run where it names no level. Those validities are the company's scheme, not
GB 50720's (which defines no levels): the site file's ``hot_work_permits`` (contract/config/hot_work_permits.py),
defaults 一级 1 day, 二级 3 days, 三级 and no level a week (the scheme §18 quotes [U]). Issuing is not the
only check: the rules and the list judge every kept permit against the scheme as the site file gives it at
each check (contract/hot_work.py ``Permit.validity``), so a permit signed under a longer validity, restored
from a backup or left from before a change of the file, covers no hot work past today's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Protocol

from contract.config.crane import Operator as RosterEntry
from contract.config.hot_work_permits import HotWorkPermitsConfig
from contract.hot_work import (
    CYLINDERS_APART_M,
    CYLINDERS_TO_FLAME_M,
    MIN_EXTINGUISHERS,
    Permit,
    PermitRequest,
    hours_zh,
    validity_en,
)
from gateway.site.hot_work_operator import OperatorRegister
from gateway.site.site_work import WorkError
from gateway.site.weather_warnings import KEPT_FOR_RULES_S
from gateway.sqlite_tx import connect, transaction
from rules.hot_work_clauses import CHECKED_2011, GB50720, GB50720_EN, cite_6_3_1

log = logging.getLogger(__name__)

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS permits (id TEXT PRIMARY KEY, body TEXT NOT NULL, start_ts REAL NOT NULL)"
)
SCHEME_CLAUSE = (
    "企业动火分级管理规定（企业做法 [U]，docs/standards.md §18；GB 50720-2011 未规定分级）",
    "company practice [U], §18",
)
ONE_WATCH_ZH = f"每个动火作业点均应设置1个监护人（{cite_6_3_1(6)}，{CHECKED_2011}）"


class PermitSink(Protocol):
    """What judges the permits (the RuleEngine)."""

    def set_permits(self, permits: list[Permit]) -> None: ...


class HotWork:
    """The hot-work permits of one gateway, in ``hot_work.sqlite``."""

    def __init__(
        self,
        path: Path,
        sink: PermitSink,
        utc_offset_h: float,
        clock: Callable[[], float] = time.time,
        validity: HotWorkPermitsConfig | None = None,
        roster: Sequence[RosterEntry] = (),
    ) -> None:
        self._db = connect(path, SCHEMA)
        self._register = OperatorRegister(roster)  # the site file's operators: their cards as registered
        self._path = path
        self._unreadable: set[str] = set()  # the rows logged as unreadable
        # the site file's hot_work_permits (the company's scheme), its defaults where the site says nothing
        self._validity = validity if validity is not None else HotWorkPermitsConfig()
        self._sink = sink
        self._tz = timezone(timedelta(hours=utc_offset_h))
        self._clock = clock
        self._tell()

    @property
    def scheme(self) -> HotWorkPermitsConfig:
        """The site's validities by level, as its file gives them now: the list's states judge by it."""
        return self._validity

    def all(self) -> list[Permit]:
        """Every permit kept, the latest window first. A row that no longer reads as a permit (a damaged
        file, a restore from another version) is left out, logged once: it covers no hot work."""
        rows = self._db.execute("SELECT id, body FROM permits ORDER BY start_ts DESC, id DESC").fetchall()
        found: list[Permit] = []
        for pid, body in rows:
            try:
                found.append(Permit.model_validate_json(body))
            except ValueError as exc:  # pydantic's ValidationError is one
                if pid not in self._unreadable:
                    self._unreadable.add(pid)
                    log.error(
                        "hot-work permit %s in %s is unreadable and covers no hot work (welding at its place "
                        "alerts as unpermitted): issue it again. %s",
                        pid,
                        self._path,
                        str(exc).splitlines()[0],
                    )
        return found

    def of_day(self, day: date) -> list[Permit]:
        """The permits whose window touches ``day`` (site time), earliest first: the safety log's."""
        start = datetime.combine(day, datetime.min.time(), self._tz)
        end = start + timedelta(days=1)
        return [p for p in reversed(self.all()) if p.start < end and p.end > start]

    def issue(self, request: PermitRequest, signer: str) -> Permit:
        """Record a permit signed by ``signer`` now (WorkError naming what is missing or wrong)."""
        _check(request, self._tz, self._validity)
        self._register.check(request, request.end.astimezone(self._tz).date())
        _check_watch_free(request, self.all(), self._tz, self._validity)
        now = self._clock()
        day = datetime.fromtimestamp(now, self._tz).strftime("%Y%m%d")
        taken = self._db.execute("SELECT COUNT(*) FROM permits WHERE id LIKE ?", (f"DH-{day}-%",)).fetchone()[
            0
        ]
        permit = Permit(**request.model_dump(), id=f"DH-{day}-{taken + 1:03d}", signer=signer, signed_ts=now)
        self._write(permit)
        return permit

    def close(self, permit_id: str, who: str, checked: bool) -> Permit:
        """Close a permit with its post-work check (WorkError for an unknown id, one closed, no check)."""
        permit = self.find(permit_id)
        if permit.closed_ts is not None:
            raise WorkError(
                f"动火许可证 {permit_id} 已由 {permit.closed_by or '?'} 关闭。"
                f" Permit {permit_id} was already closed by {permit.closed_by or '?'}"
            )
        if not checked:
            raise WorkError(
                f"{permit_id}：关闭须确认动火后检查（checked: true）：动火后检查作业现场，确认无火灾危险后"
                f"操作人员方可离开（{cite_6_3_1(8)}，{CHECKED_2011}）；请检查作业点及其下方、周边后再关闭。"
                f" {permit_id}: closing needs checked: true: the place and what lies below and around it "
                f"inspected, no fire risk left ({GB50720_EN} §6.3.1(8))"
            )
        closed = permit.model_copy(update={"closed_ts": self._clock(), "closed_by": who})
        self._write(closed)
        return closed

    def find(self, permit_id: str) -> Permit:
        """One permit by id (WorkError if there is none)."""
        row = self._db.execute("SELECT body FROM permits WHERE id = ?", (permit_id,)).fetchone()
        if row is None:
            raise WorkError(
                f"没有动火许可证 {permit_id!r}（sitegw hot-work list 列出全部）。"
                f" No hot-work permit {permit_id!r} (sitegw hot-work list shows them)"
            )
        try:
            return Permit.model_validate_json(row[0])
        except ValueError:
            raise WorkError(
                f"动火许可证 {permit_id!r} 记录已损坏无法读取，不覆盖任何动火作业；请重新办理。"
                f" Hot-work permit {permit_id!r} is unreadable: it covers no hot work; issue it again"
            ) from None

    def _write(self, permit: Permit) -> None:
        with transaction(self._db):
            self._db.execute(
                "INSERT OR REPLACE INTO permits (id, body, start_ts) VALUES (?, ?, ?)",
                (permit.id, permit.model_dump_json(), permit.start.timestamp()),
            )
        self._tell()

    def _tell(self) -> None:
        """Hand the rules every permit not yet over, unclosed, or over within KEPT_FOR_RULES_S (older ones
        are history only)."""
        since = self._clock() - KEPT_FOR_RULES_S
        self._sink.set_permits([p for p in self.all() if p.closed_ts is None or p.closed_ts >= since])

    def shut(self) -> None:
        """Close the database."""
        self._db.close()


def _check(r: PermitRequest, tz: timezone, validity: HotWorkPermitsConfig) -> None:
    """WorkError for a request §18 (or the site's scheme of levels) does not allow to be signed."""
    if r.end <= r.start:
        raise WorkError(
            f"结束时间 {r.end.isoformat()} 不晚于开始时间 {r.start.isoformat()}：请填写正确的作业时段。"
            f" End {r.end.isoformat()} is not after start {r.start.isoformat()}: give the window's times"
        )
    _check_validity(r, validity)
    last_day = r.end.astimezone(tz).date()
    if r.operator.valid_until < last_day:
        raise WorkError(
            f"动火操作人 {r.operator.name} 的证书 {r.operator.certificate_no}（{r.operator.certificate_kind}）有效期至 "
            f"{r.operator.valid_until.isoformat()}，早于作业结束日 {last_day.isoformat()}：电焊、气焊等动火操作须持有效证件"
            f"（消防法 第二十一条；{cite_6_3_1(2)}，{CHECKED_2011}）；请指定持有效证件的操作人，或先办理复审。"
            f" Operator {r.operator.name}'s certificate {r.operator.certificate_no} ({r.operator.certificate_kind}) "
            f"is valid until {r.operator.valid_until.isoformat()}, before the window ends on "
            f"{last_day.isoformat()}: hot work needs a valid card (消防法 第二十一条, {GB50720_EN} "
            "§6.3.1(2)); name a certified operator or renew the card"
        )
    if r.extinguishers < MIN_EXTINGUISHERS or not r.extinguishers_checked:
        raise WorkError(
            f"灭火器 {r.extinguishers} 具{'' if r.extinguishers_checked else '，未确认检查'}：动火作业点应配置不少于 "
            f"{MIN_EXTINGUISHERS} 具灭火器并经检查有效（extinguishers_checked: true；{GB50720} 第5.2.1条、"
            f"第6.3.1条第6款，{CHECKED_2011}）；请配齐并检查后再签发。"
            f" Extinguishers: {r.extinguishers} given{'' if r.extinguishers_checked else ', not checked'}: "
            f"at least {MIN_EXTINGUISHERS} at the place, checked (extinguishers_checked: true; "
            f"{GB50720_EN} §5.2.1, §6.3.1(6))"
        )
    if not r.combustibles_cleared:
        raise WorkError(
            f"未确认清理可燃物（combustibles_cleared 须为 true）：动火前清理作业现场的可燃物，"
            f"无法移走的以不燃材料覆盖或隔离（{cite_6_3_1(3)}，{CHECKED_2011}）；请清理或覆盖后再签发。"
            " combustibles_cleared must be true: combustibles removed, or covered with non-combustible "
            f"material, before signing ({GB50720_EN} §6.3.1(1)(3))"
        )
    _check_watch_not_operator(r)
    _check_cylinders(r)


def _check_cylinders(r: PermitRequest) -> None:
    """WorkError for gas welding without its cylinders checked, or cylinders (of any method that gives them)
    too close to each other or to the flame, or with a regulator or flashback arrestor not checked sound."""
    c = r.cylinders
    if c is None:
        if r.method != "gas_welding":
            return
        raise WorkError(
            f"气焊须记录气瓶检查（cylinders：氧气瓶与乙炔瓶间距 apart_m、距明火 to_flame_m、减压器及回火防止器完好 "
            f"regulators_checked）（{GB50720}第6.3.3条）；请到现场检查气瓶后填写再签发。"
            " Gas welding needs its cylinders as checked (cylinders: apart_m, to_flame_m, regulators_checked; "
            f"{GB50720_EN} §6.3.3): check them on the spot and give them"
        )
    if not c.regulators_checked:
        raise WorkError(
            f"未确认气瓶减压器、回火防止器完好（cylinders.regulators_checked 须为 true）：{GB50720}第6.3.3条第1款"
            "（强制性条文）不得使用减压器、回火防止器等有缺陷的气瓶；请检查或更换后再签发。"
            " cylinders.regulators_checked must be true: no cylinder with a defective regulator or flashback "
            f"arrestor may be used ({GB50720_EN} §6.3.3(1), mandatory); check or replace them"
        )
    for got, least, what_zh, what_en, name in (
        (
            c.apart_m,
            CYLINDERS_APART_M,
            "氧气瓶与乙炔瓶（燃气瓶）工作间距",
            "the oxygen and fuel-gas cylinders' gap",
            "apart_m",
        ),
        (
            c.to_flame_m,
            CYLINDERS_TO_FLAME_M,
            "气瓶与明火的距离",
            "the cylinders' distance from the flame",
            "to_flame_m",
        ),
    ):
        if got < least:
            raise WorkError(
                f"{what_zh} {got:g} m，小于 {least:g} m（cylinders.{name}；{GB50720}第6.3.3条，距离取自企业规程，"
                f"未经标准原文核实）；请移开气瓶后再签发。"
                f" {what_en} is {got:g} m, less than {least:g} m (cylinders.{name}; {GB50720_EN} §6.3.3, the "
                "distance as company manuals give it, unverified): move the cylinders"
            )


def _same_name(a: str, b: str) -> bool:
    """Two names of one person as written (spaces, as in 李 四, change no one)."""
    return "".join(a.split()) == "".join(b.split())


def _check_watch_not_operator(r: PermitRequest) -> None:
    """WorkError where the fire watch is the operator: the same badge, or the same name with no operator's
    badge to tell two people of one name apart (§6.3.1(6): a watch of their own)."""
    op, watch = r.operator, r.fire_watch
    if op.person_id:
        if op.person_id != watch.person_id:
            return
        same_zh, same_en = f"工牌 {watch.person_id} 相同", f"badge {watch.person_id}"
        fix_zh, fix_en = "另行指定监火人", "name another person as fire_watch"
    elif _same_name(op.name, watch.name):
        same_zh, same_en = "姓名相同且操作人未填工牌号", "same name, and the operator has no badge id"
        fix_zh = "另行指定监火人；若为同名的两人，填写操作人的工牌号（operator.person_id）以区分"
        fix_en = "name another person as fire_watch, or give the operator's badge (operator.person_id) if they are two people"
    else:
        return
    raise WorkError(
        f"监火人（fire_watch）{watch.name}（{watch.person_id}）即动火操作人{op.name}（{same_zh}）：{ONE_WATCH_ZH}，"
        f"监火人须为操作人以外的人；请{fix_zh}。"
        f" The fire watch (fire_watch) {watch.person_id} is the operator {op.name} ({same_en}): each hot-work "
        f"point needs a watch of its own ({GB50720_EN} §6.3.1(6)); {fix_en}"
    )


def _check_watch_free(
    r: PermitRequest, kept: list[Permit], tz: timezone, scheme: HotWorkPermitsConfig
) -> None:
    """WorkError where the fire watch (their badge) already watches a permit in force (contract/hot_work.py:
    not closed, within its window and its level's validity under the site's ``scheme``) at some instant of
    this window: §6.3.1(6), 每个动火作业点均应设置1个监护人, a watch of their own for each point."""
    badge, start, end = r.fire_watch.person_id, r.start.timestamp(), r.end.timestamp()
    for p in reversed(kept):  # the earliest window first
        if p.fire_watch.person_id != badge or not p.in_force_during(start, end, scheme):
            continue
        until = datetime.fromtimestamp(p.in_force_until(scheme), tz)
        span = f"{p.start.astimezone(tz):%Y-%m-%d %H:%M} 至 {until:%Y-%m-%d %H:%M}"
        span_en = span.replace(" 至 ", " to ")
        raise WorkError(
            f"监火人（fire_watch）{r.fire_watch.name}（{badge}）已是动火许可证 {p.id}（{p.place}，{span}）的监火人，"
            f"与本证作业时段重叠：{ONE_WATCH_ZH}；请另行指定监火人，或待 {p.id} 动火后检查并关闭后再办理。"
            f" The fire watch (fire_watch) {badge} already watches permit {p.id} at {p.place} "
            f"({span_en}), overlapping this window: each hot-work point needs a watch of its own ({GB50720_EN} "
            f"§6.3.1(6)); name another fire watch, or issue this once {p.id} is checked and closed"
        )


def _check_validity(r: PermitRequest, validity: HotWorkPermitsConfig) -> None:
    """WorkError for a window longer than the site's scheme lets a permit of its level run (none: the
    longest any permit may run), naming the window that applied and where the site sets it."""
    longest_h, field = validity.window_h(r.level)
    span_h = (r.end - r.start).total_seconds() / 3600
    if span_h <= longest_h:
        return
    of_zh = "未注明级别动火许可证的最长" if r.level is None else f"{r.level}动火许可证的"
    zh_clause, en_clause = SCHEME_CLAUSE
    raise WorkError(
        f"作业时段 {r.start.isoformat()} 至 {r.end.isoformat()} 共 {hours_zh(span_h)}，超过{of_zh}有效期 "
        f"{hours_zh(longest_h)}：此有效期为本工地（企业）的规定（工地文件 hot_work_permits.{field}），依据"
        f"{zh_clause}；请按每段作业分别办理动火许可证。"
        f" The window {r.start.isoformat()} to {r.end.isoformat()} ({span_h:g} h) is longer than {validity_en(r.level)}, "
        f"{longest_h:g} h, the site's (company's) rule (hot_work_permits.{field}; {en_clause}): "
        "issue a permit per stretch of work"
    )
