"""The province's map draws a project nobody hears grey, a city's as its own (issue 50), in real headless
Chromium: a city and its province, each a real `sitegw regulator serve` on its own PostgreSQL
(tests/regulator/chain.py). At the city, one project's gateway beats (live) and another is placed on the map
but never heard; at the province, a project of its own is placed and never heard. Only the popup said
离线 before: every point was drawn in its worst hazard's colour, green for a site without one, so a site
nobody hears looked like one where all is well."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from regulator.geo import project_map
from tests.regulator.chain import Chain, Regulator, chain, wait
from tests.regulator.support import PROJECT
from tests.regulator.test_forwarding_liveness import heartbeat
from tests.regulator.test_forwarding_screens_ui import province_tab
from tests.servers.browser import browser  # noqa: F401 (module-scoped Chromium)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

SILENT_CITY = "GD-SZ-2026-0077"  # the city's project placed, its gateway never heard
SILENT_OWN = "GD-GZ-2026-0001"  # the province's own, likewise
GREEN, GREY = "#43a047", "#9e9e9e"


def silent(side: Regulator, code: str, city: str, district: str, lat: float, lon: float) -> None:
    """A project registered and placed on ``side``'s map whose gateway is never heard."""
    repo = side.repo()
    try:
        repo.add_project(code, "静默项目", city, secrets.token_hex(16), district)
        project_map.locate(repo, code, lat, lon)
    finally:
        repo.close()


@pytest.fixture(scope="module")
def placed() -> Iterator[Chain]:
    with chain() as c:
        silent(c.city, SILENT_CITY, "深圳", "福田区", 22.54, 114.05)
        silent(c.province, SILENT_OWN, "广州", "天河区", 23.13, 113.33)
        heartbeat(c)
        placed_here = (
            "SELECT code FROM projects WHERE lat IS NOT NULL "
            f"AND (code <> '{PROJECT}' OR last_seen_at IS NOT NULL) ORDER BY code"
        )
        wait(
            lambda: c.province.rows(placed_here) == sorted([(SILENT_OWN,), (SILENT_CITY,), (PROJECT,)]),
            "both city projects placed at the province, one live",
            90,
            c,
        )
        yield c


@pytest.fixture
def tab(placed: Chain, browser: Browser) -> Iterator[Page]:
    """A regulator of the province (广东省), signed in, in a Chromium tab."""
    with province_tab(placed, browser) as (page, _):
        yield page


def test_the_map_draws_the_projects_nobody_hears_grey(placed: Chain, tab: Page) -> None:
    tab.goto(placed.province.url + "/ui/map")
    expect(tab.locator("body[data-ready]")).to_have_count(1)

    def point(code: str) -> tuple[str | None, str | None]:
        found = tab.locator(f"[data-testid=project-point][data-code='{code}']")
        expect(found).to_have_count(1)
        return found.get_attribute("data-offline"), found.get_attribute("fill")

    assert point(PROJECT) == ("false", GREEN)  # the city's live project, no open hazard
    assert point(SILENT_CITY) == ("true", GREY)  # the city's, never heard
    assert point(SILENT_OWN) == ("true", GREY)  # the province's own, never heard
    expect(tab.get_by_test_id("legend-offline").locator("b")).to_have_text("2")
    expect(tab.get_by_test_id("legend-none").locator("b")).to_have_text("1")
    tab.locator(f"[data-testid=project-point][data-code='{SILENT_CITY}']").click()
    expect(tab.get_by_test_id("popup-live")).to_contain_text("网关离线")
