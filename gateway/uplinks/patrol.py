"""Camera patrol (远程巡查, issue #18 §1): each camera's latest analysed picture and its findings go to every
regulator uplink (default protocol) on the camera's schedule, ``POST {base_url}/api/v1/pictures`` signed
like events.

Pictures are not events and never delay one: they travel behind the alerts
(gateway/uplinks/behind_alerts.py), waiting on disk as the newest picture per camera within
``vision.patrol_budget_mb``; at most the one picture already on the wire (~40 KB) is in flight when an
alert arrives.

`PatrolSchedule` takes each camera's picture every ``patrol_every_s`` (the first as soon as the camera has
one), and at once when a regulator asks for it (the feedback poll's ``pictures_wanted``), into every
uplink's queue; `PatrolSender` delivers one uplink's queue. A picture the regulator
refuses for good (a 4xx other than 401, 408 and 429) is dropped and logged: the next one replaces it.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx

from contract.config.camera import CameraConfig
from contract.config.uplinks import RegulatorUplink
from contract.wire import PICTURES_PATH, CameraPicture
from gateway.camera_service import CameraService
from gateway.uplinks.behind_alerts import BehindAlertsSender
from gateway.uplinks.waiting_files import Waiting, WaitingFiles

log = logging.getLogger(__name__)

NO_PICTURE_RETRY_S = 2.0  # a camera without an analysed picture yet is asked again this soon


class PatrolQueue(WaitingFiles):
    """One regulator uplink's waiting patrol pictures: the newest of each camera, ``<camera>.json``."""

    def __init__(self, folder: Path, budget_bytes: int) -> None:
        super().__init__(folder, budget_bytes, ".json", "patrol picture", CameraPicture.model_validate_json)

    def put(self, picture: CameraPicture) -> None:
        """Keep ``picture`` as its camera's waiting one (replacing an older one)."""
        self.put_body(picture.camera, picture.model_dump_json().encode())


class PatrolSender(BehindAlertsSender[PatrolQueue]):
    """Delivers one regulator uplink's waiting pictures while its alert outbox is empty; a picture refused
    for good is dropped (the camera's next picture replaces it anyway)."""

    def __init__(
        self, cfg: RegulatorUplink, project: str, queue: PatrolQueue, alerts_pending: Callable[[], bool]
    ) -> None:
        super().__init__(cfg, project, queue, alerts_pending, "patrol picture", "application/json")
        self._url = httpx.URL(cfg.base_url.rstrip("/") + PICTURES_PATH)

    def url(self, item: Waiting) -> httpx.URL:
        """Every picture goes to ``/api/v1/pictures``."""
        return self._url

    def put(self, picture: CameraPicture) -> None:
        """Queue ``picture`` (replacing its camera's waiting one) and wake the sender."""
        self.queue.put(picture)
        self.wake()


class PatrolSchedule:
    """Takes each camera's latest picture into the senders' queues every ``patrol_every_s``."""

    def __init__(
        self,
        project: str,
        cameras: Sequence[CameraConfig],
        source: CameraService,
        senders: Sequence[PatrolSender],
    ) -> None:
        self._project = project
        self._cameras = {c.name: c for c in cameras if c.patrol_every_s > 0}
        self._source = source
        self._senders = senders
        self._sent_ts: dict[str, float] = {}

    def take(self, cam: CameraConfig, asked: bool = False) -> bool:
        """Queue ``cam``'s latest picture for every sender; False when it has no picture yet. On schedule a
        picture already queued is not queued again (a frozen camera's wall tile shows its age instead);
        ``asked`` by a regulator, it is (the regulator learns that it is the newest there is)."""
        shot = self._source.latest_shot(cam.name)
        if shot is None:
            return False
        if self._sent_ts.get(cam.name) == shot.ts and not asked:
            return True
        self._sent_ts[cam.name] = shot.ts
        picture = CameraPicture(
            project=self._project,
            camera=cam.name,
            taken_at=shot.ts,
            every_s=cam.patrol_every_s,
            findings=shot.findings,
            jpeg=base64.b64encode(shot.jpeg).decode(),
        )
        for sender in self._senders:
            sender.put(picture)
        return True

    def want(self, cameras: list[str]) -> None:
        """A regulator asked for these cameras' pictures now (cameras without patrol are not sent)."""
        for name in cameras:
            cam = self._cameras.get(name)
            if cam is None:
                log.warning(
                    "patrol: the regulator asked for camera %s, which sends no patrol pictures here", name
                )
            elif self.take(cam, asked=True):
                log.info("patrol: the regulator asked for camera %s's picture; sent", name)

    async def run(self) -> None:
        """Until cancelled: each camera's picture as soon as it has one, then every ``patrol_every_s``."""
        if not self._cameras:
            return
        due = dict.fromkeys(self._cameras, time.monotonic())
        while True:
            now = time.monotonic()
            for cam in self._cameras.values():
                if due[cam.name] <= now:
                    taken = self.take(cam)
                    due[cam.name] = now + (cam.patrol_every_s if taken else NO_PICTURE_RETRY_S)
            await asyncio.sleep(max(0.05, min(due.values()) - time.monotonic()))
