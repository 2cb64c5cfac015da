"""The InfluxDB sink over the v1 ``/write`` API, against a real InfluxDB 1.6.7 it starts and stops.

Covers the happy path, the server's refusals (unknown database 404, a field-type conflict 400)
going to the dead letters, an outage spooled to disk and replayed in order, and a sink restarted
with a full spool.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from contract.config.sinks import InfluxConfig
from contract.readings import Quality, Reading
from gateway.store.influx import InfluxSink
from gateway.store.influx_writers import Outcome, verdict
from tests.faults.influx_relay import RefusingInflux, point_key
from tests.servers.influx import InfluxDB1
from tests.store.support import until
from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]
T0 = 1_790_000_000.0
KINDS = {"crane-1": "crane", "pit-1": "pit"}


def config(server: InfluxDB1, database: str = "site", **kw: object) -> InfluxConfig:
    settings: dict[str, object] = {"flush_interval_s": 0.05, "timeout_s": 2} | kw
    return InfluxConfig(url=server.url, api="v1", database=database, **settings)


def loads(first: int, count: int) -> list[Reading]:
    """Crane readings one second apart, load_t = the reading's number."""
    return [Reading(T0 + i, "GD-1", "crane-1", "load_t", float(i), "t") for i in range(first, first + count)]


def load_rows(server: InfluxDB1) -> list[tuple[int, float, bool | None]]:
    """(time, load_t, backfill field) of every stored crane point, in time order."""
    series = server.query("site", "SELECT load_t, backfill FROM crane")
    return [(t, v, backfill) for t, v, backfill in series[0]["values"]] if series else []


async def test_readings_arrive_with_schema_and_ms_times(influxdb1: InfluxDB1, tmp_path: Path) -> None:
    sink = InfluxSink(config(influxdb1), tmp_path, KINDS)
    await sink.start()
    sink.add(
        [
            Reading(T0 + 0.001, "GD-1", "crane-1", "load_t", 3.25, "t"),
            Reading(T0 + 0.001, "GD-1", "crane-1", "operator_id", "OP-7"),
            Reading(T0 + 0.5, "GD-1", "pit-1", "disp_h_mm", 21.0, "mm", Quality.FAULT, "ZQS-01"),
        ]
    )
    await sink.stop()
    crane = influxdb1.query("site", "SELECT * FROM crane GROUP BY *")
    assert crane == [
        {
            "name": "crane",
            "tags": {"device": "crane-1", "project": "GD-1"},
            "columns": ["time", "load_t", "operator_id"],
            "values": [[1790000000001, 3.25, "OP-7"]],
        }
    ]
    pit = influxdb1.query("site", "SELECT * FROM pit GROUP BY *")
    assert pit[0]["tags"] == {"device": "pit-1", "point": "ZQS-01", "project": "GD-1", "quality": "fault"}
    stats = sink.stats()
    assert (stats.points_written, stats.spool_points, stats.batches_failed) == (2, 0, 0)


