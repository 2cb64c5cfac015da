"""Enforcement on record (issue 53 §4): the administrative penalties (行政处罚), talks (约谈) and circulated
notices (通报) a supervision station issued on a project, each with who, when, why and its decision
document (决定书, 约谈记录, 通报文件) kept as evidence in the evidence store.

A penalty carries its case number (案号, unique per issuing authority: the issuer's jurisdiction), the law
and article applied (《建设工程安全生产管理条例》第六十二条), the party (a company, or a person by name only:
an ID number is refused, never kept) and the amount in yuan. A record marked public joins the published
list (`published`), where a person party shows as a surname only. The campaign's grading
(regulator/reports/grading.py) counts each record on its project.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from regulator.ledger.enforcement import require_project
from regulator.ledger.review import REGULATORS, ReviewError
from regulator.names import beijing_text
from regulator.storage.db import sql
from regulator.storage.evidence import MEDIA_TYPES, Kind
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor

KINDS = {"penalty": "行政处罚", "interview": "约谈", "notice": "通报"}
PARTY_KINDS = {"company": "单位", "person": "个人"}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # a scanned decision of a few pages
MAX_AMOUNT = 1e9  # yuan; the largest fines of the 条例 are in the hundreds of thousands
# the document's first bytes, by what it is kept as
SIGNATURES: tuple[tuple[bytes, Kind], ...] = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)
# a citation: a law's title in 《》 and an article (第六十二条, 第62条)
ARTICLE = re.compile(r"《[^《》]+》.*第[0-9一二三四五六七八九十百零〇]+条")
# a resident ID number (18 characters, the last a digit or X) anywhere in a party's name
ID_NUMBER = re.compile(r"\d{17}[\dXx]")


@dataclass(frozen=True, slots=True)
class Action:
    """A penalty, 约谈 or 通报 as entered; ``document`` is the decision's file, its bytes."""

    kind: str
    project: str
    happened_at: float
    party: str
    party_kind: str = "company"
    reason: str = ""
    article: str = ""
    case_number: str = ""
    amount: float = 0.0
    public: bool = False
    document: bytes | None = None


def decode_document(b64: str, field: str = "document") -> tuple[bytes, Kind]:
    """A base64 document (or a browser's data: URL) as bytes and what it is kept as; ReviewError(422)
    naming ``field`` when it is not base64 or not a document `document_kind` takes."""
    try:
        data = base64.b64decode(b64.split(",", 1)[-1], validate=True)
    except (binascii.Error, ValueError):
        raise ReviewError(422, f"{field}: not valid base64; send the file's bytes as base64") from None
    return data, document_kind(data, field)


