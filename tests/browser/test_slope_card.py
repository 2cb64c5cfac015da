"""The high slope on the dashboard in a real headless Chromium against `sitegw demo` (issue 51 §5): slope-1's
station, simulated by its kind's simulator and published as its profile says, is drawn by the generic card with
each point's readings under the Chinese names its kind declares, and the alarm of its demo scenario."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.demo import Demo

# a demo start: in make test-slow, as the other cards' tests
pytestmark = pytest.mark.slow


def test_the_slope_station_is_on_the_dashboard_with_its_points(page: Page, tmp_path: Path) -> None:
    demo = Demo(tmp_path, 0, "--no-cameras")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(demo.url)
        expect(page.locator("#conn")).to_have_class("ok")
        card = page.locator('#other-devices [data-device="slope-1"]')
        expect(card).to_contain_text("东侧高边坡")
        expect(card).to_contain_text("高边坡")
        expect(card.locator('[data-metric="disp_h_mm"]').first).to_contain_text(
            "水平位移 BP-01", timeout=30000
        )
        expect(card.locator('[data-metric="disp_h_mm"]').first).to_contain_text("mm")
        expect(card.locator('[data-metric="incl_depth_m"]')).to_contain_text("最大位移深度 BCX-01")
        expect(card.locator('[data-metric="water_level_m"]')).to_contain_text("地下水位 BSW-01")
        expect(card.locator('[data-metric="rain_mm"]')).to_contain_text("降雨量 BYL-01")
        # the demo's slope plays its rainstorm past the alarm value (kinds/slope/sim.py "demo"): 22 mm at BP-01
        expect(card.locator(".tag.alarm")).to_have_count(1)
    finally:
        demo.stop()
    assert errors == []
