"""Which sitegw release each site runs (issue 57 §3), over a real regulator (the embedded SQLite and
PostgreSQL, whose heartbeats take the event loop's path): the gateway's own heartbeat code names its release,
the regulator keeps the last one heard per project and shows it in the projects' list and the overview's
project table (and, in real headless Chromium, on the overview page); a gateway from before the release field
leaves the last one known; a release that is no release is refused, naming the field. The regulator's
/healthz says the release it runs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from contract import __version__
from contract.config.uplinks import RegulatorUplink
from contract.wire import HEARTBEAT_PATH
from gateway.uplinks import heartbeat
from regulator.access.auth import Accounts
from regulator.server import RegulatorServer
from tests.regulator.inspector import CHEAP, PASSWORD, regulator, sign_in_as_inspector  # noqa: F401 (fixture)
from tests.regulator.support import PROJECT, SECRET, ThreadedRegulator, signed
from tests.servers.browser import browser, page  # noqa: F401 (module-scoped Chromium, a page per test)


@pytest.fixture
def server(db_url: str) -> Iterator[RegulatorServer]:
    with ThreadedRegulator(db_url) as s:
        s.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
        Accounts(s.repo, CHEAP).add_user("admin", PASSWORD, "admin")
        yield s


def beat_from_gateway(server: RegulatorServer) -> None:
    """One heartbeat sent by the gateway's own code (gateway/uplinks/heartbeat.py), as `sitegw run` sends it."""

    async def send() -> bool:
        async with httpx.AsyncClient() as client:
            cfg = RegulatorUplink(base_url=server.base_url, secret=SECRET)
            return await heartbeat.send_heartbeat(client, cfg, PROJECT, outbox_depth=0)

    # a thread of its own: Playwright's sync API leaves an event loop marked running in this one
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, send()).result(timeout=30)


def raw_beat(server: RegulatorServer, **fields: Any) -> httpx.Response:
    """A signed heartbeat with exactly ``fields`` besides the project and time (an older or a broken gateway)."""
    body = json.dumps({"project": PROJECT, "ts": 1.0e9, **fields}).encode()
    return httpx.post(
        server.base_url + HEARTBEAT_PATH, content=body, headers=signed(HEARTBEAT_PATH, body), timeout=10
    )


def releases(server: RegulatorServer) -> tuple[str | None, str | None]:
    """The project's gateway release as the projects' list and as the overview's project table say it."""
    with httpx.Client(base_url=server.base_url, timeout=10) as c:
        c.post("/ui/api/login", json={"username": "admin", "password": PASSWORD}).raise_for_status()
        (listed,) = c.get("/ui/api/projects").raise_for_status().json()["projects"]
        overview = c.get("/ui/api/overview", params={"place": "广东省/深圳市/南山区"}).raise_for_status()
    (row,) = overview.json()["projects"]
    return listed["gateway_release"], row["gateway_release"]


def test_the_regulator_shows_the_release_the_gateways_heartbeat_names(
    server: RegulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert releases(server) == (None, None)  # never heard
    beat_from_gateway(server)
    assert releases(server) == (__version__, __version__)
    # the site's gateway upgraded: the next heartbeat says the new release, and it replaces the old one
    monkeypatch.setattr(heartbeat, "__version__", "0.3.0.dev2+g1a2b3c4")
    beat_from_gateway(server)
    assert releases(server) == ("0.3.0.dev2+g1a2b3c4", "0.3.0.dev2+g1a2b3c4")
    # a gateway from before the field says none: the last release heard stays
    assert raw_beat(server, outbox_depth=0).status_code == 200
    assert releases(server) == ("0.3.0.dev2+g1a2b3c4", "0.3.0.dev2+g1a2b3c4")


@pytest.mark.parametrize("release", ["<img src=x onerror=alert(1)>", "0" * 65, ""])
def test_a_release_that_is_no_release_is_refused_naming_the_field(
    server: RegulatorServer, release: str
) -> None:
    answer = raw_beat(server, release=release)
    assert answer.status_code == 422
    assert "release" in answer.text
    assert releases(server) == (None, None)


def test_the_regulators_healthz_says_its_release(server: RegulatorServer) -> None:
    assert httpx.get(server.base_url + "/healthz", timeout=10).json() == {
        "status": "ok",
        "version": __version__,
    }


def test_the_overview_page_shows_each_projects_gateway_release(
    regulator: RegulatorServer,
    page: Page,
) -> None:
    regulator.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
    regulator.repo.add_project("GD-SZ-2026-0002", "未上报项目", "深圳", SECRET, "南山区")
    beat_from_gateway(regulator)
    sign_in_as_inspector(page, regulator)
    page.click("header nav button[data-tab=overview]")
    for place in ("深圳市", "南山区"):  # every project is listed a district down
        page.get_by_test_id("area-row").filter(has_text=place).click()
        expect(page.get_by_test_id("overview-crumbs")).to_contain_text(place)
    heard = page.get_by_test_id("project-row").filter(has_text="示范项目")
    expect(heard.get_by_test_id("gateway-release")).to_have_text(__version__)
    silent = page.get_by_test_id("project-row").filter(has_text="未上报项目")
    expect(silent.get_by_test_id("gateway-release")).to_have_text("—")
