"""The disk spool on its own: order, restart, budget, crash leftovers."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from gateway.store.spool import DiskSpool


def batch(n: int, first: int = 0) -> bytes:
    return b"".join(b"m f=%04d %04d\n" % (i, i) for i in range(first, first + n))  # fixed width


def test_batches_come_back_in_order_and_coalesced_up_to_max_points(tmp_path: Path) -> None:
    spool = DiskSpool(tmp_path, 10_000_000)
    for k in range(5):
        spool.append(batch(3, k * 3), 3)
    assert (spool.points, len(spool)) == (15, 5)
    segments, body = spool.head(max_points=7)  # two whole batches fit, a third would exceed 7
    assert [s.seq for s in segments] == [1, 2]
    assert body == batch(6)
    spool.remove(segments)
    segments, body = spool.head(max_points=1)  # always at least one batch, even if larger
    assert body == batch(3, 6)
    assert spool.points == 9


def test_the_spool_survives_a_restart_and_keeps_counting(tmp_path: Path) -> None:
    spool = DiskSpool(tmp_path, 10_000_000)
    spool.append(batch(2), 2)
    spool.append(batch(4, 2), 4)
    (tmp_path / "000000000009-5.tmp").write_bytes(b"m f=1 1\nm f=")  # a write cut by a crash
    reopened = DiskSpool(tmp_path, 10_000_000)
    assert (reopened.points, reopened.bytes, len(reopened)) == (6, len(batch(6)), 2)
    assert not list(tmp_path.glob("*.tmp"))
    reopened.append(batch(1, 6), 1)
    segments, body = reopened.head(100)
    assert [s.seq for s in segments] == [1, 2, 3]
    assert body == batch(7)


def test_a_full_spool_drops_its_oldest_batches_loudly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    size = len(batch(10))
    spool = DiskSpool(tmp_path, max_bytes=size * 3)
    with caplog.at_level(logging.ERROR):
        for k in range(5):
            spool.append(batch(10, k * 10), 10)
    assert (spool.dropped_points, spool.dropped_batches, spool.points) == (20, 2, 30)
    assert spool.bytes <= size * 3
    assert spool.head(100)[1] == batch(30, 20)  # the newest three remain
    assert sum("spool full" in r.message for r in caplog.records) == 2
