"""The review queue a person can work (#16 item 10), tried as a new user would in real headless Chromium
(Debian's, driven by Playwright): a browser set to English in New York, a gateway's 59 pending hazards
(signed events over HTTP). The queue pages them 50 and 9 with the total and page links; each row shows
the check's Chinese name, the peak and clause of the worst level, the site's own state, and the time as
yyyy-MM-dd HH:mm in the site's time (Beijing); project codes stay on one line; the hazard's readings
have Chinese names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from contract.wire import EVENTS_PATH, READINGS_PATH
from regulator.access.auth import Accounts
from regulator.server import RegulatorServer
from tests.regulator.queue_scenario import HAZARDS, OVERLOAD, scenario
from tests.regulator.support import PROJECT, SECRET, ThreadedRegulator, make_event, own_chromium, signed
from tests.regulator.test_review_ui import CHEAP, PASSWORD, sign_in

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

RULE_ID = re.compile(r"\b(crane|hoist|pit|formwork|personnel|vision|camera|device|sensor)\.[a-z_]+")
METRIC_ID = re.compile(r"\b[a-z]+_(t|m|ms|deg|pct|mm|kn)\b")


@pytest.fixture
def page() -> Iterator[Page]:
    """Chromium for this test only, in English and in New York: what the page shows must not depend on
    the browser's locale or time zone."""
    with own_chromium(
        viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id="America/New_York"
    ) as tab:
        yield tab


@pytest.fixture
def regulator(tmp_path: Path) -> Iterator[RegulatorServer]:
    with ThreadedRegulator(f"sqlite:///{tmp_path}/reg.sqlite") as server:
        server.repo.add_project(PROJECT, "前海示范项目", "深圳", SECRET, "南山区", "中建某局")
        Accounts(server.repo, CHEAP).add_user("li.jian", PASSWORD, "regulator")
        yield server


def post(server: RegulatorServer, path: str, body: bytes) -> None:
    r = httpx.post(server.base_url + path, content=body, headers=signed(path, body), timeout=10)
    assert r.status_code == 200, r.text


