"""The bureau's public page (issue 53 §6) in real headless Chromium, no sign-in, against a real regulator:
it shows the typical case the bureau exposed (in its own words, not the ledger's), the published draw and
the enforcement record marked public, and the whistleblower form; never what was not marked public, and
never a person's ID number or mobile number, wherever one was planted (the ledger's message, a public
report's contact, a public record's reason, a case's text). Its answer is cached and limited per address."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from regulator.access.auth import Accounts
from regulator.inspections import draws
from regulator.inspections.plans import NewPlan
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from tests.regulator.inspector import CHEAP, PASSWORD
from tests.regulator.support import ThreadedRegulator, make_event
from tests.servers.browser import browser, page  # noqa: F401 (module-scoped Chromium, a page per test)

PROJECT = "GD-SZ-2026-0001"
ID_NUMBER = "440305199001011234"
MOBILE = "13812345678"


@pytest.fixture
def regulator(tmp_path: Path) -> Iterator[RegulatorServer]:
    with ThreadedRegulator(f"sqlite:///{tmp_path}/reg.sqlite") as server:
        server.repo.add_project(PROJECT, "前海某项目", "深圳", "secret-0001", "南山区", "某建设集团")
        Accounts(server.repo, CHEAP).add_user("li.jian", PASSWORD, "regulator", None, "", "广东省/深圳市")
        yield server


def signed_in(server: RegulatorServer) -> httpx.Client:
    client = httpx.Client(base_url=server.base_url)
    assert client.post("/ui/api/login", json={"username": "li.jian", "password": PASSWORD}).is_success
    return client


def hazard(server: RegulatorServer, alert: str, message: str) -> int:
    event = make_event(alert, project=PROJECT, rule="crane.load", level="critical", message=message)
    server.repo.store_event(event, secrets.token_hex(8), 600)
    with server.repo.engine.connect() as db:
        found: int = db.exec_driver_sql("SELECT max(id) FROM hazards").scalar_one()
    return found


def penalty(client: httpx.Client, number: str, reason: str, public: bool) -> None:
    fine = {
        "kind": "penalty",
        "project": PROJECT,
        "happened_at": time.time() - 86_400,
        "party": "张三",
        "party_kind": "person",
        "case_number": number,
        "article": "《建设工程安全生产管理条例》第六十二条",
        "amount": 20_000,
        "reason": reason,
        "public": public,
    }
    r = client.post("/ui/api/enforcement/actions", json=fine)
    assert r.status_code == 200, r.text


def test_the_public_page_shows_only_what_was_marked_public_and_no_personal_number(
    regulator: RegulatorServer, page: Page
) -> None:
    client = signed_in(regulator)
    exposed = hazard(regulator, "load", f"司机张三（身份证 {ID_NUMBER}，电话 {MOBILE}）超载起吊")
    hazard(regulator, "other", "未曝光的隐患：塔吊限位失效")
    case = {
        "kind": "hazard",
        "id": exposed,
        "title": "某项目塔吊超载起吊被责令整改",
        "text": "塔吊超载起吊，已责令停止作业、限期整改。",
    }
    # a case whose text holds a phone is refused: the bureau redacts it first
    refused = client.post("/ui/api/public-cases", json=case | {"text": f"联系人电话 {MOBILE}"})
    assert refused.status_code == 422 and "mobile" in refused.text
    r = client.post("/ui/api/public-cases", json=case)
    assert r.status_code == 200, r.text
    withdrawn = client.post("/ui/api/public-cases", json=case | {"title": "已撤回的案例"}).json()
    assert client.post(f"/ui/api/public-cases/{withdrawn['id']}/withdraw").is_success
    penalty(
        client,
        "深南建罚〔2026〕1号",
        f"未配备专职安全员（举报人电话 {MOBILE}，身份证 {ID_NUMBER}）",
        public=True,
    )
    penalty(client, "深南建罚〔2026〕2号", "未公开的处罚", public=False)
    city = Actor("li.jian", "regulator", jurisdiction="广东省/深圳市")
    draws.add_members(regulator.repo, city, "库", "inspector", ["li.jian"])
    draws.add_members(regulator.repo, city, "库", "project", [PROJECT])
    drawn = draws.make_draw(
        regulator.repo, city, NewPlan("draw", "2026年双随机抽查", 0.0, 4_102_444_800.0), "库", "库", 1, 1
    )
    draws.publish(regulator.repo, city, drawn["id"])
    report = {
        "district": "广东省/深圳市/南山区",
        "site": "前海某项目",
        "description": "夜间施工",
        "contact": MOBILE,
    }
    assert client.post("/public/api/reports", json=report).is_success

    page.goto(regulator.base_url + "/public")  # no sign-in
    main = page.locator("main")
    expect(main.locator("article h3")).to_have_text(["某项目塔吊超载起吊被责令整改"])
    expect(main).to_contain_text("塔吊超载起吊，已责令停止作业、限期整改。")
    expect(main).to_contain_text("2026年双随机抽查")
    expect(main).to_contain_text("深南建罚〔2026〕1号")
    expect(main).to_contain_text("张某")
    expect(main).to_contain_text("［已隐去］")
    expect(page.locator("a.report")).to_have_attribute("href", "/public/report")
    text = main.inner_text()
    for never in (ID_NUMBER, MOBILE, "未曝光的隐患", "已撤回的案例", "深南建罚〔2026〕2号", "张三", "司机"):
        assert never not in text, never
    raw = httpx.get(regulator.base_url + "/public/api/page").text
    assert ID_NUMBER not in raw and MOBILE not in raw


def test_the_public_answer_is_cached_and_limited_per_address(regulator: RegulatorServer) -> None:
    with httpx.Client(base_url=regulator.base_url) as anyone:
        first = anyone.get("/public/api/page")
        assert first.status_code == 200 and first.headers["cache-control"].startswith("public, max-age=")
        answers = [anyone.get("/public/api/page") for _ in range(59)]
        assert {a.json()["as_of"] for a in answers} == {first.json()["as_of"]}  # built once
        over = anyone.get("/public/api/page")
        assert over.status_code == 429 and int(over.headers["retry-after"]) >= 1
        assert "访问过于频繁" in over.json()["error"]
