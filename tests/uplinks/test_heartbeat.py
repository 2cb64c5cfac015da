"""The gateway's heartbeat reaches the real regulator receiver and moves the project's last-seen time; a
regulator from before the 危大 list that refuses it still hears the site alive."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import httpx
import pytest
import sqlalchemy as sa

from contract.config.dangerous_works import DangerousWork
from contract.config.uplinks import RegulatorUplink
from gateway.uplinks.heartbeat import heartbeat_forever, send_heartbeat
from regulator.server import RegulatorServer
from tests.regulator.support import PROJECT, SECRET, last_seen


async def test_signed_heartbeat_marks_the_project_seen(receiver: RegulatorServer) -> None:
    assert last_seen(receiver) is None
    cfg = RegulatorUplink(base_url=receiver.base_url, secret=SECRET)
    async with httpx.AsyncClient() as client:
        assert await send_heartbeat(client, cfg, PROJECT, outbox_depth=3)
    seen = last_seen(receiver)
    assert seen is not None


async def test_wrong_secret_is_refused_and_not_seen(receiver: RegulatorServer) -> None:
    cfg = RegulatorUplink(base_url=receiver.base_url, secret="not-the-secret")
    async with httpx.AsyncClient() as client:
        assert not await send_heartbeat(client, cfg, PROJECT, outbox_depth=0)
    assert last_seen(receiver) is None


async def test_heartbeat_loop_survives_a_receiver_that_is_away(receiver: RegulatorServer) -> None:
    cfg = RegulatorUplink(base_url="http://127.0.0.1:9", secret=SECRET, heartbeat_s=5, timeout_s=0.5)
    task = asyncio.create_task(heartbeat_forever(cfg, PROJECT, lambda: 0))
    await asyncio.sleep(1.0)
    assert not task.done()  # a refused connection is only logged
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


class OldRegulator(BaseHTTPRequestHandler):
    """A regulator from before the 危大 list: its heartbeat refuses unknown fields with 422."""

    bodies: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        OldRegulator.bodies.append(body)
        refused = "dangerous_works" in body
        self.send_response(422 if refused else 200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"error": "extra fields not permitted"}' if refused else b'{"status": "ok"}')

    def log_message(self, *_: Any) -> None:
        pass


async def test_a_regulator_that_refuses_the_list_still_hears_the_site_alive(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="gateway.uplinks.heartbeat")
    server = ThreadingHTTPServer(("127.0.0.1", 0), OldRegulator)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    works = [DangerousWork(id="hf", name="3号楼5层高支模", devices=["formwork-1"])]
    cfg = RegulatorUplink(name="old", base_url=f"http://127.0.0.1:{server.server_port}", secret=SECRET)
    try:
        async with httpx.AsyncClient() as client:
            assert await send_heartbeat(client, cfg, PROJECT, 0, works)
            assert await send_heartbeat(client, cfg, PROJECT, 0, works)
    finally:
        server.shutdown()
    assert ["dangerous_works" in b for b in OldRegulator.bodies] == [True, False, True, False]
    told = [r for r in caplog.records if "does not take the 危大 list" in r.getMessage()]
    assert [r.levelname for r in told] == ["WARNING", "DEBUG"]  # said once, not at every heartbeat


async def test_the_sites_coordinates_place_it_on_the_map_at_first_contact(receiver: RegulatorServer) -> None:
    from regulator.geo import project_map

    cfg = RegulatorUplink(base_url=receiver.base_url, secret=SECRET)

    def where() -> tuple[float | None, float | None]:
        with receiver.repo.engine.connect() as db:
            row = db.execute(sa.text("SELECT lat, lon FROM projects WHERE code = :c"), {"c": PROJECT}).one()
        return row[0], row[1]

    async with httpx.AsyncClient() as client:
        assert await send_heartbeat(client, cfg, PROJECT, 0)  # none in the site file: none kept
        assert where() == (None, None)
        assert await send_heartbeat(client, cfg, PROJECT, 0, where=(22.527, 113.905))
        assert where() == (22.527, 113.905)
        project_map.locate(receiver.repo, PROJECT, 22.53, 113.91)  # an admin corrects it
        assert await send_heartbeat(client, cfg, PROJECT, 0, where=(22.527, 113.905))
        assert where() == (22.53, 113.91)  # the correction stays
