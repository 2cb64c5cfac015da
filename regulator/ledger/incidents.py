"""The ledger of accidents and serious near misses (非亡人事故和重大险情台账) and their reporting clocks.

An incident is recorded with its project, when it happened, its kind (an accident, 事故, or a serious
near miss, 重大险情), casualties and what happened; each report of it is recorded with who reported,
when and to which level or system. Each clock (``CLOCKS``, from docs/standards.md §4) is then met (the
report came in time), late (it came after the deadline), due (not yet, time left), overdue (not yet,
past the deadline) or waiting (it runs from a report below that has not been made). The plan keeps
near misses in the same ledger as accidents and names no other clocks for them, so they run on the
same ones.

A report is the action that stops its clock, whoever makes it (``Incidents.report``: who, when, and how:
by hand, forwarded by the level below, or the national platform's export sent); one made after its
deadline is kept as late (迟报) with how late, and nothing recorded afterwards makes it timely. What
follows the report (the 四不放过 checklist, the investigation, the penalty, closing) is
regulator/ledger/accident_followup.py's.

Who may see and record what is regulator/storage/scope.py's: a district's incidents are its district's, the
levels above see them too, a project user records and sees only their project's; anything outside
answers 404 as if absent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from regulator.ledger import accident_followup as followup
from regulator.ledger.accident_followup import FollowupPolicy
from regulator.ledger.review import ReviewError
from regulator.storage.db import sql
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor, ScopedConnection

HOUR_S = 3600.0
KINDS = {"accident": "事故", "near_miss": "重大险情"}
RECORDERS = ("regulator", "admin", "project")
CLOCK_STATES = {
    "met": "按时上报",
    "late": "迟报",
    "due": "待上报",
    "overdue": "已超时未报",
    "waiting": "待下级上报",
}
FUTURE_SLACK_S = 300.0  # a time "in the future" by less than this is a clock a little ahead, not an error
REGULATION = "《生产安全事故报告和调查处理条例》（国务院令第493号）"
GUANGDONG = "广东省建筑施工安全专项整治方案"


@dataclass(frozen=True, slots=True)
class Clock:
    """One reporting deadline: a report to ``to`` within ``hours`` of the occurrence (``after`` None) or
    of the report to ``after`` (the level below passing it up)."""

    to: str
    name: str
    hours: float
    after: str | None
    basis: str


CLOCKS: tuple[Clock, ...] = (
    Clock(
        "county", "县级主管部门", 1, None, f"{REGULATION}第九条：事故单位负责人1小时内报告县级以上主管部门"
    ),
    Clock("city", "市级主管部门", 2, "county", f"{REGULATION}第十一条：逐级上报，每级不超过2小时"),
    Clock("province", "省级主管部门", 2, "city", f"{REGULATION}第十一条：逐级上报，每级不超过2小时"),
    Clock("provincial_system", "省事故报送系统", 24, None, f"{GUANGDONG}：24小时内录入省事故报送系统"),
    Clock(
        "national_platform",
        "全国工程质量安全监管信息平台",
        48,
        None,
        f"{GUANGDONG}：48小时内录入全国工程质量安全监管信息平台",
    ),
)
DESTINATIONS = {c.to: c.name for c in CLOCKS}
# how a report was made: entered by hand, forwarded by the level below (a city→province forwarding calls
# ``Incidents.report`` with "forwarded"), or the national platform's export sent
HOWS = {"manual": "人工登记", "forwarded": "逐级转报", "export": "导出报送"}


def _now_unless_future(at: float, what: str) -> float:
    """The time now; 422 if ``at`` is later than that (beyond a clock's slack)."""
    now = time.time()
    if at > now + FUTURE_SLACK_S:
        raise ReviewError(
            422,
            f"{what} is in the future: give the time it {'happened' if what == 'occurred_at' else 'was made'}",
        )
    return now


def clock_states(occurred_at: float, reports: list[dict[str, Any]], now: float) -> list[dict[str, Any]]:
    """Each clock's state for an incident with these reports (``id``, ``to``, ``reported_at``) at ``now``.

    The first report recorded to a level stops its clock: a later entry dated earlier (a late report
    "corrected") does not turn 迟报 into 按时上报."""
    first: dict[str, float] = {}
    for r in sorted(reports, key=lambda r: r["id"]):
        first.setdefault(r["to"], r["reported_at"])
    states = []
    for clock in CLOCKS:
        start = occurred_at if clock.after is None else first.get(clock.after)
        deadline = None if start is None else start + clock.hours * HOUR_S
        done = first.get(clock.to)
        if done is not None:
            state = "met" if deadline is None or done <= deadline else "late"
        elif deadline is None:
            state = "waiting"
        else:
            state = "due" if now <= deadline else "overdue"
        states.append(
            {
                "to": clock.to,
                "name": clock.name,
                "hours": clock.hours,
                "basis": clock.basis,
                "deadline": deadline,
                "reported_at": done,
                "state": state,
                "state_name": CLOCK_STATES[state],
                # due: time left; overdue: time past; late: how late the report came
                "seconds": None
                if deadline is None or state == "met"
                else (deadline - now if state == "due" else (done or now) - deadline),
            }
        )
    return states


INCIDENT_COLUMNS = (
    "i.id, i.project, p.name, p.city, p.district, i.kind, i.occurred_at, i.deaths, i.injuries, "
    "i.description, i.recorded_by, i.recorded_at, i.investigation_done_at, i.investigation_done_by, "
    "i.penalty_done_at, i.penalty_done_by, i.closed_at, i.closed_by"
)
INCIDENT_KEYS = (
    "id",
    "project",
    "project_name",
    "city",
    "district",
    "kind",
    "occurred_at",
    "deaths",
    "injuries",
    "description",
    "recorded_by",
    "recorded_at",
    "investigation_done_at",
    "investigation_done_by",
    "penalty_done_at",
    "penalty_done_by",
    "closed_at",
    "closed_by",
)
REPORT_KEYS = (
    "id",
    "incident_id",
    "to",
    "reported_by",
    "reported_at",
    "note",
    "recorded_by",
    "recorded_at",
    "how",
    "late_s",
)
REPORT_COLUMNS = tuple("to_level" if k == "to" else k for k in REPORT_KEYS)  # ``to`` is a keyword of SQL


class Incidents:
    """The ledger over one repository, every read and write scoped to the actor."""

    def __init__(self, repo: Repository, policy: FollowupPolicy | None = None) -> None:
        self.repo = repo
        self.policy = policy or FollowupPolicy()

    def ledger(self, actor: Actor, now: float | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """The incidents ``actor`` may see, newest first, each with its reports and clocks."""
        with self.repo.scoped(actor) as db:
            return self._read(db, "1 = 1", {"limit": limit}, time.time() if now is None else now)

    def between(
        self, actor: Actor, start: float, end: float, now: float | None = None, limit: int = 100_000
    ) -> list[dict[str, Any]]:
        """The incidents ``actor`` may see that happened in [start, end) (a period's, for the national
        export), newest first, each with its reports and clocks; at most ``limit``."""
        with self.repo.scoped(actor) as db:
            return self._read(
                db,
                "i.occurred_at >= :start AND i.occurred_at < :end",
                {"start": start, "end": end, "limit": limit},
                time.time() if now is None else now,
            )

    def one(self, actor: Actor, incident_id: int, now: float | None = None) -> dict[str, Any]:
        """One incident ``actor`` may see, with its reports and clocks; 404 otherwise."""
        with self.repo.scoped(actor) as db:
            found = self._read(
                db, "i.id = :id", {"id": incident_id, "limit": 1}, time.time() if now is None else now
            )
        if not found:
            raise ReviewError(404, f"no incident {incident_id}")
        return found[0]

    def _read(
        self, db: ScopedConnection, where: str, args: dict[str, Any], now: float
    ) -> list[dict[str, Any]]:
        scoped = f"FROM incidents i JOIN {PROJECTS} p ON p.code = i.project WHERE {where}"
        rows = db.execute(
            f"SELECT {INCIDENT_COLUMNS} {scoped} ORDER BY i.occurred_at DESC, i.id DESC LIMIT :limit", args
        ).all()
        columns = ", ".join(f"r.{k}" for k in REPORT_COLUMNS)
        reports: dict[int, list[dict[str, Any]]] = {}
        for r in db.execute(
            f"SELECT {columns} FROM incident_reports r WHERE r.incident_id IN (SELECT i.id {scoped} "
            "ORDER BY i.occurred_at DESC, i.id DESC LIMIT :limit) ORDER BY r.reported_at, r.id",
            args,
        ).all():
            report = dict(zip(REPORT_KEYS, r, strict=True))
            reports.setdefault(report["incident_id"], []).append(
                # a name as stored where it is none of ours (a city's report forwarded before the receiver
                # checked them): one odd row must not fail the whole list
                report
                | {
                    "to_name": DESTINATIONS.get(report["to"], report["to"]),
                    "how_name": HOWS.get(report["how"], report["how"]),
                }
            )
        steps: dict[int, dict[str, dict[str, Any]]] = {}
        for incident_id, step, note, by, at in db.execute(
            f"SELECT s.incident_id, s.step, s.note, s.done_by, s.done_at FROM incident_steps s "
            f"WHERE s.incident_id IN (SELECT i.id {scoped} ORDER BY i.occurred_at DESC, i.id DESC LIMIT :limit)",
            args,
        ).all():
            steps.setdefault(incident_id, {})[step] = {"by": by, "at": at, "note": note}
        incidents = []
        for r in rows:
            row = dict(zip(INCIDENT_KEYS, r, strict=True))
            mine = reports.get(row["id"], [])
            staged = followup.stages(row, now, self.policy)
            incidents.append(
                row
                | {
                    "kind_name": KINDS.get(row["kind"], row["kind"]),
                    "reports": mine,
                    "clocks": clock_states(row["occurred_at"], mine, now),
                    "steps": followup.checklist(steps.get(row["id"], {})),
                    "stages": staged,
                    "proposal": followup.proposal(row["kind"], row["closed_at"] is not None, staged),
                }
            )
        return incidents

    def record(
        self,
        actor: Actor,
        project: str,
        kind: str,
        occurred_at: float,
        deaths: int,
        injuries: int,
        description: str,
    ) -> dict[str, Any]:
        """Record an incident of a project ``actor`` may see; the incident with its clocks."""
        if actor.role not in RECORDERS:
            raise ReviewError(403, f"a {actor.role} may not record incidents")
        if kind not in KINDS:
            raise ReviewError(422, f"unknown kind {kind!r}: accident (事故) or near_miss (重大险情)")
        if kind == "near_miss" and (deaths or injuries):
            raise ReviewError(422, "a near miss (险情) has no casualties: record it as an accident (事故)")
        if not description.strip():
            raise ReviewError(422, "describe what happened (事故/险情经过)")
        now = _now_unless_future(occurred_at, "occurred_at")
        with self.repo.scoped(actor, write=True) as db:
            if (
                db.execute(f"SELECT 1 FROM {PROJECTS} p WHERE p.code = :code", {"code": project}).first()
                is None
            ):
                raise ReviewError(404, f"no project {project!r}")
            incident_id = db.db.execute(
                sql(
                    "INSERT INTO incidents(project, kind, occurred_at, deaths, injuries, description, "
                    "recorded_by, recorded_at) VALUES (:p, :k, :t, :d, :i, :desc, :by, :now) RETURNING id"
                ),
                {
                    "p": project,
                    "k": kind,
                    "t": occurred_at,
                    "d": deaths,
                    "i": injuries,
                    "desc": description.strip(),
                    "by": actor.name,
                    "now": now,
                },
            ).scalar_one()
        return self.one(actor, incident_id)

    def report(
        self,
        actor: Actor,
        incident_id: int,
        to: str,
        reported_by: str,
        reported_at: float,
        note: str = "",
        how: str = "manual",
    ) -> dict[str, Any]:
        """Record that the incident was reported to ``to`` by ``reported_by`` at ``reported_at``, made ``how``
        (HOWS): the action that stops ``to``'s clock, whoever calls it (a user by hand, the city→province
        forwarding, the national platform's export). A report after its clock's deadline is kept as late
        (迟报) with how late it was; nothing recorded later makes it in time. The incident with its clocks."""
        if actor.role not in RECORDERS:
            raise ReviewError(403, f"a {actor.role} may not record reports")
        if to not in DESTINATIONS:
            raise ReviewError(
                422,
                f"unknown level {to!r}: one of " + ", ".join(f"{k} ({v})" for k, v in DESTINATIONS.items()),
            )
        if how not in HOWS:
            raise ReviewError(
                422, f"unknown way {how!r}: one of " + ", ".join(f"{k} ({v})" for k, v in HOWS.items())
            )
        if not reported_by.strip():
            raise ReviewError(422, "say who reported (上报人)")
        now = _now_unless_future(reported_at, "reported_at")
        with self.repo.scoped(actor, write=True) as db:
            found = self._read(db, "i.id = :id", {"id": incident_id, "limit": 1}, now)
            if not found:
                raise ReviewError(404, f"no incident {incident_id}")
            before = found[0]
            if reported_at < before["occurred_at"]:
                raise ReviewError(422, "reported_at is before the incident happened")
            [clock] = [c for c in before["clocks"] if c["to"] == to]
            late_s = (
                reported_at - clock["deadline"]
                if clock["deadline"] is not None and reported_at > clock["deadline"]
                else None
            )
            db.db.execute(
                sql(
                    "INSERT INTO incident_reports(incident_id, to_level, reported_by, reported_at, note, "
                    "recorded_by, recorded_at, how, late_s) "
                    "VALUES (:i, :to, :who, :at, :note, :by, :now, :how, :late)"
                ),
                {
                    "i": incident_id,
                    "to": to,
                    "who": reported_by.strip(),
                    "at": reported_at,
                    "note": note.strip(),
                    "by": actor.name,
                    "now": now,
                    "how": how,
                    "late": late_s,
                },
            )
        return self.one(actor, incident_id)

    def tick_step(self, actor: Actor, incident_id: int, step: str, note: str) -> dict[str, Any]:
        """Tick one of the 四不放过 steps, with who and a note; a step ticked stays as first ticked. The
        incident."""
        followup.require_step(step)
        if not note.strip():
            raise ReviewError(422, "say what was done (情况说明)")
        self._write(
            actor,
            incident_id,
            "INSERT INTO incident_steps(incident_id, step, note, done_by, done_at) "
            "VALUES (:id, :step, :note, :by, :now) ON CONFLICT DO NOTHING",
            {"step": step, "note": note.strip()},
        )
        return self.one(actor, incident_id)

    def finish_stage(self, actor: Actor, incident_id: int, stage: str) -> dict[str, Any]:
        """Mark the investigation or the penalty finished (kept as first marked). The incident."""
        followup.require_stage(stage)
        self._write(
            actor,
            incident_id,
            f"UPDATE incidents SET {stage}_done_at = :now, {stage}_done_by = :by "
            f"WHERE id = :id AND {stage}_done_at IS NULL",
            {},
        )
        return self.one(actor, incident_id)

    def close(self, actor: Actor, incident_id: int) -> dict[str, Any]:
        """Close the incident (结案): 409 naming what is missing unless all four steps are done."""
        found = self.one(actor, incident_id)
        followup.require_all_steps({s["step"] for s in found["steps"] if s["done"]})
        self._write(
            actor,
            incident_id,
            "UPDATE incidents SET closed_at = :now, closed_by = :by WHERE id = :id AND closed_at IS NULL",
            {},
        )
        return self.one(actor, incident_id)

    def _write(self, actor: Actor, incident_id: int, statement: str, args: dict[str, Any]) -> None:
        """Run ``statement`` for an incident ``actor`` may see and record (404/403 otherwise)."""
        if actor.role not in RECORDERS:
            raise ReviewError(403, f"a {actor.role} may not record the follow-up of incidents")
        with self.repo.scoped(actor, write=True) as db:
            if (
                db.execute(
                    f"SELECT 1 FROM incidents i JOIN {PROJECTS} p ON p.code = i.project WHERE i.id = :id",
                    {"id": incident_id},
                ).first()
                is None
            ):
                raise ReviewError(404, f"no incident {incident_id}")
            db.db.execute(sql(statement), args | {"id": incident_id, "by": actor.name, "now": time.time()})

    def alerts(self, actor: Actor, now: float | None = None) -> list[dict[str, Any]]:
        """What the authority's supervisors must see in red: each overdue clock of an incident in their
        scope, and each open accident proposed for listed supervision or a higher-level investigation."""
        out = []
        for i in self.ledger(actor, now):
            where = f"{i['project_name']}（{i['project']}）{i['kind_name']} #{i['id']}"
            for c in i["clocks"]:
                if c["state"] == "overdue":
                    hours = c["seconds"] / HOUR_S
                    out.append(
                        {
                            "incident_id": i["id"],
                            "kind": "clock",
                            "message": f"{where}：{c['name']}已超时未报（超时{hours:.1f}小时），"
                            f"立即上报并记录迟报。依据：{c['basis']}",
                        }
                    )
            if i["proposal"]:
                out.append(
                    {"incident_id": i["id"], "kind": "proposal", "message": f"{where}：{i['proposal']}"}
                )
        return out
