"""The regulator's map in real headless Chromium (Debian's, driven by Playwright) against a real
regulator service: a province's cities as circles sized by their open hazards and coloured by the worst of
their states, a click on a city opening its districts (around the city's point) and on a district its
projects, one dot per project coloured by its worst state, a hover card, the way back up, the places whose
city is unknown listed beside the map, a click on a project's dot that filters the review queue to it; 21
cities' circles apart, and 400 projects of one district drawn without two dots touching.

Projects, heartbeats and events go straight into the regulator's repository (its real database), not
through signed HTTP: what is tested here is the map, and the ingest path has its own tests.

Set SITEGW_SCREENSHOTS=docs/screenshots to refresh the README's map screenshot from this run.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Browser, Locator, Page, expect

from regulator.access.auth import Accounts
from regulator.ledger.review import Actor
from regulator.places import CITIES
from regulator.server import RegulatorServer
from regulator.storage.jurisdictions import place_projects
from tests.regulator.support import ThreadedRegulator, make_event
from tests.servers.browser import browser, page  # noqa: F401 (module-scoped Chromium, a page per test)

PASSWORD = "correct horse"
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # see test_review.py
REGULATOR = Actor("li.jian", "regulator")
# the colours a user sees (index.html's .s-* classes), as getComputedStyle reports them
GRAY, RED, ORANGE, YELLOW, GREEN = (
    "rgb(158, 158, 158)",
    "rgb(198, 40, 40)",
    "rgb(239, 108, 0)",
    "rgb(249, 168, 37)",
    "rgb(67, 160, 71)",
)
SHOTS = os.environ.get("SITEGW_SCREENSHOTS")


def beat(server: RegulatorServer, code: str) -> None:
    """The project's gateway was heard just now."""
    server.repo.heartbeat(code, secrets.token_hex(8), 600)


def hazard(
    server: RegulatorServer, code: str, alert: str, level: str = "alarm", rule: str = "crane.load"
) -> None:
    """One open hazard of the project (its event also counts as the gateway being heard)."""
    event = make_event(alert=alert, project=code, level=level, rule=rule, message=f"{code} {rule}")
    server.repo.store_event(event, secrets.token_hex(8), 600)


def order_overdue(server: RegulatorServer, codes: set[str]) -> None:
    """Order rectification of the projects' hazards with a deadline that passes within a second."""
    with server.repo.engine.connect() as db:
        ids = [i for i, p in db.exec_driver_sql("SELECT id, project FROM hazards").all() if p in codes]
    for hazard_id in ids:
        server.review.act(hazard_id, "order", REGULATOR, deadline_days=1e-5)
    time.sleep(1.0)


@pytest.fixture
def regulator(tmp_path: Path) -> Iterator[RegulatorServer]:
    with ThreadedRegulator(f"sqlite:///{tmp_path}/reg.sqlite") as server:
        Accounts(server.repo, CHEAP).add_user("li.jian", PASSWORD, "regulator")
        yield server


def sign_in_to_map(tab: Page, server: RegulatorServer) -> None:
    tab.goto(server.base_url + "/")
    tab.fill("#login-user", "li.jian")
    tab.fill("#login-pass", PASSWORD)
    tab.click("#login-btn")
    expect(tab.locator("#who")).to_contain_text("li.jian")
    tab.click("header nav button[data-tab=map]")


def dot(tab: Page, code: str) -> Locator:
    return tab.locator(f"[data-testid=map-dot][data-code='{code}']")


def area(tab: Page, path: str) -> Locator:
    return tab.locator(f"[data-testid=map-area][data-place='{path}']")


def style(tab: Page, selector: str, prop: str) -> str:
    return tab.eval_on_selector(selector, f"el => getComputedStyle(el).{prop}")


def dot_style(tab: Page, code: str, prop: str) -> str:
    return style(tab, f"[data-testid=map-dot][data-code='{code}']", prop)


def centres(tab: Page, testid: str) -> list[tuple[float, float, float]]:
    """Each drawn circle's centre and radius on the screen."""
    return tab.eval_on_selector_all(
        f"[data-testid={testid}]",
        """els => els.map(e => {
        const b = e.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2, b.width / 2]; })""",
    )


def closest(boxes: list[tuple[float, float, float]]) -> float:
    """The smallest gap between two of the circles (negative: they overlap)."""
    return min(
        ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5 - ar - br
        for n, (ax, ay, ar) in enumerate(boxes)
        for bx, by, br in boxes[n + 1 :]
    )


