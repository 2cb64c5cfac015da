"""The read-only regulator on a real standby (issue #41: the read-only pages can be served by the replica):
a pg_auto_failover formation on loopback (tests/servers/pg_ha.py), the primary's regulator on the
``read-write`` URL taking a gateway's event and the sign-in, a ``serve --read-only`` regulator on the
``prefer-standby`` URL. It reads from the standby, shows what the primary stored, refuses every change
naming the primary, and goes on answering while the primary's machine is lost."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from regulator.routes.read_only import ReadOnly
from regulator.server import RegulatorServer
from tests.regulator.test_read_only import PRIMARY_URL, check_reads_and_refusals, primary_with_a_hazard
from tests.servers.pg_ha import MISSING, PgAutoFailover

pytestmark = [pytest.mark.slow, pytest.mark.skipif(MISSING is not None, reason=MISSING or "")]


@pytest.fixture
def cluster() -> Iterator[PgAutoFailover]:
    formation = PgAutoFailover()
    try:
        formation.start()
        yield formation
    finally:
        formation.stop()


async def test_the_standby_serves_the_pages_and_refuses_writes(
    cluster: PgAutoFailover, tmp_path: Path
) -> None:
    primary, hazard = await primary_with_a_hazard(cluster.url, tmp_path)
    primary_up = True
    reader = RegulatorServer(
        cluster.read_url, evidence_dir=tmp_path / "evidence", read_only=ReadOnly(PRIMARY_URL)
    )
    await reader.start()
    try:
        standby = next(p for p in cluster.ports if p != cluster.primary_port())
        with reader.repo.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT pg_is_in_recovery(), inet_server_port()")).one() == (
                True,
                standby,
            )
            # a synchronous standby has the commit on disk when the primary answers; applying it is a moment
            deadline = time.monotonic() + 10
            while conn.execute(sa.text("SELECT count(*) FROM hazards")).scalar_one() == 0:
                assert time.monotonic() < deadline, "the standby never showed the primary's hazard"
                conn.rollback()
                await asyncio.sleep(0.1)
        cookies = await check_reads_and_refusals(primary, reader, hazard)

        # the primary's regulator and its database's machine are lost: the pages stay up
        await primary.stop()
        primary_up = False
        await asyncio.to_thread(cluster.lose, "node1" if cluster.ports[0] != standby else "node2")
        async with httpx.AsyncClient(base_url=reader.base_url, timeout=30, cookies=cookies) as client:
            deadline, queue = time.monotonic() + 20, None
            while time.monotonic() < deadline:  # a connection cut by the standby's promotion is a 503
                queue = await client.get("/ui/api/hazards", params={"state": "all"})
                if queue.status_code == 200:
                    break
                await asyncio.sleep(0.5)
            assert queue is not None and queue.status_code == 200, queue and queue.text
            assert [h["id"] for h in queue.json()["hazards"]] == [hazard]
    finally:
        await reader.stop()
        if primary_up:
            await primary.stop()
