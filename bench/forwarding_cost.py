"""What forwarding costs a city, and how long a province back from an outage waits for everything (issue 50,
docs/regulator/chain.md). Prints ``name: value unit`` lines.

Real processes: a province's `sitegw regulator serve` (city SZ registered with `add-city`) and a city's, each
on its own fresh PostgreSQL database, HTTP between them; ``--projects`` gateways' signed events and heartbeats
(bench/regulator_bench.py's requests: a new hazard, then updates of it) are posted to the city.

1. **CPU per ingested event at the city, forwarding off and on.** ``--rounds`` pairs, alternated (off, on,
   off, on: the machine's other work falls on both alike): a fresh city database each round, ``--events``
   events posted at ``--rate`` a second; the city process's user + system CPU time (/proc/PID/stat, its
   children included) from before the first event until, forwarding on, the province holds every hazard and
   nothing is queued (what the forwarder spends sending is the city's too), or, forwarding off, the same
   settle after the last. The difference of the medians, per event, is forwarding's extra CPU.
2. **A province outage with the city queuing meanwhile.** The city forwarding, the province stopped
   (SIGTERM) for ``--outage-s`` while the city takes events at ``--rate``; then the province started again:
   the backlog (queued changes at the city) when it came back, the seconds until everything is at the province
   (the city's outbox empty and the province holding every hazard the city holds), of which the city's retry
   backoff (at most 30 s) is the first part, and the drain rate (changes forwarded a second once the link was
   back). An hour's outage at the same rate queues ``3600 / outage_s`` times the backlog; it drains at the same
   rate after the same backoff (printed: ``outage_1h_estimate``).

Run: ``.venv/bin/python bench/forwarding_cost.py [--events 1000 --rounds 2 --rate 50 --outage-s 300]``.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx
import psycopg

from bench.load import watched
from bench.regulator_bench import code, cpu_s, cpu_since, database, free_port, with_children
from bench.regulator_bench import serve as bench_serve
from bench.regulator_failover import event_body
from contract.wire import EVENTS_PATH, HEARTBEAT_PATH, default_signature
from regulator.storage.repository import Repository

CITY_ID, CITY_PLACE, CITY_KEY = "SZ", "广东省/深圳市", "a-bench-city-key-0123456789"
CLI = (sys.executable, "-m", "sitegw.cli", "regulator")
SETTLE_S = 2.0  # after the last event (forwarding off): the same wait a drained outbox's check costs on


SOURCE: Path | None = (
    None  # --baseline: the tree both ends run from (another commit's sources), else this one
)


def serve(db: str, port: int, *forward: str) -> subprocess.Popen[bytes]:
    """``sitegw regulator serve`` on ``db`` (``forward``: the city's --forward-to and its id, key, place), from
    this tree or, for a baseline, from ``SOURCE``."""
    return bench_serve(
        db, Path(tempfile.mkdtemp(prefix="sitegw-fwd-bench-")), port, extra=forward, source=SOURCE
    )


def wait(check: Callable[[], bool], limit_s: float, what: str) -> float:
    """Poll ``check`` every 0.2 s; the seconds until it held (SystemExit naming ``what`` past ``limit_s``)."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > limit_s:
            raise SystemExit(f"{what} within {limit_s:.0f} s")
        time.sleep(0.2)
    return time.monotonic() - started


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=30)


def one(db: str, statement: str) -> int:
    with psycopg.connect(db) as conn:
        row = conn.execute(statement).fetchone()
    return int(row[0]) if row else 0


def add_city(province_db: str) -> None:
    subprocess.run(
        [*CLI, "add-city", CITY_ID, "--jurisdiction", CITY_PLACE, "--secret", CITY_KEY, "--db", province_db],
        cwd=SOURCE or ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )


def register(city_db: str, projects: int) -> None:
    repo = Repository(city_db)
    try:
        for i in range(projects):
            repo.add_project(code(i), f"基准项目{i}", "深圳", f"secret-{i}", "南山区", "中建某局")
    finally:
        repo.close()


