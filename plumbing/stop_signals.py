"""SIGINT and SIGTERM as an orderly stop, from before the gateway starts until it has stopped.

Installed before anything starts, so that a stop asked for during start-up (systemd stopping a unit that
is still starting, Ctrl-C in the first seconds) waits for start-up to finish and then stops in order.
Without it Python raises KeyboardInterrupt, or asyncio cancels the main task, at whatever line start-up
is on: half-started parts are never stopped, the process exits 130 instead of 0, and a lock taken when
the interrupt landed can stay taken and hang the process's exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator

SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def stop_requested() -> Iterator[asyncio.Event]:
    """An event that SIGINT or SIGTERM sets while the block runs (the running loop's signal handlers).

    Outside the main thread (a test running the demo in a thread) no handler can be installed, and the
    event is set only by whoever holds it."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    installed = []
    for sig in SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        yield stop
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
