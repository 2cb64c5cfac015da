"""The dashboard names a trend's metric as its kind declares it (issue 52), in a real headless Chromium
against the demo site's real gateway: the power card's fault-arc detector, a metric the page itself has no
words for, opens a trend titled 故障电弧 (its declaration in kinds/power/kind.py, served in /api/v1/site's
kinds), in English "fault arc", and a metric with a unit carries it (剩余电流 (mA)). On main the arc was not
clickable and a trend of it was titled with the raw id arc_alarm."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Page, expect

from contract.readings import Reading
from tests.api.site import running_site
from tests.servers.browser import browser, page  # noqa: F401  (pytest fixtures: the dashboard in Chromium)

PROJECT = "GD-SZ-2026-0001"  # the demo's site (config/examples/site.yaml)


def test_the_power_cards_arc_trend_is_titled_with_its_declared_chinese_name(
    page: Page, tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    with running_site(tmp_path, scenarios=False) as site:
        now = time.time()
        # the box's arc detector and its residual current, as its monitor reports them
        site.gw.bus.publish_threadsafe(
            [
                Reading(now, PROJECT, "power-main", "arc_alarm", 1.0),
                Reading(now, PROJECT, "power-main", "leakage_ma", 12.5, "mA"),
            ]
        )
        page.goto(site.url)
        box = page.locator('#power [data-power="power-main"]')
        title = page.locator("#trend-title")
        box.locator('[data-metric="arc_alarm"]').click()
        expect(title).to_have_text(re.compile(r"^\s*power-main · 故障电弧$"))
        expect(page.locator("#trend polyline")).to_have_count(1)  # the series itself, from the history
        box.locator('[data-metric="leakage_ma"]').click()
        expect(title).to_have_text(re.compile(r"^\s*power-main · 剩余电流 \(mA\)$"))
        page.click("#lang")
        box.locator('[data-metric="arc_alarm"]').click()
        expect(title).to_have_text(re.compile(r"^\s*power-main · fault arc$"))
    assert errors == []
