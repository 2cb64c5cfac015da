"""A province user opens a city's hazard's picture at the city by a signed link (issue 50, "the province sees
the cities' work"): a city and its province, each a real `sitegw regulator serve` on its own PostgreSQL
(tests/regulator/chain.py), the city registered at the province with its address (``add-city --url``).

- the hazard's record lists its picture at the province (no bytes), and a province regulator's link opens
  the picture at the city, byte for byte, once; the city's log of the hazard names the user;
- a link expired (410), tampered with (401, wrong signature) or naming another hazard's picture (404, not that
  hazard's) is refused with its reason, and none of them is recorded as a view;
- a clip's link answers byte ranges (206, 416) for one viewing: the browser's address that opened it, until it
  expires, one view kept; another address or the whole clip again is a used link; Chromium plays and seeks it
  from the province's page;
- in Chromium, the province's hazard page links the picture, the page it opens shows it loaded from the city,
  and with the city out of reach says so and offers the link again, not a broken page.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, expect

from contract.wire import CLIPS_PATH
from regulator.forwarding.evidence_links import Link
from regulator.routes.routing import COOKIE
from tests.regulator.chain import CITY_ID, CITY_KEY, CITY_PLACE, Chain, add_city, chain, wait
from tests.regulator.support import make_event, real_webm, signed
from tests.regulator.test_forwarding_city_facts import big_jpeg
from tests.regulator.test_forwarding_screens_ui import signed_in
from tests.servers.browser import browser  # noqa: F401 (module-scoped Chromium)
from tests.support import free_port

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

PICTURES = {"a-crane": big_jpeg("crane"), "a-pit": big_jpeg("pit")}


def register_url(c: Chain, url: str) -> None:
    """The province's add-city again, with the city's address (its key as before)."""
    add_city(c.province.db, "--url", url)


@pytest.fixture(scope="module")
def linked() -> Iterator[Chain]:
    """The chain with the city's address registered, two hazards with a picture each at the province."""
    with chain() as c:
        register_url(c, c.city.url)
        for alert, jpeg in PICTURES.items():
            c.post(make_event(alert, evidence=base64.b64encode(jpeg).decode()))
        wait(
            lambda: len(c.province.rows("SELECT 1 FROM evidence WHERE kind = 'linked'")) == 2,
            "both pictures listed at the province",
            60,
            c,
        )
        yield c


def province_user(c: Chain) -> tuple[httpx.Client, str]:
    """A new regulator of the province (广东省) signed in; the client and the name."""
    return signed_in(c.province, "广东省")


def at_province(c: Chain, alert: str) -> tuple[int, str]:
    """The province's hazard of the city's alert and the SHA-256 of its picture."""
    [(hazard, sha)] = c.province.rows(
        "SELECT h.id, e.sha256 FROM hazards h JOIN evidence e ON e.hazard_id = h.id "
        f"WHERE h.alert_id = '{alert}' AND e.kind = 'linked' AND e.purpose = 'event'"
    )
    return int(hazard), str(sha)


def views(c: Chain) -> list[tuple[str, str, str]]:
    return [
        (str(u), str(r), str(s)) for u, r, s in c.city.rows("SELECT viewer, role, sha256 FROM evidence_views")
    ]


def test_a_province_user_opens_a_city_hazards_picture_through_the_link(linked: Chain) -> None:
    ui, user = province_user(linked)
    hazard, sha = at_province(linked, "a-crane")
    # the province holds the list, not the picture
    assert ui.get(f"/ui/api/evidence/{sha}").status_code == 404
    link = ui.get(f"/ui/api/linked-evidence/{hazard}/{sha}")
    assert link.status_code == 200, link.text
    assert link.json()["url"].startswith(linked.city.url + "/api/v1/linked-evidence/")
    opened = httpx.get(link.json()["url"], timeout=30)
    assert opened.status_code == 200, opened.text
    assert opened.content == PICTURES["a-crane"]
    assert opened.headers["content-type"] == "image/jpeg"
    assert (user, "regulator", sha) in views(linked)
    # the city's hazard page lists the view in the hazard's detail
    city_hazard = int(linked.city.rows("SELECT id FROM hazards WHERE alert_id = 'a-crane'")[0][0])
    [seen] = [v for v in _city_detail(linked, city_hazard)["views"] if v["viewer"] == user]
    assert seen["sha256"] == sha and seen["platform"] == CITY_ID
    # a link opens once
    again = httpx.get(link.json()["url"], timeout=30)
    assert again.status_code == 403 and again.json()["reason_code"] == "link already used"
    # the page's own link: a fresh one each time, 303 to the city
    go = ui.get(f"/ui/api/linked-evidence/{hazard}/{sha}", params={"go": 1})
    assert go.status_code == 303 and go.headers["location"].startswith(linked.city.url)
    assert httpx.get(go.headers["location"], timeout=30).content == PICTURES["a-crane"]


