"""The sites' daily safety logs (施工安全日志, standards.md §14) and their key people's attendance (关键岗位人员
考勤, §7), as the gateways send them (contract/safety_log.py, signed like events).

A project's log of a day is kept once: the first signed log received stands (a gateway's retry after a lost
answer is ``duplicate``). Per project and day a regulator sees the log as ``received`` (signed on time),
``late`` (signed after the deadline: ``due_h`` hours after the day's end, Beijing time), ``missing`` (none by
the deadline) or ``due`` (the deadline has not passed). A project is followed from the first day it sent a
log or an attendance day (a gateway that cannot send them yet is not counted missing every day). A log still
missing ``grace_h`` hours after its deadline becomes an ordinary hazard of the project (一般隐患, cited to JGJ
59-2011's 安全检查 item of 安全管理), once per project and day (the upkeep's `flag_missing`).

Attendance: one row per project, day and key person (first in, last out, minutes on site); a day sent again
replaces the day. `look_back` opens any project's last 90 days (倒查3个月考勤): per person the days on site,
the minutes and the share of the site's working days (a day on which any key person of the site was on site)
the person was there (建质〔2011〕111号: the project manager ≥ 80 %).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Literal

from pydantic import BaseModel, Field

from contract.safety_log import DocumentReceipt, KeyAttendance, PersonDay, SafetyLog
from regulator.channels.articles import Citation
from regulator.channels.ledger import Finding, record
from regulator.ledger.review import Review
from regulator.storage.db import sql
from regulator.storage.projects import RELAYED
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor

BEIJING = timezone(timedelta(hours=8))
LOOK_BACK_DAYS = 90  # 倒查3个月
PM_SHARE = 0.8  # 建质〔2011〕111号: the project manager leads the work on site ≥ 80 % of the working time
MISSING_CITATION = Citation("JGJ 59-2011", "安全管理 保证项目：安全检查", "", major=False)
SYSTEM = Actor("system:safety-log", "regulator")
LogStatus = Literal["received", "late", "missing", "due"]


@dataclass(frozen=True, slots=True)
class LogPolicy:
    """When a day's log is due and when a missing one becomes a hazard."""

    due_h: float = 12.0  # after the day's end: by noon the next day, Beijing time
    grace_h: float = 24.0  # after the deadline, a missing log becomes a hazard

    def deadline(self, day: date) -> float:
        """Unix seconds by which ``day``'s log is due."""
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), BEIJING).timestamp()
        return end + self.due_h * 3600.0


def store_log(repo: Repository, log: SafetyLog, nonce: str, keep_nonce_s: float) -> DocumentReceipt:
    """Keep ``log`` (the first of its project and day stands), with the nonce, in one transaction."""
    with repo.engine.begin() as db:
        repo.use_nonce(db, log.project, nonce, keep_nonce_s)
        row = db.execute(
            sql(
                "INSERT INTO safety_logs(project, day, signed_by, signed_at, received_at, body) "
                "VALUES (:p, :d, :by, :at, :now, :body) ON CONFLICT (project, day) DO NOTHING RETURNING 1"
            ),
            {
                "p": log.project,
                "d": log.day.isoformat(),
                "by": log.signed_by,
                "at": log.signed_at,
                "now": time.time(),
                "body": log.model_dump_json(),
            },
        ).first()
    return DocumentReceipt(project=log.project, day=log.day, status="recorded" if row else "duplicate")


def store_attendance(
    repo: Repository, att: KeyAttendance, nonce: str, keep_nonce_s: float
) -> DocumentReceipt:
    """Keep ``att`` as its project's day (replacing one sent before), with the nonce, in one transaction."""
    with repo.engine.begin() as db:
        repo.use_nonce(db, att.project, nonce, keep_nonce_s)
        replaced = db.execute(
            sql("DELETE FROM key_attendance WHERE project = :p AND day = :d"),
            {"p": att.project, "d": att.day.isoformat()},
        ).rowcount
        # a day without key people is kept as one row of person '': the site did send the day
        people = [p.model_dump() for p in att.people] or [PersonDay(person="", name="", role="").model_dump()]
        db.execute(
            sql(
                "INSERT INTO key_attendance(project, day, person, name, role, first_in, last_out, minutes, "
                "received_at) VALUES (:p, :d, :person, :name, :role, :first_in, :last_out, :minutes, :now)"
            ),
            [{"p": att.project, "d": att.day.isoformat(), "now": time.time(), **p} for p in people],
        )
    return DocumentReceipt(project=att.project, day=att.day, status="replaced" if replaced else "recorded")


class LogDay(BaseModel):
    """One project's log of one day."""

    project: str = Field(description="the project's code")
    project_name: str
    day: date
    status: LogStatus = Field(description="received, late (signed after the deadline), missing or due")
    deadline: float = Field(description="Unix seconds by which it was due")
    signed_by: str = ""
    signed_at: float | None = None
    received_at: float | None = None


