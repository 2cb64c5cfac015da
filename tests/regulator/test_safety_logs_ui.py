"""The safety logs' page (施工安全日志, regulator/static/safety_logs.html) in real headless Chromium against a real
regulator: reached from the review UI's header, it lists per project and day the logs received, missing and not
yet due, and a project's name opens its key people's 90-day attendance with each one's share of the working
days, the project manager under 80 % marked.

Logs and attendance go straight into the regulator's repository (its real database, through the ingest's own
`store_log` and `store_attendance`): the signed deliveries have their own tests (test_safety_logs.py)."""

from __future__ import annotations

import secrets
import time
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from contract.safety_log import KeyAttendance, PersonDay, SafetyLog, SafetyLogContent
from regulator.channels.safety_logs import BEIJING, LogPolicy, store_attendance, store_log
from regulator.server import RegulatorServer
from tests.regulator.inspector import PASSWORD, regulator  # noqa: F401 (fixture)
from tests.servers.browser import browser, page  # noqa: F401 (module-scoped Chromium, a page per test)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

CODE = "GD-SZ-2026-0009"


def test_logs_per_day_and_a_projects_attendance_share(regulator: RegulatorServer, page: Page) -> None:
    repo = regulator.repo
    repo.add_project(CODE, "南山科技园项目", "深圳", "secret-0001-0001", "南山区")
    today = datetime.now(BEIJING).date()
    # the latest day whose log is overdue: yesterday's from noon in Beijing, before it the day before's
    missing = today - timedelta(days=1)
    if LogPolicy().deadline(missing) > time.time():
        missing -= timedelta(days=1)
    early = missing - timedelta(days=1)
    signed = LogPolicy().deadline(early) - 3600
    store_log(
        repo,
        SafetyLog(project=CODE, day=early, content=SafetyLogContent(), signed_by="刘晓梅", signed_at=signed),
        secrets.token_hex(8),
        600,
    )
    for n, (pm, officer) in enumerate(((480, 500), (0, 510))):  # the manager was there one day of two
        day = early + timedelta(days=n)
        people = [
            PersonDay(person="KP-01", name="王海峰", role="project_manager", minutes=pm),
            PersonDay(person="KP-02", name="刘晓梅", role="safety_officer", minutes=officer),
        ]
        store_attendance(repo, KeyAttendance(project=CODE, day=day, people=people), secrets.token_hex(8), 600)
    page.goto(regulator.base_url + "/")
    page.fill("#login-user", "li.jian")
    page.fill("#login-pass", PASSWORD)
    page.click("#login-btn")
    expect(page.locator("#who")).to_contain_text("li.jian")
    page.get_by_test_id("nav-safety-logs").click()
    rows = page.locator("#logs tbody tr")
    # from the first day the project sent, newest first: not yet due (today, and yesterday before noon),
    # missing, received
    days = (today - early).days + 1
    expect(rows).to_have_count(days)
    expect(rows.nth(0)).to_contain_text(f"{today.isoformat()}未到期")
    expect(rows.nth(days - 2)).to_contain_text(f"{missing.isoformat()}缺报")
    expect(rows.nth(days - 1)).to_contain_text(f"{early.isoformat()}已报刘晓梅")
    rows.nth(0).locator("td").first.click()
    expect(page.locator("#lookback-head")).to_contain_text("施工日 2 天，网关上报 2 天")
    shares = page.locator("#people tbody tr")
    expect(shares).to_have_count(2)
    expect(shares.nth(0)).to_contain_text("王海峰项目负责人148050.0 %（不足80%）")
    expect(shares.nth(1)).to_contain_text("刘晓梅专职安全员21010100.0 %")
