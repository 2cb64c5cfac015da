"""A record the province refuses for good is set aside, not a wall (issue 50 §3): real `sitegw regulator
serve` processes, a city and its province, each on its own PostgreSQL (tests/regulator/chain.py).

A city holding one project registered under another city's place used to have every batch refused (HTTP 422)
and nothing of its valid records arrived; now that project (and what belongs to it) waits at the city with
the province's reason, everything else arrives, and re-registering the project releases it."""

from __future__ import annotations

import subprocess
from typing import Any

import httpx
import pytest

from contract.wire import EVENTS_PATH
from regulator.access.auth import Accounts
from regulator.storage.repository import Repository
from tests.regulator.chain import Chain, _cli, chain, wait
from tests.regulator.support import PROJECT, SECRET, make_event, signed
from tests.regulator.test_forwarding import PASSWORD, enrol

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

MISPLACED = "GD-GZ-2026-0009"  # a Shenzhen platform's project registered in Guangzhou by mistake


def post(c: Chain, alert: str, project: str) -> None:
    body = make_event(alert, project=project).model_dump_json().encode()
    r = httpx.post(
        c.city.url + EVENTS_PATH, content=body, headers=signed(EVENTS_PATH, body, project=project), timeout=30
    )
    assert r.status_code == 200, r.text


def page(url: str, repo: Repository) -> dict[str, Any]:
    """What an admin's forwarding page (/forwarding) shows at ``url``."""
    try:
        made = Accounts(repo).add_user("admin", PASSWORD, "admin")
    finally:
        repo.close()
    with httpx.Client(base_url=url, timeout=30) as ui:
        enrol(ui, "admin", made.enrolment_code or "")
        assert "/ui/page/forwarding.js" in ui.get("/forwarding").text
        r = ui.get("/ui/api/forwarding")
        assert r.status_code == 200, r.text
        shown: dict[str, Any] = r.json()
        return shown


def held(c: Chain) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in c.city.rows("SELECT kind, ref, code FROM forward_quarantine ORDER BY seq")]


def test_a_misregistered_project_is_set_aside_while_everything_else_arrives_then_its_fix_releases_it() -> (
    None
):
    with chain() as c:
        repo = c.city.repo()
        try:
            repo.add_project(MISPLACED, "误登记项目", "广州", SECRET, "天河区", "中建某局")
        finally:
            repo.close()
        post(c, "misplaced-1", MISPLACED)
        for n in range(5):
            post(c, f"valid-{n}", PROJECT)

        def arrived() -> bool:
            alerts = {r[0] for r in c.province.rows("SELECT alert_id FROM hazards")}
            return {f"valid-{n}" for n in range(5)} <= alerts and c.backlog() == 0

        took = wait(arrived, "the city's valid records at the province", 60, c)
        assert took < 30
        # the misplaced project and its hazard wait at the city, each with the province's reason
        assert ("project", MISPLACED, "place") in held(c)
        assert any(kind == "hazard" and code == "unknown_project" for kind, _, code in held(c)), held(c)
        assert c.province.rows(f"SELECT code FROM projects WHERE code = '{MISPLACED}'") == []
        # the province's cities page reads what it refused and the city's last contact
        assert ("project", MISPLACED, "place") in [
            tuple(r)
            for r in c.province.rows("SELECT kind, ref, code FROM forward_refusals WHERE origin = 'SZ'")
        ]
        assert c.province.rows("SELECT last_seen_at IS NOT NULL, backlog FROM forward_cities")[0][0]
        # both ends' forwarding page: the city's records set aside with what to do, the province's cities
        city_page = page(c.city.url, c.city.repo())
        assert city_page["up"]["backlog"] == 0 and city_page["up"]["contact_at"] is not None
        assert [(h["ref"], h["code"]) for h in city_page["up"]["held"] if h["kind"] == "project"] == [
            (MISPLACED, "place")
        ]
        assert "重新登记" in city_page["up"]["held"][0]["what_to_do"]
        [sz] = page(c.province.url, c.province.repo())["cities"]
        assert sz["id"] == "SZ" and sz["last_seen_at"] is not None
        assert (MISPLACED, "place") in [(r["ref"], r["code"]) for r in sz["refused"]]
        listed = subprocess.run(
            [*_cli("forwarding", "list", "--db", c.city.db)], capture_output=True, text=True, timeout=60
        )
        assert MISPLACED in listed.stdout and "重新登记" in listed.stdout, listed.stdout + listed.stderr

        # the fix at the city: the project re-registered under the city's place releases it and its hazard
        repo = c.city.repo()
        try:
            repo.add_project(MISPLACED, "误登记项目", "深圳", SECRET, "福田区", "中建某局")
        finally:
            repo.close()
        wait(
            lambda: "misplaced-1" in {r[0] for r in c.province.rows("SELECT alert_id FROM hazards")},
            "the released project's hazard at the province",
            60,
            c,
        )
        wait(lambda: held(c) == [] and c.backlog() == 0, "nothing set aside at the city", 30, c)
        assert c.province.rows(f"SELECT code FROM projects WHERE code = '{MISPLACED}'") == [(MISPLACED,)]
        assert c.province.rows("SELECT COUNT(*) FROM forward_refusals")[0][0] == 0
        c.city.stop()
        assert f"project {MISPLACED}" in c.city.logs[-1] and "set aside" in c.city.logs[-1]
