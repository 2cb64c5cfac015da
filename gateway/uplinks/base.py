"""What every uplink adapter is to the outbox: ``send(event)`` either delivers, or says why not.

An adapter raises `TransientFailure` when trying again later may succeed (network down, 5xx, 408,
429, a platform's rate limit) and `PermanentFailure` when the platform refused this very event
(other 4xx, a bad signature): the outbox retries the first and dead-letters the second.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta, timezone
from typing import Any, Protocol

import httpx

from contract.alert_event import AlertEvent
from contract.config.tls import TlsSettings, client_context
from plumbing.tls import explain, tls_error

RETRYABLE_4XX = frozenset({408, 429})
BEIJING = timezone(timedelta(hours=8))  # Chinese platforms and supervisors read China Standard Time


class DeliveryFailure(Exception):
    """Base of both failures; ``detail`` is what the platform said (status and body), for the logs."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class TransientFailure(DeliveryFailure):
    """The platform could not take the event now; the outbox retries with backoff."""


class PermanentFailure(DeliveryFailure):
    """The platform refused the event itself; retrying the same bytes cannot help."""


class UplinkAdapter(Protocol):
    """One destination of AlertEvents (regulator, notification robot, MQTT platform)."""

    name: str

    async def send(self, event: AlertEvent) -> None:
        """Deliver one event; return only once the platform confirmed it, else raise a DeliveryFailure."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


def classify_http(response: httpx.Response) -> None:
    """Raise the failure an HTTP status means: 2xx delivered, 408/429/5xx transient, other 4xx permanent."""
    if response.is_success:
        return
    detail = f"HTTP {response.status_code}: {response.text[:2000]}"
    if 400 <= response.status_code < 500 and response.status_code not in RETRYABLE_4XX:
        raise PermanentFailure(detail)
    raise TransientFailure(detail)


def http_client(timeout_s: float, tls: TlsSettings | None = None) -> httpx.AsyncClient:
    """An HTTP client for one uplink: the server verified against ``tls.ca_file`` when given (a pinned CA),
    else the system's CAs; with the gateway's client certificate when ``tls`` has one."""
    return httpx.AsyncClient(timeout=timeout_s, verify=client_context(tls) if tls is not None else True)


def network_failure(exc: httpx.HTTPError, url: str, tls: TlsSettings | None = None) -> str:
    """Why a request got no answer, for the log: a failed TLS handshake explained with its fix."""
    where = url.split("?")[0]  # a query may carry a webhook's key
    handshake = tls_error(exc)
    if handshake is not None:
        return f"{where}: {explain(handshake, tls)}"
    return f"{type(exc).__name__}: {exc or 'no answer'} ({where})"


async def post(
    client: httpx.AsyncClient,
    url: str,
    tls: TlsSettings | None = None,
    observe: Callable[[httpx.Response], None] | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """POST, turning every network-level error (refused, reset, timeout, TLS refused) into a
    TransientFailure; ``tls``: the client's settings, named in the explanation of a TLS failure;
    ``observe`` sees the answer before its status is judged (and may raise a failure of its own)."""
    try:
        response = await client.post(url, **kwargs)
    except httpx.HTTPError as exc:
        raise TransientFailure(network_failure(exc, url, tls)) from exc
    if observe is not None:
        observe(response)
    classify_http(response)
    return response
