"""A data logger's backlog uploaded over Modbus TCP: the gateway drains its record store into the local store.

A pit DAU back from an outage holds ``--records`` records (five channels each, 10 s apart, closer for a backlog
that would otherwise reach past the local store's 35-day retention and be trimmed as it is stored) in its record store
(the ``modbus.history`` block of kinds/pit/profiles/pit_dau.yaml), served by ``sitegw simulate logger``, a real
pymodbus server in its own process. The gateway, built as `sitegw run` builds it (the console script's module
imported, the API served, the regulator extra's packages missing as on an edge box: bench/ingest_pipeline.py),
in a process of its own, polls the DAU's live registers and uploads the backlog a window at a time: read while
its stores have room, committed to the local store, then acknowledged. Timed from the gateway's start until the
logger says nothing is pending. Every record goes through the rules as backfill; the pit's judge
(kinds/pit/judge.py) keeps those older than its last judged reading (the DAU's first live poll) unjudged, so that
late readings do not corrupt its rates.

Peak RSS is the gateway process's VmHWM, interpreter and imports included, within its budget
(bench/memory_budget.py: 128 MB at most whatever the backlog's size, the gateway holding one window of it at a
time). Then the local store's file is read: each channel must hold one row per record, each record's time once
(goal: 0 lost, 0 duplicates).

Run: .venv/bin/python bench/logger_backlog.py [--records 150000]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from plumbing.sqlite import sqlite3

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import memory_budget
from bench.ingest_pipeline import parse_output, rss_mb, until  # the edge box's imports, as its gateway has
from bench.load import watched
from contract.config.loader import load_site
from contract.config.sinks import ApiConfig
from contract.readings import Quality
from drivers.modbus.driver import ModbusDriver
from gateway.store.local_schema import QUALITY_CODES
from sitegw.runtime import Gateway
from tests.support import free_port, wait_port

RECORDS = 150_000
CHANNELS = 5  # the channels of pit_dau's record store
EVERY_S = 10.0  # a DAU's logging interval
SPAN_S = (
    30 * 86_400
)  # the backlog spans at most this: within the local store's retention (35 days by default)
SITE = """\
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
      struts: true
      excavation_depth_m: 12
      points:
        - {{code: ZQS-01, kind: wall_top}}
        - {{code: ZQS-02, kind: wall_top}}
        - {{code: ZQS-03, kind: wall_top}}
        - {{code: ZQS-04, kind: wall_top}}
        - {{code: ZQS-05, kind: wall_top}}
        - {{code: ZQS-06, kind: wall_top}}
        - {{code: ZQS-07, kind: wall_top}}
        - {{code: ZQS-08, kind: wall_top}}
        - {{code: CX-01, kind: inclinometer, depth_m: 8}}
        - {{code: CX-02, kind: inclinometer, depth_m: 8}}
        - {{code: ZL-01, kind: strut, capacity_kn: 4000}}
        - {{code: ZL-02, kind: strut, capacity_kn: 4000}}
        - {{code: SW-01, kind: water_level}}
"""


async def drain(gw: Gateway, records: int) -> float:
    """Seconds from the gateway's start until the logger has no record pending and all of them are acknowledged."""
    driver = next(d for d in gw.drivers if isinstance(d, ModbusDriver))
    history = driver.histories[0].stats
    start = time.perf_counter()
    await gw.start()
    # the simulated logger numbers its records 1..records: the last one acknowledged is the backlog drained
    await until(lambda: history.last_ack == records, lambda: f"{history.records} records acknowledged")
    elapsed = time.perf_counter() - start
    await gw.stop()
    return elapsed


def one(args: argparse.Namespace) -> None:
    """The gateway's process: drain the backlog, print its rate and peak memory."""
    state = Path(args.state)
    gw = Gateway(load_site(state.parent / "site.yaml"), state, api=ApiConfig(port=0))
    elapsed = asyncio.run(drain(gw, args.records))
    print(f"logger_backlog_records_per_s: {args.records / elapsed:.0f} records/s")
    print(f"logger_backlog_readings_per_s: {args.records * CHANNELS / elapsed:.0f} readings/s")
    print(f"logger_backlog_drain_time: {elapsed:.1f} s")
    print(f"logger_backlog_peak_rss: {rss_mb('VmHWM'):.0f} MB")


def stored(path: Path) -> tuple[int, int, int]:
    """The backlog's rows in the local store (backfill, or fault where the rules judged a value broken: the
    simulator's values ramp past the sensors' ranges; the live poll's are ok), distinct (series, ts) among
    them, and the readings it dropped as already stored (a window sent again)."""
    backlog = (QUALITY_CODES[Quality.BACKFILL], QUALITY_CODES[Quality.FAULT])
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        rows, distinct = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT series_id || '/' || ts) FROM readings WHERE quality IN (?, ?)",
            backlog,
        ).fetchone()
        resent = conn.execute("SELECT value FROM meta WHERE key = 'duplicates'").fetchone()[0]
    return rows, distinct, resent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--records", type=int, default=RECORDS, help="records in the backlog (default %(default)s)"
    )
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # the gateway's process
    parser.add_argument("--state", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        (Path(tmp) / "site.yaml").write_text(SITE.format(port=port))
        state = Path(tmp) / "state"
        logger = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sitegw.cli",
                "simulate",
                "logger",
                "--records",
                str(args.records),
                "--every-s",
                str(min(EVERY_S, SPAN_S / args.records)),
                "--tcp",
                f"127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_port(port)
            argv = [sys.executable, __file__, "--one", "--records", str(args.records), "--state", str(state)]
            out = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True).stdout
        finally:
            logger.terminate()
            logger.wait(10)
        sys.stdout.write(out)
        rows, distinct, resent = stored(state / "history.sqlite")
    expected = args.records * CHANNELS
    print(f"logger_backlog_readings: {expected} readings ({rows} stored, {resent} sent again)")
    print(f"logger_backlog_lost: {expected - distinct} readings")
    print(f"logger_backlog_duplicates: {rows - distinct} readings")
    if distinct != expected or rows != distinct:
        sys.exit("logger_backlog: readings were lost or stored twice (the lines above)")
    over = memory_budget.verdict("logger_backlog_peak_rss", parse_output(out)["logger_backlog_peak_rss"])
    if over is not None:
        sys.exit(f"logger_backlog: {over}")


if __name__ == "__main__":
    with watched():
        main()
