"""A city's platform pointed at another province queues its whole ledger again, so the new province gets
everything, once (regulator/forwarding/outbox.py switch_on); the city and both provinces in this process,
the city on PostgreSQL (its triggers), the provinces on SQLite."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from contract.wire import EVENTS_PATH
from regulator.forwarding.cities import register
from regulator.forwarding.sender import ForwardLink
from regulator.server import RegulatorServer
from tests.regulator.support import PROJECT, SECRET, make_event, pg_database, signed

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

KEY = "a-city-key-for-the-tests-0123"


async def province(folder: Path) -> RegulatorServer:
    server = RegulatorServer(folder / "province.sqlite", evidence_dir=folder / "evidence")
    register(server.repo, "SZ", "深圳市平台", "广东省/深圳市", KEY)
    await server.start()
    return server


def hazards(server: RegulatorServer) -> list[str]:
    with server.repo.engine.connect() as db:
        return sorted(r[0] for r in db.exec_driver_sql("SELECT alert_id FROM hazards"))


async def until(check: object, what: str, limit_s: float = 30.0) -> None:
    deadline = time.monotonic() + limit_s
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.2)


async def test_another_province_gets_the_whole_ledger_once(tmp_path: Path) -> None:
    first, second = await province(tmp_path / "a"), await province(tmp_path / "b")
    try:
        with pg_database() as db:
            for n, target in enumerate((first, second)):
                link = ForwardLink(target.base_url, "SZ", KEY, "广东省/深圳市", idle_s=0.2, poll_s=1.0)
                city = RegulatorServer(db, evidence_dir=tmp_path / "city", forward=link)
                city.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
                await city.start()
                try:
                    body = make_event(f"alert-{n}").model_dump_json().encode()
                    async with httpx.AsyncClient(base_url=city.base_url) as client:
                        r = await client.post(EVENTS_PATH, content=body, headers=signed(EVENTS_PATH, body))
                        assert r.status_code == 200, r.text
                    want = [f"alert-{i}" for i in range(n + 1)]
                    await until(lambda t=target, w=want: hazards(t) == w, f"the ledger at province {n}")
                finally:
                    await city.stop()
        assert hazards(first) == ["alert-0"]
        assert hazards(second) == ["alert-0", "alert-1"]
    finally:
        await first.stop()
        await second.stop()
