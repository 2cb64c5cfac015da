"""A city's year in miniature (issue 53), through the regulator's own screens in real headless Chromium against
a real regulator service: the city bureau's regulator plans a 全覆盖 round with its deadline and a monthly theme (its
checklist drawn from the theme), draws projects and inspectors at random (the seed and who drew shown, the draw
checked by drawing again from its seed) and publishes the draw; a Nanshan inspector, on a phone, sees only the
plans of Nanshan, goes through the theme's checklist with a photo and the failed item becomes a hazard; the
admin sees the coverage (the unseen first), exports it, exposes the hazard and an accident as typical cases,
records a public 行政处罚 and a 约谈 kept off the public page; an anonymous visitor of /public sees only what was marked public."""

from __future__ import annotations

import datetime
import io
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from regulator.access.auth import Accounts
from regulator.inspections.draw import Candidate, Inspector, Pools, draw
from regulator.ledger.incidents import Incidents
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from tests.regulator.inspector import CHEAP, PASSWORD
from tests.regulator.support import ThreadedRegulator, real_jpeg
from tests.servers.browser import browser  # noqa: F401 (module-scoped Chromium)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

CITY = "广东省/深圳市"
NANSHAN = ("GD-SZ-2026-0001", "前海某项目"), ("GD-SZ-2026-0002", "蛇口某项目")
FUTIAN = ("GD-SZ-2026-0009", "福田某项目")
BEIJING = datetime.timezone(datetime.timedelta(hours=8))
ACCIDENT = "吊篮坠落一人受伤"
HAZARD_CASE, ACCIDENT_CASE = "某项目有限空间未设警示标志被责令整改", "某项目吊篮安全锁失效致一人受伤"


def month_end(today: datetime.date) -> datetime.date:
    """The last day of today's month: this month's theme's deadline."""
    first_next = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first_next - datetime.timedelta(days=1)


@pytest.fixture
def regulator(tmp_path: Path) -> Iterator[RegulatorServer]:
    """Two Nanshan projects (an accident on the second) and one in Futian; the city bureau's regulator (its admin of the year) and two Nanshan inspectors."""
    with ThreadedRegulator(f"sqlite:///{tmp_path}/reg.sqlite") as server:
        for code, name in NANSHAN:
            server.repo.add_project(code, name, "深圳", f"secret-{code}", "南山区")
        server.repo.add_project(FUTIAN[0], FUTIAN[1], "深圳", "secret-ft", "福田区")
        accounts = Accounts(server.repo, CHEAP)
        accounts.add_user("wang.city", PASSWORD, "regulator", None, "", CITY)  # the city bureau's
        for name in ("li.jian", "zhao.min"):
            accounts.add_user(name, PASSWORD, "regulator", None, "", f"{CITY}/南山区")
        city = Actor("wang.city", "regulator", jurisdiction=CITY)
        Incidents(server.repo).record(city, NANSHAN[1][0], "accident", time.time() - 86_400, 0, 1, ACCIDENT)
        yield server


def sign_in(browser: Browser, server: RegulatorServer, user: str, phone: bool = False) -> Page:
    """``user`` signed in at a desktop's width, or on a phone (390 x 844, touch, its position given)."""
    if phone:
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            geolocation={"latitude": 22.53, "longitude": 113.93},
            permissions=["geolocation"],
            locale="zh-CN",
        )
    else:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True
        )
    tab = context.new_page()
    tab.goto(server.base_url + "/")
    tab.fill("#login-user", user)
    tab.fill("#login-pass", PASSWORD)
    tab.click("#login-btn")
    expect(tab.locator("#who")).to_contain_text(user)
    return tab


def open_year(tab: Page) -> None:
    """The 年度检查 page through the one header (behind 菜单 on a phone)."""
    menu = tab.locator("#site-menu")
    if menu.is_visible():
        menu.click()
    tab.get_by_test_id("nav-year").click()
    tab.wait_for_url("**/ui/year")


def new_plan(tab: Page, kind: str, title: str, due: str, place: str = "", theme: str = "") -> None:
    tab.select_option("#p-kind", kind)
    if theme:
        tab.select_option("#p-theme", theme)
    tab.fill("#p-title", title)
    tab.fill("#p-place", place)
    tab.fill("#p-due", due)
    tab.click("#p-save")
    expect(tab.locator("#flash")).to_contain_text("计划已新建")
    expect(tab.get_by_test_id("plan").filter(has_text=title)).to_have_count(1)


