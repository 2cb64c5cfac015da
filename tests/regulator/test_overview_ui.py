"""The overview's tables (城市/区县, 项目, 按检查项) in real headless Chromium against a real regulator service:
every heading sits on the same side as the figures below it, numbers and their headings to the right."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import Page, expect

from regulator.server import RegulatorServer
from tests.regulator.inspector import regulator, sign_in_as_inspector  # noqa: F401 (fixture)
from tests.regulator.support import make_event
from tests.servers.browser import browser, page  # noqa: F401 (module-scoped Chromium, a page per test)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

ALIGNMENTS = """table => {
  const heads = [...table.tHead.rows[0].cells].map(c => getComputedStyle(c).textAlign);
  const cells = [...table.tBodies[0].rows[0].cells].map(c => getComputedStyle(c).textAlign);
  return {heads, cells};
}"""


def test_each_heading_is_aligned_like_its_column(regulator: RegulatorServer, page: Page) -> None:
    regulator.repo.add_project("GD-SZ-O-001", "深圳项目", "深圳", "secret-0001", "南山区", "甲建设")
    regulator.repo.store_event(
        make_event("a1", project="GD-SZ-O-001", level="alarm"), secrets.token_hex(8), 300.0
    )
    sign_in_as_inspector(page, regulator)
    page.click("header nav button[data-tab=overview]")
    for table_id in ("area-table", "rule-table"):
        assert_aligned(page, table_id)
    # the project table lists every project a district down: 深圳市, then 南山区
    for place in ("深圳市", "南山区"):
        page.get_by_test_id("area-row").filter(has_text=place).click()
        expect(page.get_by_test_id("overview-crumbs")).to_contain_text(place)
    assert_aligned(page, "project-table")


def assert_aligned(page: Page, table_id: str) -> None:
    """A heading over a column of numbers is right-aligned like them; text columns keep theirs."""
    table = page.locator(f"#{table_id}")
    expect(table.locator("tbody tr").first).to_be_visible()
    got = table.evaluate(ALIGNMENTS)
    assert got["heads"] == got["cells"], (table_id, got)
    assert "right" in got["heads"], (table_id, got)
