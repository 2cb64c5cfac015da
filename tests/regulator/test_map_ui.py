"""The regulator's map in real headless Chromium (Debian's, driven by Playwright) against a real
regulator service: one dot per project coloured by its worst state, a hover card, the projects whose
city is unknown listed beside the map, a click that filters the review queue to the project, and 500
projects over Guangdong's 21 cities drawn without two dots touching.

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

from regulator.auth import Accounts
from regulator.places import CITIES
from regulator.review import Actor
from regulator.server import RegulatorServer
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


def style(tab: Page, code: str, prop: str) -> str:
    return tab.eval_on_selector(
        f"[data-testid=map-dot][data-code='{code}']", f"el => getComputedStyle(el).{prop}"
    )


def test_dots_show_each_projects_worst_state_and_a_click_filters_the_queue(
    regulator: RegulatorServer, page: Page
) -> None:
    repo = regulator.repo
    repo.add_project("GD-SZ-0001", "前海离线项目", "深圳", "secret-0001", "南山区")  # never heard: offline
    repo.add_project("GD-GZ-0002", "天河逾期项目", "广州", "secret-0002", "天河区")
    repo.add_project("GD-FS-0003", "禅城平安项目", "佛山市", "secret-0003", "禅城区")  # "市" and all
    repo.add_project("GD-DG-0004", "松山湖危险项目", "东莞", "secret-0004", "")
    repo.add_project("GD-DG-0005", "长安预警项目", "Dongguan", "secret-0005", "")
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
    cities = {c["city"]: (c["lon"], c["lat"]) for c in served["cities"]}
    assert cities["深圳"] == (114.058, 22.543) and cities["—"] == (None, None)
    projects = {p["code"]: p for p in served["projects"]}
    assert projects["GD-XX-0006"]["lon"] is None and projects["GD-FS-0003"]["lon"] is not None
    expect(page.get_by_test_id("map-dot")).to_have_count(5)  # the sixth has no city: listed, not drawn
    expect(page.get_by_test_id("map-city")).to_have_count(21)
    expected = {
        "GD-SZ-0001": ("offline", GRAY),
        "GD-GZ-0002": ("overdue", RED),
        "GD-FS-0003": ("quiet", GREEN),
        "GD-DG-0004": ("severe", ORANGE),
        "GD-DG-0005": ("open", YELLOW),
    }
    for code, (status, colour) in expected.items():
        expect(dot(page, code)).to_have_attribute("data-status", status)
        assert style(page, code, "fill") == colour, code
    assert style(page, "GD-SZ-0001", "stroke") == "rgb(55, 71, 79)"  # offline: ringed
    assert style(page, "GD-GZ-0002", "animationName") == "pulse"  # overdue: pulsing
    radii = {code: float(dot(page, code).get_attribute("r") or 0) for code in expected}
    assert radii["GD-GZ-0002"] > radii["GD-DG-0004"] > radii["GD-FS-0003"]  # 2 open > 1 open > none
    expect(page.get_by_test_id("map-legend-offline")).to_contain_text("1")
    unplaced = page.get_by_test_id("map-unplaced")
    expect(unplaced).to_have_count(1)
    expect(unplaced).to_contain_text("未填城市项目")

    dot(page, "GD-GZ-0002").hover()
    tip = page.get_by_test_id("map-tip")
    expect(tip).to_be_visible()
    for text in ("天河逾期项目", "广州 天河区", "整改逾期 2", "塔吊超载 1", "基坑变形速率 1"):
        expect(tip).to_contain_text(text)
    dot(page, "GD-SZ-0001").hover()
    expect(tip).to_contain_text("从未上报")

    dot(page, "GD-GZ-0002").click()
    expect(page.locator("#queue")).to_be_visible()
    expect(page.locator("#f-project")).to_have_value("GD-GZ-0002")
    rows = page.get_by_test_id("hazard-row")
    expect(rows).to_have_count(2)  # both of its hazards, under rectification, and no other project's
    for i in range(2):
        expect(rows.nth(i)).to_contain_text("天河逾期项目")

    page.click("header nav button[data-tab=map]")
    page.get_by_test_id("map-unplaced").click()
    expect(page.locator("#f-project")).to_have_value("GD-XX-0006")
    expect(page.locator("#queue-empty")).to_be_visible()  # a quiet project: nothing to review


def test_five_hundred_projects_stay_apart_and_readable(regulator: RegulatorServer, browser: Browser) -> None:
    codes = [f"GD-{i:04d}" for i in range(500)]
    with regulator.repo.engine.begin() as db:  # one transaction: 500 fsynced commits would take seconds
        db.exec_driver_sql(
            "INSERT INTO projects(code, name, city, district, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (code, f"项目{i}", CITIES[i % 21].name, f"区{i % 5}", "secret", time.time())
                for i, code in enumerate(codes)
            ],
        )
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
        expect(tab.get_by_test_id("map-dot")).to_have_count(500)
        boxes = tab.eval_on_selector_all(
            "[data-testid=map-dot]",
            """els => els.map(e => {
            const b = e.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2, b.width / 2]; })""",
        )
        closest = min(
            ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5 - ar - br
            for n, (ax, ay, ar) in enumerate(boxes)
            for bx, by, br in boxes[n + 1 :]
        )
        assert closest > 0, f"two dots overlap by {-closest:.1f} px"
        assert min(r for _, _, r in boxes) >= 2.5, "dots too small to see or hover"
        counts = {
            s: int(tab.get_by_test_id(f"map-legend-{s}").locator("b").inner_text())
            for s in ("offline", "overdue", "severe", "open", "quiet")
        }
        assert sum(counts.values()) == 500 and counts["offline"] == 50 and counts["overdue"] > 0
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            tab.locator("[data-testid=map-dot][data-status=overdue]").first.hover()
            tab.wait_for_timeout(300)
            tab.locator("#map").screenshot(path=str(Path(SHOTS) / "regulator-map.png"))
    finally:
        context.close()
