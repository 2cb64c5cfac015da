"""Hazards from two channels to 销号 in the review UI, in real headless Chromium against a real regulator:
someone sends the public form without signing in (a photo, anonymous); a district inspector records an
inspection hazard with a photo and the article it breaks, another from a camera's patrol picture, finds the public report (not yet in the ledger),
verifies it on the project; the site reports both fixed with photos, and the inspector closes both."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from contract.wire import PICTURES_PATH, CameraPicture
from regulator.access.auth import Accounts
from regulator.server import RegulatorServer
from tests.regulator.support import PROJECT, SECRET, ThreadedRegulator, own_chromium, real_jpeg, signed
from tests.regulator.test_review_ui import CHEAP, PASSWORD, sign_in, sign_out

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

NANSHAN = "广东省/深圳市/南山区"


@pytest.fixture
def page() -> Iterator[Page]:
    with own_chromium(viewport={"width": 1400, "height": 1000}, locale="zh-CN") as tab:
        yield tab


@pytest.fixture
def regulator(tmp_path: Path) -> Iterator[RegulatorServer]:
    with ThreadedRegulator(f"sqlite:///{tmp_path}/reg.sqlite", evidence_dir=tmp_path / "evidence") as server:
        server.repo.add_project(PROJECT, "前海示范项目", "深圳", SECRET, "南山区", "中建某局")
        server.repo.add_project("GD-SZ-FT-01", "福田某项目", "深圳", "secret-ft-0001", "福田区", "某建设集团")
        accounts = Accounts(server.repo, CHEAP)
        accounts.add_user("li.jian", PASSWORD, "regulator", jurisdiction=NANSHAN)
        accounts.add_user("wang.gong", PASSWORD, "project", PROJECT)
        yield server


def row_of(tab: Page, text: str) -> None:
    tab.get_by_test_id("hazard-row").filter(has_text=text).click()


def test_an_inspection_and_a_verified_public_report_go_to_closed(
    regulator: RegulatorServer, page: Page, tmp_path: Path
) -> None:
    url = regulator.base_url + "/"
    seen = tmp_path / "seen.jpg"
    seen.write_bytes(real_jpeg("crane in wind"))
    found = tmp_path / "found.jpg"
    found.write_bytes(real_jpeg("limiter off"))
    fixed = tmp_path / "fixed.jpg"
    fixed.write_bytes(real_jpeg("fixed", (30, 160, 60)))

    # the public: no sign-in, anonymous, with a photo
    page.goto(regulator.base_url + "/public/report")
    page.select_option("#district", NANSHAN)
    page.fill("#site", "前海示范项目 北门")
    page.fill("#description", "大风天里塔吊还在吊装")
    page.set_input_files("#photo", str(seen))
    page.click("#send")
    expect(page.get_by_test_id("result")).to_contain_text("举报已收到")

    sign_in(page, url, "li.jian")
    page.select_option("#f-state", "all")
    page.click("#f-go")
    expect(page.locator("#queue-empty")).to_be_visible()  # the report is not in the ledger unverified

    # an inspection: the article makes it major, the photo its evidence
    page.click("header nav button[data-tab=channels]")
    page.fill("#c-description", "2号塔吊力矩限制器被短接")
    page.select_option("#c-article", "第八条")
    page.select_option("#c-item", "（四）")
    page.fill("#c-days", "5")
    page.set_input_files("#c-photos", str(found))
    page.click("#c-send")
    expect(page.get_by_test_id("flash")).to_contain_text("隐患已记录")
    expect(page.get_by_test_id("detail-source")).to_contain_text("监督检查")
    expect(page.get_by_test_id("detail-class")).to_contain_text("第八条（四）")
    expect(page.get_by_test_id("detail-state")).to_contain_text("整改中")
    expect(page.get_by_test_id("evidence-img")).to_have_count(1)

    # from the patrol wall: the camera's latest picture becomes the evidence of a finding (远程巡查)
    picture = (
        CameraPicture(
            project=PROJECT,
            camera="cam-gate",
            taken_at=time.time(),
            jpeg=base64.b64encode(real_jpeg("gate")).decode(),
        )
        .model_dump_json()
        .encode()
    )
    sent = httpx.post(
        regulator.base_url + PICTURES_PATH, content=picture, headers=signed(PICTURES_PATH, picture)
    )
    assert sent.status_code == 200, sent.text
    page.click("header nav button[data-tab=patrol]")
    page.get_by_test_id("patrol-record").click()
    expect(page.get_by_test_id("c-camera")).to_contain_text("cam-gate")
    page.fill("#c-description", "大门口临边无防护")
    page.click("#c-send")
    expect(page.get_by_test_id("detail-source")).to_contain_text("监督检查")
    expect(page.get_by_test_id("trail")).to_contain_text("远程巡查 摄像头 cam-gate")
    expect(page.get_by_test_id("detail-class")).to_contain_text("一般隐患")
    page.wait_for_function("() => document.querySelector('[data-testid=evidence-img]').naturalWidth === 320")

    # the public report: its photo, then verified on the project
    page.click("header nav button[data-tab=reports]")
    card = page.get_by_test_id("public-report")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("匿名")
    page.wait_for_function("() => document.querySelector('[data-testid=pr-photo]').naturalWidth === 320")
    card.locator("select[id$=-project]").select_option(PROJECT)
    card.locator("input[id$=-note]").fill("现场核实属实")
    card.locator("select[id$=-article]").select_option("第十五条")
    card.locator("select[id$=-item]").select_option("（二）")
    page.get_by_test_id("pr-verify").click()
    expect(page.get_by_test_id("flash")).to_contain_text("已查实")
    expect(page.get_by_test_id("no-reports")).to_be_visible()

    page.click("header nav button[data-tab=queue]")
    page.select_option("#f-state", "rectifying")
    page.select_option("#f-source", "public")
    page.click("#f-go")
    expect(page.get_by_test_id("hazard-row")).to_have_count(1)
    expect(page.get_by_test_id("row-source")).to_have_text("群众举报")
    page.select_option("#f-source", "")
    page.click("#f-go")
    expect(page.get_by_test_id("hazard-row")).to_have_count(3)
    sign_out(page)

    # the site reports both fixed
    sign_in(page, url, "wang.gong")
    for text in ("力矩限制器", "大风"):
        row_of(page, text)
        page.fill("#a-note", "已整改并复测")
        page.set_input_files("#a-photo", str(fixed))
        page.click("button[data-do=report]")
        expect(page.get_by_test_id("detail-state")).to_contain_text("待复查")
    sign_out(page)

    # re-inspection closes both (销号)
    sign_in(page, url, "li.jian")
    page.select_option("#f-state", "reported")
    page.click("#f-go")
    for text in ("力矩限制器", "大风"):
        row_of(page, text)
        expect(page.get_by_test_id("evidence-img")).to_have_count(2)  # the finding's photo and the fix
        page.click("button[data-do=close]")
        expect(page.get_by_test_id("detail-state")).to_contain_text("已销号")
    page.select_option("#f-state", "closed")
    page.click("#f-go")
    expect(page.get_by_test_id("hazard-row")).to_have_count(2)
    expect(page.get_by_test_id("row-source")).to_have_text(["群众举报", "监督检查"])  # newest first


def test_the_project_picker_pages_and_searches_the_inspectors_projects(
    regulator: RegulatorServer, page: Page
) -> None:
    """A jurisdiction's projects are thousands in a province: the picker shows 50 a page with the total and
    page links, and a search by code or name finds one; another district's projects are never offered."""
    for i in range(55):
        regulator.repo.add_project(f"GD-SZ-NS-{i:03d}", f"南山项目{i}", "深圳", SECRET, "南山区")
    sign_in(page, regulator.base_url + "/", "li.jian")
    page.click("header nav button[data-tab=channels]")
    options = page.locator("#c-project option")
    expect(options).to_have_count(50)
    expect(page.get_by_test_id("c-projects-total")).to_have_text("共 56 个项目")  # 55 and the fixture's one
    expect(options.first).to_have_attribute("value", PROJECT)  # by code: the fixture's sorts first
    page.locator("#c-projects a[data-page='2']").click()
    expect(options).to_have_count(6)
    page.fill("#c-find", "南山项目42")
    page.dispatch_event("#c-find", "change")
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("value", "GD-SZ-NS-042")
    page.fill("#c-find", "福田")  # 福田某项目 is not li.jian's district
    page.dispatch_event("#c-find", "change")
    expect(page.get_by_test_id("c-projects-total")).to_have_text("共 0 个项目")
