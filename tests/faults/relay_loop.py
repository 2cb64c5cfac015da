"""What the fault suite's TCP relays share (tests/faults/link.py, tests/faults/modbus_cable.py): an asyncio
loop in a daemon thread of the test, coroutines run on it from the test's thread, and the relay's own
tasks, cancelled together when connections are cut."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any


class RelayLoop:
    """An event loop in a thread named ``name``; `_start_loop` before use, `_stop_loop` after."""

    def __init__(self, name: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._tasks: set[asyncio.Task[Any]] = set()

    def _start_loop(self) -> None:
        self._thread.start()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _call(self, coro: Coroutine[Any, Any, object]) -> None:
        """Run ``coro`` on the loop from the test's thread and wait for it (10 s at most)."""
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        """Run ``coro`` as one of the relay's tasks (on the loop's thread)."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _cancel_tasks(self) -> None:
        """Cancel every task of the relay and wait until they ended."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