def plans_and_draw(tab: Page, today: datetime.date) -> str:
    """The admin's round, theme, a Futian round and a published draw; the draw's seed."""
    new_plan(tab, "round", "第一轮全覆盖排查", (today + datetime.timedelta(days=30)).isoformat())
    new_plan(tab, "theme", "有限空间专项排查", month_end(today).isoformat(), theme="confined")
    new_plan(tab, "round", "福田区专项排查", month_end(today).isoformat(), place=f"{CITY}/福田区")
    for kind, members in (("inspector", "li.jian zhao.min"), ("project", " ".join(c for c, _ in NANSHAN))):
        tab.fill("#m-pool", "第一批")
        tab.select_option("#m-kind", kind)
        tab.fill("#m-members", members)
        tab.click("#m-save")
        expect(tab.locator("#flash")).to_contain_text("已加入名录")
    expect(tab.get_by_test_id("pool")).to_contain_text("li.jian、zhao.min")
    for field, value in (
        ("#d-title", "上半年双随机抽查"),
        ("#d-ipool", "第一批"),
        ("#d-ppool", "第一批"),
        ("#d-n", "1"),
        ("#d-k", "2"),
        ("#d-due", month_end(today).isoformat()),
    ):
        tab.fill(field, value)
    tab.click("#d-save")
    row = tab.get_by_test_id("draw")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("drawn-by")).to_contain_text("wang.city")  # the audit trail names who drew
    expect(row.get_by_test_id("reproduced")).to_have_text("以种子重抽，结果一致")
    expect(row.get_by_test_id("drawn")).to_contain_text("li.jian、zhao.min")
    seed = row.get_by_test_id("seed").inner_text()
    row.get_by_role("button", name="公示").click()
    expect(row.get_by_test_id("published")).to_contain_text("已公示")
    return seed


def inspect_on_a_phone(browser: Browser, server: RegulatorServer, photo: Path) -> None:
    """li.jian (Nanshan) sees Nanshan's plans only, then fails the theme's first item with a photo."""
    tab = sign_in(browser, server, "li.jian", phone=True)
    try:
        open_year(tab)
        plans = tab.get_by_test_id("plan")
        expect(plans).to_have_count(3)  # the round, the theme, the draw: not Futian's
        expect(plans.filter(has_text="福田区专项排查")).to_have_count(0)
        assert tab.evaluate("document.scrollingElement.scrollWidth") <= 390  # the page fits the phone
        tab.locator("#site-menu").click()
        tab.get_by_test_id("nav-inspect").click()
        tab.wait_for_url("**/ui/inspect")
        tab.select_option("#plan", label="有限空间专项排查（有限空间）")
        tab.select_option("#project", label=f"{NANSHAN[0][1]}（待查）")
        first = tab.locator("li.item").first
        first.locator("button.fail").click()
        first.locator("input.note").fill("集水井未设警示标志")
        first.locator("input.photo").set_input_files(str(photo))
        expect(first.locator(".thumbs img")).to_have_count(1)
        items = tab.locator("li.item:not(.extra)")
        for i in range(1, items.count()):
            items.nth(i).locator("button.pass").click()
        tab.click("#save")
        expect(tab.locator("#done li.sent")).to_contain_text("已发送")
        assert tab.evaluate("document.scrollingElement.scrollWidth") <= 390
    finally:
        tab.context.close()


def coverage_and_export(tab: Page) -> None:
    """The theme's coverage: the unseen first, per district and inspector; its workbook."""
    tab.reload()
    tab.get_by_test_id("plan").filter(has_text="有限空间专项排查").get_by_role(
        "button", name="查看覆盖"
    ).click()
    expect(tab.get_by_test_id("checklist")).to_contain_text("有限空间")
    rows = tab.get_by_test_id("coverage-project")
    expect(rows).to_have_count(3)
    expect(rows.last).to_contain_text(NANSHAN[0][1])  # the one inspected last: the unseen first
    expect(rows.last).to_contain_text("已查")
    expect(rows.last).to_contain_text("li.jian")
    expect(tab.get_by_test_id("coverage-districts")).to_contain_text("南山区")
    expect(tab.get_by_test_id("coverage-inspectors")).to_contain_text("li.jian")
    with tab.expect_download() as got:
        tab.get_by_test_id("coverage-xlsx").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
    cells = {str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c}
    assert {NANSHAN[0][1], NANSHAN[1][1], FUTIAN[1], "li.jian"} <= cells


def expose(form: Locator, title: str, text: str) -> None:
    form.locator(".case-title").fill(title)
    form.locator(".case-text").fill(text)
    form.get_by_role("button", name="曝光为典型案例").click()
    expect(form.page.locator("#flash")).to_contain_text("已在公开页面曝光为典型案例")


def expose_the_cases(tab: Page, base: str) -> None:
    """The inspection's hazard from its detail, the accident from the incidents' tab: typical cases."""
    tab.goto(base + "/")
    tab.select_option("#f-state", "open")
    tab.click("#f-go")
    tab.get_by_test_id("hazard-row").first.click()
    expose(tab.get_by_test_id("expose-case"), HAZARD_CASE, "检查发现集水井未设警示标志，已责令限期整改。")
    tab.click("header nav button[data-tab=incidents]")
    row = tab.get_by_test_id("incident-row").filter(has_text=ACCIDENT)
    expose(row.get_by_test_id("expose-case"), ACCIDENT_CASE, "吊篮安全锁失效致一人受伤，已责令停工整改。")


