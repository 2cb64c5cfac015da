"""The dashboard's hot-work panel in a real headless Chromium against `sitegw demo --no-scenarios` on a real
Mosquitto (docs/standards.md §18): welding current published on welder-1's topic is hot work without a
permit (an alarm at the gateway); a logged-in supervisor issues a permit from the form (refused first
without its combustibles cleared, the gateway's reason shown), sees it in force, and closes it with its
post-work check."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from paho.mqtt import publish
from playwright.sync_api import Dialog, Page, expect

from tests.browser.demo import PASSWORD, SUPERVISOR, Demo
from tests.servers.mosquitto import MosquittoServer

pytestmark = pytest.mark.slow
WELDER_TOPIC = "sitegw/GD-SZ-2026-0001/welder-1/live"  # config/examples/site.yaml, welder_ct's {prefix}/live


def unpermitted(url: str) -> list[dict[str, Any]]:
    r = httpx.get(url + "api/v1/alerts", params={"rule": "hot_work.unpermitted"}, timeout=5)
    return [a for a in r.json() if a["device"] == "welder-1" and a["state"] != "resolved"]


def test_welding_without_a_permit_is_an_alarm_and_a_supervisor_issues_and_closes_one(
    page: Page, tmp_path: Path
) -> None:
    broker = MosquittoServer(tmp_path / "mosquitto")
    broker.start()
    demo = Demo(tmp_path, 0, "--no-cameras", "--no-scenarios", "--mqtt", f"127.0.0.1:{broker.port}")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        # an arc of 152.4 A on welder-1, over the broker as its box publishes it, and no permit for 3号楼5层
        deadline = time.monotonic() + 20
        while not unpermitted(demo.url):
            assert time.monotonic() < deadline, "no hot_work.unpermitted for welding at 152.4 A"
            publish.single(
                WELDER_TOPIC, json.dumps({"current_a": 152.4}), hostname="127.0.0.1", port=broker.port
            )
            time.sleep(0.5)
        [alert] = unpermitted(demo.url)
        assert (
            alert["level"] == "alarm" and "152.4 A" in alert["message"] and "无动火许可证" in alert["message"]
        )

        page.goto(demo.url)
        expect(page.locator("#conn")).to_have_class("ok")
        expect(page.locator("#hot-work")).to_contain_text("暂无动火许可证")
        expect(page.locator("#hw-issue")).to_have_count(0)  # not logged in: no form
        page.click("#user")
        page.fill("#login-name", SUPERVISOR)
        page.fill("#login-pass", PASSWORD)
        page.click("#login-submit")
        page.locator("#hw-form summary").click()
        now = datetime.now()
        page.fill("#hw_place", "3号楼5层")
        page.fill("#hw_start", (now - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M"))
        page.fill("#hw_end", (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
        page.fill("#hw_operator", "张三")
        page.fill("#hw_cert", "T440300198801010011")
        page.fill("#hw_until", (now + timedelta(days=300)).strftime("%Y-%m-%d"))
        page.fill("#hw_watch", "李四")
        page.fill("#hw_badge", "W-102")
        page.check("#hw_ext_ok")
        said: list[str] = []

        def answer(d: Dialog) -> None:
            said.append(d.message)
            d.accept()

        page.on("dialog", answer)
        page.locator("#hw-issue button[type=submit]").click()
        deadline = time.monotonic() + 5
        while not said and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert said and "combustibles_cleared must be true" in said[0]
        page.check("#hw_cleared")
        page.locator("#hw-issue button[type=submit]").click()
        permit = page.locator("#hot-work [data-permit]")
        expect(permit).to_have_attribute("data-state", "in_force", timeout=5000)
        expect(permit).to_contain_text("3号楼5层")
        expect(permit).to_contain_text("作业中")
        [issued] = httpx.get(demo.url + "api/v1/hot-work", timeout=5).json()
        assert issued["signer"] == SUPERVISOR and issued["fire_watch"]["person_id"] == "W-102"

        permit.locator(".hw-close").click()
        expect(permit).to_have_attribute("data-state", "closed", timeout=5000)
        assert "无火灾危险" in said[-1]
    finally:
        out = demo.stop()
        broker.kill()
    assert "Traceback" not in out, out
    assert errors == []
