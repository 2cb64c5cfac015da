"""四不两直 inspections on a phone (issue 53 §3) in real headless Chromium at a phone's size (390 x 844, the
phone's position given), against a real regulator service: the inspector goes through the month's
confined-space checklist with a photo, and the failed item becomes a hazard citing its article with the
photo, when and where it was taken; with the browser offline mid-inspection, reloaded offline, the record
stays on the phone, and once back online everything is sent exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from regulator.access.auth import Accounts
from regulator.inspections.plans import NewPlan, create
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from tests.regulator.inspector import CHEAP, PASSWORD
from tests.regulator.support import ThreadedRegulator, real_jpeg
from tests.servers.browser import browser  # noqa: F401 (module-scoped Chromium)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

PROJECT = "GD-SZ-2026-0001"
HERE = {"latitude": 22.5329, "longitude": 113.9305}


@pytest.fixture
def regulator(tmp_path: Path) -> Iterator[RegulatorServer]:
    """A Shenzhen inspector and this month's confined-space theme over a Nanshan project."""
    with ThreadedRegulator(f"sqlite:///{tmp_path}/reg.sqlite") as server:
        server.repo.add_project(PROJECT, "前海某项目", "深圳", "secret-0001", "南山区")
        Accounts(server.repo, CHEAP).add_user("li.jian", PASSWORD, "regulator", None, "", "广东省/深圳市")
        city = Actor("li.jian", "regulator", jurisdiction="广东省/深圳市")
        create(
            server.repo, city, NewPlan("theme", "有限空间专项排查", 0.0, 4_102_444_800.0, theme="confined")
        )
        yield server


@pytest.fixture
def phone(browser: Browser, regulator: RegulatorServer) -> Iterator[tuple[BrowserContext, Page]]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation=HERE,
        permissions=["geolocation"],
    )
    tab = context.new_page()
    tab.goto(regulator.base_url + "/")
    tab.fill("#login-user", "li.jian")
    tab.fill("#login-pass", PASSWORD)
    tab.click("#login-btn")
    expect(tab.locator("#who")).to_contain_text("li.jian")
    tab.goto(regulator.base_url + "/ui/inspect")
    expect(tab.locator("#project")).to_contain_text("前海某项目")
    yield context, tab
    context.close()


def fail_the_first_item(tab: Page, photo: Path) -> None:
    first = tab.locator("li.item").first
    expect(first).to_contain_text("建质规〔2024〕5号 第十一条（一）")
    first.locator("button.fail").click()
    first.locator("input.note").fill("集水井未设警示标志")
    first.locator("input.photo").set_input_files(str(photo))
    expect(first.locator(".thumbs img")).to_have_count(1)


def pass_the_rest(tab: Page) -> None:
    items = tab.locator("li.item:not(.extra)")
    for i in range(1, items.count()):
        items.nth(i).locator("button.pass").click()


def recorded(server: RegulatorServer) -> dict[str, Any]:
    """What the server kept: inspections, photos (with their position) and the inspection hazards."""
    with server.repo.engine.connect() as db:
        rows = {
            "records": db.exec_driver_sql("SELECT count(*) FROM inspection_records").scalar_one(),
            "photos": db.exec_driver_sql("SELECT latitude, longitude FROM inspection_photos").all(),
            "hazards": db.exec_driver_sql(
                "SELECT h.clause, h.major, h.state, count(e.id) FROM hazards h "
                "LEFT JOIN evidence e ON e.hazard_id = h.id WHERE h.source = 'inspection' "
                "GROUP BY h.id, h.clause, h.major, h.state"
            ).all(),
        }
    return rows


def test_a_phone_checklist_with_a_photo_makes_its_failed_item_a_hazard(
    regulator: RegulatorServer, phone: tuple[BrowserContext, Page], tmp_path: Path
) -> None:
    _, tab = phone
    photo = tmp_path / "site.jpg"
    photo.write_bytes(real_jpeg("confined"))
    fail_the_first_item(tab, photo)
    tab.click("#save")
    expect(tab.locator("#message")).to_contain_text("尚未选择")  # the other items want their result first
    pass_the_rest(tab)
    tab.click("#save")
    expect(tab.locator("#done li.sent")).to_contain_text("已发送")
    expect(tab.locator("#pending")).to_have_text("待发送 0 条")
    kept = recorded(regulator)
    assert kept["records"] == 1
    assert [tuple(p) for p in kept["photos"]] == [(HERE["latitude"], HERE["longitude"])]
    assert [tuple(h) for h in kept["hazards"]] == [
        ("建质规〔2024〕5号 第十一条（一）", True, "rectifying", 1)
    ]
    width = tab.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390  # the page fits the phone: nothing overflows sideways


def test_offline_mid_inspection_a_reload_keeps_it_and_it_is_sent_once(
    regulator: RegulatorServer, phone: tuple[BrowserContext, Page], tmp_path: Path
) -> None:
    context, tab = phone
    assert tab.evaluate("navigator.serviceWorker.ready.then(() => true)")  # the page's files kept
    photo = tmp_path / "site.jpg"
    photo.write_bytes(real_jpeg("offline"))
    sent: list[str] = []  # the PUTs the server answered
    tab.on("response", lambda r: sent.append(r.url) if r.request.method == "PUT" else None)

    context.set_offline(True)
    fail_the_first_item(tab, photo)
    tab.reload()  # offline: the service worker opens the page, IndexedDB still holds the draft
    first = tab.locator("li.item").first
    expect(first.locator("button.fail")).to_have_attribute("aria-pressed", "true")
    expect(first.locator("input.note")).to_have_value("集水井未设警示标志")
    expect(first.locator(".thumbs img")).to_have_count(1)
    pass_the_rest(tab)
    tab.click("#save")
    expect(tab.locator("#pending")).to_have_text("待发送 1 条")
    tab.reload()
    expect(tab.locator("#done li.waiting")).to_have_count(1)
    assert recorded(regulator)["records"] == 0  # nothing reached the server: the site sees nothing

    context.set_offline(False)
    expect(tab.locator("#done li.sent")).to_contain_text("已发送", timeout=20_000)
    tab.reload()  # online again: nothing is sent again
    expect(tab.locator("#pending")).to_have_text("待发送 0 条")
    kept = recorded(regulator)
    assert kept["records"] == 1 and len(kept["photos"]) == 1
    assert [tuple(h) for h in kept["hazards"]] == [
        ("建质规〔2024〕5号 第十一条（一）", True, "rectifying", 1)
    ]
    puts = [u for u in sent if "/ui/api/inspections/" in u]
    assert len([u for u in puts if "/photos/" in u]) == 1 and len([u for u in puts if "/on-site/" in u]) == 1
