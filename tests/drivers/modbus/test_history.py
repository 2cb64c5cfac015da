"""A data logger's record store uploaded over real Modbus TCP (drivers/modbus/history.py): whole, in order,
as backfill, acknowledged only after the gateway committed it, at most a window held at once, bad records
refused with a clear error and the upload going on."""

from __future__ import annotations

import asyncio
import logging
import math
import struct
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract.bus import Bus
from contract.config import LoadedSite
from contract.config.device import DeviceConfig
from contract.config.profile import ModbusMap, Profile
from contract.config.transport import ModbusRtuTransport, ModbusTcpTransport
from contract.readings import Quality, Reading
from drivers.modbus import ModbusDriver
from drivers.modbus.history import HistoryReader
from drivers.modbus.link import LinkError
from drivers.modbus.tcp_link import TcpLink
from drivers.simulators.modbus_server import ModbusSimulatorServer, SimUnit
from drivers.simulators.ptypair import PtyPair
from drivers.simulators.record_store import RecordStore, steady_records
from gateway.alerts.store import AlertStore
from plumbing.sqlite import sqlite3
from tests.drivers.modbus.conftest import fast, wait_until, with_profiles
from tests.support import free_port

CHANNELS = ["disp_h_mm@ZQS-01", "disp_v_mm@ZQS-01", "incl_mm@CX-01", "axial_kn@ZL-01", "water_level_m@SW-01"]
EVERY_S = 10.0


def logger_profile(site: LoadedSite, window: int) -> Profile:
    """pit_dau with its record store read ``window`` records at a time."""
    profile = site.profiles["pit_dau"]
    mmap = profile.modbus
    assert mmap is not None and mmap.history is not None
    history = mmap.history.model_copy(update={"window_records": window, "idle_poll_s": 0.1})
    return profile.model_copy(
        update={"name": "pit_dau_logger", "modbus": mmap.model_copy(update={"history": history})}
    )


def dau(site: LoadedSite, transport: ModbusTcpTransport | ModbusRtuTransport) -> DeviceConfig:
    """The site's pit DAU on ``transport``, its live registers polled every 5 s."""
    return fast(
        site.config.device("pit-1"), transport=transport, profile="pit_dau_logger", poll_interval_s=5.0
    )


@dataclass
class Upload:
    """The logger's store and what reached the bus."""

    store: RecordStore
    driver: ModbusDriver
    published: list[Reading]

    @property
    def history(self) -> HistoryReader:
        return self.driver.histories[0]

    def backfill(self) -> list[Reading]:
        return [r for r in self.published if r.quality is Quality.BACKFILL]


@asynccontextmanager
async def uploading(
    site: LoadedSite,
    records: int,
    committed: Callable[[list[Reading]], Awaitable[bool]] | None = None,
    may_take: Callable[[], bool] = lambda: True,
    window: int = 50,
    wrong_seq: dict[int, int] | None = None,
    spoil: Callable[[int, float, list[float | str]], tuple[float, list[float | str]]] = lambda s, t, v: (
        t,
        v,
    ),
    rtu: PtyPair | None = None,
) -> AsyncIterator[Upload]:
    """A logger with ``records`` pending on a real pymodbus server, and the driver uploading it; ``committed``
    stands for the local store's answer (given what reached the bus so far; default: committed at once),
    ``spoil`` may spoil a record's time or values; over Modbus TCP, or RTU on ``rtu``."""
    profile = logger_profile(site, window)
    mmap = profile.modbus
    assert isinstance(mmap, ModbusMap)
    steady = steady_records(len(CHANNELS), time.time() - 1, EVERY_S, records)

    def record(seq: int) -> tuple[float, list[float | str]]:
        ts, values = steady(seq)
        return spoil(seq, ts, list(values))

    store = RecordStore(mmap, records, record, wrong_seq=wrong_seq)
    port = free_port()
    bus = Bus()
    published: list[Reading] = []
    bus.subscribe("test", published.extend)

    async def commit() -> bool:
        return True if committed is None else await committed(published)

    transport: ModbusTcpTransport | ModbusRtuTransport = ModbusTcpTransport(host="127.0.0.1", port=port)
    where: dict[str, Any] = {"tcp": ("127.0.0.1", port)}
    if rtu is not None:
        transport, where = (
            ModbusRtuTransport(port=rtu.b, baudrate=115200),
            {"serial": rtu.a, "baudrate": 115200},
        )
    async with ModbusSimulatorServer([SimUnit(1, mmap, dict, store)], **where):
        driver = ModbusDriver(
            with_profiles(site, pit_dau_logger=profile),
            bus,
            [dau(site, transport)],
            may_take=may_take,
            committed=commit,
        )
        await driver.start()
        try:
            yield Upload(store, driver, published)
        finally:
            await driver.stop()


