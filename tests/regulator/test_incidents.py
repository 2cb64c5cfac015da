"""The ledger of accidents and serious near misses (#16 item 7) on real PostgreSQL over real HTTP: the
reporting clocks of docs/standards.md §4 (the county within 1 h of the accident, each level up within
2 h of the report below, the provincial accident-reporting system within 24 h, the national platform
within 48 h) read met, late, due with the time left, overdue, or waiting for the report below; bad
records are refused naming the field; each user sees and reports only their jurisdiction's incidents.
The clocks' hours are written here from the standard, not read from the code."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from regulator.access.auth import Accounts
from regulator.server import RegulatorServer
from tests.regulator.support import pg_database
from tests.regulator.test_jurisdictions import FT, NS
from tests.regulator.test_review import CHEAP, PASSWORD

H = 3600.0
SLACK = 120.0  # seconds between the test's clock and the regulator's reading of it, on a loaded machine


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_database() as url:
        yield url


@pytest.fixture
async def people(pg_url: str, tmp_path: Path) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    server = RegulatorServer(pg_url, evidence_dir=tmp_path / "evidence")
    for s in (NS, FT):
        server.repo.add_project(s.code, s.name, s.city, s.secret, s.district)
    await server.start()
    accounts = Accounts(server.repo, CHEAP)
    users = {
        "ns": ("regulator", None, "广东省/深圳市/南山区"),
        "sz": ("regulator", None, "广东省/深圳市"),
        "ft.site": ("project", FT.code, None),
    }
    clients = {}
    for user, (role, project, place) in users.items():
        accounts.add_user(user, PASSWORD, role, project, jurisdiction=place)
        clients[user] = httpx.AsyncClient(base_url=server.base_url)
        r = await clients[user].post("/ui/api/login", json={"username": user, "password": PASSWORD})
        assert r.status_code == 200, r.text
    yield clients
    for c in clients.values():
        await c.aclose()
    await server.stop()


async def record(client: httpx.AsyncClient, status: int = 200, **fields: Any) -> Any:
    body = {"project": NS.code, "kind": "accident", "injuries": 1, "description": "3号楼外架坠物砸伤一人"}
    r = await client.post("/ui/api/incidents", json=body | fields)
    assert r.status_code == status, r.text
    return r.json()


async def report(client: httpx.AsyncClient, incident: int, to: str, at: float, status: int = 200) -> Any:
    body = {"to": to, "reported_by": "项目经理 张三", "reported_at": at, "note": "电话报告"}
    r = await client.post(f"/ui/api/incidents/{incident}/reports", json=body)
    assert r.status_code == status, r.text
    return r.json()


def clocks(incident: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["to"]: c for c in incident["clocks"]}


async def test_the_clocks_read_met_late_due_overdue_and_waiting(people: dict[str, httpx.AsyncClient]) -> None:
    ns = people["ns"]
    now = time.time()
    fresh = await record(ns, occurred_at=now - 0.5 * H)
    c = clocks(fresh)
    assert c["county"]["state"] == "due" and c["county"]["state_name"] == "待上报"
    assert abs(c["county"]["seconds"] - 0.5 * H) < SLACK  # half of the hour left
    assert c["county"]["deadline"] == pytest.approx(fresh["occurred_at"] + 1 * H)
    assert c["city"]["state"] == c["province"]["state"] == "waiting"  # nobody below has reported yet
    assert c["provincial_system"]["deadline"] == pytest.approx(fresh["occurred_at"] + 24 * H)
    assert c["national_platform"]["deadline"] == pytest.approx(fresh["occurred_at"] + 48 * H)
    assert "第九条" in c["county"]["basis"]

    reported = await report(ns, fresh["id"], "county", now - 0.1 * H)
    c = clocks(reported)
    assert c["county"]["state"] == "met" and c["county"]["state_name"] == "按时上报"
    assert c["city"]["state"] == "due"
    assert c["city"]["deadline"] == pytest.approx(now - 0.1 * H + 2 * H)  # 2 h from the county's report
    assert reported["reports"][0]["reported_by"] == "项目经理 张三"
    assert reported["reports"][0]["to_name"] == "县级主管部门"

    silent = await record(ns, kind="near_miss", injuries=0, occurred_at=now - 3 * H)
    c = clocks(silent)
    assert c["county"]["state"] == "overdue" and c["county"]["state_name"] == "已超时未报"
    assert abs(c["county"]["seconds"] - 2 * H) < SLACK  # two hours past the hour
    assert silent["kind_name"] == "重大险情"

    old = await record(ns, occurred_at=now - 72 * H)
    c = clocks(await report(ns, old["id"], "national_platform", old["occurred_at"] + 50 * H))
    assert c["national_platform"]["state"] == "late" and c["national_platform"]["state_name"] == "迟报"
    assert c["national_platform"]["seconds"] == pytest.approx(2 * H)

    ledger = (await ns.get("/ui/api/incidents")).json()
    assert [i["id"] for i in ledger["incidents"]] == [fresh["id"], silent["id"], old["id"]]  # newest first
    assert ledger["destinations"]["national_platform"] == "全国工程质量安全监管信息平台"


async def test_bad_records_are_refused_naming_what_to_fix(people: dict[str, httpx.AsyncClient]) -> None:
    ns = people["ns"]
    now = time.time()
    said = (await record(ns, 422, kind="near_miss", injuries=2, occurred_at=now))["error"]
    assert "record it as an accident" in said
    assert "accident (事故) or near_miss" in (await record(ns, 422, kind="fire", occurred_at=now))["error"]
    assert "future" in (await record(ns, 422, occurred_at=now + 6 * H))["error"]
    assert (await record(ns, 422, occurred_at=now, injuries=-1))["detail"][0]["loc"][-1] == "injuries"
    incident = await record(ns, occurred_at=now - H)
    said = (await report(ns, incident["id"], "township", now, 422))["error"]
    assert "county" in said and "national_platform" in said
    assert "before the incident" in (await report(ns, incident["id"], "county", now - 2 * H, 422))["error"]


async def test_each_user_sees_and_reports_only_their_jurisdictions_incidents(
    people: dict[str, httpx.AsyncClient],
) -> None:
    ns, sz, site = people["ns"], people["sz"], people["ft.site"]
    now = time.time()
    in_ns = await record(ns, occurred_at=now - H)
    await record(ns, 404, project=FT.code, occurred_at=now - H)  # another district's project: as if absent
    in_ft = await record(site, project=FT.code, occurred_at=now - H)  # the site records its own
    await record(site, 404, project=NS.code, occurred_at=now - H)

    def seen(ledger: httpx.Response) -> set[str]:
        assert ledger.status_code == 200, ledger.text
        return {i["project"] for i in ledger.json()["incidents"]}

    assert seen(await ns.get("/ui/api/incidents")) == {NS.code}
    assert seen(await site.get("/ui/api/incidents")) == {FT.code}
    assert seen(await sz.get("/ui/api/incidents")) == {NS.code, FT.code}
    r = await report(ns, in_ft["id"], "county", now, 404)
    assert FT.code not in str(r)
    await report(sz, in_ft["id"], "city", now)  # the city above may
    await report(site, in_ns["id"], "county", now, 404)
