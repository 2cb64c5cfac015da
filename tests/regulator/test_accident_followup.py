"""Accidents on the clock (issue 39 part 2) on real PostgreSQL over real HTTP: the 24 h clock to the
province's accident-reporting system and the 48 h clock to the national platform, stopped by a report that
says who, when and how (by hand, forwarded from the level below, the national export sent); a report past
its deadline is kept as late (迟报) with how late; an overdue clock is an alert to the authority's
supervisors (and to no other district's); an accident whose investigation (60 days) or penalty (75 days,
configurable) is not finished is proposed for 挂牌督办或申请提级调查; the 四不放过 checklist closes the
incident only when all four steps are done. Hours and days are written here from the regulation."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from regulator.access.auth import Accounts
from regulator.ledger.accident_followup import FollowupPolicy
from regulator.server import RegulatorServer
from tests.regulator.support import pg_database
from tests.regulator.test_incidents import clocks, record
from tests.regulator.test_jurisdictions import FT, NS
from tests.regulator.test_review import CHEAP, PASSWORD

H = 3600.0
DAY = 24 * H


async def people_of(server: RegulatorServer) -> dict[str, httpx.AsyncClient]:
    """Signed-in clients: a Nanshan inspector, the Shenzhen city's, a Futian one."""
    accounts = Accounts(server.repo, CHEAP)
    clients = {}
    for user, place in (
        ("ns", "广东省/深圳市/南山区"),
        ("sz", "广东省/深圳市"),
        ("ft", "广东省/深圳市/福田区"),
    ):
        accounts.add_user(user, PASSWORD, "regulator", jurisdiction=place)
        clients[user] = httpx.AsyncClient(base_url=server.base_url)
        r = await clients[user].post("/ui/api/login", json={"username": user, "password": PASSWORD})
        assert r.status_code == 200, r.text
    return clients


