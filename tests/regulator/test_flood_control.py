"""Flood control (#16 item 4) over real HTTP, signed like a gateway, on SQLite and PostgreSQL: a site
flapping a warning 1,000 times makes no ledger hazard and one counter of 1,000 episodes; a warning
still open past the hold becomes a hazard (by the site's times, or by the regulator's clock when the
site says nothing more); an alarm always does at once, and takes its alert's earlier warning with it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from contract.alert_event import AlertEvent
from contract.wire import EVENTS_PATH
from regulator.server import RegulatorServer
from tests.regulator.support import PROJECT, SECRET, make_event, signed
from tests.regulator.test_review import signed_in

# 20 s or more of the whole suite's time: in make test-slow, to keep make test within CI's 20 minutes
pytestmark = pytest.mark.slow

# short, so the regulator's clock passes it within the test, yet well above how long one request may take
# on a loaded machine (a warning whose resolution the regulator has not heard of within it is promoted)
HOLD_S = 6.0
FLAPS = 1000


@pytest.fixture
async def receiver(db_url: str, tmp_path: Path) -> AsyncIterator[RegulatorServer]:
    """The regulator with a hold of HOLD_S and its upkeep every 0.2 s."""
    async for server in serving(db_url, tmp_path, HOLD_S):
        yield server


@pytest.fixture
async def as_shipped(db_url: str, tmp_path: Path) -> AsyncIterator[RegulatorServer]:
    """The regulator with the default hold (10 minutes) and its upkeep every 0.2 s."""
    async for server in serving(db_url, tmp_path, None):
        yield server


async def serving(db_url: str, tmp_path: Path, hold_s: float | None) -> AsyncIterator[RegulatorServer]:
    hold = {} if hold_s is None else {"warning_hold_s": hold_s}
    server = RegulatorServer(db_url, evidence_dir=tmp_path / "evidence", escalate_every_s=0.2, **hold)
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
    await server.start()
    yield server
    await server.stop()


def wind(alert: str, state: str, ts: float, level: str = "warning", **fields: Any) -> AlertEvent:
    """An event of a crane's wind alert as the gateway sends it."""
    return make_event(
        alert=alert,
        rule="crane.wind",
        level=level,
        state=state,
        ts=ts,
        value=12.0 if level == "warning" else 20.5,
        threshold=10.8 if level == "warning" else 20.0,
        unit="m/s",
        clause="JGJ 276-2012 §3.0.12",
        message=f"1号塔吊 风速 {'12' if level == 'warning' else '20.5'} m/s",
        **fields,
    )


async def deliver(client: httpx.AsyncClient, event: AlertEvent) -> str:
    body = event.model_dump_json().encode()
    r = await client.post(EVENTS_PATH, content=body, headers=signed(EVENTS_PATH, body))
    assert r.status_code == 200, r.text
    return str(r.json()["status"])


async def ledger(reg: httpx.AsyncClient) -> list[dict[str, Any]]:
    r = await reg.get("/ui/api/hazards", params={"state": "all", "page_size": 500})
    assert r.status_code == 200, r.text
    return r.json()["hazards"]  # type: ignore[no-any-return]


def held_events(server: RegulatorServer) -> int:
    with server.repo.engine.connect() as db:
        return int(db.execute(sa.text("SELECT COUNT(*) FROM held_events")).scalar_one())


