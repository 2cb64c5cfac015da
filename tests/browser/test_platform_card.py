"""The dashboard's suspended-platform card in a real headless Chromium against `sitegw demo`: platform-1
shows its model, load against its rated 630 kg, and, once the demo's platform tilts past its 8° lock
angle with the lock still open, the tilt in red, the lock open and the failed-lock alert on the card."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.demo import Demo

# 20 s or more of the whole suite's time: in make test-slow, to keep make test within CI's 20 minutes
pytestmark = pytest.mark.slow


def test_platform_card_shows_the_tilt_and_the_open_lock(page: Page, tmp_path: Path) -> None:
    demo = Demo(tmp_path, 0, "--no-cameras")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(demo.url)
        expect(page.locator("#conn")).to_have_class("ok")
        card = page.locator('#platforms [data-platform="platform-1"]')
        expect(card).to_contain_text("ZLP630")
        expect(card).to_contain_text("2号楼外立面1号吊篮")
        expect(card.locator('[data-metric="load_kg"]')).to_contain_text("/ 630 kg")
        # the demo's platform tilts ~25 s in and its safety lock does not act (platform_tilt_lock)
        expect(card.locator('[data-metric="tilt_deg"] [data-level="critical"]')).to_contain_text(
            "°", timeout=45000
        )
        expect(card.locator('[data-metric="lock_state"]')).to_contain_text("未锁绳")
        expect(card).to_have_class("crane platform lv-critical", timeout=10000)
        # it is drawn by its own card, not the generic one
        expect(page.locator('#other-devices [data-device="platform-1"]')).to_have_count(0)
    finally:
        demo.stop()
    assert errors == []
