"""Issue #19: the edge box's clock jumping. The real `sitegw demo` (its devices read for real, its scripted
hazards raising alerts) delivers to the real `sitegw regulator serve` on PostgreSQL, whose clock is
right, while the gateway's wall clock jumps an hour forward (a dead RTC battery, a wrong NTP
server), then five minutes back, then back to the right time (NTP corrects it), ``JUMP_S`` seconds
in each state.

No test may set this machine's clock (it is shared), so the gateway runs under libfaketime (Debian's
``faketime``): the offset it reads from a file moves the process's wall clock (``time.time``) as a
step of the system clock would, and ``FAKETIME_DONT_FAKE_MONOTONIC`` leaves the monotonic clock
alone, as a step does. libfaketime 0.9.10 then fails Python's ``time.sleep`` (an absolute sleep on the
monotonic clock: EINVAL), so the launcher below makes ``time.sleep`` a wait on an Event, which
sleeps the same on a relative timeout; nothing else of the gateway changes.

Afterwards the test checks what a user would: alerts kept being raised in every state of the clock,
none claims a device fell silent that was not (an hour skipped is not an hour of silence: each silence
alarm is checked against the device's readings in the local store, on the true clock), every event `sitegw events` lists is stored at the regulator exactly once, none
dead-lettered, and the regulator kept hearing from the site (issue 57): its last-seen time, which the
heartbeats move on, never fell further behind the regulator's clock than a heartbeat's period allows, and
the regulator refused at most the one heartbeat signed by each jumped clock before the gateway took the
regulator's time.
"""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from plumbing.sqlite import sqlite3
from regulator.storage.repository import Repository
from tests.e2e.test_gateway_kill import PROJECT, REPO, SECRET, gateway_events, start_receiver
from tests.faults.conftest import FaultRow
from tests.faults.test_regulator_faults import kill_left, stored_ids, wait_all_stored, wait_for
from tests.gateway.test_backup import outbox
from tests.regulator.support import pg_database
from tests.support import STARTUP_S, free_port

# the demo's heartbeat period (RegulatorUplink.heartbeat_s), the regulator's last-seen write interval
# (regulator/storage/nonces.py) and a loaded box's slack: the most the site's last-seen time may lag
HEARTBEAT_S, SEEN_EVERY_S, SLACK_S = 60.0, 10.0, 30.0
LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
JUMP_S = float(os.environ.get("SITEGW_CLOCK_JUMP_S", "45"))
LAUNCH = "import threading, time\ntime.sleep = lambda s: threading.Event().wait(s) and None\n"
LAUNCH += "from sitegw.cli import main\nmain()\n"
SILENCE_RULES = ("device.offline", "formwork.silent")
STATES = [("+3600", "an hour ahead"), ("+3300", "five minutes back"), ("+0", "corrected")]


@contextmanager
def last_seen_lags(db: str) -> Iterator[list[float]]:
    """How far the project's last-seen time lags the regulator's clock (this machine's, never faked), every
    2 s from the first heartbeat on while the block runs."""
    lags: list[float] = []
    done = threading.Event()
    repo = Repository(db)

    def watch() -> None:
        while not done.wait(2):
            project = repo.project(PROJECT)
            if project is not None and project.last_seen_at is not None:
                lags.append(time.time() - project.last_seen_at)

    watcher = threading.Thread(target=watch, name="last-seen", daemon=True)
    watcher.start()
    try:
        yield lags
    finally:
        done.set()
        watcher.join(30)


