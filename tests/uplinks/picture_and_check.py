"""Deliver one patrol picture and one self-check through their senders' own loops, as `sitegw run` does: the
part the clock and TLS tests share (tests/uplinks/test_regulator_clock.py, test_tls_uplink.py)."""

from __future__ import annotations

import base64
import time
import uuid
from pathlib import Path

from contract.config.uplinks import RegulatorUplink
from contract.self_check import SelfCheck
from contract.wire import CameraPicture
from gateway.uplinks.patrol import PatrolQueue, PatrolSender
from gateway.uplinks.self_checks import SelfCheckOutbox, SelfCheckSender
from tests.regulator.support import PROJECT, real_jpeg
from tests.support import run_until


async def deliver_picture_and_check(cfg: RegulatorUplink, folder: Path) -> None:
    """Send a camera picture, then a self-check, to ``cfg``'s regulator; fail unless the picture was taken
    and the check got the regulator's receipt within the timeout."""
    pictures = PatrolSender(cfg, PROJECT, PatrolQueue(folder / "patrol", 50_000_000), lambda: False)
    jpeg = base64.b64encode(real_jpeg("gate")).decode()
    pictures.put(CameraPicture(project=PROJECT, camera="cam-a", taken_at=time.time(), jpeg=jpeg))
    await run_until(pictures.run(), lambda: pictures.sent == 1)
    checks = SelfCheckOutbox(folder / "self_checks.sqlite", [cfg.name])
    checks.put(
        SelfCheck(check_id=str(uuid.uuid4()), project=PROJECT, description="临边无防护", found_by="安全员")
    )
    try:
        await run_until(SelfCheckSender(cfg, PROJECT, checks).run(), lambda: checks.oldest(cfg.name) is None)
        assert checks.listing()[0].deliveries[0].state == "delivered"  # on the regulator's receipt
    finally:
        checks.close()
