"""A sender of what travels behind a regulator uplink's alerts (patrol pictures, evidence clips).

Such bodies are not events and never delay one:

- they wait in their own folder (gateway/uplinks/waiting_files.py: on disk, within a budget) and go out on
  their own task and connection, so an upload never holds an alert's request back in any queue of the
  gateway;
- one is sent only while the uplink's alert outbox has nothing pending (checked before each body: between
  two alert deliveries, never during a backlog), so on a slow 4G uplink an alert never shares the link with
  a queue of them; at most the one body already on the wire is in flight when an alert arrives.

Each is signed like the other periodic requests (gateway/uplinks/signed_request.py); the regulator's 2xx
is what makes one delivered. A body the regulator refuses for good (a 4xx other than 401, 408 and 429) is
dropped and logged, unless the kind says it may be taken later (`BehindAlertsSender.refused`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Generic, TypeVar

import httpx

from contract.config.uplinks import RegulatorUplink
from gateway.outbox.backoff import backoff_delay
from gateway.uplinks.base import http_client
from gateway.uplinks.periodic import Failures, UplinkRetry, regulator_said
from gateway.uplinks.signed_request import signed_request
from gateway.uplinks.waiting_files import Waiting, WaitingFiles

log = logging.getLogger(__name__)

ALERTS_CHECK_S = 0.2  # how often a body waiting behind alerts looks at the outbox again

Q = TypeVar("Q", bound=WaitingFiles, covariant=True)  # a sender only reads its queue


class BehindAlertsSender(Generic[Q]):
    """Delivers one regulator uplink's waiting bodies of one kind while its alert outbox is empty.

    ``what`` names one body in log lines ("patrol picture"); ``content_type`` is sent with each."""

    def __init__(
        self,
        cfg: RegulatorUplink,
        project: str,
        queue: Q,
        alerts_pending: Callable[[], bool],
        what: str,
        content_type: str,
    ) -> None:
        self.cfg = cfg
        self.name = cfg.name
        self.project = project
        self.queue = queue
        self._alerts_pending = alerts_pending
        self.what = what
        self._content_type = content_type
        self._wake = asyncio.Event()
        self.sent = 0

    def wake(self) -> None:
        """Something was queued: look at the folder again."""
        self._wake.set()

    def url(self, item: Waiting) -> httpx.URL:
        """Where ``item`` is posted."""
        raise NotImplementedError

    def refused(self, item: Waiting, r: httpx.Response) -> None:
        """The regulator refused ``item`` for good (``r``): drop it, logged. A kind that may be taken later
        overrides this and raises UplinkRetry instead."""
        self.queue.drop(item, f"the regulator refused it (HTTP {r.status_code}: {regulator_said(r)})")

    async def run(self) -> None:
        """Send until cancelled: oldest waiting body first, after the alerts, backing off on failures."""
        failures = Failures()
        async with http_client(self.cfg.timeout_s, self.cfg.tls) as client:
            while True:
                if self.queue.depth() == 0:  # not oldest(): that reads the body, read again below
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                await self._behind_alerts()
                item = self.queue.oldest()  # read again: a newer body may have replaced it meanwhile
                if item is None:
                    continue
                try:
                    await self._send(client, item)
                except UplinkRetry as exc:
                    level = logging.ERROR if exc.refused else logging.WARNING
                    failures.report(log, str(exc), level, exc.outage)
                    await asyncio.sleep(
                        backoff_delay(failures.count, self.cfg.backoff_initial_s, self.cfg.backoff_max_s)
                    )
                    continue
                if ended := failures.cleared():
                    log.info("uplink %r: %ss go through again after %d failures", self.name, self.what, ended)

    async def _behind_alerts(self) -> None:
        """Return once the uplink's alert outbox has nothing pending (polled: the outbox is another
        task's sqlite file, and a body may wait as long as alerts flow)."""
        while True:
            if not self._alerts_pending():
                return
            await asyncio.sleep(ALERTS_CHECK_S)

    async def _send(self, client: httpx.AsyncClient, item: Waiting) -> None:
        """POST one body: counted as sent when the regulator took it, else `refused`; UplinkRetry when
        trying again may help."""
        try:
            url = self.url(item)
        except ValueError as exc:  # a file in the folder that names no request (put there by hand)
            self.queue.drop(item, str(exc))
            return
        r = await signed_request(
            client,
            self.cfg,
            self.project,
            url,
            item.body,
            self.what,
            content_type=self._content_type,
        )
        if r.is_success:
            self.queue.done(item)
            self.sent += 1
        else:
            self.refused(item, r)
