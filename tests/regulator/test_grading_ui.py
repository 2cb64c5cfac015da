"""The grading page (/ui/grading) in real headless Chromium against a real regulator: a city user sees
the key-risk projects with each fact and its source record, which of them had this month's inspection,
the published companies; an inspection recorded on the page turns the duty done; the XLSX export holds
the same two lists.

Set SITEGW_SCREENSHOTS=docs/screenshots to refresh docs/screenshots/grading.png from this run.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from regulator.access.auth import Accounts
from regulator.ledger import enforcement
from regulator.ledger.incidents import Incidents
from regulator.ledger.review import DAY_S
from regulator.server import RegulatorServer
from tests.regulator.inspector import CHEAP, PASSWORD
from tests.regulator.support import ThreadedRegulator
from tests.regulator.test_grading import CITY
from tests.servers.browser import browser, page  # noqa: F401 (module-scoped Chromium, a page per test)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

SHOTS = os.environ.get("SITEGW_SCREENSHOTS")


@pytest.fixture
def graded(tmp_path: Path) -> Iterator[RegulatorServer]:
    with ThreadedRegulator(f"sqlite:///{tmp_path}/reg.sqlite") as s:
        repo, now = s.repo, time.time()
        for code, name, district, company in (
            ("GD-SZ-0001", "前海塔吊项目", "南山区", "甲建设集团"),
            ("GD-SZ-0002", "龙岗基坑项目", "龙岗区", "甲建设集团"),
            ("GD-SZ-0003", "福田住宅项目", "福田区", "甲建设集团"),
            ("GD-SZ-0004", "宝安厂房项目", "宝安区", "乙建设公司"),
        ):
            repo.add_project(code, name, "深圳", "secret-0001", district, company)
        Incidents(repo).record(CITY, "GD-SZ-0001", "accident", now - 100 * DAY_S, 0, 1, "高处坠落一人受伤")
        for points in (25, 18):
            entry = enforcement.Entry(
                "GD-SZ-0002", "deduction", now - 20 * DAY_S, "甲建设集团", points, "深建扣〔2026〕12号"
            )
            enforcement.record(repo, CITY, entry)
        stop = enforcement.Entry("GD-SZ-0002", "stop_work", now - 3 * DAY_S, note="深建停〔2026〕7号")
        enforcement.record(repo, CITY, stop)
        enforcement.record(repo, CITY, enforcement.Entry("GD-SZ-0001", "inspection", now - 3600))
        Accounts(repo, CHEAP).add_user("sz.city", PASSWORD, "regulator", None, "", CITY.jurisdiction)
        yield s


def test_the_grading_page_lists_facts_duties_and_the_published(graded: RegulatorServer, page: Page) -> None:
    page.goto(graded.base_url + "/")
    page.fill("#login-user", "sz.city")
    page.fill("#login-pass", PASSWORD)
    page.click("#login-btn")
    expect(page.locator("#who")).to_contain_text("sz.city")
    page.get_by_test_id("grading-page").click()
    rows = page.get_by_test_id("key-project")
    expect(rows).to_have_count(2)
    accident = page.locator("[data-testid=key-project][data-code=GD-SZ-0001]")
    expect(accident.get_by_test_id("fact")).to_contain_text("近两年发生生产安全事故")
    expect(accident.get_by_test_id("fact-source")).to_contain_text("事故险情台账 #1")
    expect(accident.get_by_test_id("inspection-duty")).to_contain_text("已检查")
    stopped = page.locator("[data-testid=key-project][data-code=GD-SZ-0002]")
    expect(stopped.get_by_test_id("fact")).to_have_count(2)  # 43 points, and stopped
    expect(stopped).to_contain_text("累计 43 分")
    expect(stopped).to_contain_text("深建停〔2026〕7号")
    expect(stopped.get_by_test_id("inspection-duty")).to_contain_text("未检查")
    # one of 甲's three sites stopped: a third, over the 0.3 ratio
    expect(page.get_by_test_id("published-company")).to_have_count(1)
    expect(page.get_by_test_id("published-company")).to_contain_text("甲建设集团")
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "grading.png"), full_page=True)
    # the inspector records this month's inspection of the stopped site: its duty is done
    page.fill("#e-project", "GD-SZ-0002")
    page.select_option("#e-kind", "inspection")
    page.click("#e-save")
    expect(stopped.get_by_test_id("inspection-duty")).to_contain_text("已检查")
    sheets = load_workbook(io.BytesIO(page.request.get(graded.base_url + "/ui/api/grading.xlsx").body()))
    key, published = sheets.worksheets
    assert [r[0] for r in key.iter_rows(min_row=2, values_only=True)] == ["GD-SZ-0001", "GD-SZ-0002"]
    assert [r[:3] for r in published.iter_rows(min_row=2, values_only=True)] == [("甲建设集团", 3, 1)]


def test_a_penalty_and_an_interview_recorded_on_the_page_count_in_the_grading(
    graded: RegulatorServer, page: Page
) -> None:
    page.goto(graded.base_url + "/")
    page.fill("#login-user", "sz.city")
    page.fill("#login-pass", PASSWORD)
    page.click("#login-btn")
    expect(page.locator("#who")).to_contain_text("sz.city")
    page.get_by_test_id("grading-page").click()
    expect(page.get_by_test_id("key-project")).to_have_count(2)
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

    # the penalties, 约谈 and 通报 on their own page (执法记录), reached from the one header
    page.get_by_test_id("nav-enforcement").click()
    page.wait_for_url("**/ui/enforcement")
    # a file that is no PDF, JPEG or PNG is refused, naming the field
    page.fill("#a-project", "GD-SZ-0004")
    page.fill("#a-party", "乙建设公司")
    page.fill("#a-case", "深建罚〔2026〕31号")
    page.fill("#a-article", "《建设工程安全生产管理条例》第六十二条")
    page.fill("#a-amount", "50000")
    page.fill("#a-reason", "未配备专职安全生产管理人员")
    page.set_input_files(
        "#a-document", {"name": "决定书.docx", "mimeType": "application/msword", "buffer": b"PK\x03\x04"}
    )
    page.click("#a-save")
    expect(page.locator("#flash")).to_contain_text("document: not a PDF, JPEG or PNG")
    # the penalty with its decision, public, then a 约谈 of the project manager
    page.set_input_files("#a-document", {"name": "决定书.pdf", "mimeType": "application/pdf", "buffer": pdf})
    page.check("#a-public")
    page.click("#a-save")
    expect(page.locator("#flash")).to_contain_text("已登记")
    page.select_option("#a-kind", "interview")
    page.select_option("#a-party-kind", "person")
    page.fill("#a-party", "张三")
    page.fill("#a-case", "")
    page.fill("#a-article", "")
    page.fill("#a-amount", "")
    page.fill("#a-reason", "塔吊超载报警未处置")
    page.set_input_files("#a-document", [])
    page.uncheck("#a-public")  # kept on file, not published
    page.click("#a-save")
    expect(page.get_by_test_id("action")).to_have_count(2)
    expect(page.get_by_test_id("action").first).to_contain_text("约谈")
    link = page.get_by_test_id("action-document")
    expect(link).to_have_count(1)
    shown = page.request.get(graded.base_url + str(link.get_attribute("href")))
    assert (shown.status, shown.body()) == (200, pdf)
    public = page.request.get(graded.base_url + "/public/api/enforcement").json()
    assert [(p["kind_name"], p["party"]) for p in public] == [("行政处罚", "乙建设公司")]

    # back on the grading: 宝安 is key-risk now, each record its source
    page.get_by_test_id("grading-page").click()
    site = page.locator("[data-testid=key-project][data-code=GD-SZ-0004]")
    expect(site.get_by_test_id("fact")).to_have_count(2)
    expect(site.get_by_test_id("fact-source").first).to_contain_text("行政处罚 深建罚〔2026〕31号")
    expect(site).to_contain_text("乙建设公司，罚款 50000 元")

    # 个人记分: the project manager's 12 points reach the threshold (12 in 12 months, the default)
    expect(page.get_by_test_id("scored-person")).to_have_count(0)
    page.fill("#s-project", "GD-SZ-0004")
    page.fill("#s-person", "张三")
    page.fill("#s-certificate", "粤1442020202012345")
    page.fill("#s-points", "12")
    page.fill("#s-item", "第3.2项 未按规定组织危大工程验收")
    page.click("#s-save")
    expect(page.get_by_test_id("scored-person")).to_have_count(1)
    person = page.get_by_test_id("scored-person").locator("td")
    expect(person).to_have_text(
        ["张三", "项目经理", "粤1442020202012345", "12", "GD-SZ-0004 第3.2项 未按规定组织危大工程验收 12 分"]
    )
