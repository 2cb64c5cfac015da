"""No value from outside runs as script in the regulator's pages (issue 56 finding 2), in real Chromium.

A regulator is seeded with markup through every channel that writes what its pages show: a gateway's signed
event (its message, clause, unit, value), a city's forwarded records (a project's name and companies, a
hazard's text, a hazard's ``level`` and ``site_state`` that end up in class attributes, an accident and its
report), the public form (site, description, name, contact) and the users themselves (a regulator's reason
in the audit trail, a project's name, an incident's description). Then an admin, who sees everything, opens
every page and every tab, and each hazard's detail. The test fails if any script runs (``window.__pwned``,
an ``alert`` dialog) or if the Content-Security-Policy had to block anything (a value that slipped through as
markup, or a page that still needs inline script).

On main, a city's ``level`` ran its script on the queue's first load (``<span class="lvl ${h.level}">``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Dialog, Page, expect

from contract.wire import EVENTS_PATH, signed_headers
from regulator.access.auth import Accounts
from regulator.forwarding.cities import register
from regulator.forwarding.wire import FORWARD_PATH, Batch, Record
from regulator.ledger import enforcement_records, person_scores
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from tests.regulator.support import (
    PROJECT,
    SECRET,
    ThreadedRegulator,
    make_event,
    own_chromium,
    real_jpeg,
    signed,
)
from tests.regulator.test_forwarding_refusals import hazard

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse 1"
CITY_KEY = "a-city-key-for-the-tests-0123"
# markup that runs script wherever it lands unescaped: in text, in a quoted attribute, in an unquoted one
X = '"\'><img src=x onerror="window.__pwned=1;alert(1)"><svg onload=alert(2)>'
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""
TABS = (
    "queue",
    "listings",
    "patrol",
    "overview",
    "audit",
    "incidents",
    "videoset",
    "coverage",
    "channels",
    "reports",
    "classes",
    "admin",
)
PDF = b"%PDF-1.4\n%%EOF\n"
PAGES = (
    "/ui/map",
    "/ui/grading",
    "/warnings",
    "/ui/national-export",
    "/ui/safety-logs",
    "/ui/year",
    "/ui/enforcement",
)


@pytest.fixture
def regulator(tmp_path: Path) -> Iterator[RegulatorServer]:
    with ThreadedRegulator(f"sqlite:///{tmp_path}/reg.sqlite") as server:
        server.repo.add_project(PROJECT, f"前海项目{X}", "深圳", SECRET, "南山区", f"中建{X}")
        register(server.repo, "SZ", "深圳市平台", "广东省/深圳市", CITY_KEY)
        accounts = Accounts(server.repo, CHEAP)
        accounts.add_user("root", PASSWORD, "admin", display_name=X)
        accounts.add_user("li.jian", PASSWORD, "regulator", display_name=X)
        yield server


def seed(server: RegulatorServer) -> None:
    """Markup through each channel; each must be taken (or, for the enumerations, refused without a 500)."""
    base = server.base_url
    # a gateway's signed event
    event = make_event(alert="crane-1:crane.load:x", level="critical", message=X, clause=X, unit=X, value=X)
    body = event.model_dump_json().encode()
    assert httpx.post(base + EVENTS_PATH, content=body, headers=signed(EVENTS_PATH, body)).status_code == 200

    # a city's records: its text taken as data, its enumerations refused or taken, never a 500
    project = Record(
        seq=1,
        kind="project",
        ref="GD-SZ-1",
        place="广东省/深圳市/南山区",
        row={"name": X, "city": X, "district": X, "contractor": X, "supervisor": X, "created_at": 1.0},
    )
    text: dict[str, Any] = {
        "message": X,
        "clause": X,
        "device": X,
        "point": X,
        "value": X,
        "rule": X,
        "state": "pending",
    }
    now = time.time()
    records = [
        project,
        hazard(ref="11", first_ts=now, last_ts=now, updated_at=now, **text),
        hazard(ref="12", first_ts=now, last_ts=now, updated_at=now, **text, level=X),
        hazard(ref="13", first_ts=now, last_ts=now, updated_at=now, **text, site_state=X),
        Record(
            seq=5,
            kind="incident",
            ref="5",
            row={
                "project": "GD-SZ-1",
                "kind": "accident",
                "occurred_at": now - 600,
                "description": X,
                "recorded_by": X,
                "recorded_at": now,
            },
        ),
        Record(
            seq=6,
            kind="incident_report",
            ref="8",
            row={
                "incident_id": 5,
                "to_level": "county",
                "reported_by": X,
                "reported_at": now,
                "note": X,
                "recorded_by": X,
                "recorded_at": now,
            },
        ),
    ]
    with httpx.Client(base_url=base, timeout=30) as client:
        for rec in records:
            batch = Batch(city="SZ", jurisdiction="广东省/深圳市", records=[rec]).model_dump_json().encode()
            r = client.post(
                FORWARD_PATH, content=batch, headers=signed_headers("SZ", CITY_KEY, FORWARD_PATH, batch)
            )
            assert r.status_code in (200, 422), r.text

        # the public form
        district = client.get("/public/api/districts").json()["districts"][0]
        report = {"district": district, "site": X, "description": X, "reporter": X, "contact": X}
        assert client.post("/public/api/reports", json=report).status_code == 200

    # the users: a regulator's reason in the audit trail, an accident recorded by hand
    with server.repo.engine.connect() as db:
        mine = int(db.exec_driver_sql("SELECT MIN(id) FROM hazards").scalar_one())
    # and a city's hazard stored before the receiver checked its enumerations: the pages escape it all the same
    with server.repo.engine.begin() as db:
        db.exec_driver_sql(
            "UPDATE hazards SET level = ?, site_state = ? WHERE id = (SELECT MAX(id) FROM hazards)",
            (X, X),
        )
        db.exec_driver_sql(  # and a listing of it (its level and state the database itself checks)
            "INSERT INTO listings(hazard_id, project, level, authority, deadline, state, listed_by, listed_at) "
            "SELECT id, project, 'city', ?, ?, 'listed', ?, ? FROM hazards WHERE id = (SELECT MAX(id) FROM hazards)",
            (X, time.time() + 86400, X, time.time()),
        )
    regulator = Actor("li.jian", "regulator")
    server.review.act(mine, "order", regulator, X)
    server.review.act(mine, "report", Actor("gateway:x", "gateway", PROJECT), X, photo=real_jpeg("fixed"))
    server.review.act(mine, "reject", regulator, X)
    # enforcement on record: a public penalty and a person's scores over the threshold, markup in every text
    penalty = enforcement_records.Action(
        "penalty", PROJECT, time.time() - 60, X, "person", X, f"《{X}》第六十二条{X}", X, 1.0, True, PDF
    )
    enforcement_records.record(server.repo, regulator, penalty)
    score = person_scores.Score(PROJECT, X, X, "manager", 12, X, time.time() - 60)
    person_scores.record(server.repo, regulator, score)


def watched(tab: Page) -> list[str]:
    dialogs: list[str] = []

    def dialog(d: Dialog) -> None:
        dialogs.append(d.message)
        d.dismiss()

    tab.on("dialog", dialog)
    tab.add_init_script(WATCH)
    return dialogs


def assert_clean(tab: Page, dialogs: list[str], where: str) -> None:
    tab.wait_for_timeout(300)  # an <img src=x> fails within milliseconds; its onerror would have run
    pwned = tab.evaluate("window.__pwned")
    blocked = tab.evaluate("window.__csp")
    assert not pwned and not dialogs, f"{where}: hostile markup ran as script ({dialogs})"
    assert not blocked, f"{where}: the Content-Security-Policy blocked {blocked}"


def test_no_value_from_any_channel_runs_as_script_on_any_page(regulator: RegulatorServer) -> None:
    seed(regulator)
    with regulator.repo.engine.connect() as db:
        hazards = [r[0] for r in db.exec_driver_sql("SELECT id FROM hazards")]
    assert len(hazards) >= 2
    with own_chromium(viewport={"width": 1400, "height": 1000}, locale="zh-CN") as tab:
        dialogs = watched(tab)
        tab.goto(regulator.base_url + "/")
        tab.fill("#login-user", "root")
        tab.fill("#login-pass", PASSWORD)
        tab.click("#login-btn")
        expect(tab.locator("#who")).to_contain_text("root")
        assert_clean(tab, dialogs, "the queue")
        for name in TABS:
            tab.click(f"header nav button[data-tab={name}]")
            tab.wait_for_load_state("networkidle")
            assert_clean(tab, dialogs, f"the {name} tab")
        for hazard_id in hazards:
            tab.goto("about:blank")  # a new load of the page, which follows its #hazard= link
            tab.goto(f"{regulator.base_url}/#hazard={hazard_id}")
            expect(tab.locator("[data-testid=trail]")).to_be_visible()
            assert_clean(tab, dialogs, f"hazard {hazard_id}")
        # the trail shows the reason as text: escaped, not dropped
        tab.goto("about:blank")
        tab.goto(f"{regulator.base_url}/#hazard={hazards[0]}")
        expect(tab.locator("[data-testid=trail]")).to_contain_text("onerror=")
        for path in PAGES:
            tab.goto(regulator.base_url + path)
            tab.wait_for_load_state("networkidle")
            assert_clean(tab, dialogs, path)
        response = tab.goto(regulator.base_url + "/")
        assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
