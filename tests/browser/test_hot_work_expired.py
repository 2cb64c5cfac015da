"""The dashboard's hot-work panel in a real headless Chromium against `sitegw demo --no-scenarios`, on a state
folder keeping a permit signed under a longer validity than the site's now (docs/standards.md §18, the site file's
``hot_work_permits:``): the supervisor sees it tagged 已过期 with the reason, Chinese first, and may close it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from tests.api.test_hot_work_expiry import lapsed_permit
from tests.browser.demo import dashboard, log_in

pytestmark = pytest.mark.slow


def test_a_permit_past_its_levels_validity_shows_expired_with_its_reason(page: Page, tmp_path: Path) -> None:
    permit, lapsed = lapsed_permit(tmp_path)
    with dashboard(page, tmp_path, "--no-cameras", "--no-scenarios"):
        shown = page.locator(f'#hot-work [data-permit="{permit.id}"]')
        expect(shown).to_have_attribute("data-state", "expired", timeout=10_000)
        expect(shown).to_contain_text("已过期")
        reason = shown.locator(".hw-expired")
        expect(reason).to_contain_text(f"动火许可证 {permit.id} 已于 {lapsed.isoformat()} 过期")
        expect(reason).to_contain_text("超过二级动火许可证有效期 72 小时")
        expect(shown.locator(".hw-close")).to_have_count(0)  # not logged in: nothing to close with
        log_in(page)
        # a lapsed permit still owes its post-work check: a supervisor closes it
        expect(shown.locator(".hw-close")).to_have_count(1, timeout=5000)


def test_a_slow_login_still_brings_the_close_button_at_once(page: Page, tmp_path: Path) -> None:
    # the panel redrew half a second after the login form's submit, logged in or not yet: a login answered
    # later (a loaded edge box hashing the password) left the supervisor without the button for the 10 s
    # until the panel's next round
    permit, _ = lapsed_permit(tmp_path)
    with dashboard(page, tmp_path, "--no-cameras", "--no-scenarios"):
        shown = page.locator(f'#hot-work [data-permit="{permit.id}"]')
        expect(shown).to_have_attribute("data-state", "expired", timeout=10_000)

        def slow(route: Route) -> None:
            time.sleep(1.5)
            route.continue_()

        page.route("**/api/v1/auth/login", slow)
        log_in(page)
        expect(shown.locator(".hw-close")).to_have_count(1, timeout=4000)
