"""The authority's warnings page (/warnings) in real headless Chromium against a real regulator: a city
regulator issues a red gale warning from the form (the measure defaulting to §12's text); the list shows it with
its sites' figures; its page lists each site with its receipt and acknowledgement (who, when), and the site
that kept its crane lifting during the stop, linked to its hazard with the reading, which opens in the review
UI; lifted (解除), the warning is over and its page kept. The receipt and the acknowledgement come in as the gateway's poll and its signed ack record them
(regulator/ledger/weather_warnings.py, the same calls the routes make: the delivery over HTTP has its own test,
tests/uplinks/test_regulator_warnings.py); the hazard comes in over the signed events endpoint."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from contract.wire import EVENTS_PATH
from regulator.access.auth import Accounts
from regulator.ledger.weather_warnings import WeatherWarnings
from regulator.server import RegulatorServer
from rules.weather_work import CLAUSE
from tests.regulator.support import PROJECT, SECRET, ThreadedRegulator, make_event, signed
from tests.regulator.test_review_ui import CHEAP, PASSWORD, page, sign_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

OTHER = "GD-SZ-2026-0002"


@pytest.fixture
def regulator(tmp_path: Path) -> Iterator[RegulatorServer]:
    with ThreadedRegulator(f"sqlite:///{tmp_path}/reg.sqlite") as server:
        server.repo.add_project(PROJECT, "前海示范项目", "深圳", SECRET, "南山区")
        server.repo.add_project(OTHER, "福田项目", "深圳", "another-secret-9", "福田区")
        Accounts(server.repo, CHEAP).add_user("sz.jian", PASSWORD, "regulator", jurisdiction="广东省/深圳市")
        yield server


def test_a_regulator_issues_a_warning_and_sees_who_received_acknowledged_and_kept_working(
    regulator: RegulatorServer, page: Page
) -> None:
    sign_in(page, regulator.base_url + "/", "sz.jian")
    page.click("[data-testid=nav-warnings]")
    expect(page.locator("#who")).to_contain_text("广东省/深圳市")
    page.select_option("#w-type", "gale")
    page.select_option("#w-colour", "red")
    page.click("#w-issue")
    expect(page.locator("#w-msg")).to_contain_text("已发布")
    detail = page.get_by_test_id("warning-detail")
    expect(detail).to_contain_text("大风红色预警")
    expect(detail).to_contain_text("要求措施：停止一切户外作业，人员撤至避风场所")
    expect(detail.get_by_test_id("warning-site")).to_have_count(2)
    expect(detail).to_contain_text("0/2 已接收，0/2 已确认")
    warning_id = int(page.get_by_test_id("warning-row").first.locator("td").first.inner_text())

    desk = WeatherWarnings(regulator.repo)
    desk.for_project(PROJECT)  # the site's gateway polled
    desk.for_project(OTHER)
    desk.acknowledge(PROJECT, warning_id, "super1", time.time())
    event = make_event(
        alert="crane-1:weather.work:1",
        rule="weather.work",
        level="critical",
        clause=CLAUSE,
        value=12.5,
        threshold=None,
        unit="t·m",
        message="crane-1 大风红色预警停止吊装期间仍在起吊",
    )
    body = event.model_dump_json().encode()
    r = httpx.post(regulator.base_url + EVENTS_PATH, content=body, headers=signed(EVENTS_PATH, body))
    assert r.status_code == 200, r.text

    page.reload()
    row = page.get_by_test_id("warning-row").first
    expect(row).to_contain_text("大风红色预警")
    expect(row.locator("td").nth(6)).to_have_text("1")  # acknowledged by one of the two
    row.click()
    expect(detail).to_contain_text("2/2 已接收，1/2 已确认")
    ours = detail.locator(f"[data-testid=warning-site][data-project='{PROJECT}']")
    expect(ours).to_contain_text("super1")
    other = detail.locator(f"[data-testid=warning-site][data-project='{OTHER}']")
    expect(other).to_contain_text("未确认")
    kept = detail.get_by_test_id("kept-working")
    expect(kept).to_have_count(1)
    expect(kept).to_contain_text("crane-1 大风红色预警停止吊装期间仍在起吊")
    expect(kept).to_contain_text("读数 12.5 t·m")
    expect(kept).to_contain_text("第十五条(二)")
    page.click("#w-lift")  # 解除: over now, its page kept
    expect(page.get_by_test_id("warning-row").first).to_contain_text("未生效/已结束")
    expect(page.locator("#w-lift")).to_have_count(0)
    expect(kept).to_have_count(1)
    hazard_id = regulator.review.hazard_for_alert(PROJECT, event.alert_id)
    kept.get_by_role("link").click()
    # the link opens that hazard in the review UI (which then clears the #hazard=ID from the address bar)
    expect(page.get_by_test_id("detail-source")).to_be_visible()
    expect(page.get_by_test_id("clause")).to_contain_text("第十五条")
    assert page.evaluate("selected") == hazard_id
    expect(page.locator("#detail")).to_contain_text("crane-1 大风红色预警停止吊装期间仍在起吊")
    expect(page.get_by_test_id("detail-class")).to_contain_text("第十五条")