def beijing(ts: float) -> str:
    """The time as a Chinese site writes it, worked out with the zone database (not the page's code)."""
    return datetime.fromtimestamp(ts, ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


def test_a_new_regulator_works_a_queue_of_59(regulator: RegulatorServer, page: Page) -> None:
    events = scenario()
    for event in events:
        post(regulator, EVENTS_PATH, event.model_dump_json().encode())
    peak = events[1]
    readings = (
        f'{{"project": "{PROJECT}", "readings": [{{"device": "crane-1", "point": "", "metric": "load_t", '
        f'"ts": {peak.ts}, "value": 3.07, "unit": "t"}}]}}'
    )
    post(regulator, READINGS_PATH, readings.encode())
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    sign_in(page, regulator.base_url + "/", "li.jian")
    rows = page.get_by_test_id("hazard-row")
    expect(rows).to_have_count(50)
    expect(page.get_by_test_id("queue-total")).to_have_text(f"共 {HAZARDS} 条，第 1/2 页")
    table = page.locator("#queue-table")
    assert not RULE_ID.search(table.inner_text()), "a rule id shows in the queue"
    assert "/" not in "".join(page.get_by_test_id("row-time").all_inner_texts())  # no mm/dd/yyyy
    newest = max(events, key=lambda e: (e.level == "critical", e.ts))
    expect(rows.first.get_by_test_id("row-time")).to_have_text(beijing(newest.ts))
    # every project code on one line: an inline box that wraps has a rectangle per line
    lines = page.eval_on_selector_all(
        "[data-testid=row-code]", "els => els.map(e => e.getClientRects().length)"
    )
    assert lines == [1] * 50

    page.locator("#pager a[data-page='2']").first.click()
    expect(rows).to_have_count(9)
    expect(page.get_by_test_id("queue-total")).to_have_text(f"共 {HAZARDS} 条，第 2/2 页")

    # the overload: an alarm (newer hazards of higher level come first), on page 2 with its peak
    load = rows.filter(has=page.get_by_test_id("row-message").filter(has_text="107.7%"))
    expect(load).to_have_count(1)
    expect(load.get_by_test_id("row-peak")).to_have_text("峰值 107.7%（限值 100%）")
    expect(load.get_by_test_id("row-clause")).to_contain_text("100% 报警")
    expect(load.get_by_test_id("row-site")).to_have_text("现场已解除")
    expect(load).to_contain_text("塔吊超载")
    expect(load).not_to_contain_text("32%")
    expect(load.get_by_test_id("row-state")).to_have_text("待审核")
    expect(rows.first.get_by_test_id("row-site")).to_have_text("现场报警中")

    load.click()
    expect(page.get_by_test_id("detail-peak")).to_contain_text("107.7%")
    expect(page.get_by_test_id("reading-metric")).to_have_text("起重量")
    detail = page.locator("#detail").inner_text()
    assert not METRIC_ID.search(detail) and not RULE_ID.search(detail), detail
    assert "firing" not in detail and "resolved" not in detail

    # filters take site time as the page writes it, and say what is wrong with anything else
    page.fill("#f-since", "23/11/2026")
    page.click("#f-go")
    expect(page.get_by_test_id("flash")).to_contain_text("yyyy-MM-dd HH:mm")
    page.fill("#f-since", beijing(events[-1].ts))  # the newest alert's minute: it and any of that minute
    page.click("#f-go")
    minute = int(
        datetime.strptime(beijing(events[-1].ts), "%Y-%m-%d %H:%M")
        .replace(tzinfo=ZoneInfo("Asia/Shanghai"))
        .timestamp()
    )
    total = sum(1 for e in events if e.ts >= minute and e.alert_id != OVERLOAD)
    assert 0 < total < HAZARDS
    expect(page.get_by_test_id("queue-total")).to_have_text(f"共 {total} 条，第 1/1 页")

    # flood control: three warnings the site resolved within the hold are counted on the overview only
    for i in range(3):
        for state in ("firing", "resolved"):
            flap = make_event(
                alert=f"crane-2:crane.wind:{i}", rule="crane.wind", level="warning", state=state
            )
            post(regulator, EVENTS_PATH, flap.model_dump_json().encode())
    page.click("header nav button[data-tab=overview]")
    row = page.get_by_test_id("warning-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("塔吊大风")
    expect(row.locator("td.num").first).to_have_text("3")
    expect(page.locator("#warning-hold")).to_contain_text("10 分钟内解除的预警只计数")
    page.click("header nav button[data-tab=queue]")
    expect(page.get_by_test_id("queue-total")).to_contain_text(f"共 {total} 条")
    with regulator.repo.engine.connect() as db:  # and no new hazard at all
        assert db.execute(sa.text("SELECT COUNT(*) FROM hazards")).scalar() == HAZARDS
    assert errors == []


def test_a_regulator_reclassifies_a_hazard_and_edits_the_table(
    regulator: RegulatorServer, page: Page
) -> None:
    overload = make_event(
        alert="crane-1:crane.load:1", rule="crane.load", level="alarm", clause="GB 5144-2006 §6.1.2"
    )
    post(regulator, EVENTS_PATH, overload.model_dump_json().encode())
    sign_in(page, regulator.base_url + "/", "li.jian")
    row = page.get_by_test_id("hazard-row")
    expect(row.get_by_test_id("row-class")).to_have_text("一般隐患")
    row.click()
    expect(page.get_by_test_id("detail-class")).to_contain_text("无对应条目")
    page.select_option("#r-major", "true")
    page.fill("#r-article", "第八条")
    page.fill("#r-item", "（四）")
    page.click("button[data-do=reclassify]")
    expect(page.get_by_test_id("flash")).to_contain_text("reason")  # the reason is required
    page.fill("#r-reason", "起重量限制器被短接")
    page.click("button[data-do=reclassify]")
    expect(page.get_by_test_id("detail-class")).to_contain_text("重大事故隐患 第八条（四）")
    expect(page.get_by_test_id("detail-class")).to_contain_text("改判：li.jian")
    expect(page.get_by_test_id("trail")).to_contain_text(
        "改判为重大事故隐患 建质规〔2024〕5号 第八条（四）：起重量限制器被短接"
    )
    expect(row.get_by_test_id("row-class")).to_have_text("重大事故隐患 第八条（四）")

    page.click("header nav button[data-tab=classes]")
    seeded = page.get_by_test_id("class-row").filter(has_text="第八条(八)")
    expect(seeded).to_contain_text("群塔未保持安全距离")
    expect(seeded).to_contain_text("重大事故隐患")
    page.fill("#c-rule", "crane.wind")
    page.fill("#c-clause", "13.8 m/s")
    page.select_option("#c-major", "false")
    page.fill("#c-basis", "本地细则：风速报警未吊装时按一般隐患")
    page.click("#c-save")
    added = page.get_by_test_id("class-row").filter(has_text="13.8 m/s")
    expect(added).to_contain_text("塔吊大风")
    expect(added).to_contain_text("一般隐患")
    expect(added).to_contain_text("li.jian")
