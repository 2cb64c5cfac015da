"""A regulator process that serves the pages from a PostgreSQL standby (``sitegw regulator serve
--read-only``): the overview, the queue, a hazard, the map, the exports, read by regulators while the
primary takes the gateways' events and every change.

It reads through a ``target_session_attrs=prefer-standby`` URL (deploy/pg_auto_failover/README.md) and
changes nothing: its transactions are read-only (regulator/storage/db.py), it neither migrates nor creates
partitions (regulator/storage/repository.py), runs no upkeep, and does not move a session's idle clock. A request that
would change something (any method but GET, HEAD, OPTIONS) is answered 503 with where to send it (a proxy
sends them to the primary's process: the README's nginx map), and a GET that would write after all (a
gateway's signed feedback poll records its nonce) gets the same answer from PostgreSQL's refusal.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import psycopg.errors
import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)

READS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class ReadOnly:
    """A read-only regulator's setting: ``primary``, the primary regulator's URL its refusals name ('': not
    given)."""

    primary: str = ""


def refusal(primary: str) -> dict[str, object]:
    """What a write to the read-only regulator is answered, naming where writes go."""
    where = f"the primary's regulator, {primary}" if primary else "the primary's regulator"
    return {
        "error": f"this regulator serves read-only pages from the database's standby (只读): send changes, "
        f"sign-in and gateways' uploads to {where}",
        "read_only": True,
        "primary": primary or None,
    }


class ReadOnlyGuard:
    """ASGI middleware: 503 for every request but GET, HEAD and OPTIONS, its body unread."""

    def __init__(self, app: ASGIApp, primary: str) -> None:
        self.app = app
        self._body = json.dumps(refusal(primary), ensure_ascii=False).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in READS:
            await self.app(scope, receive, send)
            return
        # 503, not 405: a gateway pointed here by mistake keeps its events in its outbox and retries
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(self._body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": self._body})


def serve_read_only(app: FastAPI, setting: ReadOnly) -> None:
    """Make ``app`` refuse writes, naming the primary."""
    app.add_middleware(ReadOnlyGuard, primary=setting.primary)
    answer = refusal(setting.primary)

    @app.exception_handler(psycopg.errors.ReadOnlySqlTransaction)
    @app.exception_handler(sa.exc.InternalError)
    async def read_only_transaction(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(getattr(exc, "orig", exc), psycopg.errors.ReadOnlySqlTransaction):
            raise exc
        log.warning("%s %s wanted to write on the read-only regulator", request.method, request.url.path)
        return JSONResponse(answer, status_code=503)