@pytest.fixture
async def people(
    tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    policy = getattr(request, "param", None)
    with pg_database() as url:
        server = RegulatorServer(url, evidence_dir=tmp_path / "evidence", followup=policy)
        for s in (NS, FT):
            server.repo.add_project(s.code, s.name, s.city, s.secret, s.district)
        await server.start()
        clients = await people_of(server)
        yield clients
        for c in clients.values():
            await c.aclose()
        await server.stop()


async def report(client: httpx.AsyncClient, incident: int, to: str, at: float, how: str = "manual") -> Any:
    body = {"to": to, "reported_by": "区住建局 李四", "reported_at": at, "how": how}
    r = await client.post(f"/ui/api/incidents/{incident}/reports", json=body)
    assert r.status_code == 200, r.text
    return r.json()


async def alerts(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    r = await client.get("/ui/api/incidents/alerts")
    assert r.status_code == 200, r.text
    return list(r.json()["alerts"])


async def test_an_overdue_clock_alerts_the_supervisors_and_a_late_report_stays_late(
    people: dict[str, httpx.AsyncClient],
) -> None:
    ns, sz, ft = people["ns"], people["sz"], people["ft"]
    accident = await record(ns, occurred_at=time.time() - 30 * H)  # 30 h: the 24 h clock is 6 h past
    assert clocks(accident)["provincial_system"]["state"] == "overdue"
    assert clocks(accident)["national_platform"]["state"] == "due"
    for supervisor in (ns, sz):  # the district's and the city above
        said = [a for a in await alerts(supervisor) if a["incident_id"] == accident["id"]]
        assert any("省事故报送系统已超时未报" in a["message"] and "24小时" in a["message"] for a in said), (
            said
        )
    assert await alerts(ft) == []  # another district's supervisors are not told

    forwarded = await report(sz, accident["id"], "provincial_system", time.time(), how="forwarded")
    c = clocks(forwarded)
    assert c["provincial_system"]["state"] == "late" and c["provincial_system"]["state_name"] == "迟报"
    [kept] = forwarded["reports"]
    assert kept["how_name"] == "逐级转报" and kept["reported_by"] == "区住建局 李四"
    assert kept["late_s"] == pytest.approx(6 * H, abs=120)  # recorded as 6 h late, not made good
    assert not any("省事故报送系统" in a["message"] for a in await alerts(ns))

    exported = await report(ns, accident["id"], "national_platform", time.time(), how="export")
    assert clocks(exported)["national_platform"]["state"] == "met"
    assert exported["reports"][-1]["how_name"] == "导出报送" and exported["reports"][-1]["late_s"] is None
    # a second report, even one dated before the deadline, changes nothing: the first one's lateness stands
    backdated = await report(ns, accident["id"], "provincial_system", accident["occurred_at"] + 23 * H)
    assert clocks(backdated)["provincial_system"]["state"] == "late"
    assert clocks(backdated)["provincial_system"]["seconds"] == pytest.approx(6 * H, abs=120)


async def test_a_report_at_the_deadline_is_in_time_and_a_second_after_is_late(
    people: dict[str, httpx.AsyncClient],
) -> None:
    ns = people["ns"]
    t0 = time.time() - 50 * H
    on_time = await record(ns, occurred_at=t0)
    at = clocks(await report(ns, on_time["id"], "national_platform", t0 + 48 * H))["national_platform"]
    assert at["state"] == "met"  # 48小时内: at the 48th hour is within
    late = await record(ns, occurred_at=t0)
    after = await report(ns, late["id"], "national_platform", t0 + 48 * H + 1)
    assert clocks(after)["national_platform"]["state"] == "late"
    assert after["reports"][0]["late_s"] == pytest.approx(1)


async def test_the_four_steps_close_the_accident_only_when_all_are_done(
    people: dict[str, httpx.AsyncClient],
) -> None:
    ns, ft = people["ns"], people["ft"]
    accident = await record(ns, occurred_at=time.time() - DAY)
    url = f"/ui/api/incidents/{accident['id']}"
    refused = await ns.post(url + "/close")
    assert refused.status_code == 409
    assert "四不放过" in refused.json()["error"] and "防范措施已落实" in refused.json()["error"]
    steps = ("cause_found", "responsible_dealt", "people_educated")
    for step in steps:
        r = await ns.post(f"{url}/steps/{step}", json={"note": "调查报告第3节"})
        assert r.status_code == 200, r.text
    refused = await ns.post(url + "/close")
    assert refused.status_code == 409 and "尚缺 防范措施已落实" in refused.json()["error"]
    assert "原因" not in refused.json()["error"]
    bad = await ns.post(f"{url}/steps/forgiven", json={"note": "x"})
    assert bad.status_code == 422 and "measures_taken" in bad.json()["error"]
    assert (await ft.post(f"{url}/steps/measures_taken", json={"note": "x"})).status_code == 404
    done = (await ns.post(f"{url}/steps/measures_taken", json={"note": "增设临边防护"})).json()
    assert [s["done"] for s in done["steps"]] == [True, True, True, True]
    assert done["steps"][3]["note"] == "增设临边防护" and done["steps"][3]["by"] == "ns"
    closed = await ns.post(url + "/close")
    assert closed.status_code == 200 and closed.json()["closed_by"] == "ns"


async def test_an_accident_whose_investigation_drags_on_is_proposed_for_listing(
    people: dict[str, httpx.AsyncClient],
) -> None:
    ns = people["ns"]
    now = time.time()
    fresh = await record(ns, occurred_at=now - 59 * DAY)
    assert fresh["proposal"] is None  # 59 days: the investigation still has a day
    old = await record(ns, occurred_at=now - 61 * DAY)
    assert "挂牌督办或申请提级调查" in old["proposal"] and "60日事故调查仍未完成" in old["proposal"]
    assert any(a["kind"] == "proposal" and a["incident_id"] == old["id"] for a in await alerts(ns))
    finished = (await ns.post(f"/ui/api/incidents/{old['id']}/stages/investigation")).json()
    assert finished["proposal"] is None and finished["investigation_done_by"] == "ns"  # penalty due at 75 d
    older = await record(ns, occurred_at=now - 76 * DAY)
    await ns.post(f"/ui/api/incidents/{older['id']}/stages/investigation")
    penalty = (await ns.get("/ui/api/incidents")).json()["incidents"]
    [row] = [i for i in penalty if i["id"] == older["id"]]
    assert "75日责任追究（处罚）仍未完成" in row["proposal"]
    near_miss = await record(ns, kind="near_miss", injuries=0, occurred_at=now - 80 * DAY)
    assert near_miss["proposal"] is None  # a near miss has no investigation of its own


@pytest.mark.parametrize("people", [FollowupPolicy(investigation_days=10, penalty_days=20)], indirect=True)
async def test_the_days_are_configurable(people: dict[str, httpx.AsyncClient]) -> None:
    ns = people["ns"]
    assert (await record(ns, occurred_at=time.time() - 9 * DAY))["proposal"] is None
    assert "10日事故调查" in (await record(ns, occurred_at=time.time() - 11 * DAY))["proposal"]
