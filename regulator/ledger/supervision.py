"""Listed supervision (挂牌督办): every major hazard listed at county and city level with a deadline, its
notices (整改通知书, 停工整改通知书), escalation when a deadline passes unanswered, and closing (销号)
only after a re-inspection with evidence.

The plans' facts (docs/standards.md §4): "重大隐患一律实行市、县两级挂牌督办…'市级60日、县级30日'闭环整改".
A major hazard is listed when a regulator confirms it or orders its rectification (review.py's
``confirm``/``order``: a hazard classified major, or ordered as major), or when a regulator lists it by
hand at a level at or below their own. Each listing is one row (level, listing authority, deadline,
state) with the notice issued under it (a number of the authority's, counted in the year).

A listing whose deadline passes while the site has not answered (the hazard not yet reported fixed or
closed) is escalated to the level above (county → city → province) by the upkeep loop
(Review.escalate_overdue calls `Supervision.escalate`), once, in the audit trail; the place above sees it
under "escalated to us". A listed hazard is closed only by `reinspect` (a photo and a note by a
regulator whose jurisdiction covers every open listing's authority); review.py's plain ``close`` is
refused for it with the reason and the fix.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from regulator.ledger import classify
from regulator.ledger.review import DAY_S, NOT_FORWARDED, REGULATORS, Review, ReviewError
from regulator.names import BEIJING
from regulator.peaks import peak_words
from regulator.storage.db import sql
from regulator.storage.jurisdictions import LEVEL_NAMES, LEVELS, SEP
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor, ScopedConnection

log = logging.getLogger(__name__)
BASIS = "《房屋市政工程生产安全重大事故隐患判定标准（2024版）》（建质规〔2024〕5号）"
PLAN = "重大隐患一律实行市、县两级挂牌督办，“市级60日、县级30日”闭环整改"
NOTICE_KINDS = {"rectify": "整改通知书", "stop_work": "停工整改通知书"}
NOTICE_MARKS = {"rectify": "督", "stop_work": "停"}  # in the number: 南山住建督〔2026〕3号
STATES = {"listed": "挂牌督办中", "escalated": "逾期已提级", "closed": "已销号"}
UNANSWERED = ("pending", "confirmed", "rectifying")  # the site has not reported the fix
LISTED_LEVELS = ("district", "city")  # the plans' two levels; province only by escalation or by hand
LISTING_COLUMNS = (
    "l.id, l.hazard_id, l.project, p.name, l.level, l.authority, l.deadline, l.state, l.listed_by, "
    "l.listed_at, l.escalated_to, l.escalated_at, l.closed_by, l.closed_at, h.state, h.alert_id, h.rule, "
    "h.message, h.peak_message, h.peak_value, h.peak_threshold, h.unit, h.peak_ts"
)
LISTING_KEYS = (
    "id",
    "hazard_id",
    "project",
    "project_name",
    "level",
    "authority",
    "deadline",
    "state",
    "listed_by",
    "listed_at",
    "escalated_to",
    "escalated_at",
    "closed_by",
    "closed_at",
    "hazard_state",
    "alert_id",
    "rule",
    "message",
    "peak_message",
    "peak_value",
    "peak_threshold",
    "unit",
    "peak_ts",
)
NOTICE_COLUMNS = (
    "n.id, n.listing_id, n.hazard_id, n.project, n.kind, n.number, n.deadline, n.issued_by, n.issued_at"
)
NOTICE_KEYS = (
    "id",
    "listing_id",
    "hazard_id",
    "project",
    "kind",
    "number",
    "deadline",
    "issued_by",
    "issued_at",
)


@dataclass(frozen=True, slots=True)
class ListingPolicy:
    """The listing deadlines per level, in days (the plans': county 30, city 60; province as city's)."""

    county_days: float = 30.0
    city_days: float = 60.0

    def days(self, level: str) -> float:
        """The deadline in days of a listing at ``level``."""
        return self.county_days if level == "district" else self.city_days


def covers(mine: str | None, path: str) -> bool:
    """Is ``path`` at or under jurisdiction ``mine`` (None: every place)?"""
    return mine is None or path == mine or path.startswith(mine + SEP)


def level_of(path: str) -> str:
    """The level of a place by its path: 广东省 province, 广东省/深圳市 city, deeper district."""
    return LEVELS[min(path.count(SEP), len(LEVELS) - 1)]


def authority_name(path: str) -> str:
    """The issuing authority of a place: 南山区住房和城乡建设局; a province's is a 厅."""
    place = path.rsplit(SEP, 1)[-1]
    return f"{place}住房和城乡建设{'厅' if SEP not in path else '局'}"


