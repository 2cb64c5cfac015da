"""The outbox on a state folder whose disk is full, on a real full filesystem (a tmpfs of its own, filled
to the last byte; needs root to mount, skipped saying so otherwise): the delivery loop lives through the
refused writes and every event reaches the platform once.

Before the fix the uplink's loop died on the first refused write ("database or disk is full" while
recording a delivery) and nothing was delivered again until the gateway restarted: the flake of
tests/faults/test_disk_full.py, whose regulator did not hold every event after space returned.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from gateway.outbox import Outbox
from plumbing.sqlite import sqlite3
from regulator.server import RegulatorServer
from tests.faults.test_disk_full import fill, small_filesystem
from tests.gateway.test_siren import until
from tests.outbox.test_outbox import per_alert_order, uplink
from tests.regulator.support import PROJECT, SECRET, make_event
from tests.support import free_port


def requests_taken(db: Path) -> int:
    """Event requests the regulator took, duplicates included: each carries a fresh nonce it keeps."""
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM nonces").fetchone()[0])


async def test_a_full_disk_stops_no_delivery_and_repeats_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    with small_filesystem(tmp_path / "disk", "2m") as disk:
        outbox = Outbox(disk, [uplink(port)])
        await outbox.start()
        server = RegulatorServer(tmp_path / "reg.sqlite", port=port)
        server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
        try:
            for n in range(3):  # queued while the platform is down
                assert outbox.put(make_event("a", n))
            assert outbox.put(make_event("b", 0))
            fill(disk / "filler")  # nothing more can be written to the outbox's file
            with caplog.at_level(logging.WARNING, logger="gateway.outbox"):
                await server.start()
                # the platform takes every event while the file cannot record one delivery
                await until(lambda: len(server.repo.events()) == 4, 30, "every event at the platform")
                assert any("cannot be written" in r.getMessage() for r in caplog.records), caplog.text
                assert outbox.stats().backlogs[0].depth == 4  # none recorded as delivered yet
                (disk / "filler").unlink()
                assert await outbox.drained(15)
            assert any("written again" in r.getMessage() for r in caplog.records), caplog.text
            outbox.put(make_event("a", 3))  # and the loop delivers what comes next
            assert await outbox.drained(10)
        finally:
            await outbox.stop()
            await server.stop()
    assert per_alert_order(server) == {"a": [0.0, 1.0, 2.0, 3.0], "b": [0.0]}
    # a confirmed delivery the file could not record was not sent again
    assert requests_taken(tmp_path / "reg.sqlite") == 5