def record_actions(tab: Page, base: str, pdf: Path) -> None:
    """On the 执法记录 page, through the header: a public 行政处罚 with its decision, a 约谈 with its own, not
    made public."""
    tab.goto(base + "/ui/year")
    tab.get_by_test_id("nav-enforcement").click()
    tab.wait_for_url("**/ui/enforcement")
    today = datetime.datetime.now(BEIJING).date().isoformat()
    for kind, party, case, public in (
        ("penalty", "某建设集团", "深建罚〔2026〕12号", True),
        ("interview", "某劳务公司", "", False),
    ):
        tab.select_option("#a-kind", kind)
        tab.fill("#a-project", NANSHAN[0][0])
        tab.fill("#a-party", party)
        tab.fill("#a-case", case)
        tab.fill("#a-article", "《建设工程安全生产管理条例》第六十二条" if case else "")
        tab.fill("#a-amount", "50000" if case else "")
        tab.fill("#a-reason", "有限空间作业未设警示标志")
        tab.fill("#a-date", today)
        tab.set_input_files("#a-document", str(pdf))
        tab.locator("#a-public").set_checked(public)
        tab.click("#a-save")
        expect(tab.get_by_test_id("action").filter(has_text=party)).to_have_count(1)


def test_a_citys_year_in_miniature(regulator: RegulatorServer, browser: Browser, tmp_path: Path) -> None:
    today = datetime.datetime.now(BEIJING).date()
    photo, pdf = tmp_path / "site.jpg", tmp_path / "decision.pdf"
    photo.write_bytes(real_jpeg("confined"))
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    admin = sign_in(browser, regulator, "wang.city")
    open_year(admin)
    seed = plans_and_draw(admin, today)
    # the same seed gives the same draw: drawing again from the pools as entered and the seed the page shows
    pools = Pools(
        tuple(Inspector(name, f"{CITY}/南山区") for name in ("li.jian", "zhao.min")),
        tuple(Candidate(code, "", f"{CITY}/南山区") for code, _ in NANSHAN),
        (),
    )
    [(code, inspectors)] = draw(pools, seed, 1, 2)
    expect(admin.get_by_test_id("drawn")).to_contain_text(f"{dict(NANSHAN)[code]}（{'、'.join(inspectors)}）")

    inspect_on_a_phone(browser, regulator, photo)
    with regulator.repo.engine.connect() as db:
        hazards = db.exec_driver_sql("SELECT project, clause FROM hazards WHERE source = 'inspection'").all()
    assert [tuple(h) for h in hazards] == [(NANSHAN[0][0], "建质规〔2024〕5号 第十一条（一）")]

    coverage_and_export(admin)
    expose_the_cases(admin, regulator.base_url)
    record_actions(admin, regulator.base_url, pdf)
    admin.context.close()

    anyone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    anyone.goto(regulator.base_url + "/public")
    expect(anyone.locator("#cases article")).to_have_count(2)
    expect(anyone.locator("#cases")).to_contain_text(HAZARD_CASE)
    expect(anyone.locator("#cases")).to_contain_text(ACCIDENT_CASE)
    expect(anyone.locator("#draws")).to_contain_text("上半年双随机抽查")
    expect(anyone.locator("#enforcement")).to_contain_text("深建罚〔2026〕12号")
    expect(anyone.locator("#enforcement")).not_to_contain_text("某劳务公司")  # the 约谈 was not made public
    expect(anyone.locator("body")).not_to_contain_text("福田区专项排查")  # a plan is no public fact
    anyone.context.close()


def test_a_site_user_is_shown_no_plans_nor_inspections(regulator: RegulatorServer, browser: Browser) -> None:
    """The plans and the inspections are the authority's: a project's user has no entry for them, and the
    year's page opened by its address offers nothing to do."""
    Accounts(regulator.repo, CHEAP).add_user("site.0001", PASSWORD, "project", NANSHAN[0][0])
    tab = sign_in(browser, regulator, "site.0001")
    try:
        for entry in ("nav-year", "nav-inspect"):
            expect(tab.get_by_test_id(entry)).to_be_hidden()
        tab.goto(regulator.base_url + "/ui/year")
        expect(tab.locator("#flash")).to_contain_text("项目账号无此功能")
        for form in ("#plan-card", "#draw-card"):
            expect(tab.locator(form)).to_be_hidden()
        expect(tab.get_by_test_id("nav-year")).to_be_hidden()
    finally:
        tab.context.close()
