"""A city's evidence opened from the province's hazard page by a signed link (regulator/forwarding/evidence_links.py).

At the province: ``GET /ui/api/linked-evidence/{hazard}/{sha256}`` signs a link for the signed-in user to one
object of a city's hazard they may see (``?go=1``: 303 to it), and ``/ui/linked-evidence/{hazard}/{sha256}``
is the page that shows it, its Content-Security-Policy allowing pictures and clips from that city's address
only; a city out of reach is said there, with a fresh link to try again. At the city (a platform forwarding to
its province): ``GET /api/v1/linked-evidence/{hazard}/{sha256}.{kind}`` checks the link, answers the object and
keeps who viewed it (``evidence_views``), each link once (a clip's further byte ranges, from the browser that
opened it, until the link expires: one viewing, one view kept)."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Annotated, Any, NoReturn
from urllib.parse import urlsplit

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from plumbing.security_headers import content_security_policy
from regulator.answers import MAX_ID, SESSION, Answer
from regulator.forwarding.evidence_links import (
    LINK_TTL_S,
    LINKED_PATH,
    MAX_USER,
    NONCE_HEX,
    ROLES,
    Link,
    ObjectKind,
    object_kind,
)
from regulator.forwarding.sender import ForwardLink
from regulator.ingest.receive import Refusal
from regulator.routes import STATIC
from regulator.routes.routing import Who
from regulator.routes.session import address
from regulator.storage.byte_ranges import ranged
from regulator.storage.db import sql
from regulator.storage.evidence import MEDIA_TYPES
from regulator.storage.jurisdictions import SEP
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor

log = logging.getLogger(__name__)
HazardId = Annotated[int, Path(ge=1, le=MAX_ID)]
Sha = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
PAGE = STATIC / "linked_evidence.html"
# the object of a city's hazard the user may see, the city it is kept at and the city's id of the hazard
FIND = (
    "SELECT e.purpose, c.id, c.name, c.public_url, c.secret, f.ref, c.jurisdiction FROM evidence e "
    "JOIN hazards h ON h.id = e.hazard_id JOIN " + PROJECTS + " p ON p.code = h.project "
    "JOIN forward_records f ON f.kind = 'hazard' AND f.local_id = CAST(h.id AS TEXT) "
    "JOIN forward_cities c ON c.id = f.origin "
    "WHERE e.hazard_id = :h AND e.sha256 = :s AND e.kind = 'linked' LIMIT 1"
)


class LinkedEvidence(Answer):
    """A signed link to one object of a city's hazard, at the city."""

    url: str = Field(
        description="the object at the city, signed for this user (opens once, until expires_at)"
    )
    kind: str = Field(description="jpg (a picture) or webm (a clip)")
    purpose: str = Field(
        description="event (the site's evidence), clip, rectification, reinspection or finding"
    )
    city: str = Field(description="the city platform's name")
    level: str = Field(description="市级平台, or 区县级平台 at a city for a district's")
    city_url: str = Field(description="the city platform's address (add-city --url)")
    expires_at: float = Field(description="Unix seconds")


