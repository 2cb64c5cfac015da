"""The hazard ledger's closed loop: 排查 -> 整改 -> 复查 -> 销号.

One hazard per alert (project + alert_id), opened ``pending`` by its first event (regulator/storage/event_sql.py).
A regulator confirms it or dismisses it as a false alarm, orders rectification with a deadline, the
site reports the fix with a photo, and re-inspection closes it (or sends it back). Rectification past
its deadline is escalated by `escalate_overdue`. Every step is one row in ``actions``: the audit trail
(who, role, when, from which state to which, why) and, read by project, the feedback the site's
gateway fetches from ``GET /api/v1/feedback``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from contract.alert_event import LEVEL_RANK
from regulator.ledger import classify
from regulator.ledger.sources import SOURCES, source_name
from regulator.names import metric_name, rule_name, site_state_name
from regulator.paging import pages
from regulator.peaks import peak_words
from regulator.storage.db import sql
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor, ScopedConnection

OPEN_STATES = ("pending", "confirmed", "rectifying", "reported")
STATES = (*OPEN_STATES, "dismissed", "closed")
DAY_S = 86400.0
# a hazard under listed supervision (挂牌督办, regulator/ledger/supervision.py): an open listing of it
# SQL: hazard ``h`` is not a city's forwarded record (regulator/forwarding/). The province's upkeep leaves those to
# the city, whose own sweep escalates them and forwards that, so one deadline is not escalated twice, once on each side
NOT_FORWARDED = (
    "NOT EXISTS (SELECT 1 FROM forward_records f WHERE f.kind = 'hazard' AND f.local_id = CAST(h.id AS TEXT))"
)
LISTED = "EXISTS (SELECT 1 FROM listings l WHERE l.hazard_id = h.id AND l.state <> 'closed')"
# the deadline a hazard's rectification runs to: under listed supervision its open listings' first, on which
# it escalates (regulator/ledger/supervision.py; escalate_overdue leaves a listed hazard to them), else its order's
DUE = (
    "COALESCE((SELECT MIN(l.deadline) FROM listings l WHERE l.hazard_id = h.id AND l.state <> 'closed'), "
    "h.deadline)"
)
# the hazards overdue at :now (rectifying past DUE), as ids: an unlisted one past its order's deadline, found by
# the index of rectification by deadline, or one with an open listing past its deadline, by the listings' index
# of state and deadline (DUE tested on every rectifying hazard would read a province's 200,000)
OVERDUE_IDS = (
    "SELECT o.id FROM hazards o WHERE o.state = 'rectifying' AND o.deadline < :now AND NOT EXISTS "
    "(SELECT 1 FROM listings l WHERE l.hazard_id = o.id AND l.state <> 'closed') "
    "UNION SELECT l.hazard_id FROM listings l JOIN hazards o ON o.id = l.hazard_id "
    "WHERE l.state IN ('listed', 'escalated') AND l.deadline < :now AND o.state = 'rectifying'"
)
OVERDUE = f"h.id IN ({OVERDUE_IDS})"
# hazards of a state, or of every open or any state, as counted in hazard_figures ``f`` (migration 0015:
# kept per project, city, district and check as hazards change)
KEPT = {state: f"f.{state}" for state in STATES}
KEPT["open"] = " + ".join(KEPT[state] for state in OPEN_STATES)
KEPT["all"] = " + ".join(KEPT[state] for state in STATES)
KEPT_FILTERS = ("city", "district", "project", "rule")


class ReviewError(Exception):
    """An action that is not allowed now; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Transition:
    """Which states an action applies to, the state it leads to, who may take it, what it needs."""

    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    needs_reason: bool = False


REGULATORS = frozenset({"regulator", "admin"})
SITE = frozenset({"project", "gateway", "admin"})
TRANSITIONS: dict[str, Transition] = {
    "confirm": Transition(("pending",), "confirmed", REGULATORS),
    "dismiss": Transition(("pending", "confirmed"), "dismissed", REGULATORS, needs_reason=True),
    "order": Transition(("pending", "confirmed"), "rectifying", REGULATORS),
    "report": Transition(("rectifying",), "reported", SITE, needs_reason=True),
    "close": Transition(("reported",), "closed", REGULATORS),
    "reject": Transition(("reported",), "rectifying", REGULATORS, needs_reason=True),
}


