"""Helpers shared by the tests: free ports, waiting for servers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Callable, Coroutine
from typing import Any

from contract.alert_event import Level
from drivers.ports import free_tcp_port
from rules import RuleResult


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    return free_tcp_port()


def wait_port(port: int, host: str = "127.0.0.1", timeout: float = 15.0) -> None:
    """Block until something accepts TCP connections on ``host:port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout} s")


def until(check: Callable[[], Any], timeout: float, what: str, every: float = 0.5) -> Any:
    """Poll ``check()`` until it is truthy and return its value; fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not (got := check()):
        assert time.monotonic() < deadline, f"{what} within {timeout:.0f} s"
        time.sleep(every)
    return got


# the most a test waits on a server or gateway it started (imports, migrations, a first poll) before it is
# ready: seconds on an idle box; the regulator took over 60 s at load 14 to 22 on 2 cores, where pytest's own
# time limit was the next thing to fail. Only a start that never comes waits it out
STARTUP_S = 240.0


def wait_started(proc: subprocess.Popen[Any], port: int, what: str, timeout: float = STARTUP_S) -> None:
    """Block until ``proc`` accepts TCP connections on 127.0.0.1:``port``; a process that ended fails at once
    (with its exit status), one still starting after ``timeout`` s is killed and fails."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} ended with status {proc.returncode} before listening on port {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    proc.kill()  # not left running after the test
    proc.wait(10)
    raise TimeoutError(f"{what}: nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def schema_examples() -> int:
    """Cases schemathesis draws per operation and role: 4 in `make test`, more in `make fuzz`
    (``SITEGW_SCHEMA_EXAMPLES``)."""
    return int(os.environ.get("SITEGW_SCHEMA_EXAMPLES", "4"))


async def run_until(
    task_of: Coroutine[Any, Any, None], done: Callable[[], bool], timeout: float = 15.0
) -> None:
    """Run a sender's loop until ``done()``; a sender that keeps being refused times out."""
    task = asyncio.create_task(task_of)
    try:
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, "never delivered"
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def verdict(
    rule: str,
    where: tuple[str, str],
    level: Level | None,
    ts: float,
    figures: tuple[float, float, str],
    message: str,
    clause: str = "",
    details: dict[str, float | str | list[str]] | None = None,
) -> RuleResult:
    """A rule's verdict on ``where`` (device, point): ``figures`` are its value, its limit and their unit."""
    value, threshold, unit = figures
    device, point = where
    return RuleResult(
        rule,
        device,
        point,
        level,
        ts,
        clause,
        value,
        threshold,
        unit,
        message,
        details=details or {},
    )
