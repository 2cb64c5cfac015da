"""One write of line protocol to InfluxDB, through the v1 or the v2 API, with a verdict.

Both writers answer the same question the sink asks: was the batch stored, should it wait in the
spool and be tried again (no connection, timeout, 5xx, 429), or will the server never take it
(any other 4xx: bad line, unknown database, auth)? Neither retries by itself: the spool does.
"""

from __future__ import annotations

import asyncio
import enum
import json
from dataclasses import dataclass
from typing import Protocol

import httpx
import urllib3.exceptions
from influxdb_client import InfluxDBClient, WritePrecision
from influxdb_client.client.write_api import SYNCHRONOUS
from influxdb_client.rest import ApiException

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


class V1Writer:
    """``POST /write?db=&rp=&precision=ms`` (InfluxDB 1.x, also VictoriaMetrics) with httpx."""

    def __init__(self, cfg: InfluxConfig) -> None:
        params = {"db": cfg.database, "precision": "ms"}
        if cfg.retention_policy:
            params["rp"] = cfg.retention_policy
        auth = httpx.BasicAuth(cfg.username, cfg.password) if cfg.username else None
        self._url = cfg.url.rstrip("/") + "/write"
        self._client = httpx.AsyncClient(params=params, auth=auth, timeout=cfg.timeout_s)

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


class V2Writer:
    """``/api/v2/write`` through influxdb-client's synchronous API, run in a worker thread.

    Its own retries are off (they give up after 180 s and keep nothing on disk); the spool retries.
    """

    def __init__(self, cfg: InfluxConfig) -> None:
        self._bucket = cfg.bucket
        self._org = cfg.org
        self._client = InfluxDBClient(
            url=cfg.url, token=cfg.token, org=cfg.org, timeout=int(cfg.timeout_s * 1000), retries=False
        )
        self._api = self._client.write_api(write_options=SYNCHRONOUS)

    async def write(self, body: bytes) -> WriteResult:
        """Write in a worker thread; the client is blocking."""
        return await asyncio.to_thread(self._write_blocking, body)

    def _write_blocking(self, body: bytes) -> WriteResult:
        try:
            self._api.write(
                bucket=self._bucket,
                org=self._org,
                record=body.decode(),
                write_precision=WritePrecision.MS,  # type: ignore[arg-type]  # the library types its constants as str
            )
        except ApiException as exc:
            return verdict(exc.status or 0, exc.body or exc.reason or "")
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            return WriteResult(Outcome.RETRY, 0, f"{type(exc).__name__}: {exc}")
        return WriteResult(Outcome.WRITTEN, 204)

    async def close(self) -> None:
        """Close the client's connection pool."""
        await asyncio.to_thread(self._client.close)


def make_writer(cfg: InfluxConfig) -> InfluxWriter:
    """The writer for ``cfg.api``."""
    return V1Writer(cfg) if cfg.api == "v1" else V2Writer(cfg)