class Gateways:
    """``projects`` gateways posting signed events (a new hazard every fourth, updates between) and a
    heartbeat every 20th request, round robin, paced at ``rate`` events a second."""

    def __init__(self, url: str, projects: int, rate: float) -> None:
        self.client = httpx.Client(base_url=url, timeout=30)
        self.projects, self.rate, self.sent = projects, rate, 0

    def post(self, events: int) -> None:
        started = time.monotonic()
        for n in range(events):
            i, k = self.sent % self.projects, self.sent // self.projects
            self.sent += 1
            if k % 20 == 0:
                self._signed(i, HEARTBEAT_PATH, json.dumps({"project": code(i), "ts": time.time()}).encode())
            self._signed(i, EVENTS_PATH, event_body(code(i), k)[1])
            ahead = started + (n + 1) / self.rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)

    def _signed(self, i: int, path: str, body: bytes) -> None:
        ts, nonce = str(int(time.time() * 1000)), secrets.token_hex(16)
        headers = {
            "Content-Type": "application/json",
            "X-Sitegw-Project": code(i),
            "X-Sitegw-Timestamp": ts,
            "X-Sitegw-Nonce": nonce,
            "X-Sitegw-Signature": default_signature(f"secret-{i}", "POST", path, ts, nonce, body),
        }
        r = self.client.post(path, content=body, headers=headers)
        if r.status_code != 200:
            raise SystemExit(f"the city refused {path}: {r.status_code} {r.text[:200]}")


@contextmanager
def province() -> Iterator[tuple[str, int, subprocess.Popen[bytes]]]:
    """A province with the city registered: its database, port and process."""
    with database() as db:
        add_city(db)
        port = free_port()
        proc = serve(db, port)
        try:
            yield db, port, proc
        finally:
            stop(proc)


def forwarding(province_port: int) -> tuple[str, ...]:
    return (
        "--forward-to",
        f"http://127.0.0.1:{province_port}",
        "--forward-id",
        CITY_ID,
        "--forward-secret",
        CITY_KEY,
        "--forward-jurisdiction",
        CITY_PLACE,
    )


def arrived(city_db: str, province_db: str) -> bool:
    """Nothing queued at the city and every hazard of the city's at the province."""
    queued = one(city_db, "SELECT COUNT(*) FROM forward_outbox")
    return queued == 0 and one(province_db, "SELECT COUNT(*) FROM hazards") == one(
        city_db, "SELECT COUNT(*) FROM hazards"
    )


def cpu_round(on: bool, events: int, projects: int, rate: float) -> float:
    """The city process's CPU seconds per event for ``events`` ingested, forwarding ``on`` (to a province of
    its own: the same project codes from another city database would be refused there) or off."""
    with ExitStack() as stack:
        city_db = stack.enter_context(database())
        register(city_db, projects)
        port = free_port()
        if on:
            province_db, province_port, _ = stack.enter_context(province())
            city = serve(city_db, port, *forwarding(province_port))
        else:
            city = serve(city_db, port)
        stack.callback(stop, city)
        if on:  # the first start queues the ledger (the projects): sent before the clock starts
            wait(lambda: arrived(city_db, province_db), 120, "the city's projects not at the province")
        pids = with_children([city.pid])
        before = cpu_s(pids)
        Gateways(f"http://127.0.0.1:{port}", projects, rate).post(events)
        if on:
            wait(lambda: arrived(city_db, province_db), 300, "the city's events not at the province")
        else:
            time.sleep(SETTLE_S)
        return cpu_since(before, pids) / events


def bench_cpu(events: int, rounds: int, projects: int, rate: float) -> None:
    used: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(rounds):
        for forwarded in (False, True):
            used[forwarded].append(cpu_round(forwarded, events, projects, rate))
            print(
                f"# forwarding {'on' if forwarded else 'off'}: {used[forwarded][-1] * 1000:.2f} ms CPU an event",
                flush=True,
            )
    off, on = statistics.median(used[False]), statistics.median(used[True])
    print(f"city_cpu_per_event_forwarding_off: {off * 1000:.2f} ms")
    print(f"city_cpu_per_event_forwarding_on: {on * 1000:.2f} ms")
    print(f"forwarding_extra_cpu_per_event: {(on - off) * 1000:.2f} ms ({(on / off - 1) * 100:+.0f} %)")


