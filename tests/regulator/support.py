"""What the delivery tests share: AlertEvents to send and a real receiver to send them to."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.alerts.event import AlertEvent
from regulator.server import RegulatorServer

PROJECT = "GD-SZ-2026-0001"
SECRET = "s3cret-for-tests"


def make_event(alert: str = "a1", n: int = 0, **fields: object) -> AlertEvent:
    """An alarm on crane-1; ``n`` (kept in details) numbers the alert's events in the order they happened."""
    base: dict[str, object] = dict(
        alert_id=alert, project=PROJECT, device="crane-1", rule="crane.load", clause="GB 5144-2006 §6.1.2",
        level="alarm", state="firing" if n == 0 else "updated", value=102.5, threshold=100.0, unit="%",
        ts=time.time(), message="1号塔吊 起重量 102.5%", details={"n": float(n), "load_t": 2.92, "rated_load_t": 2.85})
    base.update(fields)
    return AlertEvent(**base)  # type: ignore[arg-type]


@pytest.fixture
async def receiver(tmp_path: Path) -> AsyncIterator[RegulatorServer]:
    """The regulator receiver on a free port with the test project registered."""
    server = RegulatorServer(tmp_path / "regulator.sqlite")
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
    await server.start()
    yield server
    await server.stop()
