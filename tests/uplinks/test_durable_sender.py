"""The loop every durable regulator queue sends with (self-checks, the safety log): what a site relies on is that
something queued goes up at once, whenever it is queued.

The race it once lost: the loop read its queue empty in a worker thread, something was queued and the loop woken
meanwhile, and the loop then cleared that wake-up and slept, so the new item waited for the next one to be queued
(a self-check raised on a quiet afternoon went up the next day). The queue here is a list read in that thread;
``send`` stands in for the regulator, which this loop only calls.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from contract.config.uplinks import RegulatorUplink
from gateway.uplinks.durable_sender import deliver_forever
from tests.gateway.test_siren import until

UPLINK = RegulatorUplink(name="regulator", base_url="http://127.0.0.1:9", secret="s" * 16)


async def test_an_item_queued_while_the_queue_reads_empty_goes_without_another_wake_up() -> None:
    loop = asyncio.get_running_loop()
    queue: list[str] = []
    sent: list[str] = []
    wake = asyncio.Event()
    raced = threading.Event()

    def queued_meanwhile() -> None:
        """On the loop: a check queued and the senders woken, as SelfCheckOutbox does."""
        queue.append("临边无防护")
        wake.set()

    def oldest() -> str | None:
        if not raced.is_set():  # the first read finds the queue empty, and while it returns, a check comes
            raced.set()
            loop.call_soon_threadsafe(queued_meanwhile)
            while not queue:  # the loop has queued it before this read answers "empty"
                threading.Event().wait(0.01)
            return None
        return queue[0] if queue else None

    async def send(_client: object, item: str) -> None:
        sent.append(item)
        queue.remove(item)

    task = asyncio.create_task(
        deliver_forever(UPLINK, logging.getLogger("test"), wake, oldest, send, lambda item, why: None)
    )
    try:
        await until(lambda: sent == ["临边无防护"], 5, "the check queued during the empty read sent")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
