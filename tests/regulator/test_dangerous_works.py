"""The 危大 list on its way (issue 39 part 5): the gateway's signed heartbeat carries the site file's
``dangerous_works:`` to the regulator on real PostgreSQL; the regulator shows which dangerous works are
monitored and which are not, and an item under way without its plan, review, expert review (超过一定规模)
or acceptance is a major hazard citing 建质规〔2024〕5号 Art. 4(四)/(五); an item not yet started, or ended,
is none. Another district's inspector does not see the list; a heartbeat without a list keeps the last."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from contract.config import load_site
from contract.config.dangerous_works import DangerousWork
from contract.config.uplinks import RegulatorUplink
from gateway.uplinks.heartbeat import send_heartbeat
from regulator.names import BEIJING
from regulator.server import RegulatorServer
from tests.config.test_dangerous_works_section import EXAMPLE
from tests.regulator.support import pg_database
from tests.regulator.test_accident_followup import people_of
from tests.regulator.test_jurisdictions import FT, NS
from tests.rules.sites import device, site_variant

ART_4_4 = "建质规〔2024〕5号）第四条（四）"
ART_4_5 = "建质规〔2024〕5号）第四条（五）"


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RegulatorServer]:
    with pg_database() as url:
        regulator = RegulatorServer(url, evidence_dir=tmp_path / "evidence")
        for s in (NS, FT):
            regulator.repo.add_project(s.code, s.name, s.city, s.secret, s.district)
        await regulator.start()
        yield regulator
        await regulator.stop()


async def beat(server: RegulatorServer, works: list[DangerousWork]) -> None:
    uplink = RegulatorUplink(base_url=server.base_url, secret=NS.secret)
    async with httpx.AsyncClient() as client:
        assert await send_heartbeat(client, uplink, NS.code, 0, works)


async def listed(client: httpx.AsyncClient) -> dict[str, Any]:
    r = await client.get("/ui/api/dangerous-works", params={"project": NS.code})
    assert r.status_code == 200, r.text
    [project] = r.json()["projects"]
    return {"summary": project, **{w["id"]: w for w in project["works"]}}


def today() -> date:
    return datetime.now(BEIJING).date()


def work(**fields: Any) -> DangerousWork:
    ready = {
        "plan_written": True,
        "plan_reviewed": True,
        "expert_reviewed": True,
        "briefed": True,
        "accepted": True,
        "over_scale": True,
    }
    return DangerousWork.model_validate(ready | {"name": fields["id"]} | fields)


async def test_the_site_files_list_arrives_with_the_heartbeat_monitored_or_not(
    server: RegulatorServer,
) -> None:
    people = await people_of(server)
    await beat(server, list(load_site(EXAMPLE, env={}).config.dangerous_works))
    seen = await listed(people["ns"])
    assert seen["hf-3-5"]["name"] == "3号楼5层高支模" and seen["hf-3-5"]["devices"] == ["formwork-1"]
    assert seen["hf-3-5"]["monitored"] and not seen["scaffold-2"]["monitored"]
    # the high formwork, the pit, and the erections of crane-1 and hoist-1 (their 安拆 notices name them)
    assert seen["summary"]["monitored"] == 4 and seen["summary"]["unmonitored"] == 1
    assert seen["scaffold-2"]["major_hazards"] == []  # planned for next year: not under way
    r = await people["ft"].get("/ui/api/dangerous-works")
    assert r.json()["projects"] == []  # Futian's inspector does not see a Nanshan list

    # the plain heartbeat of a gateway with no list keeps the last list
    await beat(server, [])
    assert (await listed(people["ns"]))["summary"]["monitored"] == 4
    for c in people.values():
        await c.aclose()


async def test_an_item_under_way_without_its_papers_is_a_major_hazard(server: RegulatorServer) -> None:
    people = await people_of(server)
    started = today() - timedelta(days=3)
    await beat(
        server,
        [
            work(id="ready", actual_start=started),
            work(id="no-plan", actual_start=started, plan_reviewed=False),
            work(id="no-expert", actual_start=started, expert_reviewed=False),
            work(id="small", actual_start=started, over_scale=False, expert_reviewed=False),
            work(id="unaccepted", actual_start=started, accepted=False),
            work(id="starts-today", actual_start=today(), accepted=False),
            work(
                id="tomorrow",
                actual_start=None,
                planned_start=today() + timedelta(days=1),
                plan_written=False,
            ),
            work(id="ended", actual_start=started, actual_end=today(), accepted=False),
        ],
    )
    seen = await listed(people["ns"])

    def articles(item: str) -> list[str]:
        return [h["article"][-len(ART_4_4) :] for h in seen[item]["major_hazards"]]

    assert articles("ready") == [] and articles("small") == []  # not over scale: no expert review needed
    assert articles("no-plan") == [ART_4_4] and "方案未审核" in seen["no-plan"]["major_hazards"][0]["message"]
    assert (
        articles("no-expert") == [ART_4_4] and "专家论证" in seen["no-expert"]["major_hazards"][0]["message"]
    )
    assert (
        articles("unaccepted") == [ART_4_5]
        and "未经验收" in seen["unaccepted"]["major_hazards"][0]["message"]
    )
    assert articles("starts-today") == [ART_4_5]  # under way from its first day
    assert articles("tomorrow") == [] and articles("ended") == []  # not under way
    assert seen["summary"]["major"] == 4
    for c in people.values():
        await c.aclose()


async def test_an_item_its_sites_facts_put_over_scale_reaches_the_regulator_needing_its_review(
    server: RegulatorServer, tmp_path: Path
) -> None:
    # 建办质〔2018〕31号 附件2 三(二): crane-1 rated 32 t (313.8 kN ≥ 300 kN); its erection under way, the item's
    # over_scale left false and no expert review: the heartbeat carries the raised flag, and the regulator asks
    def change(data: dict[str, Any]) -> None:
        device(data, "crane-1")["crane"]["load_chart"][0]["rated_t"] = 32.0
        erection = next(w for w in data["dangerous_works"] if w["id"] == "tc-1-erect")
        erection.pop("actual_end")
        erection["actual_start"] = today() - timedelta(days=1)

    people = await people_of(server)
    await beat(server, list(site_variant(tmp_path, change).config.dangerous_works))
    seen = (await listed(people["ns"]))["tc-1-erect"]
    assert seen["over_scale"] and not seen["expert_reviewed"]
    assert [h["article"][-len(ART_4_4) :] for h in seen["major_hazards"]] == [ART_4_4]
    assert "未经专家论证" in seen["major_hazards"][0]["message"]
    for c in people.values():
        await c.aclose()
