"""How fast readings go into the stores. Prints ``name: value unit`` lines.

- local store: readings/s from ``add`` until committed (fsynced) in SQLite, the cost of
  ``add`` itself, and the event loop's lag while the store takes 50,000 readings/s;
- InfluxDB sink: line-protocol encoding rate, and the rate ``add`` takes readings into its buffer;
- with ``SITEGW_BENCH_INFLUX_URL`` set (and ``SITEGW_BENCH_INFLUX_API`` v1 with
  ``SITEGW_BENCH_INFLUX_DB``, default ``bench``, or v2 with ``SITEGW_BENCH_INFLUX_BUCKET``), the
  rate at which the sink writes to that server.

Run: ``.venv/bin/python bench/store_ingest.py [--readings N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import watched
from contract.config.sinks import InfluxConfig, LocalStoreConfig
from contract.readings import Reading
from gateway.store.influx import InfluxSink
from gateway.store.lineproto import LineEncoder
from gateway.store.local import LocalStore

CRANE_METRICS = (
    "load_t",
    "radius_m",
    "height_m",
    "slew_deg",
    "wind_ms",
    "tilt_deg",
    "moment_pct",
    "rated_load_t",
)
KINDS = {f"crane-{c}": "crane" for c in range(10)} | {"pit-1": "pit"}


def site_batches(total: int, per_batch: int = 90) -> list[list[Reading]]:
    """Ten cranes reporting eight metrics and an operator id each tick, plus 20 pit points, as a
    driver publishes them: one batch per device poll."""
    t0 = time.time() - 3600
    batches: list[list[Reading]] = []
    made = tick = 0
    while made < total:
        ts = t0 + tick * 0.1
        for c in range(10):
            batch = [
                Reading(ts, "GD-SZ-2026-0001", f"crane-{c}", m, 1.5 + tick % 40 + k, "t")
                for k, m in enumerate(CRANE_METRICS)
            ]
            batch.append(Reading(ts, "GD-SZ-2026-0001", f"crane-{c}", "operator_id", "OP-0042"))
            batches.append(batch)
        batches.append(
            [
                Reading(ts, "GD-SZ-2026-0001", "pit-1", "disp_h_mm", 0.01 * tick, "mm", point=f"ZQS-{p:02d}")
                for p in range(20)
            ]
        )
        made += 10 * 9 + 20
        tick += 1
    return batches


def rss_mb() -> float:
    """Peak resident set size of this process."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_local(batches: list[list[Reading]]) -> None:
    count = sum(len(b) for b in batches)
    with tempfile.TemporaryDirectory() as tmp:
        store = LocalStore(Path(tmp) / "history.db", LocalStoreConfig())
        store.start()
        add_s = 0.0
        start = time.perf_counter()
        for batch in batches:
            t = time.perf_counter()
            store.add(batch)
            add_s += time.perf_counter() - t
        assert store.flush(600), "local store did not commit in time"
        elapsed = time.perf_counter() - start
        store.stop()
        counts = store.reader.counts()  # after the final checkpoint: the WAL is folded in
    print(f"local_store_ingest: {count / elapsed:.0f} readings/s")
    print(f"local_store_add_call: {add_s / len(batches) * 1e6:.2f} us/batch")
    print(f"local_store_bytes_per_reading: {counts.file_bytes / counts.rows:.1f} bytes")
    print(f"local_store_rss_peak: {rss_mb():.0f} MB")


