"""Camera patrol on the gateway's side (issue #18 §1) against a real `RegulatorServer` over real HTTP: while
the regulator is down only the newest picture of each camera waits (on disk, through a restart of the
sender), it is delivered when the regulator returns, and an alert raised while pictures wait reaches the
regulator before any of them. The pictures come from a stand-in of the camera hub (the CameraService
protocol, gateway/camera_service.py) so the test controls when each is taken; the demo's real camera is
tested end to end in tests/regulator/test_demo_delivery.py. A regulator's request for a picture reaches
the site through the feedback poll and is answered at once."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from contract.config.camera import CameraConfig
from contract.config.uplinks import RegulatorUplink
from contract.wire import CameraPicture, PictureFindings
from gateway.alerts.store import DecisionStore
from gateway.camera_service import CameraState, Shot
from gateway.outbox.service import Outbox
from gateway.uplinks.feedback import FeedbackPoller
from gateway.uplinks.patrol import PatrolQueue, PatrolSchedule, PatrolSender
from regulator.access.auth import Accounts
from regulator.server import RegulatorServer
from regulator.storage.db import create_engine
from tests.regulator.support import PROJECT, SECRET, make_event, real_jpeg
from tests.regulator.test_review import CHEAP, PASSWORD
from tests.support import free_port


class Cameras:
    """Stand-in of the shell's camera hub: the latest shot per camera, as the test sets it."""

    def __init__(self) -> None:
        self.shots: dict[str, Shot] = {}

    def show(self, camera: str, ts: float, text: str, bare_heads: int = 0) -> None:
        findings = PictureFindings(persons=2, heads=2, bare_heads=bare_heads, zones={"gate": bare_heads > 0})
        self.shots[camera] = Shot(camera, ts, real_jpeg(text), findings)

    def latest_shot(self, camera_id: str) -> Shot | None:
        return self.shots.get(camera_id)

    def cameras(self) -> list[CameraState]:
        return []

    def latest_jpeg(self, camera_id: str) -> bytes | None:
        return None

    def evidence_jpeg(self, alert_id: str) -> bytes | None:
        return None


def held(repo_url: str) -> dict[str, tuple[float, float, str]]:
    """camera -> (taken_at, received_at, findings) as the regulator's database holds them."""
    engine = create_engine(repo_url)
    try:
        with engine.connect() as db:
            rows = db.execute(
                sa.text("SELECT camera, taken_at, received_at, findings FROM camera_pictures")
            ).all()
    finally:
        engine.dispose()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


async def until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_down_uplink_keeps_newest_per_camera_and_alerts_go_first(tmp_path: Path) -> None:
    port = free_port()
    uplink = RegulatorUplink(
        base_url=f"http://127.0.0.1:{port}", secret=SECRET, backoff_initial_s=1, backoff_max_s=1
    )
    # the pictures retry far sooner than the alerts, so only the outbox check can put the alert first
    eager = uplink.model_copy(update={"backoff_initial_s": 0.05, "backoff_max_s": 0.05})
    outbox = Outbox(tmp_path / "gw", [uplink])
    await outbox.start()
    folder = tmp_path / "gw" / "patrol" / uplink.name
    alerts = partial(outbox.store.has_pending, uplink.name)
    cams = [
        CameraConfig(name=n, source="rtsp://camera.invalid/1", patrol_every_s=600) for n in ("cam-a", "cam-b")
    ]
    source = Cameras()
    sender = PatrolSender(eager, PROJECT, PatrolQueue(folder, 50_000_000), alerts)
    schedule = PatrolSchedule(PROJECT, cams, source, [sender])
    task = asyncio.create_task(sender.run())
    server: RegulatorServer | None = None
    try:
        t0 = time.time()
        source.show("cam-a", t0 - 30, "a-old")
        source.show("cam-b", t0 - 20, "b")
        assert schedule.take(cams[0]) and schedule.take(cams[1])
        source.show("cam-a", t0 - 10, "a-new", bare_heads=1)
        assert schedule.take(cams[0])
        await asyncio.sleep(0.5)  # the sender has tried the unreachable regulator meanwhile
        assert sender.queue.depth() == 2 and sender.queue.dropped == 1 and sender.sent == 0

        # the gateway restarts while the regulator is down: the waiting pictures are read back from disk
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sender = PatrolSender(eager, PROJECT, PatrolQueue(folder, 50_000_000), alerts)
        waiting = sender.queue.oldest()
        assert waiting is not None and CameraPicture.model_validate_json(waiting.body).camera == "cam-b"
        task = asyncio.create_task(sender.run())
        # an alert raised while the pictures wait
        assert outbox.put(make_event("alert-while-pictures-wait"))
        await asyncio.sleep(0.3)

        db = f"sqlite:///{tmp_path}/regulator.sqlite"
        server = RegulatorServer(db, port=port, evidence_dir=tmp_path / "evidence")
        server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
        await server.start()
        await until(lambda: sender.queue.depth() == 0 and not alerts())
        pictures = held(db)
        assert set(pictures) == {"cam-a", "cam-b"}
        assert pictures["cam-a"][0] == pytest.approx(t0 - 10)  # the newest, not the one it replaced
        assert '"bare_heads":1' in pictures["cam-a"][2]
        assert sender.sent == 2  # the replaced picture was never sent
        [event] = server.repo.events(PROJECT)
        assert event.event.alert_id == "alert-while-pictures-wait"
        assert event.received_at < min(received for _, received, _ in pictures.values())
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await outbox.stop()
        if server is not None:
            await server.stop()


