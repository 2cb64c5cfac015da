"""The closed loop over real HTTP, on SQLite and on PostgreSQL: a hazard from the gateway, reviewed,
ordered, reported fixed by the site (user or gateway), closed; who may do what; the audit trail; the
site's feedback; escalation of overdue rectification; the overview."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from contract.wire import EVENTS_PATH, FEEDBACK_PATH, HEARTBEAT_PATH, READINGS_PATH, RECTIFICATIONS_PATH
from regulator.access.auth import Accounts
from regulator.ledger.review import Review
from regulator.server import RegulatorServer
from tests.regulator.support import PROJECT, SECRET, make_event, real_jpeg, signed

PASSWORD = "correct horse"
# argon2id at its lowest cost: production's default (64 MiB, 3 passes) would make each user cost ~0.5 s
# here; login verifies with whatever cost the stored hash names, so the code under test is the same
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


async def send(
    server: RegulatorServer, path: str, payload: dict[str, Any] | None, method: str = "POST", **sign: Any
) -> httpx.Response:
    body = b"" if payload is None else json.dumps(payload).encode()
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        return await client.request(
            method, path, content=body or None, headers=signed(path, body, method, **sign)
        )


async def send_event(server: RegulatorServer, **fields: Any) -> dict[str, Any]:
    event = make_event(**fields)
    r = await send(server, EVENTS_PATH, json.loads(event.model_dump_json()))
    assert r.status_code == 200, r.text
    return json.loads(event.model_dump_json())


async def signed_in(
    server: RegulatorServer, username: str, role: str, project: str | None = None
) -> httpx.AsyncClient:
    Accounts(server.repo, CHEAP).add_user(username, PASSWORD, role, project)
    client = httpx.AsyncClient(base_url=server.base_url)
    r = await client.post("/ui/api/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return client


@pytest.fixture
async def people(receiver: RegulatorServer) -> Any:
    receiver.repo.add_project("GD-GZ-2026-0002", "广州某项目", "广州", "other-secret-123", "天河区")
    clients = {
        "regulator": await signed_in(receiver, "li.jian", "regulator"),
        "site": await signed_in(receiver, "wang.gong", "project", PROJECT),
        "other_site": await signed_in(receiver, "zhao.gong", "project", "GD-GZ-2026-0002"),
        "admin": await signed_in(receiver, "root", "admin"),
    }
    yield clients
    for c in clients.values():
        await c.aclose()


async def queue(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    r = await client.get("/ui/api/hazards", params=params)
    assert r.status_code == 200, r.text
    return r.json()["hazards"]


async def test_hazard_goes_from_queue_to_closed_with_an_audit_trail(
    receiver: RegulatorServer, people: Any
) -> None:
    reg, site = people["regulator"], people["site"]
    evidence = real_jpeg("overload")
    sent = await send_event(
        receiver, alert="crane-1:crane.load:1", evidence=base64.b64encode(evidence).decode()
    )
    await send_event(receiver, alert="crane-1:crane.load:1", n=1, level="critical", value=112.0)
    [h] = await queue(reg)
    assert (h["level"], h["state"], h["city"], h["clause"]) == (
        "critical",
        "pending",
        "深圳",
        "GB 5144-2006 §6.1.2",
    )
    detail = (await reg.get(f"/ui/api/hazards/{h['id']}")).json()
    assert detail["events"][0]["event_id"] == sent["event_id"] and len(detail["events"]) == 2
    [pic] = detail["evidence"]
    assert (await reg.get(f"/ui/api/evidence/{pic['sha256']}")).content == evidence

    assert (await reg.post(f"/ui/api/hazards/{h['id']}/confirm", json={})).status_code == 200
    r = await reg.post(f"/ui/api/hazards/{h['id']}/order", json={})
    assert r.status_code == 200, r.text
    listed = (await reg.get(f"/ui/api/hazards/{h['id']}")).json()
    assert listed["major"] is True  # critical: listed supervision by default, with the major deadline
    assert listed["deadline"] == pytest.approx(time.time() + 15 * 86400, abs=60)

    no_photo = await site.post(f"/ui/api/hazards/{h['id']}/report", json={"reason": "已卸载并更换限位器"})
    assert no_photo.status_code == 422 and "photo" in no_photo.json()["error"]
    fix = real_jpeg("fixed", (30, 160, 60))
    r = await site.post(
        f"/ui/api/hazards/{h['id']}/report",
        json={
            "reason": "已卸载并更换限位器",
            "photo": "data:image/jpeg;base64," + base64.b64encode(fix).decode(),
        },
    )
    assert r.status_code == 200, r.text
    r = await reg.post(f"/ui/api/hazards/{h['id']}/reject", json={"reason": "照片看不清限位器"})
    assert r.status_code == 200
    await site.post(
        f"/ui/api/hazards/{h['id']}/report", json={"reason": "补拍", "photo": base64.b64encode(fix).decode()}
    )
    # listed (挂牌督办): closed only by a re-inspection with a photo and a note
    r = await reg.post(f"/ui/api/hazards/{h['id']}/close", json={})
    assert r.status_code == 409 and "reinspect" in r.json()["error"], r.text
    r = await reg.post(
        f"/ui/api/hazards/{h['id']}/reinspect",
        json={"passed": True, "note": "限位器已更换", "photo": base64.b64encode(fix).decode()},
    )
    assert r.status_code == 200, r.text

    final = (await reg.get(f"/ui/api/hazards/{h['id']}")).json()
    assert final["state"] == "closed" and final["closed_at"] is not None
    assert [(a["action"], a["actor"], a["to_state"]) for a in final["actions"]] == [
        ("confirm", "li.jian", "confirmed"),
        ("order", "li.jian", "rectifying"),
        ("list", "li.jian", "rectifying"),  # county
        ("list", "li.jian", "rectifying"),  # and city
        ("report", "wang.gong", "reported"),
        ("reject", "li.jian", "rectifying"),
        ("report", "wang.gong", "reported"),
        ("close", "li.jian", "closed"),
    ]
    pics = final["evidence"]
    assert [e["purpose"] for e in pics] == ["event", "rectification", "rectification", "reinspection"]
    assert (
        pics[1]["sha256"] == pics[2]["sha256"] == pics[3]["sha256"] != pics[0]["sha256"]
    )  # each cites it; the file is kept once
    assert await queue(reg) == [] and [x["id"] for x in await queue(reg, state="closed")] == [h["id"]]


async def test_who_may_do_what(receiver: RegulatorServer, people: Any) -> None:
    await send_event(receiver, alert="a-roles")
    [h] = await queue(people["regulator"])
    site, other = people["site"], people["other_site"]
    assert (await site.post(f"/ui/api/hazards/{h['id']}/confirm", json={})).status_code == 403
    assert (await other.get(f"/ui/api/hazards/{h['id']}")).status_code == 404  # another project's hazard
    assert await queue(other, state="all") == [] and len(await queue(site, state="all")) == 1
    assert (
        await people["regulator"].post(
            "/ui/api/projects", json={"code": "X", "name": "x", "secret": "12345678"}
        )
    ).status_code == 403
    assert (
        await people["admin"].post(
            "/ui/api/projects",
            json={"code": "GD-FS-2026-0003", "name": "佛山项目", "city": "佛山", "secret": "12345678"},
        )
    ).status_code == 200
    async with httpx.AsyncClient(base_url=receiver.base_url) as anonymous:
        assert (await anonymous.get("/ui/api/hazards")).status_code == 401
        bad = await anonymous.post(
            "/ui/api/login", json={"username": "li.jian", "password": "wrong password"}
        )
        assert bad.status_code == 401 and "wrong username, password" in bad.json()["error"]


async def test_dismissal_needs_a_reason_and_reaches_the_site_as_feedback(
    receiver: RegulatorServer, people: Any
) -> None:
    reg = people["regulator"]
    sent = await send_event(receiver, alert="crane-1:crane.wind:3", rule="crane.wind")
    [h] = await queue(reg)
    r = await reg.post(f"/ui/api/hazards/{h['id']}/dismiss", json={"reason": " "})
    assert r.status_code == 422 and "reason" in r.json()["error"]
    assert (
        await reg.post(f"/ui/api/hazards/{h['id']}/dismiss", json={"reason": "风速计故障，非大风"})
    ).status_code == 200
    again = await reg.post(f"/ui/api/hazards/{h['id']}/order", json={})
    assert again.status_code == 409 and "is dismissed" in again.json()["error"]
    r = await send(receiver, FEEDBACK_PATH, None, method="GET")
    assert r.status_code == 200, r.text
    [decision] = r.json()["actions"]
    assert (decision["alert_id"], decision["action"], decision["reason"]) == (
        sent["alert_id"],
        "dismiss",
        "风速计故障，非大风",
    )
    assert (await send(receiver, FEEDBACK_PATH + f"?after={decision['id']}", None, method="GET")).json()[
        "actions"
    ] == []
    unsigned = await send(receiver, FEEDBACK_PATH, None, method="GET", secret="wrong")
    assert unsigned.status_code == 401


async def test_feedback_says_when_an_order_is_listed_supervision(
    receiver: RegulatorServer, people: Any
) -> None:
    """A major hazard's order reaches the site marked 挂牌督办 (``major``); an everyday one is not."""
    reg = people["regulator"]
    for alert in ("crane-1:crane.load:1", "crane-2:crane.load:1"):
        await send_event(receiver, alert=alert)
    hazards = {h["alert_id"]: h["id"] for h in await queue(reg)}
    await reg.post(f"/ui/api/hazards/{hazards['crane-1:crane.load:1']}/order", json={"major": True})
    await reg.post(f"/ui/api/hazards/{hazards['crane-2:crane.load:1']}/order", json={"major": False})
    r = await send(receiver, FEEDBACK_PATH, None, method="GET")
    assert {(a["alert_id"], a["action"], a["major"]) for a in r.json()["actions"]} == {
        ("crane-1:crane.load:1", "order", True),
        ("crane-1:crane.load:1", "list", True),  # listed at county and city level, with their notices
        ("crane-2:crane.load:1", "order", False),
    }
    assert {n["alert_id"] for n in r.json()["notices"]} == {"crane-1:crane.load:1"}


