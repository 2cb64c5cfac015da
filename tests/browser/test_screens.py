"""What the dashboard says, checked in a real headless Chromium at a desktop's and a phone's width (1280 and
390 px) against `sitegw demo` (issue 49 §2):

- every label of a crane's card names the value it shows: the hook's height is 吊钩高度 / Hook height (it
  moves with the hook, metres below the jib), the jib's height 起重臂高度 / Jib height only where the jib's
  height is shown (the jacking panel, the site file's value);
- the Chinese view has no English words: every Latin word on the page is an id, a unit, a standard's or a
  model's number, each allowed below with its reason;
- no crane label (its name, its hook's height) is drawn over a pit point's label on the site plan.

The defects this pins: the card said 起重臂高度 / jib height over the hook's height (a second ``height`` key in
the page's Chinese and English words won); "学校操场 (school playground)", "OK" and "min" in the Chinese view;
1号塔吊 and 2号塔吊 drawn over ZL-02 and ZQS-06, the hook's height over ZQS-01.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.demo import REPO, Demo

pytestmark = pytest.mark.slow

WIDTHS = [1280, 390]
CARD_LABELS = {  # metric shown -> its label (Chinese, English)
    "load_t": ("起重量", "Load"),
    "radius_m": ("幅度", "Radius"),
    "height_m": ("吊钩高度", "Hook height"),
    "slew_deg": ("回转", "Slew"),
    "operator_id": ("司机", "Operator"),
}
# Latin words the Chinese view may show, and why
ALLOWED = [
    r"[a-z]+(_[a-z]+)*\.[a-z_]+",  # a rule's id (crane.operator): what the regulator and the API call it
    r"(modbus_tcp|modbus_rtu|mqtt|unit|coil)",  # a device's or a siren's wiring, as its site file writes it
    r"(mm|m|kN|kg|t|s|h|d|ppm|mg|mg/m|LEL|m/s|mm/h|mm/d|°|mA|A)",  # mA: a residual current  # units (mg/m³: the ³ is not a Latin letter)
    r"(GB|GB/T|GBZ|JGJ|JGJ/T|DBJ|DBJ/T|T|MAC|PC-TWA|OEL)",  # standards and the limits they name (GBZ 2.1 MAC, PC-TWA; 100%OEL)
    r"[A-Z]{1,4}(-[A-Z0-9]+)+",  # codes: points (ZQS-01), people (OP-1002), the project (GD-SZ-...)
    r"[A-Z]+\d[\w/-]*",  # models and numbers: SC200/200, ZLP800
    r"H/\d+",  # a slope's displacement limit as a fraction of its height (GB 50330-2013 §19.1.6: H/500)
    r"[A-Z]",  # a certificate number's class letter: 粤建安B(2021)0012345
    r"JZ",  # a safety production licence's class: (粤)JZ安许证字[2024]010203 (an 安拆 contractor's, the papers panel)
    r"(EN|PDF)",  # the language switch (to English) and the log's print format
    r"demo",  # the demo's own supervisor, who starts the pour: a user name
    r"papers",  # the site file's key a missing registration tells the site to fill in (站点文件未填写 papers)
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    run = Demo(tmp_path_factory.mktemp("demo"), 0, "--no-cameras")
    try:
        deadline = time.monotonic() + 60  # the alerts the page lists: the scripted ones of the first minute
        while time.monotonic() < deadline:
            rules = {a["rule"] for a in httpx.get(run.url + "api/v1/alerts", timeout=5).json()}
            if {"pit.rate", "crane.operator", "crane.load"} <= rules:
                break
            time.sleep(1)
        yield run
    finally:
        out = run.stop()
        assert "Traceback" not in out, out


def opened(browser: Browser, demo: Demo, width: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(demo.url)
    expect(page.locator("#conn")).to_have_class("ok")
    expect(page.locator("#cranes [data-crane]")).to_have_count(2)
    expect(page.locator('#cranes [data-crane="crane-1"] [data-metric="height_m"]')).to_contain_text(" m")
    expect(page.locator("#plan .hook-height")).to_have_count(2)
    expect(page.locator("#alerts li").first).to_be_visible()
    return page


def card_labels(page: Page, crane: str) -> dict[str, tuple[str, str]]:
    """Each value of ``crane``'s card by its metric: (the label before it, the value's text)."""
    pairs = page.eval_on_selector_all(
        f'#cranes [data-crane="{crane}"] .kv [data-metric]',
        "els => els.map(e => [e.dataset.metric, e.previousElementSibling.textContent, e.textContent])",
    )
    return {m: (label, value) for m, label, value in pairs}


@pytest.mark.parametrize("width", WIDTHS)
def test_every_crane_card_label_names_its_value(browser: Browser, demo: Demo, width: int) -> None:
    jibs = {c["device"]: c["height_m"] for c in httpx.get(demo.url + "api/v1/jacking", timeout=5).json()}
    assert jibs == {"crane-1": 45, "crane-2": 33}  # the site file's jib heights
    page = opened(browser, demo, width)
    try:
        for lang, which in (("zh", 0), ("en", 1)):
            if lang == "en":
                page.click("#lang")
                expect(page.locator("h2[data-i18n=alerts]")).to_have_text("Active alerts")
                expect(page.locator('#cranes [data-crane="crane-1"] .kv span').first).to_have_text("Load")
            for crane, jib in jibs.items():
                shown = card_labels(page, crane)
                assert {m: label for m, (label, _) in shown.items()} == {
                    m: words[which] for m, words in CARD_LABELS.items()
                }
                hook = float(shown["height_m"][1].split()[0])
                assert hook < jib  # the hook hangs below the jib: no "jib height" on a moving value
                # the jib's height is named so where it is shown: the jacking panel, with the site file's value
                jacking = page.locator(f'#jacking [data-jacking="{crane}"] .dim').first
                expect(jacking).to_contain_text(f"{('起重臂高度', 'Jib height')[which]} {jib:g} m")
    finally:
        page.context.close()


def test_each_language_names_each_word_once() -> None:
    # the defect's cause: a second key in one language's words silently replaced the first
    page = (REPO / "gateway" / "api" / "static" / "dashboard.js").read_text(encoding="utf-8")
    for lang in ("zh", "en"):
        block = re.search(rf"\n  {lang}: \{{(.*?)\}}(,\n|\n\}};)", page, re.S)
        assert block is not None, lang
        keys = re.findall(r'(?:^|[{,]\s*)([a-z_0-9]+):"', block[1], re.M)
        assert len(keys) > 100
        assert sorted(k for k in set(keys) if keys.count(k) > 1) == [], lang


@pytest.mark.parametrize("width", WIDTHS)
def test_the_chinese_view_has_no_english_words(browser: Browser, demo: Demo, width: int) -> None:
    page = opened(browser, demo, width)
    try:
        text = page.evaluate("document.body.innerText")
        plan = page.eval_on_selector_all("#plan text", "els => els.map(e => e.textContent).join(' ')")
    finally:
        page.context.close()
    allowed = re.compile("|".join(f"(?:{a})" for a in ALLOWED))
    words = re.findall(r"[A-Za-z][A-Za-z0-9_./°-]*", text + " " + plan)
    english = sorted({w.rstrip(".-") for w in words if not allowed.fullmatch(w.rstrip(".-"))})
    ids = {d["id"] for d in httpx.get(demo.url + "api/v1/site", timeout=5).json()["devices"]}
    english = [w for w in english if w not in ids]  # a device's id (crane-1): what its site file calls it
    assert english == [], " ".join(english)


@pytest.mark.parametrize("width", WIDTHS)
def test_crane_labels_are_not_drawn_over_the_pit_points_labels(
    browser: Browser, demo: Demo, width: int
) -> None:
    page = opened(browser, demo, width)
    try:
        page.wait_for_timeout(2000)  # a few of the hook's moves
        boxes = page.evaluate(
            """() => {
              const box = e => { const r = e.getBoundingClientRect(); return [e.textContent, r.left, r.top, r.right, r.bottom]; };
              return {cranes: [...document.querySelectorAll('#plan .crane-name, #plan .hook-height')].map(box),
                      points: [...document.querySelectorAll('#plan .pit-point text')].map(box)};
            }"""
        )
    finally:
        page.context.close()
    assert len(boxes["cranes"]) == 4 and len(boxes["points"]) == 13
    over = [
        (c[0], p[0])
        for c in boxes["cranes"]
        for p in boxes["points"]
        if c[1] < p[3] and p[1] < c[3] and c[2] < p[4] and p[2] < c[4]
    ]
    assert over == [], over
