"""The regulator receiver over real HTTP: who gets in, what is stored, and what the sender is told."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from contract.wire import EVENTS_PATH, signed_headers
from regulator.server import RegulatorServer
from regulator.storage.repository import Repository
from tests.regulator.support import PROJECT, SECRET, make_event

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32 + b"\xff\xd9"


async def post(server: RegulatorServer, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(server.base_url + EVENTS_PATH, content=body, headers=headers)


def signed(
    body: bytes, secret: str = SECRET, project: str = PROJECT, now_ms: int | None = None
) -> dict[str, str]:
    return signed_headers(project, secret, EVENTS_PATH, body, now_ms)


async def test_signed_event_is_stored(receiver: RegulatorServer) -> None:
    event = make_event()
    r = await post(receiver, event.model_dump_json().encode(), signed(event.model_dump_json().encode()))
    assert r.status_code == 200, r.text
    assert r.json() == {"event_id": event.event_id, "status": "stored"}
    assert [s.event for s in receiver.repo.events()] == [event]


async def test_repeated_event_id_answers_2xx_and_is_stored_once(receiver: RegulatorServer) -> None:
    body = make_event().model_dump_json().encode()
    first = await post(receiver, body, signed(body))
    again = await post(receiver, body, signed(body))  # a retry: same event, fresh nonce
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["status"] == "duplicate"
    assert len(receiver.repo.events()) == 1


async def test_bad_signature_is_refused_with_reason(receiver: RegulatorServer) -> None:
    body = make_event().model_dump_json().encode()
    r = await post(receiver, body, signed(body, secret="not-the-secret"))
    assert r.status_code == 401
    assert "bad signature" in r.json()["error"]
    tampered = signed(body)
    r = await post(receiver, body.replace(b"102.5", b"12.5"), tampered)  # body changed after signing
    assert r.status_code == 401
    assert receiver.repo.events() == []


async def test_old_and_future_timestamps_are_refused(receiver: RegulatorServer) -> None:
    body = make_event().model_dump_json().encode()
    now_ms = int(time.time() * 1000)
    old = await post(receiver, body, signed(body, now_ms=now_ms - 301_000))
    future = await post(receiver, body, signed(body, now_ms=now_ms + 301_000))
    within = await post(receiver, body, signed(body, now_ms=now_ms - 280_000))
    assert (old.status_code, future.status_code, within.status_code) == (401, 401, 200)
    assert "in the past" in old.json()["error"] and "in the future" in future.json()["error"]


async def test_replayed_nonce_is_refused_even_after_a_restart(receiver: RegulatorServer) -> None:
    body = make_event().model_dump_json().encode()
    headers = signed(body)
    assert (await post(receiver, body, headers)).status_code == 200
    replay = await post(receiver, body, headers)
    assert replay.status_code == 401 and "nonce already used" in replay.json()["error"]
    await receiver.stop()
    restarted = RegulatorServer(receiver.db, port=receiver.port, evidence_dir=receiver.repo.pictures.root)
    await restarted.start()
    try:
        assert (await post(restarted, body, headers)).status_code == 401
    finally:
        await restarted.stop()


async def test_unknown_project_and_missing_headers_are_401(receiver: RegulatorServer) -> None:
    body = make_event(project="XX-0000").model_dump_json().encode()
    r = await post(receiver, body, signed(body, project="XX-0000"))
    assert r.status_code == 401 and "unknown project 'XX-0000'" in r.json()["error"]
    r = await post(receiver, body, {"Content-Type": "application/json"})
    assert r.status_code == 401 and "X-Sitegw-Signature" in r.json()["error"]


async def test_malformed_bodies_are_422_naming_the_field(receiver: RegulatorServer) -> None:
    good = json.loads(make_event().model_dump_json())
    cases = {
        b"not json at all": "(body)",
        json.dumps({k: v for k, v in good.items() if k != "alert_id"}).encode(): "alert_id",
        json.dumps(good | {"level": "severe"}).encode(): "level",
        json.dumps(good | {"colour": "red"}).encode(): "colour",
    }
    for body, field in cases.items():
        r = await post(receiver, body, signed(body))
        assert r.status_code == 422, (body, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], r.json()
    other = json.dumps(good | {"project": "GD-SZ-2026-0002"}).encode()
    r = await post(receiver, other, signed(other))
    assert r.status_code == 422 and "signed as project" in r.json()["error"]
    assert receiver.repo.events() == []


async def test_evidence_is_stored_with_the_event_or_refused(receiver: RegulatorServer) -> None:
    event = make_event(evidence=base64.b64encode(JPEG).decode())
    body = event.model_dump_json().encode()
    assert (await post(receiver, body, signed(body))).status_code == 200
    assert receiver.repo.evidence_jpeg(event.event_id) == JPEG
    [stored] = receiver.repo.events()  # the picture is kept once, on disk; the event cites its hash
    assert stored.event.evidence == "sha256:" + hashlib.sha256(JPEG).hexdigest()
    bad = make_event(evidence=base64.b64encode(b"GIF89a...").decode()).model_dump_json().encode()
    r = await post(receiver, bad, signed(bad))
    assert r.status_code == 422 and "not a JPEG" in r.json()["error"]
    assert len(receiver.repo.events()) == 1


def test_add_project_command_registers_a_secret(tmp_path: Path) -> None:
    import typer

    from regulator.cli import add_project

    app = typer.Typer()
    app.command()(add_project)
    db = f"sqlite:///{tmp_path}/reg.sqlite"
    add = ["GD-SZ-2026-0009", "--name", "测试", "--city", "深圳", "--db", db]
    # a guessable secret is refused with the way to a good one
    weak = CliRunner().invoke(app, [*add, "--secret", "abc"])
    assert weak.exit_code == 2 and "at least 16" in weak.output and "openssl rand -hex 16" in weak.output
    assert not Path(f"{tmp_path}/reg.sqlite").exists()
    result = CliRunner().invoke(app, [*add, "--secret", "k1-k1-k1-k1-k1-k1"])
    assert result.exit_code == 0, result.output
    repo = Repository(db)
    assert repo.project("GD-SZ-2026-0009").secret == "k1-k1-k1-k1-k1-k1"  # type: ignore[union-attr]
    repo.close()
    # left out: a new project gets a random secret, printed once; changing its details later keeps it
    made = CliRunner().invoke(app, ["GD-SZ-2026-0010", *add[1:]])
    assert made.exit_code == 0, made.output
    shown = made.output.split("shown only now")[1].split(": ")[-1].strip()
    assert len(shown) == 32
    again = CliRunner().invoke(app, ["GD-SZ-2026-0010", *add[1:3], "--city", "广州", "--db", db])
    assert again.exit_code == 0 and "shown only now" not in again.output, again.output
    repo = Repository(db)
    assert repo.project("GD-SZ-2026-0010").secret == shown  # type: ignore[union-attr]
    repo.close()
    bad = CliRunner().invoke(app, ["X", "--name", "n", "--db", "mysql://h/db"])
    assert bad.exit_code == 2 and "unsupported database URL 'mysql://h/db'" in bad.output
    unreachable = CliRunner().invoke(app, ["X", "--name", "n", "--db", "postgresql://nohost.invalid/db"])
    assert unreachable.exit_code == 2 and "cannot open the regulator database" in unreachable.output
