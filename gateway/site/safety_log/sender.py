"""Delivers one regulator uplink's signed safety logs and attendance days (gateway/site/safety_log/store.py), oldest
first, signed like events (gateway/uplinks/signed_request.py), backing off on failures. A body is delivered
only on the regulator's receipt naming its project and day; a refusal for good (a 4xx other than 401, 408 and
429) makes it ``dead`` with the regulator's answer, shown on the dashboard."""

from __future__ import annotations

import asyncio
import logging

import httpx
from pydantic import ValidationError

from contract.config.uplinks import RegulatorUplink
from contract.safety_log import ATTENDANCE_PATH, SAFETY_LOGS_PATH, DocumentReceipt
from gateway.site.safety_log.store import Outgoing, SafetyLogStore
from gateway.uplinks.durable_sender import deliver_forever
from gateway.uplinks.periodic import UplinkRetry, regulator_said
from gateway.uplinks.signed_request import signed_request

log = logging.getLogger(__name__)

PATHS = {"log": SAFETY_LOGS_PATH, "attendance": ATTENDANCE_PATH}
WHAT = {"log": "safety log", "attendance": "key-people attendance"}


class SafetyLogSender:
    """One regulator uplink's deliveries of logs and attendance days."""

    def __init__(self, cfg: RegulatorUplink, store: SafetyLogStore) -> None:
        self._cfg = cfg
        self.name = cfg.name
        self._store = store
        self._wake = store.waker()

    async def run(self) -> None:
        """Send until cancelled."""
        await deliver_forever(
            self._cfg,
            log,
            self._wake,
            lambda: self._store.oldest(self.name),
            self.send,
            lambda item, answer: self._store.failed(self.name, item, answer, False),
        )

    async def send(self, client: httpx.AsyncClient, item: Outgoing) -> None:
        """POST one body and record the outcome; UplinkRetry when trying again may help."""
        cfg, what = self._cfg, f"{WHAT[item.doc]} of {item.day}"
        url = httpx.URL(cfg.base_url.rstrip("/") + PATHS[item.doc])
        r = await signed_request(client, cfg, self._store.project, url, item.body, WHAT[item.doc])
        if r.is_success:
            try:
                receipt: DocumentReceipt | None = DocumentReceipt.model_validate_json(r.content)
            except ValidationError:
                receipt = None
            if receipt is None or (receipt.project, receipt.day) != (self._store.project, item.day):
                raise UplinkRetry(
                    f"uplink {cfg.name!r}: HTTP {r.status_code} without the regulator's receipt for the {what} "
                    f"({r.text[:200]!r}): check the uplink's base_url",
                    refused=True,
                )
            await asyncio.to_thread(self._store.delivered, self.name, item)
            log.info("uplink %r: the regulator holds the %s (%s)", cfg.name, what, receipt.status)
            return
        said = regulator_said(r)
        log.error(
            "uplink %r: the regulator refused the %s (HTTP %d: %s)", cfg.name, what, r.status_code, said
        )
        await asyncio.to_thread(self._store.failed, self.name, item, f"HTTP {r.status_code}: {said}", True)
