"""Jurisdictions (#16 item 1) in the review UI, in real headless Chromium against the regulator on real
PostgreSQL: a district inspector's header names their place and their queue and overview hold only their
district's project; the city above sees both districts'."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from contract.wire import EVENTS_PATH
from regulator.access.auth import Accounts
from regulator.server import RegulatorServer
from tests.regulator.support import ThreadedRegulator, make_event, own_chromium, pg_database, signed
from tests.regulator.test_jurisdictions import FT, NS
from tests.regulator.test_review import CHEAP, PASSWORD
from tests.regulator.test_review_ui import sign_in, sign_out

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it


@pytest.fixture
def page() -> Iterator[Page]:
    """Chromium for this test only (support.own_chromium)."""
    with own_chromium(viewport={"width": 1400, "height": 1000}, locale="zh-CN") as tab:
        yield tab


@pytest.fixture
def regulator() -> Iterator[RegulatorServer]:
    with pg_database() as url, ThreadedRegulator(url) as server:
        accounts = Accounts(server.repo, CHEAP)
        for s in (NS, FT):
            server.repo.add_project(s.code, s.name, s.city, s.secret, s.district)
            body = make_event(project=s.code).model_dump_json().encode()
            headers = signed(EVENTS_PATH, body, project=s.code, secret=s.secret)
            assert httpx.post(server.base_url + EVENTS_PATH, content=body, headers=headers).status_code == 200
        accounts.add_user("ns", PASSWORD, "regulator", jurisdiction="广东省/深圳市/南山区")
        accounts.add_user("sz", PASSWORD, "regulator", jurisdiction="广东省/深圳市")
        yield server


def test_a_district_inspector_sees_their_district_and_the_city_both(
    regulator: RegulatorServer, page: Page
) -> None:
    url = regulator.base_url + "/"
    sign_in(page, url, "ns")
    expect(page.locator("#who")).to_contain_text("辖区 广东省/深圳市/南山区")
    rows = page.get_by_test_id("hazard-row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(NS.name)
    page.click("header nav button[data-tab=overview]")
    expect(page.get_by_test_id("project-row")).to_have_count(1)
    expect(page.get_by_test_id("project-row")).to_contain_text(NS.name)
    expect(page.locator("body")).not_to_contain_text(FT.name)
    sign_out(page)

    sign_in(page, url, "sz")
    expect(page.locator("#who")).to_contain_text("辖区 广东省/深圳市")
    expect(page.get_by_test_id("hazard-row")).to_have_count(2)
    page.click("header nav button[data-tab=overview]")
    # the city's figures per district; a district's row opens its projects, the breadcrumb goes back up
    areas = page.get_by_test_id("area-row")
    expect(areas).to_have_count(2)
    expect(areas.first).to_contain_text("南山区")  # as many open hazards as 福田区: by name
    areas.first.click()
    expect(page.get_by_test_id("overview-crumbs")).to_have_text("深圳市 › 南山区")
    expect(page.get_by_test_id("area-row")).to_have_count(0)
    expect(page.get_by_test_id("project-row")).to_have_count(1)
    expect(page.get_by_test_id("project-row")).to_contain_text(NS.name)
    # the tab's risk card grades the opened district's projects, not the whole city's
    expect(page.get_by_test_id("risk-project")).to_have_count(1)
    expect(page.get_by_test_id("risk-project")).to_contain_text(NS.name)
    page.get_by_test_id("overview-crumbs").get_by_text("深圳市").click()
    expect(page.get_by_test_id("area-row")).to_have_count(2)
    expect(page.get_by_test_id("risk-project")).to_have_count(2)
    expect(page.get_by_test_id("project-row")).to_have_count(0)  # none in the video set, none overdue
