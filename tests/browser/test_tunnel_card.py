"""The tunnel's card in a real headless Chromium against `sitegw demo`: tunnel-1 (the reference site's mined
connecting passage) draws each point with its code, its item's Chinese name, its latest value in mm and the
control values its rules use (the fallback 10 mm, 2 mm/d of a mined running tunnel's vault; the design's
30 mm, 3 mm/d of the surface points; the strut ZC-01's minimum and maximum, kN), and keeps its points off the
generic card."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.demo import Demo

# a demo and a browser: in make test-slow, as the other cards' tests
pytestmark = pytest.mark.slow


def test_the_tunnel_card_names_each_point_and_its_item(page: Page, tmp_path: Path) -> None:
    demo = Demo(tmp_path, 0, "--no-cameras")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(demo.url)
        expect(page.locator("#conn")).to_have_class("ok")
        card = page.locator("#tunnel-card")
        expect(page.locator('#cards h2[data-i18n="tunnel"]')).to_have_text("隧道监测点")
        # the system reports every point at start (each survey cycle after)
        for code, item, control, unit in (
            ("GD-01", "拱顶沉降", "10 mm · 2 mm/d", "mm"),
            ("SL-01", "净空收敛", "10 mm · 2 mm/d", "mm"),
            ("DB-02", "地表沉降", "30 mm · 3 mm/d", "mm"),
            ("ZC-01", "支撑轴力", "320–1200 kN", "kN"),
        ):
            row = card.locator(f'tr[data-point="{code}"]')
            expect(row).to_contain_text(item)
            expect(row).to_contain_text(control)
            expect(row.locator("td[data-metric]")).to_contain_text(unit, timeout=30000)
            expect(row).to_contain_text("正常")
        # it is drawn by its own card, not the generic one
        expect(page.locator('#other-devices [data-device="tunnel-1"]')).to_have_count(0)
    finally:
        demo.stop()
    assert errors == []
