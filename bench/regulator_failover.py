"""The regulator on a highly available PostgreSQL losing its primary mid-ingest (issue: a database that
survives losing a machine). Prints ``name: value unit`` lines.

A pg_auto_failover formation on loopback (tests/servers/pg_ha.py: a monitor, a primary and its
synchronous standby), ``sitegw regulator serve --db`` given the multi-host URL that follows the primary
(``target_session_attrs=read-write``), and ``--gateways`` simulated project gateways sending signed
AlertEvents at ``--rate`` events/s in all, paced (open loop), each one request at a time as a gateway's
outbox does: a request that fails (connection cut, 5xx) is sent again, freshly signed, until it is
answered 2xx, so an event answered once is the gateway's to forget. Every event is built and signed before
the clock starts, as bench/regulator_bench.py does (the 5-minute signature window allows it, so runs stay
under 4 minutes), so the load generator's cost during the run is a socket write and read, and the p99 is
the regulator's and the database's, comparable with the single server's; only a retry is signed anew. At ``--kill-at`` seconds the
primary's machine is lost: its keeper, postmaster and backends get SIGKILL together. Afterwards the new
primary is asked for every event: what was answered 2xx and is missing (lost), what is stored twice,
the longest time without a 2xx answer (no service), and the latency p99 before (events sent up to
``IN_FLIGHT_S`` before the loss: the steady ingest), during (those in flight at the loss, up to 5 s after
service is back) and after.

Run: ``.venv/bin/python bench/regulator_failover.py [--gateways 500 --rate 1000 --seconds 60 --kill-at 20]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import itertools

import psycopg

from bench.load import watched
from bench.regulator_bench import (
    code,
    cpu_s,
    cpu_since,
    exchange,
    free_port,
    pct,
    raw_request,
    serve,
    with_children,
)
from contract.alert_event import AlertEvent
from contract.wire import EVENTS_PATH
from regulator.storage.repository import Repository
from tests.servers.pg_ha import PgAutoFailover

RETRY_S = 0.25  # a failed request's next try (the outbox backs off further; a bench wants the outage's edge)
# events sent this long before the loss were still in flight when it came (a queue of requests, each
# waiting for the failover): they count "during", not "before", whose p99 is the steady ingest's
IN_FLIGHT_S = 2.0


@dataclass
class Failover:
    """What a user counts after the primary was lost."""

    answered: list[tuple[float, float, str]] = field(default_factory=list)  # (sent, answered, event id)
    failures: int = 0
    generator_cpu_s: float = 0.0  # the load generator's own CPU while the gateways sent
    api_pids: list[int] = field(default_factory=list)  # the regulator's process(es)
    # CPU seconds of the regulator and of the formation (keepers, primary, standby, monitor) before the
    # loss, and the events answered meanwhile: per event, what the machine spends, whatever else loads it
    steady_cpu: tuple[float, float, int] = (0.0, 0.0, 0)
    killed_at: float = 0.0
    lost: int = 0
    stored_twice: int = 0
    stored: int = 0

    def no_service_s(self) -> float:
        """The longest gap between two 2xx answers after the kill (the failover as the gateways saw it)."""
        times = sorted(done for _, done, _ in self.answered)
        gaps = [b - a for a, b in itertools.pairwise(times) if b >= self.killed_at]
        return max(gaps, default=0.0)

    def p99_ms(self, start: float, end: float) -> float:
        """Latency p99 of the events sent in [start, end)."""
        return pct([done - sent for sent, done, _ in self.answered if start <= sent < end], 99) * 1000


def event_body(project: str, k: int) -> tuple[str, bytes]:
    """A gateway's ``k``-th event: its id and JSON."""
    event = AlertEvent(
        alert_id=f"crane-1:crane.load:{k // 4}",
        project=project,
        device="crane-1",
        rule="crane.load",
        clause="GB 5144-2006 §6.1.2",
        level="alarm",
        state="firing" if k % 4 == 0 else "updated",
        value=104.0 + k % 10,
        threshold=100.0,
        unit="%",
        ts=time.time(),
        message="1号塔吊 起重量 104%",
    )
    return event.event_id, event.model_dump_json().encode()


Signed = tuple[str, bytes, bytes]  # an event's id, its JSON, its first request (signed, ready to write)


def signed_events(gateways: int, rate: float, seconds: float) -> list[list[Signed]]:
    """Every gateway's events for the run, built and signed now (before the clock starts)."""
    per_gateway = rate / gateways
    out = []
    for g in range(gateways):
        project, secret = code(g), f"secret-{g}"
        plan = []
        for k in range(int(seconds * per_gateway) + 1):
            event_id, body = event_body(project, k)
            plan.append((event_id, body, raw_request(project, secret, EVENTS_PATH, body)))
        out.append(plan)
    return out


