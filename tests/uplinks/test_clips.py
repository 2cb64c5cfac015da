"""Evidence clips on the gateway's side (issue #18) against a real `RegulatorServer` on PostgreSQL over real
HTTP: a clip waits on disk while the regulator is down, through a restart of the gateway's sender, and
arrives once, after its alert; the waiting clips stay within their disk budget, oldest dropped first and
counted; a clip whose alert never reaches the regulator is given up after EVENT_WAIT_S. The whole chain
from a camera (a real gateway, an RTSP camera, the vision worker) is tests/uplinks/test_clips_e2e.py."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from functools import partial
from pathlib import Path

import pytest
import sqlalchemy as sa

from contract.config import load_site
from contract.config.uplinks import RegulatorUplink
from gateway.outbox.service import Outbox
from gateway.uplinks.clips import EVENT_WAIT_S, MAX_UNWRITTEN, ClipQueue, ClipRouter, ClipSender, file_key
from regulator.server import RegulatorServer
from regulator.storage.db import create_engine
from tests.regulator.support import PROJECT, SECRET, make_event, pg_database, real_webm
from tests.support import free_port
from tests.uplinks.feedback_site import ThreadedGateway
from tests.uplinks.test_patrol import until

ALERT = f"{PROJECT}:pit-cam:whole-frame:vision.zone_intrusion:1"


def clips_held(db_url: str) -> list[tuple[str, float, int]]:
    """(alert_id, created_at, size) of every clip the regulator keeps."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as db:
            rows = db.execute(
                sa.text(
                    "SELECT h.alert_id, e.created_at, e.size FROM evidence e JOIN hazards h ON h.id = e.hazard_id "
                    "WHERE e.purpose = 'clip'"
                )
            ).all()
    finally:
        engine.dispose()
    return [(r[0], r[1], r[2]) for r in rows]


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_regulator_down_across_a_restart_the_clip_arrives_once_after_its_alert(tmp_path: Path) -> None:
    port = free_port()
    uplink = RegulatorUplink(
        base_url=f"http://127.0.0.1:{port}", secret=SECRET, backoff_initial_s=0.05, backoff_max_s=0.2
    )
    outbox = Outbox(tmp_path / "gw", [uplink])
    await outbox.start()
    folder = tmp_path / "gw" / "clips" / uplink.name
    alerts = partial(outbox.store.has_pending, uplink.name)
    clip = real_webm(tmp_path / "cam")
    sender = ClipSender(uplink, PROJECT, ClipQueue(folder, 50_000_000), alerts)
    task = asyncio.create_task(sender.run())
    server: RegulatorServer | None = None
    with pg_database() as db:
        try:
            assert outbox.put(make_event(ALERT))  # the alert, then its clip, while the regulator is down
            sender.put(ALERT, clip)
            await asyncio.sleep(0.5)
            assert sender.queue.depth() == 1 and sender.sent == 0
            # the gateway restarts: the clip is read back from disk
            await stop(task)
            sender = ClipSender(uplink, PROJECT, ClipQueue(folder, 50_000_000), alerts)
            waiting = sender.queue.oldest()
            assert waiting is not None and waiting.body == clip and waiting.key == file_key(ALERT)
            task = asyncio.create_task(sender.run())
            await asyncio.sleep(0.3)

            server = RegulatorServer(db, port=port, evidence_dir=tmp_path / "evidence")
            server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
            await server.start()
            await until(lambda: sender.queue.depth() == 0 and not alerts())
            [(alert_id, clip_at, size)] = clips_held(db)
            assert alert_id == ALERT and size == len(clip) and sender.sent == 1
            [event] = server.repo.events(PROJECT)
            assert event.event.alert_id == ALERT and event.received_at < clip_at
        finally:
            await stop(task)
            await outbox.stop()
            if server is not None:
                await server.stop()


