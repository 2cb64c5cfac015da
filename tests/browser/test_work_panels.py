"""The dashboard's hoist card, formwork and key-personnel panels, and alerts in English, in a real
headless Chromium against `sitegw demo` on a real Mosquitto: switched to English an alert reads its
English message, the formwork panel shows every point's values as % of its alarm value and lets a
logged-in supervisor start and end a pour (after a confirm dialog), the demo's formwork then
settling at M3 shows yellow and red, and the personnel panel lists the key people with their
certificates and shows who the demo's access gate let in."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Dialog, Page, expect

from tests.browser.demo import PASSWORD, SUPERVISOR, Demo
from tests.browser.test_dashboard import new_alert, shot
from tests.servers.mosquitto import MosquittoServer

# 20 s or more of the whole suite's time: in make test-slow, to keep make test within CI's 20 minutes
pytestmark = pytest.mark.slow


def test_english_alerts_hoist_formwork_and_personnel_panels(page: Page, tmp_path: Path) -> None:
    broker = MosquittoServer(tmp_path / "mosquitto")
    broker.start()
    demo = Demo(tmp_path, 0, "--no-cameras", "--pour-after", "0", "--mqtt", f"127.0.0.1:{broker.port}")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(demo.url)
        expect(page.locator("#conn")).to_have_class("ok")

        # an alert in both languages: crane-2's driver with an expired licence (its text does not change)
        alert = new_alert(demo.url, set(), rule="crane.operator")
        assert alert["message_en"] and alert["message_en"] != alert["message"]
        msg = page.locator(f'#alerts li[data-alert-id="{alert["alert_id"]}"] .alert-msg')
        expect(msg).to_have_text(str(alert["message"]), timeout=5000)

        # the hoist card, and the formwork panel with its four points
        expect(page.locator('#hoists [data-hoist="hoist-1"]')).to_contain_text("SC200/200")
        panel = page.locator('#formwork [data-formwork="formwork-1"]')
        expect(panel).to_contain_text("3号楼5层高支模")
        expect(panel.locator("tbody tr")).to_have_count(4)
        expect(panel.locator(".pour")).to_have_attribute("data-active", "false")
        expect(panel.locator(".pour-btn")).to_have_count(0)  # not logged in: no button

        # the key people, each with their certificate flagged as the gateway judges it
        people = {
            p["id"]: p for p in httpx.get(demo.url + "api/v1/personnel", timeout=5).json()["key_people"]
        }
        expect(page.locator("#personnel tr[data-person]")).to_have_count(len(people))
        for pid, p in people.items():
            row = page.locator(f'#personnel tr[data-person="{pid}"]')
            expect(row).to_contain_text(p["name"])
            expect(row).to_contain_text(p["role_zh"])
            expect(row.locator("td.cert")).to_have_attribute(
                "data-valid", "true" if p["certificate_valid"] else "false"
            )
            if not p["certificate_valid"]:
                expect(row.locator("td.cert")).to_have_class("cert expired")
        expect(page.locator("#others")).to_contain_text("其他在场人员")

        # the demo's gate lets the key people in first
        pm = page.locator('#personnel tr[data-person="KP-01"]')
        expect(pm).to_have_attribute("data-on-site", "true", timeout=10000)
        expect(pm).to_contain_text("在场")

        # a supervisor logs in and starts the pour, confirming the dialog
        page.click("#user")
        page.fill("#login-name", SUPERVISOR)
        page.fill("#login-pass", PASSWORD)
        page.click("#login-submit")
        button = panel.locator(".pour-btn")
        expect(button).to_have_text("开始浇筑")
        asked: list[str] = []

        def accept(d: Dialog) -> None:
            asked.append(d.message)
            d.accept()

        page.on("dialog", accept)
        button.click()
        expect(panel.locator(".pour")).to_have_attribute("data-active", "true", timeout=5000)
        expect(panel.locator(".pour-by")).to_contain_text(SUPERVISOR)
        assert "3号楼5层高支模" in asked[0]
        pours = httpx.get(demo.url + "api/v1/pours", timeout=5).json()
        assert pours[0]["active"] is True and pours[0]["changed_by"] == SUPERVISOR

        # the simulated formwork takes the concrete: M3 settles past 80 % of its 8 mm alarm value
        # (~29 s into the pour), then past it (~35 s); the other points stay green
        m3 = panel.locator('tr[data-point="M3"] td[data-metric="settle_mm"]')
        expect(m3).to_have_attribute("data-level", "warning", timeout=45000)
        expect(m3).to_contain_text(re.compile(r"mm \((8\d|9\d)%\)"))
        expect(m3).to_have_attribute("data-level", "critical", timeout=20000)
        expect(panel.locator('tr[data-point="M1"] td[data-metric="settle_mm"]')).to_have_attribute(
            "data-level", "ok"
        )
        m3.click()  # its trend, with the 80 % and 100 % lines of the point's alarm value
        expect(page.locator("#trend")).to_have_attribute(
            "data-series", re.compile(r"/M3/settle_mm$"), timeout=5000
        )
        expect(page.locator("#trend polyline")).to_have_count(1, timeout=5000)
        expect(page.locator("#trend")).to_contain_text("80% 6.40")
        expect(page.locator("#trend")).to_contain_text("100% 8.00")

        # in English: the alert's English text, the panels' labels
        page.click("#lang")
        expect(msg).to_have_text(str(alert["message_en"]))
        expect(page.locator("h2[data-i18n=formwork]")).to_have_text("High formwork")
        expect(page.locator("h2[data-i18n=personnel]")).to_have_text("Key personnel on site")
        expect(page.locator('#personnel tr[data-person="KP-01"]')).to_contain_text("Project manager")
        expect(panel.locator(".pour-btn")).to_have_text("End pour")
        shot(page, "dashboard-work-en.png")
        panel.locator(".pour-btn").click()
        expect(panel.locator(".pour")).to_have_attribute("data-active", "false", timeout=5000)
        assert len(asked) == 2 and "End the pour" in asked[1]
    finally:
        out = demo.stop()
        broker.kill()
    assert "Traceback" not in out, out
    assert errors == []
