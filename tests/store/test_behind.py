"""When each store says it is behind, which holds the gateway's MQTT intake back (sitegw/runtime.py): while a
backlog waits and the store works through it; never while the disk is full, nor once the store is stuck, so the
rules keep getting live readings whatever happens to a store."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import pytest

from contract.config.sinks import InfluxConfig, LocalStoreConfig
from contract.readings import Reading
from gateway.store import local
from gateway.store.influx import InfluxSink
from gateway.store.local import LocalStore
from plumbing.sqlite import sqlite3
from tests.servers.influx import VictoriaMetrics
from tests.store.support import until
from tests.support import free_port

T0 = float(int(time.time()) - 86400)


def loads(count: int) -> list[Reading]:
    return [Reading(T0 + i, "GD-1", "crane-1", "load_t", float(i), "t") for i in range(count)]


def test_the_local_store_is_behind_while_it_commits_a_backlog_not_once_stuck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "BEHIND_AT", 100)
    monkeypatch.setattr(local, "STALL_S", 1.0)
    store = LocalStore(tmp_path / "history.db", LocalStoreConfig(flush_interval_s=0.05))
    store.start()
    try:
        store.add(loads(99))
        assert not store.behind()  # below the mark
        other = sqlite3.connect(store.path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another writer holds the file: the store's commit waits for it
        store.add(loads(150)[99:])
        assert store.behind()  # 150 wait, and the writer passed a moment ago
        time.sleep(1.5)
        assert store.pending == 150
        assert not store.behind()  # no pass for longer than STALL_S: stuck, the intake is not held
        other.execute("ROLLBACK")
        other.close()
        assert store.flush(15)
        assert not store.behind()
        assert store.reader.counts().rows == 150
    finally:
        store.stop()


def test_a_full_disk_never_holds_the_intake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "BEHIND_AT", 100)
    full = True
    store = LocalStore(
        tmp_path / "history.db", LocalStoreConfig(flush_interval_s=0.05), may_write=lambda: not full
    )
    store.start()
    try:
        store.add(loads(500))
        assert store.pending == 500
        assert not store.behind()  # the readings wait in memory within max_held_readings; the rules go on
        full = False
        assert store.flush(15)
    finally:
        store.stop()


async def test_the_influx_sink_is_behind_while_two_batches_wait_not_once_written(
    victoria: VictoriaMetrics, tmp_path: Path
) -> None:
    cfg = InfluxConfig(url=victoria.url, api="v1", database="site", batch_size=100, flush_interval_s=0.05)
    sink = InfluxSink(cfg, tmp_path / "influx", {"crane-1": "crane"})
    await sink.start()
    try:
        sink.add(loads(150))
        assert not sink.behind()  # one batch and a half: the sink is writing the first
        sink.add(loads(250)[150:])
        assert sink.behind()  # two batches and a half (a line a reading here)
        await until(lambda: sink.stats().buffered_readings == 0)
        assert not sink.behind()
    finally:
        await sink.stop()
    assert sink.stats().points_written == 250


async def test_an_influx_sink_that_can_neither_write_nor_spool_does_not_hold_the_intake(
    tmp_path: Path,
) -> None:
    away = f"http://127.0.0.1:{free_port()}"  # nothing listens: every write is refused at once
    cfg = InfluxConfig(
        url=away, api="v1", database="site", batch_size=100, flush_interval_s=0.1, timeout_s=0.5
    )
    sink = InfluxSink(cfg, tmp_path / "influx", {"crane-1": "crane"})
    await sink.start()
    spool = tmp_path / "influx" / "spool"
    shutil.rmtree(spool)
    spool.write_text("")  # the spool's folder is a file now: no batch can be written to it
    try:
        sink.add(loads(250))
        assert sink.behind()
        await asyncio.sleep(1.0)  # longer than a write may take (timeout_s) and a flush interval
        assert sink.stats().buffered_readings == 250  # kept in memory, in order
        assert not sink.behind()  # stuck: the intake is not held
        spool.unlink()
        spool.mkdir()  # the disk is back: the readings go to the spool
        await until(lambda: sink.stats().buffered_readings == 0)
        assert not sink.behind()
    finally:
        await sink.stop()
    assert sink.stats().spool_points == 250
