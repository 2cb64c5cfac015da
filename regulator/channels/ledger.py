"""A hazard that a person found (an inspector, a project's safety officer, a verified public report) written
into the same ledger as the gateways' alerts, ready for the closed loop (regulator/ledger/review.py).

Such a hazard has no device or readings: its ``rule`` is its channel, its ``clause`` the citation, its
``message`` the finding's description, its level ``alarm`` when major and ``warning`` when general (the
queue's order), and its classification is the finder's (``class_*``: derived from the article by
regulator/channels/articles.py, or the inspector's override with its reason). Its ``alert_id`` is the
channel's key (``inspection:<uuid>``, ``self_check:<the site's id>``, ``public:<report id>``), so a finding
sent twice (a gateway's retry) is one hazard. Photos go to the evidence store as the hazard's ``finding``
evidence. Recording is one audited action, ``record``, from no state to the state it enters.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import sqlalchemy as sa

from contract.alert_event import LEVEL_RANK
from regulator.channels.articles import ARTICLES, Citation
from regulator.ledger.classify import STANDARD
from regulator.ledger.review import Review, ReviewError
from regulator.storage.db import sql
from regulator.storage.evidence import StoredPicture
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor, ScopedConnection

INSERT_HAZARD = (
    "INSERT INTO hazards(project, alert_id, city, district, device, point, rule, clause, level, level_rank, "
    "message, value, threshold, unit, site_state, first_ts, last_ts, state, major, deadline, updated_at, "
    "class_major, class_article, class_item, class_basis, class_by, source, found_by) "
    "VALUES (:p, :key, :city, :district, '', '', :source, :clause, :level, :rank, :message, '', NULL, '', '', "
    ":now, :now, :state, :major, :deadline, :now, :major, :article, :item, :basis, :by, :source, :by) "
    "RETURNING id"
)


@dataclass(frozen=True, slots=True)
class Finding:
    """What a person found on a project: the description, the citation, the classification (the criteria's,
    or ``override`` with ``override_reason``), the photos (checked JPEGs) and the rectification deadline."""

    project: str
    description: str
    citation: Citation
    override: bool | None = None
    override_reason: str = ""
    deadline_days: float | None = None
    photos: list[bytes] = field(default_factory=list)

    @property
    def major(self) -> bool:
        """Major (重大事故隐患): the criteria's answer unless the inspector said otherwise."""
        return self.citation.major if self.override is None else self.override

    def check(self, actor: Actor) -> None:
        """ReviewError 422 for an empty description or an override without its reason; 403 for an override
        by someone who is not an inspector."""
        if not self.description.strip():
            raise ReviewError(422, "description is empty: say what was found (隐患描述)")
        if self.override is not None and self.override != self.citation.major:
            if actor.role not in ("regulator", "admin"):
                raise ReviewError(403, "only an inspector may classify a finding against its article")
            if not self.override_reason.strip():
                raise ReviewError(
                    422, "override_reason is empty: say why the finding is classified against its article"
                )

    def basis(self) -> str:
        """Why it is major or general, as the ledger shows it."""
        c = self.citation
        if c.standard != STANDARD or not c.article:
            said = f"违反 {c.text}" if c.cites else "未引用判定标准条款"
            why = f"{said}，非判定标准所列重大事故隐患"
        else:
            why = f"{ARTICLES[c.article][0]}：{self.description.strip()[:200]}"
        if self.override is not None and self.override != c.major:
            why += f"；检查人员改判：{self.override_reason.strip()}"
        return why


def visible_project(scoped: ScopedConnection, code: str) -> tuple[str, str, str]:
    """(code, city, district) of a project the connection's actor may see; 404 otherwise, as if absent."""
    row = scoped.execute(
        f"SELECT p.code, p.city, p.district FROM {PROJECTS} p WHERE p.code = :c", {"c": code}
    ).first()
    if row is None:
        raise ReviewError(404, f"no project {code!r} in your jurisdiction")
    return str(row[0]), str(row[1]), str(row[2])


def existing(scoped: ScopedConnection, project: str, key: str) -> int | None:
    """The hazard already recorded under this channel key, if any (a retried submission)."""
    return scoped.db.execute(
        sql("SELECT id FROM hazards WHERE project = :p AND alert_id = :k"), {"p": project, "k": key}
    ).scalar()


def write(
    scoped: ScopedConnection,
    actor: Actor,
    source: str,
    key: str,
    finding: Finding,
    *,
    state: str,
    deadline: float | None,
    pictures: list[StoredPicture],
    note: str,
    now: float,
) -> int:
    """Insert the hazard, its evidence and its ``record`` action in the caller's transaction; its id."""
    finding.check(actor)
    project, city, district = visible_project(scoped, finding.project)
    db = scoped.db
    c = finding.citation
    five = c.standard == STANDARD
    level = "alarm" if finding.major else "warning"
    hazard_id = db.execute(
        sql(INSERT_HAZARD),
        {
            "p": project,
            "key": key,
            "city": city,
            "district": district,
            "source": source,
            "clause": c.text if c.cites else "",
            "level": level,
            "rank": LEVEL_RANK[level],
            "message": finding.description.strip(),
            "now": now,
            "state": state,
            "major": finding.major,
            "deadline": deadline,
            "article": c.article if five else "",
            "item": c.item if five else "",
            "basis": finding.basis(),
            "by": actor.name,
        },
    ).scalar_one()
    for picture in pictures:
        db.execute(
            sql(
                "INSERT INTO evidence(hazard_id, purpose, kind, sha256, size, created_at) "
                "VALUES (:h, 'finding', 'stored', :sha, :size, :now)"
            ),
            {"h": hazard_id, "sha": picture.sha256, "size": picture.size, "now": now},
        )
    Review._record(db, hazard_id, project, "record", actor, "", state, note, deadline, now)
    return int(hazard_id)


def record(
    review: Review,
    actor: Actor,
    source: str,
    key: str,
    finding: Finding,
    *,
    state: str,
    note: str,
    extra: list[bytes] | None = None,
    nonce: tuple[str, float] | None = None,
) -> tuple[int, bool]:
    """Record ``finding`` as a hazard of ``source`` under ``key`` (its photos, and ``extra`` pictures such as a
    camera's, as evidence): its id and True, or the hazard already under ``key`` and False.
    A hazard entering ``rectifying`` gets its deadline (the finding's days, else the review's default)."""
    finding.check(actor)
    repo: Repository = review.repo
    pictures = [repo.pictures.put(p) for p in [*finding.photos, *(extra or [])]]
    now = time.time()
    deadline = (
        review.policy.deadline(now, finding.major, finding.deadline_days)
        if state == "rectifying"
        else (now + finding.deadline_days * 86400.0 if finding.deadline_days else None)
    )
    try:
        with repo.scoped(actor, write=True) as scoped:
            if nonce is not None and actor.project:
                repo.use_nonce(scoped.db, actor.project, *nonce)
            found = existing(scoped, finding.project, key)
            if found is not None:
                visible_project(scoped, finding.project)
                return found, False
            hazard_id = write(
                scoped,
                actor,
                source,
                key,
                finding,
                state=state,
                deadline=deadline,
                pictures=pictures,
                note=note,
                now=now,
            )
    except sa.exc.IntegrityError:  # the same key committed by a concurrent copy between the check and insert
        with repo.scoped(actor) as scoped:
            found = existing(scoped, finding.project, key)
        if found is None:
            raise
        return found, False
    return hazard_id, True
