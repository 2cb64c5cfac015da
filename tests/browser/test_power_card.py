"""The dashboard's temporary-power card in a real headless Chromium against `sitegw demo`: 1号总配电箱 shows
its level and its RCD's 100 mA / 0.2 s, 地下室2号开关箱 its wet place and the 15 mA / 0.1 s it gets from
JGJ 46-2005 §8.2.10, each its residual current, RCD state and temperatures; the demo's leak past the basement
box's rating with the RCD not tripping (power.rcd) gives its card the critical tag."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.demo import Demo
from tests.browser.test_dashboard import shot

pytestmark = pytest.mark.slow


def test_the_power_card_shows_each_box_and_the_rcd_not_acting(page: Page, tmp_path: Path) -> None:
    demo = Demo(tmp_path, 0, "--no-cameras", "--pour-after", "0")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(demo.url)
        main = page.locator('#power [data-power="power-main"]')
        expect(main).to_contain_text("1号总配电箱")
        expect(main).to_contain_text("总配电箱")
        expect(main.locator('[data-metric="leakage_ma"]')).to_contain_text("/ 100 mA / 0.2 s", timeout=20_000)
        expect(main.locator('[data-metric="rcd_state"]')).to_have_text("合闸运行", timeout=20_000)
        expect(main.locator('[data-metric="temp_l1_c"]')).to_contain_text("℃")
        basement = page.locator('#power [data-power="power-b2"]')
        expect(basement).to_contain_text("开关箱 · 潮湿场所")
        expect(basement.locator('[data-metric="leakage_ma"]')).to_contain_text("/ 15 mA / 0.1 s")
        # 18 mA from 30 s with the RCD still closed: 漏电保护器拒动, critical
        expect(basement.locator(".tag.critical")).to_be_visible(timeout=60_000)
        expect(basement.locator('[data-metric="leakage_ma"]')).to_contain_text(re.compile(r"1[789]\.\d mA"))
        # no scroll to the card first: the screenshot is the full page, and the card is redrawn at every
        # reading, so a scroll waiting for it to keep still can find it replaced on a busy box
        shot(page, "power.png")
        assert errors == []
    finally:
        demo.stop()