def log_days(
    repo: Repository,
    actor: Actor,
    policy: LogPolicy,
    days: int,
    project: str = "",
    now: float | None = None,
    own: bool = False,
) -> list[LogDay]:
    """The last ``days`` days' logs of every project ``actor`` sees (or ``project``), newest day first;
    ``own``: not those a city's platform forwarded here (RELAYED)."""
    now = time.time() if now is None else now
    today = datetime.fromtimestamp(now, BEIJING).date()
    first_day = today - timedelta(days=days - 1)
    chosen = [c for c, wanted in (("p.code = :project", project), (f"NOT {RELAYED}", own)) if wanted]
    where = ("WHERE " + " AND ".join(chosen)) if chosen else ""
    args = {"project": project} if project else {}
    with repo.scoped(actor) as db:
        projects = db.execute(
            f"SELECT p.code, p.name, (SELECT MIN(day) FROM (SELECT MIN(day) AS day FROM safety_logs WHERE project = p.code "
            f"UNION ALL SELECT MIN(day) FROM key_attendance WHERE project = p.code) AS f) FROM {PROJECTS} p {where} "
            "ORDER BY p.code",
            args,
        ).all()
        logs = db.execute(
            f"SELECT l.project, l.day, l.signed_by, l.signed_at, l.received_at FROM safety_logs l "
            f"JOIN {PROJECTS} p ON p.code = l.project WHERE l.day >= :first",
            {"first": first_day.isoformat()},
        ).all()
    held = {(r[0], r[1]): r for r in logs}
    out = []
    for code, name, followed_from in projects:
        if followed_from is None:
            continue
        day = today
        while day >= max(first_day, date.fromisoformat(followed_from)):
            deadline = policy.deadline(day)
            got = held.get((code, day.isoformat()))
            if got is not None:
                status: LogStatus = "late" if got[3] > deadline else "received"
                out.append(
                    LogDay(
                        project=code,
                        project_name=name,
                        day=day,
                        status=status,
                        deadline=deadline,
                        signed_by=got[2],
                        signed_at=got[3],
                        received_at=got[4],
                    )
                )
            else:
                status = "missing" if now > deadline else "due"
                out.append(LogDay(project=code, project_name=name, day=day, status=status, deadline=deadline))
            day -= timedelta(days=1)
    return out


def flag_missing(review: Review, policy: LogPolicy, now: float | None = None, days: int = 7) -> list[int]:
    """Make an ordinary hazard of each log of the last ``days`` days missing ``grace_h`` past its deadline;
    the ids of the hazards made now (one per project and day, however often this runs). A project a city's
    platform forwarded is the city's to flag: its hazard comes up with the city's ledger."""
    now = time.time() if now is None else now
    made = []
    for d in log_days(review.repo, SYSTEM, policy, days, now=now, own=True):
        if d.status != "missing" or now < d.deadline + policy.grace_h * 3600.0:
            continue
        finding = Finding(
            project=d.project,
            description=f"{d.day} 施工安全日志未按时签署上报（截止 {_beijing(d.deadline)}，宽限 {policy.grace_h:g} 小时）",
            citation=MISSING_CITATION,
        )
        hazard_id, new = record(
            review,
            SYSTEM,
            "inspection",
            f"safety_log:{d.project}:{d.day}",
            finding,
            state="pending",
            note="安全日志缺报（系统核查）",
        )
        if new:
            made.append(hazard_id)
    return made


def _beijing(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


class PersonShare(BaseModel):
    """One key person's attendance over the look-back."""

    person: str
    name: str
    role: str
    days_on_site: int = Field(description="days with any time on site")
    minutes: int = Field(description="minutes on site in all")
    share: float = Field(description="days on site / the site's working days (0–1)")
    below_pm_share: bool = Field(description="a project manager under 80 % (建质〔2011〕111号)")


@dataclass(slots=True)
class _Tally:
    name: str
    role: str
    days: int = 0
    minutes: int = 0


class AttendanceLookBack(BaseModel):
    """A project's key-personnel attendance over the last days (倒查3个月考勤)."""

    project: str
    since: date
    until: date
    working_days: int = Field(description="days on which any key person of the site was on site")
    days_reported: int = Field(description="days the site's gateway sent")
    people: list[PersonShare]
    days: list[dict[str, object]] = Field(description="per day and person: first in, last out, minutes")


def look_back(
    repo: Repository, actor: Actor, project: str, days: int = LOOK_BACK_DAYS, now: float | None = None
) -> AttendanceLookBack | None:
    """``project``'s attendance over the last ``days`` days; None when ``actor`` may not see it."""
    now = time.time() if now is None else now
    until = datetime.fromtimestamp(now, BEIJING).date()
    since = until - timedelta(days=days - 1)
    with repo.scoped(actor) as db:
        if db.execute(f"SELECT 1 FROM {PROJECTS} p WHERE p.code = :p", {"p": project}).first() is None:
            return None
        rows = db.execute(
            f"SELECT a.day, a.person, a.name, a.role, a.first_in, a.last_out, a.minutes FROM key_attendance a "
            f"JOIN {PROJECTS} p ON p.code = a.project WHERE a.project = :p AND a.day >= :since ORDER BY a.day, a.person",
            {"p": project, "since": since.isoformat()},
        ).all()
    reported = {r[0] for r in rows}
    working = {r[0] for r in rows if r[1] and r[6] > 0}
    people: dict[str, _Tally] = {}
    for _day, person, name, role, _first, _last, minutes in rows:
        if not person:
            continue
        tally = people.setdefault(person, _Tally(name, role))
        tally.name, tally.role = name, role  # the latest day's words
        if minutes > 0:
            tally.days += 1
            tally.minutes += minutes
    shares = []
    for person, t in sorted(people.items()):
        share = t.days / len(working) if working else 0.0
        shares.append(
            PersonShare(
                person=person,
                name=t.name,
                role=t.role,
                days_on_site=t.days,
                minutes=t.minutes,
                share=round(share, 4),
                below_pm_share=t.role == "project_manager" and share < PM_SHARE,
            )
        )
    return AttendanceLookBack(
        project=project,
        since=since,
        until=until,
        working_days=len(working),
        days_reported=len(reported),
        people=shares,
        days=[
            {
                "day": r[0],
                "person": r[1],
                "name": r[2],
                "role": r[3],
                "first_in": r[4],
                "last_out": r[5],
                "minutes": r[6],
            }
            for r in rows
            if r[1]
        ],
    )
