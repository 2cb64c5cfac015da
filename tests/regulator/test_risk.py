"""Risk grading (#16 item 6) over real HTTP, on PostgreSQL and the embedded SQLite, with the jurisdictions
test's bureau: each project's score is worked out here from what the queue and the incident ledger show,
by the weights the README documents, and compared with the grading's; companies (contractor, supervision
company) take their worst project's grade; each level lists only its own; the province changes a weight
and the scores follow; a district may not."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.regulator.test_exports import queue_rows
from tests.regulator.test_jurisdictions import FT, NS, TH, USERS, Bureau, bureau, pg_url, post_event  # noqa: F401

# the defaults, as the README documents them
WEIGHTS = {"open_major": 10, "open_general": 2, "recent": 1, "overdue": 5, "accident": 20, "near_miss": 8}
HIGH_FROM, MEDIUM_FROM, RECENT_DAYS = 30, 10, 30


def expected(
    rows: list[dict[str, Any]], incidents: list[dict[str, Any]], code: str, w: dict[str, float]
) -> float:
    mine = [h for h in rows if h["project"] == code]
    still_open = [h for h in mine if h["state"] in ("pending", "confirmed", "rectifying", "reported")]
    major = sum(h["classification"] == "major" or h["major"] for h in still_open)
    recent = sum(
        h["first_ts"] >= time.time() - RECENT_DAYS * 86400 and h["state"] != "dismissed" for h in mine
    )
    kinds = [i["kind"] for i in incidents if i["project"] == code]
    return (
        w["open_major"] * major
        + w["open_general"] * (len(still_open) - major)
        + w["recent"] * recent
        + w["overdue"] * sum(h["overdue"] for h in still_open)
        + w["accident"] * kinds.count("accident")
        + w["near_miss"] * kinds.count("near_miss")
    )


def grade(score: float) -> str:
    return "高" if score >= HIGH_FROM else "中" if score >= MEDIUM_FROM else "低"


async def risk(client: httpx.AsyncClient) -> dict[str, Any]:
    r = await client.get("/ui/api/risk")
    assert r.status_code == 200, r.text
    return r.json()


async def test_projects_and_companies_graded_per_jurisdiction(bureau: Bureau) -> None:
    repo = bureau.server.repo
    repo.add_project(NS.code, NS.name, NS.city, NS.secret, NS.district, "甲建设集团", supervisor="乙监理公司")
    repo.add_project(FT.code, FT.name, FT.city, FT.secret, FT.district, "甲建设集团", supervisor="丙监理公司")
    root = bureau.clients["root"]
    now = time.time()
    await post_event(bureau.server, NS, alert="tilt", rule="crane.tilt", level="critical", ts=now - 60)
    await post_event(bureau.server, FT, alert="gust2", rule="crane.wind", level="alarm", ts=now - 60)
    tilt = next(h["id"] for h in await queue_rows(root, state="all", project=NS.code, rule="crane.tilt"))
    assert (await root.post(f"/ui/api/hazards/{tilt}/order", json={"major": True})).status_code == 200
    with (
        repo.engine.begin() as db
    ):  # its deadlines passed yesterday: its order's and (listed: major) listings'
        db.exec_driver_sql(f"UPDATE hazards SET deadline = {now - 86400} WHERE id = {tilt}")
        db.exec_driver_sql(f"UPDATE listings SET deadline = {now - 86400} WHERE hazard_id = {tilt}")
    gust = next(h["id"] for h in await queue_rows(root, state="all", project=FT.code, rule="crane.wind"))
    r = await root.post(f"/ui/api/hazards/{gust}/dismiss", json={"reason": "风速计故障，误报"})
    assert r.status_code == 200, r.text
    for site, kind, deaths in ((NS, "accident", 0), (TH, "near_miss", 0)):
        r = await root.post(
            "/ui/api/incidents",
            json={
                "project": site.code,
                "kind": kind,
                "occurred_at": now - 7200,
                "injuries": int(kind == "accident"),
                "deaths": deaths,
                "description": "物体打击" if kind == "accident" else "基坑局部坍塌",
            },
        )
        assert r.status_code == 200, r.text
    rows = await queue_rows(root, state="all")
    incidents = (await root.get("/ui/api/incidents")).json()["incidents"]

    for user in ("ns", "sz", "gd", "root"):
        sees = USERS[user][2]
        found = await risk(bureau.clients[user])
        assert {p["code"] for p in found["projects"]} == sees, user
        scores = [p["score"] for p in found["projects"]]
        assert scores == sorted(scores, reverse=True)
        for p in found["projects"]:
            want = expected(rows, incidents, p["code"], WEIGHTS)
            assert p["score"] == want and p["grade_name"] == grade(want), (user, p)
        assert sum(found["grades"].values()) == len(sees)
    ns = next(p for p in (await risk(root))["projects"] if p["code"] == NS.code)
    assert ns["grade_name"] == "高" and ns["accidents"] == 1 and ns["overdue"] == 1  # the riskiest here

    # companies: the contractor of both Shenzhen projects takes NS's grade; each supervisor its own project's
    companies = {(c["role_name"], c["name"]): c for c in (await risk(bureau.clients["sz"]))["companies"]}
    assert set(companies) == {
        ("施工单位", "甲建设集团"),
        ("监理单位", "乙监理公司"),
        ("监理单位", "丙监理公司"),
    }
    assert sorted(companies[("施工单位", "甲建设集团")]["projects"]) == sorted([NS.code, FT.code])
    assert companies[("施工单位", "甲建设集团")]["grade_name"] == "高"
    ft_score = expected(rows, incidents, FT.code, WEIGHTS)
    assert companies[("监理单位", "丙监理公司")]["grade_name"] == grade(ft_score)
    assert companies[("施工单位", "甲建设集团")]["score"] == ns["score"] + ft_score
    assert "乙监理公司" not in str(await risk(bureau.clients["ft"]))

    # the province sets the weights; a district may not; a misspelt weight is refused
    assert (await bureau.clients["ns"].put("/ui/api/risk/policy", json={"accident": 50})).status_code == 403
    assert (await bureau.clients["gd"].put("/ui/api/risk/policy", json={"acident": 50})).status_code == 422
    r = await bureau.clients["gd"].put("/ui/api/risk/policy", json={"medium_from": 100})
    assert r.status_code == 422 and "high_from" in r.json()["error"]
    r = await bureau.clients["gd"].put("/ui/api/risk/policy", json={"accident": 50})
    assert r.status_code == 200 and r.json()["accident"] == 50
    again = next(p for p in (await risk(root))["projects"] if p["code"] == NS.code)
    assert again["score"] == expected(rows, incidents, NS.code, {**WEIGHTS, "accident": 50})


async def test_risk_of_a_place_opened_below_the_users_own(bureau: Bureau) -> None:
    """The overview's tab opens a place below the user's own (?place=); its risk card grades that place's
    projects and companies only, and a place outside the user's jurisdiction is 404 as if absent."""
    repo = bureau.server.repo
    repo.add_project(NS.code, NS.name, NS.city, NS.secret, NS.district, "甲建设集团", supervisor="乙监理公司")
    repo.add_project(TH.code, TH.name, TH.city, TH.secret, TH.district, "丁建设集团")
    for site in (NS, FT, TH):
        await post_event(
            bureau.server, site, alert="tilt", rule="crane.tilt", level="critical", ts=time.time() - 60
        )

    async def opened(user: str, place: str) -> httpx.Response:
        return await bureau.clients[user].get("/ui/api/risk", params={"place": place})

    for user, place, sees in (
        ("gd", "广东省/深圳市", {NS.code, FT.code}),
        ("gd", "广东省/广州市/天河区", {TH.code}),
        ("sz", "广东省/深圳市/南山区", {NS.code}),
        ("root", "广东省/广州市", {TH.code}),
    ):
        r = await opened(user, place)
        assert r.status_code == 200, (user, place, r.text)
        found = r.json()
        assert {p["code"] for p in found["projects"]} == sees, (user, place)
        assert found["total"] == sum(found["grades"].values()) == len(sees)
    companies = {c["name"] for c in (await opened("gd", "广东省/广州市")).json()["companies"]}
    assert companies == {"丁建设集团"}
    for user, place in (("sz", "广东省/广州市"), ("ns", "广东省/深圳市"), ("gd", "广西壮族自治区")):
        assert (await opened(user, place)).status_code == 404, (user, place)
