"""The safety officer signs the day's safety log (施工安全日志) on the site's dashboard, in real headless Chromium
against `sitegw demo` (a real process) and its embedded regulator: the gateway drafted the day on its first
tick, a supervisor writes the weather and the work and signs, the dashboard shows it delivered, and the
regulator holds the log once with the officer's words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from regulator.storage.db import create_engine
from tests.browser.demo import SUPERVISOR, dashboard, log_in

# a whole demo under Chromium: in make test-slow; the API paths are covered in tests/api/test_safety_log.py
pytestmark = pytest.mark.slow


def test_a_supervisor_signs_the_days_log_and_it_reaches_the_regulator(page: Page, tmp_path: Path) -> None:
    with dashboard(page, tmp_path, "--no-cameras", "--no-scenarios"):
        expect(page.locator("#sl-title")).to_contain_text("施工安全日志")
        expect(page.locator("#sl-sign")).to_have_count(0)  # not logged in: nothing to sign with
        log_in(page)
        page.fill("#sl-weather", "多云")
        page.fill("#sl-work", "2号污水井清淤，作业前气体检测合格")
        page.click("#sl-sign")
        expect(page.locator("#sl-signed")).to_contain_text(f"已签字: {SUPERVISOR}")
        expect(page.locator("#sl-signed")).to_contain_text("regulator delivered", timeout=20000)
        expect(page.locator("#sl-sign")).to_have_count(0)  # signed: no more editing
    engine = create_engine(f"sqlite:///{tmp_path / 'regulator.sqlite'}")
    try:
        with engine.connect() as db:
            [(signed_by, body)] = db.execute(sa.text("SELECT signed_by, body FROM safety_logs")).all()
    finally:
        engine.dispose()
    content = json.loads(body)["content"]
    assert signed_by == SUPERVISOR
    assert (content["weather"], content["work"]) == ("多云", "2号污水井清淤，作业前气体检测合格")