def document_kind(data: bytes, field: str = "document") -> Kind:
    """What a decision's document is kept as, by its first bytes; ReviewError(422) naming ``field`` when it
    is too large or neither a PDF, a JPEG nor a PNG."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ReviewError(
            422, f"{field}: {len(data)} bytes, over {MAX_DOCUMENT_BYTES}; send a smaller scan or the PDF"
        )
    for header, kind in SIGNATURES:
        if data.startswith(header):
            return kind
    raise ReviewError(422, f"{field}: not a PDF, JPEG or PNG by its first bytes; send the decision as one")


def check(action: Action) -> None:
    """ReviewError (422) naming the field and the fix for an action that cannot be right."""
    if action.kind not in KINDS:
        raise ReviewError(
            422, f"kind {action.kind!r}: one of {', '.join(f'{k} ({v})' for k, v in KINDS.items())}"
        )
    if action.party_kind not in PARTY_KINDS:
        raise ReviewError(422, f"party_kind {action.party_kind!r}: company (单位) or person (个人)")
    if not action.party.strip():
        raise ReviewError(422, "party: name the company or person it was issued to")
    if ID_NUMBER.search(action.party):
        raise ReviewError(422, "party: give the name only, never an ID number (身份证号)")
    if not math.isfinite(action.amount) or not 0 <= action.amount <= MAX_AMOUNT:
        raise ReviewError(422, f"amount {action.amount}: yuan, from 0 to {MAX_AMOUNT:g}")
    if action.kind == "penalty":
        if not action.case_number.strip():
            raise ReviewError(
                422, "case_number: a penalty's 案号 as on its decision (e.g. 深建罚〔2026〕12号)"
            )
        if not ARTICLE.search(action.article):
            raise ReviewError(
                422,
                "article: cite the law and the article applied, e.g. 《建设工程安全生产管理条例》第六十二条",
            )
    else:
        if action.amount:
            raise ReviewError(422, f"amount: a {KINDS[action.kind]} has no amount; only a penalty does")
        if not action.reason.strip():
            raise ReviewError(422, f"reason: why the {KINDS[action.kind]} was issued")
    if action.happened_at > time.time() + 3600:
        raise ReviewError(422, "happened_at is in the future: give the date it was issued")


def record(repo: Repository, actor: Actor, action: Action) -> int:
    """Keep an action on a project ``actor`` (a regulator or admin) may see, its document durable first;
    its id. 403 for a project user, 404 for a project outside their jurisdiction (as if absent), 409 for a
    case number this authority already used."""
    if actor.role not in REGULATORS:
        raise ReviewError(403, "enforcement records are entered by regulators")
    check(action)
    kept, kind = None, None
    if action.document is not None:
        kind = document_kind(action.document)
        kept = repo.pictures.put(action.document, kind).sha256  # durable before the row that cites it
    authority = actor.jurisdiction or ""
    try:
        with repo.scoped(actor, write=True) as db:
            require_project(db, action.project)
            return int(
                db.db.execute(
                    sql(
                        "INSERT INTO enforcement_actions(kind, project, authority, case_number, article, party, "
                        "party_kind, amount, reason, happened_at, document_sha256, document_type, public, "
                        "recorded_by, recorded_at) VALUES (:kind, :project, :authority, :case, :article, :party, "
                        ":party_kind, :amount, :reason, :at, :sha, :type, :public, :by, :now) RETURNING id"
                    ),
                    {
                        "kind": action.kind,
                        "project": action.project,
                        "authority": authority,
                        "case": action.case_number.strip() or None,
                        "article": action.article.strip(),
                        "party": action.party.strip(),
                        "party_kind": action.party_kind,
                        "amount": action.amount,
                        "reason": action.reason.strip(),
                        "at": action.happened_at,
                        "sha": kept,
                        "type": kind,
                        "public": action.public,
                        "by": actor.name,
                        "now": time.time(),
                    },
                ).scalar_one()
            )
    except IntegrityError:  # the one unique constraint: (authority, case_number)
        raise ReviewError(
            409, f"case_number {action.case_number!r} is already on record for {authority or '本机关'}"
        ) from None


KEYS = (
    "id",
    "kind",
    "project",
    "project_name",
    "authority",
    "case_number",
    "article",
    "party",
    "party_kind",
    "amount",
    "reason",
    "happened_at",
    "document_type",
    "public",
    "recorded_by",
    "recorded_at",
)
COLUMNS = (
    "a.id, a.kind, a.project, p.name, a.authority, a.case_number, a.article, a.party, a.party_kind, a.amount, "
    "a.reason, a.happened_at, a.document_type, a.public, a.recorded_by, a.recorded_at"
)


def _view(row: Any) -> dict[str, Any]:
    found = dict(zip(KEYS, row, strict=True))
    return found | {
        "kind_name": KINDS[found["kind"]],
        "public": bool(found["public"]),
        "happened_text": beijing_text(found["happened_at"]),
        "document": f"/ui/api/enforcement/actions/{found['id']}/document" if found["document_type"] else None,
    }


def listing(repo: Repository, actor: Actor, project: str | None = None) -> list[dict[str, Any]]:
    """The actions on the projects ``actor`` may see (or on ``project`` of them), the latest first."""
    where, args = ("WHERE a.project = :project", {"project": project}) if project else ("", {})
    with repo.scoped(actor) as db:
        rows = db.execute(
            f"SELECT {COLUMNS} FROM enforcement_actions a JOIN {PROJECTS} p ON p.code = a.project {where} "
            "ORDER BY a.happened_at DESC, a.id DESC",
            args,
        ).all()
    return [_view(r) for r in rows]


def document(repo: Repository, actor: Actor, action_id: int) -> tuple[bytes, str] | None:
    """An action's document and its media type, if the action is of a project ``actor`` may see."""
    with repo.scoped(actor) as db:
        found = db.execute(
            "SELECT a.document_sha256, a.document_type FROM enforcement_actions a "
            f"JOIN {PROJECTS} p ON p.code = a.project WHERE a.id = :id AND a.document_sha256 IS NOT NULL",
            {"id": action_id},
        ).first()
    if found is None:
        return None
    kind: Kind = found[1]
    data = repo.pictures.get(found[0], kind)
    return None if data is None else (data, MEDIA_TYPES[kind])


def published(repo: Repository) -> list[dict[str, Any]]:
    """The actions marked public, for anyone, the latest first: kind, project, party (a person by surname
    only), the article, the amount, why and when; never a document or who recorded it."""
    with repo.engine.connect() as db:
        rows = db.execute(
            sql(
                f"SELECT {COLUMNS} FROM enforcement_actions a JOIN projects p ON p.code = a.project "
                "WHERE a.public ORDER BY a.happened_at DESC, a.id DESC"
            )
        ).all()
    shown = ("kind", "kind_name", "project", "project_name", "case_number", "article", "amount", "reason")
    return [
        {k: v for k, v in _view(r).items() if k in shown}
        | {"party": masked(r[7], r[8]), "happened_text": beijing_text(r[11])[:10]}
        for r in rows
    ]


def masked(party: str, party_kind: str) -> str:
    """A party as published: a company by name, a person by surname only (张某)."""
    return party if party_kind == "company" else f"{party.strip()[:1]}某"
