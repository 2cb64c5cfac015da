"""The regulator's one header and its queue, in real headless Chromium at a desktop's and a phone's width
(1280 and 390 px) against a real regulator service (issue 49 §4):

- every page (the review UI, the map, the grading, the safety logs, the weather warnings, the national
  export) has the same header, its entries the same, in the same order;
- every entry reads on the navy: its colour over the header's is at least 4.5:1 (WCAG AA), no default blue
  underlined link among them;
- 退出 stays on one line;
- the header fits: nothing of the page overflows the window sideways, every entry of the header lies within
  it (on a phone, behind 菜单, which opens them);
- the queue at 1280 and 1400 px shows every column, 督办 and 整改期限 included, none clipped by the
  queue's card.

The defects this pins: 气象预警 and 全国平台报送 default-blue underlined links on the navy, 退出 wrapping onto
two lines, 督办 and 整改期限 clipped at 1400 px, each page a header of its own.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from regulator.access.auth import Accounts
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from tests.regulator.inspector import CHEAP, PASSWORD
from tests.regulator.support import ThreadedRegulator, make_event
from tests.servers.browser import browser  # noqa: F401 (module-scoped Chromium)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

PAGES = (
    "/",
    "/ui/map",
    "/ui/grading",
    "/ui/safety-logs",
    "/warnings",
    "/ui/national-export",
    "/ui/year",
    "/ui/enforcement",
)
WIDTHS = (1280, 390)
WORDY = "1号塔吊 起重量 102.5% 超过额定起重量，司机未按规定减载，已触发声光报警并通知现场安全员"
# the WCAG 2 contrast ratio of two computed colours (rgb()/rgba() strings), in the page itself
CONTRAST = """
(pair) => {
  const lum = (c) => { const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [a, b] = pair.map(lum).sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""
# each entry of the header: its text, colour, underline and box; the header's own background
ENTRIES = """
() => {
  const header = document.querySelector("header");
  if (!header) return {bg: null, entries: []};
  const bg = getComputedStyle(header).backgroundColor;
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  return {bg, entries: [...header.querySelectorAll("nav a, nav button")].filter(shown).map(el => {
    const s = getComputedStyle(el), b = el.getBoundingClientRect();
    const r = document.createRange(); r.selectNodeContents(el);
    const lines = new Set([...r.getClientRects()].map(x => Math.round(x.top))).size;
    return {text: el.textContent.trim(), colour: s.color, line: s.textDecorationLine, left: b.left, right: b.right, lines};
  })};
}
"""


@pytest.fixture(scope="module")
def regulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegulatorServer]:
    """A Shenzhen inspector; a project of a long name with three open hazards, one under rectification."""
    tmp: Path = tmp_path_factory.mktemp("header")
    with ThreadedRegulator(f"sqlite:///{tmp}/reg.sqlite") as server:
        repo = server.repo
        repo.add_project(
            "GD-SZ-2026-0001", "前海自贸区综合交通枢纽上盖物业项目", "深圳", "secret-0001", "南山区"
        )
        for i, (rule, level) in enumerate(
            [("crane.load", "critical"), ("pit.rate", "alarm"), ("vision.no_helmet", "warning")]
        ):
            event = make_event(f"a{i}", project="GD-SZ-2026-0001", rule=rule, level=level, message=WORDY)
            repo.store_event(event, secrets.token_hex(8), 600)
        with repo.engine.connect() as db:
            first = db.exec_driver_sql("SELECT min(id) FROM hazards").scalar_one()
        server.review.act(first, "order", Actor("li.jian", "regulator"), deadline_days=3)
        Accounts(repo, CHEAP).add_user("li.jian", PASSWORD, "regulator", None, "", "广东省/深圳市")
        yield server


def signed_in(browser: Browser, server: RegulatorServer, width: int) -> Page:
    tab = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN").new_page()
    tab.goto(server.base_url + "/")
    tab.fill("#login-user", "li.jian")
    tab.fill("#login-pass", PASSWORD)
    tab.click("#login-btn")
    expect(tab.locator("#who")).to_contain_text("li.jian")
    return tab


def one_line(tab: Page, selector: str) -> tuple[int, float, float]:
    """The lines the element's text takes, its height and its line height."""
    return tab.eval_on_selector(
        selector,
        """el => { const r = document.createRange(); r.selectNodeContents(el);
        const lines = new Set([...r.getClientRects()].map(b => Math.round(b.top))).size;
        const s = getComputedStyle(el);
        return [lines, el.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom), parseFloat(s.lineHeight)]; }""",
    )


@dataclass
class Seen:
    """A page's header at a width, as the user sees it (with 菜单 opened, where there is one)."""

    folded: bool  # the entries hidden until 菜单 opened them
    height: float  # the header's, 菜单 closed
    title_lines: int
    background: str | None  # None: no header
    entries: list[dict[str, Any]]
    contrasts: list[float]
    logout: tuple[int, float, float] | None  # 退出's lines, height and line height (None: no 退出)
    logout_box: tuple[float, float] | None  # its left and right
    page_width: int  # document.scrollingElement.scrollWidth


@pytest.fixture(scope="module")
def headers(regulator: RegulatorServer, browser: Browser) -> dict[tuple[str, int], Seen]:
    """Every page's header at a desktop's and a phone's width."""
    seen: dict[tuple[str, int], Seen] = {}
    for width in WIDTHS:
        tab = signed_in(browser, regulator, width)
        try:
            for path in PAGES:
                tab.goto(regulator.base_url + path)
                tab.wait_for_load_state("networkidle")
                if tab.locator("#who").count():  # the user named: the header as wide as it gets
                    expect(tab.locator("#who")).to_contain_text("li.jian")
                menu = tab.locator("header button", has_text="菜单")
                folded = menu.count() == 1 and menu.is_visible() and tab.locator("header nav").is_hidden()
                # a page without a header: each test of the header fails on it, none of them errs
                has = tab.locator("header").count() == 1
                height = (
                    tab.eval_on_selector("header", "el => el.getBoundingClientRect().height") if has else 0
                )
                title_lines = one_line(tab, "header h1, header strong")[0] if has else 0
                if folded:
                    menu.click()
                found = tab.evaluate(ENTRIES)
                logout = tab.locator("header #logout")
                box = logout.bounding_box() if logout.count() else None
                seen[path, width] = Seen(
                    folded,
                    height,
                    title_lines,
                    found["bg"],
                    found["entries"],
                    [tab.evaluate(CONTRAST, [e["colour"], found["bg"]]) for e in found["entries"]],
                    one_line(tab, "header #logout") if box else None,
                    (box["x"], box["x"] + box["width"]) if box else None,
                    tab.evaluate("() => document.scrollingElement.scrollWidth"),
                )
        finally:
            tab.context.close()
    return seen


def test_every_page_has_the_one_header(headers: dict[tuple[str, int], Seen]) -> None:
    assert all(seen.background for seen in headers.values()), "a page without a header"
    home = [e["text"] for e in headers["/", 1280].entries]
    for name in (
        "审核队列",
        "挂牌督办",
        "项目地图",
        "气象预警",
        "全国平台报送",
        "安全日志与考勤",
        "年度检查",
        "现场检查",
    ):
        assert name in home
    for (path, width), seen in headers.items():
        assert [e["text"] for e in seen.entries] == home, f"{path} at {width} px"


def test_the_headers_links_read_on_the_navy(headers: dict[tuple[str, int], Seen]) -> None:
    for (path, width), seen in headers.items():
        for entry, ratio in zip(seen.entries, seen.contrasts, strict=True):
            where = f"{path} at {width} px: {entry['text']} {entry['colour']} on {seen.background}"
            assert ratio >= 4.5, f"{where}: {ratio:.2f}:1, under WCAG AA's 4.5:1"
            assert entry["line"] == "none", f"{where}: underlined, a browser's default link"


def test_sign_out_stays_on_one_line(headers: dict[tuple[str, int], Seen]) -> None:
    for (path, width), seen in headers.items():
        assert seen.logout, f"{path}: no 退出"
        lines, height, line_height = seen.logout
        assert lines == 1 and height <= line_height * 1.2, f"{path} at {width} px: 退出 on {lines} lines"


def test_the_header_fits_a_desktop_and_a_phone(headers: dict[tuple[str, int], Seen]) -> None:
    wrong = []
    for (path, width), seen in headers.items():
        where = f"{path} at {width} px"
        if seen.page_width > width:
            wrong.append(f"{where}: the page is {seen.page_width} px wide")
        wrong += [
            f"{where}: {e['text']} off the window"
            for e in seen.entries
            if e["left"] < 0 or e["right"] > width
        ]
        if not seen.logout_box or seen.logout_box[0] < 0 or seen.logout_box[1] > width:
            wrong.append(f"{where}: 退出 off the window or missing")
        wrong += [f"{where}: {e['text']} on {e['lines']} lines" for e in seen.entries if e["lines"] != 1]
        if seen.title_lines != 1:
            wrong.append(f"{where}: the title on {seen.title_lines} lines")
        if seen.height > 120:
            wrong.append(f"{where}: the header {seen.height:.0f} px high, more than 120 px of the screen")
        if seen.folded != (width < 800):  # a desktop shows the entries; a phone folds them behind 菜单
            wrong.append(f"{where}: {'folded' if seen.folded else 'not folded behind 菜单'}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("width", (1280, 1400))
def test_the_queue_shows_every_column_at_a_desktops_width(
    regulator: RegulatorServer,
    browser: Browser,
    width: int,
) -> None:
    tab = signed_in(browser, regulator, width)
    try:
        expect(tab.get_by_test_id("hazard-row")).to_have_count(2)  # pending: the queue as it opens
        tab.select_option("#f-state", "open")  # the one under rectification has a deadline: the widest row
        tab.click("#f-go")
        expect(tab.get_by_test_id("hazard-row")).to_have_count(3)
        boxes = tab.eval_on_selector(
            "#queue-table",
            """t => { const card = t.closest(".card").getBoundingClientRect();
            const view = t.parentElement.getBoundingClientRect();
            return [...t.tHead.rows[0].cells].map(c => { const b = c.getBoundingClientRect();
              return [c.textContent, b.left, b.right, Math.min(card.right, view.right, innerWidth),
                      c.scrollWidth <= c.clientWidth]; }); }""",
        )
        names = [name for name, *_ in boxes]
        assert "督办" in names and "整改期限" in names
        for name, left, right, edge, whole in boxes:
            assert left >= 0 and right <= edge + 0.5, (
                f"{name}: {left:.0f}–{right:.0f} px, shown up to {edge:.0f}"
            )
            assert whole, f"{name}: its heading does not fit its column"
        for name in ("督办", "整改期限"):
            lines, _, _ = one_line(tab, f"#queue-table th:nth-child({names.index(name) + 1})")
            assert lines == 1, f"{name} broken onto {lines} lines"
        deadline = tab.get_by_test_id("hazard-row").filter(has_text="整改中").locator("td").last
        box = deadline.bounding_box()
        assert box and box["x"] + box["width"] <= width
        expect(deadline).to_contain_text(":")  # the deadline's time, in view
    finally:
        tab.context.close()


def test_the_old_map_tab_is_gone_and_its_links_open_the_one_map(
    regulator: RegulatorServer,
    browser: Browser,
) -> None:
    tab = signed_in(browser, regulator, 1280)
    try:
        expect(tab.locator("header nav [data-tab=map]")).to_have_count(0)
        expect(tab.locator("#map-svg")).to_have_count(0)
        tab.goto("about:blank")
        tab.goto(regulator.base_url + "/#map")  # a bookmark of the old tab
        tab.wait_for_url("**/ui/map")
        expect(tab.get_by_test_id("leaflet-map")).to_be_visible()
        # the other pages' header leads to the review UI's tabs
        tab.locator("header nav a", has_text="挂牌督办").click()
        expect(tab.locator("#listings")).to_be_visible()
        expect(tab.locator("header nav button[data-tab=listings]")).to_have_class("on")
    finally:
        tab.context.close()
