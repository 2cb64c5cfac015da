"""The dashboard names a trend's metric as its kind declares it (issue 52), in a real headless Chromium
against a real gateway: the power card's fault-arc detector, a metric the page itself has no words for, opens a
trend titled 故障电弧 (its declaration in kinds/power/kind.py, served in /api/v1/site's kinds), in English
"fault arc", and a metric with a unit carries it (剩余电流 (mA)). On main the arc was not clickable and a trend
of it was titled with the raw id arc_alarm.

The gateway serves a site of one distribution box whose monitor is not there (its Modbus port refuses): the
box's readings are handed to the gateway's bus as its driver hands them, so no simulator need start."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Page, expect

from contract.config import load_site
from contract.readings import Reading
from tests.servers.browser import browser, page  # noqa: F401  (pytest fixtures: the dashboard in Chromium)
from tests.support import free_port
from tests.uplinks.feedback_site import ThreadedGateway

PROJECT = "GD-SZ-2026-0052"


def write_site(tmp_path: Path) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(
        f"""\
project: {{code: {PROJECT}, name: 趋势测试项目, city: 深圳}}
devices:
  - id: power-main
    name: 1号总配电箱
    kind: power
    profile: power_box_monitor
    transport: {{type: modbus_tcp, host: 127.0.0.1, port: {free_port()}, unit_id: 1}}
    power: {{level: main, rcd_rated_ma: 100, rcd_time_s: 0.2}}
api: {{host: 127.0.0.1, port: 0}}
""",
        encoding="utf-8",
    )
    return path


def test_the_power_cards_arc_trend_is_titled_with_its_declared_chinese_name(
    page: Page, tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    with ThreadedGateway(load_site(write_site(tmp_path)), tmp_path / "state") as gw:
        now = time.time()
        # the box's arc detector and its residual current, as its monitor reports them
        gw.bus.publish_threadsafe(
            [
                Reading(now, PROJECT, "power-main", "arc_alarm", 1.0),
                Reading(now, PROJECT, "power-main", "leakage_ma", 12.5, "mA"),
            ]
        )
        page.goto(gw.url or "")
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
