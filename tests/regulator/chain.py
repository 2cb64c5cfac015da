"""Two real regulators in a chain for the forwarding tests (regulator/forwarding/): a province's
`sitegw regulator serve` and a city's with ``--forward-to`` it, each a subprocess of the CLI on its own
PostgreSQL database, HTTP between them; the city's gateways' events are signed POSTs to the city."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import pytest
import sqlalchemy as sa

from contract.alert_event import AlertEvent
from contract.wire import EVENTS_PATH
from regulator.storage.db import create_engine
from regulator.storage.repository import Repository
from tests.e2e.test_gateway_kill import cli
from tests.regulator.support import PROJECT, SECRET, make_event, pg_database, signed
from tests.support import free_port, wait_started

CITY_ID = "SZ"
CITY_KEY = "a-city-key-for-the-tests-0123"
CITY_PLACE = "广东省/深圳市"
MAJOR_CLAUSE = "建质规〔2024〕5号 第八条(四) 起重量限制器失效"
# what the chain compares on both sides: each kind of record, as the same columns on both
LEDGER = {
    "hazards": "SELECT project, alert_id, state, level, major, class_major, deadline, closed_at FROM hazards",
    "actions": "SELECT a.project, h.alert_id, a.action, a.actor, a.from_state, a.to_state, a.ts "
    "FROM actions a JOIN hazards h ON h.id = a.hazard_id",
    "listings": "SELECT l.project, h.alert_id, l.level, l.authority, l.deadline, l.state FROM listings l "
    "JOIN hazards h ON h.id = l.hazard_id",
    "notices": "SELECT project, number, kind, deadline FROM notices",
    "incidents": "SELECT project, kind, occurred_at, description FROM incidents",
    "incident_reports": "SELECT i.description, r.to_level, r.how FROM incident_reports r "
    "JOIN incidents i ON i.id = r.incident_id",
}


@dataclass
class Regulator:
    """One `sitegw regulator serve` process on its port and database."""

    db: str
    port: int
    args: tuple[str, ...] = ()
    proc: subprocess.Popen[str] | None = None
    logs: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.spawn()
        self.ready()

    def spawn(self) -> None:
        """Start the process without waiting for it (regulators of a chain start side by side)."""
        evidence = f"/tmp/sitegw-chain-{self.port}"
        self.proc = cli(
            "regulator",
            "serve",
            "--port",
            str(self.port),
            "--db",
            self.db,
            "--evidence-dir",
            evidence,
            *self.args,
        )

    def ready(self) -> None:
        assert self.proc is not None, "ready() before spawn()"
        wait_started(self.proc, self.port, f"sitegw regulator serve on {self.db}")

    def stop(self, kill: bool = False) -> None:
        """SIGTERM (or SIGKILL) by PID and wait; the output is kept for assertion messages."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill() if kill else proc.terminate()
        out, _ = proc.communicate(timeout=30)
        self.logs.append(out)

    def rows(self, statement: str) -> list[tuple[Any, ...]]:
        engine = create_engine(self.db)
        try:
            with engine.connect() as db:
                return [tuple(r) for r in db.execute(sa.text(statement))]
        finally:
            engine.dispose()

    def repo(self) -> Repository:
        return Repository(self.db)

    def post(self, event: AlertEvent, client: httpx.Client | None = None) -> None:
        """A gateway's signed event to this regulator; its receipt."""
        body = event.model_dump_json().encode()
        send = client.post if client is not None else httpx.post
        r = send(self.url + EVENTS_PATH, content=body, headers=signed(EVENTS_PATH, body), timeout=30)
        assert r.status_code == 200, r.text

    def post_all(self, alerts: Sequence[Sequence[AlertEvent]], gateways: int = 4) -> None:
        """Each alert's events in order, ``gateways`` alerts at a time (a site's gateways post side by side):
        a backlog of hundreds is posted in a quarter of the time, each thread on a connection of its own."""

        def post_alerts(share: Sequence[Sequence[AlertEvent]]) -> None:
            with httpx.Client() as client:
                for events in share:
                    for event in events:
                        self.post(event, client)

        with ThreadPoolExecutor(gateways) as pool:
            for done in [pool.submit(post_alerts, alerts[k::gateways]) for k in range(gateways)]:
                done.result()

    def ledger(self) -> dict[str, list[tuple[Any, ...]]]:
        """Each kind of record (LEDGER) as the same columns at every level, sorted."""
        return {kind: sorted(self.rows(q), key=repr) for kind, q in LEDGER.items()}


