"""A gateway's state backed up while it runs and restored onto a fresh folder (issue 57 §5), through the real
CLI: `sitegw demo` queues its alerts for a regulator that is down, `sitegw backup` takes its state meanwhile,
the regulator comes up and gets everything; then `sitegw restore` onto a new folder and a gateway started on
it: every alert and outbox entry of the backup is there, what it held as undelivered reaches the regulator,
and the regulator holds no event twice."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from plumbing.sqlite import sqlite3
from tests.regulator.support import ThreadedRegulator
from tests.regulator.test_demo_delivery import cli
from tests.support import free_port

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

DEMO_PROJECT = "GD-SZ-2026-0001"  # config/examples/site.yaml
SECRET = "demo-secret-for-the-backup-test"


def ran(*args: str) -> str:
    proc = cli(*args)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    return out


def demo_args(state_dir: Path, port: int, seconds: int, secret: str = SECRET) -> list[str]:
    """`sitegw demo` for ``seconds`` on ``state_dir``, delivering to a regulator on ``port``."""
    return ["demo", "--duration", str(seconds), "--port", "0", "--no-cameras", "--state-dir", str(state_dir),
            "--regulator-url", f"http://127.0.0.1:{port}", "--regulator-secret", secret]  # fmt: skip


def demo(state_dir: Path, port: int, seconds: int) -> subprocess.Popen[str]:
    return cli(*demo_args(state_dir, port, seconds))


def rows(db: Path, query: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def outbox(state_dir: Path) -> dict[str, str]:
    """Each event of the outbox with its delivery state to the regulator; none before the gateway created it
    and its tables (the fault tests poll it from the gateway's start: on a loaded box, seconds before the file
    is there, and the file is there a moment before its tables are)."""
    db = state_dir / "outbox.sqlite"
    if not db.exists() or not rows(db, "SELECT 1 FROM sqlite_master WHERE name = 'deliveries'"):
        return {}
    return dict(
        rows(  # type: ignore[arg-type]
            db,
            "SELECT e.event_id, d.state FROM events e JOIN deliveries d ON d.seq = e.seq "
            "WHERE d.uplink = 'regulator'",
        )
    )


def wait_for(what: str, check: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def test_a_running_gateway_backed_up_and_restored_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path,
) -> None:
    live, restored, archive = tmp_path / "live", tmp_path / "restored", tmp_path / "backup.tar.gz"
    port = free_port()
    first = demo(live, port, 40)
    try:
        # the regulator is down: the alerts queue in the outbox
        wait_for(
            "alerts queued for the regulator",
            lambda: (
                (live / "outbox.sqlite").exists() and sum(s == "pending" for s in outbox(live).values()) >= 3
            ),
            60,
        )
        alerts_before = {r[0] for r in rows(live / "alerts.sqlite", "SELECT alert_id FROM alerts")}
        queued_before = set(outbox(live))
        said = ran("backup", "--state-dir", str(live), "--out", str(archive))
        assert "databases" in said, said
        # every event stored as it comes (no flood control's hold), so the events table shows them all
        with ThreadedRegulator(
            f"sqlite:///{tmp_path}/regulator.sqlite", port=port, warning_hold_s=0
        ) as regulator:
            regulator.repo.add_project(DEMO_PROJECT, "演示项目", "深圳", SECRET, "南山区", "中建某局")
            out, _ = first.communicate(timeout=120)
            assert first.returncode == 0, out
            delivered_live = outbox(live)
            assert set(delivered_live.values()) == {"delivered"}, "the live gateway caught up"

            assert "restored" in ran("restore", str(archive), "--state-dir", str(restored))
            # everything the live folder held when the backup began is in the restored one
            alerts_restored = {r[0] for r in rows(restored / "alerts.sqlite", "SELECT alert_id FROM alerts")}
            assert alerts_before <= alerts_restored <= set(delivered_live) | alerts_restored
            held = outbox(restored)
            assert queued_before <= set(held), "every outbox entry of that moment"
            assert set(held) <= set(delivered_live), "nothing the live gateway never had"
            undelivered = {e for e, state in held.items() if state == "pending"}
            assert len(undelivered) >= 3, held
            for db in restored.glob("*.sqlite"):
                assert rows(db, "PRAGMA integrity_check") == [("ok",)], db

            second = demo(restored, port, 12)
            out, _ = second.communicate(timeout=120)
            assert second.returncode == 0, out
            after = outbox(restored)
            assert all(after[e] == "delivered" for e in held), "the backup's queue is delivered"
            with regulator.repo.engine.connect() as conn:
                stored = [r[0] for r in conn.execute(sa.text("SELECT event_id FROM events"))]
            assert len(stored) == len(set(stored)), "no event stored twice"
            assert set(held) | set(delivered_live) <= set(stored), "every event at the regulator"
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()


def test_a_restore_refuses_a_folder_in_use_a_damaged_archive_and_paths_out_of_the_folder(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    with sqlite3.connect(state / "alerts.sqlite") as db:
        db.execute("CREATE TABLE alerts(alert_id TEXT)")
        db.execute("INSERT INTO alerts VALUES ('a1')")
    (state / "crane_heights.json").write_text('{"crane-1": 45.0}')
    (state / "reserve.bin").write_bytes(b"\0" * 1024)
    archive = tmp_path / "b.tar.gz"
    ran("backup", "--state-dir", str(state), "--out", str(archive))
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("MANIFEST.json").read())  # type: ignore[union-attr]
    assert {f["path"] for f in manifest["files"]} == {"alerts.sqlite", "crane_heights.json"}, manifest

    refused = cli("restore", str(archive), "--state-dir", str(state))
    out, _ = refused.communicate(timeout=60)
    assert refused.returncode == 2 and "not empty" in out, out

    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "state/crane_heights.json":
                data = b'{"crane-1": 4.5}'.ljust(len(data))
            dst.addfile(member, io.BytesIO(data))
    bad = cli("restore", str(damaged), "--state-dir", str(tmp_path / "fresh"))
    out, _ = bad.communicate(timeout=60)
    assert bad.returncode == 2 and "crane_heights.json is missing or damaged" in out, out
    assert not (tmp_path / "fresh" / "alerts.sqlite").exists(), "nothing written from a damaged archive"

    hostile = tmp_path / "hostile.tar.gz"
    # a manifest that tells the truth about a file meant to land beside the state folder
    escape = {
        "path": "../escaped.txt",
        "size": 2,
        "sha256": hashlib.sha256(b"hi").hexdigest(),
        "sqlite": False,
    }
    with tarfile.open(hostile, "w:gz") as tar:
        body = json.dumps({"format": 1, "files": [escape]}).encode()
        info = tarfile.TarInfo("MANIFEST.json")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
        info = tarfile.TarInfo("state/../escaped.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    out_of = cli("restore", str(hostile), "--state-dir", str(tmp_path / "fresh2"))
    out, _ = out_of.communicate(timeout=60)
    assert out_of.returncode == 2 and "not a path inside a state folder" in out, out
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path.parent / "escaped.txt").exists()


@pytest.mark.parametrize("newer", [2])
def test_an_archive_of_a_newer_format_is_refused_with_the_release_to_use(tmp_path: Path, newer: int) -> None:
    archive = tmp_path / "new.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        body = json.dumps({"format": newer, "release": "9.9.9", "files": []}).encode()
        info = tarfile.TarInfo("MANIFEST.json")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    proc = cli("restore", str(archive), "--state-dir", str(tmp_path / "s"))
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "sitegw 9.9.9" in out, out
