"""The regulator's side at provincial scale, on PostgreSQL (``make bench``):

- ``ingest``: 500 simulated project gateways (each its own secret and keep-alive connection, sending
  one request at a time as a gateway's outbox does: signed AlertEvents carrying an evidence URL, and a
  heartbeat every 20th request) against one ``sitegw regulator serve`` process. Two phases:
  saturation (every gateway sends its next request as soon as the last is answered: the sustained
  events/s) and paced (fixed offered rates, open loop, ``--rates`` requests/s spread over the 500
  gateways: the latency at that load). ``--workers N`` runs ``serve --workers N`` (N processes on one
  port); ``--replicas N`` runs N separate ``serve`` processes, gateways spread over them as a load
  balancer would. CPU per request of the API processes and of PostgreSQL is printed
  too (and the load generator's own): on a shared machine it says more than events/s. Latency is from
  the request's first byte
  written to the 2xx read, so queueing in the server counts.
- ``queue``: the review queue's query with 1,000,000 stored events (200,000 hazards over 500
  projects in 21 cities) loaded by SQL, timed through ``Review.queue`` (query + rows to dicts) and
  through ``GET /ui/api/hazards`` over HTTP, over a mix of filters.

Requests are signed before the clock starts (the 5-minute window allows it), so the load generator's
own cost is a socket write and read. Each phase runs in a fresh database, dropped afterwards.
Goals: ingest >= 1,000 events/s with p99 < 200 ms; queue p99 < 100 ms.
Prints ``name: value unit`` lines.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx
import psycopg
from argon2 import PasswordHasher

from bench.load import watched
from contract.alert_event import AlertEvent
from contract.wire import EVENTS_PATH, HEARTBEAT_PATH, default_signature
from regulator.access.auth import Accounts
from regulator.ledger.review import QueueFilter, Review
from regulator.storage.jurisdictions import place_projects
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor

PG_ADMIN = os.environ.get("SITEGW_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
CITIES = [
    "广州",
    "深圳",
    "珠海",
    "汕头",
    "佛山",
    "韶关",
    "湛江",
    "肇庆",
    "江门",
    "茂名",
    "惠州",
    "梅州",
    "汕尾",
    "河源",
    "阳江",
    "清远",
    "东莞",
    "中山",
    "潮州",
    "揭阳",
    "云浮",
]
RULES = [
    "crane.load",
    "crane.wind",
    "crane.tilt",
    "crane.collision",
    "crane.zone",
    "crane.operator",
    "pit.cumulative",
    "pit.rate",
    "pit.jump",
    "sensor.fault",
    "device.offline",
    "vision.no_helmet",
    "vision.edge_missing",
    "vision.zone_intrusion",
    "camera.offline",
]
LEVELS = ["warning", "alarm", "critical"]


def code(i: int) -> str:
    return f"GD-BENCH-{i:05d}"


@contextmanager
def database(copy_of: str | None = None) -> Iterator[str]:
    """A fresh PostgreSQL database (``copy_of``: a copy of that one, nothing connected to it), dropped
    afterwards."""
    name = f"sitegw_bench_{secrets.token_hex(4)}"
    template = "" if copy_of is None else f' TEMPLATE "{copy_of.rsplit("/", 1)[1]}"'
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{template}')
        try:
            yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def serve(
    db: str,
    evidence: Path,
    port: int,
    workers: int = 1,
    extra: tuple[str, ...] = (),
    source: Path | None = None,
) -> subprocess.Popen[bytes]:
    """``sitegw regulator serve`` in its own process(es), as it runs on the regulator's server (``extra``:
    more of its options, e.g. a city's --forward-to; ``source``: another tree's sources to run, a baseline)."""
    env = None if source is None else {**os.environ, "PYTHONPATH": str(source)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sitegw.cli",
            "regulator",
            "serve",
            "--port",
            str(port),
            "--db",
            db,
            "--evidence-dir",
            str(evidence),
            "--workers",
            str(workers),
            # the bench's regulators sign in with a password alone (a code costs the server nothing more)
            "--optional-second-factor",
            *extra,
        ],
        cwd=source or ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 240  # its start took over 60 s on a shared 2-core machine at load 27
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the regulator did not start")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- ingest ---------------------------------------------------------------------------------------------


def raw_request(project: str, secret: str, path: str, body: bytes) -> bytes:
    """One signed HTTP/1.1 keep-alive request, ready to write."""
    ts = str(int(time.time() * 1000))
    nonce = secrets.token_hex(16)
    sig = default_signature(secret, "POST", path, ts, nonce, body)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: regulator\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nX-Sitegw-Project: {project}\r\nX-Sitegw-Timestamp: {ts}\r\n"
        f"X-Sitegw-Nonce: {nonce}\r\nX-Sitegw-Signature: {sig}\r\n\r\n"
    )
    return head.encode() + body


def gateway_requests(i: int, n: int) -> list[tuple[bool, bytes]]:
    """A gateway's next ``n`` requests: (is_event, bytes); the first and every 20th a heartbeat."""
    project, secret = code(i), f"secret-{i}"
    out = []
    for k in range(n):
        if k % 20 == 0:
            body = json.dumps({"project": project, "ts": time.time()}).encode()
            out.append((False, raw_request(project, secret, HEARTBEAT_PATH, body)))
            continue
        rule = RULES[(i + k) % len(RULES)]
        event = AlertEvent(
            alert_id=f"crane-1:{rule}:{k // 4}",
            project=project,
            device="crane-1",
            rule=rule,
            clause="GB 5144-2006 §6.1.2",
            level=LEVELS[k % 3],
            state="firing" if k % 4 == 0 else "updated",
            value=104.0 + k % 10,
            threshold=100.0,
            unit="%",
            ts=time.time(),
            message="1号塔吊 起重量 104%",
            evidence=f"https://evidence.example.cn/{project}/{secrets.token_hex(8)}.jpg",
        )
        out.append((True, raw_request(project, secret, EVENTS_PATH, event.model_dump_json().encode())))
    return out


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """Write one request, read its response; the status code."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return status


async def run_gateways(
    ports: list[int], plans: list[list[tuple[bool, bytes]]], rate_per_gateway: float | None, seconds: float
) -> tuple[int, int, list[float], float, int]:
    """Each gateway on its own connection (to the replicas in turn, as a load balancer would), one request
    at a time; paced when ``rate_per_gateway``.

    Returns (events answered 2xx, heartbeats answered, event latencies in s, elapsed s, failures).
    """
    latencies: list[float] = []
    counts = {"events": 0, "beats": 0, "failed": 0}
    start = time.perf_counter()
    stop = start + seconds

    async def gateway(g: int, plan: list[tuple[bool, bytes]]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", ports[g % len(ports)])
        due = start + (random.random() / rate_per_gateway if rate_per_gateway else 0.0)
        try:
            for is_event, request in plan:
                if rate_per_gateway:
                    # open loop: the next request is due on schedule; a late answer does not delay the schedule
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
                    sent = due
                    due += 1 / rate_per_gateway
                else:
                    sent = time.perf_counter()
                if sent >= stop:
                    return
                status = await exchange(reader, writer, request)
                if status != 200:
                    counts["failed"] += 1
                    continue
                if is_event:
                    latencies.append(time.perf_counter() - sent)
                    counts["events"] += 1
                else:
                    counts["beats"] += 1
        finally:
            writer.close()

    await asyncio.gather(*(gateway(g, plan) for g, plan in enumerate(plans)))
    return counts["events"], counts["beats"], latencies, time.perf_counter() - start, counts["failed"]


def with_children(pids: list[int]) -> list[int]:
    """These processes and their descendants (``serve --workers N`` runs N children)."""
    parent = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
    found, todo = set(pids), list(pids)
    while todo:
        p = todo.pop()
        for child, ppid in parent.items():
            if ppid == p and child not in found:
                found.add(child)
                todo.append(child)
    return sorted(found)


def cpu_s(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds used so far by each of these processes (those still running)."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def cpu_since(before: dict[int, float], pids: list[int]) -> float:
    """CPU seconds these processes used since ``before`` (a process started since counts whole)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in cpu_s(pids).items())


