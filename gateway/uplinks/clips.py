"""Evidence clips (issue #18): a vision alert's clip goes to every regulator uplink that sends clips,
``POST {base_url}/api/v1/clips?alert_id=...`` with the VP8 WebM itself as the body, signed like events.

Clips travel behind the alerts (gateway/uplinks/behind_alerts.py), one file per alert in
``clips/<uplink>/`` of the state folder (a restart sends them) within ``vision.clip_budget_mb`` (the oldest
waiting clips are dropped beyond it, logged and counted). The regulator keeps a clip with the hazard of
its alert, so it needs the alert first: it answers 409 for a clip whose alert it has not stored yet (held
back by flood control, or still on its way), and the clip is sent again later, for up to
``EVENT_WAIT_S``; a clip whose alert never reaches the regulator is dropped then, logged.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from contract.config.uplinks import RegulatorUplink
from contract.wire import CLIP_TYPE, CLIPS_PATH, check_clip
from gateway.uplinks.behind_alerts import BehindAlertsSender
from gateway.uplinks.periodic import UplinkRetry, regulator_said
from gateway.uplinks.waiting_files import Waiting, WaitingFiles

log = logging.getLogger(__name__)

EVENT_WAIT_S = 3600.0  # how long a clip may wait for the regulator to have its alert
NOT_YET = 409  # the regulator's answer for a clip whose alert it has not stored yet
# clips named by an alert but not written yet: a worker killed mid-clip never writes its clip, so the
# oldest such names are forgotten beyond this many (a clip is written clip_post_s after its alert)
MAX_UNWRITTEN = 1000


def file_key(alert_id: str) -> str:
    """A file name for ``alert_id`` (which holds the device's name: any character): URL-safe base64."""
    return base64.urlsafe_b64encode(alert_id.encode()).decode().rstrip("=")


def alert_of(key: str) -> str:
    """The alert id a file name was made of (`file_key`); ValueError for a name that is none."""
    try:
        return base64.urlsafe_b64decode(key + "=" * (-len(key) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(f"{key!r} names no alert") from exc


def named(key: str) -> str:
    """A waiting clip's file name as log lines name it: "of alert <id>" (the name itself if it is none)."""
    try:
        return f"of alert {alert_of(key)}"
    except ValueError:
        return key


class ClipQueue(WaitingFiles):
    """One regulator uplink's waiting clips: ``<alert>.webm`` each."""

    def __init__(self, folder: Path, budget_bytes: int) -> None:
        super().__init__(folder, budget_bytes, ".webm", "evidence clip", check_clip, named)


class ClipSender(BehindAlertsSender[ClipQueue]):
    """Delivers one regulator uplink's waiting clips while its alert outbox is empty."""

    def __init__(
        self, cfg: RegulatorUplink, project: str, queue: ClipQueue, alerts_pending: Callable[[], bool]
    ) -> None:
        super().__init__(cfg, project, queue, alerts_pending, "evidence clip", CLIP_TYPE)
        self._base = cfg.base_url.rstrip("/") + CLIPS_PATH

    def put(self, alert_id: str, clip: bytes) -> None:
        """Queue ``alert_id``'s clip and wake the sender."""
        self.queue.put_body(file_key(alert_id), clip)
        self.wake()

    def url(self, item: Waiting) -> httpx.URL:
        """``/api/v1/clips?alert_id=...`` (the query is signed with the path)."""
        return httpx.URL(self._base, params={"alert_id": alert_of(item.key)})

    def refused(self, item: Waiting, r: httpx.Response) -> None:
        """A clip whose alert the regulator does not have yet is tried again (for up to EVENT_WAIT_S after
        it was queued); any other refusal drops it."""
        if r.status_code == NOT_YET and time.time() - item.stamp[0] / 1e9 < EVENT_WAIT_S:
            raise UplinkRetry(
                f"uplink {self.name!r}: the regulator has not got the alert of evidence clip "
                f"{alert_of(item.key)} yet (HTTP 409: {regulator_said(r)}); sending it again later",
                refused=False,
            )
        super().refused(item, r)


class ClipRouter:
    """Ties each vision alert's clip to the alert and queues it for every clip sender once it is written.

    The camera worker names the clip when the alert fires and writes it ``clip_post_s`` later; the alert
    manager tells the alert id (a listener of every stored change), the camera hub the finished file."""

    def __init__(self, senders: list[ClipSender], max_bytes: int) -> None:
        self._senders = senders
        self._max = max_bytes
        self._alerts: dict[str, str] = {}  # clip path -> alert id, until the clip is written

    def note(self, alert_id: str, clip_path: str) -> None:
        """The alert ``alert_id`` fired with ``clip_path`` as its clip-to-be."""
        self._alerts[clip_path] = alert_id
        while len(self._alerts) > MAX_UNWRITTEN:  # dicts keep insertion order: the oldest first
            del self._alerts[next(iter(self._alerts))]

    def written(self, clip_path: str) -> None:
        """The camera worker finished ``clip_path``: queue it for every sender."""
        alert_id = self._alerts.pop(clip_path, None)
        if alert_id is None:  # no alert was raised with it (the alert was already active)
            log.info("clips: %s belongs to no new alert; kept on the gateway only", clip_path)
            return
        try:
            clip = Path(clip_path).read_bytes()
        except OSError as exc:
            log.error("clips: cannot read %s (%s); not sent", clip_path, exc.strerror or exc)
            return
        if len(clip) > self._max:
            log.warning(
                "clips: %s is %.1f MB, over vision.clip_max_mb (%.1f MB); kept on the gateway only",
                clip_path,
                len(clip) / 1e6,
                self._max / 1e6,
            )
            return
        for sender in self._senders:
            sender.put(alert_id, clip)
