"""The province's screens show a city's project live, in real headless Chromium (issue 50, done when): a
city and its province, each a real `sitegw regulator serve` on its own PostgreSQL (tests/regulator/chain.py);
the city's gateway (signed HTTP) beats, reports a reading and sends a camera's picture of a project in the
city's video-monitoring set. A regulator of the province, signed in as a user signs in, sees on:

- the overview: 深圳市 with no project offline, and a district down the project's row not 离线, its devices
  and cameras online as the city counted them;
- the map (/ui/map): the project at the site's coordinates, not among 未定位项目;
- the patrol wall: the camera's tile 正常 (not 网关离线), its picture loaded (a decoded image, not a broken
  one), and no 立即抓拍: the site's gateway polls its city, never the province, so a request recorded at the
  province would wait for an answer that never comes; the tile says its pictures come through the city.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from regulator.access.auth import Accounts
from regulator.ledger import video_set
from regulator.routes.routing import COOKIE
from tests.regulator.chain import Chain, Regulator, chain, wait
from tests.regulator.support import PROJECT, SECRET
from tests.regulator.test_forwarding import PASSWORD, REGULATOR, enrol
from tests.regulator.test_forwarding_city_facts import big_jpeg, picture
from tests.regulator.test_forwarding_liveness import LAT, LON, crane_reading, heartbeat
from tests.servers.browser import browser  # noqa: F401 (module-scoped Chromium)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it


@pytest.fixture(scope="module")
def live() -> Iterator[Chain]:
    """The chain, the city's video-set project live at the province with its camera's picture there."""
    with chain() as c:
        city = c.city.repo()
        try:
            video_set.include(
                city, REGULATOR, video_set.Decision(PROJECT, "地铁车站深基坑", category="rail_transit")
            )
        finally:
            city.close()
        now = time.time()
        heartbeat(c)
        crane_reading(c, now)
        picture(c, PROJECT, SECRET, now, big_jpeg("gate"))
        wait(
            lambda: (
                c.province.rows(
                    f"SELECT 1 FROM projects WHERE code = '{PROJECT}' AND devices_online = 1 AND cameras_online = 1 "
                    "AND last_seen_at IS NOT NULL AND lat IS NOT NULL"
                )
                != []
                and c.province.rows("SELECT 1 FROM camera_pictures") != []
            ),
            "the project live at the province with its picture",
            90,
            c,
        )
        yield c


def signed_in(side: Regulator, place: str) -> tuple[httpx.Client, str]:
    """A new regulator of ``place`` at ``side``, signed in with the second factor: a client of its UI's API
    and the user's name."""
    repo = side.repo()
    try:
        user = f"{'gd' if place == '广东省' else 'sz'}-{secrets.token_hex(3)}"
        made = Accounts(repo).add_user(user, PASSWORD, "regulator", jurisdiction=place)
    finally:
        repo.close()
    ui = httpx.Client(base_url=side.url, timeout=30)
    enrol(ui, user, made.enrolment_code or "")
    return ui, user


@contextmanager
def province_tab(c: Chain, browser: Browser) -> Iterator[tuple[Page, str]]:
    """A new regulator of the province (广东省), signed in with the second factor, in a Chromium tab; the tab
    and the user's name."""
    ui, user = signed_in(c.province, "广东省")
    session = ui.cookies[COOKIE]
    ui.close()
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.add_cookies([{"name": COOKIE, "value": session, "url": c.province.url}])
    try:
        yield context.new_page(), user
    finally:
        context.close()


@pytest.fixture
def tab(live: Chain, browser: Browser) -> Iterator[Page]:
    """A regulator of the province, signed in, on the review UI."""
    with province_tab(live, browser) as (page, user):
        page.goto(live.province.url + "/")
        expect(page.locator("#who")).to_contain_text(user)
        yield page


def test_the_overview_shows_the_citys_project_live(tab: Page) -> None:
    tab.click("header nav button[data-tab=overview]")
    city = tab.get_by_test_id("area-row").filter(has_text="深圳市")
    expect(city).to_have_count(1)
    expect(city.locator("td").nth(2)).to_have_text("0")  # 离线: none of the city's projects
    city.click()
    tab.get_by_test_id("area-row").filter(has_text="南山区").click()
    row = tab.get_by_test_id("project-row").filter(has_text=PROJECT)
    expect(row).to_have_count(1)
    seen = row.locator("td").nth(2)
    expect(seen.get_by_test_id("liveness-counts")).to_have_text("设备 1/1 · 摄像头 1/1")
    expect(seen).not_to_contain_text("离线")
    expect(seen).not_to_have_class("offline")


def test_the_map_places_the_citys_project_at_its_sites_coordinates(live: Chain, tab: Page) -> None:
    tab.goto(live.province.url + "/ui/map")
    expect(tab.locator("body[data-ready]")).to_have_count(1)
    point = tab.locator(f"[data-testid=project-point][data-code='{PROJECT}']")
    expect(point).to_have_count(1)
    expect(tab.locator("#unplaced")).not_to_contain_text(PROJECT)
    point.click()
    popup = tab.get_by_test_id("popup")
    expect(popup).to_contain_text("摄像头：cam-gate")
    expect(popup.get_by_test_id("popup-live")).to_contain_text("网关在线")
    assert live.province.rows(f"SELECT lat, lon FROM projects WHERE code = '{PROJECT}'") == [(LAT, LON)]


def test_the_patrol_wall_shows_the_citys_camera_live_with_its_picture(live: Chain, tab: Page) -> None:
    tab.click("header nav button[data-tab=patrol]")
    tile = tab.get_by_test_id("patrol-tile").filter(has_text=PROJECT)
    expect(tile).to_have_count(1)
    expect(tile.locator(".badge")).to_have_text("正常")
    tab.wait_for_function(
        "() => [...document.querySelectorAll('#pt-wall img')].some(i => i.complete && i.naturalWidth > 0)"
    )
    assert tile.locator("img").evaluate("i => [i.naturalWidth, i.naturalHeight]") == [320, 180]
    # the site hears its city only: no request at the province that nothing would answer
    expect(tile.get_by_role("button", name="立即抓拍")).to_have_count(0)
    expect(tile.get_by_test_id("patrol-relayed")).to_have_text(
        "市级平台转报（每 10 分钟更新），抓拍请在市级平台"
    )
    asked = tab.request.post(f"{live.province.url}/ui/api/patrol/{PROJECT}/cam-gate/request")
    assert asked.status == 409 and "请在市级平台抓拍" in asked.json()["error"]