def test_cities_open_into_districts_and_projects_and_a_click_filters_the_queue(
    regulator: RegulatorServer, page: Page
) -> None:
    repo = regulator.repo
    repo.add_project("GD-SZ-0001", "前海离线项目", "深圳", "secret-0001", "南山区")  # never heard: offline
    repo.add_project("GD-GZ-0002", "天河逾期项目", "广州", "secret-0002", "天河区")
    repo.add_project("GD-FS-0003", "禅城平安项目", "佛山市", "secret-0003", "禅城区")  # "市" and all
    repo.add_project("GD-DG-0004", "松山湖危险项目", "东莞", "secret-0004", "松山湖")
    repo.add_project("GD-DG-0005", "长安预警项目", "Dongguan", "secret-0005", "长安镇")
    repo.add_project("GD-XX-0006", "未填城市项目", "", "secret-0006", "")
    hazard(regulator, "GD-GZ-0002", "crane-1:crane.load:1")
    hazard(regulator, "GD-GZ-0002", "pit-1:pit.rate:ZQS-01", rule="pit.rate")
    hazard(regulator, "GD-DG-0004", "crane-2:crane.wind:1", level="critical", rule="crane.wind")
    hazard(regulator, "GD-DG-0005", "cam-1:vision.no_helmet:1", level="warning", rule="vision.no_helmet")
    for code in ("GD-FS-0003", "GD-XX-0006"):
        beat(regulator, code)
    order_overdue(regulator, {"GD-GZ-0002"})

    sign_in_to_map(page, regulator)
    served = page.request.get(regulator.base_url + "/ui/api/overview").json()  # the browser only draws these
    assert served["by"] == "city"
    assert [p["code"] for p in served["projects"]] == ["GD-GZ-0002"]  # none in the set, one overdue
    places = {a["path"]: (a["lon"], a["lat"]) for a in served["areas"]}
    assert places["广东省/深圳市"] == (114.058, 22.543) and places["未定省份/未定城市"] == (None, None)
    expect(page.get_by_test_id("map-area")).to_have_count(4)  # the fifth's city is unknown: listed, not drawn
    expect(page.get_by_test_id("map-dot")).to_have_count(0)
    expect(page.get_by_test_id("map-city")).to_have_count(21)
    expected = {
        "广东省/深圳市": ("quiet", GREEN),  # its one project is offline, which a city's circle does not show
        "广东省/广州市": ("overdue", RED),
        "广东省/佛山市": ("quiet", GREEN),
        "广东省/东莞市": ("severe", ORANGE),
    }
    for path, (status, colour) in expected.items():
        expect(area(page, path)).to_have_attribute("data-status", status)
        assert style(page, f"[data-testid=map-area][data-place='{path}']", "fill") == colour, path
    radii = {path: float(area(page, path).get_attribute("r") or 0) for path in expected}
    assert radii["广东省/广州市"] == radii["广东省/东莞市"] > radii["广东省/佛山市"]  # 2 open, 2, none
    expect(page.get_by_test_id("map-legend-overdue")).to_contain_text("1")
    expect(page.get_by_test_id("map-legend-offline")).to_have_count(0)
    unplaced = page.get_by_test_id("map-unplaced")
    expect(unplaced).to_have_count(1)
    expect(unplaced).to_contain_text("未定城市")
    area(page, "广东省/广州市").hover()
    tip = page.get_by_test_id("map-tip")
    for text in ("广州市", "项目 1", "整改逾期 2"):
        expect(tip).to_contain_text(text)

    # 东莞's two districts around its point, then a district's project, and back up
    area(page, "广东省/东莞市").click()
    crumbs = page.get_by_test_id("map-crumbs")
    expect(crumbs).to_have_text("全部辖区 › 广东省 › 东莞市")
    expect(page.get_by_test_id("map-area")).to_have_count(2)
    expect(area(page, "广东省/东莞市/松山湖")).to_have_attribute("data-status", "severe")
    expect(area(page, "广东省/东莞市/长安镇")).to_have_attribute("data-status", "open")
    area(page, "广东省/东莞市/长安镇").click()
    expect(crumbs).to_have_text("全部辖区 › 广东省 › 东莞市 › 长安镇")
    expect(page.get_by_test_id("map-dot")).to_have_count(1)
    assert dot_style(page, "GD-DG-0005", "fill") == YELLOW
    crumbs.get_by_text("全部辖区").click()
    expect(page.get_by_test_id("map-area")).to_have_count(4)

    area(page, "广东省/深圳市").click()
    area(page, "广东省/深圳市/南山区").click()
    expect(dot(page, "GD-SZ-0001")).to_have_attribute("data-status", "offline")
    assert dot_style(page, "GD-SZ-0001", "fill") == GRAY
    assert dot_style(page, "GD-SZ-0001", "stroke") == "rgb(55, 71, 79)"  # offline: ringed
    expect(page.get_by_test_id("map-legend-offline")).to_contain_text("1")
    dot(page, "GD-SZ-0001").hover()
    expect(tip).to_contain_text("从未上报")

    crumbs.get_by_text("广东省").click()
    area(page, "广东省/广州市").click()
    area(page, "广东省/广州市/天河区").click()
    expect(dot(page, "GD-GZ-0002")).to_have_attribute("data-status", "overdue")
    assert dot_style(page, "GD-GZ-0002", "fill") == RED
    assert dot_style(page, "GD-GZ-0002", "animationName") == "pulse"  # overdue: pulsing
    dot(page, "GD-GZ-0002").hover()
    expect(tip).to_be_visible()
    for text in ("天河逾期项目", "广州 天河区", "整改逾期 2", "塔吊超载 1", "基坑变形速率 1"):
        expect(tip).to_contain_text(text)
    dot(page, "GD-GZ-0002").click()
    expect(page.locator("#queue")).to_be_visible()
    expect(page.locator("#f-project")).to_have_value("GD-GZ-0002")
    rows = page.get_by_test_id("hazard-row")
    expect(rows).to_have_count(2)  # both of its hazards, under rectification, and no other project's
    for i in range(2):
        expect(rows.nth(i)).to_contain_text("天河逾期项目")

    # the project of no known city: its place is listed beside the map, opened from there
    page.click("header nav button[data-tab=map]")
    crumbs.get_by_text("全部辖区").click()
    page.get_by_test_id("map-unplaced").click()
    expect(crumbs).to_have_text("全部辖区 › 未定省份 › 未定城市")
    page.get_by_test_id("map-unplaced").click()  # its district: no city point to draw it around either
    unplaced_project = page.get_by_test_id("map-unplaced")
    expect(unplaced_project).to_contain_text("未填城市项目")
    unplaced_project.click()
    expect(page.locator("#f-project")).to_have_value("GD-XX-0006")
    expect(page.locator("#queue-empty")).to_be_visible()  # a quiet project: nothing to review


