"""The patrol wall (远程巡查) in real headless Chromium against a real regulator service: each camera's latest
picture loads, with its findings in Chinese, its age and its status; a camera that stopped sending is marked
画面过期, a project whose gateway is silent 网关离线; the wall pages 24 cameras at a time with its totals; 立即抓拍 asks the site for a picture now.

Pictures go straight into the regulator's repository (its real database, through `store_picture`): what is
tested here is the wall; the signed ingest has its own tests (test_patrol.py)."""

from __future__ import annotations

import base64
import os
import secrets
import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from contract.wire import CameraPicture, PictureFindings
from regulator.server import RegulatorServer
from regulator.video.patrol import store_picture
from tests.regulator.inspector import regulator, sign_in_as_inspector  # noqa: F401 (fixture)
from tests.regulator.support import real_jpeg
from tests.servers.browser import browser, page  # noqa: F401 (module-scoped Chromium, a page per test)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

SHOTS = os.environ.get("SITEGW_SCREENSHOTS")  # docs/screenshots/patrol-wall.png: test_patrol_duty_ui.py


def picture(server: RegulatorServer, code: str, camera: str, age_s: float, findings: PictureFindings) -> None:
    jpeg = real_jpeg(f"{code[-3:]} {camera}")
    pic = CameraPicture(
        project=code,
        camera=camera,
        taken_at=time.time() - age_s,
        every_s=600,
        findings=findings,
        jpeg=base64.b64encode(jpeg).decode(),
    )
    store_picture(server.repo, pic, jpeg, secrets.token_hex(8), 600)


def test_wall_shows_pictures_findings_and_stale_cameras(regulator: RegulatorServer, page: Page) -> None:
    repo = regulator.repo
    for i in range(4):
        repo.add_project(f"GD-SZ-P-{i:03d}", f"深圳项目{i}", "深圳", "secret-0001", "南山区")
    for i in range(4):
        for k in range(8):
            if (i, k) not in ((0, 0), (0, 1)):
                picture(regulator, f"GD-SZ-P-{i:03d}", f"cam-{k}", 30, PictureFindings(persons=k, heads=k))
    picture(
        regulator,
        "GD-SZ-P-000",
        "cam-0",
        95,
        PictureFindings(
            persons=3, heads=3, bare_heads=1, zones={"卸料平台下方": True}, edges={"3F东侧临边": False}
        ),
    )
    picture(regulator, "GD-SZ-P-000", "cam-1", 3 * 3600, PictureFindings())  # no picture for 3 hours
    with repo.engine.begin() as db:  # the last project's gateway was last heard two hours ago
        db.execute(
            sa.text("UPDATE projects SET last_seen_at = :t WHERE code = 'GD-SZ-P-003'"),
            {"t": time.time() - 7200},
        )
    sign_in_as_inspector(page, regulator)
    page.click("header nav button[data-tab=patrol]")
    tiles = page.get_by_test_id("patrol-tile")
    expect(tiles).to_have_count(24)
    expect(page.get_by_test_id("patrol-total")).to_contain_text(
        "共 32 台摄像头（画面过期 1，网关离线 8），第 1/2 页"
    )
    first = tiles.nth(0)
    expect(first).to_contain_text("深圳项目0")
    expect(first).to_contain_text("2 分钟前")
    expect(first.get_by_test_id("patrol-findings")).to_have_text(
        "人员 3，头部 3，未戴安全帽 1，禁入区 卸料平台下方：有人，临边 3F东侧临边：防护完好"
    )
    expect(tiles.nth(1)).to_contain_text("画面过期")
    expect(tiles.nth(1)).to_contain_text("3.0 小时前")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#pt-wall img')].slice(0, 4).every(i => i.naturalWidth === 320)"
    )
    # asking the site for a picture now: the tile says it waits for the site's next poll
    first.get_by_role("button", name="立即抓拍").click()
    expect(first.get_by_test_id("patrol-asked")).to_contain_text("已请求抓拍")
    page.get_by_test_id("patrol-pager").locator("a[data-page='2']").click()
    expect(tiles).to_have_count(8)
    expect(page.locator("#pt-wall .badge.offline")).to_have_count(8)
    expect(tiles.nth(0)).to_contain_text("网关离线")
    page.select_option("#pt-status", "problem")
    page.click("#pt-go")
    expect(tiles).to_have_count(9)
    expect(tiles.nth(0)).to_contain_text("cam-1")