@dataclass
class Chain:
    city: Regulator
    province: Regulator

    def post(self, event: AlertEvent) -> None:
        """A gateway's signed event to the city; its receipt."""
        self.city.post(event)

    def ledger(self, side: Regulator) -> dict[str, list[tuple[Any, ...]]]:
        return side.ledger()

    def backlog(self) -> int:
        return int(self.city.rows("SELECT COUNT(*) FROM forward_outbox")[0][0])

    def same(self) -> bool:
        """The province holds the city's ledger as the city holds it, nothing queued."""
        return self.backlog() == 0 and self.ledger(self.city) == self.ledger(self.province)

    def logs(self) -> str:
        return "\n".join(self.city.logs + self.province.logs)[-6000:]

    def kill_all(self) -> None:
        self.city.stop(kill=True)
        self.province.stop(kill=True)


class WithProvince(Protocol):
    """Any chain of regulators (two levels or three): its province."""

    @property
    def province(self) -> Regulator: ...


class Killable(Protocol):
    """A chain of regulators a failed wait stops, for their output in the failure's message."""

    def kill_all(self) -> None: ...

    def logs(self) -> str: ...


def wait(
    check: Callable[[], bool], what: str, limit_s: float, chain: Killable | None = None, every_s: float = 0.5
) -> float:
    """Poll ``check()`` every ``every_s`` until true; the seconds it took (fails the test past ``limit_s``)."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > limit_s:
            if chain is not None:  # their output, for the failure's message
                chain.kill_all()
            pytest.fail(f"{what}: not within {limit_s:.0f} s" + (f"\n{chain.logs()}" if chain else ""))
        time.sleep(every_s)
    return time.monotonic() - started


@contextmanager
def chain(province_args: tuple[str, ...] = ()) -> Iterator[Chain]:
    """A province with city SZ registered (serve given ``province_args`` too), and the city forwarding to
    it, the test project at the city."""
    with ExitStack() as stack:
        province_db, city_db = stack.enter_context(pg_database()), stack.enter_context(pg_database())
        province = Regulator(province_db, free_port(), province_args)
        add_city(province_db)
        repo = Repository(city_db)
        repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区", "中建某局")
        repo.close()
        city = Regulator(
            city_db,
            free_port(),
            (
                "--forward-to",
                province.url,
                "--forward-id",
                CITY_ID,
                "--forward-secret",
                CITY_KEY,
                "--forward-jurisdiction",
                CITY_PLACE,
            ),
        )
        province.start()
        stack.callback(province.stop, True)
        city.start()
        stack.callback(city.stop, True)
        yield Chain(city, province)


def add_city(province_db: str, *options: str) -> None:
    """The province's `add-city` of city SZ with its key (and ``options``: ``--url``)."""
    subprocess.run(
        _cli(
            "add-city",
            CITY_ID,
            "--jurisdiction",
            CITY_PLACE,
            "--secret",
            CITY_KEY,
            *options,
            "--db",
            province_db,
        ),
        check=True,
        timeout=60,
    )


def _cli(*args: str) -> list[str]:
    import sys

    return [sys.executable, "-m", "sitegw.cli", "regulator", *args]


def major(alert: str) -> AlertEvent:
    """A major hazard's alarm (the limiter failed: 重大事故隐患) on crane-1."""
    return make_event(alert, clause=MAJOR_CLAUSE, message="1号塔吊 起重量限制器失效")