async def test_a_backlog_of_thousands_arrives_whole_in_order_as_backfill_and_is_acknowledged(
    site: LoadedSite,
) -> None:
    records = 3_000
    async with uploading(site, records, window=200) as up:
        await wait_until(lambda: up.store.pending == 0, 20, "the backlog uploaded")
    got = up.backfill()
    assert len(got) == records * len(CHANNELS)
    by_series: dict[tuple[str, str], list[Reading]] = {}
    for r in got:
        by_series.setdefault((r.metric, r.point), []).append(r)
    assert sorted(f"{m}@{p}" for m, p in by_series) == sorted(CHANNELS)
    first_ts = got[0].ts
    for i, name in enumerate(CHANNELS):
        series = by_series[tuple(name.split("@"))]  # type: ignore[index]
        # every record once, oldest first, each with its own time and values
        assert [round((r.ts - first_ts) / EVERY_S) for r in series] == list(range(records))
        assert [r.value for r in series[:3]] == [
            pytest.approx(s % 1000 / 10 + i, abs=1e-4) for s in (1, 2, 3)
        ]
    assert up.store.acks == sorted(up.store.acks) and up.store.acks[-1] == records
    assert len(up.store.acks) == records // 200  # a window at a time: 200 records acknowledged at once
    assert up.history.stats.refused == 0


async def test_over_rtu_the_backlog_is_read_and_acknowledged_as_over_tcp(site: LoadedSite) -> None:
    with PtyPair() as pty:
        async with uploading(site, 60, window=25, rtu=pty) as up:
            await wait_until(lambda: up.store.pending == 0, 15, "the backlog uploaded over RS-485")
    assert len(up.backfill()) == 60 * len(CHANNELS)
    assert up.store.acks == [25, 50, 60]  # each acknowledgement an FC16 write over the serial line


async def test_nothing_is_acknowledged_until_the_local_store_has_committed_it(site: LoadedSite) -> None:
    commits = {"ok": False}

    async def committed(_published: list[Reading]) -> bool:
        return commits["ok"]

    async with uploading(site, 120, committed=committed, window=50) as up:
        await wait_until(lambda: up.history.stats.not_committed >= 2, 10, "two windows not committed")
        # the store did not commit: the logger was told nothing and keeps every record, read again
        assert up.store.acks == [] and up.store.pending == 120 and up.store.oldest == 1
        sent_twice = len(up.backfill())
        assert sent_twice >= 2 * 50 * len(CHANNELS)
        commits["ok"] = True
        await wait_until(lambda: up.store.pending == 0, 10, "the backlog uploaded once committed")
    assert up.store.acks == [50, 100, 120]


async def test_while_the_gateway_has_no_room_the_backlog_waits_in_the_logger(site: LoadedSite) -> None:
    room = {"free": False}
    async with uploading(site, 500, may_take=lambda: room["free"], window=50) as up:
        await asyncio.sleep(1.0)
        assert up.store.reads == 0 and up.backfill() == []  # not one record read while the stores are behind
        room["free"] = True
        # a slow store: each window waits for its commit, and only one window is ever in the gateway
        await wait_until(lambda: up.store.pending == 0, 10, "the backlog uploaded")
    assert len(up.backfill()) == 500 * len(CHANNELS)


async def test_a_slow_store_holds_no_more_than_a_window_of_the_backlog(site: LoadedSite) -> None:
    in_flight: list[int] = []
    committed_before = 0

    async def slow_commit(published: list[Reading]) -> bool:
        # what reached the bus since the last commit is all the gateway holds of the backlog
        nonlocal committed_before
        backfill = sum(
            r.quality is Quality.BACKFILL for r in published
        )  # the live polls' are not the backlog
        in_flight.append(backfill - committed_before)
        await asyncio.sleep(0.05)
        committed_before = backfill
        return True

    async with uploading(site, 400, committed=slow_commit, window=40) as up:
        await wait_until(lambda: up.store.pending == 0, 15, "the backlog uploaded")
    assert max(in_flight) <= 40 * len(CHANNELS)
    assert len(up.backfill()) == 400 * len(CHANNELS)


