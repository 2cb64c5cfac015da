"""Accidents on the clock and the 危大 list in real headless Chromium against the regulator on real PostgreSQL
(issue 39 parts 2 and 5): a district inspector opens the queue and sees, in red, the accident whose 24 h
clock to the province has run out; records the late report and sees it marked 迟报 and the alert gone; ticks
the 四不放过 steps, is refused closing while one is open, then closes it. On the 危大工程 tab the project's
list, as its gateway's heartbeat sent it, shows the high formwork monitored by formwork-1, the scaffold not
monitored, and an unaccepted pit under way as a major hazard of Art. 4(五)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from contract.config import load_site
from contract.config.uplinks import RegulatorUplink
from gateway.uplinks.heartbeat import send_heartbeat
from regulator.access.auth import Accounts
from regulator.ledger.incidents import Incidents
from regulator.names import BEIJING
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from tests.config.test_dangerous_works_section import EXAMPLE
from tests.regulator.support import ThreadedRegulator, own_chromium, pg_database
from tests.regulator.test_jurisdictions import FT, NS
from tests.regulator.test_review import CHEAP
from tests.regulator.test_review_ui import sign_in

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

H = 3600.0


@pytest.fixture
def page() -> Iterator[Page]:
    """Chromium for this test only (support.own_chromium)."""
    with own_chromium(viewport={"width": 1600, "height": 1000}, locale="zh-CN") as tab:
        yield tab


@pytest.fixture
def regulator() -> Iterator[RegulatorServer]:
    with pg_database() as url, ThreadedRegulator(url) as server:
        for s in (NS, FT):
            server.repo.add_project(s.code, s.name, s.city, s.secret, s.district)
        Accounts(server.repo, CHEAP).add_user(
            "ns", "correct horse", "regulator", jurisdiction="广东省/深圳市/南山区"
        )
        yield server


def test_an_overdue_accident_is_red_in_the_queue_and_closes_after_the_four_steps(
    regulator: RegulatorServer, page: Page
) -> None:
    accident = Incidents(regulator.repo).record(
        Actor("root", "admin"), NS.code, "accident", time.time() - 30 * H, 0, 1, "外架坠物砸伤一人"
    )
    sign_in(page, regulator.base_url + "/", "ns")
    banner = page.get_by_test_id("incident-alerts")  # on the queue, the first tab
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(f"事故 #{accident['id']}：省事故报送系统已超时未报")
    assert "198, 40, 40" in banner.get_by_test_id("incident-alert").first.evaluate(
        "e => getComputedStyle(e).color"
    )
    page.click("header nav button[data-tab=overview]")
    expect(banner).to_contain_text("省事故报送系统已超时未报")

    page.click("header nav button[data-tab=incidents]")
    row = page.get_by_test_id("incident-row")
    expect(row.get_by_test_id("clock-provincial_system")).to_contain_text("已超时未报")
    expect(row.get_by_test_id("clock-national_platform")).to_contain_text("待上报")
    row.locator("button[data-report]").click()
    page.select_option("#r-to", "provincial_system")
    page.fill("#r-who", "安全员 王五")
    page.click("#r-save")
    expect(row.get_by_test_id("clock-provincial_system")).to_contain_text("迟报")
    expect(row).to_contain_text("安全员 王五 → 省事故报送系统（人工登记） 迟报")
    expect(banner).not_to_contain_text("省事故报送系统")

    note = row.locator(f"[data-step-note='{accident['id']}']")
    for step in ("cause_found", "responsible_dealt", "people_educated"):
        note.fill("见调查报告")
        row.locator(f"button[data-step={step}]").click()
        expect(row.get_by_test_id(f"step-{step}")).to_contain_text("✓")
    row.locator("button[data-close]").click()
    expect(page.get_by_test_id("flash")).to_contain_text("尚缺 防范措施已落实")
    note.fill("增设硬防护")
    row.locator("button[data-step=measures_taken]").click()
    expect(row.get_by_test_id("step-measures_taken")).to_contain_text("增设硬防护")
    row.locator("button[data-close]").click()
    expect(row.get_by_test_id("closed")).to_contain_text("已结案")


def test_the_projects_dangerous_works_show_monitored_unmonitored_and_the_major_hazard(
    regulator: RegulatorServer, page: Page
) -> None:
    works = list(load_site(EXAMPLE, env={}).config.dangerous_works)
    started = datetime.now(BEIJING).date() - timedelta(days=2)
    works[1] = works[1].model_copy(update={"accepted": False, "actual_start": started})  # the pit, unaccepted

    async def beat() -> bool:
        async with httpx.AsyncClient() as client:
            uplink = RegulatorUplink(base_url=regulator.base_url, secret=NS.secret)
            return await send_heartbeat(client, uplink, NS.code, 0, works)

    with ThreadPoolExecutor(1) as gateway:  # Playwright's own loop runs in this thread
        assert gateway.submit(asyncio.run, beat()).result()
    sign_in(page, regulator.base_url + "/", "ns")
    # 举一反三 after the site's accident: a sweep of every Nanshan project with a deep pit (issue 53 §5)
    Incidents(regulator.repo).record(
        Actor("root", "admin"), NS.code, "accident", time.time() - H, 0, 1, "基坑坍塌"
    )
    page.click("header nav button[data-tab=incidents]")
    sweep = page.get_by_test_id("sweep")
    sweep.locator("select").select_option("pit")
    sweep.locator("input[type=date]").fill("2099-12-31")
    sweep.locator("button[data-sweep]").click()
    expect(page.get_by_test_id("flash")).to_contain_text(
        f"已发起：举一反三：{NS.name}事故后深基坑专项排查（1 个项目"
    )
    page.click("header nav button[data-tab=dangerous]")
    expect(page.locator("#queue")).to_be_hidden()
    project = page.get_by_test_id("dw-project")
    # the high formwork, the pit, and crane-1's and hoist-1's erections (the items their 安拆 notices name)
    expect(project).to_contain_text("监测 4 项 · 未监测 1 项 · 重大隐患 1 项")
    rows = page.get_by_test_id("work-row")
    expect(rows).to_have_count(5)
    formwork = rows.filter(has_text="3号楼5层高支模")
    expect(formwork.get_by_test_id("monitoring")).to_have_text("监测中：formwork-1")
    expect(rows.filter(has_text="2号楼悬挑脚手架").get_by_test_id("monitoring")).to_have_text("未监测")
    pit = rows.filter(has_text="A区深基坑")
    expect(pit.get_by_test_id("work-hazard")).to_contain_text("未经验收")
    expect(pit.get_by_test_id("work-hazard")).to_contain_text("第四条（五）")
    expect(formwork.get_by_test_id("work-hazard")).to_have_count(0)
    page.click("header nav button[data-tab=incidents]")
    expect(page.locator("#dangerous")).to_be_hidden()
