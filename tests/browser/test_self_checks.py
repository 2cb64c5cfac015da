"""A supervisor sends a company self-check (企业自查) from the site's dashboard, in real headless Chromium against
`sitegw demo` and its embedded regulator: with a photo and the article it breaks, the dashboard shows it
delivered with the regulator's hazard id, and the regulator's ledger holds it once, as a self-check."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from regulator.storage.db import create_engine
from tests.browser.demo import PASSWORD, SUPERVISOR, Demo
from tests.regulator.support import real_jpeg

# a whole demo (or gateway and regulator) under Chromium, ~35 s: in make test-slow, to keep make test within CI's
# 20 minutes; the API paths they drive are covered in make test (tests/uplinks, tests/regulator)
pytestmark = pytest.mark.slow


def test_a_supervisor_sends_a_self_check_that_reaches_the_regulators_ledger(
    page: Page, tmp_path: Path
) -> None:
    demo = Demo(tmp_path, 0, "--no-cameras", "--no-scenarios")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    photo = tmp_path / "pit.jpg"
    photo.write_bytes(real_jpeg("pit edge"))
    try:
        page.goto(demo.url)
        expect(page.locator("#conn")).to_have_class("ok")
        expect(page.locator("#sc-title")).to_have_text("企业自查上报")
        expect(page.locator("#sc-send")).to_have_count(0)  # not logged in: no form
        page.click("#user")
        page.fill("#login-name", SUPERVISOR)
        page.fill("#login-pass", PASSWORD)
        page.click("#login-submit")
        page.fill("#sc-desc", "基坑周边临边防护缺失")
        page.fill("#sc-art", "第九条")
        page.fill("#sc-item", "一")
        page.set_input_files("#sc-photo", str(photo))
        page.click("#sc-send")
        state = page.locator("#sc-list li").filter(has_text="基坑周边临边防护缺失").locator(".sc-state")
        expect(state).to_have_attribute("data-state", "delivered", timeout=20000)
        expect(state).to_contain_text("已送达，监管隐患编号")
    finally:
        demo.stop()
    engine = create_engine(f"sqlite:///{tmp_path / 'regulator.sqlite'}")
    try:
        with engine.connect() as db:
            rows = db.execute(
                sa.text("SELECT source, message, clause, found_by FROM hazards WHERE source = 'self_check'")
            ).all()
            pictures = db.execute(sa.text("SELECT COUNT(*) FROM evidence WHERE purpose = 'finding'")).scalar()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("self_check", "基坑周边临边防护缺失", "建质规〔2024〕5号 第九条（一）", f"gateway:{SUPERVISOR}")
    ]
    assert pictures == 1
    assert errors == []
