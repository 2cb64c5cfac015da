"""The accident and near-miss ledger's tab (#16 item 7) in real headless Chromium against the regulator on
real PostgreSQL: a district inspector records an accident in Beijing time, sees the county's hour
running, records the report and sees that clock met and the city's start; another district's incident
is not in their table."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from regulator.access.auth import Accounts
from regulator.ledger.incidents import Incidents
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from tests.regulator.support import ThreadedRegulator, own_chromium, pg_database
from tests.regulator.test_jurisdictions import FT, NS
from tests.regulator.test_review import CHEAP
from tests.regulator.test_review_ui import sign_in

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

BEIJING = timedelta(hours=8)


@pytest.fixture
def page() -> Iterator[Page]:
    """Chromium for this test only (support.own_chromium)."""
    with own_chromium(
        viewport={"width": 1500, "height": 1000}, locale="en-US", timezone_id="America/New_York"
    ) as tab:
        yield tab


@pytest.fixture
def regulator() -> Iterator[RegulatorServer]:
    with pg_database() as url, ThreadedRegulator(url) as server:
        for s in (NS, FT):
            server.repo.add_project(s.code, s.name, s.city, s.secret, s.district)
        Incidents(server.repo).record(
            Actor("root", "admin"), FT.code, "near_miss", time.time() - 3600, 0, 0, "福田基坑局部坍塌险情"
        )
        Accounts(server.repo, CHEAP).add_user(
            "ns", "correct horse", "regulator", jurisdiction="广东省/深圳市/南山区"
        )
        yield server


def test_a_district_inspector_records_an_accident_and_its_report(
    regulator: RegulatorServer, page: Page
) -> None:
    sign_in(page, regulator.base_url + "/", "ns")
    page.click("header nav button[data-tab=incidents]")
    expect(page.get_by_test_id("incident-row")).to_have_count(0)  # the other district's near miss is not here
    # 30 minutes ago on the site's (Beijing) clock, whatever the browser's zone
    happened = (datetime.now(UTC) + BEIJING - timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M")
    page.fill("#i-project", NS.code)
    page.fill("#i-time", happened)
    page.fill("#i-injuries", "1")
    page.fill("#i-desc", "外架坠物砸伤一人")
    page.click("#i-save")
    row = page.get_by_test_id("incident-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(happened)
    expect(row).to_contain_text("受伤 1")
    expect(row.get_by_test_id("clock-county")).to_contain_text("待上报")
    expect(row.get_by_test_id("clock-county")).to_contain_text("剩余 0小时")
    expect(row.get_by_test_id("clock-city")).to_contain_text("待下级上报")
    row.locator("button[data-report]").click()
    page.select_option("#r-to", "county")
    page.fill("#r-who", "项目经理 张三")
    page.click("#r-save")
    expect(row.get_by_test_id("clock-county")).to_contain_text("按时上报")
    expect(row.get_by_test_id("clock-city")).to_contain_text("剩余 1小时")
    expect(row).to_contain_text("项目经理 张三 → 县级主管部门")
    expect(page.locator("body")).not_to_contain_text("福田基坑")
