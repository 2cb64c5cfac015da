"""contract/http_server.ApiServer: servers whose lives overlap in one process leave the signals as found."""

from __future__ import annotations

import signal

import uvicorn
from fastapi import FastAPI

from plumbing.http_server import ApiServer


async def test_overlapping_servers_leave_no_stopped_server_holding_sigterm() -> None:
    # as a gateway's API and a regulator in one process: started A then B, stopped A then B. uvicorn puts
    # back the handler each found, so B put back A's; a stopped A holding SIGTERM made sse-starlette end
    # every later live stream of the process at once (tests/api/test_live.py after test_summaries.py)
    first, second = ApiServer(FastAPI(), "127.0.0.1", 0), ApiServer(FastAPI(), "127.0.0.1", 0)
    await first.start()
    await second.start()
    await first.stop()
    await second.stop()
    holder = getattr(signal.getsignal(signal.SIGTERM), "__self__", None)
    assert not (isinstance(holder, uvicorn.Server) and holder.should_exit), "a stopped server holds SIGTERM"
