"""The tunnel's monitoring system on the dashboard in a real headless Chromium against `sitegw demo`: tunnel-1
(the reference site's mined connecting passage) is drawn with each point's item by its Chinese name, its
point code and its value in mm, as its kind declares them."""

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
        card = page.locator('#other-devices [data-device="tunnel-1"]')
        expect(card).to_contain_text("地铁连接通道")
        # the system reports every point at start (each survey cycle after)
        for metric, item, code in (
            ("vault_settle_mm", "拱顶沉降", "GD-01"),
            ("convergence_mm", "净空收敛", "SL-01"),
            ("surface_settle_mm", "地表沉降", "DB-02"),
        ):
            expect(card.locator(f'[data-metric="{metric}"]').filter(has_text=code)).to_contain_text(
                f"{item} {code}", timeout=30000
            )
        expect(card.locator('[data-metric="vault_settle_mm"]').first).to_contain_text(" mm")
    finally:
        demo.stop()
    assert errors == []
