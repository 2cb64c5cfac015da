"""The forwarding page (/forwarding) in real headless Chromium under the regulator's strict CSP (issue 50 §3):
an admin sees the record the province refused for good with its reason and what to do, releases it with the
button (queued again for the province), and the cities forwarding to this platform with what they sent."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from regulator.access.auth import Accounts
from regulator.server import RegulatorServer
from tests.regulator.support import ThreadedRegulator, own_chromium
from tests.regulator.test_review_ui import CHEAP, PASSWORD, sign_in

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

MISPLACED = "GD-GZ-2026-0009"


@pytest.fixture
def page() -> Iterator[Page]:
    with own_chromium(viewport={"width": 1400, "height": 1000}, locale="zh-CN") as tab:
        yield tab


def link(
    db: sa.Connection, now: float, up: tuple[str, str, str | None], reason: str, child: tuple[str, ...]
) -> None:
    """This platform's link up (the URL, its id there, its own place) as a forwarder leaves it, one record
    set aside for ``reason``, and one platform below forwarding here (id, name, place, backlog)."""
    db.execute(
        sa.text(
            "INSERT INTO forward_state(id, province_url, city_id, since, contact_at, jurisdiction) "
            "VALUES (1, :url, :id, :now, :now, :place)"
        ),
        {"url": up[0], "id": up[1], "place": up[2], "now": now},
    )
    db.execute(
        sa.text(
            "INSERT INTO forward_quarantine(kind, ref, project, seq, code, reason, first_at, last_at) "
            "VALUES ('project', :p, :p, 5, 'place', :why, :now, :now)"
        ),
        {"p": MISPLACED, "why": reason, "now": now},
    )
    db.execute(
        sa.text(
            "INSERT INTO forward_cities(id, name, jurisdiction, secret, created_at, last_seen_at, backlog) "
            "VALUES (:id, :name, :place, 'k', :now, :now, :backlog)"
        ),
        {"id": child[0], "name": child[1], "place": child[2], "backlog": int(child[3]), "now": now},
    )


@pytest.fixture
def regulator(tmp_path: Path) -> Iterator[RegulatorServer]:
    """A platform that forwards to a province (its link's state as a forwarder leaves it, one record set
    aside) and to which city FS forwards (one record refused)."""
    with ThreadedRegulator(f"sqlite:///{tmp_path}/reg.sqlite", evidence_dir=tmp_path / "evidence") as server:
        Accounts(server.repo, CHEAP).add_user("root", PASSWORD, "admin")
        now = time.time()
        with server.repo.engine.begin() as db:
            link(
                db,
                now,
                ("https://province.example", "SZ", None),
                "lies in 广东省/广州市/天河区, not under the city's place 广东省/深圳市",
                ("FS", "佛山市平台", "广东省/佛山市", "12"),
            )
            db.execute(
                sa.text(
                    "INSERT INTO forward_refusals(origin, kind, ref, code, reason, first_at, last_at) "
                    "VALUES ('FS', 'hazard', '77', 'schema', 'records.0.row.level not as the contract allows', "
                    ":now, :now)"
                ),
                {"now": now},
            )
        yield server


def test_an_admin_sees_the_record_set_aside_and_releases_it(regulator: RegulatorServer, page: Page) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, regulator.base_url + "/", "root")
    page.goto(regulator.base_url + "/forwarding")
    row = page.get_by_test_id("held-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(MISPLACED)
    expect(row).to_contain_text("重新登记项目的市、区")  # what to do, Chinese first
    expect(row).to_contain_text("not under the city's place")
    expect(page.get_by_test_id("forwarding-backlog")).to_have_text("0")
    city = page.get_by_test_id("city-row")
    expect(city).to_contain_text("佛山市平台")
    expect(city).to_contain_text("12")
    expect(city).to_contain_text("hazard 77 · schema")

    row.get_by_role("button").click()
    expect(page.get_by_test_id("forwarding-msg")).to_contain_text("1")
    expect(page.get_by_test_id("held-row")).to_have_count(0)
    expect(page.get_by_test_id("forwarding-backlog")).to_have_text("1")  # queued again for the province
    with regulator.repo.engine.connect() as db:
        assert db.execute(sa.text("SELECT kind, ref FROM forward_outbox")).all() == [("project", MISPLACED)]
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.fixture
def district(tmp_path: Path) -> Iterator[RegulatorServer]:
    """A district's platform (南山区) forwarding to its city, one record set aside; and, on the same page, a
    district forwarding to this platform (its row below)."""
    with ThreadedRegulator(f"sqlite:///{tmp_path}/reg.sqlite", evidence_dir=tmp_path / "evidence") as server:
        Accounts(server.repo, CHEAP).add_user("root", PASSWORD, "admin")
        with server.repo.engine.begin() as db:
            link(
                db,
                time.time(),
                ("https://sz.example", "NS", "广东省/深圳市/南山区"),
                "not under the city's place",
                ("FT", "福田区平台", "广东省/深圳市/福田区", "0"),
            )
        yield server


def test_a_districts_page_names_its_city_not_the_province(district: RegulatorServer, page: Page) -> None:
    """Issue 50 §5: the page said 向省级平台转报 at every level; a district forwards to its city."""
    sign_in(page, district.base_url + "/", "root")
    page.goto(district.base_url + "/forwarding")
    expect(page.get_by_test_id("forwarding-up-title")).to_have_text("向市级平台转报 · To the city")
    up = page.get_by_test_id("forwarding-up")
    expect(up).not_to_contain_text("省级")
    expect(up).not_to_contain_text("province")
    expect(page.get_by_test_id("held-row")).to_contain_text("在本区县平台重新登记项目的市、区")
    expect(page.get_by_test_id("forwarding-down-title")).to_contain_text("向本平台转报的区县级平台")
    # the city's page, on its link's place, names the province
    with district.repo.engine.begin() as db:
        db.execute(sa.text("UPDATE forward_state SET jurisdiction = '广东省/深圳市'"))
    page.reload()
    expect(page.get_by_test_id("forwarding-up-title")).to_have_text("向省级平台转报 · To the province")


def test_the_page_shows_each_citys_link_through_address(
    regulator: RegulatorServer, page: Page, tmp_path: Path
) -> None:
    """The province's users open a city's hazards' pictures and clips at the address `add-city --url` set: the
    page shows it for each city, and says so where none is set (the province's hazard page can link nothing
    there), with the command that sets it."""
    url = "https://zh.example/city/"
    add = ["add-city", "ZH", "--jurisdiction", "广东省/珠海市", "--name", "珠海市平台", "--url", url]
    where = ["--secret", "zh-" + "k" * 40, "--db", f"sqlite:///{tmp_path}/reg.sqlite"]
    subprocess.run(
        [sys.executable, "-m", "sitegw.cli", "regulator", *add, *where],
        check=True,
        timeout=60,
    )
    sign_in(page, regulator.base_url + "/", "root")
    page.goto(regulator.base_url + "/forwarding")
    zh = page.locator("[data-testid=city-row][data-city=ZH]").get_by_test_id("city-url")
    expect(zh).to_contain_text(url)
    expect(zh).to_contain_text("已配置")
    assert zh.get_attribute("data-linked") == "true"
    fs = page.locator("[data-testid=city-row][data-city=FS]").get_by_test_id("city-url")
    expect(fs).to_contain_text("未登记")
    expect(fs).to_contain_text("sitegw regulator add-city FS --url")
    assert fs.get_attribute("data-linked") == "false"