@dataclass(frozen=True, slots=True)
class DeadlinePolicy:
    """Default rectification deadlines: an everyday hazard, and a major one under listed supervision (挂牌督办)."""

    general_days: float = 7.0
    major_days: float = 15.0

    def deadline(self, now: float, major: bool, days: float | None) -> float:
        """The deadline an order sets: the regulator's days, else the default for its kind."""
        return now + DAY_S * (days if days is not None else self.major_days if major else self.general_days)


@dataclass(slots=True)
class QueueFilter:
    """The review queue's filters; empty means any."""

    state: str = "pending"
    city: str = ""
    district: str = ""
    project: str = ""
    rule: str = ""
    level: str = ""
    since: float | None = None
    until: float | None = None
    overdue: bool = False
    listed: bool = False  # only hazards under listed supervision (挂牌督办) not yet closed
    page: int = 1
    page_size: int = 50
    source: str = ""  # gateway, inspection, self_check or public (regulator/channels/)
    # first found in [found_from, found_before): a period's hazards, which events after it do not move
    # (the national export, regulator/reports/national_export.py)
    found_from: float | None = None
    found_before: float | None = None


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of the review queue and where it stands in the whole: ``total`` hazards match, in ``pages``."""

    hazards: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages the matching hazards fill (at least 1: an empty queue is one empty page)."""
        return pages(self.total, self.page_size)


MAX_PAGE_SIZE = 500
EXPORT_MAX = 100_000  # hazards in one export: a province's year of major hazards, well within a sheet
# id last: hazards of one level and instant keep their order from page to page
QUEUE_ORDER = "ORDER BY h.level_rank DESC, h.last_ts DESC, h.id DESC"


HAZARD_COLUMNS = (
    "h.id, h.project, p.name, h.city, h.district, h.device, h.point, h.rule, h.clause, h.level, "
    "h.message, h.value, h.threshold, h.unit, h.site_state, h.first_ts, h.last_ts, h.evidence_event, "
    "h.state, h.major, h.deadline, h.escalated_at, h.closed_at, h.alert_id, "
    "h.peak_value, h.peak_threshold, h.peak_message, h.peak_ts, "
    "h.class_major, h.class_article, h.class_item, h.class_basis, h.class_by, h.source, h.found_by, "
    f"{DUE}"
)
HAZARD_KEYS = (
    "id",
    "project",
    "project_name",
    "city",
    "district",
    "device",
    "point",
    "rule",
    "clause",
    "level",
    "message",
    "value",
    "threshold",
    "unit",
    "site_state",
    "first_ts",
    "last_ts",
    "evidence_event",
    "state",
    "major",
    "deadline",
    "escalated_at",
    "closed_at",
    "alert_id",
    "peak_value",
    "peak_threshold",
    "peak_message",
    "peak_ts",
    "class_major",
    "class_article",
    "class_item",
    "class_basis",
    "class_by",
    "source",
    "found_by",
    "due",
)
CLASS_KEYS = ("class_major", "class_article", "class_item", "class_basis", "class_by")


class ReviewHook(Protocol):
    """What another part of the regulator adds to the loop (listed supervision, regulator/ledger/supervision.py):
    a check before an action (raise ReviewError to refuse it), what follows one in the same transaction,
    and its own sweep of overdue work in the upkeep loop."""

    def check(self, db: Connection, hazard: dict[str, Any], action: str, actor: Actor) -> None:
        """Refuse ``action`` on ``hazard`` (ReviewError), or return to let it go on."""

    def after(self, db: Connection, hazard: dict[str, Any], action: str, actor: Actor, now: float) -> None:
        """What follows ``action``; ``hazard`` as it is after it."""

    def escalate(self, now: float) -> int:
        """Escalate what is overdue at ``now``; how many."""


