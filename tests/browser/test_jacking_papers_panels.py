"""The dashboard's jacking and papers panels in a real headless Chromium against `sitegw demo --no-scenarios`:
a logged-in supervisor opens a jacking window on crane-2 (after a confirm dialog) and closes it, answering
the checks it asks for (verticality, ties checked, the new height), and the crane's height follows; the
papers panel lists every machine and person with the status the gateway judges."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Dialog, Page, expect

from tests.browser.demo import PASSWORD, SUPERVISOR, Demo
from tests.servers.mosquitto import MosquittoServer

pytestmark = pytest.mark.slow


def test_a_supervisor_jacks_crane_2_and_the_papers_are_listed(page: Page, tmp_path: Path) -> None:
    broker = MosquittoServer(tmp_path / "mosquitto")
    broker.start()
    demo = Demo(tmp_path, 0, "--no-cameras", "--no-scenarios", "--mqtt", f"127.0.0.1:{broker.port}")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(demo.url)
        expect(page.locator("#conn")).to_have_class("ok")
        crane = page.locator('#jacking [data-jacking="crane-2"]')
        expect(crane).to_contain_text("2号塔吊")
        expect(crane.locator(".jack-btn")).to_have_count(0)  # not logged in: no button

        papers = {
            (p["holder"], p["paper"]): p for p in httpx.get(demo.url + "api/v1/papers", timeout=5).json()
        }
        rows = page.locator("#papers tr[data-holder]")
        expect(rows).to_have_count(len(papers))
        expect(page.locator('#papers tr[data-holder="OP-1002"]')).to_have_attribute("data-status", "expired")
        expect(page.locator('#papers tr[data-holder="crane-2"]')).to_have_attribute("data-status", "missing")

        page.click("#user")
        page.fill("#login-name", SUPERVISOR)
        page.fill("#login-pass", PASSWORD)
        page.click("#login-submit")
        expect(crane.locator(".jack-btn")).to_have_text("开始顶升")
        # confirm start; verticality; ties (confirm); height; ties added; limiters re-calibrated (confirm)
        answers = iter(["", "1.5", "", "39", "1", ""])
        asked: list[str] = []

        def answer(d: Dialog) -> None:
            asked.append(d.message)
            reply = next(answers)
            d.accept(reply) if d.type == "prompt" else d.accept()

        page.on("dialog", answer)
        crane.locator(".jack-btn").click()
        expect(crane.locator(".pour")).to_have_attribute("data-active", "true", timeout=5000)
        assert "2号塔吊" in asked[0] and "9.0 m/s" in asked[0]
        crane.locator(".jack-btn").click()
        expect(crane.locator(".pour")).to_have_attribute("data-active", "false", timeout=5000)
        expect(crane).to_contain_text("39 m")
        assert "垂直度" in asked[1] and "附着" in asked[2] and "新增附着" in asked[4]
        [c2] = [
            c for c in httpx.get(demo.url + "api/v1/jacking", timeout=5).json() if c["device"] == "crane-2"
        ]
        assert c2["record"]["verticality_per_mille"] == 1.5 and c2["height_m"] == 39
        assert c2["record"]["ties_added"] == 1 and c2["record"]["limiters_recalibrated"] is True
        assert "限位器" in asked[5]
    finally:
        out = demo.stop()
        broker.kill()
    assert "Traceback" not in out, out
    assert errors == []
