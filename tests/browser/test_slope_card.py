"""The high slope on the dashboard in a real headless Chromium against `sitegw demo` (issue 51 §5): slope-1's
station, simulated by its kind's simulator and published as its profile says, is drawn by its kind's own card
(kinds/slope/card.js): a row a monitoring point with its latest values, the alarm of its rainstorm scenario on BP-01,
and a point's trend with its alarm value's lines."""

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
        card = page.locator("#slope-card")
        expect(page.get_by_role("heading", name="高边坡监测")).to_be_visible()
        # the demo's slope plays its rainstorm past the alarm value (kinds/slope/sim.py "rainstorm"): 22 mm at BP-01
        row = card.locator('tr[data-point="BP-01"]')
        expect(row.locator(".tag.alarm")).to_have_count(1, timeout=30000)
        expect(row.locator('td[data-metric="disp_h_mm"]')).to_contain_text("mm")
        expect(card.locator('tr[data-point="BCX-01"] td[data-metric="incl_depth_m"]')).to_contain_text("8.5")
        expect(card.locator('tr[data-point="BYL-01"] td[data-metric="rain_mm"]')).to_contain_text("60")
        expect(card.locator("thead")).to_contain_text("最大位移深度")
        # its trend, with the 70 % and 100 % lines of min(20 mm, 14 m / 500)
        row.locator('td[data-metric="disp_h_mm"]').click()
        expect(page.locator("#trend polyline")).to_have_count(1, timeout=5000)
        expect(page.locator("#trend")).to_contain_text("70% 14.00")
        expect(page.locator("#trend")).to_contain_text("100% 20.00")
        # drawn by its own card, not the generic one
        expect(page.locator('#other-devices [data-device="slope-1"]')).to_have_count(0)
    finally:
        demo.stop()
    assert errors == []