def _city_detail(c: Chain, hazard: int) -> dict[str, object]:
    """The city's hazard detail as a regulator of the city reads it."""
    ui, _ = signed_in(c.city, CITY_PLACE)
    try:
        r = ui.get(f"/ui/api/hazards/{hazard}")
    finally:
        ui.close()
    assert r.status_code == 200, r.text
    detail: dict[str, object] = r.json()
    return detail


def _signed(c: Chain, alert: str) -> tuple[Link, str]:
    """A good link, as the province makes one, to the picture of the city's hazard of ``alert``; its query's
    signature."""
    ui, _ = province_user(c)
    hazard, sha = at_province(c, alert)
    url = ui.get(f"/ui/api/linked-evidence/{hazard}/{sha}").json()["url"]
    ui.close()
    parts = urlsplit(url)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    city_hazard = parts.path.split("/")[-2]
    return Link(q["city"], city_hazard, sha, "jpg", q["user"], q["role"], int(q["expires"]), q["nonce"]), q[
        "sig"
    ]


def test_an_expired_tampered_or_other_hazards_link_is_refused_with_its_reason(linked: Chain) -> None:
    good, sig = _signed(linked, "a-crane")
    other, _ = _signed(linked, "a-pit")
    before = views(linked)
    expired = replace(good, expires=int(time.time()) - 5, nonce=secrets.token_hex(16))
    r = httpx.get(expired.url(linked.city.url, CITY_KEY), timeout=30)
    assert (r.status_code, r.json()["reason_code"]) == (410, "expired"), r.text
    # another user's name under the province's signature of this one
    tampered = (
        replace(good, user="gd.somebody-else")
        .url(linked.city.url, CITY_KEY)
        .replace("sig=" + replace(good, user="gd.somebody-else").signature(CITY_KEY), "sig=" + sig)
    )
    r = httpx.get(tampered, timeout=30)
    assert (r.status_code, r.json()["reason_code"]) == (401, "wrong signature"), r.text
    # signed with a key that is not the link's
    r = httpx.get(good.url(linked.city.url, "a-key-the-province-never-had-0123"), timeout=30)
    assert (r.status_code, r.json()["reason_code"]) == (401, "wrong signature"), r.text
    # a good signature over the pit's hazard naming the crane's picture
    mixed = replace(other, sha256=good.sha256, nonce=secrets.token_hex(16))
    r = httpx.get(mixed.url(linked.city.url, CITY_KEY), timeout=30)
    assert (r.status_code, r.json()["reason_code"]) == (404, "not that hazard's"), r.text
    # the province signs nothing for an object that is not that hazard's
    ui, _ = province_user(linked)
    pit, _ = at_province(linked, "a-pit")
    assert ui.get(f"/ui/api/linked-evidence/{pit}/{good.sha256}").status_code == 404
    assert views(linked) == before
    # the good link still opens (none of the refusals used its nonce)
    assert httpx.get(good.url(linked.city.url, CITY_KEY), timeout=30).content == PICTURES["a-crane"]