class Review:
    """The review service over one repository."""

    def __init__(self, repo: Repository, policy: DeadlinePolicy | None = None) -> None:
        self.repo = repo
        self.policy = policy or DeadlinePolicy()
        self.hooks: list[ReviewHook] = []

    def queue(self, f: QueueFilter, actor: Actor) -> QueuePage:
        """Page ``f.page`` of the hazards matching ``f`` among those ``actor`` may see (regulator/storage/scope.py),
        most severe then newest first, with how many match in all."""
        if not 1 <= f.page_size <= MAX_PAGE_SIZE:
            raise ReviewError(422, f"page_size {f.page_size} is out of range: 1 to {MAX_PAGE_SIZE}")
        if f.page < 1:
            raise ReviewError(422, f"page {f.page} is out of range: pages count from 1")
        matching, args = self._matching(f)
        args |= {"limit": f.page_size, "offset": (f.page - 1) * f.page_size}
        with self.repo.scoped(actor) as db:
            rows = db.execute(
                f"SELECT {HAZARD_COLUMNS} {matching} {QUEUE_ORDER} LIMIT :limit OFFSET :offset", args
            ).all()
            total = int(db.execute(*self._total(f, matching, args)).scalar_one())  # a SUM: NUMERIC
            table = classify.load(db.db)
        now = time.time()
        return QueuePage([self.hazard_dict(r, now, table) for r in rows], total, f.page, f.page_size)

    def matching(self, f: QueueFilter, actor: Actor, limit: int = EXPORT_MAX) -> list[dict[str, Any]]:
        """Every hazard the queue lists for ``f`` and ``actor``, in the queue's order, whatever ``f``'s page
        (an export); ReviewError 422 when more than ``limit`` match, naming the fix."""
        matching, args = self._matching(f)
        with self.repo.scoped(actor) as db:
            total = db.execute(f"SELECT COUNT(*) {matching}", args).scalar_one()
            if total > limit:
                raise ReviewError(
                    422,
                    f"{total} hazards match, more than an export holds ({limit}): narrow the filter "
                    "(state, city, district, project, since/until)",
                )
            rows = db.execute(f"SELECT {HAZARD_COLUMNS} {matching} {QUEUE_ORDER}", args).all()
            table = classify.load(db.db)
        now = time.time()
        return [self.hazard_dict(r, now, table) for r in rows]

    @staticmethod
    def _total(f: QueueFilter, matching: str, args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The statement that counts the hazards matching ``f``: summed from hazard_figures where ``f``
        filters only by what it is kept by (state, place, project, check: the common filters; a province
        has 800,000 open hazards to count otherwise), else counted over the matching hazards."""
        if (
            f.level
            or f.since is not None
            or f.until is not None
            or f.overdue
            or f.listed
            or f.source not in ("", "all")
            or f.found_from is not None
            or f.found_before is not None
        ):
            return f"SELECT COUNT(*) {matching}", args
        where = [f"f.{c} = :{c}" for c in KEPT_FILTERS if getattr(f, c) not in ("", "all")]
        return (
            f"SELECT COALESCE(SUM({KEPT[f.state]}), 0) FROM hazard_figures f JOIN {PROJECTS} p "
            f"ON p.code = f.project WHERE {' AND '.join(['1=1', *where])}",
            args,
        )

    @staticmethod
    def _matching(f: QueueFilter) -> tuple[str, dict[str, Any]]:
        """The queue's ``FROM ... WHERE`` for ``f`` (projects through the scope) and its parameters."""
        if f.state not in (*STATES, "open", "all"):
            raise ReviewError(422, f"unknown state {f.state!r}: one of {', '.join((*STATES, 'open', 'all'))}")
        if f.level and f.level not in LEVEL_RANK:
            raise ReviewError(422, f"unknown level {f.level!r}: one of {', '.join(LEVEL_RANK)}")
        where = ["1=1"]
        args: dict[str, Any] = {}
        if f.source and f.source not in SOURCES:
            raise ReviewError(422, f"unknown source {f.source!r}: one of {', '.join(SOURCES)}")
        for column in ("state", "city", "district", "project", "rule", "level", "source"):
            value = getattr(f, column)
            if value and value != "all":
                if column == "state" and value == "open":
                    where.append(f"h.state IN {OPEN_STATES}")
                    continue
                where.append(f"h.{column} = :{column}")
                args[column] = value
        if f.since is not None:
            where.append("h.last_ts >= :since")
            args["since"] = f.since
        if f.until is not None:
            where.append("h.last_ts <= :until")
            args["until"] = f.until
        if f.found_from is not None:
            where.append("h.first_ts >= :found_from")
            args["found_from"] = f.found_from
        if f.found_before is not None:
            where.append("h.first_ts < :found_before")
            args["found_before"] = f.found_before
        if f.overdue:
            where.append(OVERDUE)
            args["now"] = time.time()
        if f.listed:
            where.append(LISTED)
        return f"FROM hazards h JOIN {PROJECTS} p ON p.code = h.project WHERE {' AND '.join(where)}", args

    @staticmethod
    def hazard_dict(row: sa.Row[Any], now: float, table: list[classify.Rule]) -> dict[str, Any]:
        """A row of HAZARD_COLUMNS as the API gives it: classified, named in Chinese, overdue or not."""
        h = dict(zip(HAZARD_KEYS, row, strict=True))
        h |= classify.of_hazard(table, h)
        for key in CLASS_KEYS:  # said by of_hazard, as the API says it
            del h[key]
        h["major"] = bool(h["major"])
        h["source_name"] = source_name(h["source"])
        # a person's finding has no check or site state of a gateway: its channel names it
        machine = h["source"] == "gateway"
        h["rule_name"] = rule_name(h["rule"]) if machine else h["source_name"]
        h["site_state_name"] = site_state_name(h["site_state"]) if machine else ""
        h["peak_text"] = peak_words(h["rule"], h["peak_value"], h["peak_threshold"], h["unit"])
        # past the deadline that counts: a listed hazard's listing's, not its order's (DUE)
        h["overdue"] = h["state"] == "rectifying" and h["due"] is not None and h["due"] < now
        return h

    @staticmethod
    def _visible(db: ScopedConnection, hazard_id: int) -> sa.Row[Any]:
        """The hazard's row if the connection's actor may see it; 404 otherwise, as if there were none."""
        row = db.execute(
            f"SELECT {HAZARD_COLUMNS} FROM hazards h JOIN {PROJECTS} p ON p.code = h.project WHERE h.id = :id",
            {"id": hazard_id},
        ).first()
        if row is None:
            raise ReviewError(404, f"no hazard {hazard_id}")
        return row

    def hazard(self, hazard_id: int, actor: Actor, context_s: float = 900.0) -> dict[str, Any]:
        """One hazard with its events, evidence, the readings around it and its audit trail."""
        with self.repo.scoped(actor) as scoped:
            row = self._visible(scoped, hazard_id)
            db = scoped.db  # the hazard is the actor's: what hangs on it is too
            h = self.hazard_dict(row, time.time(), classify.load(db))
            h["events"] = [
                dict(
                    zip(
                        ("event_id", "state", "level", "ts", "received_at", "backfill", "body"),
                        e,
                        strict=True,
                    )
                )
                for e in db.execute(
                    sql(
                        "SELECT event_id, state, level, ts, received_at, backfill, body FROM events "
                        "WHERE hazard_id = :id ORDER BY ts, id"
                    ),
                    {"id": hazard_id},
                ).all()
            ]
            h["evidence"] = [
                dict(zip(("purpose", "kind", "sha256", "url", "created_at"), e, strict=True))
                for e in db.execute(
                    sql(
                        "SELECT purpose, kind, sha256, url, created_at FROM evidence WHERE hazard_id = :id "
                        "ORDER BY id"
                    ),
                    {"id": hazard_id},
                ).all()
            ]
            h["readings"] = [
                dict(zip(("device", "point", "metric", "ts", "value", "unit"), r, strict=True))
                | {"metric_name": metric_name(r[2])}
                for r in db.execute(
                    sql(
                        "SELECT device, point, metric, ts, value, unit FROM readings WHERE project = :p "
                        "AND device = :d AND ts BETWEEN :t0 AND :t1 ORDER BY ts LIMIT 2000"
                    ),
                    {
                        "p": h["project"],
                        "d": h["device"],
                        "t0": h["first_ts"] - context_s,
                        "t1": h["last_ts"] + context_s,
                    },
                ).all()
            ]
            h["actions"] = self._actions(scoped, "a.hazard_id = :id", {"id": hazard_id})
            h["views"] = [
                dict(zip(("sha256", "viewer", "role", "platform", "address", "viewed_at"), v, strict=True))
                for v in db.execute(
                    sql(
                        "SELECT sha256, viewer, role, platform, address, viewed_at FROM evidence_views "
                        "WHERE hazard_id = :id ORDER BY id LIMIT 1000"
                    ),
                    {"id": hazard_id},
                ).all()
            ]
        return h

    @staticmethod
    def _actions(db: ScopedConnection, where: str, args: dict[str, Any]) -> list[dict[str, Any]]:
        keys = (
            "id",
            "hazard_id",
            "project",
            "action",
            "actor",
            "role",
            "from_state",
            "to_state",
            "reason",
            "deadline",
            "ts",
        )
        # ``major``: the hazard is under listed supervision (挂牌督办) now, so the site can show it with the order
        rows = db.execute(
            f"SELECT a.{', a.'.join(keys)}, h.alert_id, h.major FROM actions a JOIN {PROJECTS} p "
            f"ON p.code = a.project LEFT JOIN hazards h ON h.id = a.hazard_id WHERE {where} ORDER BY a.id LIMIT 1000",
            args,
        ).all()
        return [{**dict(zip((*keys, "alert_id"), r[:-1], strict=True)), "major": bool(r[-1])} for r in rows]

    def audit(self, actor: Actor, after: int = 0) -> list[dict[str, Any]]:
        """The audit trail of the projects ``actor`` may see (a project's gateway: what it is told), oldest
        first, after action ``after``."""
        with self.repo.scoped(actor) as db:
            return self._actions(db, "a.id > :after", {"after": after})

    def act(
        self,
        hazard_id: int,
        action: str,
        actor: Actor,
        reason: str = "",
        *,
        major: bool | None = None,
        deadline_days: float | None = None,
        photo: bytes | None = None,
        nonce: tuple[str, float] | None = None,
    ) -> dict[str, Any]:
        """Take one action on a hazard; returns the audit row. ReviewError if not allowed now.

        ``nonce`` (nonce, keep seconds) is used up in the same transaction when a gateway reports.
        """
        step = TRANSITIONS.get(action)
        if step is None:
            raise ReviewError(422, f"unknown action {action!r}: one of {', '.join(TRANSITIONS)}")
        if actor.role not in step.roles:
            raise ReviewError(403, f"a {actor.role} may not {action}")
        if step.needs_reason and not reason.strip():
            raise ReviewError(422, f"{action} needs a reason (原因/说明)")
        if action == "report" and not photo:
            raise ReviewError(422, "a rectification report needs a photo of the fix (JPEG)")
        picture = self.repo.pictures.put(photo) if photo else None
        now = time.time()
        with self.repo.scoped(actor, write=True) as scoped:
            db = scoped.db
            if nonce is not None and actor.project:
                self.repo.use_nonce(db, actor.project, *nonce)
            row = self._visible(scoped, hazard_id)
            h = self.hazard_dict(row, now, classify.load(db) if action in ("order", "confirm") else [])
            project, state, was_major, level = h["project"], h["state"], h["major"], h["level"]
            if state not in step.sources:
                raise ReviewError(
                    409, f"hazard {hazard_id} is {state}; {action} applies to {' or '.join(step.sources)}"
                )
            for hook in self.hooks:
                hook.check(db, h, action, actor)
            updates: dict[str, Any] = {"state": step.target, "updated_at": now}
            deadline = None
            if action == "order":
                # listed supervision by default for what is critical or classified a major hazard
                is_major = (level == "critical" or h["classification"] == "major") if major is None else major
                deadline = self.policy.deadline(now, is_major, deadline_days)
                updates |= {"major": is_major, "deadline": deadline, "escalated_at": None}
            elif action == "reject":
                deadline = self.policy.deadline(now, bool(was_major), deadline_days)
                updates |= {"deadline": deadline, "escalated_at": None}
            elif action in ("close", "dismiss"):
                updates["closed_at"] = now
            sets = ", ".join(f"{k} = :{k}" for k in updates)
            changed = db.execute(
                sql(f"UPDATE hazards SET {sets} WHERE id = :id AND state = :from"),
                updates | {"id": hazard_id, "from": state},
            ).rowcount
            if changed != 1:
                raise ReviewError(409, f"hazard {hazard_id} changed meanwhile; reload it")
            if picture is not None:
                db.execute(
                    sql(
                        "INSERT INTO evidence(hazard_id, purpose, kind, sha256, size, created_at) "
                        "VALUES (:h, 'rectification', 'stored', :sha, :size, :now)"
                    ),
                    {"h": hazard_id, "sha": picture.sha256, "size": picture.size, "now": now},
                )
            audit = self._record(
                db, hazard_id, project, action, actor, state, step.target, reason, deadline, now
            )
            for hook in self.hooks:
                hook.after(db, h | updates, action, actor, now)
        return audit

    def ordered(self, scoped: ScopedConnection, hazard_id: int, actor: Actor, now: float) -> None:
        """What follows a hazard an inspector recorded straight into rectification on site, as after an
        order: listed supervision lists it when it is major. In the caller's transaction."""
        h = self.hazard_dict(self._visible(scoped, hazard_id), now, classify.load(scoped.db))
        for hook in self.hooks:
            hook.after(scoped.db, h, "order", actor, now)

    @staticmethod
    def _record(
        db: Connection,
        hazard_id: int | None,
        project: str,
        action: str,
        actor: Actor,
        from_state: str,
        to_state: str,
        reason: str,
        deadline: float | None,
        now: float,
    ) -> dict[str, Any]:
        args = {
            "h": hazard_id,
            "p": project,
            "a": action,
            "who": actor.name,
            "role": actor.role,
            "f": from_state,
            "t": to_state,
            "r": reason,
            "d": deadline,
            "ts": now,
        }
        action_id = db.execute(
            sql(
                "INSERT INTO actions(hazard_id, project, action, actor, role, from_state, to_state, reason, deadline, ts) "
                "VALUES (:h, :p, :a, :who, :role, :f, :t, :r, :d, :ts) RETURNING id"
            ),
            args,
        ).scalar_one()
        return {
            "id": action_id,
            "hazard_id": hazard_id,
            "project": project,
            "action": action,
            "actor": actor.name,
            "role": actor.role,
            "from_state": from_state,
            "to_state": to_state,
            "reason": reason,
            "deadline": deadline,
            "ts": now,
        }

    def reclassify(
        self, hazard_id: int, actor: Actor, major: bool, article: str, item: str, reason: str
    ) -> dict[str, Any]:
        """An inspector classifies one hazard as major or general (with the article and item, needed for a
        major one) over the table's answer; audited with the reason. ReviewError if not allowed."""
        if actor.role not in REGULATORS:
            raise ReviewError(403, f"a {actor.role} may not reclassify")
        if not reason.strip():
            raise ReviewError(422, "reclassify needs a reason (改判理由)")
        article, item = article.strip(), item.strip()
        if major and not article:
            raise ReviewError(
                422, f"a major hazard needs the article of {classify.STANDARD} it falls under, e.g. 第八条"
            )
        what = classify.described(major, article, item, reason.strip(), actor.name)
        now = time.time()
        with self.repo.scoped(actor, write=True) as scoped:
            h = dict(zip(HAZARD_KEYS, self._visible(scoped, hazard_id), strict=True))
            project, state = h["project"], h["state"]
            db = scoped.db
            db.execute(
                sql(
                    "UPDATE hazards SET class_major = :m, class_article = :a, class_item = :i, class_basis = :b, "
                    "class_by = :by, updated_at = :now WHERE id = :id"
                ),
                {
                    "m": major,
                    "a": article,
                    "i": item,
                    "b": reason.strip(),
                    "by": actor.name,
                    "now": now,
                    "id": hazard_id,
                },
            )
            said = f"改判为{what['classification_name']}" + (f" {what['citation']}" if article else "")
            audit = self._record(
                db,
                hazard_id,
                project,
                "reclassify",
                actor,
                state,
                state,
                f"{said}：{reason.strip()}",
                None,
                now,
            )
        return audit

    def hazard_for_alert(self, project: str, alert_id: str) -> int | None:
        """The hazard id of a project's alert, if the regulator has it."""
        with self.repo.engine.connect() as db:
            return db.execute(
                sql("SELECT id FROM hazards WHERE project = :p AND alert_id = :a"),
                {"p": project, "a": alert_id},
            ).scalar()

    def escalate_overdue(self, now: float | None = None) -> int:
        """Mark rectification past its deadline as escalated (once per deadline), audited as by ``system``;
        then the hooks' sweeps. A listed hazard is left to its listings' deadlines (regulator/ledger/supervision.py
        escalates those), so it is not escalated twice, once on the order's deadline and again on theirs.

        Safe to run in several API processes at once (``serve --workers``): the UPDATE claims each hazard,
        and a process that loses the race to another's commit finds ``escalated_at`` set and records nothing.
        """
        now = time.time() if now is None else now
        system = Actor("system", "system")
        with self.repo.engine.begin() as db:
            rows = db.execute(
                sql(
                    "UPDATE hazards AS h SET escalated_at = :now WHERE h.state = 'rectifying' "
                    f"AND h.deadline < :now AND h.escalated_at IS NULL AND NOT {LISTED} AND {NOT_FORWARDED} "
                    "RETURNING id, project"
                ),
                {"now": now},
            ).all()
            for hazard_id, project in rows:
                self._record(
                    db,
                    hazard_id,
                    project,
                    "escalate",
                    system,
                    "rectifying",
                    "rectifying",
                    "整改逾期，已升级督办 (rectification overdue, escalated)",
                    None,
                    now,
                )
        return len(rows) + sum(hook.escalate(now) for hook in self.hooks)
