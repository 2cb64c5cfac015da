"""Issue #19: the state folder's disk filling up. The real `sitegw demo` (its devices read for real, its
scripted hazards raising alerts, delivering to `sitegw regulator serve` on PostgreSQL) keeps its state on
a 20 MB tmpfs of its own; the test fills that filesystem to the last byte with a file of its own for
``DISK_FULL_S`` seconds, then deletes the file (space returns).

Checks what a user would: the gateway said so (a log line) and /metrics shows the free space and the
readings waiting in memory (bounded by ``store.max_held_readings``, tests/store), it kept running,
every SQLite store passes ``PRAGMA integrity_check``, and once space returned every event it recorded
is stored at the regulator once and every reading its drivers took is in the local store.

Mounting a tmpfs needs root (CAP_SYS_ADMIN); without it the test is skipped saying so.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_gateway_kill import PROJECT, REPO, SECRET, gateway_events, start_receiver
from tests.faults.conftest import FaultRow
from tests.faults.test_kill_loop import corrupt_stores
from tests.faults.test_regulator_faults import kill_left, stored_ids, wait_all_stored, wait_for
from tests.gateway.test_backup import outbox
from tests.regulator.support import pg_database
from tests.support import STARTUP_S, free_port

DISK_FULL_S = float(os.environ.get("SITEGW_FAULT_S", "30"))


@contextlib.contextmanager
def small_filesystem(path: Path, size: str = "20m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``path`` (skips the test where mounting is not allowed)."""
    path.mkdir(parents=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs for the state folder (needs root): {done.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(path: Path) -> int:
    """Write zeros to ``path`` until the filesystem refuses; the bytes written."""
    written = 0
    with open(path, "wb", buffering=0) as f:
        block = b"\0" * 65536
        while True:
            try:
                written += f.write(block)
            except OSError:
                if len(block) == 1:
                    break
                block = block[: len(block) // 2]
    return written


def metric(url: str, name: str) -> float | None:
    """One unlabelled value of the gateway's /metrics (None when absent)."""
    for line in httpx.get(url + "metrics", timeout=10).text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def rows(url: str) -> float:
    return metric(url, "sitegw_store_rows") or 0.0


@pytest.mark.slow
@pytest.mark.timeout(DISK_FULL_S + STARTUP_S + 900)
def test_a_full_disk_corrupts_and_loses_nothing(tmp_path: Path, fault_table: list[FaultRow]) -> None:
    port = free_port()
    with small_filesystem(tmp_path / "disk") as disk, pg_database() as db:
        state = disk / "state"
        add = [sys.executable, "-m", "sitegw.cli", "regulator", "add-project", PROJECT, "--name", "demo"]
        subprocess.run(
            [*add, "--city", "深圳", "--secret", SECRET, "--db", db], cwd=REPO, check=True, timeout=60
        )
        receiver = start_receiver(db, port, tmp_path / "evidence")
        argv = [sys.executable, "-m", "sitegw.cli", "--log-level", "WARNING", "demo", "--port", "0"]
        argv += ["--no-cameras", "--state-dir", str(state), "--duration", "3600"]
        argv += ["--summary-json", str(tmp_path / "summary.json")]
        argv += ["--regulator-url", f"http://127.0.0.1:{port}", "--regulator-secret", SECRET]
        log = tmp_path / "gateway.log"
        with open(log, "wb") as out:
            gateway = subprocess.Popen(argv, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: "Dashboard: " in log.read_text(errors="replace"), "the dashboard", STARTUP_S)
            url = log.read_text(errors="replace").split("Dashboard: ", 1)[1].split()[0]
            wait_for(lambda: len(stored_ids(db)) > 0, "the first delivery before the disk fills", 120)
            before = len(outbox(state))
            filler = disk / "filler"
            filled = fill(filler)
            full_at = time.monotonic()
            time.sleep(DISK_FULL_S)
            # the scripted hazards come at their own times: the disk stays full until one was raised
            wait_for(lambda: len(outbox(state)) > before, "an event while the disk is full", 120)
            assert gateway.poll() is None, log.read_text(errors="replace")[-3000:]
            free_metric = metric(url, "sitegw_state_disk_free_bytes")
            full_metric = metric(url, "sitegw_state_disk_full")
            full_rows = rows(url)
            held = metric(url, "sitegw_store_pending")  # the readings waiting in memory, within the cap
            filler.unlink()
            freed_at = time.monotonic()
            recover_s = wait_all_stored(state, db, "the regulator holding every event after space returned")
            wait_for(lambda: rows(url) > full_rows, "readings stored again", 60)
            gateway.send_signal(signal.SIGINT)
            gateway.wait(120)
        finally:
            kill_left(gateway, receiver)
        recorded = gateway_events(state)
        ids = stored_ids(db)
        corrupt = corrupt_stores(state)
    text = log.read_text(errors="replace")
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    row = FaultRow(
        scenario="disk_full",
        fault=f"state tmpfs (20 MB) filled to the last byte ({filled} bytes) for {freed_at - full_at:.0f} s, "
        f"{held:.0f} readings held in memory then, {summary['store']['dropped']} dropped past the cap",
        # every reading the drivers took is in the store (held in memory while the disk was full)
        readings_lost=summary["readings_total"] - summary["store"]["rows"] - summary["store"]["duplicates"],
        events_lost=len({e["event_id"] for e in recorded} - set(ids)),
        duplicates_stored=len(ids) - len(set(ids)),
        recover_s=round(recover_s, 1),
        events=len(recorded),
    )
    fault_table.append(row)
    assert not corrupt, corrupt
    assert (row.readings_lost, row.events_lost, row.duplicates_stored) == (0, 0, 0), row
    assert gateway.returncode == 0, text[-3000:]
    # said early (10 % free), and that it is full; /metrics shows it
    assert "MB free of" in text and "is full" in text, text[-3000:]
    assert (full_metric, free_metric is not None) == (1.0, True), (full_metric, free_metric)
    # readings waited in memory (the demo's rate is far below store.max_held_readings: none dropped)
    assert held and held > 0 and summary["store"]["dropped"] == 0, (held, summary["store"])
