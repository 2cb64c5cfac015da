"""The authority's year (issue 53 §1–2) over real HTTP, on PostgreSQL and the embedded SQLite, with the
jurisdictions test's bureau: a 全覆盖 round and its coverage per district and per inspector (done, due,
overdue after the deadline, the unseen first), a monthly theme's checklist with its articles, the key-risk
projects' monthly duty in the same view, the 双随机 draw (recusals honoured, reproducible from its recorded
seed, who drew it, published for the public), each user scoped to their jurisdiction."""

from __future__ import annotations

import io
import time
from typing import Any

import httpx
from openpyxl import load_workbook

from regulator.access.auth import Accounts
from regulator.inspections.draw import Candidate, Inspector, Pools, Recusal, draw
from tests.regulator.test_exports import report_text
from tests.regulator.test_jurisdictions import FT, NS, TH, Bureau, bureau, get  # noqa: F401
from tests.regulator.test_review import CHEAP, PASSWORD

API = "/ui/api/inspections"
SZ = "广东省/深圳市"


async def plan(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    r = await client.post(f"{API}/plans", json={"kind": "round", "title": "2026年第一轮全覆盖排查"} | fields)
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


async def coverage(client: httpx.AsyncClient, plan_id: int) -> dict[str, Any]:
    found: dict[str, Any] = await get(client, f"{API}/plans/{plan_id}/coverage")
    return found


def states(cover: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["project"], p["state"]) for p in cover["projects"]]


async def test_a_round_covers_each_district_and_inspector_the_unseen_first(bureau: Bureau) -> None:
    sz, ns, ft = (bureau.clients[u] for u in ("sz", "ns", "ft"))
    ahead = await plan(sz, due="2099-06-30")
    assert (ahead["place"], ahead["projects"], ahead["kind_name"]) == (SZ, 2, "全覆盖排查")
    before = await coverage(sz, ahead["id"])
    assert states(before) == [(NS.code, "due"), (FT.code, "due")]  # by district: 南山区, 福田区
    r = await ns.post(f"{API}/plans/{ahead['id']}/records", json={"project": NS.code, "note": "临边防护缺失"})
    assert r.status_code == 200, r.text
    assert (r.json()["inspector"], r.json()["project"]) == ("ns", NS.code)
    now = await coverage(sz, ahead["id"])
    assert states(now) == [(FT.code, "due"), (NS.code, "done")]  # the unseen first
    assert (now["totals"]["done"], now["totals"]["due"], now["share"]) == (1, 1, 0.5)
    districts = {d["district"]: (d["done"], d["due"], d["overdue"]) for d in now["districts"]}
    assert districts == {f"{SZ}/福田区": (0, 1, 0), f"{SZ}/南山区": (1, 0, 0)}
    assert now["districts"][0]["district"] == f"{SZ}/福田区"  # the district with unseen projects first
    inspectors = {i["inspector"]: (i["done"], i["due"]) for i in now["inspectors"]}
    assert inspectors == {"ns": (1, 0), "未分派": (0, 1)}

    # the first round's deadline (30 June) passed: what was not inspected is overdue
    past = await plan(sz, starts="2026-01-01", due="2026-06-30")
    assert states(await coverage(sz, past["id"])) == [(NS.code, "overdue"), (FT.code, "overdue")]
    assert (await ft.post(f"{API}/plans/{past['id']}/records", json={"project": FT.code})).status_code == 200
    late = await coverage(ft, past["id"])
    assert states(late) == [(FT.code, "done")]  # Futian's inspector sees Futian's projects only
    assert [p["id"] for p in await get(sz, f"{API}/plans")] == [
        ahead["id"],
        past["id"],
    ]  # latest deadline first

    # the export holds the same rows, the unseen first
    r = await sz.get(f"{API}/plans/{past['id']}/coverage.xlsx")
    assert r.status_code == 200, r.text
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames[1:] == ["按辖区", "按检查人", f"重点风险项目月度检查 {now['key_risk']['month']}"]
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [(row[0], row[3]) for row in rows[1:]] == [(NS.code, "逾期未查"), (FT.code, "已查")]


