"""The dashboard's warning-signal banner, in a real headless Chromium against `sitegw demo`: hidden while no
signal is in force, shown in the worst signal's colour with each signal's name and measure once a supervisor
sets them, hidden again when they are cleared."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.demo import PASSWORD, SUPERVISOR, Demo

pytestmark = pytest.mark.slow


def test_the_banner_shows_the_signals_in_force(page: Page, tmp_path: Path) -> None:
    demo = Demo(tmp_path, 0, "--no-cameras")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        login = httpx.post(
            demo.url + "api/v1/auth/login", json={"username": SUPERVISOR, "password": PASSWORD}, timeout=10
        )
        headers = {"Authorization": "Bearer " + login.json()["token"]}
        page.goto(demo.url)
        banner = page.locator("#weather-banner")
        expect(banner).to_be_hidden()
        ids = []
        for kind, colour in (("gale", "yellow"), ("rainstorm", "orange")):
            made = httpx.post(
                demo.url + "api/v1/warnings",
                json={"type": kind, "colour": colour},
                headers=headers,
                timeout=10,
            )
            assert made.status_code == 200, made.text
            ids.append(made.json()["id"])
        expect(banner).to_be_visible(timeout=5000)  # at the signal's alert event, not the 10 s poll
        expect(banner).to_have_class("orange")  # the worse of the two
        expect(banner).to_contain_text("大风黄色预警")
        expect(banner).to_contain_text("暴雨橙色预警：暂停户外作业")
        for signal_id in ids:
            httpx.post(demo.url + f"api/v1/warnings/{signal_id}/clear", headers=headers, timeout=10)
        expect(banner).to_be_hidden(timeout=15000)
    finally:
        demo.stop()
    assert errors == []
