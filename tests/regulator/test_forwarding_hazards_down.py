"""Issue 50: a hazard a province's inspector records on a city's project (监督检查, from the patrol wall's
记录隐患 or the inspection form: the same route) goes down to the city and becomes the city's hazard, which
the city and its site work through the closed loop (整改 → 复查 → 销号) while the province watches the same
one hazard: one hazard at every level, never two. Two real `sitegw regulator serve` processes, each on its
own PostgreSQL database (tests/regulator/chain.py); the site's report is its gateway's signed request to the
city.
"""

from __future__ import annotations

import httpx

from contract.wire import RECTIFICATIONS_PATH, RectificationReport
from regulator.ledger.review import Review
from regulator.ledger.supervision import Supervision
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor
from tests.regulator.chain import chain as forwarding_chain
from tests.regulator.chain import wait
from tests.regulator.support import PROJECT, real_jpeg, signed
from tests.regulator.test_forwarding import b64
from tests.regulator.test_forwarding_liveness import province_ui

CITY_INSPECTOR = Actor("sz-inspector", "regulator", None, "广东省/深圳市")
FINDING = {
    "project": PROJECT,
    "description": "2号塔吊力矩限制器被短接",
    "article": "第八条",
    "item": "四",
    "deadline_days": 10,
}


def test_a_hazard_the_province_records_on_a_citys_project_is_the_citys_to_work_and_one_hazard_at_both() -> (
    None
):
    with forwarding_chain() as c:
        wait(
            lambda: c.province.rows("SELECT code FROM projects") == [(PROJECT,)], "the project upward", 60, c
        )
        with province_ui(c) as ui:  # gd, a regulator of 广东省
            r = ui.post("/ui/api/inspections", json=FINDING)
            assert r.status_code == 200, r.text
            at_province = r.json()["hazard_id"]
        [(key,)] = c.province.rows("SELECT alert_id FROM hazards")
        # down: the city holds it as its own hazard, under rectification with the province's deadline
        wait(
            lambda: c.city.rows("SELECT alert_id FROM hazards") == [(key,)],
            "the province's hazard at the city",
            60,
            c,
        )
        [(city_id, state, found_by, major)] = c.city.rows("SELECT id, state, found_by, major FROM hazards")
        assert (state, found_by, major) == ("rectifying", "gd", True)
        assert c.city.rows("SELECT action, actor FROM actions") == [("record", "gd")]
        # and back up as the same one: the province's row, never a second hazard
        wait(c.same, "both ledgers alike once the city's copy went back up", 60, c)
        assert c.province.rows("SELECT id FROM hazards") == [(at_province,)]

        # the site reports it fixed to the city (its gateway), the city re-inspects it and closes it (销号) ...
        report = RectificationReport(
            project=PROJECT, alert_id=key, note="已恢复力矩限制器并复测", photo=b64(real_jpeg("FIXED"))
        )
        body = report.model_dump_json().encode()
        r = httpx.post(
            c.city.url + RECTIFICATIONS_PATH,
            content=body,
            headers=signed(RECTIFICATIONS_PATH, body),
            timeout=30,
        )
        assert r.status_code == 200, r.text
        wait(
            lambda: c.province.rows("SELECT state FROM hazards") == [("reported",)],
            "the site's report at the province",
            60,
            c,
        )
        city_repo = Repository(c.city.db, f"/tmp/sitegw-chain-{c.city.port}")  # the city's own evidence
        try:
            review = Review(city_repo)
            Supervision(city_repo, review).reinspect(
                city_id, CITY_INSPECTOR, True, "复查合格", real_jpeg("OK")
            )
        finally:
            city_repo.close()
        # ... and the province's one hazard is closed, its trail the city's loop after its own record
        wait(
            lambda: c.province.rows("SELECT id, state FROM hazards") == [(at_province, "closed")],
            "the city's 销号 at the province",
            60,
            c,
        )
        wait(c.same, "both ledgers alike after the 销号", 60, c)
        trail = [r[2:4] for r in sorted(c.ledger(c.province)["actions"], key=lambda r: r[6])]
        assert trail == [("record", "gd"), ("report", trail[1][1]), ("close", "sz-inspector")], trail
        assert c.province.rows("SELECT COUNT(*) FROM hazards") == [(1,)]
        assert c.city.rows("SELECT COUNT(*) FROM hazards") == [(1,)]
