"""Patrols as a duty in real headless Chromium against a real regulator service (issue #40): the wall
limited to the video-monitoring set (and a category) pages through its cameras; a picture opens large and
plays the camera's latest alert clip; a patrol is started, projects are marked seen, a hazard recorded from
a picture is the patrol's finding, it is finished; the
coverage tab lists the set's projects not seen this week first, and the patrol among the records.

Pictures go straight into the regulator's repository (`store_picture`); the clip arrives as a gateway
sends it (signed, after its alert)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from contract.wire import CLIPS_PATH, EVENTS_PATH, PictureFindings
from regulator.ledger.video_set import Decision, include, remove
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from tests.regulator.inspector import regulator, sign_in_as_inspector  # noqa: F401 (fixture)
from tests.regulator.support import make_event, real_webm, signed
from tests.regulator.test_patrol_ui import SHOTS, picture
from tests.servers.browser import browser, page  # noqa: F401 (module-scoped Chromium, a page per test)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

CATEGORY = ("rail_transit", "municipal_tunnel", "public_building")
IN_SET = 26  # of 30 projects; 2 cameras each: 52 cameras of the set, 3 pages of 24


def code(i: int) -> str:
    return f"GD-SZ-V-{i:03d}"


def fill(server: RegulatorServer) -> None:
    repo, province = server.repo, Actor("省厅", "admin")
    for i in range(30):
        repo.add_project(
            code(i), f"深圳项目{i}", "深圳", f"secret-v-{i:08d}", "南山区" if i % 2 else "福田区"
        )
        for cam in ("cam-0", "cam-1"):
            picture(server, code(i), cam, 30, PictureFindings(persons=i % 4, heads=i % 4))
        if i < IN_SET:
            include(repo, province, Decision(code(i), "纳入重点监控", "2026-11-02", CATEGORY[i % 3]))


def send_clip(server: RegulatorServer, tmp_path: Path) -> None:
    """A zone intrusion on GD-SZ-V-000's cam-0 and its clip, as the site's gateway sends them."""
    secret = "secret-v-00000000"
    event = make_event(
        "intrusion-1", project=code(0), device="cam-0", rule="vision.zone_intrusion", unit="人"
    )
    body = event.model_dump_json().encode()
    with httpx.Client(base_url=server.base_url) as gw:
        sent = gw.post(
            EVENTS_PATH, content=body, headers=signed(EVENTS_PATH, body, project=code(0), secret=secret)
        )
        assert sent.status_code == 200, sent.text
        clip, path = real_webm(tmp_path), f"{CLIPS_PATH}?alert_id=intrusion-1"
        headers = signed(path, clip, project=code(0), secret=secret) | {"Content-Type": "video/webm"}
        kept = gw.post(path, content=clip, headers=headers)
        assert kept.status_code == 200, kept.text


def test_the_wall_pages_the_set_and_a_patrol_covers_it(
    regulator: RegulatorServer, page: Page, tmp_path: Path
) -> None:
    fill(regulator)
    send_clip(regulator, tmp_path)
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in_as_inspector(page, regulator)
    page.click("header nav button[data-tab=patrol]")
    total = page.get_by_test_id("patrol-total")
    expect(total).to_contain_text("共 60 台摄像头")
    page.check("#pt-set")
    page.click("#pt-go")
    expect(total).to_contain_text("共 52 台摄像头（画面过期 0，网关离线 0），第 1/3 页")
    tiles = page.get_by_test_id("patrol-tile")
    expect(tiles).to_have_count(24)
    page.get_by_test_id("patrol-pager").locator("a[data-page='3']").click()
    expect(total).to_contain_text("第 3/3 页")
    expect(tiles).to_have_count(4)
    expect(tiles.nth(3)).to_contain_text(
        code(IN_SET - 1)
    )  # the set's last project; the other 4 are not in it
    page.select_option("#pt-category", "rail_transit")  # projects 0, 3, ..., 24: 9 of them
    page.click("#pt-go")
    expect(total).to_contain_text("共 18 台摄像头（画面过期 0，网关离线 0），第 1/1 页")
    expect(tiles.first).to_contain_text("轨道交通")

    # a patrol: started, two projects marked seen, the first from its picture opened large with its clip
    page.get_by_test_id("duty-start").click()
    expect(page.get_by_test_id("duty-status")).to_contain_text("已看 0 个项目")
    tiles.nth(0).locator("img").click()
    viewer = page.get_by_test_id("patrol-viewer")
    expect(viewer.get_by_test_id("viewer-picture")).to_be_visible()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=viewer-clip]') && "
        "document.querySelector('[data-testid=viewer-clip]').readyState >= 2"
    )
    page.click("#viewer-close")
    expect(viewer).to_be_hidden()
    tiles.nth(0).get_by_test_id("patrol-seen").click()
    expect(tiles.nth(0).get_by_test_id("patrol-seen-mark")).to_have_text("本次已看")
    expect(tiles.nth(1).get_by_test_id("patrol-seen-mark")).to_have_text("本次已看")  # same project, cam-1
    tiles.nth(2).get_by_test_id("patrol-seen").click()
    expect(page.get_by_test_id("duty-status")).to_contain_text("已看 2 个项目")
    # a hazard recorded from a third project's picture is the patrol's finding there
    tiles.nth(4).get_by_test_id("patrol-record").click()
    expect(page.get_by_test_id("c-camera")).to_contain_text("cam-0")
    page.fill("#c-description", "盾构井口临边防护缺失")
    page.click("#c-send")
    expect(page.get_by_test_id("detail-source")).to_contain_text("监督检查")
    page.click("header nav button[data-tab=patrol]")
    expect(page.get_by_test_id("duty-status")).to_contain_text("已看 3 个项目，发现问题 1 处")
    expect(tiles.nth(4).get_by_test_id("patrol-seen-mark")).to_have_text("本次已看")
    if SHOTS:
        page.uncheck("#pt-set")
        page.select_option("#pt-category", "")
        page.check("#pt-set")
        page.select_option("#pt-size", "48")
        page.select_option("#pt-density", "compact")  # 48 small tiles: a screen of the set at once
        page.click("#pt-go")
        expect(total).to_contain_text("共 52 台摄像头（画面过期 0，网关离线 0），第 1/2 页")
        page.wait_for_function(
            "() => [...document.querySelectorAll('#pt-wall img')].slice(0, 8).every(i => i.complete)"
        )
        page.screenshot(path=f"{SHOTS}/patrol-wall.png")
    page.fill("#duty-note", "轨道交通项目抽查3个，发现隐患1处")
    page.get_by_test_id("duty-finish").click()
    expect(page.get_by_test_id("duty-start")).to_be_visible()

    page.click("header nav button[data-tab=coverage]")
    expect(page.get_by_test_id("coverage-summary")).to_contain_text(
        f"视频监控项目 {IN_SET} 个，已巡查 3 个（12%），未巡查 {IN_SET - 3} 个，巡查 1 次"
    )
    rows = page.locator("[data-testid=coverage-table] tbody tr")
    expect(rows).to_have_count(IN_SET)
    expect(page.get_by_test_id("coverage-unseen-row")).to_have_count(IN_SET - 3)
    expect(rows.nth(0)).to_contain_text("未巡查")  # the unseen first
    seen = page.get_by_test_id("coverage-seen-row")
    expect(seen).to_have_count(3)
    expect(seen.nth(0)).to_contain_text("li.jian")
    record = page.get_by_test_id("patrol-record-row")
    expect(record).to_have_count(1)
    expect(record.first).to_contain_text("轨道交通项目抽查3个，发现隐患1处")
    expect(record.first.locator("td").nth(5)).to_have_text("1")  # findings
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/patrol-coverage.png", full_page=True)


def test_a_projects_membership_history_in_the_video_set_tab(regulator: RegulatorServer, page: Page) -> None:
    repo, province = regulator.repo, Actor("省厅", "admin")
    for i in range(3):
        repo.add_project(code(i), f"深圳项目{i}", "深圳", f"secret-v-{i:08d}", "南山区")
        include(repo, province, Decision(code(i), "纳入重点监控", "2026-10-08", CATEGORY[i]))
    include(repo, province, Decision(code(1), "复核为公共建筑", "2026-10-20", "public_building"))
    remove(repo, province, Decision(code(1), "主体封顶，移出", "2026-11-20"))
    include(repo, province, Decision(code(1), "动态更新纳入", "2026-11-24", "rail_transit"))
    sign_in_as_inspector(page, regulator)
    page.click("header nav button[data-tab=videoset]")
    changes = page.get_by_test_id("video-set-change")
    expect(changes).to_have_count(6)
    page.get_by_test_id("vs-filter").fill(code(1))
    expect(changes).to_have_count(4)
    expect(changes.nth(0)).to_contain_text("2026-11-24")  # newest first
    expect(changes.nth(0)).to_contain_text("动态更新纳入")
    expect(changes.nth(1)).to_contain_text("移出")
    expect(changes.nth(1)).to_contain_text("主体封顶，移出")
    expect(changes.nth(3)).to_contain_text("纳入重点监控")
    page.get_by_test_id("vs-filter").fill("深圳项目2")
    expect(changes).to_have_count(1)
