"""Patrols as a duty (issue #40) over real HTTP, on PostgreSQL and the embedded SQLite, with the
jurisdictions test's bureau: a regulator's patrol is a record of the projects looked at and what was found
(a hazard recorded from the picture linked to it, only a hazard of that project); the video-monitoring
set's coverage counts each project seen in the period and lists the ones not seen, each level its own;
the patrol wall is filtered to the set, a city, a district and a category."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa

from regulator.reports.monthly import month_bounds
from tests.regulator.test_exports import report_text
from tests.regulator.test_jurisdictions import FT, NS, TH, Bureau, bureau, get  # noqa: F401
from tests.regulator.test_video_set import include


async def covered(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    found: dict[str, Any] = await get(client, "/ui/api/patrol-coverage", **params)
    return found


async def test_a_patrol_records_what_was_seen_and_the_set_coverage_lists_the_unseen(bureau: Bureau) -> None:
    sz, gd, ft, ns = (bureau.clients[u] for u in ("sz", "gd", "ft", "ns"))
    assert (await include(sz, NS.code, "rail_transit", "地铁车站")).status_code == 200
    assert (await include(sz, FT.code, "municipal_tunnel", "市政隧道")).status_code == 200
    assert (await include(gd, TH.code, "public_building", "政府投资体育馆")).status_code == 200
    before = await covered(sz)
    assert (before["total"], before["seen"], before["days"]) == (2, 0, 7)
    assert [m["project"] for m in before["unseen"]] == [NS.code, FT.code]  # rail transit before tunnels

    started = await sz.post("/ui/api/patrols")
    assert started.status_code == 200, started.text
    patrol = started.json()
    assert patrol["patrolled_by"] == "sz" and patrol["ended_at"] is None
    assert (await sz.post("/ui/api/patrols")).status_code == 409  # one patrol under way at a time
    sightings = f"/ui/api/patrols/{patrol['id']}/sightings"
    # the hazard recorded from NS's picture is linked to the patrol; another project's hazard is not
    hazard = bureau.hazard[NS.code]
    seen = {"project": NS.code, "camera": "cam-gate", "finding": "塔吊吊装区有人", "hazard_id": hazard}
    r = await sz.post(sightings, json=seen)
    assert r.status_code == 200, r.text
    assert (r.json()["project"], r.json()["hazard_id"], r.json()["name"]) == (NS.code, hazard, NS.name)
    r = await sz.post(sightings, json=seen | {"hazard_id": bureau.hazard[FT.code]})
    assert r.status_code == 422 and FT.code in r.json()["error"], r.text
    # outside the jurisdiction: as if absent
    assert (await sz.post(sightings, json={"project": TH.code})).status_code == 404
    r = await sz.post(sightings, json=seen | {"hazard_id": bureau.hazard[TH.code]})
    assert r.status_code == 404, r.text
    # another's patrol is not theirs to write in
    assert (await ns.post(sightings, json={"project": NS.code})).status_code == 404

    now = await covered(sz)
    assert (now["total"], now["seen"], now["share"], now["patrols"]) == (2, 1, 0.5, 1)
    assert [m["project"] for m in now["unseen"]] == [FT.code]
    assert [(m["project"], m["last_seen_by"], m["sightings"]) for m in now["covered"]] == [(NS.code, "sz", 1)]
    # each level counts its own: Futian's set is unseen, Nanshan's seen, the province's 1 of 3
    assert ((await covered(ft))["seen"], (await covered(ft))["total"]) == (0, 1)
    assert ((await covered(ns))["seen"], (await covered(ns))["total"]) == (1, 1)
    assert ((await covered(gd))["seen"], (await covered(gd))["total"]) == (1, 3)

    r = await sz.post(f"/ui/api/patrols/{patrol['id']}/finish", json={"note": "南山1个项目发现隐患1处"})
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["ended_at"] is not None and (done["projects"], done["findings"]) == (1, 1)
    assert [s["hazard_id"] for s in done["sightings"]] == [hazard]
    assert (await sz.post(sightings, json={"project": FT.code})).status_code == 409  # finished
    assert [p["id"] for p in await get(sz, "/ui/api/patrols")] == [patrol["id"]]
    assert await get(ns, "/ui/api/patrols") == []  # a regulator lists their own patrols


async def test_coverage_counts_a_sighting_only_inside_its_period(bureau: Bureau) -> None:
    sz = bureau.clients["sz"]
    assert (await include(sz, NS.code, "rail_transit", "地铁车站")).status_code == 200
    patrol = (await sz.post("/ui/api/patrols")).json()
    r = await sz.post(f"/ui/api/patrols/{patrol['id']}/sightings", json={"project": NS.code})
    assert r.status_code == 200, r.text
    # the sighting moved to the middle of October 2026 (Beijing): eight days ago is outside a week
    october = month_bounds("2026-10")[0] + 14 * 86400
    with bureau.server.repo.engine.begin() as db:
        db.execute(sa.text("UPDATE patrol_sightings SET seen_at = :t"), {"t": october})
    assert (await covered(sz))["seen"] == 0
    assert (await covered(sz, month="2026-10"))["seen"] == 1
    assert (await covered(sz, month="2026-11"))["seen"] == 0
    r = await sz.get("/ui/api/patrol-coverage", params={"month": "2026/10"})
    assert r.status_code == 422 and "yyyy-MM" in r.json()["error"]


async def test_the_wall_is_filtered_to_the_set_a_city_a_district_and_a_category(bureau: Bureau) -> None:
    gd = bureau.clients["gd"]
    assert (await include(gd, NS.code, "rail_transit", "地铁车站")).status_code == 200
    assert (await include(gd, TH.code, "public_building", "体育馆")).status_code == 200

    async def wall(**params: Any) -> list[str]:
        found = await get(gd, "/ui/api/patrol", **params)
        assert found["total"] == len(found["tiles"])
        return [t["project"] for t in found["tiles"]]

    assert await wall() == [TH.code, FT.code, NS.code]  # by project code
    assert await wall(video_set="true") == [TH.code, NS.code]
    assert await wall(video_set="true", city="深圳") == [NS.code]
    assert await wall(district="福田区") == [FT.code]
    assert await wall(category="public_building") == [TH.code]
    tile = (await get(gd, "/ui/api/patrol", category="rail_transit"))["tiles"][0]
    assert (tile["city"], tile["district"], tile["category"]) == ("深圳", "南山区", "rail_transit")
    r = await gd.get("/ui/api/patrol", params={"category": "bridge"})
    assert r.status_code == 422 and "rail_transit" in r.json()["error"]


async def test_the_wall_is_filtered_by_risk_grade_as_the_risk_lists_grade(bureau: Bureau) -> None:
    gd, root = bureau.clients["gd"], bureau.clients["root"]
    # NS's crane overload is a major hazard (重大事故隐患): its project's score rises by the major weight
    major = {"major": True, "article": "第八条", "item": "（四）", "reason": "限制器失效"}
    r = await root.post(f"/ui/api/hazards/{bureau.hazard[NS.code]}/reclassify", json=major)
    assert r.status_code == 200, r.text
    graded = (await get(gd, "/ui/api/risk", page_size=100))["projects"]
    by_grade = {g: sorted(p["code"] for p in graded if p["grade"] == g) for g in ("high", "medium", "low")}
    assert sum(1 for codes in by_grade.values() if codes) >= 2, by_grade  # the filter has something to tell
    for grade, codes in by_grade.items():
        found = await get(gd, "/ui/api/patrol", risk=grade)
        assert sorted(t["project"] for t in found["tiles"]) == codes, grade
    both = await get(gd, "/ui/api/patrol", risk="low", city="广州")
    assert [t["project"] for t in both["tiles"]] == [c for c in by_grade["low"] if c == TH.code]
    r = await gd.get("/ui/api/patrol", params={"risk": "severe"})
    assert r.status_code == 422 and "high, medium or low" in r.json()["error"]


async def test_the_monthly_report_holds_the_sets_patrol_coverage(bureau: Bureau) -> None:
    sz = bureau.clients["sz"]
    assert (await include(sz, NS.code, "rail_transit", "地铁车站")).status_code == 200
    assert (await include(sz, FT.code, "municipal_tunnel", "市政隧道")).status_code == 200
    patrol = (await sz.post("/ui/api/patrols")).json()
    r = await sz.post(f"/ui/api/patrols/{patrol['id']}/sightings", json={"project": NS.code})
    assert r.status_code == 200, r.text
    # seen on 2026-10-09 (Beijing): in October's second week
    with bureau.server.repo.engine.begin() as db:
        db.execute(
            sa.text("UPDATE patrol_sightings SET seen_at = :t"),
            {"t": month_bounds("2026-10")[0] + 8.5 * 86400},
        )
    text = await report_text(sz, month="2026-10")
    assert "八、省级视频监控项目远程巡查覆盖" in text
    assert "视频监控项目2个" in text and "本月巡查覆盖1个（50%），巡查1次" in text
    assert "10-01–10-07巡查到0" in text and "10-08–10-14巡查到1" in text and "10-29–10-31巡查到0" in text
    unseen = text[text.index("本月未巡查项目编号") :]
    assert FT.code in unseen and FT.name in unseen and NS.code not in unseen
    # a month without patrols lists every project of the set
    november = await report_text(sz, month="2026-11")
    assert (
        "本月巡查覆盖0个（0%），巡查0次" in november and NS.code in november[november.index("本月未巡查") :]
    )


async def test_one_projects_membership_history_with_reasons_and_dates(bureau: Bureau) -> None:
    sz, ns, ft = bureau.clients["sz"], bureau.clients["ns"], bureau.clients["ft"]
    assert (await include(sz, NS.code, "rail_transit", "地铁车站", "2026-10-08")).status_code == 200
    assert (await include(sz, NS.code, "municipal_tunnel", "复核为隧道", "2026-10-20")).status_code == 200
    r = await sz.post(
        f"/ui/api/video-set/{NS.code}/remove", json={"reason": "完工", "effective_on": "2026-11-20"}
    )
    assert r.status_code == 200, r.text
    assert (await include(sz, NS.code, "rail_transit", "动态更新纳入", "2026-11-24")).status_code == 200
    history = await get(ns, f"/ui/api/video-set/{NS.code}/history")
    assert [(c["effective_on"], c["action_name"], c["category_name"], c["reason"]) for c in history] == [
        ("2026-10-08", "纳入", "轨道交通", "地铁车站"),
        ("2026-10-20", "变更类别", "市政隧道", "复核为隧道"),
        ("2026-11-20", "移出", "市政隧道", "完工"),
        ("2026-11-24", "纳入", "轨道交通", "动态更新纳入"),
    ]
    assert {c["decided_by"] for c in history} == {"sz"}
    # another district's project, and one never in the set, answer as if absent
    assert (await ft.get(f"/ui/api/video-set/{NS.code}/history")).status_code == 404
    assert (await sz.get(f"/ui/api/video-set/{FT.code}/history")).status_code == 404
