"""The regulator's decisions reach the site (issue #6): a real gateway (site file, alert manager, outbox,
regulator uplink, feedback poller, API and live stream) against a real `RegulatorServer` on SQLite.

One stand-in: the site has no devices, so each alert starts from a rule verdict handed to the gateway's
alert manager (`RuleResult`, tests/uplinks/feedback_site.py) instead of from readings; from there on every
part is the production one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from contract.config import ConfigError, LoadedSite, load_site
from contract.config.uplinks import RegulatorUplink
from gateway.alerts.store import DecisionStore
from gateway.uplinks.base import BEIJING
from gateway.uplinks.feedback import FeedbackPoller
from regulator.access.auth import Accounts
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from sitegw.runtime import Gateway
from tests.regulator.support import PROJECT, SECRET
from tests.support import free_port
from tests.uplinks.feedback_site import POLL_S, raise_alert, site

PASSWORD = "correct horse"
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # login reads the cost from the hash
DAY_S = 86400.0
FEEDBACK_LOG = "gateway.uplinks.feedback"


@contextlib.asynccontextmanager
async def gateway(loaded: LoadedSite, state_dir: Path) -> AsyncIterator[Gateway]:
    gw = Gateway(loaded, state_dir)
    await gw.start()
    try:
        yield gw
    finally:
        await gw.stop()


async def until(check: Callable[[], Awaitable[Any]], what: str, timeout: float = 10.0) -> Any:
    """The first truthy result of ``check``, polled until ``timeout``."""
    deadline = time.monotonic() + timeout
    while not (result := await check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(0.05)
    return result


async def site_api(gw: Gateway, path: str) -> Any:
    async with httpx.AsyncClient(base_url=gw.url or "", timeout=5) as client:
        r = await client.get(path)
    assert r.status_code == 200, r.text
    return r.json()


async def shown(gw: Gateway, alert_id: str, action: str) -> dict[str, Any] | None:
    """The alert as the supervisors' API lists it, once its latest regulator decision is ``action``."""
    found = [a for a in await site_api(gw, "/api/v1/alerts") if a["alert_id"] == alert_id]
    return found[0] if found and (found[0]["regulator"] or {}).get("action") == action else None


