"""The video-monitoring set (#16 item 8) in real headless Chromium against the regulator on real PostgreSQL:
a city regulator includes a project with its category and reason, the overview lists it first with its
badge (beside the risk-graded projects, #16 item 6), and removing it with a reason leaves both steps in the
history."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from regulator.server import RegulatorServer
from tests.regulator.test_jurisdictions import FT
from tests.regulator.test_jurisdictions_ui import page, regulator  # noqa: F401 (fixtures)
from tests.regulator.test_review_ui import sign_in

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it


def test_a_city_regulator_includes_and_removes_a_project(regulator: RegulatorServer, page: Page) -> None:
    sign_in(page, regulator.base_url + "/", "sz")
    page.click("header nav button[data-tab=videoset]")
    page.fill("#vs-project", FT.code)
    page.select_option("#vs-category", label="市政隧道")
    page.fill("#vs-date", "2026-11-02")
    page.fill("#vs-reason", "隧道工程纳入省级视频监控")
    page.click("#vs-include")
    rows = page.get_by_test_id("video-set-row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(FT.name)
    expect(rows).to_contain_text("市政隧道")

    page.click("header nav button[data-tab=overview]")
    first = page.get_by_test_id("project-row").first
    expect(first).to_contain_text(FT.name)  # FT sorts after NS by code: first because it is in the set
    expect(first.get_by_test_id("video-set-badge")).to_contain_text("市政隧道")
    # risk grading's list sits in the overview too: both of the city's projects, each graded
    expect(page.get_by_test_id("risk-project")).to_have_count(2)
    expect(page.get_by_test_id("risk-project").first.get_by_test_id("risk-grade")).to_have_text("低")

    page.click("header nav button[data-tab=videoset]")
    # the tab's reload may replace the table while the reason is being typed: what was typed stays
    page.fill(f'#vs-table input[data-reason="{FT.code}"]', "完工移出")
    with page.expect_response(lambda r: r.url.endswith("/ui/api/video-set")):
        page.click("header nav button[data-tab=videoset]")  # a reload while the reason is typed keeps it
    expect(page.locator(f'#vs-table input[data-reason="{FT.code}"]')).to_have_value("完工移出")
    page.click(f'#vs-table button[data-remove="{FT.code}"]')
    expect(page.get_by_test_id("flash")).to_contain_text("已移出")
    expect(page.get_by_test_id("video-set-row")).to_have_count(0)
    history = page.get_by_test_id("video-set-change")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text("移出")
    expect(history.first).to_contain_text("完工移出")
    expect(history.nth(1)).to_contain_text("2026-11-02")
