"""Camera patrol (远程巡查, issue #18 §1): the latest picture of every camera of every project, and the wall
of them a regulator pages through.

Gateways send each camera's latest analysed picture on a schedule (``POST /api/v1/pictures``, signed like
events; contract.wire.CameraPicture). Only the newest picture of a camera is kept, in its row, with the
findings of the site's analysis; a picture older than the one held (a late retry) is answered ``older``
and not kept. A regulator may ask for a camera's picture now (`request_picture`): the site's gateway hears it
on its next feedback poll (``pictures_wanted``, `wanted`) and sends the camera's latest analysed picture at
once; the request stands until a picture of that camera arrives after it, or REQUEST_TTL_S passes. The
wall reads through ``Repository.scoped(actor)``: a district's regulator sees its own
projects' cameras only. A tile is ``stale`` (画面过期) when its picture is older than twice the camera's
period plus a minute, and ``offline`` (网关离线) when the project's gateway has not been heard from for the
overview's offline time.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from pydantic import BaseModel, Field

from contract.wire import MAX_PICTURE_BYTES, CameraPicture, PictureFindings
from regulator.ingest.receive import Refusal
from regulator.ledger.video_set import CATEGORIES
from regulator.paging import Paged, pages
from regulator.reports.risk import RANK, graded_with, policy
from regulator.storage.db import sql
from regulator.storage.pictures import STALE, STALE_GRACE_S, UPSERT
from regulator.storage.projects import RELAYED
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor

WALL_PAGE_SIZE = 24
MAX_WALL_PAGE_SIZE = 200
REQUEST_TTL_S = 3600.0  # a site that did not answer a picture request in an hour is not asked again

Status = Literal["ok", "stale", "offline"]

# the status of a tile, worked out in SQL so the wall can count and filter by it
STATUS = (
    "CASE WHEN p.last_seen_at IS NULL OR p.last_seen_at < :offline_before THEN 'offline' "
    f"WHEN {STALE} THEN 'stale' ELSE 'ok' END"
)


def picture_jpeg(b64: str) -> bytes:
    """The JPEG of a patrol picture; Refusal 422 (not base64), 413 (too large) or 415 (not a JPEG)."""
    try:
        jpeg = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise Refusal(422, "jpeg is not valid base64") from None
    if len(jpeg) > MAX_PICTURE_BYTES:
        raise Refusal(
            413,
            f"the picture is {len(jpeg)} bytes; at most {MAX_PICTURE_BYTES} are taken (send a smaller JPEG)",
        )
    if not jpeg.startswith(b"\xff\xd8"):
        raise Refusal(415, "jpeg is base64 but not a JPEG (no FF D8 start-of-image marker)")
    return jpeg


def store_picture(
    repo: Repository, picture: CameraPicture, jpeg: bytes, nonce: str, keep_nonce_s: float
) -> bool:
    """Keep ``picture`` as its camera's latest (with the nonce, in one transaction); False when the one held
    is newer (nothing changes but the nonce)."""
    now = time.time()
    with repo.engine.begin() as db:
        repo.use_nonce(db, picture.project, nonce, keep_nonce_s)
        row = db.execute(
            sql(UPSERT),
            {
                "p": picture.project,
                "c": picture.camera,
                "taken": picture.taken_at,
                "now": now,
                "every": picture.every_s,
                "findings": picture.findings.model_dump_json(),
                "jpeg": jpeg,
            },
        ).first()
        if row is not None:  # the request is answered by a picture kept, not by a late older one
            db.execute(
                sql(
                    "DELETE FROM picture_requests WHERE project = :p AND camera = :c AND requested_at <= :now"
                ),
                {"p": picture.project, "c": picture.camera, "now": now},
            )
    return row is not None


class PatrolTile(BaseModel):
    """One camera on the wall."""

    project: str = Field(title="Project", description="the project's code")
    project_name: str = Field(title="Project name", description="the project's name")
    camera: str = Field(title="Camera", description="the camera's id at the site")
    taken_at: float = Field(title="Taken at", description="Unix seconds of the analysed frame (site clock)")
    received_at: float = Field(title="Received at", description="Unix seconds the regulator got it")
    age_s: float = Field(title="Age", description="seconds since the picture was taken")
    every_s: float = Field(title="Period", description="seconds between the camera's pictures")
    status: Status = Field(
        title="Status",
        description="ok; stale (画面过期: no new picture for twice the period, the camera is down or frozen); "
        "offline (网关离线: the project's gateway is not heard from)",
    )
    findings: PictureFindings = Field(title="Findings", description="what the site's analysis found on it")
    picture: str = Field(title="Picture", description="URL of the JPEG (findings drawn on it)")
    requested_at: float | None = Field(
        None, title="Requested at", description="when a regulator asked for a new picture not yet received"
    )
    city: str = Field("", title="City", description="the project's city")
    district: str = Field("", title="District", description="the project's district or county")
    category: str | None = Field(
        None, title="Category", description="its category in the video-monitoring set; null: not in the set"
    )
    relayed: bool = Field(
        False,
        title="Relayed",
        description="the project's gateway reports to a city's (or district's) platform, which forwarded "
        "this picture: a small version, renewed at the camera's period; a picture is asked for there",
    )


class LatestClip(BaseModel):
    """A camera's newest vision-alert clip."""

    url: str = Field(description="the clip's URL (VP8 WebM, byte ranges served)")
    recorded_at: float = Field(description="when the regulator kept it, Unix seconds")


