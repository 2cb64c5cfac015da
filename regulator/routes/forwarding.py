"""The province's routes for its cities (regulator/forwarding/): ``POST /api/v1/forward`` takes a batch of
a city's records, ``GET /api/v1/forward/decisions?after=N`` answers the province's listings over the city's
hazards, ``GET /api/v1/forward/warnings?held=ID,...`` its warning signals over the city's place. All are
signed like a gateway's requests, by the city's id and key (``sitegw regulator add-city``); a replayed nonce
is refused as a gateway's is. Not in the OpenAPI document of the review UI's API: no user or gateway calls
them, only another sitegw regulator (docs/regulator/chain.md)."""

from __future__ import annotations

import secrets
import time

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from sqlalchemy.engine import Connection

from contract.nulls import validate_wire
from regulator.answers import MAX_ID
from regulator.forwarding import warnings
from regulator.forwarding.apply import apply
from regulator.forwarding.cities import City, city
from regulator.forwarding.down import decisions_for
from regulator.forwarding.wire import (
    BACKLOG,
    DECISIONS_PATH,
    FORWARD_PATH,
    HAZARDS,
    HELD,
    MAX_HELD,
    VERDICTS,
    WARNINGS_PATH,
    Batch,
    BatchReceipt,
    Decisions,
    DownWarnings,
)
from regulator.ingest.receive import WINDOW_S, Refusal, claimed_project, field_errors, refuse_replay, verify
from regulator.routes.responses import signed_path
from regulator.routes.routing import signed
from regulator.storage.db import sql
from regulator.storage.nonces import INSERT_NONCE
from regulator.storage.projects import Project
from regulator.storage.repository import Repository

# the one answer to a request that is not signed by a registered city with its key
UNKNOWN_OR_BAD_KEY = (
    "unknown city or bad signature: the province knows no city of that id with that key; register the city "
    "at the province with `sitegw regulator add-city` and give the city the key it printed "
    "(--forward-secret), HMAC-SHA256 over METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nSHA256HEX(BODY)"
)
NOBODYS_KEY = secrets.token_hex(32)  # what an unknown city's signature is checked against
NONCE_PREFIX = "city:"  # a city's nonces beside its projects' in one table, never mistaken for them


def forward_router(repo: Repository) -> APIRouter:
    """The cities' signed routes over ``repo``."""
    r = APIRouter(include_in_schema=False)

    def authenticated(db: Connection, request: Request, method: str, body: bytes) -> City:
        """The city that signed the request, its nonce used up in ``db``'s transaction; Refusal(401) if none."""
        claimed = claimed_project(request.headers)
        sender = city(db, claimed)
        # an unknown city is checked against a key nobody holds, so it gets the answer a wrong key gets, word
        # for word and after the same work: the answer tells a prober nothing about which city ids exist
        try:
            verify(
                Project(claimed, "", "", sender.secret if sender is not None else NOBODYS_KEY),
                claimed,
                request.headers,
                method,
                signed_path(request),
                body,
            )
        except Refusal as refusal:
            # a stale timestamp is said as such, to a known city or not: it is checked before any key
            if refusal.reason.startswith("bad signature"):
                raise Refusal(401, UNKNOWN_OR_BAD_KEY) from None
            raise
        if sender is None:  # a signature that matched the key nobody holds
            raise Refusal(401, UNKNOWN_OR_BAD_KEY)
        used = db.execute(
            sql(INSERT_NONCE),
            {
                "p": NONCE_PREFIX + sender.id,
                "n": request.headers["X-Sitegw-Nonce"],
                "exp": time.time() + 2 * WINDOW_S,
            },
        )
        if used.rowcount == 0:
            raise refuse_replay(request.headers["X-Sitegw-Nonce"])
        return sender

    @r.post(FORWARD_PATH, response_model_exclude_unset=True)
    async def receive(
        request: Request,
        verdicts: bool = Query(False, alias=VERDICTS),
        backlog: int | None = Query(None, alias=BACKLOG, ge=0, le=MAX_ID),
    ) -> BatchReceipt:
        """Keep a city's batch of records, each once; the receipt naming it (with the records refused, to a
        city that asks for verdicts)."""

        def handle(body: bytes) -> BatchReceipt:
            with repo.engine.begin() as db:
                sender = authenticated(db, request, "POST", body)
                try:
                    batch = validate_wire(Batch, body)
                except ValidationError as exc:
                    raise Refusal(
                        422, "body is not a valid forwarding Batch", errors=field_errors(exc)
                    ) from None
                if batch.city != sender.id:
                    raise Refusal(422, f"batch is for city {batch.city!r} but was signed as {sender.id!r}")
                return apply(db, sender, batch, verdicts, backlog)

        return await signed(request, handle)

    @r.get(DECISIONS_PATH)
    async def decisions(
        request: Request,
        after: int = Query(0, ge=0, le=MAX_ID),
        hazards: bool = Query(False, alias=HAZARDS),
    ) -> Decisions:
        """The province's decisions on the city's hazards after action ``after`` (``hazards``: and on the
        hazards the province recorded itself on the city's projects, which the city makes its own)."""

        def handle(body: bytes) -> Decisions:
            with repo.engine.begin() as db:
                sender = authenticated(db, request, "GET", body)
                return decisions_for(db, sender.id, after, hazards)

        return await signed(request, handle)

    @r.get(WARNINGS_PATH)
    async def warnings_over(
        request: Request, held: str = Query("", alias=HELD, max_length=20 * MAX_HELD)
    ) -> DownWarnings:
        """The warning signals over the city's place in force or to come, and those of ``held`` (the
        province's ids the city holds in force, comma-separated) whatever became of them."""

        def handle(body: bytes) -> DownWarnings:
            with repo.engine.begin() as db:
                sender = authenticated(db, request, "GET", body)
                return warnings.for_child(db, sender.jurisdiction, _ids(held), time.time())

        return await signed(request, handle)

    return r


def _ids(held: str) -> list[int]:
    """The warning ids of ``?held=``; Refusal(422) naming the parameter for anything else."""
    try:
        ids = [int(i) for i in held.split(",") if i]
    except ValueError:
        raise Refusal(422, f"{HELD} is not a comma-separated list of warning ids") from None
    if len(ids) > MAX_HELD or any(not 1 <= i <= MAX_ID for i in ids):
        raise Refusal(422, f"{HELD}: at most {MAX_HELD} warning ids, each 1 to {MAX_ID}")
    return ids
