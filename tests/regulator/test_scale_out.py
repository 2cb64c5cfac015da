"""The regulator at scale: several API processes on one port (``serve --workers``), and what a gateway
sees when PostgreSQL drops the service's connections (a restart, a failover)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import psycopg

from contract.wire import EVENTS_PATH, FEEDBACK_PATH, HEARTBEAT_PATH, Heartbeat
from drivers.ports import free_tcp_port
from regulator.ledger.review import Review
from regulator.server import RegulatorServer
from regulator.storage.repository import Repository
from tests.regulator.support import PG_ADMIN, PROJECT, SECRET, make_event, pg_database, signed

ROOT = Path(__file__).resolve().parents[2]


def post_event(client: httpx.Client | None, base: str, n: int, alert: str = "a1") -> httpx.Response:
    """Sign and send the ``n``-th event of ``alert`` as a gateway does (a fresh nonce per attempt)."""
    body = make_event(alert, n, event_id=f"{alert}-{n}").model_dump_json().encode()
    send = client.post if client is not None else httpx.post
    return send(f"{base}{EVENTS_PATH}", content=body, headers=signed(EVENTS_PATH, body), timeout=10)


def worker_pids(parent: int) -> set[int]:
    """uvicorn's worker processes under ``parent`` (multiprocessing's resource tracker is not one)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if ppid == parent and b"resource_tracker" not in cmdline:
            found.add(int(stat.parent.name))
    return found


def test_workers_share_one_port_and_a_dead_worker_is_replaced(tmp_path: Path) -> None:
    """`serve --workers 2`: both processes take requests on the one port, every event is stored once,
    and a worker killed mid-service is replaced while the other keeps answering."""
    with pg_database() as db:
        repo = Repository(db, tmp_path / "evidence")
        repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
        repo.close()
        port = free_tcp_port()
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
                str(tmp_path / "evidence"),
                "--workers",
                "2",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base, proc)
            workers = _wait_workers(proc.pid, 2)
            # separate connections, as separate gateways: the kernel spreads them over both workers
            answers = [post_event(None, base, n) for n in range(40)]
            assert [a.status_code for a in answers] == [200] * 40, [
                a.text for a in answers if a.status_code != 200
            ]
            os.kill(min(workers), signal.SIGKILL)
            deadline = time.monotonic() + 30
            late = []
            while len(worker_pids(proc.pid) - {min(workers)}) < 2:
                late.append(post_event(None, base, 40 + len(late)))  # the survivor serves meanwhile
                assert time.monotonic() < deadline, "uvicorn did not replace the killed worker"
                time.sleep(0.2)
            assert all(a.status_code == 200 for a in late), [a.text for a in late]
            more = [post_event(None, base, 1000 + n) for n in range(10)]
            assert all(a.status_code == 200 for a in more)
        finally:
            proc.send_signal(signal.SIGINT)
            out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0, out
        assert "Traceback" not in out, out
        repo = Repository(db)
        try:
            ids = [e.event.event_id for e in repo.events()]
            assert len(ids) == len(set(ids)) == 40 + len(late) + 10
        finally:
            repo.close()


async def until_stored(send: Callable[[], Awaitable[httpx.Response]]) -> list[int]:
    """The statuses of up to 5 attempts (the outbox's retries, each with a fresh nonce) until one is 200;
    every refusal on the way a 503 that says the database is unavailable."""
    statuses = []
    for _ in range(5):
        answer = await send()
        statuses.append(answer.status_code)
        if answer.status_code == 200:
            break
        assert answer.status_code == 503, answer.text
        assert "database unavailable" in answer.json()["error"]
    return statuses


async def test_database_connections_dropped_get_503_then_the_retry_is_stored(tmp_path: Path) -> None:
    """PostgreSQL kills the service's connections (as a restart does): a request caught in it is answered
    503 with a reason, never 500 or a stored-but-unanswered guess, and the gateway's retry is stored once;
    on both of the service's pools (events and heartbeats on the event loop's, the feedback poll on the
    worker threads')."""
    with pg_database() as db:
        server = RegulatorServer(db, evidence_dir=tmp_path / "evidence")
        server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
        await server.start()
        try:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:

                async def send(n: int) -> httpx.Response:
                    body = make_event("a1", n, event_id=f"a1-{n}").model_dump_json().encode()
                    return await client.post(EVENTS_PATH, content=body, headers=signed(EVENTS_PATH, body))

                assert (await send(0)).status_code == 200
                with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                    killed = admin.execute(
                        "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = %s AND pid <> pg_backend_pid()",
                        (db.rsplit("/", 1)[1],),
                    ).fetchone()
                assert killed is not None and killed[0] >= 1
                assert (await until_stored(lambda: send(1)))[-1] == 200
                assert (await send(2)).status_code == 200

                async def beat() -> httpx.Response:
                    body = Heartbeat(project=PROJECT, ts=time.time()).model_dump_json().encode()
                    return await client.post(
                        HEARTBEAT_PATH, content=body, headers=signed(HEARTBEAT_PATH, body)
                    )

                assert (await until_stored(beat))[-1] == 200

                async def feedback() -> httpx.Response:
                    return await client.get(FEEDBACK_PATH, headers=signed(FEEDBACK_PATH, b"", "GET"))

                assert (await until_stored(feedback))[-1] == 200
            ids = [e.event.event_id for e in server.repo.events()]
            assert ids == ["a1-0", "a1-1", "a1-2"]
            assert Review(server.repo).hazard_for_alert(PROJECT, "a1") is not None
        finally:
            await server.stop()


def _wait_healthy(base: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("the regulator did not start")


def _wait_workers(parent: int, n: int) -> set[int]:
    deadline = time.monotonic() + 30
    while len(found := worker_pids(parent)) < n:
        assert time.monotonic() < deadline, f"expected {n} worker processes, found {found}"
        time.sleep(0.2)
    return found
