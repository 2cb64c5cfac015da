"""Issue #19, tried as a new user would: a second `sitegw demo` on the same state folder, pointed at
another regulator (`--regulator-url`). The alerts still open from the first run (crane-2's expired
licence: critical, never resolved) must reach the new platform, although the first run's embedded
receiver already took them; the log says so. Everything is the real CLI: the demo and
`sitegw regulator serve` as subprocesses. Two demo runs cost half a minute, so it runs in `make faults`
(the fault of a platform that changes), not `make test`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from regulator.storage.repository import Repository
from tests.e2e.test_gateway_kill import PROJECT, REPO, SECRET, cli, gateway_events, start_receiver
from tests.support import free_port


@pytest.mark.slow
def test_open_alerts_reach_a_new_regulator(tmp_path: Path) -> None:
    state = tmp_path / "state"
    first = cli("demo", "--port", "0", "--no-cameras", "--state-dir", str(state), "--duration", "15")
    out, _ = first.communicate(timeout=120)
    assert first.returncode == 0, out
    first_run = gateway_events(state)
    opened = [e for e in first_run if e["rule"] == "crane.operator"]
    assert [e["state"] for e in opened] == ["firing"]
    assert opened[0]["delivery"]["regulator"]["state"] == "delivered"  # to the embedded receiver

    db = f"sqlite:///{tmp_path / 'new-regulator.sqlite'}"
    add = [sys.executable, "-m", "sitegw.cli", "regulator", "add-project", PROJECT, "--name", "demo"]
    subprocess.run([*add, "--city", "深圳", "--secret", SECRET, "--db", db], cwd=REPO, check=True, timeout=60)
    port = free_port()
    receiver = start_receiver(db, port, tmp_path / "evidence")
    try:
        second = cli(
            "demo",
            "--port",
            "0",
            "--no-cameras",
            "--state-dir",
            str(state),
            "--duration",
            "12",
            "--regulator-url",
            f"http://127.0.0.1:{port}",
            "--regulator-secret",
            SECRET,
        )
        out, _ = second.communicate(timeout=120)
        assert second.returncode == 0, out
    finally:
        receiver.kill()
        receiver.wait(10)
    assert "platform changed from embedded receiver" in out and f"to http://127.0.0.1:{port}" in out, out
    stored = {s.event.event_id for s in Repository(db).events(PROJECT)}
    assert opened[0]["event_id"] in stored, "the new regulator never heard of the critical alert still firing"
    # the alerts the first run saw end stay with the first platform (the outbox test pins it too)
    last = {e["alert_id"]: e["state"] for e in first_run}
    closed = {e["event_id"] for e in first_run if last[e["alert_id"]] == "resolved"}
    assert not closed & stored