async def test_gateway_reports_a_fix_with_its_photo(receiver: RegulatorServer, people: Any) -> None:
    reg = people["regulator"]
    sent = await send_event(
        receiver,
        alert="pit-1:ZQS-01:pit.cumulative:1",
        device="pit-1",
        point="ZQS-01",
        rule="pit.cumulative",
        clause="GB 50497-2019 §8.0.5",
    )
    [h] = await queue(reg)
    report = {
        "project": PROJECT,
        "alert_id": sent["alert_id"],
        "note": "已加设钢支撑",
        "photo": base64.b64encode(real_jpeg("strut")).decode(),
    }
    early = await send(receiver, RECTIFICATIONS_PATH, report)
    assert early.status_code == 409 and "is pending" in early.json()["error"]  # not yet ordered
    await reg.post(f"/ui/api/hazards/{h['id']}/order", json={"deadline_days": 3, "major": False})
    r = await send(receiver, RECTIFICATIONS_PATH, report)
    assert r.status_code == 200, r.text
    assert (await reg.get(f"/ui/api/hazards/{h['id']}")).json()["state"] == "reported"
    unknown = await send(receiver, RECTIFICATIONS_PATH, report | {"alert_id": "nope"})
    assert unknown.status_code == 422 and "no hazard for alert 'nope'" in unknown.json()["error"]
    not_jpeg = await send(
        receiver, RECTIFICATIONS_PATH, report | {"photo": base64.b64encode(b"GIF89a").decode()}
    )
    assert not_jpeg.status_code == 422


