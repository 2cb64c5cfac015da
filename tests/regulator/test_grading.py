"""Grading by the campaign's criteria (regulator/reports/grading.py) over a real regulator (PostgreSQL and the
embedded SQLite, and the HTTP API):
each named fact makes a project key-risk and is shown with its source record, the deduction threshold
checked at, just below and just above 40 points (达到 = >=), a stop-work order lifted long ago no longer
counts, an ordinary overdue hazard is no fact but a major one is, the monthly inspection duty follows the
records of this month, a company with a third of its sites stopped is published and one with fewer is not,
and a district inspector records only in their district."""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from regulator.access.auth import Accounts
from regulator.cli import add_project, add_record
from regulator.ledger import enforcement
from regulator.ledger.incidents import Incidents
from regulator.ledger.review import DAY_S, ReviewError
from regulator.ledger.supervision import ListingPolicy
from regulator.names import beijing_text
from regulator.reports import grading
from regulator.server import RegulatorServer
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor
from tests.regulator.inspector import CHEAP, PASSWORD
from tests.regulator.support import ThreadedRegulator, make_event, real_jpeg

CITY = Actor("sz.city", "regulator", None, "广东省/深圳市")
NANSHAN = Actor("ns.inspector", "regulator", None, "广东省/深圳市/南山区")
CONTRACTOR = "甲建设集团"


@pytest.fixture
def server(db_url: str) -> Iterator[RegulatorServer]:
    # listed supervision's deadlines (a major hazard ordered is listed) pass within a second
    quick = ListingPolicy(county_days=1e-5, city_days=1e-5)
    with ThreadedRegulator(db_url, listing=quick) as s:
        for i in range(6):  # 甲建设集团's six sites in Nanshan and Futian
            s.repo.add_project(
                f"GD-SZ-{i:04d}",
                f"项目{i}",
                "深圳",
                "secret-0001",
                "南山区" if i < 3 else "福田区",
                CONTRACTOR,
            )
        s.repo.add_project("GD-SZ-0100", "乙的项目", "深圳", "secret-0001", "福田区", "乙建设公司")
        s.repo.add_project("GD-SZ-0101", "乙的项目二", "深圳", "secret-0001", "福田区", "乙建设公司")
        Accounts(s.repo, CHEAP).add_user("sz.city", PASSWORD, "regulator", None, "", CITY.jurisdiction)
        yield s


def deduct(s: RegulatorServer, code: str, points: float, company: str = CONTRACTOR) -> int:
    entry = enforcement.Entry(code, "deduction", time.time() - DAY_S, company, points, "扣分决定书")
    return enforcement.record(s.repo, CITY, entry)


def keyed(s: RegulatorServer) -> dict[str, list[str]]:
    """Each key-risk project's facts."""
    return {p.code: [f.fact for f in p.facts] for p in grading.grade(s.repo, CITY).key_projects()}


def test_deductions_count_from_forty_points(server: RegulatorServer) -> None:
    deduct(server, "GD-SZ-0000", 39.5)
    assert "GD-SZ-0000" not in keyed(server)  # just below
    second = deduct(server, "GD-SZ-0000", 0.5)  # at 40: 达到
    first = second - 1
    graded = {p.code: p for p in grading.grade(server.repo, CITY).projects}
    (fact,) = graded["GD-SZ-0000"].facts
    assert fact.fact == "deductions"
    assert fact.source == f"扣分记录 #{first}、#{second}"
    assert "累计 40 分" in fact.detail
    deduct(server, "GD-SZ-0001", 41)  # above
    assert keyed(server)["GD-SZ-0001"] == ["deductions"]
    # the company's own deductions (40 + 41 over two projects) make it key-risk too
    company = next(c for c in grading.grade(server.repo, CITY).companies if c.name == CONTRACTOR)
    assert company.deduction_total == 81
    assert company.facts[-1].detail == "企业累计动态扣分 81 分"