async def test_a_warning_flapping_1000_times_is_one_counter_and_no_hazard(
    as_shipped: RegulatorServer,
) -> None:
    receiver = as_shipped
    start = time.time() - 3600
    sent: list[AlertEvent] = []

    async def flap(gw: httpx.AsyncClient, episodes: range) -> None:
        for i in episodes:  # each episode: warned, and resolved 2 s later (site time)
            alert, t = f"crane-1:crane.wind:{i + 1}", start + 3 * i
            for event in (wind(alert, "firing", t), wind(alert, "resolved", t + 2)):
                assert await deliver(gw, event) == "stored"
                sent.append(event)

    async with httpx.AsyncClient(base_url=receiver.base_url) as gw:
        # eight senders at once (as a gateway's outbox after an outage and its live events would), so the
        # 2,000 requests take seconds, not minutes; each episode's events in order
        await asyncio.gather(*(flap(gw, range(k, FLAPS, 8)) for k in range(8)))
        # a redelivered event is a duplicate, counted once
        body = sent[0].model_dump_json().encode()
        again = await gw.post(EVENTS_PATH, content=body, headers=signed(EVENTS_PATH, body))
        assert again.json()["status"] == "duplicate"
    await asyncio.sleep(1)  # the upkeep ran a few times meanwhile: counted episodes are never promoted
    reg = await signed_in(receiver, "li.jian", "regulator")
    try:
        assert await ledger(reg) == []
        stats = (await reg.get("/ui/api/warnings")).json()
    finally:
        await reg.aclose()
    assert (stats["hold_s"], stats["held_now"]) == (600.0, 0)  # nothing left waiting
    assert [
        (c["project"], c["rule"], c["rule_name"], c["episodes"], c["events"]) for c in stats["counts"]
    ] == [(PROJECT, "crane.wind", "塔吊大风", FLAPS, 2 * FLAPS)]
    assert held_events(receiver) == 2 * FLAPS  # every accepted event kept
    assert {s.event.event_id for s in receiver.repo.events()} == {e.event_id for e in sent}


async def test_warnings_past_the_hold_and_alarms_become_hazards(receiver: RegulatorServer) -> None:
    now = time.time()
    async with httpx.AsyncClient(base_url=receiver.base_url) as gw:
        # 1: open, and the site says nothing more: the regulator's clock passes the hold
        await deliver(gw, wind("crane-1:crane.wind:1", "firing", now))
        # 2: acknowledged by the site after the hold (site time): a hazard at once
        await deliver(gw, wind("crane-2:crane.wind:1", "firing", now - 100, device="crane-2"))
        await deliver(
            gw, wind("crane-2:crane.wind:1", "acknowledged", now - 100 + HOLD_S + 1, device="crane-2")
        )
        # 3: an alarm, at once
        await deliver(gw, wind("crane-3:crane.wind:1", "firing", now, level="alarm", device="crane-3"))
        # 4: a warning that escalates: the alarm opens the hazard, the warning joins it
        await deliver(gw, wind("crane-4:crane.wind:1", "firing", now - 1, device="crane-4"))
        await deliver(gw, wind("crane-4:crane.wind:1", "updated", now, level="alarm", device="crane-4"))
        # 5: resolved within the hold: counted only
        await deliver(gw, wind("crane-5:crane.wind:1", "firing", now - 50, device="crane-5"))
        await deliver(gw, wind("crane-5:crane.wind:1", "resolved", now - 49, device="crane-5"))
    reg = await signed_in(receiver, "li.jian", "regulator")
    try:
        at_once = {h["device"] for h in await ledger(reg)}
        assert {"crane-2", "crane-3", "crane-4"} <= at_once
        assert not at_once & {"crane-1", "crane-5"}
        deadline = time.monotonic() + HOLD_S + 10
        while "crane-1" not in {h["device"] for h in await ledger(reg)} and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        hazards = {h["device"]: h for h in await ledger(reg)}
        assert set(hazards) == {"crane-1", "crane-2", "crane-3", "crane-4"}
        assert (hazards["crane-1"]["level"], hazards["crane-1"]["site_state_name"]) == (
            "warning",
            "现场报警中",
        )
        assert hazards["crane-2"]["site_state_name"] == "现场已确认处理"
        escalated = hazards["crane-4"]
        while escalated["first_ts"] != pytest.approx(now - 1) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)  # the upkeep moves the held warning into the alarm's hazard
            escalated = {h["device"]: h for h in await ledger(reg)}["crane-4"]
        detail = (await reg.get(f"/ui/api/hazards/{escalated['id']}")).json()
        assert [(e["state"], e["level"]) for e in detail["events"]] == [
            ("firing", "warning"),
            ("updated", "alarm"),
        ]
        assert escalated["level"] == "alarm" and escalated["first_ts"] == pytest.approx(now - 1)
        stats = (await reg.get("/ui/api/warnings")).json()
        assert [(c["episodes"], c["events"]) for c in stats["counts"]] == [(1, 2)]
        assert stats["held_now"] == 0
    finally:
        await reg.aclose()