async def test_bad_records_are_refused_with_a_clear_error_and_the_good_ones_still_arrive(
    site: LoadedSite, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="drivers.modbus.history")

    def spoil(seq: int, ts: float, values: list[float | str]) -> tuple[float, list[float | str]]:
        if seq == 30:
            return 0.0, values  # a record stamped 1970: its logger's clock was never set
        if seq == 80:
            return ts, [math.nan, *values[1:]]  # a sensor the logger recorded as NaN
        return ts, values

    async with uploading(
        site,
        100,
        window=50,
        wrong_seq={60: 7},  # record 60 says it is record 7: the store went backwards
        spoil=spoil,
    ) as up:
        await wait_until(lambda: up.store.pending == 0, 10, "the backlog uploaded past the bad records")
    got = up.backfill()
    # every record but the two bad ones, and record 80 without its NaN
    assert len(got) == 98 * len(CHANNELS) - 1
    by_ts: dict[float, list[str]] = {}
    for r in got:
        by_ts.setdefault(r.ts, []).append(r.metric)
    assert [m for m in by_ts.values() if len(m) < len(CHANNELS)] == [
        ["disp_v_mm", "incl_mm", "axial_kn", "water_level_m"]
    ]
    assert up.history.stats.refused == 2
    assert up.driver.stats()["pit-1"].refused == {"history_record": 2}
    assert up.store.acks == [50, 100]  # acknowledged with their windows: the upload never stalls
    errors = "\n".join(r.getMessage() for r in caplog.records)
    assert "pit-1" in errors
    assert (
        "record 30 at holding register 1508 has timestamp 0.0 s" in errors
        and "set the logger's clock" in errors
    )
    assert "holding register 1226 has sequence number 7, not after the record before it (59)" in errors
    assert "record 80: disp_h_mm is not a number" in errors


CRASH_SITE = """\
project: {{code: B-0001}}
api: {{port: 0}}
devices:
  - id: pit-1
    kind: pit
    profile: pit_dau
    transport: {{type: modbus_tcp, host: 127.0.0.1, port: {port}, unit_id: 1}}
    poll_interval_s: 5
    pit:
      grade: 1
      support: bored_pile
      excavation_depth_m: 12
      points: [{{code: ZQS-01, kind: wall_top}}, {{code: CX-01, kind: inclinometer, depth_m: 8}},
               {{code: ZL-01, kind: strut, capacity_kn: 4000}}, {{code: SW-01, kind: water_level}}]
"""


def stored_records(history: Path, last_ts: float) -> list[tuple[int, int]]:
    """(records, rows) of the backlog (readings at or before its ``last_ts``) in each series of the gateway's
    local store, by series id: backfill, or fault where the rules found a value broken."""
    with sqlite3.connect(history) as conn:
        return conn.execute(
            "SELECT COUNT(DISTINCT ts), COUNT(*) FROM readings WHERE ts <= ? GROUP BY series_id",
            (round(last_ts * 1000),),
        ).fetchall()


@dataclass
class SiteGateway:
    """A site file for ``sitegw run`` with the pit DAU's profile (window ``window``) in its own profiles
    folder, on a free port, and its state folder."""

    profile: Profile
    site_file: Path
    state: Path
    port: int

    @classmethod
    def made(cls, site: LoadedSite, tmp_path: Path, window: int) -> SiteGateway:
        profile = logger_profile(site, window)
        profiles = tmp_path / "profiles"
        profiles.mkdir()
        (profiles / "pit_dau.yaml").write_text(
            yaml.safe_dump(profile.model_dump(mode="json") | {"name": "pit_dau"})
        )
        port = free_port()
        site_file = tmp_path / "site.yaml"
        site_file.write_text(CRASH_SITE.format(port=port) + "profiles_dir: profiles\n")
        return cls(profile, site_file, tmp_path / "state", port)

    @property
    def mmap(self) -> ModbusMap:
        assert self.profile.modbus is not None
        return self.profile.modbus

    async def start(self) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "sitegw.cli",
            "run",
            str(self.site_file),
            "--state-dir",
            str(self.state),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )


