"""A regulator takes a hazard from the queue to closed in the review UI, in real headless Chromium
(Debian's, driven by Playwright), against a real regulator service and a gateway's signed event."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Page, expect

from contract.wire import EVENTS_PATH
from regulator.access.auth import Accounts
from regulator.server import RegulatorServer
from tests.regulator.support import (
    PROJECT,
    SECRET,
    ThreadedRegulator,
    make_event,
    own_chromium,
    real_jpeg,
    signed,
)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

PASSWORD = "correct horse"
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # see test_review.py


@pytest.fixture
def page() -> Iterator[Page]:
    """Chromium for this test only (support.own_chromium)."""
    with own_chromium(viewport={"width": 1400, "height": 1000}, locale="zh-CN") as tab:
        yield tab


@pytest.fixture
def regulator(tmp_path: Path) -> Iterator[RegulatorServer]:
    with ThreadedRegulator(f"sqlite:///{tmp_path}/reg.sqlite") as server:
        server.repo.add_project(PROJECT, "前海示范项目", "深圳", SECRET, "南山区", "中建某局")
        accounts = Accounts(server.repo, CHEAP)
        accounts.add_user("li.jian", PASSWORD, "regulator")
        accounts.add_user("wang.gong", PASSWORD, "project", PROJECT)
        yield server


def sign_in(tab: Page, url: str, user: str) -> None:
    tab.goto(url)
    tab.fill("#login-user", user)
    tab.fill("#login-pass", PASSWORD)
    tab.click("#login-btn")
    expect(tab.locator("#who")).to_contain_text(user)


def sign_out(tab: Page) -> None:
    tab.click("#logout")
    expect(tab.locator("#login")).to_be_visible()


def test_regulator_takes_a_hazard_from_the_queue_to_closed(
    regulator: RegulatorServer, page: Page, tmp_path: Path
) -> None:
    event = make_event(
        alert="crane-1:crane.load:7",
        level="critical",
        value=112.0,
        message="1号塔吊 起重量 112%",
        evidence=base64.b64encode(real_jpeg("overload")).decode(),
    )
    body = event.model_dump_json().encode()
    assert (
        httpx.post(
            regulator.base_url + EVENTS_PATH, content=body, headers=signed(EVENTS_PATH, body)
        ).status_code
        == 200
    )
    url = regulator.base_url + "/"

    sign_in(page, url, "li.jian")
    row = page.get_by_test_id("hazard-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("塔吊超载")
    expect(row).to_contain_text("前海示范项目")
    row.click()
    expect(page.get_by_test_id("clause")).to_have_text("GB 5144-2006 §6.1.2")
    img = page.get_by_test_id("evidence-img")
    expect(img).to_be_visible()
    page.wait_for_function("() => document.querySelector('[data-testid=evidence-img]').naturalWidth === 320")
    expect(page.locator("#a-major")).to_be_checked()  # critical: listed supervision suggested
    page.fill("#a-days", "5")
    page.click("button[data-do=order]")
    expect(page.get_by_test_id("detail-state")).to_contain_text("整改中")
    expect(page.get_by_test_id("detail-state")).to_contain_text("挂牌督办")
    sign_out(page)

    sign_in(page, url, "wang.gong")  # the site: sees its open hazards, reports the fix with a photo
    page.get_by_test_id("hazard-row").click()
    page.click("button[data-do=report]")
    expect(page.get_by_test_id("flash")).to_contain_text("reason")  # the note is required
    photo = tmp_path / "fixed.jpg"
    photo.write_bytes(real_jpeg("fixed", (30, 160, 60)))
    page.fill("#a-note", "已更换起重量限制器并复测")
    page.set_input_files("#a-photo", str(photo))
    page.click("button[data-do=report]")
    expect(page.get_by_test_id("detail-state")).to_have_text("待复查 · 挂牌督办")
    expect(page.get_by_test_id("detail-due")).to_contain_text(
        "逾期按此计"
    )  # its listing's deadline, not 15 days
    sign_out(page)

    sign_in(page, url, "li.jian")
    page.select_option("#f-state", "reported")
    page.click("#f-go")
    page.get_by_test_id("hazard-row").click()
    expect(page.get_by_test_id("evidence-img")).to_have_count(2)  # the site's evidence and the fix photo
    # listed (挂牌督办): no plain close; re-inspection with a note and a photo closes it
    expect(page.locator("button[data-do=close]")).to_have_count(0)
    page.fill("#ri-note", "复查：限制器已更换")
    page.set_input_files("#ri-photo", str(photo))
    page.click("#ri-pass")
    expect(page.get_by_test_id("detail-state")).to_contain_text("已销号")
    trail = page.get_by_test_id("trail")
    expect(trail.locator("tr")).to_have_count(6)  # header + order, list (county, city), report, close
    expect(trail).to_contain_text("wang.gong")
    expect(trail).to_contain_text("已更换起重量限制器并复测")
    page.select_option("#f-state", "pending")
    page.click("#f-go")
    expect(page.get_by_test_id("hazard-row")).to_have_count(0)

    page.click("header nav button[data-tab=overview]")  # every project's regulator: per city, then opened
    for place in ("深圳市", "南山区"):
        page.get_by_test_id("area-row").filter(has_text=place).click()
    expect(page.get_by_test_id("project-row")).to_contain_text("前海示范项目")
