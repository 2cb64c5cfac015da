"""Camera patrol (远程巡查, issue #18 §1): each camera's latest analysed picture and its findings go to every
regulator uplink (default protocol) on the camera's schedule, ``POST {base_url}/api/v1/pictures`` signed
like events.

Pictures are not events and never delay one:

- they have their own queue (gateway/uplinks/patrol_queue.py: newest picture per camera, on disk, within
  ``vision.patrol_budget_mb``) and their own task and connection, so a picture upload never holds an
  alert's request back in any queue of the gateway;
- a picture is sent only while the uplink's alert outbox has nothing pending (checked before each
  picture: between two alert deliveries, never during a backlog), so on a slow 4G uplink an alert never
  shares the link with a queue of pictures; at most the one picture already on the wire (~40 KB) is
  in flight when an alert arrives.

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

import httpx

from contract.config.camera import CameraConfig
from contract.config.uplinks import RegulatorUplink
from contract.wire import PICTURES_PATH, CameraPicture
from gateway.camera_service import CameraService
from gateway.outbox.backoff import backoff_delay
from gateway.uplinks.base import http_client
from gateway.uplinks.patrol_queue import PatrolQueue, Waiting
from gateway.uplinks.periodic import Failures, UplinkRetry, regulator_said
from gateway.uplinks.signed_request import signed_request

log = logging.getLogger(__name__)

ALERTS_CHECK_S = 0.2  # how often a picture waiting behind alerts looks at the outbox again
NO_PICTURE_RETRY_S = 2.0  # a camera without an analysed picture yet is asked again this soon


class PatrolSender:
    """Delivers one regulator uplink's waiting pictures while its alert outbox is empty."""

    def __init__(
        self, cfg: RegulatorUplink, project: str, queue: PatrolQueue, alerts_pending: Callable[[], bool]
    ) -> None:
        self._cfg = cfg
        self.name = cfg.name
        self._project = project
        self.queue = queue
        self._alerts_pending = alerts_pending
        self._wake = asyncio.Event()
        self._url = httpx.URL(cfg.base_url.rstrip("/") + PICTURES_PATH)
        self.sent = 0

    def put(self, picture: CameraPicture) -> None:
        """Queue ``picture`` (replacing its camera's waiting one) and wake the sender."""
        self.queue.put(picture)
        self._wake.set()

    async def run(self) -> None:
        """Send until cancelled: oldest waiting picture first, after the alerts, backing off on failures."""
        failures = Failures()
        async with http_client(self._cfg.timeout_s, self._cfg.tls) as client:
            while True:
                if self.queue.oldest() is None:
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                await self._behind_alerts()
                item = self.queue.oldest()  # read again: a newer picture may have replaced it meanwhile
                if item is None:
                    continue
                try:
                    delivered = await self._send(client, item)
                except UplinkRetry as exc:
                    level = logging.ERROR if exc.refused else logging.WARNING
                    failures.report(log, str(exc), level, exc.outage)
                    await asyncio.sleep(
                        backoff_delay(failures.count, self._cfg.backoff_initial_s, self._cfg.backoff_max_s)
                    )
                    continue
                if ended := failures.cleared():
                    log.info(
                        "uplink %r: patrol pictures go through again after %d failures", self._cfg.name, ended
                    )
                self.queue.done(item)
                if delivered:
                    self.sent += 1
                else:
                    self.queue.dropped += 1

    async def _behind_alerts(self) -> None:
        """Return once the uplink's alert outbox has nothing pending (polled: the outbox is another
        task's sqlite file, and a picture may wait as long as alerts flow)."""
        while True:
            if not self._alerts_pending():
                return
            await asyncio.sleep(ALERTS_CHECK_S)

    async def _send(self, client: httpx.AsyncClient, item: Waiting) -> bool:
        """POST one picture: True when the regulator took it, False when it refused it for good (logged);
        UplinkRetry when trying again may help."""
        r = await signed_request(client, self._cfg, self._project, self._url, item.body, "patrol picture")
        if r.is_success:
            return True
        # refused for good (too large, not a JPEG, an old regulator without the endpoint): the camera's next
        # picture replaces it anyway, so it is dropped rather than retried forever
        log.error(
            "uplink %r: the regulator refused camera %s's patrol picture (HTTP %d: %s); dropped",
            self._cfg.name,
            item.picture.camera,
            r.status_code,
            regulator_said(r),
        )
        return False


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