def test_the_provinces_hazard_page_shows_the_citys_picture_and_says_when_the_city_is_away(
    linked: Chain,
    browser: Browser,
) -> None:
    ui, user = province_user(linked)
    hazard, sha = at_province(linked, "a-crane")
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.add_cookies([{"name": COOKIE, "value": ui.cookies[COOKIE], "url": linked.province.url}])
    try:
        page = context.new_page()
        page.goto(linked.province.url + "/")
        page.locator(f"[data-testid=hazard-row][data-id='{hazard}']").click()
        anchor = page.get_by_test_id("evidence-linked")
        expect(anchor).to_have_count(1)
        assert anchor.get_attribute("href") == f"/ui/linked-evidence/{hazard}/{sha}"
        with context.expect_page() as opening:
            anchor.click()
        shown = opening.value
        expect(shown.get_by_test_id("linked-opened")).to_have_count(1)
        assert shown.get_by_test_id("linked-object").evaluate("i => i.naturalWidth") == 1280
        assert (user, "regulator", sha) in views(linked)
        # the city out of reach: its address now a port nobody listens on
        register_url(linked, f"http://127.0.0.1:{free_port()}")
        try:
            away = context.new_page()
            away.goto(f"{linked.province.url}/ui/linked-evidence/{hazard}/{sha}")
            expect(away.get_by_test_id("linked-message")).to_contain_text("该平台当前无法访问")
            expect(away.get_by_test_id("linked-again")).to_be_visible()
        finally:
            register_url(linked, linked.city.url)
    finally:
        context.close()
        ui.close()


@pytest.fixture(scope="module")
def clip(linked: Chain, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, bytes]:
    """The camera's clip of the pit's alarm, sent to the city after the alarm's event and listed at the province:
    the province's hazard, the clip's SHA-256 and its bytes."""
    webm = real_webm(tmp_path_factory.mktemp("cam"))
    path = f"{CLIPS_PATH}?alert_id=a-pit"
    sent = httpx.post(
        linked.city.url + path,
        content=webm,
        headers=signed(path, webm) | {"Content-Type": "video/webm"},
        timeout=30,
    )
    assert sent.status_code == 200, sent.text
    wait(
        lambda: (
            linked.province.rows("SELECT 1 FROM evidence WHERE kind = 'linked' AND purpose = 'clip'") != []
        ),
        "the clip listed at the province",
        60,
        linked,
    )
    [(hazard, sha)] = linked.province.rows(
        "SELECT hazard_id, sha256 FROM evidence WHERE kind = 'linked' AND purpose = 'clip'"
    )
    return int(hazard), str(sha), webm


def _clip_link(c: Chain, hazard: int, sha: str) -> tuple[str, str]:
    """A province regulator's link to the clip: its URL and the user's name."""
    ui, user = province_user(c)
    try:
        link = ui.get(f"/ui/api/linked-evidence/{hazard}/{sha}").json()
    finally:
        ui.close()
    assert link["kind"] == "webm" and link["url"].split("?")[0].endswith(f"/{sha}.webm")
    return str(link["url"]), user


def _kept(c: Chain, url: str) -> int:
    """The views the city kept of the link ``url``."""
    nonce = parse_qs(urlsplit(url).query)["nonce"][0]
    return len(c.city.rows(f"SELECT 1 FROM evidence_views WHERE nonce = '{nonce}'"))


