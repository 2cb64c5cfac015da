"""systemd's service notification protocol (sd_notify(3)), written from its manual: a ``Type=notify`` unit
learns that the gateway is ready, and its watchdog (``WatchdogSec=``) hears from the event loop while the loop
runs, so a gateway whose loop hangs is killed and started again by systemd.

The protocol: datagrams of ``KEY=VALUE`` lines to the unix socket named by ``NOTIFY_SOCKET`` (a leading ``@``
names Linux's abstract namespace); ``WATCHDOG_USEC`` (and ``WATCHDOG_PID``, when set, this process's id) asks
for ``WATCHDOG=1`` at least that often; the manual advises half the interval. Without ``NOTIFY_SOCKET`` (not
under systemd) every call does nothing. No library: the protocol is one ``sendto``, and python-systemd needs
libsystemd's headers to build, which an edge box's Python may lack.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator

log = logging.getLogger(__name__)


def notify(*lines: str) -> bool:
    """Send ``lines`` (e.g. ``READY=1``) to systemd; whether a socket was there to take them."""
    path = os.environ.get("NOTIFY_SOCKET", "")
    if not path:
        return False
    address = "\0" + path[1:] if path.startswith("@") else path
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto("\n".join(lines).encode(), address)
    except OSError as exc:  # systemd gone or the socket unreachable: a service still runs without it
        log.warning("systemd notification %s not sent: %s", lines, exc)
        return False
    return True


def watchdog_interval_s() -> float | None:
    """How often to tell the watchdog the loop is alive (half of ``WATCHDOG_USEC``); None: no watchdog asked
    of this process."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0 or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 2e6


@contextlib.asynccontextmanager
async def notified(status: str) -> AsyncIterator[None]:
    """Tell systemd the service is ready (with ``status``) and keep its watchdog fed from this event loop
    while the block runs; tell it the service is stopping when the block ends."""
    notify("READY=1", f"STATUS={status}")
    interval = watchdog_interval_s()
    feeder = asyncio.create_task(_feed(interval), name="systemd-watchdog") if interval else None
    try:
        yield
    finally:
        notify("STOPPING=1")
        if feeder is not None:
            feeder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await feeder


async def _feed(interval_s: float) -> None:
    # from the event loop itself: a loop blocked by a hung call sends nothing, and systemd restarts the unit
    while True:
        notify("WATCHDOG=1")
        await asyncio.sleep(interval_s)
