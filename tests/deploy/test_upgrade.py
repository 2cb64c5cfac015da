"""An upgrade keeps every record (issue 57 §4): the previous release, run from its own source as an operator
ran it, leaves a gateway's state folder and a regulator's PostgreSQL ledger full of what must survive; this
release then runs over the same folder and database.

- The gateway: the previous release's demo queues its alerts for a regulator that is down and its readings for
  an InfluxDB-compatible server that is down, a supervisor is added, the high formwork's pour is under way.
  After the upgrade every queued event reaches the regulator once, the spool drains into the server, the
  supervisor and the pour are still there.
- The regulator: the previous release's `serve` holds hazards in every state of the closed loop (pending,
  confirmed, rectifying, reported, closed, dismissed). This release's `serve` migrates the ledger to its newest
  revision and shows each hazard as it was; the gateway's events sent again are duplicates.
- The regulator on a PostgreSQL primary with a synchronous streaming standby (pg_auto_failover, as deployed):
  the upgrade's migrations run on the primary and the standby replays them, holding every hazard and event.
- A downgrade is refused with a clear message: a state folder or a ledger written by a newer release.

The previous release is the commit named below, read from this repository's history (`git archive`)."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from contract.wire import signed_headers
from regulator.storage.db import create_engine, head
from tests.gateway.test_backup import demo_args, outbox
from tests.regulator.support import make_event, pg_database, real_jpeg
from tests.servers.influx import VictoriaMetrics
from tests.servers.pg_ha import MISSING, PgAutoFailover
from tests.support import free_port, wait_port

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

REPO = Path(__file__).resolve().parents[2]
# release 0.1.0: main as it stood before the release that versions, backs up and refuses downgrades
PREVIOUS = "837aeaa"
DEMO_PROJECT = "GD-SZ-2026-0001"  # config/examples/site.yaml
SECRET = "a-secret-the-upgrade-test-uses"
PASSWORD = "correct horse 9"


def previous_release(tmp_path: Path) -> Path:
    """The previous release's source tree, unpacked from git."""
    tree = tmp_path / "previous"
    tree.mkdir()
    archive = tmp_path / "previous.tar"
    made = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", "-o", str(archive), PREVIOUS],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, (
        f"the previous release {PREVIOUS} is not in this clone's history: {made.stderr}"
    )
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def sitegw(release: Path | None, *args: str, password: str = "") -> subprocess.Popen[str]:
    """`sitegw ARGS` of ``release``'s source tree (None: this release); ``password``: what `users add` asks."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(release or REPO)
    if password:
        env["SITEGW_PASSWORD"] = password
    return subprocess.Popen(
        [sys.executable, "-m", "sitegw.cli", *args],
        cwd=release or REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def done(release: Path | None, *args: str, code: int = 0, password: str = "") -> str:
    proc = sitegw(release, *args, password=password)
    out, _ = proc.communicate(timeout=240)
    assert proc.returncode == code, out[-3000:]
    return out


def spooled(state: Path) -> int:
    spool = state / "influx-spool"
    return sum(1 for p in spool.rglob("*") if p.is_file() and p.stat().st_size > 0) if spool.exists() else 0


def demo(release: Path | None, state: Path, seconds: int, regulator_port: int, influx_url: str) -> str:
    return done(release, *demo_args(state, regulator_port, seconds, SECRET), "--influx-url", influx_url)


def test_a_gateways_state_survives_the_upgrade_and_a_downgrade_is_refused(tmp_path: Path) -> None:
    previous = previous_release(tmp_path)
    state, port = tmp_path / "state", free_port()
    victoria = VictoriaMetrics(tmp_path / "victoria")  # its port kept, the server not started yet
    done(
        previous, "users", "add", "ops", "--role", "supervisor", "--state-dir", str(state), password=PASSWORD
    )
    demo(previous, state, 30, port, victoria.url)
    queued = outbox(state)
    assert queued and set(queued.values()) == {"pending"}, queued
    assert spooled(state) > 0, "readings wait in the spool for the InfluxDB that is down"
    pour = json.loads((state / "pours.json").read_text(encoding="utf-8"))["formwork-1"]
    assert pour["active"] == "start", pour
    upgraded_at = time.time()

    db = f"sqlite:///{tmp_path}/regulator.sqlite"
    done(None, "regulator", "add-project", DEMO_PROJECT, "--name", "演示项目", "--city", "深圳",
         "--secret", SECRET, "--db", db)  # fmt: skip
    serve = sitegw(None, "regulator", "serve", "--port", str(port), "--db", db, "--warning-hold-min", "0",
                   "--optional-second-factor")  # fmt: skip
    victoria.start()
    try:
        wait_port(port, timeout=60)
        demo(None, state, 15, port, victoria.url)
        after = outbox(state)
        assert all(after[e] == "delivered" for e in queued), "every event the previous release queued"
        engine = create_engine(db)
        with engine.connect() as conn:
            stored = [r[0] for r in conn.execute(sa.text("SELECT event_id FROM events"))]
        engine.dispose()
        assert set(queued) <= set(stored) and len(stored) == len(set(stored)), "each once at the regulator"
        assert spooled(state) == 0, "the spool drained"
        exported = httpx.get(
            victoria.url + "/api/v1/export", params={"match[]": '{__name__=~".+"}'}, timeout=30
        )
        before = [ts for line in exported.text.splitlines() if line for ts in json.loads(line)["timestamps"]]
        assert sum(ts / 1000 < upgraded_at for ts in before) > 100, "the previous release's readings arrived"
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.communicate(timeout=60)
        victoria.stop()
    assert "ops" in done(None, "users", "list", "--state-dir", str(state)), "the supervisor is still there"
    kept = json.loads((state / "pours.json").read_text(encoding="utf-8"))["formwork-1"]
    assert kept["active"] == "start" and kept["ts"] == pour["ts"], "the pour is still under way, as started"
    assert json.loads((state / "STATE.json").read_text())["schema"] >= 1

    # a newer release's folder (a layout this release does not know): refused, said plainly, left as it was
    (state / "STATE.json").write_text(json.dumps({"schema": 99, "release": "9.0.0"}))
    out = done(
        None, "demo", "--duration", "5", "--port", "0", "--no-cameras", "--state-dir", str(state), code=2
    )
    assert "sitegw 9.0.0" in out and "downgrade" in out, out
    assert json.loads((state / "STATE.json").read_text())["schema"] == 99


def upgrade_a_ledger(tmp_path: Path, db: str) -> list[sa.Row[tuple[str, str, str]]]:
    """The previous release's regulator on ``db`` holds a hazard in every state of the closed loop; this
    release's `serve` then migrates ``db`` and shows each as it was. The hazards before the upgrade."""
    previous = previous_release(tmp_path)
    setup = [
        ("add-project", DEMO_PROJECT, "--name", "演示项目", "--city", "深圳", "--district", "南山区",
         "--secret", SECRET),
        ("add-user", "li.jian", "--role", "regulator", "--all", "--password", PASSWORD),
        ("add-user", "site", "--role", "project", "--project", DEMO_PROJECT, "--password", PASSWORD),
    ]  # fmt: skip
    for args in setup:
        done(previous, "regulator", *args, "--db", db)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    serving = ("--port", str(port), "--db", db, "--evidence-dir", str(tmp_path / "evidence"),
               "--optional-second-factor", "--warning-hold-min", "0")  # fmt: skip
    old = sitegw(previous, "regulator", "serve", *serving)
    events = [make_event(f"a{i}", project=DEMO_PROJECT) for i in range(6)]
    try:
        wait_port(port, timeout=60)
        with httpx.Client(base_url=url, timeout=30) as gateway:
            for event in events:
                body = event.model_dump_json().encode()
                headers = signed_headers(DEMO_PROJECT, SECRET, "/api/v1/events", body, None)
                assert gateway.post("/api/v1/events", content=body, headers=headers).status_code == 200
        with httpx.Client(base_url=url, timeout=30) as ui, httpx.Client(base_url=url, timeout=30) as site:
            assert (
                ui.post("/ui/api/login", json={"username": "li.jian", "password": PASSWORD}).status_code
                == 200
            )
            assert (
                site.post("/ui/api/login", json={"username": "site", "password": PASSWORD}).status_code == 200
            )
            ids = {
                h["alert_id"]: h["id"]
                for h in ui.get("/ui/api/hazards", params={"state": "all"}).json()["hazards"]
            }
            photo = {"reason": "已整改，附照片", "photo": base64.b64encode(real_jpeg("ok")).decode()}
            steps = [
                (ui, "a1", "confirm", {}),
                (ui, "a2", "order", {}),
                (ui, "a3", "order", {}),
                (site, "a3", "report", photo),
                (ui, "a4", "order", {}),
                (site, "a4", "report", photo),
                (ui, "a4", "close", {}),
                (ui, "a5", "dismiss", {"reason": "误报：传感器检修"}),
            ]
            for who, alert, action, body in steps:
                answer = who.post(f"/ui/api/hazards/{ids[alert]}/{action}", json=body)
                assert answer.status_code == 200, (alert, action, answer.text)
    finally:
        old.send_signal(signal.SIGTERM)
        old.communicate(timeout=60)
    engine = create_engine(db)
    query = sa.text("SELECT alert_id, state, level FROM hazards ORDER BY alert_id")
    with engine.connect() as conn:
        before = conn.execute(query).all()
        actions_before = conn.execute(sa.text("SELECT COUNT(*) FROM actions")).scalar()
    assert {r[1] for r in before} == {
        "pending",
        "confirmed",
        "rectifying",
        "reported",
        "closed",
        "dismissed",
    }

    new = sitegw(None, "regulator", "serve", *serving)
    try:
        wait_port(port, timeout=90)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == head()
            assert conn.execute(query).all() == before, "every hazard as it was"
            assert conn.execute(sa.text("SELECT COUNT(*) FROM actions")).scalar() >= actions_before
        with httpx.Client(base_url=url, timeout=30) as gateway:
            for event in events:  # a gateway that lost its receipts across the upgrade sends them again
                body = event.model_dump_json().encode()
                headers = signed_headers(DEMO_PROJECT, SECRET, "/api/v1/events", body, None)
                answer = gateway.post("/api/v1/events", content=body, headers=headers)
                assert answer.json()["status"] == "duplicate", answer.text
        with httpx.Client(base_url=url, timeout=30) as ui:
            signed_in = ui.post("/ui/api/login", json={"username": "li.jian", "password": PASSWORD})
            assert signed_in.status_code == 200, "the previous release's users sign in"
    finally:
        new.send_signal(signal.SIGTERM)
        new.communicate(timeout=60)
        engine.dispose()
    return before


