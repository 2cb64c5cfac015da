"""The dashboard in a real headless Chromium against `sitegw demo`: it shows the cranes and the
pit, an alert raised by the simulators appears within 2 s, acknowledging it on the page changes
it through the API, the trend shows the series last clicked whatever order the answers come in,
the page survives a gateway restart without being reloaded, and its own reload after a `reset`
keeps what changed while it loaded.

Set SITEGW_SCREENSHOTS=docs/screenshots to refresh the README's screenshots from this run.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import APIResponse, Browser, Page, Route, expect

from tests.browser.demo import PASSWORD, SUPERVISOR, Demo
from tests.support import free_port

SHOTS = os.environ.get("SITEGW_SCREENSHOTS")

# 75 s of the whole suite's time: in make test-slow, to keep make test within CI's 20 minutes
pytestmark = pytest.mark.slow


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)


def new_alert(url: str, known: set[str], timeout: float = 60, rule: str | None = None) -> dict[str, object]:
    """The first firing alert (of ``rule``) not in ``known``, seen as soon as the API has it."""
    deadline = time.monotonic() + timeout
    params = {"state": "firing"} | ({"rule": rule} if rule else {})
    while time.monotonic() < deadline:
        for a in httpx.get(url + "api/v1/alerts", params=params, timeout=5).json():
            if a["alert_id"] not in known:
                return a
        time.sleep(0.1)
    raise AssertionError(f"no new alert in {timeout} s")


def test_live_alert_appears_and_is_acknowledged_from_the_page(page: Page, tmp_path: Path) -> None:
    demo = Demo(tmp_path, 0)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(demo.url)
        expect(page.locator("#cranes [data-crane]")).to_have_count(2)
        expect(page.locator("#plan .pit-point")).to_have_count(13)
        expect(page.locator("#plan .crane-plan")).to_have_count(2)
        expect(page.locator("#title")).to_contain_text("GD-SZ-2026-0001")
        expect(page.locator("#conn")).to_have_class("ok")
        expect(page.locator('#pit tbody tr[data-point="ZL-01"] td[data-metric="axial_kn"]')).to_contain_text(
            "kN"
        )
        expect(page.locator('#cranes [data-crane="crane-1"] [data-gauge="load_pct"] b')).to_contain_text("%")
        # the demo's gate camera (real photos through a vision worker process): its tile and counts
        expect(page.locator('#cams [data-camera="cam-gate"]')).to_be_visible()
        expect(page.locator('#cams [data-camera="cam-gate"] .counts')).to_contain_text("ms", timeout=30_000)
        # the trend is not empty until something is clicked: it opens on the worst open alert's series
        expect(page.locator("#trend polyline")).to_have_count(1, timeout=10_000)
        expect(page.locator("#trend-title")).not_to_be_empty()

        known = {a["alert_id"] for a in httpx.get(demo.url + "api/v1/alerts", timeout=5).json()}
        alert = new_alert(demo.url, known)
        seen_by_api = time.monotonic()
        item = page.locator(f'#alerts li[data-alert-id="{alert["alert_id"]}"]')
        item.wait_for(timeout=2000)
        assert time.monotonic() - seen_by_api <= 2.0
        expect(item).to_have_attribute("data-level", str(alert["level"]))
        shot(page, "dashboard.png")

        # act on a lasting hazard: the pit's displacement rate (a crane's overload may end with the lift)
        alert = new_alert(demo.url, set(), rule="pit.rate")
        item = page.locator(f'#alerts li[data-alert-id="{alert["alert_id"]}"]')
        item.locator("textarea").fill("已通知监测单位加密观测，停止坑边堆载")
        item.locator(".ack-btn").click()  # not logged in yet: the page asks
        page.fill("#login-name", SUPERVISOR)
        page.fill("#login-pass", PASSWORD)
        page.click("#login-submit")
        expect(item).to_have_attribute("data-state", "acknowledged", timeout=5000)
        stored = httpx.get(demo.url + f"api/v1/alerts/{alert['alert_id']}", timeout=5).json()["alert"]
        assert stored["state"] == "acknowledged"
        assert (
            stored["acked_by"] == SUPERVISOR and stored["ack_note"] == "已通知监测单位加密观测，停止坑边堆载"
        )

        # the gate camera's danger zone by its name, not an id, with the people inside as its value
        zone = new_alert(demo.url, set(), rule="vision.zone_intrusion")
        zone_item = page.locator(f'#alerts li[data-alert-id="{zone["alert_id"]}"]')
        expect(zone_item).to_contain_text("禁入区 施工升降机入口")
        expect(zone_item).not_to_contain_text("hoist-entrance")
        assert zone["value"] >= 1 and f"发现 {zone['value']:.0f} 人" in str(zone["message"]), zone

        page.click("#lang")
        expect(page.locator("h2[data-i18n=alerts]")).to_have_text("Active alerts")
        expect(page.locator('#cranes [data-crane="crane-1"] [data-gauge="load_pct"] .lbl span')).to_have_text(
            "Load"
        )
        # a slow answer for the series shown before a click never lands over the clicked one's plot:
        # the pit's axial force is on show, its redraw (a range change) is answered only after ZQS-01 is drawn
        page.locator('#pit tbody tr[data-point="ZL-01"] td[data-metric="axial_kn"]').click()
        expect(page.locator("#trend")).to_have_attribute("data-series", "pit-1/ZL-01/axial_kn", timeout=5000)
        held: list[tuple[Route, APIResponse]] = []

        def hold(route: Route) -> None:
            if "ZL-01" in route.request.url:
                held.append((route, route.fetch()))
            else:
                route.continue_()

        page.route("**/api/v1/history?*", hold)
        page.select_option("#trend-range", "21600")
        for _ in range(50):
            if held:
                break
            page.wait_for_timeout(100)
        assert held, "the range change asked for no history"
        page.locator('#pit tbody tr[data-point="ZQS-01"]').click()
        expect(page.locator("#trend")).to_have_attribute("data-series", re.compile("/ZQS-01/"), timeout=5000)
        for route, answer in held:
            route.fulfill(response=answer)
        page.wait_for_timeout(1000)  # the held answer has arrived, after the click's
        expect(page.locator("#trend")).to_have_attribute("data-series", re.compile("/ZQS-01/"))
        page.unroute("**/api/v1/history?*")
        expect(page.locator("#trend polyline")).to_have_count(1, timeout=5000)
        expect(page.locator("#trend line.limit").first).to_be_attached()  # the 70 % / 100 % lines
        shot(page, "dashboard-en-trend.png")
    finally:
        out = demo.stop()
    assert "Traceback" not in out, out
    assert errors == []  # the page's script never failed


def test_phone_screen(browser: Browser, tmp_path: Path) -> None:
    demo = Demo(tmp_path, 0, "--no-scenarios")
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    try:
        page = context.new_page()
        page.goto(demo.url)
        expect(page.locator("#cranes [data-crane]")).to_have_count(2)
        # one column, nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "dashboard-phone.png")
    finally:
        context.close()
        demo.stop()


def test_the_page_survives_a_gateway_restart(page: Page, tmp_path: Path) -> None:
    port = free_port()
    demo = Demo(tmp_path, port, "--no-scenarios")
    try:
        page.goto(demo.url)
        expect(page.locator("#conn")).to_have_class("ok")
    finally:
        demo.stop()
    expect(page.locator("#conn")).to_have_class("bad", timeout=10_000)
    restarted_at = time.time()
    demo = Demo(tmp_path, port, "--no-scenarios")
    try:
        expect(page.locator("#conn")).to_have_class("ok", timeout=15_000)
        # the same page (never reloaded) shows readings taken after the restart
        page.wait_for_function(
            f"() => S.latest['crane-1'] && S.latest['crane-1'].slew_deg.ts > {restarted_at}", timeout=15_000
        )
    finally:
        demo.stop()


def test_a_change_made_while_the_page_reloads_after_a_reset_is_kept(page: Page, tmp_path: Path) -> None:
    """A page whose stream position the gateway no longer holds (a laptop that slept through the hub's
    buffer, a gateway restart) reloads its snapshot. An alert acknowledged between the moment the
    snapshot's alerts were read and the moment they reached the page must still show acknowledged:
    the reload must not overwrite a change the stream already brought with the older list."""
    demo = Demo(tmp_path, 0)
    try:
        page.goto(demo.url)
        expect(page.locator("#conn")).to_have_class("ok")
        alert = new_alert(demo.url, set(), rule="pit.rate")
        item = page.locator(f'#alerts li[data-alert-id="{alert["alert_id"]}"]')
        expect(item).to_have_attribute("data-state", "firing", timeout=5000)
        token = httpx.post(
            demo.url + "api/v1/auth/login", json={"username": SUPERVISOR, "password": PASSWORD}, timeout=10
        ).json()["token"]

        def stale_alerts(route: Route) -> None:
            before = route.fetch()  # the list as it is now, still firing
            acked = httpx.post(
                demo.url + f"api/v1/alerts/{alert['alert_id']}/acknowledge",
                json={"note": "坑边已停止堆载"},
                headers={"Authorization": "Bearer " + token},
                timeout=10,
            )
            assert acked.status_code == 200, acked.text
            time.sleep(2)  # the acknowledgement's event reaches the page before the list does
            route.fulfill(response=before)

        page.route("**/api/v1/alerts?limit=*", stale_alerts, times=1)
        # a position from a boot the gateway never had: it answers with `reset`
        page.evaluate("connect('0000.1')")
        expect(item).to_have_attribute("data-state", "acknowledged", timeout=10_000)
        # and it stays so once the page is live again
        expect(page.locator("#conn")).to_have_class("ok")
        time.sleep(1)
        expect(item).to_have_attribute("data-state", "acknowledged")
    finally:
        out = demo.stop()
    assert "Traceback" not in out, out
