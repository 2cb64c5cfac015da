"""The key-personnel family: who is on site (from the access gates' passages), whether dangerous
work goes on (from the cranes, hoists and pours the engine reports), and the three rules that judge
them at each tick (personnel.absent, personnel.certificate, personnel.attendance)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from contract.config.personnel import KeyPerson
from contract.config.rules import PersonnelRule
from contract.config.site import SiteConfig
from rules.personnel_absent import WATCHED, PersonnelAbsent
from rules.personnel_attendance import PersonnelAttendance
from rules.personnel_certificate import PersonnelCertificate
from rules.result import RuleResult
from rules.site_day import SiteDay
from rules.work_watcher import WorkWatcher

SHARE_EVERY_S: Final = 600.0
MAX_OTHERS: Final = 10_000  # people not on the roster remembered on site: more than any one site's workforce
PRESENCE_METRIC: Final = "on_site"  # an access gate's passage: point = person id, 1 in, 0 out


@dataclass(frozen=True)
class OnSite:
    """One person's presence as the gates last saw it."""

    person: str
    on_site: bool
    ts: float


class PersonnelRules(WorkWatcher):
    """Presence, dangerous work and the personnel rules of one site."""

    def __init__(self, device: str, roster: list[KeyPerson], cfg: PersonnelRule, utc_offset_h: float) -> None:
        self.device = device  # the alerts' device: the site's (first) access gate
        self._roster = {p.id: p for p in roster}
        self._cfg = cfg
        self._hold_s = cfg.active_hold_s  # read at each working sample: a model's field costs more to read
        self._day = SiteDay(utc_offset_h)  # the site's date at a tick
        self._presence: dict[str, OnSite] = {}
        # present() and each watched role's _left(), worked out from the key people's passages (a tick
        # needs them every second, and they change only when one of the key people passes a gate)
        self._key_people: tuple[dict[str, list[str]], dict[str, float]] | None = None
        self._last_work: float | None = None
        # the machines whose last word was work (loaded, moving): one falling silent has not stopped, as
        # far as anyone knows, so the work goes on until it says it is at rest
        self._unfinished: set[str] = set()
        self._work_started = 0.0
        self._work_kind = ("", "")
        self._pours: set[str] = set()
        self._checked_on: date | None = None
        # presence is judged only once the gates have said something: no feed is not an absence
        # (a silent gate is the gate's fault, not the manager's)
        self._fed_since: float | None = None
        self._next_share = 0.0  # the monthly share moves slowly: judged every SHARE_EVERY_S
        self.absent = PersonnelAbsent()
        self.certificate = PersonnelCertificate()
        self.attendance = PersonnelAttendance(utc_offset_h)

    def passage(self, person: str, value: float, ts: float) -> None:
        """A gate saw ``person`` enter (1) or leave (0). Beyond the roster, the ``MAX_OTHERS`` people seen
        last are remembered: ids published to a gate's topic must not grow the gateway without bound."""
        presence = self._presence
        if person in self._roster:
            self._key_people = None  # who of the key people is in, and when each role last left, changed
        presence.pop(person, None)  # to the end: the oldest passages are first, and forgotten first
        presence[person] = OnSite(person, value >= 0.5, ts)
        if len(presence) > len(self._roster) + MAX_OTHERS:
            oldest = next(pid for pid in presence if pid not in self._roster)
            del presence[oldest]
        if self._fed_since is None:
            self._fed_since = ts
            self.attendance.resume(ts)  # the month's count starts with the first thing the gates said

    def families(self) -> tuple[object, ...]:
        """The rule objects, for the engine's re-arming after a warm-up."""
        return (self.absent, self.certificate, self.attendance)

    def work_seen(self, device: str, kind: tuple[str, str], ts: float) -> None:
        """A crane or hoist (``device``) moving or loaded at ``ts`` (``kind``: what, in Chinese and
        English): told by ``Shared.on_work``."""
        if device:
            self._unfinished.add(device)
        if self._last_work is None or ts - self._last_work > self._hold_s:
            self._work_started = ts  # a new span of work
        if self._last_work is None or ts >= self._last_work:
            self._last_work, self._work_kind = ts, kind

    def rest_seen(self, device: str, ts: float) -> None:
        """A crane or hoist reported a sample at rest at ``ts`` (hook empty, cage standing): its work is
        over, and as far as the site knows it lasted until then (its silence before it proved nothing):
        the work hold counts from ``ts``."""
        if device in self._unfinished:
            self._unfinished.discard(device)
            if self._last_work is None or ts > self._last_work:
                self._last_work = ts

    def pour(self, device: str, active: bool, ts: float) -> None:
        """A pour started or ended on a formwork device."""
        if active:
            if not self._pours:
                self._work_started = ts
            self._pours.add(device)
        else:
            self._pours.discard(device)

    def present(self) -> dict[str, list[str]]:
        """Names of the key people on site now, by role."""
        out: dict[str, list[str]] = {}
        for pid, seen in self._presence.items():
            person = self._roster.get(pid)
            if person is not None and seen.on_site:
                out.setdefault(person.role, []).append(person.name)
        return out

    def _left(self, role: str) -> float:
        """When the last person of ``role`` was seen leaving (0: never)."""
        return max(
            (
                s.ts
                for s in self._presence.values()
                if not s.on_site and (p := self._roster.get(s.person)) and p.role == role
            ),
            default=0.0,
        )

    def on_site(self) -> list[OnSite]:
        """Everyone the gates last saw enter and not leave (key people and workers)."""
        return [s for s in self._presence.values() if s.on_site]

    def resume(self, now: float) -> None:
        """After a warm-up: the monthly count restarts at ``now`` (the gateway's downtime is not time)."""
        self.attendance.resume(now)

    def clock_stepped(self, step_s: float, now: float) -> None:
        """The wall clock was stepped by ``step_s`` and reads ``now``: the monthly count leaves the step out."""
        self.attendance.clock_stepped(step_s, now)

    def tick(self, now: float) -> list[RuleResult]:
        """The verdicts reached by ``now``."""
        cfg = self._cfg
        out: list[RuleResult] = []
        if (today := self._day.of(now)) != self._checked_on:
            self._checked_on = today
            for person in self._roster.values():
                found = self.certificate.evaluate(self.device, person, today, now)
                if found is not None:
                    out.append(found)
        if self._fed_since is None:
            return out
        if self._key_people is None:
            self._key_people = (self.present(), {role: self._left(role) for role in WATCHED})
        present, left = self._key_people
        recent = self._last_work is not None and now - self._last_work <= self._hold_s
        working = bool(self._pours) or recent or bool(self._unfinished)
        work = (
            ("高支模浇筑", "a formwork pour")
            if self._pours
            else (self._work_kind if self._work_kind[0] else ("危大作业", "dangerous work"))
        )
        missing_from = {role: max(self._work_started, left[role]) for role in WATCHED}
        out.extend(
            self.absent.evaluate(
                self.device, now, working, present, missing_from, cfg.absent_grace_min * 60, work
            )
        )
        self.attendance.advance(now, bool(present.get("project_manager")), cfg.work_hours)
        if now >= self._next_share:
            self._next_share = now + SHARE_EVERY_S
            found = self.attendance.evaluate(self.device, now, cfg.month_share_warning, cfg.work_hours)
            if found is not None:
                out.append(found)
        return out


PRESENCE_HISTORY_S: Final = 24 * 3600.0  # key people pass the gates at least daily: a day finds who is in


def history_s(site: SiteConfig) -> float:
    """Seconds of history that hold each key person's last passage (the monthly share counts only
    what this window and the run since hold: it says so in its alert)."""
    has_gate = any(d.kind == "attendance" for d in site.devices)
    return PRESENCE_HISTORY_S if has_gate and site.key_personnel else 0.0
