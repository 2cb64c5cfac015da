"""The default regulator protocol of docs/design.md: one AlertEvent per signed POST."""

from __future__ import annotations

import secrets
import time

import httpx

from contract.alert_event import AlertEvent
from contract.config.uplinks import RegulatorUplink
from contract.wire import EVENTS_PATH, default_signature
from gateway.uplinks.base import post


def signed_headers(
    project: str, secret: str, path: str, body: bytes, now_ms: int | None = None, method: str = "POST"
) -> dict[str, str]:
    """The four X-Sitegw-* headers (plus Content-Type) for sending ``body`` to ``path`` (with its query
    string, if any) with ``method``."""
    ts = str(int(time.time() * 1000) if now_ms is None else now_ms)
    nonce = secrets.token_hex(16)
    return {
        "Content-Type": "application/json",
        "X-Sitegw-Project": project,
        "X-Sitegw-Timestamp": ts,
        "X-Sitegw-Nonce": nonce,
        "X-Sitegw-Signature": default_signature(secret, method, path, ts, nonce, body),
    }


class RegulatorAdapter:
    """POST {base_url}/api/v1/events; 2xx delivered, 408/429/5xx/network retried, other 4xx dead-lettered."""

    def __init__(self, config: RegulatorUplink) -> None:
        self.name = config.name
        self._secret = config.secret
        base = httpx.URL(config.base_url.rstrip("/") + EVENTS_PATH)
        self._url = str(base)
        self._path = base.raw_path.decode()  # the path as sent, so a base URL with a prefix signs correctly
        self._client = httpx.AsyncClient(timeout=config.timeout_s)

    async def send(self, event: AlertEvent) -> None:
        """Sign and POST one event (a fresh timestamp and nonce per attempt)."""
        body = event.model_dump_json().encode()
        await post(
            self._client,
            self._url,
            content=body,
            headers=signed_headers(event.project, self._secret, self._path, body),
        )

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