def set_offset(path: Path, offset: str, since: list[tuple[float, float]] | None = None) -> None:
    """Move the gateway's wall clock to ``offset`` seconds from the true time (read within a second); noted
    in ``since`` as (the true time, the offset)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(offset + "\n")
    os.replace(tmp, path)
    if since is not None:
        since.append((time.time(), float(offset)))


def true_time(ts: float, since: list[tuple[float, float]], end: float) -> float | None:
    """The true time of ``ts``, stamped by the gateway's jumping clock: ``ts`` less the offset in force then
    (``since``, as set_offset noted it, until ``end``; a second's slack either side, the time the gateway
    takes to read the file). The offsets are hundreds of seconds apart, so at most one fits."""
    ends = [t for t, _ in since[1:]] + [end]
    for (start, offset), stop in zip(since, ends, strict=True):
        if start - 2 <= ts - offset <= stop + 2:
            return ts - offset
    return None


def readings_at(state: Path, device: str) -> list[int]:
    """The stamps (ms, the gateway's clock) of ``device``'s readings in the local store."""
    with sqlite3.connect(f"file:{state / 'history.sqlite'}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT DISTINCT r.ts FROM readings r JOIN series s ON s.id = r.series_id WHERE s.device = ?",
            (device,),
        ).fetchall()
    return [ts for (ts,) in rows]


def false_silences(
    state: Path, recorded: list[dict], since: list[tuple[float, float]], end: float
) -> list[tuple[str, str, float]]:
    """The silence alarms that the readings belie: a device.offline fires once its limit (its value, seconds)
    passed without a reading, so on the true clock the device's readings in the local store around the alarm's
    instant must lie at least that far apart (half a second spared: the step's measure), none before or after
    counting as a silence; and any formwork.silent (the demo's formwork reports every 30 s). A gateway stalled
    by a loaded box (no poll for 3.6 s, pure Python at load 15 on 2 cores) raises a true device.offline (a
    reading in flight then may be judged after the step: the alarm's span can start a reading early); a clock
    step taken for a silence raises one while the readings went on a second apart."""
    false = []
    for e in recorded:
        if e["rule"] not in SILENCE_RULES or e["state"] != "firing":
            continue
        at = true_time(e["ts"], since, end)
        if e["rule"] == "device.offline" and at is not None:
            stamps = [t for ms in readings_at(state, e["device"]) if (t := true_time(ms / 1000, since, end))]
            before = max((t for t in stamps if t <= at), default=-math.inf)
            after = min((t for t in stamps if t > at), default=math.inf)
            if after - before >= e["value"] - 0.5:
                continue  # silent for real around the alarm's instant
        false.append((e["device"], e["level"], e["value"]))
    return false


def tracebacks(text: str) -> list[str]:
    """The log's records that carry a Traceback, but the demo's embedded broker's (amqtt) own record of a QoS 1
    message the gateway did not acknowledge within its 5 s (the demo's one process stalled that long at load 25
    on 2 cores: the broker's wait, not the gateway failing; the clock test's broker is the demo's alone)."""
    records = re.split(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} )", text)
    puback = re.compile(r"TimeoutError: Timeout waiting for PUBACK for packet ID \d+\s*$")
    return [
        r for r in records if "Traceback" in r and not (" ERROR amqtt.broker: " in r and puback.search(r))
    ]


@pytest.mark.slow
@pytest.mark.timeout(JUMP_S * 3 + 2 * STARTUP_S + 900)
def test_a_jumping_clock_loses_and_repeats_nothing(tmp_path: Path, fault_table: list[FaultRow]) -> None:
    if not LIBFAKETIME.exists():
        pytest.skip("libfaketime is not installed: run scripts/setup-test-env.sh")
    state, offset_file, port = tmp_path / "state", tmp_path / "offset", free_port()
    offsets: list[tuple[float, float]] = []
    set_offset(offset_file, "+0", offsets)
    env = os.environ | {
        "LD_PRELOAD": str(LIBFAKETIME),
        "FAKETIME_TIMESTAMP_FILE": str(offset_file),
        "FAKETIME_CACHE_DURATION": "1",
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
    }
    with pg_database() as db:
        add = [sys.executable, "-m", "sitegw.cli", "regulator", "add-project", PROJECT, "--name", "demo"]
        subprocess.run(
            [*add, "--city", "深圳", "--secret", SECRET, "--db", db], cwd=REPO, check=True, timeout=60
        )
        receiver = start_receiver(db, port, tmp_path / "evidence")
        argv = [sys.executable, "-c", LAUNCH, "--log-level", "WARNING", "demo", "--port", "0"]
        argv += ["--no-cameras", "--state-dir", str(state), "--duration", "3600"]
        argv += ["--regulator-url", f"http://127.0.0.1:{port}", "--regulator-secret", SECRET]
        log = tmp_path / "gateway.log"
        with open(log, "wb") as out:
            gateway = subprocess.Popen(argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        raised: dict[str, int] = {}
        try:
            with last_seen_lags(db) as lags:
                wait_for(lambda: len(stored_ids(db)) > 0, "the first delivery before the jumps", STARTUP_S)
                for offset, name in STATES:
                    before = len(outbox(state))
                    set_offset(offset_file, offset, offsets)
                    time.sleep(JUMP_S)
                    # the scripted hazards come at their own times: each state lasts until one was raised in it
                    wait_for(lambda: len(outbox(state)) > before, f"an event with the clock {name}", 120)  # noqa: B023
                    raised[name] = len(outbox(state)) - before
                recover_s = wait_all_stored(
                    state, db, "the regulator holding every event once the clock is right"
                )
            gateway.send_signal(signal.SIGINT)
            gateway.wait(120)
        finally:
            kill_left(gateway, receiver)
        ended = time.time()
        recorded = gateway_events(state)
        ids = stored_ids(db)
    states = {e["delivery"]["regulator"]["state"] for e in recorded}
    row = FaultRow(
        scenario="clock_jump",
        fault=f"wall clock +1 h, then -5 min, then right, {JUMP_S:.0f}+ s each",
        readings_lost=None,
        events_lost=len({e["event_id"] for e in recorded} - set(ids)),
        duplicates_stored=len(ids) - len(set(ids)),
        recover_s=round(recover_s, 1),
        events=len(recorded),
    )
    fault_table.append(row)
    text = log.read_text(errors="replace")
    assert gateway.returncode == 0, text[-3000:]
    assert not tracebacks(text), tracebacks(text)[:3]
    assert all(raised.values()), raised
    # a silence alarm the device's readings belie is the clock step taken for one
    silences = false_silences(state, recorded, offsets, ended)
    assert not silences, f"devices reported silent because the clock jumped: {silences}"
    assert (row.events_lost, row.duplicates_stored) == (0, 0), (row, states)
    assert states == {"delivered"}, states
    # the regulator never saw the site fall silent: its overview lists a site silent after minutes
    assert lags and max(lags) <= HEARTBEAT_S + SEEN_EVERY_S + SLACK_S, max(lags or [0.0])
    # a jump's first heartbeat may be signed with the jumped clock; the regulator's answer corrects the next
    refused = re.findall(r"heartbeat to \S+ refused: HTTP \d+", text)
    assert len(refused) <= len(STATES), refused