async def test_each_user_sees_the_plans_and_projects_of_their_jurisdiction(bureau: Bureau) -> None:
    sz, ns, gz, gd = (bureau.clients[u] for u in ("sz", "ns", "gz", "gd"))
    round_ = await plan(sz, due="2099-06-30")
    # the district's inspector takes part in the city's round, for their own projects
    assert [(p["id"], p["projects"]) for p in await get(ns, f"{API}/plans")] == [(round_["id"], 1)]
    assert states(await coverage(ns, round_["id"])) == [(NS.code, "due")]
    r = await ns.post(f"{API}/plans/{round_['id']}/records", json={"project": FT.code})
    assert r.status_code == 404, r.text  # another district's project: as if absent
    # another city's regulator: no such plan
    assert await get(gz, f"{API}/plans") == []
    assert (await gz.get(f"{API}/plans/{round_['id']}/coverage")).status_code == 404
    assert (
        await gz.post(f"{API}/plans/{round_['id']}/records", json={"project": NS.code})
    ).status_code == 404
    # a plan over another city is not a city's to make; the province sees the city's plan
    r = await sz.post(
        f"{API}/plans", json={"kind": "round", "title": "t", "due": "2099-06-30", "place": "广东省/广州市"}
    )
    assert r.status_code == 403 and "广州市" in r.json()["error"], r.text
    assert [p["projects"] for p in await get(gd, f"{API}/plans")] == [2]
    province = await plan(gd, due="2099-10-31")
    assert province["projects"] == 3 and province["place"] == "广东省"
    assert [p["id"] for p in await get(sz, f"{API}/plans")] == [province["id"], round_["id"]]
    assert len(await get(bureau.clients["root"], f"{API}/plans")) == 2  # an admin sees every plan
    # a project user has no part in them
    Accounts(bureau.server.repo, CHEAP).add_user("site", PASSWORD, "project", project=NS.code)
    async with httpx.AsyncClient(base_url=bureau.server.base_url) as site:
        r = await site.post("/ui/api/login", json={"username": "site", "password": PASSWORD})
        assert r.status_code == 200, r.text
        assert (await site.get(f"{API}/plans")).status_code == 403
        assert (await site.get(f"{API}/plans/{round_['id']}/coverage")).status_code == 403
    r = await sz.post(
        f"{API}/plans", json={"kind": "round", "title": "t", "due": "2099-06-30", "projects": [TH.code]}
    )
    assert r.status_code == 404 and TH.code in r.json()["error"], r.text


async def test_a_monthly_theme_carries_its_checklist_with_the_articles(bureau: Bureau) -> None:
    sz = bureau.clients["sz"]
    confined = await plan(sz, kind="theme", title="12月有限空间专项排查", theme="confined", due="2026-12-31")
    assert (confined["theme_name"], confined["kind_name"]) == ("有限空间", "一月一主题专项排查")
    articles = [i["article"] for i in confined["checklist"]]
    assert "建质规〔2024〕5号 第十一条（二）" in articles and "GB 55034-2022 第3.9.3条" in articles
    assert any("先通风、再检测、后作业" in i["text"] for i in confined["checklist"])
    assert time.strftime("%Y-%m-%d", time.gmtime(confined["starts_at"] + 8 * 3600)) == "2026-12-01"
    for key, name, article in (
        ("heights", "高处作业", "JGJ 80-2016 第3.0.8条"),
        ("cranes", "建机安拆", "建质规〔2024〕5号 第八条（三）"),
        ("flood", "汛期", "建质规〔2024〕5号 第五条（三）"),
        ("fire", "消防", "GB 50720-2011 第6.3.1条第1款"),
    ):
        one = await plan(sz, kind="theme", title=name, theme=key, due="2026-12-31")
        assert one["theme_name"] == name and article in [i["article"] for i in one["checklist"]]
    r = await sz.post(
        f"{API}/plans", json={"kind": "theme", "title": "t", "theme": "noise", "due": "2026-12-31"}
    )
    assert r.status_code == 422 and "confined（有限空间）" in r.json()["error"], r.text
    r = await sz.post(f"{API}/plans", json={"kind": "round", "title": "t", "due": "2026-6-30"})
    assert r.status_code == 422, r.text


