"""The default regulator protocol of docs/design.md: one AlertEvent per signed POST (signed by
contract.wire.signed_headers, as the other signed requests are)."""

from __future__ import annotations

import httpx
from pydantic import ValidationError

from contract.alert_event import AlertEvent
from contract.config.uplinks import RegulatorUplink
from contract.wire import EVENTS_PATH, EventReceipt, signed_headers
from gateway.uplinks.base import TransientFailure, http_client, post
from gateway.uplinks.server_clock import TRUST_S, clock_of


def check_receipt(response: httpx.Response, event_id: str) -> None:
    """Raise a TransientFailure unless a 2xx ``response`` is the regulator's receipt for ``event_id``.

    A proxy that answers 200 without forwarding, a captive portal of the 4G provider or a base URL that
    points at some other web server all say 200; only the receipt proves the event is stored, so without
    it the outbox keeps the event and tries again (the receiver stores an event_id once).
    """
    try:
        receipt = EventReceipt.model_validate_json(response.content)
    except ValidationError:
        raise TransientFailure(
            f"HTTP {response.status_code} without the regulator's receipt for event {event_id} "
            f"({response.text[:200]!r}): a proxy or another server answered, nothing was stored; "
            "check the uplink's base_url"
        ) from None
    if receipt.event_id != event_id:
        raise TransientFailure(
            f"the receipt names event {receipt.event_id}, not {event_id}: nothing proves it stored"
        )


class RegulatorAdapter:
    """POST {base_url}/api/v1/events; a 2xx with the receipt for the event delivered, a 2xx without it,
    408/429/5xx, network errors and a 401 for a timestamp off the regulator's clock (server_clock)
    retried, other 4xx dead-lettered."""

    def __init__(self, config: RegulatorUplink) -> None:
        self.name = config.name
        self._secret = config.secret
        base = httpx.URL(config.base_url.rstrip("/") + EVENTS_PATH)
        self._url = str(base)
        self._path = base.raw_path.decode()  # the path as sent, so a base URL with a prefix signs correctly
        self._tls = config.tls
        self._client = http_client(config.timeout_s, config.tls)
        self._clock = clock_of(config.base_url)

    async def send(self, event: AlertEvent) -> None:
        """Sign and POST one event (a fresh timestamp, by the regulator's clock, and nonce per attempt)."""
        body = event.model_dump_json().encode()
        signed_ms = self._clock.now_ms()

        def observe(response: httpx.Response) -> None:
            off_s = self._clock.observe(response, signed_ms)
            if response.status_code == 401 and abs(off_s) > TRUST_S:
                raise TransientFailure(
                    f"HTTP 401: {response.text[:300]}; the request was signed {abs(off_s):.0f} s off the "
                    "regulator's clock: trying again with its time"
                )

        response = await post(
            self._client,
            self._url,
            self._tls,
            observe,
            content=body,
            headers=signed_headers(event.project, self._secret, self._path, body, now_ms=signed_ms),
        )
        check_receipt(response, event.event_id)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
