"""A regulator backed up while it serves and restored onto a fresh database and evidence folder (issue 57 §5),
on PostgreSQL (pg_dump / pg_restore) and SQLite, through the real CLI: every hazard is there in its state,
with its events, audit trail and evidence pictures; a gateway sending an event again after the restore is
answered ``duplicate``; a restore over a ledger in use is refused."""

from __future__ import annotations

import base64
import hashlib
import secrets
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import httpx
import psycopg
import pytest
import sqlalchemy as sa

from contract.wire import signed_headers
from regulator.ledger.review import Review
from regulator.server import RegulatorServer
from regulator.storage.db import create_engine
from regulator.storage.scope import Actor
from tests.regulator.support import (  # noqa: F401
    PG_ADMIN,
    PROJECT,
    SECRET,
    db_url,
    make_event,
    pg_database,
    real_jpeg,
)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

REPO = Path(__file__).resolve().parents[2]
EVENTS_PATH = "/api/v1/events"
INSPECTOR = Actor("li.jian", "regulator", None, None)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sitegw.cli", "regulator", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )


async def send(server: RegulatorServer, event_json: bytes) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        headers = signed_headers(PROJECT, SECRET, EVENTS_PATH, event_json, None)
        return await client.post(EVENTS_PATH, content=event_json, headers=headers)


def ledger(db: str) -> dict[str, list[tuple[object, ...]]]:
    """What a restore must give back: hazards with their states, events, the audit trail, evidence."""
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return {
                table: sorted(tuple(r) for r in conn.execute(sa.text(query)))
                for table, query in {
                    "hazards": "SELECT id, alert_id, state, level FROM hazards",
                    "events": "SELECT event_id, hazard_id, state, level FROM events",
                    "actions": "SELECT hazard_id, action, actor, from_state, to_state FROM actions",
                    "evidence": "SELECT event_id, sha256 FROM evidence",
                    "projects": "SELECT code, secret FROM projects",
                }.items()
            }
    finally:
        engine.dispose()


async def test_a_serving_regulator_is_backed_up_and_restored_whole(db_url: str, tmp_path: Path) -> None:
    with ExitStack() as stack:
        fresh = (
            stack.enter_context(pg_database())
            if db_url.startswith("postgresql")
            else f"sqlite:///{tmp_path}/restored/regulator.sqlite"
        )
        evidence, restored_evidence = tmp_path / "evidence", tmp_path / "restored-evidence"
        server = RegulatorServer(db_url, evidence_dir=evidence, warning_hold_s=0)
        server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区", "中建某局")
        await server.start()
        sent = []
        try:
            for i, level in enumerate(("warning", "alarm", "critical", "alarm")):
                picture = real_jpeg(f"hazard {i}")
                event = make_event(f"a{i}", level=level, evidence=base64.b64encode(picture).decode())
                body = event.model_dump_json().encode()
                assert (await send(server, body)).status_code == 200
                sent.append((body, event.event_id, picture))
            review = Review(server.repo)
            with server.repo.engine.connect() as conn:
                hazard_of = dict(conn.execute(sa.text("SELECT alert_id, id FROM hazards")).all())
            review.act(hazard_of["a1"], "confirm", INSPECTOR)
            review.act(hazard_of["a2"], "order", INSPECTOR)
            review.act(hazard_of["a3"], "dismiss", INSPECTOR, "误报：传感器检修")
            before = ledger(db_url)
            assert {h[2] for h in before["hazards"]} == {"pending", "confirmed", "rectifying", "dismissed"}

            archive = tmp_path / "ledger.tar.gz"
            done = cli("backup", "--db", db_url, "--evidence-dir", str(evidence), "--out", str(archive))
            assert done.returncode == 0, done.stderr
            assert "4 evidence files" in done.stdout, done.stdout
        finally:
            await server.stop()

        restored = cli("restore", str(archive), "--db", fresh, "--evidence-dir", str(restored_evidence))
        assert restored.returncode == 0, restored.stderr
        assert ledger(fresh) == before
        for path in evidence.rglob("*"):
            if path.is_file():
                copy = restored_evidence / path.relative_to(evidence)
                assert (
                    hashlib.sha256(copy.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest()
                )

        again = cli("restore", str(archive), "--db", fresh, "--evidence-dir", str(tmp_path / "other"))
        assert again.returncode == 2 and "not empty" in again.stderr, again.stderr

        server = RegulatorServer(fresh, evidence_dir=restored_evidence, warning_hold_s=0)
        await server.start()
        try:
            for body, event_id, picture in sent:  # a gateway whose receipts were lost sends them again
                answer = await send(server, body)
                assert answer.status_code == 200 and answer.json()["status"] == "duplicate", answer.text
                assert server.repo.evidence_jpeg(event_id) == picture, "its picture, from the restored folder"
        finally:
            await server.stop()
        assert ledger(fresh) == before, "nothing stored twice"


def test_a_backup_of_a_newer_schema_is_refused_with_the_release_to_use(tmp_path: Path) -> None:
    import json
    import tarfile

    archive = tmp_path / "newer.tar.gz"
    staged = tmp_path / "MANIFEST.json"
    staged.write_text(
        json.dumps(
            {"format": 1, "release": "9.0.0", "engine": "sqlite", "revision": "9999", "evidence_files": 0}
        )
    )
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(staged, arcname="MANIFEST.json")
    done = cli(
        "restore",
        str(archive),
        "--db",
        f"sqlite:///{tmp_path}/r.sqlite",
        "--evidence-dir",
        str(tmp_path / "e"),
    )
    assert done.returncode == 2 and "sitegw 9.0.0" in done.stderr and "9999" in done.stderr, done.stderr


@pytest.mark.parametrize("engine", ["sqlite"])
def test_a_backup_of_no_ledger_says_so(tmp_path: Path, engine: str) -> None:
    done = cli("backup", "--db", f"{engine}:///{tmp_path}/none.sqlite", "--out", str(tmp_path / "x.tar.gz"))
    assert done.returncode == 2 and "no regulator schema" in done.stderr, done.stderr


def test_a_restore_onto_a_new_server_creates_its_database(tmp_path: Path) -> None:
    """The README's bureau restores onto `--db postgresql://regulator@newdb/regulator`, a server with no such
    database yet: the restore creates it, as `add-project` does, and says so (it ended in a traceback of
    'database ... does not exist'). A server that cannot be reached is an error line, not a traceback."""
    with pg_database() as source:
        assert cli(
            "add-project", PROJECT, "--name", "示范项目", "--city", "深圳", "--secret", SECRET, "--db", source
        )
        archive = tmp_path / "ledger.tar.gz"
        done = cli("backup", "--db", source, "--evidence-dir", str(tmp_path / "ev"), "--out", str(archive))
        assert done.returncode == 0, done.stderr
        before = ledger(source)
    name = f"sitegw_test_{secrets.token_hex(4)}"
    target = f"{source.rsplit('/', 1)[0]}/{name}"
    try:
        restored = cli("restore", str(archive), "--db", target, "--evidence-dir", str(tmp_path / "restored"))
        assert restored.returncode == 0, restored.stderr
        assert f'database "{name}" did not exist: created it' in restored.stderr
        assert ledger(target) == before and before["projects"]
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    closed = "postgresql://postgres@127.0.0.1:1/regulator"  # port 1: nothing listens
    refused = cli("restore", str(archive), "--db", closed, "--evidence-dir", str(tmp_path / "other"))
    assert refused.returncode == 2 and refused.stderr.startswith("error: cannot open"), refused.stderr
    assert "Traceback" not in refused.stderr
