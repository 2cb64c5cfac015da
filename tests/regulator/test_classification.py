"""Classification against 建质规〔2024〕5号 (#16 item 3) over real HTTP on SQLite and PostgreSQL: gateway
alerts, signed like a gateway and carrying the clauses the real rules write, are major or general with
the article and item by their citation and the seeded table; an inspector reclassifies one with a reason kept in the audit
trail; a regulator edits the table and the hazards it decides follow; a major hazard is listed
(挂牌督办) by default when ordered."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from contract.wire import EVENTS_PATH
from kinds.crane import collision as crane_collision
from kinds.crane import operator as crane_operator
from regulator.server import RegulatorServer
from rules import personnel_absent
from tests.regulator.support import PROJECT, make_event
from tests.regulator.test_review import send, signed_in


async def hazards_by_rule(reg: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    r = await reg.get("/ui/api/hazards", params={"state": "all"})
    assert r.status_code == 200, r.text
    return {h["rule"]: h for h in r.json()["hazards"]}


async def test_alerts_are_classified_reclassified_and_the_table_edited(receiver: RegulatorServer) -> None:
    now = time.time()
    for rule, level, clause in (
        ("crane.collision", "alarm", crane_collision.CLAUSES["alarm"]),
        ("crane.operator", "critical", crane_operator.CLAUSE),
        ("personnel.absent", "alarm", personnel_absent.CLAUSE),
        ("crane.load", "alarm", "GB 5144-2006 §6.1.2"),
    ):
        event = make_event(alert=f"{rule}:1", rule=rule, level=level, clause=clause, ts=now)
        assert (await send(receiver, EVENTS_PATH, json.loads(event.model_dump_json()))).status_code == 200
    reg = await signed_in(receiver, "li.jian", "regulator")
    site = await signed_in(receiver, "wang.gong", "project", PROJECT)
    try:
        table = (await reg.get("/ui/api/classifications")).json()
        seeded = {(r["rule"], r["clause_contains"]): r for r in table["rows"]}
        assert (seeded["*", "第八条(四)"]["major"], seeded["*", "第八条(四)"]["item"]) == (True, "（四）")
        assert seeded["personnel.absent", ""]["major"] is False

        got = await hazards_by_rule(reg)
        said = {r: (h["classification"], h["citation"], h["classified_by"]) for r, h in got.items()}
        assert said == {
            # their clauses cite the item: the citation says it before the table's * rows (issue 49)
            "crane.collision": ("major", "建质规〔2024〕5号 第八条（八）", "citation"),
            "crane.operator": ("major", "建质规〔2024〕5号 第四条（三）", "citation"),
            "personnel.absent": ("general", "", "table"),
            "crane.load": ("general", "", "table"),
        }
        assert "一般隐患" in got["personnel.absent"]["basis"] and "§7" in got["personnel.absent"]["basis"]
        assert "无对应条目" in got["crane.load"]["basis"]  # general, and why
        assert got["crane.collision"]["classification_name"] == "重大事故隐患"

        # an inspector reclassifies the overload, with a reason
        load = got["crane.load"]["id"]
        path = f"/ui/api/hazards/{load}/reclassify"
        change = {
            "major": True,
            "article": "第八条",
            "item": "（四）",
            "reason": "现场核查起重量限制器已被短接",
        }
        assert (await reg.post(path, json=change | {"reason": " "})).status_code == 422
        assert (await reg.post(path, json=change | {"article": ""})).status_code == 422
        assert (await site.post(path, json=change)).status_code == 403
        r = await reg.post(path, json=change)
        assert r.status_code == 200, r.text
        detail = (await reg.get(f"/ui/api/hazards/{load}")).json()
        assert (detail["classification"], detail["citation"], detail["classified_by"], detail["basis"]) == (
            "major",
            "建质规〔2024〕5号 第八条（四）",
            "li.jian",
            "现场核查起重量限制器已被短接",
        )
        [audit] = [a for a in detail["actions"] if a["action"] == "reclassify"]
        assert audit["actor"] == "li.jian"
        assert (
            audit["reason"]
            == "改判为重大事故隐患 建质规〔2024〕5号 第八条（四）：现场核查起重量限制器已被短接"
        )

        # a regulator edits the table: absences become major (an example edit), the reclassified stays
        row = {
            "rule": "personnel.absent",
            "clause_contains": "",
            "major": True,
            "article": "第四条",
            "item": "（二）",
        }
        assert (await site.put("/ui/api/classifications", json=row | {"basis": "x"})).status_code == 403
        assert (await reg.put("/ui/api/classifications", json=row | {"basis": ""})).status_code == 422
        r = await reg.put("/ui/api/classifications", json=row | {"basis": "本地规定：关键人员缺岗从严"})
        assert r.status_code == 200, r.text
        got = await hazards_by_rule(reg)
        assert got["personnel.absent"]["citation"] == "建质规〔2024〕5号 第四条（二）"
        assert got["crane.load"]["classified_by"] == "li.jian"
        absence_row = r.json()["id"]
        assert (await reg.delete(f"/ui/api/classifications/{absence_row}")).status_code == 200
        assert (await reg.delete(f"/ui/api/classifications/{absence_row}")).status_code == 404
        got = await hazards_by_rule(reg)
        assert got["personnel.absent"]["classification"] == "general"
        assert "无对应条目" in got["personnel.absent"]["basis"]  # its seed row was replaced, then deleted

        # ordered without saying: a major hazard goes under listed supervision, a general alarm does not
        collision, absent = got["crane.collision"]["id"], got["personnel.absent"]["id"]
        assert (await reg.post(f"/ui/api/hazards/{collision}/order", json={})).status_code == 200
        assert (await reg.post(f"/ui/api/hazards/{absent}/order", json={})).status_code == 200
        got = await hazards_by_rule(reg)
        assert (got["crane.collision"]["major"], got["personnel.absent"]["major"]) == (True, False)
    finally:
        await reg.aclose()
        await site.aclose()
