"""plumbing/http_server.ApiServer: the servers of one process never take its SIGINT and SIGTERM."""

from __future__ import annotations

import signal

from fastapi import FastAPI

from plumbing.http_server import ApiServer


async def test_overlapping_servers_leave_the_signals_to_the_process() -> None:
    # as a gateway's API and a regulator in one process (the demo): started A then B, stopped A then B.
    # uvicorn's own handlers stopped each server at the signal, the regulator before the gateway that
    # still delivered to it, and a stopped one left holding SIGTERM ended every later live stream
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    first, second = ApiServer(FastAPI(), "127.0.0.1", 0), ApiServer(FastAPI(), "127.0.0.1", 0)
    await first.start()
    await second.start()
    assert {sig: signal.getsignal(sig) for sig in before} == before, "a running server took a signal"
    await first.stop()
    await second.stop()
    assert {sig: signal.getsignal(sig) for sig in before} == before