def _up(path: str) -> str | None:
    return path.rsplit(SEP, 1)[0] if SEP in path else None


def _year_start(now: float) -> tuple[int, float]:
    year = datetime.fromtimestamp(now, BEIJING).year
    return year, datetime(year, 1, 1, tzinfo=BEIJING).timestamp()


def listing_view(row: dict[str, Any], now: float) -> dict[str, Any]:
    """A listing as the API gives it: Chinese names, overdue or not, who handles it now."""
    return row | {
        "level_name": LEVEL_NAMES[row["level"]],
        "authority_name": authority_name(row["authority"]),
        "state_name": STATES[row["state"]],
        "overdue": row["state"] != "closed" and row["deadline"] < now,
        "handled_by": row["escalated_to"] or row["authority"],
        "peak_text": peak_words(row["rule"], row["peak_value"], row["peak_threshold"], row["unit"]),
    }


def notice_view(row: dict[str, Any]) -> dict[str, Any]:
    """A notice as the API gives it, with where its PDF is."""
    return row | {
        "kind_name": NOTICE_KINDS[row["kind"]],
        "pdf_url": f"/ui/api/notices/{row['id']}.pdf",
    }


class Supervision:
    """Listed supervision over one repository, hooked into the review loop (``review.hooks``)."""

    def __init__(
        self,
        repo: Repository,
        review: Review,
        policy: ListingPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``clock``: the time now (tests move it instead of waiting a month)."""
        self.repo = repo
        self.review = review
        self.policy = policy or ListingPolicy()
        self.clock = clock
        # one listed supervision per review loop, however often an app is built over it
        review.hooks[:] = [h for h in review.hooks if not isinstance(h, Supervision)] + [self]

    # ---- the review loop's hook -----------------------------------------------------------------------

    def check(self, db: Connection, hazard: dict[str, Any], action: str, actor: Actor) -> None:
        """Refuse to close or dismiss a listed hazard by a regulator below a listing's level, and to close
        one without a passing re-inspection (a photo and a note) since the site's last report."""
        if action not in ("close", "dismiss"):
            return
        listings = self._open_listings(db, hazard["id"])
        if not listings:
            return
        self._may_close(actor, listings, hazard["id"])
        if action == "dismiss":
            return
        since = db.execute(
            sql("SELECT COALESCE(MAX(ts), 0) FROM actions WHERE hazard_id = :h AND action = 'report'"),
            {"h": hazard["id"]},
        ).scalar_one()
        seen = db.execute(
            sql(
                "SELECT 1 FROM reinspections WHERE hazard_id = :h AND passed AND inspector = :who AND ts >= :since"
            ),
            {"h": hazard["id"], "who": actor.name, "since": since},
        ).first()
        if seen is None:
            numbers = "、".join(n for n in self._numbers(db, hazard["id"]))
            raise ReviewError(
                409,
                f"hazard {hazard['id']} is under listed supervision (挂牌督办, {numbers}): 销号 needs a "
                f"re-inspection with a photo and a note: POST /ui/api/hazards/{hazard['id']}/reinspect",
            )

    def after(self, db: Connection, hazard: dict[str, Any], action: str, actor: Actor, now: float) -> None:
        """List a major hazard when it is confirmed or ordered; end its listings when it is closed or
        dismissed."""
        if action in ("confirm", "order"):
            major = hazard["major"] if action == "order" else hazard["classification"] == "major"
            if major:
                for level in LISTED_LEVELS:
                    self._list(db, hazard, level, "rectify", actor, now, None, auto=True)
            elif self._open_listings(db, hazard["id"]):  # ordered as general: still listed until 销号
                db.execute(
                    sql("UPDATE hazards SET major = :yes WHERE id = :h"), {"yes": True, "h": hazard["id"]}
                )
        elif action in ("close", "dismiss"):
            db.execute(
                sql(
                    "UPDATE listings SET state = 'closed', closed_by = :who, closed_at = :now "
                    "WHERE hazard_id = :h AND state <> 'closed'"
                ),
                {"who": actor.name, "now": now, "h": hazard["id"]},
            )

    def escalate(self, now: float) -> int:
        """Escalate every listing past its deadline whose hazard the site has not answered to the level above
        (once), audited as by ``system``; how many. Safe in several processes: the UPDATE claims each."""
        system = Actor("system", "system")
        count = 0
        with self.repo.engine.begin() as db:
            rows = db.execute(
                sql(
                    "SELECT l.id, l.hazard_id, l.project, l.level, l.authority, h.state FROM listings l "
                    "JOIN hazards h ON h.id = l.hazard_id WHERE l.state = 'listed' AND l.deadline < :now "
                    f"AND h.state IN {UNANSWERED} AND {NOT_FORWARDED} ORDER BY l.id"
                ),
                {"now": now},
            ).all()
            for listing_id, hazard_id, project, level, authority, state in rows:
                above = _up(authority)
                if above is None:  # a province's listing has no level above: it stays overdue
                    continue
                claimed = db.execute(
                    sql(
                        "UPDATE listings SET state = 'escalated', escalated_to = :up, escalated_at = :now "
                        "WHERE id = :id AND state = 'listed'"
                    ),
                    {"up": above, "now": now, "id": listing_id},
                ).rowcount
                if claimed != 1:
                    continue
                reason = (
                    f"{LEVEL_NAMES[level]}挂牌督办（{authority_name(authority)}）逾期未整改，提级至"
                    f"{authority_name(above)}督办 (listing overdue, escalated to {above})"
                )
                self.review._record(
                    db, hazard_id, project, "escalate_listing", system, state, state, reason, None, now
                )
                count += 1
        return count

    # ---- what regulators do ---------------------------------------------------------------------------

    def list_by_hand(
        self, hazard_id: int, actor: Actor, level: str, kind: str, deadline_days: float | None
    ) -> dict[str, Any]:
        """A regulator lists a major hazard at ``level`` (at or below their own) with a notice of ``kind``;
        the listing. ReviewError: not a regulator, not major, closed, listed there already."""
        if actor.role not in REGULATORS:
            raise ReviewError(403, f"a {actor.role} may not list a hazard for supervision")
        if level not in LEVELS:
            raise ReviewError(422, f"unknown level {level!r}: one of {', '.join(LEVELS)}")
        if kind not in NOTICE_KINDS:
            raise ReviewError(422, f"unknown notice kind {kind!r}: one of {', '.join(NOTICE_KINDS)}")
        now = self.clock()
        with self.repo.scoped(actor, write=True) as scoped:
            hazard = self._hazard(scoped, hazard_id)
            if hazard["state"] in ("closed", "dismissed"):
                raise ReviewError(
                    409, f"hazard {hazard_id} is {hazard['state']}: only an open hazard is listed"
                )
            if not (hazard["major"] or hazard["classification"] == "major"):
                raise ReviewError(
                    422,
                    f"hazard {hazard_id} is a general hazard (一般隐患): only a major hazard (重大事故隐患) is "
                    "listed; reclassify it first (POST /ui/api/hazards/{id}/reclassify) if it is one",
                )
            listing = self._list(scoped.db, hazard, level, kind, actor, now, deadline_days, auto=False)
            if listing is None:
                raise ReviewError(409, f"hazard {hazard_id} is listed at {LEVEL_NAMES[level]} already")
        return listing

    def issue_notice(self, listing_id: int, actor: Actor, kind: str) -> dict[str, Any]:
        """Another notice under an open listing (a stop-work order after a rectification notice), by a
        regulator of the listing's level or above; the notice."""
        if actor.role not in REGULATORS:
            raise ReviewError(403, f"a {actor.role} may not issue a notice")
        if kind not in NOTICE_KINDS:
            raise ReviewError(422, f"unknown notice kind {kind!r}: one of {', '.join(NOTICE_KINDS)}")
        now = self.clock()
        with self.repo.scoped(actor, write=True) as scoped:
            row = scoped.execute(
                f"SELECT {LISTING_COLUMNS} FROM listings l JOIN {PROJECTS} p ON p.code = l.project "
                "JOIN hazards h ON h.id = l.hazard_id WHERE l.id = :id",
                {"id": listing_id},
            ).first()
            if row is None:
                raise ReviewError(404, f"no listing {listing_id}")
            listing = dict(zip(LISTING_KEYS, row, strict=True))
            if listing["state"] == "closed":
                raise ReviewError(
                    409, f"listing {listing_id} is closed (已销号): no notice is issued under it"
                )
            self._may_close(actor, [listing], listing["hazard_id"], what="issue a notice under")
            notice = self._notice(scoped.db, listing, kind, actor, now)
            self.review._record(
                scoped.db,
                listing["hazard_id"],
                listing["project"],
                "notice",
                actor,
                listing["hazard_state"],
                listing["hazard_state"],
                f"下达{NOTICE_KINDS[kind]} {notice['number']}",
                listing["deadline"],
                now,
            )
        return notice_view(notice)

    def reinspect(
        self, hazard_id: int, actor: Actor, passed: bool, note: str, photo: bytes | None
    ) -> dict[str, Any]:
        """Re-inspection (复查) of a listed hazard the site reported fixed, with a photo and a note: passed
        closes it (销号) and its listings, failed sends it back to rectification; the audit row."""
        if actor.role not in REGULATORS:
            raise ReviewError(403, f"a {actor.role} may not re-inspect")
        if not note.strip():
            raise ReviewError(422, "a re-inspection needs a note of what was found (复查意见)")
        if not photo:
            raise ReviewError(422, "a re-inspection needs a photo taken at it (复查照片, JPEG)")
        picture = self.repo.pictures.put(photo)
        now = self.clock()
        with self.repo.scoped(actor, write=True) as scoped:
            hazard = self._hazard(scoped, hazard_id)
            if hazard["state"] != "reported":
                raise ReviewError(
                    409,
                    f"hazard {hazard_id} is {hazard['state']}: re-inspection follows the site's report of the fix "
                    "(reported)",
                )
            self._may_close(actor, self._open_listings(scoped.db, hazard_id), hazard_id, what="re-inspect")
            scoped.db.execute(
                sql(
                    "INSERT INTO reinspections(hazard_id, project, inspector, jurisdiction, passed, note, "
                    "photo_sha256, ts) VALUES (:h, :p, :who, :j, :ok, :note, :sha, :now)"
                ),
                {
                    "h": hazard_id,
                    "p": hazard["project"],
                    "who": actor.name,
                    "j": actor.jurisdiction,
                    "ok": passed,
                    "note": note.strip(),
                    "sha": picture.sha256,
                    "now": now,
                },
            )
            scoped.db.execute(
                sql(
                    "INSERT INTO evidence(hazard_id, purpose, kind, sha256, size, created_at) "
                    "VALUES (:h, 'reinspection', 'stored', :sha, :size, :now)"
                ),
                {"h": hazard_id, "sha": picture.sha256, "size": picture.size, "now": now},
            )
        said = f"复查{'合格，销号' if passed else '不合格'}：{note.strip()}"
        return self.review.act(hazard_id, "close" if passed else "reject", actor, said)

    # ---- what people read -----------------------------------------------------------------------------

    def listings(
        self,
        actor: Actor,
        state: str = "open",
        level: str = "",
        escalated_to_me: bool = False,
        hazard_id: int | None = None,
        listed_from: float | None = None,
        listed_before: float | None = None,
        limit: int = 1000,
    ) -> list[dict[str, Any]]:
        """The listings of the projects ``actor`` may see, each with its notices, newest first: ``state``
        open (listed or escalated), listed, escalated, closed or all; ``escalated_to_me``: only those
        escalated to the actor's own place; ``hazard_id``: only that hazard's; ``listed_from`` and
        ``listed_before``: only those listed in [from, before) (a period's, for the national export);
        at most ``limit``."""
        if state not in ("open", "all", *STATES):
            raise ReviewError(422, f"unknown state {state!r}: one of open, all, {', '.join(STATES)}")
        if level and level not in LEVELS:
            raise ReviewError(422, f"unknown level {level!r}: one of {', '.join(LEVELS)}")
        where, args = ["1=1"], dict[str, Any]()
        if state == "open":
            where.append("l.state <> 'closed'")
        elif state != "all":
            where.append("l.state = :state")
            args["state"] = state
        if level:
            where.append("l.level = :level")
            args["level"] = level
        if hazard_id is not None:
            where.append("l.hazard_id = :hazard")
            args["hazard"] = hazard_id
        if escalated_to_me:
            where.append("l.escalated_to = :mine")
            args["mine"] = actor.jurisdiction or ""
        if listed_from is not None:
            where.append("l.listed_at >= :listed_from")
            args["listed_from"] = listed_from
        if listed_before is not None:
            where.append("l.listed_at < :listed_before")
            args["listed_before"] = listed_before
        now = self.clock()
        with self.repo.scoped(actor) as scoped:
            rows = scoped.execute(
                f"SELECT {LISTING_COLUMNS} FROM listings l JOIN {PROJECTS} p ON p.code = l.project "
                f"JOIN hazards h ON h.id = l.hazard_id WHERE {' AND '.join(where)} ORDER BY l.id DESC LIMIT :limit",
                args | {"limit": limit},
            ).all()
            found = [listing_view(dict(zip(LISTING_KEYS, r, strict=True)), now) for r in rows]
            notices = self._notices_of(scoped.db, [x["id"] for x in found])
        for x in found:
            x["notices"] = notices.get(x["id"], [])
        return found

    def labels(self, actor: Actor, hazard_ids: list[int]) -> dict[int, str]:
        """The ledger's 督办 column: each listed hazard's open listings, e.g. 区县级+市级 (逾期已提级)."""
        if not hazard_ids:
            return {}
        marks = ",".join(str(int(i)) for i in hazard_ids)
        with self.repo.scoped(actor) as scoped:
            rows = scoped.execute(
                f"SELECT l.hazard_id, l.level, l.state FROM listings l JOIN {PROJECTS} p ON p.code = l.project "
                f"WHERE l.hazard_id IN ({marks}) ORDER BY l.hazard_id, l.id"
            ).all()
        out: dict[int, list[str]] = {}
        for hazard_id, level, state in rows:
            out.setdefault(hazard_id, []).append(
                LEVEL_NAMES[level]
                + {"listed": "", "escalated": "（逾期已提级）", "closed": "（已销号）"}[state]
            )
        return {h: "、".join(v) for h, v in out.items()}

    def project_notices(self, project: str) -> list[dict[str, Any]]:
        """The notices of a project's listings not yet closed, as its gateway hears them (feedback)."""
        gateway = Actor(f"gateway:{project}", "gateway", project)
        now = self.clock()
        with self.repo.scoped(gateway) as scoped:
            rows = scoped.execute(
                f"SELECT {NOTICE_COLUMNS}, l.level, l.authority, l.state, h.alert_id, h.state FROM notices n "
                f"JOIN listings l ON l.id = n.listing_id JOIN hazards h ON h.id = n.hazard_id "
                f"JOIN {PROJECTS} p ON p.code = n.project WHERE l.state <> 'closed' ORDER BY n.id"
            ).all()
        return [
            notice_view(dict(zip(NOTICE_KEYS, r[:9], strict=True)))
            | {
                "level": r[9],
                "level_name": LEVEL_NAMES[r[9]],
                "authority": r[10],
                "authority_name": authority_name(r[10]),
                "listing_state": r[11],
                "alert_id": r[12],
                "hazard_state": r[13],
                "overdue": r[6] < now,
                "pdf_url": f"/api/v1/notices/{r[0]}.pdf",
            }
            for r in rows
        ]

    def notice(self, notice_id: int, actor: Actor) -> tuple[dict[str, Any], dict[str, Any], bytes | None]:
        """A notice the actor may see, its hazard (classified, with the project's companies) and the hazard's
        evidence picture (None: none kept); ReviewError 404 otherwise."""
        with self.repo.scoped(actor) as scoped:
            row = scoped.execute(
                f"SELECT {NOTICE_COLUMNS}, l.level, l.authority FROM notices n JOIN listings l "
                f"ON l.id = n.listing_id JOIN {PROJECTS} p ON p.code = n.project WHERE n.id = :id",
                {"id": notice_id},
            ).first()
            if row is None:
                raise ReviewError(404, f"no notice {notice_id}")
            notice = dict(zip(NOTICE_KEYS, row[:9], strict=True)) | {
                "level": row[9],
                "level_name": LEVEL_NAMES[row[9]],
                "authority": row[10],
            }
            db = scoped.db
            hazard = self._hazard(scoped, notice["hazard_id"])
            hazard |= dict(
                zip(
                    ("contractor", "supervisor"),
                    db.execute(
                        sql("SELECT contractor, supervisor FROM projects WHERE code = :p"),
                        {"p": notice["project"]},
                    ).one(),
                    strict=True,
                )
            )
            sha = db.execute(
                sql(
                    "SELECT sha256 FROM evidence WHERE hazard_id = :h AND kind = 'stored' "
                    "AND purpose NOT IN ('rectification', 'reinspection', 'clip') ORDER BY id LIMIT 1"
                ),
                {"h": notice["hazard_id"]},
            ).scalar()
        return notice_view(notice), hazard, self.repo.pictures.get(sha) if sha else None

    # ---- inside ---------------------------------------------------------------------------------------

    def _hazard(self, scoped: ScopedConnection, hazard_id: int) -> dict[str, Any]:
        """The hazard as review.py gives it (classified); 404 outside the scope."""
        row = self.review._visible(scoped, hazard_id)
        return self.review.hazard_dict(row, self.clock(), classify.load(scoped.db))

    @staticmethod
    def _place(db: Connection, project: str) -> str | None:
        """The path of the project's district (None: placed nowhere yet)."""
        return db.execute(
            sql(
                "SELECT j.path FROM projects p JOIN jurisdictions j ON j.id = p.district_id WHERE p.code = :p"
            ),
            {"p": project},
        ).scalar()

    @staticmethod
    def _open_listings(db: Connection, hazard_id: int) -> list[dict[str, Any]]:
        rows = db.execute(
            sql(
                "SELECT id, level, authority, escalated_to FROM listings WHERE hazard_id = :h AND state <> 'closed'"
            ),
            {"h": hazard_id},
        ).all()
        return [dict(zip(("id", "level", "authority", "escalated_to"), r, strict=True)) for r in rows]

    @staticmethod
    def _may_close(actor: Actor, listings: list[dict[str, Any]], hazard_id: int, what: str = "close") -> None:
        """403 unless ``actor`` is a regulator of every listing's level (or the level it went up to) or above."""
        for listing in listings:
            above = listing.get("escalated_to") or listing["authority"]
            if not covers(actor.jurisdiction, above):
                raise ReviewError(
                    403,
                    f"hazard {hazard_id} is listed at {LEVEL_NAMES[level_of(above)]} ({above}): only a regulator "
                    f"of that level or above may {what} it; you are at {actor.jurisdiction}",
                )

    @staticmethod
    def _numbers(db: Connection, hazard_id: int) -> list[str]:
        return [
            n
            for (n,) in db.execute(
                sql("SELECT number FROM notices WHERE hazard_id = :h ORDER BY id"), {"h": hazard_id}
            ).all()
        ]

    def _list(
        self,
        db: Connection,
        hazard: dict[str, Any],
        level: str,
        kind: str,
        actor: Actor,
        now: float,
        deadline_days: float | None,
        auto: bool,
    ) -> dict[str, Any] | None:
        """List ``hazard`` at ``level`` with a first notice; None when it is listed there already."""
        place = self._place(db, hazard["project"])
        if place is None and auto:
            # confirming or ordering the hazard must not fail for it: it is listed by hand once placed
            log.warning(
                "hazard %s of project %s is major but not listed for supervision: the project is in no "
                "district (register its city and district: sitegw regulator add-project), then list it",
                hazard["id"],
                hazard["project"],
            )
            return None
        if place is None:
            raise ReviewError(
                422, f"project {hazard['project']} is in no district: register its city and district first"
            )
        parts = place.split(SEP)
        authority = SEP.join(parts[: LEVELS.index(level) + 1])
        if not auto and not covers(actor.jurisdiction, authority):
            raise ReviewError(
                403,
                f"{actor.jurisdiction} may list at its own level or below, not at {LEVEL_NAMES[level]} ({authority})",
            )
        if db.execute(
            sql("SELECT 1 FROM listings WHERE hazard_id = :h AND level = :l"), {"h": hazard["id"], "l": level}
        ).first():
            return None
        deadline = now + DAY_S * (self.policy.days(level) if deadline_days is None else deadline_days)
        listing_id = db.execute(
            sql(
                "INSERT INTO listings(hazard_id, project, level, authority, deadline, state, listed_by, listed_at) "
                "VALUES (:h, :p, :l, :a, :d, 'listed', :who, :now) RETURNING id"
            ),
            {
                "h": hazard["id"],
                "p": hazard["project"],
                "l": level,
                "a": authority,
                "d": deadline,
                "who": actor.name,
                "now": now,
            },
        ).scalar_one()
        db.execute(
            sql("UPDATE hazards SET major = :yes, updated_at = :now WHERE id = :h"),
            {"yes": True, "now": now, "h": hazard["id"]},
        )
        listing = {
            "id": listing_id,
            "hazard_id": hazard["id"],
            "project": hazard["project"],
            "level": level,
            "authority": authority,
            "deadline": deadline,
            "state": "listed",
            "listed_by": actor.name,
            "listed_at": now,
        }
        notice = self._notice(db, listing, kind, actor, now)
        self.review._record(
            db,
            hazard["id"],
            hazard["project"],
            "list",
            actor,
            hazard["state"],
            hazard["state"],
            f"{LEVEL_NAMES[level]}挂牌督办（{authority_name(authority)}），下达{NOTICE_KINDS[kind]} "
            f"{notice['number']}；{PLAN}",
            deadline,
            now,
        )
        return listing | {"notices": [notice_view(notice)]}

    @staticmethod
    def _notice(
        db: Connection, listing: dict[str, Any], kind: str, actor: Actor, now: float
    ) -> dict[str, Any]:
        """Issue a notice under ``listing``: the authority's next number of the year."""
        year, start = _year_start(now)
        seq = (
            1
            + db.execute(
                sql(
                    "SELECT COALESCE(MAX(n.seq), 0) FROM notices n JOIN listings l ON l.id = n.listing_id "
                    "WHERE l.authority = :a AND n.kind = :k AND n.issued_at >= :start"
                ),
                {"a": listing["authority"], "k": kind, "start": start},
            ).scalar_one()
        )
        place = listing["authority"].rsplit(SEP, 1)[-1]
        number = f"{place}住建{NOTICE_MARKS[kind]}〔{year}〕{seq}号"
        args = {
            "listing_id": listing["id"],
            "hazard_id": listing["hazard_id"],
            "project": listing["project"],
            "kind": kind,
            "number": number,
            "seq": seq,
            "deadline": listing["deadline"],
            "issued_by": actor.name,
            "issued_at": now,
        }
        notice_id = db.execute(
            sql(
                "INSERT INTO notices(listing_id, hazard_id, project, kind, number, seq, deadline, issued_by, "
                "issued_at) VALUES (:listing_id, :hazard_id, :project, :kind, :number, :seq, :deadline, "
                ":issued_by, :issued_at) RETURNING id"
            ),
            args,
        ).scalar_one()
        return {"id": notice_id, **{k: v for k, v in args.items() if k != "seq"}}

    @staticmethod
    def _notices_of(db: Connection, listing_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        if not listing_ids:
            return {}
        marks = ",".join(str(int(i)) for i in listing_ids)
        rows = db.execute(
            sql(f"SELECT {NOTICE_COLUMNS} FROM notices n WHERE n.listing_id IN ({marks}) ORDER BY n.id")
        ).all()
        out: dict[int, list[dict[str, Any]]] = {}
        for r in rows:
            n = notice_view(dict(zip(NOTICE_KEYS, r, strict=True)))
            out.setdefault(n["listing_id"], []).append(n)
        return out
