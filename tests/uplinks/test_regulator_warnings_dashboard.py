"""A regulator's warning on the supervisors' dashboard, in a real headless Chromium: the banner shows it as the
authority's (【主管部门发布】) with its measure, waiting for a supervisor; once one signs in, 确认收到 acknowledges
it, the banner says who and when, and the regulator hears it on the gateway's next poll.

A real gateway and a real `RegulatorServer` (SQLite), each on its own loop in a thread (Playwright's sync API
holds the main thread's loop); the warning is issued with the regulator's own call (its route is tested in
test_regulator_warnings.py).
"""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Page, expect

from gateway.api.auth_store import AuthStore
from regulator.ledger.weather_warning_models import NewWarning
from regulator.ledger.weather_warnings import WeatherWarnings
from regulator.storage.scope import Actor
from tests.browser.demo import PASSWORD, SUPERVISOR
from tests.regulator.support import PROJECT, SECRET, ThreadedRegulator
from tests.servers.browser import browser, page  # noqa: F401  (pytest fixtures)
from tests.uplinks.feedback_site import ThreadedGateway, site

CITY = Actor("sz", "regulator", jurisdiction="广东省/深圳市")


def test_a_supervisor_acknowledges_the_regulators_warning_from_the_banner(page: Page, tmp_path: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    state = tmp_path / "state"
    state.mkdir()
    users = AuthStore(state / "users.sqlite")
    users.add_user(SUPERVISOR, "supervisor", PASSWORD, replace=True)
    users.close()
    with ThreadedRegulator(f"sqlite:///{tmp_path / 'regulator.sqlite'}") as server:
        server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
        desk = WeatherWarnings(server.repo)
        issued = desk.issue(CITY, NewWarning(type="gale", colour="orange"))
        with ThreadedGateway(site(tmp_path, server.base_url), state) as gw:
            banner = page.locator("#weather-banner")
            page.goto(gw.url or "")
            expect(banner).to_have_class("orange", timeout=15000)
            expect(banner).to_contain_text(
                "【主管部门发布】大风橙色预警：停止一切户外作业，撤离临时建筑与吊篮内人员"
            )
            expect(banner).to_contain_text("待安全员确认")
            expect(banner.locator("button[data-ack]")).to_have_count(0)  # not signed in: nothing to press
            page.click("#user")
            page.fill("#login-name", SUPERVISOR)
            page.fill("#login-pass", PASSWORD)
            page.click("#login-submit")
            banner.locator("button[data-ack]").click()
            expect(banner).to_contain_text(f"已确认：{SUPERVISOR}")

            deadline = time.monotonic() + 10
            while (site_row := desk.detail(CITY, issued["id"])["site_list"][0])["acked_at"] is None:
                assert time.monotonic() < deadline, "the acknowledgement did not reach the regulator"
                time.sleep(0.1)
            assert site_row["acked_by"] == SUPERVISOR and site_row["received_at"] <= site_row["acked_at"]
    assert errors == []
