"""Issue #19's InfluxDB faults, on the real processes: `sitegw demo` (its cranes, hoist, pit, formwork
and gate read for real) writes every reading to a real InfluxDB 1.6.7 over the v1 API while

- ``influx_down_then_back``: InfluxDB is stopped for ``SITEGW_FAULT_S`` seconds (10 in `make test`
  when asked for, 300 in `make faults`) and started again on the same port and data;
- ``influx_400_one_bad_point``: InfluxDB refuses one point, as InfluxDB OSS 2.x refuses a batch that
  holds a line it cannot take (tests/faults/influx_relay.py says why a relay plays that part).

Afterwards each checks what a user would: every reading in the gateway's local store is in InfluxDB,
series by series (device, point, metric), counted with InfluxQL; the one refused point is in the
dead letters and is the only one missing. The rows go to the fault table printed at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from plumbing.sqlite import sqlite3
from tests.faults.conftest import FaultRow
from tests.faults.influx_relay import RefusingInflux, point_key
from tests.faults.test_regulator_faults import wait_for
from tests.servers.influx import InfluxDB1
from tests.support import STARTUP_S, free_port

REPO = Path(__file__).resolve().parents[2]
FAULT_S = float(os.environ.get("SITEGW_FAULT_S", "10"))
DB = "site"

Series = tuple[str, str, str]  # device, point, metric


@contextmanager
def gateway(tmp_path: Path, influx_url: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`sitegw demo` writing to ``influx_url`` (v1, database ``site``), with its dashboard URL; its
    output goes to a file (a pipe nobody reads would stall it in a long fault)."""
    state = tmp_path / "state"
    log = tmp_path / "gateway.log"
    argv = [sys.executable, "-m", "sitegw.cli", "--log-level", "WARNING", "demo", "--port", "0"]
    argv += ["--no-cameras", "--duration", "3600", "--state-dir", str(state)]
    argv += ["--summary-json", str(tmp_path / "summary.json")]
    argv += ["--influx-url", influx_url, "--influx-api", "v1", "--influx-database", DB]
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "Dashboard: " in log.read_text(errors="replace"), "the demo's dashboard", STARTUP_S)
        text = log.read_text(errors="replace")
        yield proc, text.split("Dashboard: ", 1)[1].split()[0]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def stop(proc: subprocess.Popen[bytes], tmp_path: Path) -> dict[str, Any]:
    """Ctrl-C, as a user stops it: it writes what it holds, then its summary."""
    proc.send_signal(signal.SIGINT)
    proc.wait(120)
    assert proc.returncode == 0, (tmp_path / "gateway.log").read_text(errors="replace")[-3000:]
    return json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))


def metric(url: str, name: str) -> float:
    """One unlabelled value of the gateway's /metrics."""
    for line in httpx.get(url + "metrics", timeout=10).text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


def local_counts(state: Path) -> Counter[Series]:
    """Readings the gateway kept, per series: what its own history answers."""
    with sqlite3.connect(f"file:{state / 'history.sqlite'}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT s.device, s.point, s.metric, count(*) FROM readings r JOIN series s ON s.id = r.series_id"
            " WHERE r.value IS NOT NULL OR r.text IS NOT NULL GROUP BY s.id"
        ).fetchall()
    return Counter({(d, p, m): n for d, p, m, n in rows})


def influx_counts(server: InfluxDB1) -> Counter[Series]:
    """Values InfluxDB holds per series (its quality-tagged series summed, as the local store keeps one)."""
    counts: Counter[Series] = Counter()
    for series in server.query(DB, "SELECT count(*) FROM /.*/ GROUP BY *"):
        tags = series["tags"]
        for column, value in zip(series["columns"], series["values"][0], strict=True):
            if column.startswith("count_") and column != "count_backfill":
                counts[(tags["device"], tags.get("point", ""), column.removeprefix("count_"))] += value or 0
    return counts


def missing(local: Counter[Series], influx: Counter[Series]) -> Counter[Series]:
    """Readings in the local store that InfluxDB lacks, per series."""
    return Counter({s: n - influx[s] for s, n in local.items() if n > influx[s]})