def test_each_fact_with_its_source_record(server: RegulatorServer) -> None:
    repo, now = server.repo, time.time()
    accident = Incidents(repo).record(CITY, "GD-SZ-0000", "accident", now - 400 * DAY_S, 0, 2, "脚手架坍塌")
    Incidents(repo).record(
        CITY, "GD-SZ-0005", "accident", now - 800 * DAY_S, 0, 1, "三年前的事故"
    )  # over two years
    Incidents(repo).record(CITY, "GD-SZ-0004", "near_miss", now - DAY_S, 0, 0, "险情不是事故")
    stop = enforcement.record(
        repo, CITY, enforcement.Entry("GD-SZ-0001", "stop_work", now - 5 * DAY_S, note="停工令 7 号")
    )
    old = enforcement.record(repo, CITY, enforcement.Entry("GD-SZ-0002", "stop_work", now - 500 * DAY_S))
    enforcement.lift(repo, CITY, old, now - 490 * DAY_S)  # lifted long ago: no longer a fact
    # a critical hazard is ordered as a major one (listed supervision's default); an alarm is not
    for alert, code, level in (("t1", "GD-SZ-0003", "critical"), ("w1", "GD-SZ-0004", "alarm")):
        repo.store_event(make_event(alert, project=code, level=level), secrets.token_hex(8), 600)
    with repo.engine.connect() as db:
        ids = dict(db.exec_driver_sql("SELECT project, id FROM hazards").all())
    for code in ("GD-SZ-0003", "GD-SZ-0004"):
        server.review.act(ids[code], "order", CITY, deadline_days=1e-5)
    time.sleep(1.0)
    graded = {p.code: p for p in grading.grade(repo, CITY).projects}
    assert keyed(server) == {
        "GD-SZ-0000": ["accident"],
        "GD-SZ-0001": ["stop_work"],
        "GD-SZ-0003": ["major_overdue"],
    }
    assert graded["GD-SZ-0000"].facts[0].source == f"事故险情台账 #{accident['id']}"
    assert graded["GD-SZ-0001"].facts[0].source == f"执法记录 #{stop}"
    assert graded["GD-SZ-0001"].stopped
    assert graded["GD-SZ-0003"].facts[0].source == f"隐患 #{ids['GD-SZ-0003']}"


def test_monthly_inspection_duty_and_the_published_list(server: RegulatorServer) -> None:
    repo, now = server.repo, time.time()
    for code in ("GD-SZ-0000", "GD-SZ-0001"):  # two of 甲's six sites stopped: a third
        enforcement.record(repo, CITY, enforcement.Entry(code, "stop_work", now - DAY_S))
    enforcement.record(repo, CITY, enforcement.Entry("GD-SZ-0000", "inspection", now - 60))
    enforcement.record(
        repo, CITY, enforcement.Entry("GD-SZ-0001", "inspection", now - 40 * DAY_S)
    )  # last month
    enforcement.record(repo, CITY, enforcement.Entry("GD-SZ-0000", "report", now - 60))
    graded = grading.grade(repo, CITY, now)
    duties = {p.code: grading.duties(p, graded.policy) for p in graded.key_projects()}
    assert duties["GD-SZ-0000"] == {
        "inspections": 1,
        "inspection_done": True,
        "reports": 1,
        "report_done": True,
    }
    assert duties["GD-SZ-0001"] == {
        "inspections": 0,
        "inspection_done": False,
        "reports": 0,
        "report_done": False,
    }
    assert [(c.name, c.stopped) for c in graded.published()] == [(CONTRACTOR, ["GD-SZ-0000", "GD-SZ-0001"])]
    # one of 乙's two stopped: a half; the province raises the ratio to 0.4: 甲 (1/3) drops off, 乙 stays
    enforcement.record(repo, CITY, enforcement.Entry("GD-SZ-0100", "stop_work", now - DAY_S))
    with pytest.raises(ReviewError):
        grading.set_policy(repo, CITY, {"publish_ratio": 0.4})  # a city may not
    grading.set_policy(repo, Actor("gd", "regulator", None, "广东省"), {"publish_ratio": 0.4})
    assert [c.name for c in grading.grade(repo, CITY).published()] == ["乙建设公司"]


