"""In-process fan-out from drivers to consumers (rules, stores, API, counters).

Handlers are plain callables run in the event loop's thread; they must only do cheap work
(append to a buffer, update a dict) and leave I/O to their own tasks. Drivers running in
other threads (paho's network thread) hand batches over with :meth:`Bus.publish_threadsafe`.
A failing handler is logged and counted, never allowed to stop the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from contract.readings import DeviceStatus, Reading

log = logging.getLogger(__name__)

ReadingHandler = Callable[[Sequence[Reading]], None]
StatusHandler = Callable[[DeviceStatus], None]


class Bus:
    """Delivers batches of Readings and DeviceStatus changes to every subscriber, in order."""

    def __init__(self) -> None:
        self._reading_handlers: list[tuple[str, ReadingHandler]] = []
        self._status_handlers: list[tuple[str, StatusHandler]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self.handler_errors: dict[str, int] = {}

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Remember the loop that owns the handlers, for publishes from other threads."""
        self._loop = loop

    def subscribe(self, name: str, handler: ReadingHandler) -> None:
        """Call ``handler`` with every published batch of Readings."""
        self._reading_handlers.append((name, handler))

    def subscribe_status(self, name: str, handler: StatusHandler) -> None:
        """Call ``handler`` with every DeviceStatus change."""
        self._status_handlers.append((name, handler))

    def publish(self, readings: Sequence[Reading]) -> None:
        """Hand a batch to every reading handler (call from the loop's thread)."""
        if not readings:
            return
        for name, handler in self._reading_handlers:
            try:
                handler(readings)
            except Exception:  # a broken consumer must not starve the others
                self._count_error(name)

    def publish_status(self, status: DeviceStatus) -> None:
        """Hand a link-state change to every status handler (call from the loop's thread)."""
        for name, handler in self._status_handlers:
            try:
                handler(status)
            except Exception:
                self._count_error(name)

    def publish_threadsafe(self, readings: Sequence[Reading]) -> None:
        """Publish from a thread that is not the loop's (paho's network thread)."""
        self._require_loop().call_soon_threadsafe(self.publish, readings)

    def publish_status_threadsafe(self, status: DeviceStatus) -> None:
        """Publish a status change from a thread that is not the loop's."""
        self._require_loop().call_soon_threadsafe(self.publish_status, status)

    def _require_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("Bus.bind_loop() must be called before publishing from another thread")
        return self._loop

    def _count_error(self, name: str) -> None:
        count = self.handler_errors.get(name, 0) + 1
        self.handler_errors[name] = count
        if count == 1 or count % 1000 == 0:
            # called from the publishers' except blocks, so the handler's exception is the one logged
            log.exception("bus handler %r failed (%d failures so far)", name, count)  # noqa: LOG004