def bench_outage(outage_s: float, projects: int, rate: float) -> None:
    with ExitStack() as stack:
        province_db = stack.enter_context(database())
        city_db = stack.enter_context(database())
        add_city(province_db)
        port = free_port()
        up = serve(province_db, port)
        register(city_db, projects)
        city_port = free_port()
        stack.callback(stop, serve(city_db, city_port, *forwarding(port)))
        wait(lambda: arrived(city_db, province_db), 120, "the city's projects not at the province")
        stop(up)  # the province goes away
        gateways = Gateways(f"http://127.0.0.1:{city_port}", projects, rate)
        gateways.post(int(outage_s * rate))
        backlog = one(city_db, "SELECT COUNT(*) FROM forward_outbox")
        back = serve(province_db, port)  # the province returns, on its port
        stack.callback(stop, back)
        first = wait(
            lambda: one(city_db, "SELECT COUNT(*) FROM forward_outbox") < backlog, 120, "no first batch"
        )
        took = wait(lambda: arrived(city_db, province_db), 900, "the backlog not at the province") + first
        drain_s = max(took - first, 0.001)
        print(f"outage_events: {gateways.sent} events ({outage_s:.0f} s at {rate:.0f} a second)")
        print(f"outage_backlog: {backlog} changes")
        print(f"outage_first_batch_after_return: {first:.1f} s")
        print(f"outage_all_at_province_after_return: {took:.1f} s")
        print(f"outage_drain_rate: {backlog / drain_s:.0f} changes/s")
        # an hour's backlog at the same rate, drained as fast, after the backoff's longest wait (30 s)
        hour = backlog * 3600 / outage_s
        print(f"outage_1h_estimate: {30 + hour * drain_s / backlog:.0f} s ({hour:.0f} changes)")


# the hazards' state at either end, ordered by the project and the gateway's alert: the same at both when every
# change arrived (the last update of each) and none twice
FINGERPRINT = (
    "SELECT COUNT(*), md5(string_agg(project || '/' || alert_id || '/' || value || '/' || state, ',' "
    "ORDER BY project, alert_id)) FROM hazards"
)


def fingerprint(db: str) -> tuple[int, str]:
    with psycopg.connect(db) as conn:
        row = conn.execute(FINGERPRINT).fetchone()
    return (int(row[0]), str(row[1])) if row else (0, "")