def postgres_pids() -> list[int]:
    """Every PostgreSQL server process (its backends do the regulator's SQL)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 10) - 1] if len(values) > 1 else float("nan")


def bench_ingest(gateways: int, seconds: float, rates: list[float], replicas: int, workers: int) -> None:
    with database() as db, tempfile.TemporaryDirectory() as tmp:
        repo = Repository(db, Path(tmp) / "evidence")
        for i in range(gateways):
            repo.add_project(code(i), f"项目{i}", CITIES[i % len(CITIES)], f"secret-{i}", f"区{i % 5}")
        repo.close()
        ports = [free_port() for _ in range(replicas)]
        procs = [serve(db, Path(tmp) / "evidence", port, workers) for port in ports]
        api_pids = with_children([p.pid for p in procs])
        print(f"regulator_ingest_gateways: {gateways} gateways")
        print(f"regulator_ingest_api_replicas: {replicas} x serve --workers {workers}")
        try:
            for phase, rate in [("saturation", None), *((f"paced_{r:.0f}", r) for r in rates)]:
                per_gateway = rate / gateways if rate else None
                budget = (
                    int(seconds * (per_gateway or 40)) + 2
                )  # a generous upper bound of what one gateway sends
                plans = [gateway_requests(i, budget) for i in range(gateways)]
                api_before, pg_before = cpu_s(api_pids), cpu_s(postgres_pids())
                own_before = time.process_time()
                events, beats, lat, elapsed, failed = asyncio.run(
                    run_gateways(ports, plans, per_gateway, seconds)
                )
                own_cpu = time.process_time() - own_before
                api_cpu = cpu_since(api_before, api_pids)
                pg_cpu = cpu_since(pg_before, postgres_pids())
                if rate:
                    print(f"regulator_ingest_{phase}_offered: {rate:.0f} requests/s")
                print(f"regulator_ingest_{phase}_events_per_s: {events / elapsed:.0f} events/s")
                print(f"regulator_ingest_{phase}_heartbeats_per_s: {beats / elapsed:.0f} requests/s")
                print(f"regulator_ingest_{phase}_p50: {pct(lat, 50) * 1000:.1f} ms")
                print(f"regulator_ingest_{phase}_p99: {pct(lat, 99) * 1000:.1f} ms")
                print(f"regulator_ingest_{phase}_failed: {failed} requests")
                handled = max(1, events + beats)
                print(f"regulator_ingest_{phase}_api_cpu_per_request: {api_cpu / handled * 1000:.2f} ms")
                print(f"regulator_ingest_{phase}_postgres_cpu_per_request: {pg_cpu / handled * 1000:.2f} ms")
                print(
                    f"regulator_ingest_{phase}_load_generator_cpu_per_request: {own_cpu / handled * 1000:.2f} ms"
                )
                print(f"regulator_ingest_{phase}_machine_load: {os.getloadavg()[0]:.1f} runnable")
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(30)


# ---- the review queue with 1M events ------------------------------------------------------------------

LOAD_SQL = [
    """INSERT INTO projects(code, name, city, district, contractor, secret, created_at, last_seen_at)
       SELECT 'GD-BENCH-' || lpad(i::text, 5, '0'), '项目' || i, (CAST(:cities AS text[]))[i % 21 + 1], '区' || (i % 5), '',
              'secret-' || i, :now, :now - (i % 50) * 60
       FROM generate_series(0, :projects - 1) i""",
    """INSERT INTO hazards(project, alert_id, city, district, device, point, rule, clause, level, level_rank, message,
              value, threshold, unit, site_state, first_ts, last_ts, evidence_event, state, major, deadline,
              escalated_at, closed_at, updated_at)
       SELECT 'GD-BENCH-' || lpad((g % :projects)::text, 5, '0'), 'bench:' || g,
              (CAST(:cities AS text[]))[(g % :projects) % 21 + 1], '区' || ((g % :projects) % 5), 'crane-1', '', (CAST(:rules AS text[]))[g % 15 + 1], 'GB 5144-2006 §6.1.2',
              (CAST(:levels AS text[]))[(g / 7) % 3 + 1], (g / 7) % 3 + 1, '1号塔吊 起重量 104%', '104', 100, '%',
              'firing', :now - g * 60, :now - g * 60 + 600, 'ev-' || g,
              (ARRAY['pending','closed','closed','closed','closed','closed','dismissed','rectifying','reported',
                     'confirmed'])[(g / :projects) % 10 + 1],
              g % 30 = 0, CASE WHEN g % 10 = 7 THEN :now + ((g % 20) - 5) * 86400 END, NULL,
              CASE WHEN g % 10 BETWEEN 1 AND 6 THEN :now - g * 60 + 86400 END, :now
       FROM generate_series(1, :hazards) g""",
    """INSERT INTO events(event_id, hazard_id, project, state, level, ts, backfill, received_at, body)
       SELECT 'ev-' || e, (e % :hazards) + 1, 'GD-BENCH-' || lpad(((e % :hazards) + 1) % :projects || '', 5, '0'),
              CASE WHEN e <= :hazards THEN 'firing' ELSE 'updated' END, 'alarm', :now - e, false, :now - e,
              :body_head || e || :body_tail
       FROM generate_series(1, :events) e""",
    # ingest keeps every event_id in event_ids too (regulator/storage/event_sql.py): a database ingest could have made
    "INSERT INTO event_ids(event_id, received_at) SELECT event_id, received_at FROM events",
    """INSERT INTO evidence(event_id, hazard_id, purpose, kind, url, created_at)
       SELECT 'ev-' || g, g, 'event', 'url', 'https://evidence.example.cn/' || g || '.jpg', :now
       FROM generate_series(1, :hazards) g""",
    # the kept figures as a ledger that grew over months has them: the load rewrites each project's
    # hazard_figures rows once per hazard in one transaction (2,000,000 dead versions, 362 MB for 60,000
    # rows), where hazard changes spread over time are pruned in place (HOT) and vacuumed (21 MB)
    "VACUUM FULL hazard_figures",
    # statistics for the planner
    "VACUUM ANALYZE",
]


def load_million(db: str, events: int, hazards: int, projects: int) -> float:
    """Fill the database by SQL; seconds it took."""
    import sqlalchemy as sa

    repo = Repository(db)
    started = time.perf_counter()
    args = {
        "cities": CITIES,
        "rules": RULES,
        "levels": LEVELS,
        "now": time.time(),
        "hazards": hazards,
        "events": events,
        "projects": projects,
        "body_head": '{"event_id":"ev-',
        "body_tail": '","rule":"crane.load","message":"1号塔吊 起重量 104%","value":104.0,"threshold":100.0,'
        '"unit":"%","details":{"load_t":2.96,"rated_load_t":2.85}}',
    }
    with repo.engine.begin() as conn:
        for sql in LOAD_SQL[:-2]:
            conn.execute(sa.text(sql), args)
        place_projects(conn)  # what add-project does for each: its district in the jurisdictions tree
    with repo.engine.connect() as conn:
        autocommit = conn.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM runs outside a transaction
        for sql in LOAD_SQL[-2:]:
            autocommit.execute(sa.text(sql))
    repo.close()
    return time.perf_counter() - started


QUERY_KINDS = ("pending", "city", "project_open", "rule_level", "all_open", "overdue", "city_page3")


def queue_filter(kind: str, rng: random.Random, projects: int = 500) -> QueueFilter:
    """What regulators ask: the default queue, by city, by project, by type and level, open, overdue, paged."""
    f = QueueFilter()
    if kind == "city":
        f.city = rng.choice(CITIES)
    elif kind == "project_open":
        f.project, f.state = code(rng.randrange(projects)), "open"
    elif kind == "rule_level":
        f.rule, f.level = rng.choice(RULES), rng.choice(LEVELS)
    elif kind == "all_open":
        f.state = "open"
    elif kind == "overdue":
        f.state, f.overdue = "rectifying", True
    elif kind == "city_page3":
        f.city, f.page = rng.choice(CITIES), 3
    return f


def bench_queue(events: int, hazards: int, queries: int, projects: int) -> None:
    with database() as db, tempfile.TemporaryDirectory() as tmp:
        loaded = load_million(db, events, hazards, projects)
        print(f"regulator_queue_events_stored: {events} events")
        print(f"regulator_queue_hazards_stored: {hazards} hazards")
        print(f"regulator_queue_projects: {projects} projects")
        print(f"regulator_queue_load_time: {loaded:.1f} s")
        repo = Repository(db, Path(tmp) / "evidence")
        review = Review(repo)
        regulator = Actor("bench", "regulator")
        rng = random.Random(7)
        for kind in QUERY_KINDS:  # warm PostgreSQL's cache and the prepared statements once
            review.queue(queue_filter(kind, rng, projects), regulator)
        times: dict[str, list[float]] = {kind: [] for kind in QUERY_KINDS}
        empty = 0
        for i in range(queries):
            kind = QUERY_KINDS[i % len(QUERY_KINDS)]
            f = queue_filter(kind, rng, projects)
            t0 = time.perf_counter()
            found = review.queue(f, regulator)
            times[kind].append(time.perf_counter() - t0)
            empty += not found.hazards
        every = [t for ts in times.values() for t in ts]
        print(f"regulator_queue_empty_answers: {empty} of {queries} queries")
        print(f"regulator_queue_query_p50: {pct(every, 50) * 1000:.1f} ms")
        print(f"regulator_queue_query_p99: {pct(every, 99) * 1000:.1f} ms")
        for kind, ts in times.items():
            print(f"regulator_queue_query_{kind}_max: {max(ts) * 1000:.1f} ms")
        bench_scoped_queue(review, queries, rng, projects)
        accounts = Accounts(repo, PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        for user, place in USER_LEVELS.items():
            accounts.add_user(user, "bench-password", "regulator", jurisdiction=place)
        repo.close()
        port = free_port()
        proc = serve(db, Path(tmp) / "evidence", port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                login(client, "bench")
                http_times = []
                for i in range(queries):
                    f = queue_filter(QUERY_KINDS[i % len(QUERY_KINDS)], rng, projects)
                    params = {k: v for k, v in dataclasses.asdict(f).items() if v not in ("", None, False)}
                    t0 = time.perf_counter()
                    r = client.get("/ui/api/hazards", params=params)
                    http_times.append(time.perf_counter() - t0)
                    r.raise_for_status()
                print(f"regulator_queue_http_p50: {pct(http_times, 50) * 1000:.1f} ms")
                print(f"regulator_queue_http_p99: {pct(http_times, 99) * 1000:.1f} ms")
            bench_ui_pages(port)
        finally:
            proc.terminate()
            proc.wait(30)


# who opens the UI's pages: the province (every bench project is in 广东省: the unscoped user), a city and a
# district (about 1/21 and 1/105 of the projects)
USER_LEVELS = {
    "bench": None,
    "bench-city": "广东省/深圳市",
    "bench-district": "广东省/深圳市/区1",
}
# what each tab of the UI asks for when it opens (regulator/static/index.html), the queue's first page first
UI_PAGES = (
    "/ui/api/hazards?state=open",
    "/ui/api/overview",
    "/ui/api/risk?page=1&page_size=20",
    "/ui/api/projects?page=1&page_size=50",
    "/ui/api/warnings",
    "/ui/api/video-set",
    "/ui/api/patrol",
    "/ui/api/incidents",
    "/ui/api/audit",
)
UI_REPEATS = 5


def login(client: httpx.Client, user: str) -> None:
    client.post("/ui/api/login", json={"username": user, "password": "bench-password"}).raise_for_status()


def bench_ui_pages(port: int) -> None:
    """Each UI page's request over HTTP, by a user at each level: the slowest of ``UI_REPEATS`` (after one
    warm-up), the goal's p99 at this sample size; and the slowest page over all."""
    worst = 0.0
    for user, place in USER_LEVELS.items():
        level = "province" if place is None else user.removeprefix("bench-")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            login(client, user)
            for page in UI_PAGES:
                client.get(page).raise_for_status()
                taken = []
                for _ in range(UI_REPEATS):
                    t0 = time.perf_counter()
                    client.get(page).raise_for_status()
                    taken.append(time.perf_counter() - t0)
                name = page.removeprefix("/ui/api/").split("?")[0].replace("-", "_")
                print(f"regulator_ui_{name}_{level}_max: {max(taken) * 1000:.0f} ms")
                worst = max(worst, *taken)
    print(f"regulator_ui_slowest_page: {worst * 1000:.0f} ms")