async def test_unknown_database_goes_to_dead_letters_with_the_servers_message(
    influxdb1: InfluxDB1, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sink = InfluxSink(config(influxdb1, database="nope"), tmp_path, KINDS)
    await sink.start()
    with caplog.at_level(logging.ERROR):
        sink.add(loads(0, 3))
        await sink.stop()
    stats = sink.stats()
    assert (stats.batches_rejected, stats.points_rejected, stats.spool_points) == (1, 3, 0)
    assert 'database not found: "nope"' in stats.last_error
    dead = (tmp_path / "deadletter" / "deadletter.lp").read_text()
    assert 'HTTP 404: database not found: "nope"' in dead.splitlines()[0]
    assert dead.splitlines()[1:] == [
        f"crane,device=crane-1,project=GD-1 load_t={i}.0 {int(T0 + i) * 1000}" for i in range(3)
    ]
    assert any(
        "refused a batch of 3 points: HTTP 404" in r.message and "Sample line: crane," in r.message
        for r in caplog.records
    )


async def test_a_bad_line_400_is_kept_once_and_later_batches_still_flow(
    influxdb1: InfluxDB1, tmp_path: Path
) -> None:
    """A profile that turns a numeric metric into text makes InfluxDB refuse the field (type conflict)."""
    sink = InfluxSink(config(influxdb1), tmp_path, KINDS)
    await sink.start()
    sink.add(loads(0, 1))
    await until(lambda: sink.stats().points_written == 1)
    sink.add([Reading(T0 + 5, "GD-1", "crane-1", "load_t", "heavy")])
    await until(lambda: sink.stats().batches_rejected == 1)
    sink.add(loads(10, 2))
    await sink.stop()
    stats = sink.stats()
    assert (stats.points_written, stats.points_rejected, stats.spool_points) == (3, 1, 0)
    assert "field type conflict" in stats.last_error
    assert [v for _, v, _ in load_rows(influxdb1)] == [0.0, 10.0, 11.0]


async def test_one_refused_line_keeps_no_other_point_of_its_batch_out(
    influxdb1: InfluxDB1, tmp_path: Path
) -> None:
    """A server that refuses a whole batch for one line (InfluxDB OSS 2.x, played by the relay in front
    of the real 1.6.7): the batch is split, its other 99 points are written in order and the bad one
    alone goes to the dead letters, for a batch from the spool and for one written as it comes."""
    with RefusingInflux(free_port(), influxdb1.url) as relay:
        url = f"http://127.0.0.1:{relay.port}"
        cfg = InfluxConfig(url=url, api="v1", database="site", flush_interval_s=0.05, batch_size=1000)
        sink = InfluxSink(cfg, tmp_path, KINDS, retry_max_s=0.2)
        await sink.start()
        influxdb1.stop()
        sink.add(loads(0, 100))
        await until(lambda: sink.stats().spool_points == 100)
        relay.arm("crane")  # the spooled batch's first line becomes the bad point
        influxdb1.start()
        await until(lambda: sink.stats().spool_points == 0)
        first_bad = relay.bad
        relay.arm("crane")  # and then the first line of the next batch
        sink.add(loads(100, 100))
        await until(lambda: sink.stats().points_written == 198)
        await sink.stop()
    stats = sink.stats()
    assert (stats.points_rejected, stats.batches_rejected) == (2, 2)
    assert [v for _, v, _ in load_rows(influxdb1)] == [float(i) for i in range(200) if i % 100]
    dead = (tmp_path / "deadletter" / "deadletter.lp").read_bytes().splitlines()
    assert [point_key(line) for line in dead if not line.startswith(b"#")] == [first_bad, relay.bad]


async def test_an_outage_is_spooled_then_replayed_in_order_marked_backfill(
    influxdb1: InfluxDB1, tmp_path: Path
) -> None:
    sink = InfluxSink(config(influxdb1, batch_size=50), tmp_path, KINDS, retry_max_s=0.2)
    await sink.start()
    sink.add(loads(0, 10))
    await until(lambda: sink.stats().points_written == 10)

    influxdb1.stop()
    for k in range(10):  # 400 points while the server is away, in many batches
        sink.add(loads(10 + k * 40, 40))
        await asyncio.sleep(0.02)
    # a correction of an earlier point, later in the outage: replayed in order, it must win
    sink.add([Reading(T0 + 15, "GD-1", "crane-1", "load_t", 15.5, "t")])
    await until(lambda: sink.stats().spool_points == 401 and sink.stats().buffered_readings == 0)
    stats = sink.stats()
    assert stats.batches_failed >= 1 and stats.last_error
    assert len(list((tmp_path / "spool").glob("*.lp"))) > 1

    influxdb1.start()
    await until(lambda: sink.stats().spool_points == 0)
    await sink.stop()
    rows = load_rows(influxdb1)
    assert [t for t, _, _ in rows] == [int(T0 + i) * 1000 for i in range(410)]
    assert [v for _, v, _ in rows] == [15.5 if i == 15 else float(i) for i in range(410)]
    assert {b for _, _, b in rows[:10]} == {None}
    assert {b for _, _, b in rows[10:]} == {True}
    assert not list((tmp_path / "spool").glob("*.lp"))


async def test_a_restarted_sink_replays_the_spool_it_left(influxdb1: InfluxDB1, tmp_path: Path) -> None:
    influxdb1.stop()
    first = InfluxSink(config(influxdb1), tmp_path, KINDS, retry_max_s=0.2)
    await first.start()
    first.add(loads(0, 30))
    await first.stop()  # the server is away: what was added must be on disk now
    assert first.stats().spool_points == 30

    influxdb1.start()
    second = InfluxSink(config(influxdb1), tmp_path, KINDS)
    await second.start()
    assert second.stats().spool_points == 30
    await until(lambda: second.stats().spool_points == 0)
    second.add(loads(30, 5))  # the backlog is gone: fresh readings are written as they are
    await second.stop()
    rows = load_rows(influxdb1)
    assert [v for _, v, _ in rows] == [float(i) for i in range(35)]
    assert [b for _, _, b in rows] == [True] * 30 + [None] * 5


async def test_a_frozen_server_times_out_into_the_spool(influxdb1: InfluxDB1, tmp_path: Path) -> None:
    """SIGSTOP: the kernel still accepts the connection but no answer comes (a hung server)."""
    assert influxdb1.process is not None
    sink = InfluxSink(config(influxdb1, timeout_s=0.3), tmp_path, KINDS, retry_max_s=0.2)
    await sink.start()
    os.kill(influxdb1.process.pid, signal.SIGSTOP)
    try:
        sink.add(loads(0, 20))
        await until(lambda: sink.stats().spool_points == 20)
        assert "Timeout" in sink.stats().last_error
    finally:
        os.kill(influxdb1.process.pid, signal.SIGCONT)
    await until(lambda: sink.stats().spool_points == 0)
    await sink.stop()
    # the timed-out write may have been stored after all: the replay overwrites, never doubles
    assert [v for _, v, _ in load_rows(influxdb1)] == [float(i) for i in range(20)]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (204, Outcome.WRITTEN),
        (0, Outcome.RETRY),
        (408, Outcome.RETRY),
        (429, Outcome.RETRY),
        (500, Outcome.RETRY),
        (503, Outcome.RETRY),
        (400, Outcome.REJECTED),
        (401, Outcome.REJECTED),
        (403, Outcome.REJECTED),
        (404, Outcome.REJECTED),
        (413, Outcome.REJECTED),
    ],
)
def test_which_answers_are_retried(status: int, outcome: Outcome) -> None:
    result = verdict(status, '{"error":"why"}')
    assert result.outcome is outcome
    assert result.message == ("" if outcome is Outcome.WRITTEN else "why")


async def test_the_spool_survives_sigkill(influxdb1: InfluxDB1, tmp_path: Path) -> None:
    influxdb1.stop()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.store.killed_sink", influxdb1.url, str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        spooled = 0
        assert proc.stdout is not None
        while spooled < 2000:
            line = await asyncio.to_thread(proc.stdout.readline)
            assert line, "the sink died on its own"
            spooled = int(line.split()[1])
        os.kill(proc.pid, signal.SIGKILL)  # while it keeps spooling
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)

    influxdb1.start()
    sink = InfluxSink(config(influxdb1), tmp_path, KINDS)
    await sink.start()
    await until(lambda: sink.stats().spool_points == 0)
    await sink.stop()
    values = [v for _, v, _ in load_rows(influxdb1)]
    assert len(values) >= spooled
    assert values == [float(i) for i in range(len(values))]  # a prefix, in order, nothing half-written