def feed(url: str, projects: int, events: int, feeders: int) -> float:
    """``events`` events (and their heartbeats) posted to the city as fast as ``feeders`` threads can, each
    gateway's in its order (its projects split among the threads); the seconds it took."""
    share = [[i for i in range(projects) if i % feeders == f] for f in range(feeders)]

    def one_feeder(mine: list[int]) -> None:
        gateways = Gateways(url, projects, float("inf"))
        for k in range(events // projects):
            for i in mine:
                if k % 20 == 0:
                    gateways._signed(
                        i, HEARTBEAT_PATH, json.dumps({"project": code(i), "ts": time.time()}).encode()
                    )
                gateways._signed(i, EVENTS_PATH, event_body(code(i), k)[1])

    started = time.monotonic()
    with ThreadPoolExecutor(feeders) as pool:
        list(pool.map(one_feeder, share))
    return time.monotonic() - started


def hour_queued(province_db: str, city_db: str, events: int, projects: int, feeders: int, rate: float) -> int:
    """The city forwarding to its province, the province stopped, ``events`` posted to the city: its outbox
    holds the hour's changes; both stopped. The province's port (the city knows it by its address)."""
    add_city(province_db)
    port = free_port()
    up = serve(province_db, port)
    register(city_db, projects)
    city_port = free_port()
    city = serve(city_db, city_port, *forwarding(port))
    try:
        wait(lambda: arrived(city_db, province_db), 120, "the city's projects not at the province")
        stop(up)  # the province goes away
        fed_s = (
            feed(f"http://127.0.0.1:{city_port}", projects, events, feeders)
            if feeders
            else written(city_db, projects, events)
        )
    finally:
        stop(city)
    print(
        f"hour_events: {events} events in {fed_s:.0f} s (an hour's at {rate:.0f}/s: {events / rate / 3600:.2f} h)"
    )
    print(f"hour_backlog: {one(city_db, 'SELECT COUNT(*) FROM forward_outbox')} changes queued at the city")
    return port


# an hour's hazards written as the city's ingest leaves them (a gateway's alarm: firing, then updates of it)
NEW_ROUND = (
    "INSERT INTO hazards(project, alert_id, city, district, device, point, rule, clause, level, level_rank, message, "
    "value, threshold, unit, site_state, first_ts, last_ts, evidence_event, state, major, updated_at, peak_value, "
    "peak_threshold, peak_message, peak_ts, peak_firing, source, peak_dir) SELECT code, %(key)s, '深圳', '南山区', "
    "'crane-1', '', 'crane.load', 'GB 5144-2006 §6.1.2', 'alarm', 2, %(msg)s, '104.0', 100, '%%', 'firing', "
    "%(now)s, %(now)s, '', 'pending', false, %(now)s, 104, 100, %(msg)s, %(now)s, true, 'gateway', 1 "
    "FROM projects ORDER BY code"
)
UPDATE_ROUND = (
    "UPDATE hazards SET value = %(v)s, last_ts = %(now)s, updated_at = %(now)s, site_state = 'updated', "
    "peak_value = GREATEST(peak_value, %(pv)s) WHERE project = ANY(%(codes)s) AND alert_id = %(key)s"
)


def written(city_db: str, projects: int, events: int) -> float:
    """``events`` changes of the city's ledger written into its database as its ingest leaves them, in the
    order its gateways would (each project's alarm firing, then three updates of it, a round of all projects at
    a time), its forwarding triggers queuing each: the hour's backlog without the hour (the HTTP ingest of
    144,000 events takes tens of minutes on a shared 2-core machine); the seconds it took."""
    codes = [code(i) for i in range(projects)]
    msg = "1号塔吊 起重量 104%"
    started = time.monotonic()
    with psycopg.connect(city_db) as conn:
        for a in range(events // projects // 4):
            key, now = f"crane-1:crane.load:{a}", time.time()
            conn.execute(NEW_ROUND, {"key": key, "msg": msg, "now": now})
            for k in range(1, 4):
                v = 104.0 + (4 * a + k) % 10
                conn.execute(UPDATE_ROUND, {"key": key, "v": str(v), "pv": v, "now": now + k, "codes": codes})
            conn.commit()
    return time.monotonic() - started


# the city's records the province kept: each new one once, each sent again (a later change of it) once more
KEPT = "SELECT COALESCE(SUM(versions), 0) FROM forward_records"


def hour_drained(
    label: str, province_db: str, city_db: str, port: int, source: Path | None, limit_s: float = 900.0
) -> None:
    """The city (``source``'s code) started on its queued hour with the province still away, failing long
    enough to be at its longest wait (30 s, or the probe's), then the province (the same code) back: the
    seconds from its first answer until everything is there, and both ends compared; the province's CPU
    seconds meanwhile (its process, user + system) per 1,000 records it kept, which the machine's other work
    does not stretch as it stretches the seconds."""
    global SOURCE
    SOURCE = source
    backlog = one(city_db, "SELECT COUNT(*) FROM forward_outbox")
    city = serve(city_db, free_port(), *forwarding(port))
    try:
        time.sleep(75)  # the city tries, fails, and backs off as a city an hour without its province does
        kept_before = one(province_db, KEPT)
        back = serve(province_db, port)
        returned = time.monotonic()
        province_cpu = cpu_s(with_children([back.pid]))  # what it spends on the backlog, not its start
        try:
            first = wait(
                lambda: one(city_db, "SELECT COUNT(*) FROM forward_outbox") < backlog, 120, "no first batch"
            )
            while not arrived(city_db, province_db) and time.monotonic() - returned < limit_s:
                time.sleep(0.5)
            took = time.monotonic() - returned
            spent = cpu_since(province_cpu, with_children([back.pid]))
        finally:
            stop(back)
    finally:
        stop(city)
    left = one(city_db, "SELECT COUNT(*) FROM forward_outbox")
    if left:
        print(f"hour_{label}_left_after_{limit_s:.0f}_s: {left} of {backlog} changes still queued")
    at_city, at_province = fingerprint(city_db), fingerprint(province_db)
    twice = one(
        province_db,
        "SELECT COUNT(*) FROM (SELECT project, alert_id FROM hazards GROUP BY 1, 2 HAVING COUNT(*) > 1) d",
    )
    print(f"hour_{label}_first_batch_after_return: {first:.1f} s")
    print(
        f"hour_{label}_all_at_province_after_return: {took:.1f} s "
        f"({(backlog - left) / max(took - first, 0.001):.0f} changes/s)"
    )
    kept = one(province_db, KEPT) - kept_before
    print(
        f"hour_{label}_province_cpu: {spent:.1f} s, {1000 * spent / max(kept, 1):.2f} s per 1,000 records kept "
        f"({kept} records: {1000 * spent / max(backlog - left, 1):.2f} s per 1,000 changes)"
    )
    print(f"hour_{label}_hazards_city_province: {at_city[0]} {at_province[0]} (stored twice: {twice})")
    print(f"hour_{label}_same_state_both_ends: {at_city == at_province}")


def bench_hour(
    events: int, projects: int, feeders: int, rate: float, baseline: Path | None, baseline_s: float
) -> None:
    """An hour's outage for real: the province stopped while the city takes ``events`` (an hour's at ``rate``
    a second, posted faster than real time), then back; with a ``baseline`` tree, the same queued hour (a copy
    of both databases) drained first by its code, then by this tree's."""
    with ExitStack() as stack:
        province_db = stack.enter_context(database())
        city_db = stack.enter_context(database())
        port = hour_queued(province_db, city_db, events, projects, feeders, rate)
        if baseline is not None:
            base_province = stack.enter_context(database(copy_of=province_db))
            base_city = stack.enter_context(database(copy_of=city_db))
        hour_drained("this", province_db, city_db, port, None)
        if baseline is not None:
            hour_drained("baseline", base_province, base_city, port, baseline, limit_s=baseline_s)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1000, help="events a CPU round posts (default 1000)")
    ap.add_argument("--rounds", type=int, default=2, help="pairs of CPU rounds, off and on (default 2)")
    ap.add_argument(
        "--projects", type=int, default=50, help="the city's projects, one gateway each (default 50)"
    )
    ap.add_argument("--rate", type=float, default=50.0, help="events a second, all gateways (default 50)")
    ap.add_argument("--outage-s", type=float, default=300.0, help="the province's outage (default 300 s)")
    ap.add_argument("--only", choices=("cpu", "outage", "hour"), help="one of them (default cpu and outage)")
    ap.add_argument("--hour-events", type=int, default=144_000, help="the hour's events (default 144,000)")
    ap.add_argument("--hour-rate", type=float, default=40.0, help="the city's events a second (default 40)")
    ap.add_argument(
        "--feeders",
        type=int,
        default=0,
        help="threads posting the hour's events over HTTP (default 0: written into the city's database)",
    )
    ap.add_argument(
        "--baseline-s", type=float, default=900.0, help="the baseline's drain at most (default 900 s)"
    )
    ap.add_argument(
        "--baseline", type=Path, help="run both regulators from this tree's sources (another commit)"
    )
    args = ap.parse_args()
    if args.only == "hour":
        with watched():
            bench_hour(
                args.hour_events, args.projects, args.feeders, args.hour_rate, args.baseline, args.baseline_s
            )
        return
    with watched():
        if args.only != "outage":
            bench_cpu(args.events, args.rounds, args.projects, args.rate)
        if args.only != "cpu":
            bench_outage(args.outage_s, args.projects, args.rate)


if __name__ == "__main__":
    main()
