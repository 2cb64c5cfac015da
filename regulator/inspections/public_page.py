"""The bureau's public page (issue 53 §6): one page, no sign-in, that a bureau links from its website and its
WeChat account, showing only what it marked public (001: 挂牌、公布、曝光; 000: 曝光典型案例; 双随机一公开):

- the published list: the companies whose stopped sites' ratio reaches the grading policy's
  ``publish_ratio`` (regulator/reports/grading.py, every project);
- the typical cases (典型案例) the bureau chose to expose: a hazard or an accident with the title and the
  redacted text the bureau wrote (`expose`; the ledger's own words never reach the page);
- the published 双随机 draws (draws.py) and the enforcement records marked public
  (regulator/ledger/enforcement_records.py, a person by surname only);
- the whistleblower form (/public/report) as it is.

Never a person's ID number or mobile phone number: a case whose text holds one is refused (the bureau
redacts it), and every text of the page is checked again as it is built (`redacted`), whatever wrote it.
"""

from __future__ import annotations

import re
import time
from typing import Any

from regulator.inspections.draws import published as published_draws
from regulator.ledger.enforcement_records import published as published_actions
from regulator.ledger.review import ReviewError
from regulator.names import beijing_text
from regulator.reports.grading import grade
from regulator.storage.db import sql
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor, ScopedConnection

# 身份证号 (GB 11643-1999: 6-digit area, birth date, 3-digit order, check digit) and 手机号 (11 digits from 13–19,
# with +86 or spaces/dashes as people write them)
ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
)
MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
HIDDEN = "［已隐去］"
EVERYONE = Actor("public-page", "admin")  # the published list is graded over every project
KINDS = {"hazard": "隐患", "incident": "事故"}
CASE_KEYS = ("id", "kind", "title", "text", "district", "published_at")


def personal(text: str) -> str | None:
    """What personal number ``text`` holds ('ID number', 'mobile phone number'), None if none."""
    if ID_NUMBER.search(text):
        return "an ID number (身份证号)"
    if MOBILE.search(text):
        return "a mobile phone number (手机号)"
    return None


def redacted(value: Any) -> Any:
    """``value`` with every ID number and mobile phone number in its texts replaced by ``HIDDEN``."""
    if isinstance(value, str):
        return MOBILE.sub(HIDDEN, ID_NUMBER.sub(HIDDEN, value))
    if isinstance(value, list):
        return [redacted(v) for v in value]
    if isinstance(value, dict):
        return {k: redacted(v) for k, v in value.items()}
    return value


def expose(repo: Repository, actor: Actor, kind: str, ref: int, title: str, text: str) -> dict[str, Any]:
    """Put a hazard or an accident of ``actor``'s jurisdiction on the public page as a typical case, with
    the bureau's title and redacted text; the case as shown. 403 for a user who is not a regulator, 404
    for one they may not see, 422 for an empty text or one holding a personal number."""
    _bureau(actor)
    if kind not in KINDS:
        raise ReviewError(422, f"kind {kind!r} is none of {', '.join(KINDS)}")
    for name, said in (("title", title), ("text", text)):
        if not said.strip():
            raise ReviewError(
                422,
                f"{name} is empty: write what the public should read (案例{'标题' if name == 'title' else '说明'})",
            )
        found = personal(said)
        if found:
            raise ReviewError(422, f"{name} holds {found}: redact it before exposing the case (隐去个人信息)")
    table, column = ("hazards", "hazard_id") if kind == "hazard" else ("incidents", "incident_id")
    with repo.scoped(actor, write=True) as db:
        project = _project_of(db, table, ref, KINDS[kind])
        case_id = db.db.execute(
            sql(
                f"INSERT INTO public_cases({column}, project, title, text, published_by, published_at) "
                "VALUES (:ref, :p, :title, :text, :by, :now) RETURNING id"
            ),
            {"ref": ref, "p": project, "title": title.strip(), "text": text.strip(), "by": actor.name}
            | {"now": time.time()},
        ).scalar_one()
    return next(c for c in cases(repo) if c["id"] == case_id)


def withdraw(repo: Repository, actor: Actor, case_id: int) -> None:
    """Take a case off the public page; 404 for one of a project ``actor`` may not see."""
    _bureau(actor)
    with repo.scoped(actor, write=True) as db:
        _project_of(db, "public_cases", case_id, "public case")
        db.db.execute(
            sql("UPDATE public_cases SET withdrawn_at = :now WHERE id = :id AND withdrawn_at IS NULL"),
            {"now": time.time(), "id": case_id},
        )


def _bureau(actor: Actor) -> None:
    """403 unless ``actor`` is the bureau's: typical cases are theirs to expose and withdraw."""
    if actor.role not in ("regulator", "admin"):
        raise ReviewError(403, "typical cases are exposed and withdrawn by the bureau (监管人员)")


def _project_of(db: ScopedConnection, table: str, ref: int, what: str) -> str:
    """The project of row ``ref`` of ``table`` when the connection's actor sees it; 404 otherwise."""
    row = db.execute(
        f"SELECT x.project FROM {table} x JOIN {PROJECTS} p ON p.code = x.project WHERE x.id = :id",
        {"id": ref},
    ).first()
    if row is None:
        raise ReviewError(404, f"no {what} {ref} in your jurisdiction")
    return str(row[0])


def cases(repo: Repository) -> list[dict[str, Any]]:
    """The cases on the public page, the latest first: title, text, the project's district, when."""
    with repo.engine.connect() as db:
        rows = db.execute(
            sql(
                "SELECT c.id, CASE WHEN c.hazard_id IS NULL THEN 'incident' ELSE 'hazard' END, c.title, c.text, "
                "COALESCE(j.path, ''), c.published_at FROM public_cases c JOIN projects p ON p.code = c.project "
                "LEFT JOIN jurisdictions j ON j.id = p.district_id WHERE c.withdrawn_at IS NULL "
                "ORDER BY c.published_at DESC, c.id DESC LIMIT 200"
            )
        ).all()
    return [
        dict(zip(CASE_KEYS, r, strict=True))
        | {"kind_name": KINDS[r[1]], "published_text": beijing_text(r[5])[:10]}
        for r in rows
    ]


def page(repo: Repository, now: float | None = None) -> dict[str, Any]:
    """Everything the public page shows, its texts `redacted`."""
    now = time.time() if now is None else now
    graded = grade(repo, EVERYONE, now)
    companies = [
        {"name": c.name, "projects": len(c.projects), "stopped": len(c.stopped), "ratio": round(c.ratio, 4)}
        for c in graded.published()
    ]
    shown: dict[str, Any] = redacted(
        {
            "as_of": now,
            "month": graded.month,
            "publish_ratio": graded.policy.publish_ratio,
            "companies": companies,
            "cases": cases(repo),
            "draws": published_draws(repo),
            "enforcement": published_actions(repo),
        }
    )
    return shown
