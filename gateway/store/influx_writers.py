"""One write of line protocol to InfluxDB, through the v1 or the v2 API, with a verdict.

The writer answers the same question the sink asks: was the batch stored, should it wait in the
spool and be tried again (no connection, timeout, 5xx, 429), or will the server never take it
(any other 4xx: bad line, unknown database, auth)? It never retries by itself: the spool does.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Protocol

import httpx

from contract.config.sinks import InfluxConfig


class Outcome(enum.Enum):
    """What became of one write."""

    WRITTEN = "written"
    RETRY = "retry"  # the server is away or overloaded: spool and try again later
    REJECTED = "rejected"  # the server refused this batch: retrying cannot help


@dataclass(slots=True, frozen=True)
class WriteResult:
    """The verdict on one write; ``status`` is 0 when no HTTP answer came."""

    outcome: Outcome
    status: int = 0
    message: str = ""


class InfluxWriter(Protocol):
    """Writes one batch of line protocol (ms precision) and says what happened."""

    async def write(self, body: bytes) -> WriteResult:
        """Send ``body``; never raises for network or server errors."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


def verdict(status: int, body: str) -> WriteResult:
    """Classify an HTTP answer: 2xx written, 408/429/5xx (or none) retry, any other status rejected."""
    if 200 <= status < 300:
        return WriteResult(Outcome.WRITTEN, status)
    retry = status in (0, 408, 429) or status >= 500
    return WriteResult(Outcome.RETRY if retry else Outcome.REJECTED, status, server_message(body))


def server_message(body: str) -> str:
    """The error text of an InfluxDB answer (1.x ``{"error"}``, 2.x ``{"message"}``), else the raw body."""
    try:
        data = json.loads(body)
    except ValueError:
        return body.strip()[:500]
    if isinstance(data, dict):
        return str(data.get("error") or data.get("message") or body)[:500]
    return body.strip()[:500]


class HttpWriter:
    """Posts line protocol with httpx: ``api: v1`` to ``/write?db=&rp=&precision=ms`` (InfluxDB 1.x,
    also VictoriaMetrics; basic auth from user and password), ``api: v2`` to
    ``/api/v2/write?org=&bucket=&precision=ms`` with ``Authorization: Token`` (InfluxDB 2.x, 3.x,
    Cloud). The v2 path is the same request influxdb-client makes; that library is not used, since
    importing it cost the gateway's process 13 MB of memory (issue #20)."""

    def __init__(self, cfg: InfluxConfig) -> None:
        base = cfg.url.rstrip("/")
        headers: dict[str, str] = {}
        auth: httpx.BasicAuth | None = None
        if cfg.api == "v1":
            self._url = base + "/write"
            params = {"db": cfg.database, "precision": "ms"}
            if cfg.retention_policy:
                params["rp"] = cfg.retention_policy
            if cfg.username:
                auth = httpx.BasicAuth(cfg.username, cfg.password)
        else:
            self._url = base + "/api/v2/write"
            params = {"org": cfg.org, "bucket": cfg.bucket, "precision": "ms"}
            headers["Content-Type"] = "text/plain; charset=utf-8"
            if cfg.token:
                headers["Authorization"] = f"Token {cfg.token}"
        self._client = httpx.AsyncClient(params=params, headers=headers, auth=auth, timeout=cfg.timeout_s)

    async def write(self, body: bytes) -> WriteResult:
        """POST the lines; connection errors and timeouts are ``RETRY``."""
        try:
            response = await self._client.post(self._url, content=body)
        except httpx.HTTPError as exc:
            return WriteResult(Outcome.RETRY, 0, f"{type(exc).__name__}: {exc}")
        return verdict(response.status_code, response.text)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()


def make_writer(cfg: InfluxConfig) -> InfluxWriter:
    """The writer for ``cfg`` (either API)."""
    return HttpWriter(cfg)