async def test_overdue_rectification_escalates_and_stands_out(receiver: RegulatorServer, people: Any) -> None:
    reg = people["regulator"]
    await send_event(receiver, alert="a-late")
    [h] = await queue(reg)
    await reg.post(f"/ui/api/hazards/{h['id']}/order", json={"deadline_days": 1})
    review = Review(receiver.repo)
    assert review.escalate_overdue(now=time.time()) == 0  # not yet due
    assert review.escalate_overdue(now=time.time() + 2 * 86400) == 1
    assert review.escalate_overdue(now=time.time() + 3 * 86400) == 0  # once per deadline
    detail = (await reg.get(f"/ui/api/hazards/{h['id']}")).json()
    assert detail["escalated_at"] is not None and detail["actions"][-1]["actor"] == "system"


async def test_the_running_service_escalates_on_its_own(tmp_path: Any) -> None:
    server = RegulatorServer(tmp_path / "own.sqlite", escalate_every_s=0.2)
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
    await server.start()
    try:
        reg = await signed_in(server, "li.jian", "regulator")
        await send_event(server, alert="a-due-now")
        [h] = await queue(reg)
        await reg.post(
            f"/ui/api/hazards/{h['id']}/order", json={"deadline_days": 0.5 / 86400}
        )  # due in 0.5 s
        deadline = time.monotonic() + 10
        while (await queue(reg, state="rectifying"))[0]["escalated_at"] is None:
            assert time.monotonic() < deadline, "the service never escalated the overdue hazard"
            await asyncio.sleep(0.2)
        [late] = await queue(reg, state="open", overdue=True)
        assert late["overdue"] is True
        await reg.aclose()
    finally:
        await server.stop()