async def run_gateways(
    port: int,
    plans: list[list[Signed]],
    rate: float,
    seconds: float,
    kill: float,
    lose: Callable[[], None],
    out: Failover,
    database_pids: Callable[[], list[int]],
) -> None:
    """Every gateway's events of ``plans``, paced, retried until answered; ``lose()`` called ``kill`` s in;
    ``database_pids()``: the processes of the database's formation, whose CPU counts."""
    start = time.perf_counter()
    per_gateway = rate / len(plans)

    async def gateway(g: int) -> None:
        project, secret = code(g), f"secret-{g}"
        due = start + g / rate
        link: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        for event_id, body, first in plans[g]:
            if due >= start + seconds:
                break
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            sent, request = due, first
            while True:  # the outbox: the same event until it is answered 2xx, on a kept-alive connection
                try:
                    link = link or await asyncio.open_connection("127.0.0.1", port)
                    status = await asyncio.wait_for(exchange(*link, request), 30)
                except (TimeoutError, OSError, asyncio.IncompleteReadError):
                    status = 0
                if status != 200 and link is not None:
                    link[1].close()  # a 5xx may leave the server's side in any state: start afresh
                    link = None
                if 400 <= status < 500 and status != 429:  # refused, not failed: a retry cannot help
                    raise RuntimeError(f"{project}: the regulator refused event {event_id} with {status}")
                if status == 200:
                    out.answered.append((sent, time.perf_counter(), event_id))
                    break
                out.failures += 1
                await asyncio.sleep(RETRY_S)
                request = raw_request(
                    project, secret, EVENTS_PATH, body
                )  # a fresh nonce: the first may be stored
            due += 1 / per_gateway
        if link is not None:
            link[1].close()

    api_before, pg_before = cpu_s(out.api_pids), cpu_s(database_pids())

    async def killer() -> None:
        await asyncio.sleep(kill)
        out.killed_at = time.perf_counter()
        out.steady_cpu = (
            cpu_since(api_before, out.api_pids),
            cpu_since(pg_before, database_pids()),
            len(out.answered),
        )
        await asyncio.to_thread(lose)

    async def progress() -> None:  # on stderr: a run that stalls says where
        while True:
            await asyncio.sleep(5)
            print(
                f"  {time.perf_counter() - start:.0f} s: {len(out.answered)} answered, {out.failures} retried",
                file=sys.stderr,
                flush=True,
            )

    ticker = asyncio.create_task(progress())
    cpu = time.process_time()
    await asyncio.gather(killer(), *(gateway(g) for g in range(len(plans))))
    out.generator_cpu_s = time.process_time() - cpu
    ticker.cancel()


def count(cluster: PgAutoFailover, out: Failover) -> None:
    """Ask the primary now in charge for every event the gateways were answered 2xx for."""
    with psycopg.connect(cluster.url, connect_timeout=5) as conn:
        stored = [row[0] for row in conn.execute("SELECT event_id FROM events")]
    have = set(stored)
    out.stored, out.stored_twice = len(stored), len(stored) - len(have)
    out.lost = sum(1 for _, _, event_id in out.answered if event_id not in have)


def failover(gateways: int, rate: float, seconds: float, kill_at: float) -> tuple[Failover, str]:
    """The whole run; the figures and the formation's state at the end."""
    cluster = PgAutoFailover()
    cluster.start()
    proc, evidence = None, tempfile.TemporaryDirectory()
    root = Path(evidence.name)
    try:
        repo = Repository(cluster.url, root / "evidence")
        for i in range(gateways):
            repo.add_project(code(i), f"项目{i}", "广州", f"secret-{i}", "天河区")
        repo.close()
        port = free_port()
        proc = serve(cluster.url, root / "evidence", port)
        primary = "node1" if cluster.primary_port() == cluster.ports[0] else "node2"
        out = Failover(api_pids=with_children([proc.pid]))
        plans = signed_events(gateways, rate, seconds)
        lose = lambda: cluster.lose(primary)  # noqa: E731
        asyncio.run(run_gateways(port, plans, rate, seconds, kill_at, lose, out, cluster.pids))
        count(cluster, out)
        return out, cluster.state()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(30)
        cluster.stop()
        evidence.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--gateways", type=int, default=500)
    parser.add_argument(
        "--rate", type=float, default=1000.0, help="events/s offered by all gateways together"
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the gateways send")
    parser.add_argument(
        "--kill-at", type=float, default=20.0, help="seconds in: the primary's machine is lost"
    )
    args = parser.parse_args()
    if args.seconds > 240:  # requests signed before the clock starts must land within the 5-minute window
        parser.error("--seconds at most 240: the events are signed before the run")
    with watched():
        out, _ = failover(args.gateways, args.rate, args.seconds, args.kill_at)
        report(out, args.gateways, args.rate)


def report(out: Failover, gateways: int, rate: float) -> None:
    """The run's ``name: value unit`` lines."""
    start = min(sent for sent, _, _ in out.answered)
    kill = out.killed_at
    gap = out.no_service_s()
    print(f"regulator_failover_offered: {rate:.0f} events/s from {gateways} gateways")
    print(f"regulator_failover_answered: {len(out.answered)} events")
    print(f"regulator_failover_lost: {out.lost} events")
    print(f"regulator_failover_stored_twice: {out.stored_twice} events")
    print(f"regulator_failover_no_service: {gap:.1f} s")
    print(f"regulator_failover_retried_requests: {out.failures} requests")
    steady_end = kill - IN_FLIGHT_S
    before = [done - sent for sent, done, _ in out.answered if sent < steady_end]
    print(f"regulator_failover_p50_before: {pct(before, 50) * 1000:.1f} ms")
    print(f"regulator_failover_p99_before: {out.p99_ms(start, steady_end):.1f} ms")
    print(f"regulator_failover_p99_during: {out.p99_ms(steady_end, kill + gap + 5):.1f} ms")
    print(f"regulator_failover_p99_after: {out.p99_ms(kill + gap + 5, float('inf')):.1f} ms")
    api_cpu, pg_cpu, steady = out.steady_cpu
    print(f"regulator_failover_api_cpu_per_event_before: {api_cpu / max(1, steady) * 1000:.2f} ms")
    print(f"regulator_failover_database_cpu_per_event_before: {pg_cpu / max(1, steady) * 1000:.2f} ms")
    handled = max(1, len(out.answered) + out.failures)
    print(f"regulator_failover_load_generator_cpu_per_request: {out.generator_cpu_s / handled * 1000:.2f} ms")
    print(f"regulator_failover_machine_load: {os.getloadavg()[0]:.1f} runnable")


if __name__ == "__main__":
    main()