async def test_key_risk_projects_owe_a_monthly_inspection_in_the_same_view(bureau: Bureau) -> None:
    sz = bureau.clients["sz"]
    round_ = await plan(sz, due="2099-06-30")
    assert (await coverage(sz, round_["id"]))["key_risk"]["projects"] == []
    r = await sz.post(
        "/ui/api/enforcement",
        json={
            "project": FT.code,
            "kind": "stop_work",
            "happened_at": time.time() - 60,
            "note": "深住建停〔2026〕1号",
        },
    )
    assert r.status_code == 200, r.text
    duty = (await coverage(sz, round_["id"]))["key_risk"]
    assert [(p["project"], p["state"], p["inspections"]) for p in duty["projects"]] == [(FT.code, "due", 0)]
    assert duty["due"] == 1 and duty["projects"][0]["facts"] == ["被责令停工"]
    # the round's inspection of it is this month's inspection of a key-risk project
    assert (
        await sz.post(f"{API}/plans/{round_['id']}/records", json={"project": FT.code})
    ).status_code == 200
    duty = (await coverage(sz, round_["id"]))["key_risk"]
    assert [(p["project"], p["state"], p["inspections"]) for p in duty["projects"]] == [(FT.code, "done", 1)]
    assert (await coverage(bureau.clients["gz"], (await plan(bureau.clients["gz"], due="2099-06-30"))["id"]))[
        "key_risk"
    ]["projects"] == []  # Guangzhou's view holds no Shenzhen project


async def test_the_monthly_report_states_the_coverage_of_the_months_plans(bureau: Bureau) -> None:
    sz = bureau.clients["sz"]
    round_ = await plan(sz, title="第二轮全覆盖排查", due="2099-10-31")
    assert (
        await sz.post(f"{API}/plans/{round_['id']}/records", json={"project": NS.code})
    ).status_code == 200
    await plan(sz, title="上半年全覆盖排查", starts="2020-01-01", due="2020-06-30")  # not of this month
    text = await report_text(sz)
    assert "九、检查计划覆盖情况" in text and "全覆盖排查：第二轮全覆盖排查" in text
    assert "已查1/2，待查1，逾期未查0" in text and FT.code in text.split("九、")[1]
    assert "上半年全覆盖排查" not in text


async def pool(client: httpx.AsyncClient, name: str, kind: str, members: list[str]) -> None:
    r = await client.post(f"{API}/pools/{name}", json={"kind": kind, "members": members})
    assert r.status_code == 200, r.text


