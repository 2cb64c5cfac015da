"""The InfluxDB sink over the v2 API (``/api/v2/write`` with a token).

No InfluxDB 2.x or 3.x server can be installed here (no Debian package, no Docker engine), so a
real VictoriaMetrics, which accepts the v2 write API, stands in for it; VictoriaMetrics accepts
malformed lines with 204, so the refusal paths are tested on InfluxDB 1.6.7 (test_influx_v1.py).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from contract.config.sinks import InfluxConfig
from contract.readings import Reading
from gateway.store.influx import InfluxSink
from gateway.store.influx_writers import WriteResult, make_writer
from tests.servers.influx import VictoriaMetrics
from tests.store.support import until

T0 = 1_790_000_000.0
KINDS = {"crane-1": "crane", "pit-1": "pit"}


def config(server: VictoriaMetrics, **kw: object) -> InfluxConfig:
    return InfluxConfig(
        url=server.url,
        api="v2",
        org="site",
        bucket="site",
        token="t",
        flush_interval_s=0.05,
        timeout_s=2,
        **kw,
    )


def samples(server: VictoriaMetrics, name: str, expect: int) -> list[tuple[int, float, dict[str, str]]]:
    """(ms, value, labels) of every sample of ``name``, in time order."""
    out = []
    for line in server.export(name, expect=expect):
        labels = {k: v for k, v in line["metric"].items() if k != "__name__"}
        out += [(t, v, labels) for t, v in zip(line["timestamps"], line["values"], strict=True)]
    return sorted(out, key=lambda s: s[0])


async def test_v2_writes_arrive_with_tags_and_ms_times(victoria: VictoriaMetrics, tmp_path: Path) -> None:
    sink = InfluxSink(config(victoria), tmp_path, KINDS)
    await sink.start()
    sink.add(
        [
            Reading(T0 + i + 0.25, "GD-1", "pit-1", "disp_h_mm", i * 0.5, "mm", point="ZQS-01")
            for i in range(20)
        ]
    )
    await sink.stop()
    got = samples(victoria, "pit_disp_h_mm", expect=20)
    assert [(t, v) for t, v, _ in got] == [(int(T0 + i) * 1000 + 250, i * 0.5) for i in range(20)]
    assert got[0][2] == {"device": "pit-1", "point": "ZQS-01", "project": "GD-1"}
    assert sink.stats().points_written == 20


async def test_v2_outage_is_spooled_and_replayed_as_backfill(
    victoria: VictoriaMetrics, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sink = InfluxSink(config(victoria, batch_size=25), tmp_path, KINDS, retry_max_s=0.2)
    await sink.start()
    sink.add([Reading(T0 + i, "GD-1", "crane-1", "wind_ms", float(i), "m/s") for i in range(5)])
    await until(lambda: sink.stats().points_written == 5)
    victoria.stop()
    with caplog.at_level(logging.WARNING):
        sink.add([Reading(T0 + i, "GD-1", "crane-1", "wind_ms", float(i), "m/s") for i in range(5, 105)])
        await until(lambda: sink.stats().spool_points == 100)
    assert any("cannot take writes" in r.message for r in caplog.records)
    victoria.start()
    await until(lambda: sink.stats().spool_points == 0)
    await sink.stop()
    got = samples(victoria, "crane_wind_ms", expect=105)
    assert [v for _, v, _ in got] == [float(i) for i in range(105)]
    assert all(labels == {"device": "crane-1", "project": "GD-1"} for _, _, labels in got)
    late = samples(victoria, "crane_backfill", expect=100)  # the backfill field, true stored as 1
    assert [(t, v) for t, v, _ in late] == [(int(T0 + i) * 1000, 1.0) for i in range(5, 105)]


class CountingWriter:
    """The real writer, noting how many lines each write carried."""

    def __init__(self, cfg: InfluxConfig) -> None:
        self.real = make_writer(cfg)
        self.lines: list[int] = []

    async def write(self, body: bytes) -> WriteResult:
        self.lines.append(body.count(b"\n"))
        return await self.real.write(body)

    async def close(self) -> None:
        await self.real.close()


async def test_a_burst_of_pit_messages_is_written_in_writes_of_batch_size_lines(
    victoria: VictoriaMetrics, tmp_path: Path
) -> None:
    """batch_size counts lines (points), not readings: a pit point's message of seven values is one line,
    so 1,000 messages at batch_size 100 take about ten writes, not seventy."""
    cfg = config(victoria, batch_size=100).model_copy(update={"flush_interval_s": 5.0})  # by size, not time
    writer = CountingWriter(cfg)
    sink = InfluxSink(cfg, tmp_path, KINDS, writer=writer)
    await sink.start()
    metrics = ["disp_h_mm", "disp_v_mm", "settle_mm", "incl_mm", "axial_kn", "anchor_kn", "water_level_m"]
    for i in range(1000):  # one bus batch per message, as the MQTT driver hands them over at a lull
        sink.add([Reading(T0 + i, "GD-1", "pit-1", m, float(i), "mm", point="ZQS-01") for m in metrics])
    await sink.stop()
    # the first write is smaller: the sink learns a line's width from it (200 readings, 29 lines, the
    # last of them 4 values of a message whose other 3 are a line of the next write: the same point)
    assert writer.lines[0] == 29 and max(writer.lines) == 100
    assert sum(writer.lines) == 1001 == sink.stats().points_written
    assert len(writer.lines) == 11, writer.lines
    got = samples(victoria, "pit_water_level_m", expect=1000)
    assert [v for _, v, _ in got] == [float(i) for i in range(1000)]
