"""An edge box whose clock is wrong still delivers its hazards to the real regulator receiver.

The regulator refuses a timestamp more than 5 minutes off its clock (401); the uplink learns the
regulator's time from its answers' Date header and signs with it (events, heartbeats, summaries,
feedback, patrol pictures, self-checks), so an event refused that way is retried, not dead-lettered as if the
secret were wrong. Only the gateway's clock is moved: the uplink
modules' ``time`` is swapped for one an hour ahead (the receiver in this process keeps the true one).
"""

from __future__ import annotations

import base64
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from contract import wire
from contract.config.uplinks import RegulatorUplink
from gateway.alerts.store import DecisionStore
from gateway.uplinks import heartbeat, server_clock
from gateway.uplinks.base import PermanentFailure, TransientFailure
from gateway.uplinks.feedback import FeedbackPoller
from gateway.uplinks.periodic import UplinkRetry
from gateway.uplinks.regulator import RegulatorAdapter
from regulator.server import RegulatorServer
from tests.regulator.support import PROJECT, SECRET, last_seen, make_event
from tests.uplinks.picture_and_check import deliver_picture_and_check


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def clock_an_hour_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    ahead = SimpleNamespace(time=lambda: time.time() + 3600)
    for module in (server_clock, wire, heartbeat):  # wire: signed_headers, which signs every request
        monkeypatch.setattr(module, "time", ahead)


@pytest.mark.usefixtures("clock_an_hour_ahead")
async def test_an_event_refused_for_the_clock_is_retried_with_the_regulators_time(
    receiver: RegulatorServer,
) -> None:
    adapter = RegulatorAdapter(RegulatorUplink(base_url=receiver.base_url, secret=SECRET))
    event = make_event()
    try:
        with pytest.raises(TransientFailure, match="off the regulator's clock"):
            await adapter.send(event)
        await adapter.send(event)  # signed with the regulator's time now
    finally:
        await adapter.close()
    assert [s.event.event_id for s in receiver.repo.events(PROJECT)] == [event.event_id]


@pytest.mark.usefixtures("clock_an_hour_ahead")
async def test_heartbeats_learn_the_regulators_time_too(receiver: RegulatorServer) -> None:
    cfg = RegulatorUplink(base_url=receiver.base_url, secret=SECRET)
    async with httpx.AsyncClient() as client:
        assert not await heartbeat.send_heartbeat(client, cfg, PROJECT, outbox_depth=0)  # 401: an hour off
        assert await heartbeat.send_heartbeat(client, cfg, PROJECT, outbox_depth=0)
    assert last_seen(receiver) is not None


async def test_a_wrong_secret_with_a_right_clock_is_still_refused_for_good(receiver: RegulatorServer) -> None:
    adapter = RegulatorAdapter(RegulatorUplink(base_url=receiver.base_url, secret="not-the-secret"))
    try:
        with pytest.raises(PermanentFailure, match="bad signature"):
            await adapter.send(make_event())
    finally:
        await adapter.close()


@pytest.mark.usefixtures("clock_an_hour_ahead")
async def test_patrol_pictures_self_checks_and_feedback_polls_are_signed_with_the_regulators_time(
    receiver: RegulatorServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Found in review: these signed with the box's clock, so an hour off they got 401 until it was right."""
    cfg = RegulatorUplink(
        base_url=receiver.base_url, secret=SECRET, backoff_initial_s=0.05, backoff_max_s=0.1
    )
    async with httpx.AsyncClient() as client:  # the first request of all teaches the regulator's time
        poller = FeedbackPoller(cfg, PROJECT, DecisionStore(tmp_path / "decisions.sqlite"))
        with pytest.raises(UplinkRetry, match="off its clock") as refused:
            await poller.poll(client)
        assert not refused.value.refused  # tried again, not logged as a wrong secret
        assert await poller.poll(client) == []

    await deliver_picture_and_check(cfg, tmp_path)
    assert "HTTP 401" not in caplog.text  # neither was ever refused: the poll had taught the time