def test_records_over_http_stay_in_the_jurisdiction(server: RegulatorServer) -> None:
    Accounts(server.repo, CHEAP).add_user(
        "ns.inspector", PASSWORD, "regulator", None, "", NANSHAN.jurisdiction
    )
    with httpx.Client(base_url=server.base_url) as client:
        client.post(
            "/ui/api/login", json={"username": "ns.inspector", "password": PASSWORD}
        ).raise_for_status()
        body = {
            "project": "GD-SZ-0000",
            "kind": "deduction",
            "happened_at": time.time(),
            "company": CONTRACTOR,
            "points": 45,
        }
        assert client.post("/ui/api/enforcement", json=body).status_code == 200
        futian = client.post("/ui/api/enforcement", json=body | {"project": "GD-SZ-0004"})
        assert futian.status_code == 404  # Futian is not theirs
        no_company = client.post("/ui/api/enforcement", json=body | {"company": ""})
        assert no_company.status_code == 422 and "company" in no_company.json()["error"]
        view = client.get("/ui/api/grading").json()
        assert [p["code"] for p in view["key_projects"]] == ["GD-SZ-0000"]
        assert not view["key_projects"][0]["inspection_done"]
        # a hazard the inspector records on the site (监督检查 channel) is this month's inspection of it
        finding = {"project": "GD-SZ-0000", "description": "临边防护缺失", "article": "第八条", "item": "四",
                   "deadline_days": 10, "photos": [base64.b64encode(real_jpeg("edge")).decode()]}  # fmt: skip
        assert client.post("/ui/api/inspections", json=finding).status_code == 200
        assert client.get("/ui/api/grading").json()["key_projects"][0]["inspection_done"]
        assert view["key_projects"][0]["facts"][0]["fact_name"] == "动态扣分达到阈值"
        xlsx = client.get("/ui/api/grading.xlsx")
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_cli_places_a_project_and_records_what_grading_needs(tmp_path: Path) -> None:
    cli = typer.Typer()
    regulator = typer.Typer()
    cli.add_typer(regulator, name="regulator")
    regulator.command("add-project")(add_project)
    regulator.command("record")(add_record)
    db = ["--db", f"sqlite:///{tmp_path}/reg.sqlite"]
    add = [
        "regulator",
        "add-project",
        "GD-SZ-0001",
        "--name",
        "前海项目",
        "--city",
        "深圳",
        "--district",
        "南山区",
        *db,
    ]
    swapped = CliRunner().invoke(cli, [*add, "--lat", "113.9", "--lon", "22.5"])
    assert swapped.exit_code == 2 and "latitude comes first" in swapped.output, swapped.output
    assert CliRunner().invoke(cli, [*add, "--lat", "22.53"]).exit_code == 2  # one alone
    r = CliRunner().invoke(cli, [*add, "--contractor", CONTRACTOR, "--lat", "22.527", "--lon", "113.905"])
    assert r.exit_code == 0, r.output
    day = beijing_text(time.time() - 2 * DAY_S)[:10]
    deduct = ["regulator", "record", "GD-SZ-0001", "--kind", "deduction", "--on", day, *db]
    r = CliRunner().invoke(cli, [*deduct, "--points", "40"])
    assert r.exit_code == 2 and "company" in r.output  # whose points
    r = CliRunner().invoke(
        cli, [*deduct, "--points", "40", "--company", CONTRACTOR, "--note", "深建扣〔2026〕3号"]
    )
    assert r.exit_code == 0 and "动态扣分 #1 recorded" in r.output, r.output
    repo = Repository(db[1])
    try:
        with repo.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT lat, lon FROM projects").one() == (22.527, 113.905)
        graded = grading.grade(repo, Actor("cli", "admin"), now=time.time())
        assert [f.source for p in graded.key_projects() for f in p.facts] == ["扣分记录 #1"]
    finally:
        repo.close()
