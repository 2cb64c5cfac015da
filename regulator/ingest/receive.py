"""The receiving end of the default protocol: authenticate, validate, store, in that order.

Independent of the web framework (regulator/app.py is the FastAPI shell) and of the storage engine
(regulator/storage/repository.py), so the review service can grow on either side.

Besides AlertEvents (``POST /api/v1/events``) a gateway may send, signed the same way, a heartbeat
(``POST /api/v1/heartbeat``), a readings summary of its cranes and pit points (``POST /api/v1/readings``)
and a rectification report with its photo (``POST /api/v1/rectifications``, regulator/ledger/review.py).

Refusals: 401 for a missing header, an unknown project, a timestamp more than 5 minutes off, a bad
signature, a reused nonce or a header longer than any gateway sends; 413 (regulator/routes/body_limit.py) for a
body over the limit, before it is read; 422 for a body that is not one valid AlertEvent of the signed project, each
wrong field named (``null`` for an optional field is its default and accepted; ``null`` for a required field
and unknown fields are refused: contract/nulls.py).
The nonce is checked last, in the same commit that stores the event, so an accepted request costs
one fsync; a request refused with 422 does not use up its nonce (replaying it only gets 422 again).
A repeated event_id is accepted (200, ``duplicate``) and not stored again.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from contract.alert_event import AlertEvent
from contract.nulls import validate_wire
from contract.wire import default_signature
from regulator.ingest.held import WarningHold
from regulator.storage.evidence import Evidence
from regulator.storage.nonces import NonceReused
from regulator.storage.projects import Project
from regulator.storage.repository import Repository

WINDOW_S = 300.0
MAX_NONCE = 128  # characters; the gateway sends 32 hex digits, and every nonce is a row for 2 * WINDOW_S
MAX_PROJECT = 64  # characters of a project code, looked up before the signature is checked
M = TypeVar("M", bound=BaseModel)
HEADERS = ("X-Sitegw-Project", "X-Sitegw-Timestamp", "X-Sitegw-Nonce", "X-Sitegw-Signature")


class Refusal(Exception):
    """A request the receiver turns down, with the HTTP status and a reason the sender can act on."""

    def __init__(self, status: int, reason: str, **extra: object) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.extra = extra


@dataclass(frozen=True, slots=True)
class Accepted:
    """A request the receiver took: stored now, or a duplicate of a stored event."""

    event_id: str
    duplicate: bool


def authenticate(
    repo: Repository,
    headers: Mapping[str, str],
    method: str,
    path: str,
    body: bytes,
    now: float | None = None,
) -> str:
    """Check the X-Sitegw-* headers but the nonce (checked as the event is stored); returns the project
    code or raises Refusal(401)."""
    code = claimed_project(headers)
    return verify(repo.project(code, cached=True), code, headers, method, path, body, now)


def claimed_project(headers: Mapping[str, str]) -> str:
    """The project code a request says it is from, once its X-Sitegw-* headers are all there and no longer
    than a gateway sends (looked up before the signature is checked); Refusal(401) otherwise."""
    missing = [h for h in HEADERS if not headers.get(h)]
    if missing:
        raise Refusal(401, f"missing header(s): {', '.join(missing)}")
    code, nonce = headers["X-Sitegw-Project"], headers["X-Sitegw-Nonce"]
    if len(nonce) > MAX_NONCE:
        raise Refusal(
            401, f"X-Sitegw-Nonce is {len(nonce)} characters: at most {MAX_NONCE} (send 32 random hex digits)"
        )
    if len(code) > MAX_PROJECT:
        raise Refusal(
            401, f"X-Sitegw-Project is {len(code)} characters: no project code is longer than {MAX_PROJECT}"
        )
    return code


def verify(
    project: Project | None,
    code: str,
    headers: Mapping[str, str],
    method: str,
    path: str,
    body: bytes,
    now: float | None = None,
) -> str:
    """Check a request claimed_project accepted against ``project`` (the registered project of that code,
    or None): its timestamp within the window and its signature; returns the code or raises Refusal(401)."""
    if project is None:
        raise Refusal(401, f"unknown project {code!r}: register it with `sitegw regulator add-project`")
    ts, nonce, signature = (headers[h] for h in HEADERS[1:])
    try:
        ts_ms = int(ts)
    except ValueError:
        raise Refusal(401, f"X-Sitegw-Timestamp must be Unix milliseconds, got {ts!r}") from None
    skew = ts_ms / 1000 - (time.time() if now is None else now)
    if abs(skew) > WINDOW_S:
        raise Refusal(
            401,
            f"timestamp is {abs(skew):.0f} s in the {'future' if skew > 0 else 'past'}; "
            f"at most {WINDOW_S:.0f} s off is accepted (check the gateway's clock)",
        )
    expected = default_signature(project.secret, method, path, ts, nonce, body)
    if not hmac.compare_digest(expected, signature.lower()):
        raise Refusal(
            401,
            "bad signature: HMAC-SHA256 with the project's secret over "
            "METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nSHA256HEX(BODY) does not match",
        )
    return code


def decode_jpeg(b64: str, field: str) -> bytes:
    """A base64 JPEG (or a browser's ``data:image/jpeg;base64,`` URL) as bytes; Refusal(422) naming ``field``
    when it is not valid base64 or not a whole JPEG (start-of-image marker first, end-of-image last)."""
    try:
        data = base64.b64decode(b64.split(",", 1)[-1], validate=True)
    except (binascii.Error, ValueError):
        problem = "not valid base64"
    else:
        if not data.startswith(b"\xff\xd8\xff"):
            problem = "base64 but not a JPEG (no FF D8 start-of-image marker)"
        elif b"\xff\xd9" not in data[-16:]:
            problem = "a JPEG cut short (no FF D9 end-of-image marker at its end)"
        else:
            return data
    raise Refusal(422, f"{field} is {problem}", errors=[{"field": field, "problem": problem}])


def decode_evidence(evidence: str | None, field: str = "evidence") -> Evidence | None:
    """An event's evidence field as stored; Refusal(422) naming ``field`` if it is neither an http(s) URL nor
    a base64 JPEG."""
    if not evidence:
        return None
    if evidence.startswith(("http://", "https://")):
        return Evidence("url", url=evidence)
    return Evidence("jpeg", jpeg=decode_jpeg(evidence, field))


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Pydantic's errors as ``{field, problem}`` pairs a sender can act on."""
    return [
        {"field": ".".join(str(p) for p in e["loc"]) or "(body)", "problem": e["msg"]}
        for e in exc.errors(include_url=False)
    ]


def parse_event(body: bytes, project: str) -> AlertEvent:
    """The body as one AlertEvent of ``project``; Refusal(422) naming each wrong field otherwise."""
    try:
        event = validate_wire(AlertEvent, body)
    except ValidationError as exc:
        raise Refusal(422, "body is not a valid AlertEvent", errors=field_errors(exc)) from None
    if event.project != project:
        raise Refusal(422, f"body is for project {event.project!r} but was signed as project {project!r}")
    return event


def authenticated(
    repo: Repository, headers: Mapping[str, str], method: str, path: str, body: bytes, model: type[M]
) -> tuple[M, str]:
    """A signed request's body as ``model`` (which has a ``project`` field) and its nonce; Refusal otherwise."""
    project = authenticate(repo, headers, method, path, body)
    return parse_signed(model, body, project), headers["X-Sitegw-Nonce"]


def parse_signed(model: type[M], body: bytes, project: str) -> M:
    """The body of a request authenticated as ``project`` as ``model`` (an empty body: ``{}``); Refusal(422)
    naming each wrong field, or a ``project`` field other than the signer."""
    try:
        parsed = validate_wire(model, body or b"{}")
    except ValidationError as exc:
        raise Refusal(422, f"body is not a valid {model.__name__}", errors=field_errors(exc)) from None
    claimed = getattr(parsed, "project", project)
    if claimed != project:
        raise Refusal(422, f"body is for project {claimed!r} but was signed as project {project!r}")
    return parsed


def refuse_replay(nonce: str) -> Refusal:
    """The 401 for a nonce used before."""
    return Refusal(401, "nonce already used (replayed request): send a fresh random nonce per request")


def ingest(
    repo: Repository,
    headers: Mapping[str, str],
    method: str,
    path: str,
    body: bytes,
    hold: WarningHold | None = None,
) -> Accepted:
    """Authenticate, validate and durably store one request (blocking: run it in a worker thread; the app
    does so on SQLite, while on PostgreSQL it stores events from the event loop with the same checks:
    regulator/ingest/on_loop.py); ``hold``: flood control, which holds warnings back (regulator/ingest/held.py)."""
    project = authenticate(repo, headers, method, path, body)
    event = parse_event(body, project)
    evidence = decode_evidence(event.evidence)
    try:
        # nonces outlive the window on both sides of now, so a replay can never fall outside both checks
        write = hold.writer(event) if hold is not None else None
        stored = repo.store_event(event, headers["X-Sitegw-Nonce"], 2 * WINDOW_S, evidence, write=write)
    except NonceReused as reused:
        raise refuse_replay(str(reused)) from None
    return Accepted(event.event_id, duplicate=not stored)
