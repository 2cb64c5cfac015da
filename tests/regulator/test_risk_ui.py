"""Risk grading's list (风险分级, the overview's tab) in real headless Chromium against a real regulator
service: the projects come a page of 20 at a time, the riskiest first, with every project counted in the
total and per grade; the pager opens the next page."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import Page, expect

from regulator.server import RegulatorServer
from tests.regulator.inspector import regulator, sign_in_as_inspector  # noqa: F401 (fixture)
from tests.regulator.support import make_event
from tests.servers.browser import browser, page  # noqa: F401 (module-scoped Chromium, a page per test)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it


def test_risk_list_pages_the_riskiest_first(regulator: RegulatorServer, page: Page) -> None:
    repo = regulator.repo
    for i in range(23):
        repo.add_project(f"GD-SZ-R-{i:03d}", f"深圳项目{i}", "深圳", "secret-0001", "南山区", "甲建设")
    # one open hazard found now (2 points open, 1 recent): the last project by code is the riskiest
    repo.store_event(make_event("a1", project="GD-SZ-R-022", level="alarm"), secrets.token_hex(8), 300.0)
    sign_in_as_inspector(page, regulator)
    page.click("header nav button[data-tab=overview]")
    rows = page.get_by_test_id("risk-project")
    expect(rows).to_have_count(20)
    expect(page.get_by_test_id("risk-total")).to_have_text("共 23 个项目，风险高的在前，第 1/2 页")
    expect(rows.first).to_contain_text("GD-SZ-R-022")
    expect(rows.nth(1)).to_contain_text("GD-SZ-R-000")
    expect(page.locator("#risk-note")).to_contain_text("（高 0，中 0，低 23）")
    # the contractor of all 23, its score their sum, listed on every page
    expect(page.get_by_test_id("risk-company")).to_contain_text("甲建设")
    page.get_by_test_id("risk-pager").locator("a[data-page='2']").click()
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("GD-SZ-R-019")
    expect(page.get_by_test_id("risk-total")).to_contain_text("第 2/2 页")