async def test_overview_counts_offline_projects_and_false_alarms(
    receiver: RegulatorServer, people: Any
) -> None:
    reg = people["regulator"]
    for i in range(4):
        await send_event(receiver, alert=f"a{i}")
    hazards = await queue(reg)
    await reg.post(f"/ui/api/hazards/{hazards[0]['id']}/dismiss", json={"reason": "误报"})
    await reg.post(f"/ui/api/hazards/{hazards[1]['id']}/confirm", json={})
    beat = await send(receiver, HEARTBEAT_PATH, {"project": PROJECT, "ts": time.time()})
    assert beat.status_code == 200, beat.text
    # every project's regulator: the figures per city, each project's when its district is opened
    o = (await reg.get("/ui/api/overview")).json()
    assert o["by"] == "city"
    cities = {a["path"]: (a["projects"], a["open"], a["offline"], a["false_alarm_rate"]) for a in o["areas"]}
    assert cities == {"广东省/深圳市": (1, 3, 0, 0.5), "广东省/广州市": (1, 0, 1, None)}
    [rule] = o["rules"]
    assert (rule["rule"], rule["false_alarm_rate"]) == ("crane.load", 0.5)
    by_code: dict[str, Any] = {}
    for district in ("广东省/深圳市/南山区", "广东省/广州市/天河区"):
        opened = (await reg.get("/ui/api/overview", params={"place": district})).json()
        assert opened["by"] == "project"
        by_code |= {p["code"]: p for p in opened["projects"]}
    here, silent = by_code[PROJECT], by_code["GD-GZ-2026-0002"]
    assert (here["open"], here["pending"], here["dismissed"], here["false_alarm_rate"]) == (3, 2, 1, 0.5)
    assert here["open_by_rule"] == {"crane.load": 3} and here["open_lt_1d"] == 3
    assert (here["offline"], silent["offline"]) == (False, True)
    # a project user's overview is their project's; no place to open
    site = people["site"]
    assert [p["code"] for p in (await site.get("/ui/api/overview")).json()["projects"]] == [PROJECT]
    assert (await site.get("/ui/api/overview", params={"place": "广东省"})).status_code == 403


