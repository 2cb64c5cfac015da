"""What the senders of the gateway's durable queues share (the self-checks, gateway/uplinks/self_checks.py; the
safety logs, gateway/site/safety_log/): waking the senders when something is queued, and the loop that sends the
oldest pending item of one uplink, backing off with the uplink's settings while sending fails."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from contract.config.uplinks import RegulatorUplink
from gateway.outbox.backoff import backoff_delay
from gateway.uplinks.base import http_client
from gateway.uplinks.periodic import Failures, UplinkRetry
from plumbing.sqlite import sqlite3

T = TypeVar("T")


class Wakers:
    """The events a durable queue's senders wait on while it has nothing for them."""

    def __init__(self) -> None:
        self._wake: list[asyncio.Event] = []

    def notify(self) -> None:
        """Wake the senders (on the event loop's thread, after something was queued)."""
        for event in self._wake:
            event.set()

    def waker(self) -> asyncio.Event:
        """An event `notify` sets (a sender waits on it when it has nothing to send)."""
        event = asyncio.Event()
        self._wake.append(event)
        return event


async def deliver_forever(
    cfg: RegulatorUplink,
    log: logging.Logger,
    wake: asyncio.Event,
    oldest: Callable[[], T | None],
    send: Callable[[httpx.AsyncClient, T], Awaitable[None]],
    failed: Callable[[T, str], None],
) -> None:
    """Until cancelled: send ``oldest()`` (read in a thread) with ``send``; when it raises UplinkRetry, record
    the attempt with ``failed`` (in a thread), log it once per outage and back off; wait on ``wake`` while
    there is nothing to send."""
    failures = Failures()
    async with http_client(cfg.timeout_s, cfg.tls) as client:
        while True:
            try:
                # cleared before the read, not after it: a notify() while the read runs (something queued
                # just after the queue read empty) then still wakes the wait below instead of being lost
                wake.clear()
                item = await asyncio.to_thread(oldest)
                if item is None:
                    await wake.wait()
                    continue
                try:
                    await send(client, item)
                except UplinkRetry as exc:
                    level = logging.ERROR if exc.refused else logging.WARNING
                    failures.report(log, str(exc), level, exc.outage)
                    await asyncio.to_thread(failed, item, str(exc))
                    await asyncio.sleep(
                        backoff_delay(failures.count, cfg.backoff_initial_s, cfg.backoff_max_s)
                    )
                    continue
            except sqlite3.OperationalError as exc:
                # the queue's file refused a write (the state folder's disk full): the item stays pending and
                # goes again (the regulator keeps one copy of each); the loop dying here stopped the queue
                failures.report(
                    log,
                    f"uplink {cfg.name!r}: the queue's file cannot be written ({exc}); "
                    "retrying. Free space in the state folder if it is full",
                    logging.ERROR,
                    "store",
                )
                await asyncio.sleep(backoff_delay(failures.count, cfg.backoff_initial_s, cfg.backoff_max_s))
                continue
            failures.cleared()