def test_a_provinces_cities_and_a_busy_districts_projects_stay_apart(
    regulator: RegulatorServer, browser: Browser
) -> None:
    # 400 projects in 南山区 and 100 over the 21 cities
    codes = [f"GD-{i:04d}" for i in range(500)]
    with regulator.repo.engine.begin() as db:  # one transaction: 500 fsynced commits would take seconds
        db.exec_driver_sql(
            "INSERT INTO projects(code, name, city, district, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (code, f"项目{i}", *(("深圳", "南山区") if i < 400 else (CITIES[i % 21].name, f"区{i % 5}")),
                 "secret", time.time())
                for i, code in enumerate(codes)
            ],
        )  # fmt: skip
    with regulator.repo.engine.begin() as db:
        place_projects(db)  # what add-project does for each: its district in the jurisdictions tree
    for i, code in enumerate(codes):
        if i % 10 == 3:
            continue  # offline
        if i % 4 == 1:
            hazard(regulator, code, f"a{i}", level="critical" if i % 3 == 0 else "alarm")
        elif i % 7 == 2:
            hazard(regulator, code, f"w{i}", level="warning", rule="vision.no_helmet")
        else:
            beat(regulator, code)
    order_overdue(regulator, {code for i, code in enumerate(codes) if i % 40 == 1})

    context = browser.new_context(viewport={"width": 1600, "height": 1150}, locale="zh-CN")
    try:
        tab = context.new_page()
        sign_in_to_map(tab, regulator)
        expect(tab.get_by_test_id("map-area")).to_have_count(21)
        assert closest(centres(tab, "map-area")) > 0, "two cities' circles overlap"
        area(tab, "广东省/深圳市").click()
        area(tab, "广东省/深圳市/南山区").click()
        expect(tab.get_by_test_id("map-dot")).to_have_count(400)
        boxes = centres(tab, "map-dot")
        assert closest(boxes) > 0, f"two dots overlap by {-closest(boxes):.1f} px"
        assert min(r for _, _, r in boxes) >= 2.5, "dots too small to see or hover"
        counts = {
            s: int(tab.get_by_test_id(f"map-legend-{s}").locator("b").inner_text())
            for s in ("offline", "overdue", "severe", "open", "quiet")
        }
        assert sum(counts.values()) == 400 and counts["offline"] == 40 and counts["overdue"] > 0
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            tab.locator("[data-testid=map-dot][data-status=overdue]").first.hover()
            tab.wait_for_timeout(300)
            tab.locator("#map").screenshot(path=str(Path(SHOTS) / "regulator-map.png"))
            tab.get_by_test_id("map-crumbs").get_by_text("全部辖区").click()
            tab.locator("[data-testid=map-area][data-status=overdue]").first.hover()
            tab.wait_for_timeout(300)
            tab.locator("#map").screenshot(path=str(Path(SHOTS) / "regulator-map-province.png"))
    finally:
        context.close()
