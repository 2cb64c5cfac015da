"""Enforcement on record (issue 53 §4) over real HTTP, on PostgreSQL and the embedded SQLite, with the
jurisdictions test's bureau: a 行政处罚 with its decision document and a 约谈 recorded by Nanshan's
inspector, each counted in the grading and published (a person by surname only); Futian's inspector sees
neither; the bounds (a file that is no PDF, an article that cites no law, an ID number) refused naming the
field; 个人记分 adding up per person across districts to the province's threshold."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

import httpx

from regulator.access.auth import Accounts
from regulator.forwarding.wire import Record
from regulator.server import RegulatorServer
from tests.regulator.test_forwarding_refusals import project, send
from tests.regulator.test_forwarding_trust import PASSWORD as TRUST_PASSWORD
from tests.regulator.test_forwarding_trust import batch, pg_url, province, refused_field  # noqa: F401
from tests.regulator.test_jurisdictions import FT, NS, Bureau, bureau, get  # noqa: F401
from tests.regulator.test_review import CHEAP, PASSWORD

API = "/ui/api/enforcement"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ARTICLE = "《建设工程安全生产管理条例》第六十二条第（一）项"
DAY = 86_400.0


def penalty(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "penalty",
        "project": NS.code,
        "happened_at": time.time() - DAY,
        "party": "某建设集团",
        "case_number": "深南建罚〔2026〕12号",
        "article": ARTICLE,
        "amount": 50_000,
        "reason": "未设立安全生产管理机构、配备专职安全生产管理人员",
        "public": True,
        "document": base64.b64encode(PDF).decode(),
    } | fields


def interview(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "interview",
        "project": NS.code,
        "happened_at": time.time() - DAY,
        "party": "张三",
        "party_kind": "person",
        "reason": "塔吊超载报警三次未处置，约谈项目经理",
        "public": True,
    } | fields


async def post(client: httpx.AsyncClient, path: str, body: dict[str, Any], status: int = 200) -> Any:
    r = await client.post(path, json=body)
    assert r.status_code == status, r.text
    return r.json()


async def test_a_penalty_and_an_interview_feed_the_grading_and_the_public_list(bureau: Bureau) -> None:
    sz, ns, ft = (bureau.clients[u] for u in ("sz", "ns", "ft"))
    fined = (await post(ns, f"{API}/actions", penalty()))["id"]
    talked = (await post(ns, f"{API}/actions", interview()))["id"]

    # the inspector's own and the city's lists hold both, the latest first; Futian's holds neither
    mine = await get(ns, f"{API}/actions")
    assert [(a["id"], a["kind_name"]) for a in mine] == [(talked, "约谈"), (fined, "行政处罚")]
    assert (mine[1]["case_number"], mine[1]["amount"], mine[1]["article"]) == (
        "深南建罚〔2026〕12号",
        50_000,
        ARTICLE,
    )
    assert mine[1]["authority"] == "广东省/深圳市/南山区"
    assert [a["id"] for a in await get(sz, f"{API}/actions")] == [talked, fined]
    assert await get(ft, f"{API}/actions") == []
    await post(
        ft, f"{API}/actions", penalty(case_number="深福建罚〔2026〕1号"), 404
    )  # Nanshan's project: absent

    # the decision document as kept, to those who see the record only
    r = await sz.get(mine[1]["document"])
    assert (r.status_code, r.content, r.headers["content-type"]) == (200, PDF, "application/pdf")
    assert (await ft.get(mine[1]["document"])).status_code == 404
    assert mine[0]["document"] is None

    # the grading counts both on the project, each with its source
    graded = await get(sz, "/ui/api/grading")
    key = {p["code"]: p for p in graded["key_projects"]}
    assert FT.code not in key
    sanctions = [(f["source"], f["detail"]) for f in key[NS.code]["facts"] if f["fact"] == "sanction"]
    assert sanctions == [
        (
            "行政处罚 深南建罚〔2026〕12号",
            "某建设集团，罚款 50000 元：未设立安全生产管理机构、配备专职安全生产管理人员",
        ),
        (f"约谈记录 #{talked}", "张三：塔吊超载报警三次未处置，约谈项目经理"),
    ]
    assert all(
        f["fact_name"] == "受到行政处罚、约谈或通报" for f in key[NS.code]["facts"] if f["fact"] == "sanction"
    )
    assert NS.code not in {p["code"] for p in (await get(ft, "/ui/api/grading"))["key_projects"]}

    # the public list: the person by surname only, no document, no one who recorded it
    async with httpx.AsyncClient(base_url=bureau.server.base_url) as anyone:
        public = (await anyone.get("/public/api/enforcement")).json()
        assert (await anyone.get(f"{API}/actions")).status_code == 401
        assert (await anyone.get(mine[1]["document"])).status_code == 401
    assert [(p["kind_name"], p["party"], p["amount"]) for p in public] == [
        ("约谈", "张某", 0),
        ("行政处罚", "某建设集团", 50_000),
    ]
    assert not {"document", "recorded_by", "authority", "id"} & set(public[0])

    # a case number once per authority: Nanshan's again is refused, Futian may use the same text
    refused = await post(ns, f"{API}/actions", penalty(), 409)
    assert "深南建罚〔2026〕12号" in refused["error"]
    await post(ft, f"{API}/actions", penalty(project=FT.code, public=False))
    assert [p["project"] for p in (await get(sz, "/public/api/enforcement"))] == [NS.code, NS.code]


async def test_bad_records_are_refused_naming_the_field(bureau: Bureau) -> None:
    ns = bureau.clients["ns"]
    cases = {
        "document": penalty(document=base64.b64encode(b"MZ\x90\x00 an executable").decode()),
        "article": penalty(article="违反安全规定"),
        "case_number": penalty(case_number=" "),
        "party": interview(party="张三 440305199001011234"),
        "reason": interview(reason=""),
        "amount": interview(amount=100),
    }
    for field, body in cases.items():
        refused = await post(ns, f"{API}/actions", body, 422)
        assert str(refused["error"]).startswith(field), (field, refused)
    big = base64.b64encode(PDF + b"0" * (10 * 1024 * 1024)).decode()
    assert "document" in str((await post(ns, f"{API}/actions", penalty(document=big), 422))["error"])
    r = await ns.post(f"{API}/actions", json=penalty(amount=-1))
    assert r.status_code == 422 and "amount" in r.text, r.text
    assert await get(ns, f"{API}/actions") == []

    Accounts(bureau.server.repo, CHEAP).add_user("site", PASSWORD, "project", project=NS.code)
    async with httpx.AsyncClient(base_url=bureau.server.base_url) as site:
        assert (
            await site.post("/ui/api/login", json={"username": "site", "password": PASSWORD})
        ).status_code == 200
        await post(site, f"{API}/actions", interview(), 403)


def score(**fields: Any) -> dict[str, Any]:
    return {
        "project": NS.code,
        "person": "李四",
        "certificate": "粤1442020202012345",
        "role": "manager",
        "points": 6,
        "rule_item": "第3.2项 未按规定组织危大工程验收",
        "happened_at": time.time() - DAY,
    } | fields


async def test_person_scores_add_up_over_the_period_to_the_threshold(bureau: Bureau) -> None:
    sz, ns, ft, gd = (bureau.clients[u] for u in ("sz", "ns", "ft", "gd"))
    await post(ns, f"{API}/scores", score())
    await post(ft, f"{API}/scores", score(project=FT.code, rule_item="第2.1项 项目负责人未在岗"))
    await post(ns, f"{API}/scores", score(happened_at=time.time() - 400 * DAY))  # before the 12 months
    await post(
        ns,
        f"{API}/scores",
        score(person="王五", certificate="粤2442020202000001", role="chief_supervisor", points=2),
    )
    await post(ft, f"{API}/scores", score(), 404)
    refused = await post(ns, f"{API}/scores", score(certificate="440305199001011234"), 422)
    assert refused["error"].startswith("certificate")

    city = await get(sz, f"{API}/scores")
    assert [(p["person"], p["role_name"], p["total"], len(p["records"])) for p in city] == [
        ("李四", "项目经理", 12, 2),
        ("王五", "总监理工程师", 2, 1),
    ]
    assert [(p["person"], p["total"]) for p in await get(ns, f"{API}/scores")] == [("李四", 6), ("王五", 2)]

    # 12 points in 12 months (the default, to set to the province's rules) lists him in the city's grading
    assert [(p["person"], p["total"]) for p in (await get(sz, "/ui/api/grading"))["scored"]] == [("李四", 12)]
    assert (await get(ns, "/ui/api/grading"))["scored"] == []
    r = await gd.put("/ui/api/grading/policy", json={"score_points": 15})
    assert r.status_code == 200 and r.json()["score_points"] == 15, r.text
    assert (await get(sz, "/ui/api/grading"))["scored"] == []
    async with httpx.AsyncClient(base_url=bureau.server.base_url) as anyone:
        assert "粤1442020202012345" not in (await anyone.get("/public/api/enforcement")).text


async def test_a_citys_records_go_up_the_chain_within_its_place(province: RegulatorServer) -> None:
    """A city forwards its penalty and its scores like its ledger: the province keeps them under the city's
    place and grades with them; one by an authority outside the city is refused naming the column."""
    place = "广东省/深圳市/南山区"
    sha = hashlib.sha256(PDF).hexdigest()
    action = {
        "id": 7,
        "kind": "penalty",
        "project": "GD-SZ-1",
        "authority": place,
        "case_number": "深南建罚〔2026〕12号",
        "article": ARTICLE,
        "party": "某建设集团",
        "party_kind": "company",
        "amount": 50_000,
        "reason": "未配备专职安全生产管理人员",
        "happened_at": time.time() - DAY,
        "document_sha256": sha,
        "document_type": "pdf",
        "public": True,
        "recorded_by": "ns",
        "recorded_at": time.time(),
    }
    scored = score(project="GD-SZ-1") | {
        "id": 3,
        "points": 12,
        "recorded_by": "ns",
        "recorded_at": time.time(),
    }
    sent = batch(
        project("GD-SZ-1", place),
        Record(seq=2, kind="enforcement_action", ref="7", row=action),
        Record(seq=3, kind="person_score", ref="3", row=scored),
    )
    r = await send(province, sent)
    assert r.status_code == 200 and r.json()["new"] == 3, r.text
    forged = Record(seq=4, kind="enforcement_action", ref="8", row=action | {"id": 8, "authority": "广东省"})
    assert refused_field(await send(province, batch(forged))) == "records.0.row.authority"

    async with httpx.AsyncClient(base_url=province.base_url) as gd:
        assert (
            await gd.post("/ui/api/login", json={"username": "gd.ting", "password": TRUST_PASSWORD})
        ).is_success
        [kept] = await get(gd, f"{API}/actions")
        assert (kept["project"], kept["authority"], kept["case_number"]) == (
            "GD-SZ-1",
            place,
            "深南建罚〔2026〕12号",
        )
        assert (await gd.get(kept["document"])).status_code == 404  # the document stays at the city
        assert [(p["person"], p["total"]) for p in await get(gd, f"{API}/scores")] == [("李四", 12)]
        graded = await get(gd, "/ui/api/grading")
        assert [f["fact"] for k in graded["key_projects"] for f in k["facts"]] == ["sanction"]
        assert [p["person"] for p in graded["scored"]] == ["李四"]