async def stream_events(gw: Gateway, kind: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    """The first ``count`` live events of type ``kind`` since this gateway started (SSE, resumed from its start)."""
    found: list[dict[str, Any]] = []
    params = {"last_event_id": f"{gw.hub.boot}.0"}
    with contextlib.suppress(TimeoutError):  # fewer than asked for: the caller's assertion says so
        async with (
            httpx.AsyncClient(base_url=gw.url or "", timeout=timeout) as client,
            asyncio.timeout(timeout),
            client.stream("GET", "/api/v1/stream", params=params) as r,
        ):
            event = ""
            async for line in r.aiter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event == kind:
                    found.append(json.loads(line.split(":", 1)[1]))
                    if len(found) == count:
                        break
    return found


async def regulator_client(server: RegulatorServer) -> httpx.AsyncClient:
    """A regulator signed in to the review UI."""
    Accounts(server.repo, CHEAP).add_user("li.jian", PASSWORD, "regulator")
    client = httpx.AsyncClient(base_url=server.base_url, timeout=10)
    r = await client.post("/ui/api/login", json={"username": "li.jian", "password": PASSWORD})
    assert r.status_code == 200, r.text
    return client


async def hazards_by_alert(reg: httpx.AsyncClient, count: int) -> dict[str, int]:
    """The regulator's hazard id of each delivered alert, once ``count`` of them arrived."""

    async def listed() -> dict[str, int] | None:
        hazards = (await reg.get("/ui/api/hazards", params={"state": "all"})).json()["hazards"]
        return {h["alert_id"]: h["id"] for h in hazards} if len(hazards) >= count else None

    return await until(listed, f"{count} alerts delivered to the regulator")


async def test_decisions_reach_the_alerts_live_and_survive_a_restart(
    receiver: RegulatorServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=FEEDBACK_LOG)
    loaded, state = site(tmp_path, receiver.base_url), tmp_path / "state"
    reg = await regulator_client(receiver)
    try:
        async with gateway(loaded, state) as gw:
            ordered, dismissed = raise_alert(gw, "crane-1"), raise_alert(gw, "crane-2")
            hazard = await hazards_by_alert(reg, 2)
            assert (await reg.post(f"/ui/api/hazards/{hazard[ordered]}/confirm", json={})).status_code == 200
            r = await reg.post(f"/ui/api/hazards/{hazard[ordered]}/order", json={"deadline_days": 10})
            assert r.status_code == 200, r.text
            deadline = r.json()["deadline"]
            r = await reg.post(
                f"/ui/api/hazards/{hazard[dismissed]}/dismiss", json={"reason": "吊钩传感器未校准，非超载"}
            )
            assert r.status_code == 200, r.text

            order = await until(lambda: shown(gw, ordered, "order"), "the order on the gateway's alert", 3)
            false_alarm = await until(
                lambda: shown(gw, dismissed, "dismiss"), "the dismissal on the gateway's alert", 3
            )
            day = datetime.fromtimestamp(deadline, BEIJING).strftime("%Y-%m-%d")
            assert order["regulator"]["deadline"] == pytest.approx(time.time() + 10 * DAY_S, abs=60)
            assert order["regulator"]["text"] == f"监管: 限期整改至 {day} | regulator: rectify by {day}"
            assert order["regulator"]["state"] == "rectifying" and order["regulator"]["actor"] == "li.jian"
            assert false_alarm["regulator"]["reason"] == "吊钩传感器未校准，非超载"
            assert false_alarm["regulator"]["text"].startswith("监管: 误报（吊钩传感器未校准，非超载）")
            # the regulator annotates: the hazards are still firing on the site, neither is resolved by it
            assert order["state"] == false_alarm["state"] == "firing"
            detail = await site_api(gw, f"/api/v1/alerts/{ordered}")
            assert [d["action"] for d in detail["decisions"]] == ["confirm", "order"]
            assert detail["alert"]["regulator"]["action"] == "order"
            newest = await site_api(gw, "/api/v1/regulator/decisions")
            assert [(d["alert_id"], d["action"]) for d in newest] == [
                (dismissed, "dismiss"),
                (ordered, "order"),
                (ordered, "confirm"),
            ]
            live = await stream_events(gw, "regulator", 3)
            assert sorted(d["action"] for d in live) == ["confirm", "dismiss", "order"]
        logged = {
            (r.levelname, r.getMessage().split(" (by")[0]) for r in caplog.records if r.name == FEEDBACK_LOG
        }
        assert ("WARNING", f"uplink 'regulator': alert {ordered} regulator: rectify by {day}") in logged
        assert (
            "INFO",
            f"uplink 'regulator': alert {dismissed} regulator: false alarm (吊钩传感器未校准，非超载)",
        ) in logged

        # while the gateway is off, the regulator escalates the order as if it were overdue
        assert receiver.review.escalate_overdue(now=time.time() + 11 * DAY_S) == 1
        async with gateway(loaded, state) as gw:
            await until(
                lambda: shown(gw, ordered, "escalate"), "the escalation made while the gateway was off", 3
            )
            await asyncio.sleep(3 * POLL_S)  # more polls: nothing comes twice
            detail = await site_api(gw, f"/api/v1/alerts/{ordered}")
            assert [d["action"] for d in detail["decisions"]] == ["confirm", "order", "escalate"]
            assert (
                detail["alert"]["regulator"]["text"]
                == "监管: 整改逾期，已升级督办 | regulator: rectification overdue, escalated"
            )
            assert len(await site_api(gw, "/api/v1/regulator/decisions")) == 4
            [escalation] = await stream_events(gw, "regulator", 2, timeout=1.5)  # only the new one is news
            assert escalation["action"] == "escalate"
    finally:
        await reg.aclose()


async def test_a_regulator_that_is_away_is_retried_and_disturbs_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=FEEDBACK_LOG)
    db, port = tmp_path / "regulator.sqlite", free_port()
    running: list[RegulatorServer] = []

    async def serve() -> RegulatorServer:
        """The regulator on the same port and database each time."""
        server = RegulatorServer(db, port=port)
        await server.start()
        running.append(server)
        return server

    try:
        server = await serve()
        server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
        async with gateway(site(tmp_path, server.base_url), tmp_path / "state") as gw:
            first = raise_alert(gw, "crane-1")
            await until(
                lambda: asyncio.to_thread(lambda: len(server.repo.events(PROJECT)) == 1), "the first delivery"
            )
            await running.pop().stop()

            await asyncio.sleep(6 * POLL_S)
            later = raise_alert(gw, "crane-2")  # the site goes on: alerts, API, live stream
            started = time.monotonic()
            listed = {a["alert_id"]: a["state"] for a in await site_api(gw, "/api/v1/alerts")}
            assert time.monotonic() - started < 1 and listed == {first: "firing", later: "firing"}
            health = await site_api(gw, "/api/v1/health")
            assert health["uplinks"]["regulator"]["depth"] == 1  # queued for when the regulator is back
            [poller] = [t for t in asyncio.all_tasks() if t.get_name() == "feedback-regulator"]
            assert not poller.done()
            away = [r for r in caplog.records if r.name == FEEDBACK_LOG and "unreachable" in r.getMessage()]
            # logged when it changed (a poll cut as the server stopped may read differently), not at each of the
            # five or so retries
            assert 1 <= len(away) <= 2 and {r.levelname for r in away} == {"WARNING"}, away
            assert "uplink 'regulator'" in away[0].getMessage()

            back = await serve()
            hazard = await asyncio.to_thread(back.review.hazard_for_alert, PROJECT, first)
            assert hazard is not None
            await asyncio.to_thread(
                back.review.act, hazard, "order", Actor("li.jian", "regulator"), deadline_days=5
            )
            # within the uplink's backoff cap (1 s) and a poll or two
            await until(lambda: shown(gw, first, "order"), "the order once the regulator is back", 4)
            await until(
                lambda: asyncio.to_thread(lambda: len(back.repo.events(PROJECT)) == 2),
                "the alert queued in the outage delivered",
            )

            async def recovery_logged() -> bool:
                return any(
                    "read again after" in r.getMessage() for r in caplog.records if r.name == FEEDBACK_LOG
                )

            await until(recovery_logged, "the poller saying it reads the feedback again", 2)
    finally:
        for server in running:
            await server.stop()


