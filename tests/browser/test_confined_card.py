"""The dashboard's confined-space card in a real headless Chromium against `sitegw demo`: 2号污水井 shows
who is inside and for how long, the attendant at the entrance, the fan, and each gas against its limit;
the demo's H2S rise turns H2S red with the card's critical tag while its siren sounds."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.demo import Demo
from tests.browser.test_dashboard import shot

pytestmark = pytest.mark.slow


def test_the_confined_space_card_follows_the_demos_morning(page: Page, tmp_path: Path) -> None:
    demo = Demo(tmp_path, 0, "--no-cameras", "--pour-after", "0")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(demo.url)
        card = page.locator('#confined [data-confined="cs-1"]')
        expect(card).to_contain_text("2号污水井")
        expect(card).to_contain_text("3号楼北侧 2号污水检查井")
        # the morning at 15x: the fan, a test, the attendant, then two go in (4-6 s)
        expect(card.locator('[data-metric="attendant"]')).to_contain_text("JH-01", timeout=20_000)
        expect(card.locator('[data-person="W-0001"]')).to_contain_text("分钟", timeout=20_000)
        expect(card.locator('[data-metric="fan_on"]')).to_have_text("运行")
        expect(card.locator('[data-metric="o2_pct"]')).to_contain_text("限值 19.5–23.5 %")
        # H2S past 10 mg/m³ (7.1 ppm) ~25 s in: red, the card critical, its siren on
        h2s = card.locator('[data-metric="h2s_ppm"]')
        expect(h2s).to_have_attribute("data-level", "critical", timeout=40_000)
        expect(h2s).to_contain_text("mg/m³")
        expect(card.locator(".tag.critical")).to_be_visible(timeout=10_000)
        sirens = {s["name"]: s for s in httpx.get(demo.url + "api/v1/sirens", timeout=5).json()}
        assert sirens["siren-confined"]["wanted_on"]
        # no scroll to the card first: the screenshot is the full page, and the card is redrawn at every
        # reading, so a scroll waiting for it to keep still can find it replaced on a busy box
        shot(page, "confined_space.png")
        assert errors == []
    finally:
        demo.stop()
