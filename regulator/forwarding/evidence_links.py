"""The province's users open a city's evidence at the city (issue 50, "the province sees the cities' work").

The pictures and clips of a city's hazards stay at the city; what goes up with the hazard's record is their
list (``evidence``: each one's purpose, SHA-256, size and time; at most MAX_LISTED, no bytes), which the province
keeps as rows of its ``evidence`` table of kind ``linked``. A province user's browser opens one of them at the
city's public address (``add-city --url``) by a link the province signs: the city's id, the city's id of the
hazard, the object (its SHA-256 and kind), the province's user and role, an expiry LINK_TTL_S ahead and a
nonce, under a key derived from the key the city already forwards with (the province registered it with
``add-city``, the city holds it as ``--forward-secret``): no key to hand out beside the link's own, and a
link's key that signs no forwarding request (its derivation has its own label). The city checks the link
(regulator/routes/linked_evidence.py), answers the object once per nonce and keeps who viewed it
(``evidence_views``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from sqlalchemy.engine import Connection

from regulator.storage.db import sql

LINKED_PATH = "/api/v1/linked-evidence"  # the city's: /api/v1/linked-evidence/{hazard}/{sha256}.{kind}
LINK_TTL_S = 300  # how long a signed link opens its object: a few minutes, time to click it
MAX_AHEAD_S = 600  # an expiry further ahead is refused: a link valid for days would be a key handed out
MAX_LISTED = 40  # objects of one hazard listed at the province (a hazard keeps a handful)
NONCE_HEX = 32  # a nonce: 16 random bytes in hex
MAX_USER = 64  # characters of the province's user name in a link
ROLES = ("regulator", "admin")  # who at the province may see a city's hazard
LABEL = b"sitegw linked evidence 1"  # the link key's derivation from the forwarding key
ObjectKind = Literal["jpg", "webm"]


class Listed(BaseModel):
    """One stored object of a city's hazard, as its record lists it."""

    model_config = ConfigDict(extra="ignore")

    purpose: str = Field(max_length=32, pattern=r"^[a-z_]+$")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int | None = Field(None, ge=0, le=1 << 40)
    created_at: float = Field(allow_inf_nan=False)


LISTING = TypeAdapter(list[Listed])


def parse(text: str) -> list[Listed]:
    """The objects a hazard's ``evidence`` column lists; ValueError naming what is wrong (at most MAX_LISTED
    objects, each a purpose, a SHA-256, its size and time)."""
    try:
        listed = LISTING.validate_json(text)
    except ValidationError as exc:
        raise ValueError(
            f"not a list of evidence objects: {exc.errors(include_url=False)[0]['msg']}"
        ) from None
    if len(listed) > MAX_LISTED:
        raise ValueError(f"{len(listed)} objects: at most {MAX_LISTED}")
    return listed


def object_kind(purpose: str) -> ObjectKind:
    """The stored file's kind: a vision alert's clip is a WebM, everything else a JPEG."""
    return "webm" if purpose == "clip" else "jpg"


def listing(db: Connection, hazard_ids: list[int]) -> dict[int, str]:
    """The city's side: each hazard's stored objects as its record's ``evidence`` column (JSON), oldest
    first, the first MAX_LISTED. Only what is stored here: a district's hazard's objects stay at the district,
    so the city passes none of them up (the province's link would reach the city, which does not hold them)."""
    found: dict[int, list[dict[str, object]]] = {h: [] for h in hazard_ids}
    for hazard, purpose, sha, size, at in db.execute(
        sql(
            "SELECT hazard_id, purpose, sha256, size, created_at FROM evidence WHERE hazard_id = ANY(:h) "
            "AND kind = 'stored' AND sha256 IS NOT NULL ORDER BY hazard_id, id"
        ),
        {"h": hazard_ids},
    ):
        if len(found[int(hazard)]) < MAX_LISTED:
            found[int(hazard)].append({"purpose": purpose, "sha256": sha, "size": size, "created_at": at})
    return {h: json.dumps(items, separators=(",", ":")) for h, items in found.items()}