class PictureRequested(BaseModel):
    """A regulator's request for a camera's picture now, as recorded."""

    status: Literal["requested"] = Field(
        description="recorded: the gateway hears it on its next feedback poll"
    )
    requested_at: float = Field(description="when, Unix seconds")


class PatrolPage(Paged):
    """One page of the patrol wall (``total``: the cameras that match), with the totals of those stale and
    offline."""

    tiles: list[PatrolTile] = Field(title="Tiles", description="the page's cameras, by project then camera")
    stale: int = Field(title="Stale", description="of those, with a stale picture")
    offline: int = Field(title="Offline", description="of those, whose gateway is offline")
    now: float = Field(title="Now", description="the regulator's time the ages are counted from")


@dataclass(frozen=True, slots=True)
class WallFilter:
    """What the wall shows: a project (or all), a status (or all), the video-monitoring set only (or every
    project), a city, district, category of the set and risk grade (empty: any), and which page."""

    project: str = ""
    status: str = ""  # "", ok, stale, offline, or "problem" (stale or offline)
    page: int = 1
    page_size: int = WALL_PAGE_SIZE
    video_set: bool = False
    city: str = ""
    district: str = ""
    category: str = ""  # a key of regulator/ledger/video_set.py CATEGORIES: implies the set
    risk: str = ""  # high, medium or low: the projects of that risk grade now (regulator/reports/risk.py)


def wall(
    repo: Repository, actor: Actor, f: WallFilter, offline_after_s: float, now: float | None = None
) -> PatrolPage:
    """One page of the cameras ``actor`` may see, with the totals by status."""
    now = time.time() if now is None else now
    args: dict[str, object] = {
        "now": now,
        "grace": STALE_GRACE_S,
        "offline_before": now - offline_after_s,
        "project": f.project,
        "city": f.city,
        "district": f.district,
        "category": f.category,
        "in_set": int(f.video_set or bool(f.category)),
    }
    where = (
        "WHERE (:project = '' OR c.project = :project) AND (:city = '' OR p.city = :city) "
        "AND (:district = '' OR p.district = :district) AND (:in_set = 0 OR v.project IS NOT NULL) "
        "AND (:category = '' OR v.category = :category)"
    )
    base = (
        f"FROM camera_pictures c JOIN {PROJECTS} p ON p.code = c.project "
        "LEFT JOIN video_set v ON v.project = c.project "
        f"LEFT JOIN picture_requests r ON r.project = c.project AND r.camera = c.camera {where}"
    )
    shown = {
        "": ("ok", "stale", "offline"),
        "problem": ("stale", "offline"),
        "ok": ("ok",),
        "stale": ("stale",),
        "offline": ("offline",),
    }.get(f.status)
    if shown is None:
        raise Refusal(422, f"unknown status {f.status!r}: ok, stale, offline or problem")
    if f.category and f.category not in CATEGORIES:
        raise Refusal(422, f"unknown category {f.category!r}: one of {', '.join(CATEGORIES)}")
    listed = ", ".join(f"'{st}'" for st in shown)  # the constants above, never the caller's text
    if f.risk and f.risk not in RANK:
        raise Refusal(422, f"unknown risk grade {f.risk!r}: high, medium or low")
    with repo.scoped(actor) as db:
        graded = ""  # the risk grades' WITH clause, when the wall is limited to one
        if f.risk:
            graded, by_risk = graded_with(db, policy(repo), now)
            args |= by_risk | {"companies": 0, "risk": RANK[f.risk]}
            base += " AND c.project IN (SELECT code FROM graded WHERE rank = :risk)"
        by_status = dict(
            db.execute(
                f"{graded} SELECT status, COUNT(*) FROM (SELECT {STATUS} AS status {base}) s GROUP BY status",
                args,
            ).all()
        )
        rows = db.execute(
            f"{graded} SELECT * FROM (SELECT c.project, p.name, c.camera, c.taken_at, c.received_at, c.every_s, "
            f"{STATUS} AS status, c.findings, r.requested_at, p.city, p.district, v.category, "
            f"{RELAYED} AS relayed {base}) s WHERE status IN ({listed}) "
            "ORDER BY project, camera LIMIT :limit OFFSET :offset",
            {**args, "limit": f.page_size, "offset": (f.page - 1) * f.page_size},
        ).all()
    total = sum(int(by_status.get(st, 0)) for st in shown)
    return PatrolPage(
        tiles=[
            PatrolTile(
                project=r[0],
                project_name=r[1],
                camera=r[2],
                taken_at=r[3],
                received_at=r[4],
                age_s=round(max(0.0, now - r[3]), 1),
                every_s=r[5],
                status=r[6],
                findings=PictureFindings.model_validate(json.loads(r[7])),
                picture=f"/ui/api/patrol/{quote(r[0], safe='')}/{quote(r[2], safe='')}/picture?t={r[3]:.3f}",
                requested_at=r[8],
                city=r[9],
                district=r[10],
                category=r[11],
                relayed=bool(r[12]),
            )
            for r in rows
        ],
        total=total,
        stale=int(by_status.get("stale", 0)),
        offline=int(by_status.get("offline", 0)),
        page=f.page,
        page_size=f.page_size,
        pages=pages(total, f.page_size),
        now=now,
    )