async def test_a_gateway_killed_mid_upload_loses_nothing_and_stores_nothing_twice(
    site: LoadedSite, tmp_path: Path
) -> None:
    # the shipped profile, its window smaller so that the upload is still going when the gateway is killed
    records, gw = 3_000, SiteGateway.made(site, tmp_path, window=100)
    last_ts = float(int(time.time()) - 1)  # whole seconds, as the records carry their times
    store = RecordStore(gw.mmap, records, steady_records(len(CHANNELS), last_ts, EVERY_S, records))
    async with ModbusSimulatorServer([SimUnit(1, gw.mmap, dict, store)], tcp=("127.0.0.1", gw.port)):
        first = await gw.start()
        await wait_until(lambda: len(store.acks) >= 3, 30, "the first gateway acknowledging windows")
        first.kill()  # SIGKILL right after an acknowledgement, the next window read or on its way to the store
        await first.wait()
        acked = store.acks[-1]
        assert acked < records, "the upload ended before the kill: nothing was tested"
        # every record the logger was told is stored is in the store's file: acknowledged after the commit
        assert all(n >= acked for n, _ in stored_records(gw.state / "history.sqlite", last_ts))
        second = await gw.start()
        try:
            await wait_until(lambda: store.pending == 0, 30, "the restarted gateway draining the rest")
        finally:
            second.terminate()
            await second.wait()
    # the window the first gateway had not acknowledged came again: stored once, every record there
    assert stored_records(gw.state / "history.sqlite", last_ts) == [(records, records)] * len(CHANNELS)


async def test_a_wall_past_its_alarm_value_in_the_backlog_is_told_as_history(
    site: LoadedSite, tmp_path: Path
) -> None:
    """The DAU lost its link; meanwhile the wall top moved past its 20 mm alarm value and back. Once the
    gateway reaches the logger again, the live registers read quiet, and the backlog tells what happened: an
    alert, marked backfill, at the times it happened, that rose to alarm and was resolved within the backlog."""
    gw = SiteGateway.made(site, tmp_path, window=20)
    ramp = [n * 0.5 for n in range(51)] + [25.0 - n * 0.5 for n in range(1, 51)]  # mm, 0 .. 25 .. 0
    last_ts = float(int(time.time()) - 5)  # whole seconds, as the records carry their times

    def record(seq: int) -> tuple[float, list[float | str]]:
        # the wall top ramps; the inclinometer, the strut and the water level stay as the live registers
        return last_ts - (len(ramp) - seq) * EVERY_S, [ramp[seq - 1], 0.0, 0.0, 0.0, 0.0]

    store = RecordStore(gw.mmap, len(ramp), record)
    async with ModbusSimulatorServer([SimUnit(1, gw.mmap, dict, store)], tcp=("127.0.0.1", gw.port)):
        running = await gw.start()
        try:
            await wait_until(lambda: store.pending == 0, 30, "the gateway uploading the backlog")
        finally:
            running.terminate()
            await running.wait()
    alerts = AlertStore(gw.state / "alerts.sqlite")
    try:
        [alert] = alerts.query(
            state=None, level=None, device="pit-1", rule="pit.cumulative", since=None, until=None, limit=10
        )
        told = alerts.history(alert.alert_id)
    finally:
        alerts.close()
    assert [(e.state, e.level, e.value) for e in told] == [
        ("firing", "warning", 14.0),
        ("updated", "alarm", 20.5),
        ("updated", "alarm", 25.0),  # its peak
        ("updated", "warning", 19.0),
        ("resolved", "warning", 13.0),
    ]
    assert all(e.backfill for e in told) and alert.point == "ZQS-01"
    warned = record(ramp.index(14.0) + 1)[0]
    assert told[0].ts == warned  # when the wall reached 70 % of its alarm value, not when the backlog came
    assert told[1].ts == record(ramp.index(20.5) + 1)[0]


async def test_an_acknowledgement_is_taken_as_written_only_when_the_logger_echoes_it() -> None:
    """FC16's answer (application protocol 6.12) echoes the start address and quantity; a raw device that
    answers with another address, or with exception 2, has not taken the acknowledgement."""
    answers = iter([bytes([16, 0x03, 0xEC, 0, 2]), bytes([16, 0x03, 0xED, 0, 2]), bytes([0x90, 2])])

    async def device(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while header := await reader.readexactly(7):
            tid, _, length, unit = struct.unpack(">HHHB", header)
            await reader.readexactly(length - 1)
            pdu = next(answers)
            writer.write(struct.pack(">HHHB", tid, 0, 1 + len(pdu), unit) + pdu)

    server = await asyncio.start_server(device, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    link = TcpLink(ModbusTcpTransport(host="127.0.0.1", port=port))
    try:
        await link.write(1004, [0, 120], 1, 1.0)  # echoed: 1004 (0x03EC), 2 registers
        with pytest.raises(LinkError, match="not the echo of a write of 2 from 1004"):
            await link.write(1004, [0, 120], 1, 1.0)
        with pytest.raises(LinkError, match=r"exception response 2 \(ILLEGAL DATA ADDRESS"):
            await link.write(1004, [0, 120], 1, 1.0)
    finally:
        await link.close()
        server.close()