async def test_waiting_clips_stay_within_their_budget(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clip = real_webm(tmp_path / "cam")
    queue = ClipQueue(tmp_path / "clips" / "regulator", budget_bytes=len(clip) * 3 + len(clip) // 2)
    with caplog.at_level(logging.WARNING):
        for k in range(5):
            queue.put_body(file_key(f"alert-{k}"), clip)
            await asyncio.sleep(0.01)  # distinct write times
    left = sorted(p.stem for p in (tmp_path / "clips" / "regulator").glob("*.webm"))
    assert left == sorted(file_key(f"alert-{k}") for k in (2, 3, 4)) and queue.dropped == 2
    assert caplog.text.count("was dropped to stay within") == 2


def test_clips_never_written_are_forgotten_beyond_a_bound(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A camera worker killed mid-clip never writes the clip its alert named: the router forgets the
    oldest such names beyond MAX_UNWRITTEN instead of holding them for ever; the newest still go out."""
    sender = ClipSender(
        RegulatorUplink(base_url="http://127.0.0.1:9", secret=SECRET),
        PROJECT,
        ClipQueue(tmp_path / "clips", 50_000_000),
        lambda: False,
    )
    router = ClipRouter([sender], 8_000_000)
    paths = [str(tmp_path / f"clip-{k}.webm") for k in range(MAX_UNWRITTEN + 1)]
    for k, path in enumerate(paths):
        router.note(f"alert-{k}", path)
    Path(paths[0]).write_bytes(real_webm(tmp_path / "cam"))
    Path(paths[-1]).write_bytes(Path(paths[0]).read_bytes())
    with caplog.at_level(logging.INFO):
        router.written(paths[0])  # its name was forgotten: kept on the gateway only
        router.written(paths[-1])
    assert "belongs to no new alert" in caplog.text
    assert (
        sender.queue.depth() == 1
        and (tmp_path / "clips" / f"{file_key(f'alert-{MAX_UNWRITTEN}')}.webm").exists()
    )


async def test_a_clip_whose_alert_never_arrives_is_given_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The regulator answers 409 while it has no hazard for the clip's alert: the clip is kept and sent again;
    once it has waited EVENT_WAIT_S it is dropped, logged and counted."""
    with pg_database() as db:
        server = RegulatorServer(db, evidence_dir=tmp_path / "evidence")
        server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
        await server.start()
        uplink = RegulatorUplink(
            base_url=server.base_url, secret=SECRET, backoff_initial_s=0.05, backoff_max_s=0.1
        )
        sender = ClipSender(uplink, PROJECT, ClipQueue(tmp_path / "clips", 50_000_000), lambda: False)
        task = asyncio.create_task(sender.run())
        try:
            with caplog.at_level(logging.WARNING):
                sender.put("never-sent", real_webm(tmp_path / "cam"))
                await until(lambda: "has not got the alert of evidence clip never-sent" in caplog.text)
                assert sender.queue.depth() == 1 and sender.queue.dropped == 0
                [waiting] = (tmp_path / "clips").glob("*.webm")
                old = time.time() - EVENT_WAIT_S - 60
                os.utime(waiting, (old, old))  # as if it had waited an hour
                await until(lambda: sender.queue.depth() == 0)
            assert sender.queue.dropped == 1 and sender.sent == 0
            assert "the evidence clip" in caplog.text and "HTTP 409" in caplog.text
            assert clips_held(db) == []
        finally:
            await stop(task)
            await server.stop()


def test_clips_go_to_the_regulator_uplinks_that_take_them(tmp_path: Path) -> None:
    """Clips are on by default for a regulator uplink; ``clips: false`` keeps them from that one."""
    path = tmp_path / "site.yaml"
    path.write_text(
        f"""\
project: {{code: {PROJECT}, name: 示范项目, city: 深圳}}
uplinks:
  - {{type: regulator, name: city, base_url: "http://127.0.0.1:9", secret: {SECRET}}}
  - {{type: regulator, name: district, base_url: "http://127.0.0.1:9", secret: {SECRET}, clips: false}}
vision:
  cameras: [{{name: pit-cam, source: "rtsp://127.0.0.1:9/none", patrol_every_s: 0}}]
api: {{host: 127.0.0.1, port: 0}}
""",
        encoding="utf-8",
    )
    with ThreadedGateway(load_site(path), tmp_path / "gw") as gw:
        assert gw.clip_stats() == {"city": {"waiting": 0, "sent": 0, "dropped": 0}}
        assert sorted(p.name for p in (tmp_path / "gw" / "clips").iterdir()) == ["city"]
