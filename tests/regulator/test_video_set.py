"""The provincial video-monitoring project set (#16 item 8) over real HTTP, on PostgreSQL and the embedded
SQLite, with the jurisdictions test's bureau: regulators include projects with a category, a reason and a
date, change a category, remove one with a reason; the history keeps every step; each level sees and
keeps only the set's projects below it; the overview lists the set's projects first."""

from __future__ import annotations

from typing import Any

import httpx

from tests.regulator.test_jurisdictions import FT, NS, QX, TH, USERS, Bureau, bureau, pg_url  # noqa: F401

# the plan's focus categories, as a regulator reads them
CATEGORIES = {
    "public_building": "政府投资大型公共建筑",
    "rail_transit": "轨道交通",
    "municipal_tunnel": "市政隧道",
}


async def include(
    client: httpx.AsyncClient, project: str, category: str, reason: str, day: str = ""
) -> httpx.Response:
    return await client.post(
        "/ui/api/video-set",
        json={"project": project, "category": category, "reason": reason, "effective_on": day},
    )


async def video_set(client: httpx.AsyncClient) -> dict[str, Any]:
    r = await client.get("/ui/api/video-set")
    assert r.status_code == 200, r.text
    return r.json()


async def test_regulators_keep_the_set_with_reasons_dates_and_history(bureau: Bureau) -> None:
    sz, gd, ns = bureau.clients["sz"], bureau.clients["gd"], bureau.clients["ns"]
    r = await include(sz, NS.code, "rail_transit", "地铁14号线车站，纳入省级视频监控", "2026-10-08")
    assert r.status_code == 200, r.text
    assert r.json()["action_name"] == "纳入" and r.json()["category_name"] == "轨道交通"
    assert (await include(sz, FT.code, "municipal_tunnel", "市政隧道工程")).status_code == 200
    assert (await include(gd, TH.code, "public_building", "政府投资体育馆")).status_code == 200
    # a district keeps only its own; another district's project answers as if absent
    assert (await include(ns, FT.code, "public_building", "越权")).status_code == 404
    assert (await include(sz, TH.code, "public_building", "越权")).status_code == 404
    # mistakes are named with their fix, and change nothing
    r = await include(sz, NS.code, "bridge", "类别不对")
    assert r.status_code == 422 and "rail_transit" in r.json()["error"]
    r = await include(sz, NS.code, "public_building", "日期不对", "2026/10/08")
    assert r.status_code == 422 and "yyyy-MM-dd" in r.json()["error"]
    assert (await include(sz, NS.code, "rail_transit", "重复")).status_code == 409
    # a category changes; a project leaves with its reason
    r = await include(sz, FT.code, "public_building", "复核后改为公共建筑", "2026-11-01")
    assert r.status_code == 200 and r.json()["action_name"] == "变更类别"
    r = await sz.post(
        f"/ui/api/video-set/{FT.code}/remove",
        json={"reason": "主体结构封顶，移出", "effective_on": "2026-11-20"},
    )
    assert r.status_code == 200, r.text
    r = await sz.post(f"/ui/api/video-set/{FT.code}/remove", json={"reason": "再移一次"})
    assert r.status_code == 409

    root = await video_set(bureau.clients["root"])
    assert {m["project"]: m["category_name"] for m in root["members"]} == {
        NS.code: "轨道交通",
        TH.code: "政府投资大型公共建筑",
    }
    ft = [
        (c["action_name"], c["category_name"], c["reason"], c["effective_on"])
        for c in root["changes"]
        if c["project"] == FT.code
    ]
    assert ft[0][:2] == ("纳入", "市政隧道")
    assert ft[1:] == [
        ("变更类别", "政府投资大型公共建筑", "复核后改为公共建筑", "2026-11-01"),
        ("移出", "政府投资大型公共建筑", "主体结构封顶，移出", "2026-11-20"),
    ]
    ns_member = next(m for m in root["members"] if m["project"] == NS.code)
    assert (ns_member["effective_on"], ns_member["decided_by"]) == ("2026-10-08", "sz")
    for name, value in CATEGORIES.items():
        assert root["categories"][name] == value

    # each level sees the set's projects and history below it only
    for user in ("ns", "ft", "sz", "gz", "gd"):
        seen = await video_set(bureau.clients[user])
        sees = USERS[user][2]
        assert {m["project"] for m in seen["members"]} == {NS.code, TH.code} & sees, user
        assert {c["project"] for c in seen["changes"]} == {NS.code, FT.code, TH.code} & sees, user

    # the overview shows the set's projects first; above district level only they (and the most overdue:
    # none here) of the province's projects
    r = await bureau.clients["root"].get("/ui/api/overview")
    order = [(p["code"], p["video_set"]) for p in r.json()["projects"]]
    assert {code for code, _ in order} == {NS.code, TH.code}
    assert all(category is not None for _, category in order)