async def test_a_wrong_secret_is_logged_once_naming_the_uplink_and_the_fix(
    receiver: RegulatorServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=FEEDBACK_LOG)
    cfg = RegulatorUplink(
        name="jg-shenzhen",
        base_url=receiver.base_url,
        secret="not-the-secret",
        feedback_every_s=0.2,
        backoff_initial_s=0.1,
        backoff_max_s=0.2,
    )
    store = DecisionStore(tmp_path / "alerts.sqlite")
    task = asyncio.create_task(FeedbackPoller(cfg, PROJECT, store).run())
    try:
        await asyncio.sleep(1.2)  # several polls, all refused
        assert not task.done()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        store.close()
    errors = [r.getMessage() for r in caplog.records if r.name == FEEDBACK_LOG and r.levelno == logging.ERROR]
    assert len(errors) == 1, errors
    assert "uplink 'jg-shenzhen'" in errors[0] and "HTTP 401" in errors[0] and "bad signature" in errors[0]
    assert f"the uplink's secret is the one registered for project {PROJECT}" in errors[0]
    assert "sitegw regulator add-project" in errors[0]


def test_a_feedback_period_too_short_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    path.write_text(
        "project: {code: P}\nuplinks:\n  - {type: regulator, base_url: 'http://jg', secret: s,\n"
        "     feedback_every_s: 0.01}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_site(path)
    text = "\n".join(str(i) for i in err.value.issues)
    assert (
        "site.yaml:4: uplinks[0].feedback_every_s: feedback_every_s must be 0 (off) or at least 0.2 s" in text
    )
    off = path.read_text().replace("0.01", "0")
    path.write_text(off, encoding="utf-8")
    assert load_site(path).config.uplinks[0].feedback_every_s == 0  # type: ignore[union-attr]