async def test_readings_summary_shows_around_the_hazard(receiver: RegulatorServer, people: Any) -> None:
    first = time.time() // 60 * 60 - 300  # five closed minutes, one value each, as a gateway summarises them

    def load(minute: int, second: float, value: float, metric: str = "load_t") -> dict[str, Any]:
        return {
            "device": "crane-1",
            "metric": metric,
            "ts": first + 60 * minute + second,
            "value": value,
            "unit": "t",
        }

    summary = {"project": PROJECT, "readings": [load(i, 7 + i, 2.5 + i / 10) for i in range(5)]}
    r = await send(receiver, READINGS_PATH, summary)
    assert r.status_code == 200 and r.json()["readings"] == 5
    # sent again, as a gateway does when the first answer was lost: accepted, kept once
    assert (await send(receiver, READINGS_PATH, summary)).status_code == 200
    # minute 2 summarised again after a late reading moved its peak: the new value, at its own time, replaces
    # the old one; of two values of one minute in a request the last stands; another metric is left alone
    later = {
        "project": PROJECT,
        "readings": [load(2, 58.5, 3.1), load(2, 51, 3.4), load(2, 30, 9.0, "rated_load_t")],
    }
    assert (await send(receiver, READINGS_PATH, later)).status_code == 200
    with receiver.repo.engine.connect() as db:
        kept = db.execute(sa.text("SELECT metric, ts, value FROM readings ORDER BY metric, ts")).all()
    loads = [("load_t", first + 60 * i + 7 + i, 2.5 + i / 10) for i in range(5)]
    loads[2] = ("load_t", first + 120 + 51, 3.4)
    assert [tuple(k) for k in kept] == [*loads, ("rated_load_t", first + 150, 9.0)]
    bad = await send(
        receiver,
        READINGS_PATH,
        {
            "project": PROJECT,
            "readings": [{"device": "crane-1", "metric": "load_lbs", "ts": time.time(), "value": 1}],
        },
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "readings.0.metric"
    assert "unknown metric 'load_lbs'" in bad.json()["errors"][0]["problem"]
    await send_event(receiver, alert="a-ctx")
    [h] = await queue(people["regulator"])
    detail = (await people["regulator"].get(f"/ui/api/hazards/{h['id']}")).json()
    assert [x["value"] for x in detail["readings"] if x["metric"] == "load_t"] == [2.5, 2.6, 3.4, 2.8, 2.9]


async def test_queue_is_most_severe_then_newest_and_filters(receiver: RegulatorServer, people: Any) -> None:
    now = time.time()
    await send_event(receiver, alert="old-critical", level="critical", ts=now - 3600)
    # a warning is a hazard once it persists past flood control's hold (10 min): acknowledged 11 min on
    await send_event(receiver, alert="new-warning", level="warning", ts=now - 660)
    await send_event(receiver, alert="new-warning", n=1, level="warning", state="acknowledged", ts=now)
    await send_event(receiver, alert="new-alarm", level="alarm", ts=now - 10)
    await send_event(receiver, alert="newer-alarm", level="alarm", ts=now - 5, rule="crane.tilt")
    reg = people["regulator"]
    assert [h["alert_id"] for h in await queue(reg)] == [
        "old-critical",
        "newer-alarm",
        "new-alarm",
        "new-warning",
    ]
    assert [h["alert_id"] for h in await queue(reg, rule="crane.tilt")] == ["newer-alarm"]
    assert [h["alert_id"] for h in await queue(reg, level="warning")] == ["new-warning"]
    assert await queue(reg, city="广州") == [] and len(await queue(reg, district="南山区")) == 4
    assert [h["alert_id"] for h in await queue(reg, since=now - 60, until=now - 1)] == [
        "newer-alarm",
        "new-alarm",
    ]
    assert len(await queue(reg, project=PROJECT, state="open")) == 4
    bad = await reg.get("/ui/api/hazards", params={"state": "solved"})
    assert bad.status_code == 422 and "unknown state 'solved'" in bad.json()["error"]


async def test_a_redelivered_older_event_does_not_lower_the_hazard(
    receiver: RegulatorServer, people: Any
) -> None:
    now = time.time()
    await send_event(receiver, alert="ooo", n=1, level="critical", ts=now, state="updated")
    await send_event(receiver, alert="ooo", n=0, level="warning", ts=now - 30, state="firing", backfill=True)
    [h] = await queue(people["regulator"])
    assert (h["level"], h["site_state"], h["first_ts"]) == ("critical", "updated", pytest.approx(now - 30))
    assert SECRET  # the test project's secret signed every request above