@contextmanager
def influxdb(tmp_path: Path) -> Iterator[InfluxDB1]:
    server = InfluxDB1(tmp_path / "influxdb")
    if shutil.which(server.binary) is None:  # as the fixtures of tests/servers/influx.py: said, not failed
        pytest.skip(f"{server.binary} is not installed: run scripts/setup-test-env.sh")
    server.start()
    try:
        server.create_database(DB)
        yield server
    finally:
        server.stop()


@pytest.mark.slow
@pytest.mark.timeout(FAULT_S + STARTUP_S + 600)
def test_influx_down_then_back_loses_nothing(tmp_path: Path, fault_table: list[FaultRow]) -> None:
    with influxdb(tmp_path) as server, gateway(tmp_path, server.url) as (proc, url):
        wait_for(
            lambda: metric(url, "sitegw_influx_points_written_total") > 0, "the first points in InfluxDB", 90
        )
        server.stop()
        time.sleep(FAULT_S)
        spooled = metric(url, "sitegw_spool_depth")
        server.start()
        recover_s = wait_for(lambda: metric(url, "sitegw_spool_depth") == 0, "the spool replayed", 600)
        summary = stop(proc, tmp_path)
        local, influx = local_counts(tmp_path / "state"), influx_counts(server)
    lost = missing(local, influx)
    row = FaultRow(
        scenario="influx_down_then_back",
        fault=f"InfluxDB 1.6.7 stopped {FAULT_S:.0f} s, {spooled:.0f} points spooled",
        readings_lost=sum(lost.values()),
        events_lost=None,
        duplicates_stored=sum(max(0, n - local[s]) for s, n in influx.items()),
        recover_s=round(recover_s, 1),
        events=None,
    )
    fault_table.append(row)
    assert spooled > 0, "nothing waited in the spool: the outage proved nothing"
    assert not lost, f"readings kept locally but not in InfluxDB: {dict(lost)}"
    assert row.duplicates_stored == 0
    assert summary["store"]["rows"] + summary["store"]["duplicates"] == summary["readings_total"]
    assert summary["spool"]["spool_dropped_points"] == 0


@pytest.mark.slow
@pytest.mark.timeout(FAULT_S + STARTUP_S + 600)
def test_one_refused_point_blocks_and_loses_nothing_else(tmp_path: Path, fault_table: list[FaultRow]) -> None:
    with (
        influxdb(tmp_path) as server,
        RefusingInflux(free_port(), server.url) as relay,
        gateway(tmp_path, f"http://127.0.0.1:{relay.port}") as (proc, url),
    ):
        wait_for(
            lambda: metric(url, "sitegw_influx_points_written_total") > 0, "the first points in InfluxDB", 90
        )
        relay.arm("crane")
        wait_for(lambda: relay.refused_writes > 0, "a write holding the bad point", 60)
        refused_at = time.monotonic()
        time.sleep(min(FAULT_S, 30))  # later writes go on while the bad point is about
        wait_for(lambda: metric(url, "sitegw_spool_depth") == 0, "nothing waiting in the spool", 120)
        recover_s = time.monotonic() - refused_at - min(FAULT_S, 30)
        stop(proc, tmp_path)
        local, influx = local_counts(tmp_path / "state"), influx_counts(server)
    dead = (tmp_path / "state" / "influx-spool" / "deadletter" / "deadletter.lp").read_bytes()
    dead_lines = [line for line in dead.splitlines() if line and not line.startswith(b"#")]
    bad_fields = len(relay.bad_line.split(b" ")[-2].split(b","))  # a crane's line carries its metrics
    lost = missing(local, influx)
    row = FaultRow(
        scenario="influx_400_one_bad_point",
        fault=f"one crane point ({bad_fields} readings) refused with 400 in {relay.refused_writes} writes",
        readings_lost=sum(lost.values()) - bad_fields,
        events_lost=None,
        duplicates_stored=sum(max(0, n - local[s]) for s, n in influx.items()),
        recover_s=round(max(recover_s, 0.0), 1),
        events=None,
    )
    fault_table.append(row)
    # the refused point, and only it, is kept in the dead letters and missing from InfluxDB
    assert [point_key(line) for line in dead_lines] == [relay.bad], dead_lines[:5]
    assert row.readings_lost == 0, f"readings lost beside the bad point: {dict(lost)}"
    assert row.duplicates_stored == 0
