"""What the regulator and delivery tests share: AlertEvents to send, a real receiver to send them to
(SQLite, or a fresh PostgreSQL database of its own), signed requests, and a real JPEG."""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import cv2
import numpy as np
import psycopg
import pyotp
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, sync_playwright

from contract.alert_event import AlertEvent
from contract.wire import signed_headers
from regulator.server import RegulatorServer
from regulator.storage.db import create_engine, migrate
from regulator.storage.event_sql import _event_args
from tests.servers.browser import CHROMIUM_ARGS, chromium_path
from vision.evidence import ClipRecorder, EvidenceStore

PROJECT = "GD-SZ-2026-0001"
SECRET = "s3cret-for-tests"
# a hazard as the 0002 release wrote it (no peak columns yet), kept once per alert
HAZARD_0002 = (
    "INSERT INTO hazards(project, alert_id, city, district, device, point, rule, clause, level, level_rank, "
    "message, value, threshold, unit, site_state, first_ts, last_ts, evidence_event, state, updated_at) "
    "VALUES (:p, :alert_id, '深圳', '', :device, :point, :rule, :clause, :l, :rank, :message, :value, "
    ":threshold, :unit, :s, :ts, :ts, :evidence_event, 'pending', :now) "
    "ON CONFLICT (project, alert_id) DO UPDATE SET last_ts = excluded.last_ts RETURNING id"
)
PG_ADMIN = os.environ.get("SITEGW_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def make_event(alert: str = "a1", n: int = 0, **fields: object) -> AlertEvent:
    """An alarm on crane-1; ``n`` (kept in details) numbers the alert's events in the order they happened."""
    base: dict[str, object] = {
        "alert_id": alert,
        "project": PROJECT,
        "device": "crane-1",
        "rule": "crane.load",
        "clause": "GB 5144-2006 §6.1.2",
        "level": "alarm",
        "state": "firing" if n == 0 else "updated",
        "value": 102.5,
        "threshold": 100.0,
        "unit": "%",
        "ts": time.time(),
        "message": "1号塔吊 起重量 102.5%",
        "details": {"n": float(n), "load_t": 2.92, "rated_load_t": 2.85},
    }
    base.update(fields)
    return AlertEvent(**base)


def event_number(event: AlertEvent) -> float:
    """The ``n`` that numbers an alert's events in their details (make_event's, or a test gateway's)."""
    n = event.details["n"]
    assert isinstance(n, int | float), f"event {event.event_id}: details n is {n!r}, not a number"
    return float(n)


def last_seen(server: RegulatorServer, project: str = PROJECT) -> float | None:
    """When the regulator last heard from ``project``'s gateway (None: never); the project is registered."""
    found = server.repo.project(project)
    assert found is not None, f"project {project} is not registered at the regulator"
    return found.last_seen_at


def older_ledger(db_url: str, revision: str, hazard_row: str, events: list[AlertEvent]) -> sa.Engine:
    """A database at schema ``revision`` holding the test project and a hazard per event, each written with
    ``hazard_row`` (the statement that release wrote hazards with)."""
    engine = create_engine(db_url)
    migrate(engine, revision)
    with engine.begin() as db:
        db.execute(
            sa.text(
                "INSERT INTO projects(code, name, city, secret, created_at) VALUES (:p, '示范项目', '深圳', :s, 1)"
            ),
            {"p": PROJECT, "s": SECRET},
        )
        for event in events:
            db.execute(sa.text(hazard_row), _event_args(event, None, None, 1.0, 1.0))
    return engine


def real_jpeg(text: str = "sitegw", colour: tuple[int, int, int] = (40, 90, 200)) -> bytes:
    """A real 320x240 JPEG (OpenCV-encoded) a browser can decode."""
    img = np.full((240, 320, 3), colour, np.uint8)
    cv2.putText(img, text, (20, 130), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (255, 255, 255), 2)
    ok, buf = cv2.imencode(".jpg", img)
    assert ok
    return buf.tobytes()


def real_webm(folder: Path, seconds: float = 2.0, fps: int = 8, text: str = "clip") -> bytes:
    """A real VP8 WebM clip as a camera worker writes it (vision/evidence.py's ClipRecorder): a white
    square moving over ``seconds`` at ``fps``, 320x240."""
    recorder = ClipRecorder(EvidenceStore(folder, 10_000_000), pre_s=0.0, post_s=seconds)
    recorder.start(0.0, f"{text}.webm")
    written: list[Path] = []
    for i in range(int(seconds * fps) + 1):
        img = np.full((240, 320, 3), (40, 90, 200), np.uint8)
        cv2.rectangle(img, (10 + 8 * i, 100), (50 + 8 * i, 140), (255, 255, 255), -1)
        cv2.putText(img, text, (20, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2)
        written += recorder.push(i / fps, img)
    [clip] = written
    return clip.read_bytes()


def signed(
    path: str,
    body: bytes,
    method: str = "POST",
    secret: str = SECRET,
    project: str = PROJECT,
    now_ms: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The X-Sitegw-* headers of any gateway request (events, heartbeat, readings, rectifications, feedback)."""
    return signed_headers(project, secret, path, body, now_ms, method, nonce)


@contextmanager
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database ``sitegw_test_<random>``, dropped afterwards; its URL."""
    name = f"sitegw_test_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_ADMIN} ({exc}): run scripts/setup-test-env.sh "
            "or set SITEGW_TEST_PG"
        )
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def receiver(tmp_path: Path) -> AsyncIterator[RegulatorServer]:
    """The regulator receiver on a free port with the test project registered (SQLite)."""
    server = RegulatorServer(tmp_path / "regulator.sqlite")
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A regulator database URL: the embedded SQLite default, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/regulator.sqlite"
    else:
        with pg_database() as url:
            yield url


class ThreadedRegulator:
    """A RegulatorServer on its own event loop in a thread, for synchronous tests (Playwright)."""

    def __init__(self, db: str, **options: Any) -> None:
        self._db = db
        # serve's default on PostgreSQL is ./regulator-evidence, in the clone: a folder of its own unless given
        self._evidence = (
            None if "evidence_dir" in options else tempfile.TemporaryDirectory(prefix="evidence-")
        )
        if self._evidence is not None:
            options["evidence_dir"] = Path(self._evidence.name)
        self._options = options
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.server: RegulatorServer

    def __enter__(self) -> RegulatorServer:
        self._thread.start()
        self.server = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(60)
        return self.server

    async def _start(self) -> RegulatorServer:
        server = RegulatorServer(self._db, **self._options)
        await server.start()
        return server

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        if self._evidence is not None:
            self._evidence.cleanup()


@contextmanager
def own_chromium(**context: Any) -> Iterator[Page]:
    """A page of a Chromium of its own (``context``: Playwright's new_context options).

    Not the shared session-scoped fixture (tests/servers/browser.py): it leaves Playwright's event loop
    set as running in the main thread, and every asyncio test after it fails."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser.new_context(**context).new_page()
        finally:
            browser.close()


class Authenticator:
    """A phone's authenticator app for ``secret``, as a user types its codes: the regulator accepts each code
    once (regulator/access/second_factor.py), so each sign-in takes a code of a later time step than the last
    one typed, waiting for the app's next code when the steps the server accepts (the one before now's, now's
    and the next) are spent."""

    def __init__(self, secret: str) -> None:
        self.totp = pyotp.TOTP(secret)
        self.last_step = -1

    @classmethod
    def of(cls, otpauth_uri: str) -> Authenticator:
        """The app that scanned an ``otpauth://`` URI."""
        return cls(parse_qs(urlsplit(otpauth_uri).query)["secret"][0])

    def code(self) -> str:
        """The next code not typed yet: the server takes the step before now's too (a phone's clock), unless
        that one is about to fall out of its window."""
        while True:
            now = time.time()
            now_step = int(now // 30)
            step = max(self.last_step + 1, now_step - 1 if now % 30 < 25 else now_step)
            if step <= now_step + 1:
                self.last_step = step
                return self.totp.generate_otp(step)
            time.sleep(0.5)