def latest_jpeg(repo: Repository, actor: Actor, project: str, camera: str) -> bytes | None:
    """The camera's latest picture, if it is of a project ``actor`` may see."""
    with repo.scoped(actor) as db:
        row = db.execute(
            f"SELECT c.jpeg FROM camera_pictures c JOIN {PROJECTS} p ON p.code = c.project "
            "WHERE c.project = :p AND c.camera = :c",
            {"p": project, "c": camera},
        ).first()
    return bytes(row[0]) if row else None


def request_picture(repo: Repository, actor: Actor, project: str, camera: str) -> float:
    """Ask the site for ``camera``'s picture now (a regulator or admin, of a project they may see); the time
    asked. Refusal 403 for a project user, 404 for a camera the actor may not see (as if absent), 409 for a
    project a city's platform forwarded (its gateway polls that platform, never this one)."""
    if actor.role not in ("regulator", "admin"):
        raise Refusal(403, f"a {actor.role} may not ask a site for pictures")
    now = time.time()
    with repo.scoped(actor, write=True) as db:
        seen = db.execute(
            f"SELECT {RELAYED} FROM camera_pictures c JOIN {PROJECTS} p ON p.code = c.project "
            "WHERE c.project = :p AND c.camera = :c",
            {"p": project, "c": camera},
        ).first()
        if seen is None:
            raise Refusal(404, "no patrol picture of that camera")
        if seen[0]:
            raise Refusal(
                409,
                "该项目由市级平台转报，现场网关只连接市级平台：请在市级平台抓拍 "
                "(the project's gateway polls its city's platform, not this one: ask for the picture there)",
            )
        db.db.execute(
            sql(
                "INSERT INTO picture_requests(project, camera, requested_at, requested_by) VALUES (:p, :c, :now, :by) "
                "ON CONFLICT (project, camera) DO UPDATE SET requested_at = excluded.requested_at, "
                "requested_by = excluded.requested_by"
            ),
            {"p": project, "c": camera, "now": now, "by": actor.name},
        )
    return now


def wanted(repo: Repository, project: str, now: float | None = None) -> list[str]:
    """The cameras of ``project`` a regulator asked a picture of within REQUEST_TTL_S, still unanswered."""
    now = time.time() if now is None else now
    with repo.engine.connect() as db:
        rows = db.execute(
            sql(
                "SELECT camera FROM picture_requests WHERE project = :p AND requested_at > :since ORDER BY camera"
            ),
            {"p": project, "since": now - REQUEST_TTL_S},
        ).all()
    return [r[0] for r in rows]


def latest_clip(repo: Repository, actor: Actor, project: str, camera: str) -> tuple[str, float] | None:
    """The hash and time of the newest evidence clip of a vision alert of ``camera`` (the hazards' device), of
    a project ``actor`` may see: what the wall plays when a picture is opened."""
    with repo.scoped(actor) as db:
        row = db.execute(
            f"SELECT e.sha256, e.created_at FROM evidence e JOIN hazards h ON h.id = e.hazard_id "
            f"JOIN {PROJECTS} p ON p.code = h.project WHERE e.purpose = 'clip' AND e.kind = 'stored' "
            "AND h.project = :p AND h.device = :c ORDER BY e.created_at DESC, e.id DESC LIMIT 1",
            {"p": project, "c": camera},
        ).first()
    return (row[0], row[1]) if row else None