def test_a_clip_sent_after_its_alarm_is_listed_and_opens_in_byte_ranges_for_one_viewing(
    linked: Chain, clip: tuple[int, str, bytes]
) -> None:
    """The clip's link answers a <video>'s byte ranges (Safari plays nothing, and no browser seeks, without
    them): the first use binds the link to its browser's address, whose further ranges it answers while the
    link lasts, one view kept; another address, or the whole clip asked again, is a used link."""
    hazard, sha, webm = clip
    url, user = _clip_link(linked, hazard, sha)
    size = len(webm)
    first = httpx.get(url, headers={"Range": "bytes=0-1"}, timeout=30)  # Safari's first ask
    assert first.status_code == 206, (first.status_code, dict(first.headers))
    assert first.headers["content-type"] == "video/webm"
    assert (first.headers["content-range"], first.headers["accept-ranges"]) == (f"bytes 0-1/{size}", "bytes")
    assert first.content == webm[:2]
    # the same viewing's further ranges: the rest, a seek into the middle, the tail where WebM keeps its cues
    for asked, part, where in (
        ("bytes=2-", webm[2:], f"bytes 2-{size - 1}/{size}"),
        (f"bytes={size // 2}-{size // 2 + 99}", webm[size // 2 : size // 2 + 100], None),
        ("bytes=-64", webm[-64:], f"bytes {size - 64}-{size - 1}/{size}"),
    ):
        r = httpx.get(url, headers={"Range": asked}, timeout=30)
        assert r.status_code == 206 and r.content == part, (asked, r.status_code, dict(r.headers))
        assert where is None or r.headers["content-range"] == where
    past = httpx.get(url, headers={"Range": f"bytes={size}-"}, timeout=30)
    assert (past.status_code, past.headers["content-range"]) == (416, f"bytes */{size}")
    # one viewing, one view in the hazard's log
    assert _kept(linked, url) == 1
    assert (user, "regulator", sha) in views(linked)
    # the link copied to someone else (another address) opens nothing, ranges or not
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=30) as other:
        for headers in ({"Range": "bytes=0-"}, {}):
            r = other.get(url, headers=headers)
            assert (r.status_code, r.json()["reason_code"]) == (403, "link already used"), r.text
    # nor the whole clip again from the same browser: a download is no range of the viewing
    again = httpx.get(url, timeout=30)
    assert (again.status_code, again.json()["reason_code"]) == (403, "link already used"), again.text
    assert _kept(linked, url) == 1


def test_a_clip_links_viewing_ends_when_the_link_expires(linked: Chain, clip: tuple[int, str, bytes]) -> None:
    """The ranges of a viewing are answered until the link's expiry, never after it (410 expired)."""
    hazard, sha, webm = clip
    url, _ = _clip_link(linked, hazard, sha)
    parts = urlsplit(url)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    city_hazard = parts.path.split("/")[-2]
    soon = Link(q["city"], city_hazard, sha, "webm", q["user"], q["role"], int(time.time()) + 3, q["nonce"])
    short = soon.url(linked.city.url, CITY_KEY)
    assert httpx.get(short, headers={"Range": "bytes=0-99"}, timeout=30).content == webm[:100]
    time.sleep(max(0.0, soon.expires + 1.2 - time.time()))
    late = httpx.get(short, headers={"Range": "bytes=100-"}, timeout=30)
    assert (late.status_code, late.json()["reason_code"]) == (410, "expired"), late.text


def test_chromium_plays_and_seeks_a_citys_clip_from_the_provinces_page(
    linked: Chain, clip: tuple[int, str, bytes], browser: Browser
) -> None:
    """The province's page loads the clip from the city; Chromium asks for it in byte ranges, gets 206s, plays it
    and seeks to its end; the city keeps one view."""
    hazard, sha, _ = clip
    ui, user = province_user(linked)
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    context.add_cookies([{"name": COOKIE, "value": ui.cookies[COOKIE], "url": linked.province.url}])
    answers: list[tuple[int, str]] = []
    try:
        page = context.new_page()
        page.on(
            "response",
            lambda r: (
                answers.append((r.status, r.request.headers.get("range", "")))
                if "/api/v1/linked-evidence/" in r.url
                else None
            ),
        )
        page.goto(f"{linked.province.url}/ui/linked-evidence/{hazard}/{sha}")
        expect(page.get_by_test_id("linked-opened")).to_have_count(1)
        video = page.get_by_test_id("linked-object")
        played = video.evaluate(
            """async v => {
                 if (!isFinite(v.duration)) await new Promise(ok => v.addEventListener("durationchange", ok, {once: true}));
                 await v.play();
                 const to = v.duration * 0.9;
                 const seeked = new Promise(ok => v.addEventListener("seeked", ok, {once: true}));
                 v.currentTime = to;
                 await seeked;
                 return {duration: v.duration, at: v.currentTime, to, error: v.error && v.error.code,
                         seekable: v.seekable.length ? v.seekable.end(0) : 0};
               }"""
        )
        assert played["error"] is None, played
        assert played["duration"] > 1.5 and abs(played["at"] - played["to"]) < 0.5, played
        assert played["seekable"] > 1.5, played
        assert answers and all(status == 206 for status, _ in answers), answers
        assert all(asked.startswith("bytes=") for _, asked in answers), answers
        assert [u for u, _, s in views(linked) if u == user and s == sha] == [user]
    finally:
        context.close()
        ui.close()