def test_a_regulators_ledger_survives_the_upgrade_and_a_downgrade_is_refused(tmp_path: Path) -> None:
    with pg_database() as db:
        upgrade_a_ledger(tmp_path, db)

        # a ledger a newer release migrated: this release does not touch it
        engine = create_engine(db)
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
        engine.dispose()
        out = done(None, "regulator", "serve", "--port", str(free_port()), "--db", db, "--evidence-dir",
                   str(tmp_path / "evidence"), code=2)  # fmt: skip
        assert "newer than this release" in out and "9999" in out, out


@pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
def test_a_regulator_on_a_primary_with_a_standby_upgrades_and_the_standby_follows(tmp_path: Path) -> None:
    """The production setup (deploy/pg_auto_failover): the ledger on a primary with a synchronous streaming
    standby, the regulator on the multi-host URL. The upgrade migrates the primary; the standby replays the
    migrations and holds every hazard and event as the primary does, so a failover after the upgrade, or the
    read-only regulator on the standby, loses nothing."""
    cluster = PgAutoFailover()
    try:
        cluster.start()
        before = upgrade_a_ledger(tmp_path, cluster.url)
        primary = cluster.primary_port()
        standby = next(p for p in cluster.ports if p != primary)
        on_primary, on_standby = (
            create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/{cluster.database}")
            for port in (primary, standby)
        )
        hazards = sa.text("SELECT alert_id, state, level FROM hazards ORDER BY alert_id")
        ledger = sa.text(
            "SELECT (SELECT version_num FROM alembic_version), (SELECT COUNT(*) FROM events),"
            " (SELECT COUNT(*) FROM actions), (SELECT COUNT(*) FROM users)"
        )
        with on_primary.connect() as conn:
            written = conn.execute(ledger).one()
            assert written[0] == head() and written[1] == 6, written
        with on_standby.connect() as conn:
            assert conn.execute(sa.text("SELECT pg_is_in_recovery()")).scalar() is True, "a standby still"
            # synchronous: the commit is on the standby's disk when the primary answers; replaying it is a moment
            deadline = time.monotonic() + 30
            while (followed := conn.execute(ledger).one()) != written and time.monotonic() < deadline:
                conn.rollback()
                time.sleep(0.2)
            assert followed == written, f"the standby has {followed}, the primary {written}"
            assert conn.execute(hazards).all() == before, "every hazard on the standby as it was"
        on_primary.dispose()
        on_standby.dispose()
    finally:
        cluster.stop()
