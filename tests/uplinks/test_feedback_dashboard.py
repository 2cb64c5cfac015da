"""The regulator's decisions on the supervisors' dashboard, in a real headless Chromium: an order made
before the page opened shows on its alert, a dismissal made while it is open arrives over the live
stream without a reload, and both read in the page's language.

A real gateway and a real `RegulatorServer` (SQLite), each on its own loop in a thread (Playwright's
sync API holds the main thread's loop). Stand-in as in test_feedback.py: the alerts start from rule
verdicts, the site having no devices.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

from playwright.sync_api import Page, expect

from gateway.uplinks.base import BEIJING
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from tests.regulator.support import PROJECT, SECRET, ThreadedRegulator
from tests.servers.browser import browser, page  # noqa: F401  (pytest fixtures)
from tests.uplinks.feedback_site import ThreadedGateway, raise_alert, site

REGULATOR = Actor("li.jian", "regulator")
REASON = "风速仪故障，非大风"
SHOTS = os.environ.get("SITEGW_FEEDBACK_SHOT")


def hazard(server: RegulatorServer, alert_id: str, timeout: float = 10) -> int:
    """The regulator's hazard of a delivered alert, once it arrived."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = server.review.hazard_for_alert(PROJECT, alert_id)
        if found is not None:
            return found
        time.sleep(0.05)
    raise AssertionError(f"alert {alert_id} did not reach the regulator in {timeout} s")


def test_decisions_show_on_the_alerts_and_arrive_live(page: Page, tmp_path: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    with ThreadedRegulator(f"sqlite:///{tmp_path / 'regulator.sqlite'}") as server:
        server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
        with ThreadedGateway(site(tmp_path, server.base_url), tmp_path / "state") as gw:
            ordered, dismissed = raise_alert(gw, "crane-1"), raise_alert(gw, "anemo-1", rule="crane.wind")
            order = server.review.act(hazard(server, ordered), "order", REGULATOR, deadline_days=7)
            day = datetime.fromtimestamp(order["deadline"], BEIJING).strftime("%Y-%m-%d")
            badge = page.locator(f'#alerts li[data-alert-id="{ordered}"] .regulator')
            page.goto(gw.url or "")
            # the poller, the page load and the stream on a slow box; a decision lost in between never shows
            expect(badge).to_have_text(f"监管: 限期整改至 {day}", timeout=15000)
            expect(badge).to_have_attribute("data-action", "order")

            server.review.act(hazard(server, dismissed), "dismiss", REGULATOR, REASON)
            live = page.locator(f'#alerts li[data-alert-id="{dismissed}"] .regulator')
            expect(live).to_have_text(f"监管: 误报（{REASON}）", timeout=10000)
            expect(page.locator("#decisions li")).to_have_count(2)
            expect(page.locator("#decisions li").first).to_have_attribute("data-action", "dismiss")
            # the alerts stay as the site's rules left them: still firing
            expect(page.locator(f'#alerts li[data-alert-id="{ordered}"]')).to_have_attribute(
                "data-state", "firing"
            )

            if SHOTS:
                page.screenshot(path=SHOTS, full_page=True)
            page.click("#lang")
            expect(badge).to_have_text(f"regulator: rectify by {day}")
            expect(live).to_have_text(f"regulator: false alarm ({REASON})")
    assert errors == []
