"""Listed supervision (挂牌督办, #16 item 5) through both UIs in real headless Chromium: a real regulator on
PostgreSQL and a real gateway (its feedback poller, API and dashboard), each on its own loop in a thread.

The site's alarm cites 建质规〔2024〕5号 第八条(四), so the table classifies it major. A district inspector
confirms it and orders it rectified in the review UI: it is listed at county and city level, and the
notice's PDF opens from its link. Unanswered past 30 and then 60 days (the upkeep's sweep, run with a
later clock), it goes up to the city and then to the province, each of which sees it under 只看提级到本级.
The site's supervisor answers the notice from the gateway's 督办通知 panel with a photo. The district
inspector may not close it (the province supervises it now); the province re-inspects with a photo and
a note, which closes it, and the listings read 已销号.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pypdfium2
import pytest
from playwright.sync_api import Page, expect

from gateway.api.auth_store import AuthStore
from regulator.access.auth import Accounts
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from tests.regulator.support import PROJECT, SECRET, ThreadedRegulator, own_chromium, pg_database, real_jpeg
from tests.regulator.test_review import CHEAP
from tests.regulator.test_review_ui import PASSWORD, sign_in, sign_out
from tests.uplinks.feedback_site import ThreadedGateway, site
from tests.uplinks.test_supervision_notices import major_alarm

DAY = 86400.0
SUPERVISOR = "super1"
YEAR = time.localtime().tm_year
SHOTS = Path("/tmp")

# a whole demo (or gateway and regulator) under Chromium, ~35 s: in make test-slow, to keep make test within CI's
# 20 minutes; the API paths they drive are covered in make test (tests/uplinks, tests/regulator)
pytestmark = pytest.mark.slow


@pytest.fixture
def page() -> Iterator[Page]:
    with own_chromium(viewport={"width": 1500, "height": 1100}, locale="zh-CN") as tab:
        yield tab


def wait_for_hazard(server: RegulatorServer, alert_id: str) -> int:
    deadline = time.monotonic() + 15
    while (found := server.review.hazard_for_alert(PROJECT, alert_id)) is None:
        assert time.monotonic() < deadline, "the alarm did not reach the regulator"
        time.sleep(0.05)
    return found


def pdf_text(body: bytes) -> str:
    return "".join("".join(p.get_textpage().get_text_range().split()) for p in pypdfium2.PdfDocument(body))


@pytest.mark.timeout(240)
def test_a_listed_hazard_from_notice_to_closed_at_each_level(page: Page, tmp_path: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(real_jpeg("FIXED", (30, 160, 60)))
    state = tmp_path / "state"
    state.mkdir()
    store = AuthStore(state / "users.sqlite")
    store.add_user(SUPERVISOR, "supervisor", PASSWORD, replace=True)
    store.close()
    with pg_database() as db, ThreadedRegulator(db, evidence_dir=tmp_path / "evidence") as server:
        server.repo.add_project(PROJECT, "前海示范项目", "深圳", SECRET, "南山区", "中建某局")
        accounts = Accounts(server.repo, CHEAP)
        for user, place in (("ns", "广东省/深圳市/南山区"), ("sz", "广东省/深圳市"), ("gd", "广东省")):
            accounts.add_user(user, PASSWORD, "regulator", jurisdiction=place)
        with ThreadedGateway(site(tmp_path, server.base_url), state) as gw:
            hazard_id = wait_for_hazard(server, major_alarm(gw))
            url = server.base_url + "/"

            # the district confirms and orders: listed at county and city level
            sign_in(page, url, "ns")
            row = page.get_by_test_id("hazard-row")
            expect(row).to_have_count(1)
            row.click()
            expect(page.get_by_test_id("detail-class")).to_contain_text("第八条（四）")
            page.click("button[data-do=confirm]")
            expect(page.get_by_test_id("hazard-listing")).to_have_count(2)
            page.click("button[data-do=order]")
            expect(page.get_by_test_id("detail-state")).to_contain_text("整改中")
            listed = page.get_by_test_id("hazard-listing")
            expect(listed.first).to_contain_text("区县级挂牌督办")
            expect(listed.nth(1)).to_contain_text("市级挂牌督办")
            link = page.locator("[data-testid=hazard-listing][data-level=district] [data-testid=notice-link]")
            expect(link).to_have_text(f"整改通知书 南山区住建督〔{YEAR}〕1号")
            # the notice opens in a tab of its own, as a PDF
            with page.context.expect_page() as opened:
                link.click()
            notice_tab = opened.value
            notice_tab.wait_for_load_state()
            pdf = page.request.get(notice_tab.url)
            assert pdf.headers["content-type"] == "application/pdf"
            text = pdf_text(pdf.body())
            assert f"南山区住建督〔{YEAR}〕1号" in text and "前海示范项目" in text and "第八条（四）" in text
            notice_tab.close()
            page.select_option("#f-state", "all")
            page.check("#f-listed")
            page.click("#f-go")
            expect(page.get_by_test_id("row-listed")).to_have_text("区县级、市级")
            sign_out(page)

            # unanswered past 30 days: up to the city; past 60: up to the province
            listed_at = time.time()
            server.review.escalate_overdue(listed_at + 31 * DAY)
            sign_in(page, url, "sz")
            page.click("header nav button[data-tab=listings]")
            page.check("#l-mine")
            page.click("#l-go")
            mine = page.get_by_test_id("listing-row")
            expect(mine).to_have_count(1)
            expect(mine).to_have_attribute("data-level", "district")
            expect(mine.get_by_test_id("listing-state")).to_contain_text("逾期已提级")
            sign_out(page)
            server.review.escalate_overdue(listed_at + 61 * DAY)
            sign_in(page, url, "gd")
            page.click("header nav button[data-tab=listings]")
            page.check("#l-mine")
            page.click("#l-go")
            expect(page.get_by_test_id("listing-row")).to_have_count(1)
            expect(page.get_by_test_id("listing-row")).to_have_attribute("data-level", "city")
            sign_out(page)

            # the site answers from its dashboard
            page.goto(gw.url or "")
            notice = page.locator(f'#notices li[data-number="南山区住建督〔{YEAR}〕1号"]')
            expect(notice).to_contain_text("南山区住房和城乡建设局", timeout=15000)
            page.click("#user")
            page.fill("#login-name", SUPERVISOR)
            page.fill("#login-pass", PASSWORD)
            page.click("#login-submit")
            expect(page.locator("#user")).to_contain_text(SUPERVISOR)
            notice.locator("textarea").fill("已更换起重量限制器并复测")
            notice.locator("input[type=file]").set_input_files(str(photo))
            notice.locator(".answer-btn").click()
            expect(notice).to_have_attribute("data-state", "reported")
            expect(notice).to_contain_text("已上报整改，待复查")
            page.screenshot(path=str(SHOTS / "sitegw-gateway-notices.png"), full_page=True)
            assert server.review.hazard(hazard_id, Actor("root", "admin"))["state"] == "reported"

            # the district may not close it now; the province re-inspects with a photo and closes it
            sign_in(page, url, "ns")
            page.select_option("#f-state", "reported")
            page.click("#f-go")
            page.get_by_test_id("hazard-row").click()
            expect(page.locator("button[data-do=close]")).to_have_count(0)  # closed only by re-inspection
            page.fill("#ri-note", "复查：限制器已更换")
            page.set_input_files("#ri-photo", str(photo))
            page.click("#ri-pass")
            expect(page.get_by_test_id("flash")).to_contain_text("广东省")
            sign_out(page)
            sign_in(page, url, "gd")
            page.select_option("#f-state", "reported")
            page.click("#f-go")
            page.get_by_test_id("hazard-row").click()
            page.click("#ri-pass")
            expect(page.get_by_test_id("flash")).to_contain_text("note")  # the note and the photo are needed
            page.fill("#ri-note", "复查：限制器已更换，试吊合格")
            page.set_input_files("#ri-photo", str(photo))
            page.click("#ri-pass")
            expect(page.get_by_test_id("detail-state")).to_contain_text("已销号")
            expect(page.locator("[data-testid=hazard-listing][data-state=closed]")).to_have_count(2)
            expect(page.get_by_test_id("trail")).to_contain_text(
                "复查合格，销号：复查：限制器已更换，试吊合格"
            )
            page.screenshot(path=str(SHOTS / "sitegw-regulator-listing.png"), full_page=True)
    assert errors == []