def keep(db: Connection, hazard_id: int, listed: str | None) -> None:
    """The province's side: the city's list of the hazard's objects as its ``linked`` evidence rows, replacing
    what an earlier record listed (the province's own evidence of it, a re-inspection photo, is left alone).
    None: a city of an earlier release, which lists nothing; what is there stays."""
    if listed is None:
        return
    db.execute(sql("DELETE FROM evidence WHERE hazard_id = :h AND kind = 'linked'"), {"h": hazard_id})
    _insert(db, [(hazard_id, item) for item in parse(listed)])


def keep_all(db: Connection, lists: list[tuple[int, str | None]]) -> None:
    """``keep`` for a batch of hazards on PostgreSQL, in two statements instead of two a hazard (a drain of
    36,000 hazards, each listing at least ``[]``, would otherwise cost 36,000 DELETEs)."""
    given = [(hazard, listed) for hazard, listed in lists if listed is not None]
    if not given:
        return
    db.execute(
        sql("DELETE FROM evidence WHERE hazard_id = ANY(:h) AND kind = 'linked'"),
        {"h": sorted({hazard for hazard, _ in given})},
    )
    _insert(db, [(hazard, item) for hazard, listed in given for item in parse(listed)])


def _insert(db: Connection, items: list[tuple[int, Listed]]) -> None:
    """The ``linked`` rows of ``items`` (hazard id, object), in one statement."""
    if items:
        db.execute(
            sql(
                "INSERT INTO evidence(hazard_id, purpose, kind, sha256, size, created_at) "
                "VALUES (:h, :p, 'linked', :s, :n, :t)"
            ),
            [{"h": h, "p": i.purpose, "s": i.sha256, "n": i.size, "t": i.created_at} for h, i in items],
        )


def link_key(secret: str) -> bytes:
    """The link's key, derived from the key the city forwards with: both ends hold that one already."""
    return hmac.new(secret.encode(), LABEL, hashlib.sha256).digest()


@dataclass(frozen=True, slots=True)
class Link:
    """What a signed link says: whose object, which, for whom, until when, once."""

    city: str  # the city's id at the province (--forward-id)
    hazard: str  # the city's id of the hazard
    sha256: str
    kind: ObjectKind
    user: str  # the province's user
    role: str
    expires: int  # Unix seconds
    nonce: str

    def signature(self, secret: str) -> str:
        """HMAC-SHA256 of every field, one a line, under link_key(secret)."""
        message = "\n".join(
            (
                self.city,
                self.hazard,
                self.sha256,
                self.kind,
                self.user,
                self.role,
                str(self.expires),
                self.nonce,
            )
        )
        return hmac.new(link_key(secret), message.encode(), hashlib.sha256).hexdigest()

    def path(self) -> str:
        return f"{LINKED_PATH}/{self.hazard}/{self.sha256}.{self.kind}"

    def url(self, base: str, secret: str) -> str:
        """The link at the city's public address ``base``."""
        query = {
            "city": self.city,
            "user": self.user,
            "role": self.role,
            "expires": self.expires,
            "nonce": self.nonce,
            "sig": self.signature(secret),
        }
        return base.rstrip("/") + self.path() + "?" + urlencode(query)

    def refused(self, secret: str, sig: str, now: float | None = None) -> tuple[int, str] | None:
        """Why the link opens nothing, with its HTTP status (401 wrong signature, 410 expired, 403 an expiry too
        far ahead); None when it is good. The signature is checked first: a link's expiry is then the
        province's word, not the holder's."""
        if not hmac.compare_digest(self.signature(secret), sig.lower()):
            return 401, "wrong signature"
        now = time.time() if now is None else now
        if self.expires < now:
            return 410, "expired"
        if self.expires > now + MAX_AHEAD_S:
            return 403, f"expiry too far ahead (a link opens at most {MAX_AHEAD_S} s)"
        return None