def bench_loop_lag(batches: list[list[Reading]], rate: int = 50_000, seconds: float = 5.0) -> None:
    """Event-loop lag while the local store takes ``rate`` readings/s: what a driver or the API
    would feel. A ticker sleeps 10 ms and records how late it wakes."""

    async def run(store: LocalStore) -> list[float]:
        lags: list[float] = []
        stop = False

        async def ticker() -> None:
            loop = asyncio.get_running_loop()
            while not stop:
                t = loop.time()
                await asyncio.sleep(0.01)
                lags.append(loop.time() - t - 0.01)

        task = asyncio.create_task(ticker())
        flat = [r for b in batches for r in b]
        per_tick = rate // 10
        for k in range(int(seconds * 10)):
            start = (k * per_tick) % max(1, len(flat) - per_tick)
            if per_tick:
                store.add(flat[start : start + per_tick])
            await asyncio.sleep(0.1)
        stop = True
        await task
        return sorted(lags)

    with tempfile.TemporaryDirectory() as tmp:
        store = LocalStore(Path(tmp) / "history.db", LocalStoreConfig())
        store.start()
        lags = asyncio.run(run(store))
        store.flush(120)
        store.stop()
    print(f"local_store_loop_lag_p99_at_{rate}: {lags[int(len(lags) * 0.99)] * 1000:.2f} ms")
    print(f"local_store_loop_lag_max_at_{rate}: {lags[-1] * 1000:.2f} ms")


def bench_encode(batches: list[list[Reading]], batch_size: int = 5000) -> None:
    flat = [r for b in batches for r in b]
    encoder = LineEncoder(KINDS)
    start = time.perf_counter()
    lines = 0
    for i in range(0, len(flat), batch_size):
        lines += encoder.encode(flat[i : i + batch_size]).points
    elapsed = time.perf_counter() - start
    print(f"influx_encode: {len(flat) / elapsed:.0f} readings/s")
    print(f"influx_encode_lines: {lines / elapsed:.0f} lines/s")

    async def fill() -> float:
        cfg = InfluxConfig(
            url="http://127.0.0.1:9", api="v1", database="x", flush_interval_s=60, batch_size=100_000
        )
        with tempfile.TemporaryDirectory() as tmp:
            sink = InfluxSink(cfg, Path(tmp), KINDS)  # not started: only the buffer is measured
            t = time.perf_counter()
            for batch in batches:
                sink.add(batch)
            return time.perf_counter() - t

    print(f"influx_sink_add: {len(flat) / asyncio.run(fill()):.0f} readings/s")


def bench_server(batches: list[list[Reading]], url: str) -> None:
    api = os.environ.get("SITEGW_BENCH_INFLUX_API", "v1")
    cfg = InfluxConfig(
        url=url,
        api=api,  # type: ignore[arg-type]
        database=os.environ.get("SITEGW_BENCH_INFLUX_DB", "bench"),
        bucket=os.environ.get("SITEGW_BENCH_INFLUX_BUCKET", "bench"),
        org=os.environ.get("SITEGW_BENCH_INFLUX_ORG", ""),
        token=os.environ.get("SITEGW_BENCH_INFLUX_TOKEN", ""),
        flush_interval_s=0.2,
    )
    count = sum(len(b) for b in batches)

    async def run() -> tuple[float, int]:
        with tempfile.TemporaryDirectory() as tmp:
            sink = InfluxSink(cfg, Path(tmp), KINDS)
            await sink.start()
            start = time.perf_counter()
            for batch in batches:
                sink.add(batch)
            await sink.stop()
            stats = sink.stats()
            if stats.spool_points or stats.points_rejected:
                raise SystemExit(f"the server did not take every point: {stats}")
            return time.perf_counter() - start, stats.points_written

    elapsed, points = asyncio.run(run())
    print(f"influx_write_{api}: {count / elapsed:.0f} readings/s")
    print(f"influx_write_{api}_lines: {points / elapsed:.0f} lines/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=500_000, help="readings per measurement")
    args = parser.parse_args()
    batches = site_batches(args.readings)
    bench_local(batches)
    bench_loop_lag(batches, rate=0)  # the machine's own noise, to compare with
    bench_loop_lag(batches)
    bench_encode(batches)
    url = os.environ.get("SITEGW_BENCH_INFLUX_URL")
    if url:
        bench_server(batches, url)


if __name__ == "__main__":
    with watched():
        main()
