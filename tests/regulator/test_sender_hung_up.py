"""A gateway on a flaky 4G link hangs up in the middle of sending its event (the fault suite's SIGKILLs do
the same): the regulator stores nothing of it, stays up for the next, and says so in one line of its log,
not uvicorn's traceback of an "Exception in ASGI application"."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from regulator.server import RegulatorServer


async def test_a_sender_hanging_up_mid_body_is_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = RegulatorServer(f"sqlite:///{tmp_path / 'regulator.sqlite'}", evidence_dir=tmp_path / "evidence")
    await server.start()
    caplog.set_level(logging.INFO)
    uvicorn = logging.getLogger("uvicorn.error")  # where uvicorn prints a traceback; it does not propagate
    uvicorn.addHandler(caplog.handler)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        head = (
            "POST /api/v1/events HTTP/1.1\r\nHost: regulator\r\nContent-Type: application/json\r\n"
            "Content-Length: 5000\r\n\r\n"
        )
        writer.write(head.encode() + b'{"event_id": "cut-')  # 18 of the 5,000 bytes announced
        await writer.drain()
        await asyncio.sleep(0.3)
        writer.close()  # the link drops
        await writer.wait_closed()
        for _ in range(50):  # the server notices the hang-up on its own loop
            if any("hung up" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.1)
        # still answering the next gateway
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: regulator\r\nConnection: close\r\n\r\n")
        answer = await reader.read()
        writer.close()
    finally:
        await server.stop()
        uvicorn.removeHandler(caplog.handler)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    said = [r.getMessage() for r in caplog.records]
    assert any("POST /api/v1/events: the sender hung up" in m for m in said), said
    assert not any("Exception in ASGI application" in m for m in said), said
    assert not any(r.exc_info for r in caplog.records), "a traceback was logged"