async def test_queue_stays_within_its_budget(tmp_path: Path) -> None:
    """More cameras than the budget holds: the oldest waiting pictures are dropped, the newest kept."""
    jpeg = real_jpeg("budget")
    size = (
        len(CameraPicture(project=PROJECT, camera="cam-0", taken_at=0, jpeg="").model_dump_json())
        + len(jpeg) * 4 // 3
    )
    queue = PatrolQueue(tmp_path / "patrol", budget_bytes=size * 3 + size // 2)
    for k in range(6):
        queue.put(
            CameraPicture(
                project=PROJECT, camera=f"cam-{k}", taken_at=k, jpeg=base64.b64encode(jpeg).decode()
            )
        )
        await asyncio.sleep(0.01)  # distinct write times
    left = sorted(p.stem for p in (tmp_path / "patrol").glob("*.json"))
    assert left == ["cam-3", "cam-4", "cam-5"] and queue.dropped == 3


async def test_regulator_asks_for_a_picture_through_the_feedback_channel(
    receiver: RegulatorServer, tmp_path: Path
) -> None:
    """A regulator clicks 立即抓拍: the site hears it on its next feedback poll and sends the camera's latest
    picture at once, even one it already sent (the camera shows nothing newer); answered, the request ends."""
    uplink = RegulatorUplink(
        base_url=receiver.base_url, secret=SECRET, backoff_initial_s=0.05, backoff_max_s=0.1
    )
    cam = CameraConfig(name="cam-a", source="rtsp://camera.invalid/1", patrol_every_s=600)
    source = Cameras()
    sender = PatrolSender(uplink, PROJECT, PatrolQueue(tmp_path / "patrol", 50_000_000), lambda: False)
    schedule = PatrolSchedule(PROJECT, [cam], source, [sender])
    decisions = DecisionStore(tmp_path / "alerts.sqlite")
    poller = FeedbackPoller(uplink, PROJECT, decisions, on_pictures_wanted=schedule.want)
    Accounts(receiver.repo, CHEAP).add_user("li.jian", PASSWORD, "regulator")
    task = asyncio.create_task(sender.run())
    try:
        source.show("cam-a", time.time() - 5, "a")
        assert schedule.take(cam)
        await until(lambda: sender.sent == 1)
        async with (
            httpx.AsyncClient(base_url=receiver.base_url, timeout=10) as ui,
            httpx.AsyncClient(timeout=10) as gw,
        ):
            assert (
                await ui.post("/ui/api/login", json={"username": "li.jian", "password": PASSWORD})
            ).is_success
            [before] = (await ui.get("/ui/api/patrol")).json()["tiles"]
            assert before["requested_at"] is None
            assert (await ui.post(f"/ui/api/patrol/{PROJECT}/cam-z/request")).status_code == 404
            asked = await ui.post(f"/ui/api/patrol/{PROJECT}/cam-a/request")
            assert asked.status_code == 200, asked.text
            [waiting] = (await ui.get("/ui/api/patrol")).json()["tiles"]
            assert waiting["requested_at"] == pytest.approx(asked.json()["requested_at"])

            assert (
                schedule.take(cam) and sender.queue.depth() == 0
            )  # on schedule the same shot is not sent again
            await poller.poll(gw)
            await until(lambda: sender.sent == 2)
            [after] = (await ui.get("/ui/api/patrol")).json()["tiles"]
            assert after["requested_at"] is None and after["received_at"] > before["received_at"]
            await poller.poll(gw)  # answered: not asked again
            await asyncio.sleep(0.3)
            assert sender.sent == 2
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        decisions.close()


async def test_a_picture_refused_for_good_is_dropped_not_retried(
    receiver: RegulatorServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    uplink = RegulatorUplink(base_url=receiver.base_url, secret=SECRET)
    sender = PatrolSender(uplink, PROJECT, PatrolQueue(tmp_path / "patrol", 50_000_000), lambda: False)
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 64).decode()
    sender.put(CameraPicture(project=PROJECT, camera="cam-a", taken_at=time.time(), jpeg=png))
    task = asyncio.create_task(sender.run())
    try:
        await until(lambda: sender.queue.dropped == 1)
        assert sender.sent == 0 and sender.queue.depth() == 0
        assert "the patrol picture cam-a was dropped: the regulator refused it (HTTP 415" in caplog.text
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
