"""The dashboard's hot-work panel in a real headless Chromium against `sitegw demo --no-scenarios`, on a state
folder keeping a permit signed under a longer validity than the site's now (docs/standards.md §18, the site file's
``hot_work_permits:``): the supervisor sees it tagged 已过期 with the reason, Chinese first, and may close it."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from contract.config.hot_work_permits import HotWorkPermitsConfig
from contract.hot_work import FireWatch, Operator, PermitRequest
from gateway.site.hot_work import HotWork
from gateway.uplinks.base import BEIJING
from tests.browser.demo import PASSWORD, SUPERVISOR, Demo
from tests.gateway.test_hot_work_register import Sink

pytestmark = pytest.mark.slow


def test_a_permit_past_its_levels_validity_shows_expired_with_its_reason(page: Page, tmp_path: Path) -> None:
    # 73 h ago, under a scheme giving 二级 four days, a 二级 permit for 96 h; the demo's site file gives 二级 the
    # default 3 days, so it lapsed 72 h after its start, an hour ago
    start = datetime.fromtimestamp(int(time.time()) - 73 * 3600, BEIJING)
    before = HotWork(
        tmp_path / "hot_work.sqlite",
        Sink(),
        8.0,
        clock=lambda: start.timestamp() - 600,
        validity=HotWorkPermitsConfig(level_2_h=96),
    )
    permit = before.issue(
        PermitRequest(
            place="3号楼5层",
            level="二级",
            start=start,
            end=start + timedelta(hours=96),
            operator=Operator(
                name="张三", certificate_no="T440300198801010011", valid_until=date(2099, 1, 1)
            ),
            fire_watch=FireWatch(name="李四", person_id="W-FIRE-102"),
            extinguishers=2,
            extinguishers_checked=True,
            combustibles_cleared=True,
        ),
        "王工",
    )
    before.shut()
    demo = Demo(tmp_path, 0, "--no-cameras", "--no-scenarios")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(demo.url)
        expect(page.locator("#conn")).to_have_class("ok")
        shown = page.locator(f'#hot-work [data-permit="{permit.id}"]')
        expect(shown).to_have_attribute("data-state", "expired", timeout=10_000)
        expect(shown).to_contain_text("已过期")
        lapsed = (start + timedelta(hours=72)).isoformat()
        expect(shown.locator(".hw-expired")).to_contain_text(f"动火许可证 {permit.id} 已于 {lapsed} 过期")
        expect(shown.locator(".hw-expired")).to_contain_text("超过二级动火许可证有效期 72 小时")
        expect(shown.locator(".hw-close")).to_have_count(0)  # not logged in: nothing to close with
        page.click("#user")
        page.fill("#login-name", SUPERVISOR)
        page.fill("#login-pass", PASSWORD)
        page.click("#login-submit")
        # a lapsed permit still owes its post-work check: a supervisor closes it
        expect(shown.locator(".hw-close")).to_have_count(1, timeout=5000)
    finally:
        out = demo.stop()
    assert "Traceback" not in out, out
    assert errors == []
