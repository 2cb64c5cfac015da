"""Issue 50: a hazard a province's inspector records on a city's project (监督检查, from the patrol wall's
记录隐患 or the inspection form: the same route) goes down to the city and becomes the city's hazard, which
the city and its site work through the closed loop (整改 → 复查 → 销号) while the province watches the same
one hazard: one hazard at every level, never two. Two real `sitegw regulator serve` processes, each on its
own PostgreSQL database (tests/regulator/chain.py); the site's report is its gateway's signed request to the
city. And two hops down: three `serve` processes (province, city, district), the hazard recorded on the
district's project worked and closed at the district.
"""

from __future__ import annotations

from typing import Protocol

import httpx
import pytest

from contract.wire import RECTIFICATIONS_PATH, RectificationReport
from regulator.ledger.review import Review
from regulator.ledger.supervision import Supervision
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor
from tests.regulator.chain import Killable, Regulator, WithProvince, wait
from tests.regulator.chain import chain as forwarding_chain
from tests.regulator.support import PROJECT, real_jpeg, signed
from tests.regulator.test_forwarding import b64
from tests.regulator.test_forwarding_liveness import province_ui
from tests.regulator.test_forwarding_three_levels import DISTRICT_PLACE, three_levels

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

CITY_INSPECTOR = Actor("sz-inspector", "regulator", None, "广东省/深圳市")
FINDING = {
    "project": PROJECT,
    "description": "2号塔吊力矩限制器被短接",
    "article": "第八条",
    "item": "四",
    "deadline_days": 10,
}


class Levels(WithProvince, Killable, Protocol):
    """A chain of two levels or three: its province, and what a failed wait stops."""


def recorded_at_province(c: Levels) -> tuple[int, str]:
    """Once the project reached the province, a province regulator (gd, of 广东省) records the finding on it
    (监督检查): the province's id of the hazard, and its ``alert_id``."""
    wait(lambda: c.province.rows("SELECT code FROM projects") == [(PROJECT,)], "the project upward", 90, c)
    with province_ui(c) as ui:
        r = ui.post("/ui/api/inspections", json=FINDING)
        assert r.status_code == 200, r.text
        at_province = int(r.json()["hazard_id"])
    [(key,)] = c.province.rows("SELECT alert_id FROM hazards")
    return at_province, str(key)


def report_fixed(side: Regulator, key: str) -> None:
    """The site's gateway reports the hazard ``key`` fixed (整改) to the platform it reports to, with a photo."""
    report = RectificationReport(
        project=PROJECT, alert_id=key, note="已恢复力矩限制器并复测", photo=b64(real_jpeg("FIXED"))
    )
    body = report.model_dump_json().encode()
    r = httpx.post(
        side.url + RECTIFICATIONS_PATH, content=body, headers=signed(RECTIFICATIONS_PATH, body), timeout=30
    )
    assert r.status_code == 200, r.text


def reinspect(side: Regulator, hazard_id: int, inspector: Actor) -> None:
    """``inspector``'s re-inspection (复查) at ``side`` passes the fix: 销号, with its photo in that platform's
    own evidence store."""
    repo = Repository(side.db, f"/tmp/sitegw-chain-{side.port}")
    try:
        Supervision(repo, Review(repo)).reinspect(hazard_id, inspector, True, "复查合格", real_jpeg("OK"))
    finally:
        repo.close()


def test_a_hazard_the_province_records_on_a_citys_project_is_the_citys_to_work_and_one_hazard_at_both() -> (
    None
):
    with forwarding_chain() as c:
        at_province, key = recorded_at_province(c)
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
        report_fixed(c.city, key)
        wait(
            lambda: c.province.rows("SELECT state FROM hazards") == [("reported",)],
            "the site's report at the province",
            60,
            c,
        )
        reinspect(c.city, city_id, CITY_INSPECTOR)
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


@pytest.mark.timeout(300)
def test_a_hazard_the_province_records_on_a_districts_project_goes_down_two_hops_and_is_closed_there() -> (
    None
):
    """Three levels: the province records a hazard on a project the district's platform holds (the district
    forwarding to the city, the city to the province). It comes down through the city to the district once,
    the site reports its fix to the district, the district's 复查 closes it (销号), and that comes back up
    through the city as the province's one hazard closed: one hazard at every level, never a second."""
    with three_levels() as c:
        at_province, key = recorded_at_province(c)
        # down two hops: the district holds it as its own hazard, under rectification, the province's record
        wait(
            lambda: c.district.rows("SELECT alert_id FROM hazards") == [(key,)],
            "the province's hazard at the district",
            90,
            c,
        )
        for side in (c.city, c.district):
            assert side.rows("SELECT state, found_by, major FROM hazards") == [("rectifying", "gd", True)]
            assert side.rows("SELECT action, actor FROM actions") == [("record", "gd")]
        # each copy back up to its parent as the parent's own: every level alike, one hazard each
        wait(c.same, "every level alike once the copies went back up", 90, c)
        assert c.province.rows("SELECT id FROM hazards") == [(at_province,)]

        # the site reports its fix to the district, the district's inspector re-inspects it and closes it
        report_fixed(c.district, key)
        wait(
            lambda: c.province.rows("SELECT state FROM hazards") == [("reported",)],
            "the site's report at the province",
            90,
            c,
        )
        [(district_id,)] = c.district.rows("SELECT id FROM hazards")
        reinspect(c.district, district_id, Actor("ns-inspector", "regulator", None, DISTRICT_PLACE))
        wait(
            lambda: c.province.rows("SELECT id, state FROM hazards") == [(at_province, "closed")],
            "the district's 销号 at the province",
            90,
            c,
        )
        wait(c.same, "every level alike after the 销号", 90, c)
        trail = [r[2:4] for r in sorted(c.province.ledger()["actions"], key=lambda r: r[6])]
        assert trail == [("record", "gd"), ("report", trail[1][1]), ("close", "ns-inspector")], trail
        for side in c.sides:
            assert side.rows("SELECT COUNT(*), MIN(state) FROM hazards") == [(1, "closed")]
        for side in (c.city, c.district):  # each copy made once, from its parent's one hazard
            assert side.rows("SELECT COUNT(*) FROM forward_down WHERE kind = 'hazard'") == [(1,)]
