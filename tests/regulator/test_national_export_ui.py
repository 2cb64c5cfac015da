"""The national export's page (/ui/national-export) in real headless Chromium against a real regulator on
PostgreSQL: a city regulator opens it from the review UI's top bar, makes the package of a period (the zip
downloads, holding that period's accident), sees it listed with its counts and SHA-256, marks it sent, and
sees the accident's national report recorded late (迟报, in red) with how late."""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from regulator.access.auth import Accounts
from regulator.ledger.incidents import Incidents
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from tests.regulator.support import PROJECT, SECRET, ThreadedRegulator, pg_database
from tests.regulator.test_national_export import DAY, H, day, midnight
from tests.regulator.test_review_ui import CHEAP, PASSWORD, page, sign_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it


@pytest.fixture
def regulator() -> Iterator[RegulatorServer]:
    with pg_database() as url, ThreadedRegulator(url) as server:
        server.repo.add_project(PROJECT, "前海示范项目", "深圳", SECRET, "南山区")
        Accounts(server.repo, CHEAP).add_user("sz.jian", PASSWORD, "regulator", jurisdiction="广东省/深圳市")
        yield server


def test_a_regulator_makes_the_package_and_marks_it_sent(regulator: RegulatorServer, page: Page) -> None:
    now = time.time()
    who = Actor("sz.jian", "regulator", None, "广东省/深圳市")
    accident = Incidents(regulator.repo).record(
        who, PROJECT, "accident", now - 60 * H, 0, 1, "外架坠物砸伤一人"
    )
    sign_in(page, regulator.base_url + "/", "sz.jian")
    page.click("[data-testid=nav-national-export]")
    expect(page.locator("#who")).to_contain_text("广东省/深圳市")
    page.fill("#n-from", day(midnight(now) - 5 * DAY))
    page.fill("#n-to", day(midnight(now) + DAY))
    with page.expect_download() as download:
        page.click("[data-testid=national-make]")
    body = download.value.path().read_bytes()
    assert download.value.suggested_filename.startswith("全国平台交换包_广东省深圳市_")
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        package = json.loads(z.read("package.json"))
    assert [a["id"] for a in package["items"]["accidents"]] == [accident["id"]]
    row = page.get_by_test_id("national-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(package["package_id"])
    expect(row).to_contain_text("事故险情 1")
    expect(row).to_contain_text(hashlib.sha256(body).hexdigest())

    page.fill(f"[data-sent-by='{package['package_id']}']", "市住建局 李四")
    page.click(f"[data-mark='{package['package_id']}']")
    expect(row.get_by_test_id("national-sent")).to_have_text("已报送")
    late = page.get_by_test_id("national-accident")
    expect(late).to_have_attribute("data-state", "late")
    expect(late).to_contain_text("迟报（迟 12.0 小时）")
    assert late.locator("td.late").count() == 1  # in red