def bench_scoped_queue(review: Review, queries: int, rng: random.Random, projects: int) -> None:
    """The same mix of queries by a city's and a district's regulator (about 1/21 and 1/105 of the
    projects): the jurisdiction's filter (regulator/storage/scope.py) on the province's ledger."""
    for level, place in (("city", "广东省/深圳市"), ("district", "广东省/深圳市/区1")):
        actor = Actor("bench", "regulator", None, place)
        times = []
        for i in range(queries // 2):
            f = queue_filter(QUERY_KINDS[i % len(QUERY_KINDS)], rng, projects)
            t0 = time.perf_counter()
            review.queue(f, actor)
            times.append(time.perf_counter() - t0)
        print(f"regulator_queue_query_{level}_p50: {pct(times, 50) * 1000:.1f} ms")
        print(f"regulator_queue_query_{level}_p99: {pct(times, 99) * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--gateways", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each ingest phase")
    parser.add_argument(
        "--rates",
        default="250,1100",
        help="offered requests/s (events and heartbeats) of the paced phases, comma-separated",
    )
    parser.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="separate `serve` processes on their own ports (gateways spread over them)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="`serve --workers N`: processes sharing one port"
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--hazards", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--projects",
        type=int,
        default=500,
        help="projects of the queue phase (a province: 20000, with --hazards 2000000)",
    )
    parser.add_argument("--only", choices=["ingest", "queue"])
    args = parser.parse_args()
    if args.only != "queue":
        bench_ingest(
            args.gateways,
            args.seconds,
            [float(r) for r in args.rates.split(",") if r],
            args.replicas,
            args.workers,
        )
    if args.only != "ingest":
        bench_queue(args.events, args.hazards, args.queries, args.projects)


if __name__ == "__main__":
    with watched():
        main()