def _sign(repo: Repository, who: Actor, hazard_id: int, sha256: str) -> LinkedEvidence:
    """The link for ``who``; Refusal 404 for an object that is no city's of a hazard they may see, 409 for a
    city whose address the province never registered."""
    with repo.scoped(who) as db:
        found = db.execute(FIND, {"h": hazard_id, "s": sha256}).first()
    if found is None:
        raise Refusal(
            404, f"no object {sha256} of hazard {hazard_id} kept at a city", reason_code="not_found"
        )
    purpose, city_id, name, base, secret, ref, place = found
    level = "区县级平台" if str(place).count(SEP) >= 2 else "市级平台"  # a district forwarding to its city
    if not base:
        raise Refusal(
            409,
            f"{level} {name} 的访问地址未登记：the province has no address of city {city_id}'s platform; "
            f"register it: sitegw regulator add-city {city_id} --jurisdiction ... --url https://CITY/",
            reason_code="no_address",
        )
    kind = object_kind(str(purpose))
    link = Link(
        city=str(city_id),
        hazard=str(ref),
        sha256=sha256,
        kind=kind,
        user=who.name[:MAX_USER],
        role=who.role,
        expires=int(time.time()) + LINK_TTL_S,
        nonce=secrets.token_hex(NONCE_HEX // 2),
    )
    log.info(
        "user %s opens %s %s of city %s's hazard %s (province's %d)",
        who.name,
        kind,
        sha256,
        city_id,
        ref,
        hazard_id,
    )
    return LinkedEvidence(
        url=link.url(str(base), str(secret)),
        kind=kind,
        purpose=str(purpose),
        city=str(name),
        level=level,
        city_url=str(base),
        expires_at=float(link.expires),
    )


def linked_router(repo: Repository) -> APIRouter:
    """The province's side: the signed links of its users, and the page that shows one."""
    r = APIRouter()

    @r.get("/ui/api/linked-evidence/{hazard_id}/{sha256}", responses=SESSION, response_model=None)
    async def linked(
        hazard_id: HazardId, sha256: Sha, who: Who, go: bool = Query(False, description="303 to the link")
    ) -> LinkedEvidence | RedirectResponse:
        """A link signed for the user to one picture or clip of a city's hazard, kept at the city."""
        link = await run_in_threadpool(_sign, repo, who, hazard_id, sha256)
        return RedirectResponse(link.url, status_code=303) if go else link

    @r.get("/ui/linked-evidence/{hazard_id}/{sha256}", include_in_schema=False)
    async def page(hazard_id: HazardId, sha256: Sha, who: Who) -> FileResponse:
        """The page showing the object, allowed to load it from the city's address only."""
        base = await run_in_threadpool(_address, repo, hazard_id)
        return FileResponse(
            PAGE,
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": _policy(base)},
        )

    return r


def _address(repo: Repository, hazard_id: int) -> str:
    """The address of the city that forwarded the hazard ("": none known)."""
    with repo.engine.connect() as db:
        found = db.execute(
            sql(
                "SELECT c.public_url FROM forward_records f JOIN forward_cities c ON c.id = f.origin "
                "WHERE f.kind = 'hazard' AND f.local_id = :h LIMIT 1"
            ),
            {"h": str(hazard_id)},
        ).scalar()
    return str(found or "")


def _policy(base: str) -> str:
    """The pages' policy, pictures and clips also from the city's origin (none: its own only)."""
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""
    policy = content_security_policy()
    if not origin or any(c in origin for c in " ;,'\""):
        return policy
    return policy.replace("img-src 'self'", f"img-src 'self' {origin}") + f"; media-src 'self' {origin}"


def city_linked_router(repo: Repository, link: ForwardLink) -> APIRouter:
    """The city's side: its objects opened by the province's signed links (a platform that forwards only)."""
    r = APIRouter(include_in_schema=False)

    @r.get(LINKED_PATH + "/{hazard_id}/{sha256}.{kind}")
    async def opened(
        request: Request,
        hazard_id: HazardId,
        sha256: Sha,
        kind: ObjectKind,
        city: str = Query(max_length=64),
        user: str = Query(min_length=1, max_length=MAX_USER),
        role: str = Query(max_length=16),
        expires: int = Query(ge=0, le=2**40),
        nonce: str = Query(pattern=f"^[0-9a-f]{{{NONCE_HEX}}}$"),
        sig: str = Query(pattern=r"^[0-9a-fA-F]{64}$"),
    ) -> Response:
        """The object a link of the province names, once (the byte range asked, ``Range``: 206, 416 past
        its end); 401 wrong signature, 410 expired, 403 used or not for a user of the province, 404 not that
        hazard's. A <video> fetches its clip in several ranges: the link's first use binds it to that
        browser's address, whose further ranges it answers until it expires (:func:`_open`)."""
        asked = Link(city, str(hazard_id), sha256, kind, user, role, expires, nonce)
        ranges = request.headers.get("Range")
        data = await run_in_threadpool(_open, repo, link, asked, sig, address(request), ranges is not None)
        return ranged(data, ranges, MEDIA_TYPES[kind], {"Cache-Control": "private, no-store"})

    return r


def _open(
    repo: Repository, forward: ForwardLink, asked: Link, sig: str, viewer_at: str, a_range: bool
) -> bytes:
    """The object's bytes, the view kept in the hazard's log; Refusal naming why not (``reason``).

    A link opens once: its first use is the one view kept. A video player then asks for the same clip in more
    byte ranges (its length, a seek, Safari's first two bytes), so a later use of the link is that viewing's
    where it asks for a range (``a_range``) from the address the first use came from, before the link
    expires (at most LINK_TTL_S after the province signed it): answered, not kept again. Another address, or a
    request for the whole object, is refused as a used link, and any use after the expiry as expired. Not a
    cookie: the
    clip is loaded from the province's page, where the city's cookie is a third-party one that Safari, the
    browser that needs ranges most, never sends."""
    if asked.city != forward.city_id:
        _refuse(
            401, "wrong signature", f"the link is for platform {asked.city!r}, this is {forward.city_id!r}"
        )
    why = asked.refused(forward.secret, sig)
    if why is not None:
        _refuse(*why, "ask the province's hazard page for a new link")
    if asked.role not in ROLES:
        _refuse(403, "not a regulator", f"role {asked.role!r}: only the province's regulators and admins")
    with repo.engine.begin() as db:
        found = db.execute(
            sql(
                "SELECT COALESCE(j.path, '') FROM hazards h JOIN projects p ON p.code = h.project "
                "LEFT JOIN jurisdictions j ON j.id = p.district_id WHERE h.id = :h"
            ),
            {"h": int(asked.hazard)},
        ).first()
        if found is None or not (str(found[0]) + SEP).startswith(forward.jurisdiction + SEP):
            _refuse(
                404,
                "not a forwarded hazard",
                f"no hazard {asked.hazard} of a project forwarded to the province",
            )
        held = db.execute(
            sql(
                "SELECT 1 FROM evidence WHERE hazard_id = :h AND sha256 = :s AND kind = 'stored' AND "
                + ("purpose = 'clip'" if asked.kind == "webm" else "purpose <> 'clip'")
                + " LIMIT 1"
            ),
            {"h": int(asked.hazard), "s": asked.sha256},
        ).first()
        data = repo.pictures.get(asked.sha256, asked.kind) if held is not None else None
        if data is None:
            _refuse(
                404,
                "not that hazard's",
                f"{asked.sha256} is no {asked.kind} of hazard {asked.hazard} kept here",
            )
        used = db.execute(
            sql(
                "INSERT INTO evidence_views(hazard_id, sha256, viewer, role, platform, nonce, address, expires_at, "
                "viewed_at) VALUES (:h, :s, :u, :r, :p, :n, :a, :e, :now) ON CONFLICT (nonce) DO NOTHING"
            ),
            _view(asked, viewer_at),
        )
        if used.rowcount == 0:
            first = db.execute(
                sql("SELECT address FROM evidence_views WHERE nonce = :n"), {"n": asked.nonce}
            ).scalar()
            if a_range and first == viewer_at[:64]:
                return data  # a further range of the viewing the first use opened: one view, kept once
            _refuse(
                403,
                "link already used",
                "a link opens once (a clip's further byte ranges from the browser that opened it): ask the "
                "province's hazard page for a new one",
            )
    log.info(
        "province user %s (%s) viewed %s %s of hazard %s from %s",
        asked.user,
        asked.role,
        asked.kind,
        asked.sha256,
        asked.hazard,
        viewer_at,
    )
    return data


def _view(asked: Link, viewer_at: str) -> dict[str, Any]:
    return {
        "h": int(asked.hazard),
        "s": asked.sha256,
        "u": asked.user,
        "r": asked.role,
        "p": asked.city,
        "n": asked.nonce,
        "a": viewer_at[:64],
        "e": float(asked.expires),
        "now": time.time(),
    }


def _refuse(status: int, reason: str, detail: str) -> NoReturn:
    """Refusal naming its reason first (``expired``, ``wrong signature``, ``not that hazard's``, ...)."""
    log.warning("a province's evidence link refused: %s (%s)", reason, detail)
    raise Refusal(status, f"{reason}: {detail}", reason_code=reason)
