"""The site sees and answers the regulator's supervision notices (挂牌督办, #16 item 5), end to end: a real
gateway (its API, alert manager, outbox and feedback poller over real HTTP) and a real regulator on
PostgreSQL. The site's alarm reaches the regulator; an inspector of its district confirms it as a major
hazard, listing it at county and city level; the gateway's next poll puts both notices on its board, its
API serves their PDFs fetched from the regulator, a supervisor answers one with a photo and a note (the
signed rectification report), the regulator sees the hazard reported, and after the city's re-inspection
closes it the notices leave the board. Stand-in as in test_feedback.py: the alert starts from a rule's
verdict, the site having no devices; the alarm's clause cites 第八条(四) so the table classifies it major.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pypdfium2
import pytest

from gateway.api.auth_store import AuthStore
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from rules.result import RuleResult
from sitegw.runtime import Gateway
from tests.regulator.support import PROJECT, SECRET, pg_database, real_jpeg
from tests.uplinks.feedback_site import site
from tests.uplinks.test_feedback import gateway, until

SUPERVISOR, PASSWORD = "super1", "correct-horse-9"
DISTRICT = Actor("ns", "regulator", jurisdiction="广东省/深圳市/南山区")
CITY = Actor("sz", "regulator", jurisdiction="广东省/深圳市")
YEAR = time.localtime().tm_year


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_database() as url:
        yield url


def major_alarm(gw: Gateway) -> str:
    """An alarm whose clause cites 建质规〔2024〕5号 第八条(四) (a limiter out of order); its alert id."""
    gw.monitor.alerts.handle(
        [
            RuleResult(
                "crane.load",
                "crane-1",
                "",
                "alarm",
                time.time(),
                clause="建质规〔2024〕5号 第八条(四) 起重量限制器失效",
                value=104.0,
                threshold=100.0,
                unit="%",
                message="crane-1 起重量 104%，起重量限制器未切断起升",
                message_en="crane-1 load 104 %, the limiter did not cut hoisting",
            )
        ]
    )
    [alert] = [a for a in gw.monitor.alerts.list_alerts(device="crane-1") if a.state == "firing"]
    return alert.alert_id


@pytest.mark.timeout(120)
async def test_the_site_sees_its_notices_and_answers_them_from_its_dashboard(
    pg_url: str, tmp_path: Path
) -> None:
    server = RegulatorServer(pg_url, evidence_dir=tmp_path / "evidence")
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区", "中建某局")
    await server.start()
    state = tmp_path / "state"
    state.mkdir()
    users = AuthStore(state / "users.sqlite")
    users.add_user(SUPERVISOR, "supervisor", PASSWORD, replace=True)
    users.close()
    try:
        async with gateway(site(tmp_path, server.base_url), state) as gw:
            alert_id = major_alarm(gw)

            async def arrived() -> int | None:
                return server.review.hazard_for_alert(PROJECT, alert_id)

            hazard_id = await until(arrived, "the alarm at the regulator")
            server.review.act(hazard_id, "confirm", DISTRICT)
            server.review.act(hazard_id, "order", DISTRICT)
            async with httpx.AsyncClient(base_url=gw.url or "", timeout=10) as client:

                async def board() -> list[dict[str, Any]]:
                    r = await client.get("/api/v1/regulator/notices")
                    assert r.status_code == 200, r.text
                    return list(r.json())

                async def both() -> list[dict[str, Any]] | None:
                    found = await board()
                    return found if len(found) == 2 else None

                notices = await until(both, "both notices on the gateway's board")
                assert {(n["number"], n["level_name"], n["kind_name"]) for n in notices} == {
                    (f"南山区住建督〔{YEAR}〕1号", "区县级", "整改通知书"),
                    (f"深圳市住建督〔{YEAR}〕1号", "市级", "整改通知书"),
                }
                county = next(n for n in notices if n["level_name"] == "区县级")
                assert county["alert_id"] == alert_id and county["hazard_state"] == "rectifying"
                assert abs(county["deadline"] - (county["issued_at"] + 30 * 86400)) < 1

                r = await client.get(county["pdf"])
                assert r.status_code == 200 and r.headers["content-type"] == "application/pdf", r.text
                text = "".join(
                    "".join(p.get_textpage().get_text_range().split())
                    for p in pypdfium2.PdfDocument(r.content)
                )
                assert f"南山区住建督〔{YEAR}〕1号" in text and "示范项目" in text and "第八条（四）" in text

                photo = base64.b64encode(real_jpeg("FIXED", (30, 160, 30))).decode()
                answer = {"note": "已更换起重量限制器并复测", "photo": photo}
                path = f"/api/v1/regulator/notices/{county['uplink']}/{county['id']}/answer"
                r = await client.post(path, json=answer)
                assert r.status_code == 401, r.text  # a supervisor answers, signed in
                login = await client.post(
                    "/api/v1/auth/login", json={"username": SUPERVISOR, "password": PASSWORD}
                )
                auth = {"Authorization": "Bearer " + login.json()["token"]}
                r = await client.post(
                    path, json={**answer, "photo": base64.b64encode(b"not a jpeg").decode()}, headers=auth
                )
                assert r.status_code == 422, r.text  # the regulator's reason passed on
                r = await client.post(path, json=answer, headers=auth)
                assert r.status_code == 200 and r.json()["status"] == "reported", r.text

                detail = server.review.hazard(hazard_id, CITY)
                assert detail["state"] == "reported"
                report = [a for a in detail["actions"] if a["action"] == "report"][-1]
                assert report["actor"] == f"gateway:{SUPERVISOR}" and report["reason"] == answer["note"]

                server.supervision.reinspect(hazard_id, CITY, True, "复查合格", real_jpeg("OK"))

                async def cleared() -> bool:
                    return await board() == []

                await until(cleared, "the closed notices off the board")
    finally:
        await server.stop()