async def test_a_draw_honours_recusals_and_is_reproducible_from_its_seed(bureau: Bureau) -> None:
    sz, ns, gz = (bureau.clients[u] for u in ("sz", "ns", "gz"))
    await pool(sz, "深圳执法人员库", "inspector", ["sz", "gd", "ns", "ft", "old.hand"])
    await pool(sz, "深圳在建项目库", "project", [NS.code, FT.code])
    assert (
        await sz.post(f"{API}/pools/x", json={"kind": "inspector", "members": ["root"]})
    ).status_code == 422
    assert (
        await sz.post(f"{API}/pools/x", json={"kind": "project", "members": [TH.code]})
    ).status_code == 404
    for recusal in (
        {"inspector": "gd", "project": NS.code, "reason": "曾任该项目监理"},
        {"inspector": "old.hand", "company": "某建设集团", "reason": "近亲属在该企业任职"},
    ):
        r = await sz.post(f"{API}/recusals", json=recusal)
        assert r.status_code == 200, r.text
    body = {
        "title": "2026年下半年双随机抽查",
        "inspector_pool": "深圳执法人员库",
        "project_pool": "深圳在建项目库",
        "projects": 2,
        "per_project": 2,
        "due": "2099-12-31",
    }
    r = await sz.post(f"{API}/draws", json=body)
    assert r.status_code == 200, r.text
    drawn = r.json()
    assert drawn["drawn_by"] == "sz" and len(drawn["seed"]) == 32 and drawn["reproduced"] is True
    assert (drawn["inspector_pool"], drawn["project_pool"]) == ("深圳执法人员库", "深圳在建项目库")
    result = {d["project"]: d["inspectors"] for d in drawn["result"]}
    # Nanshan: gd recused from it, old.hand from its company, ft's jurisdiction does not hold it
    assert result[NS.code] == ["ns", "sz"]
    assert len(result[FT.code]) == 2 and set(result[FT.code]) <= {"sz", "gd", "ft"}
    # the recorded pools and seed give the same draw to anyone
    pools = drawn["pools"]
    again = draw(
        Pools(
            tuple(Inspector(*i) for i in pools["inspectors"]),
            tuple(Candidate(*p) for p in pools["projects"]),
            tuple(Recusal(*x) for x in pools["recusals"]),
        ),
        drawn["seed"],
        2,
        2,
    )
    assert sorted(again) == sorted(result.items())
    # the draw is a plan: its coverage counts by the inspectors drawn
    cover = await coverage(sz, drawn["plan_id"])
    assert {i["inspector"] for i in cover["inspectors"]} == set(result[NS.code]) | set(result[FT.code])
    # the audit trail: who drew, when, which pools, the seed
    listed = await get(sz, f"{API}/draws")
    assert [(d["id"], d["drawn_by"], d["seed"]) for d in listed] == [(drawn["id"], "sz", drawn["seed"])]
    # scoped: Nanshan sees its project and not the pools; Guangzhou nothing
    mine = await get(ns, f"{API}/draws/{drawn['id']}")
    assert [d["project"] for d in mine["result"]] == [NS.code] and mine["pools"] is None
    assert (await gz.get(f"{API}/draws/{drawn['id']}")).status_code == 404
    assert await get(gz, f"{API}/draws") == []
    # too few eligible inspectors: the reason names the project
    r = await sz.post(f"{API}/draws", json=body | {"per_project": 3})
    assert r.status_code == 422 and "eligible inspectors" in r.json()["error"], r.text

    # 一公开: on the public page once published, for anyone
    async with httpx.AsyncClient(base_url=bureau.server.base_url) as anyone:
        assert (await anyone.get("/public/api/draws")).json() == []
        assert (await anyone.post(f"{API}/draws/{drawn['id']}/publish")).status_code == 401
        r = await sz.post(f"{API}/draws/{drawn['id']}/publish")
        assert r.status_code == 200 and r.json()["published_at"] is not None, r.text
        public = (await anyone.get("/public/api/draws")).json()
    assert [(d["id"], d["seed"], d["title"]) for d in public] == [(drawn["id"], drawn["seed"], body["title"])]
    assert {d["project"]: d["inspectors"] for d in public[0]["result"]} == result


def test_the_same_seed_and_pools_give_the_same_draw() -> None:
    pools = Pools(
        tuple(Inspector(f"i{n}", "广东省") for n in range(8)),
        tuple(Candidate(f"P{n:02}", f"c{n % 3}", f"广东省/深圳市/区{n % 4}") for n in range(30)),
        (Recusal("i0", company="c1"), Recusal("i1", project="P03")),
    )
    first = draw(pools, "seed-a", 10, 2)
    assert draw(pools, "seed-a", 10, 2) == first
    assert draw(pools, "seed-b", 10, 2) != first
    for code, names in first:
        company = f"c{int(code[1:]) % 3}"
        assert not (company == "c1" and "i0" in names) and not (code == "P03" and "i1" in names)
