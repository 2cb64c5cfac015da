"""Listed supervision (挂牌督办, #16 item 5) on a real regulator over HTTP on PostgreSQL: a major hazard of a
南山区 project is listed at county and city level with the plans' deadlines (县级30日, 市级60日) when a
district inspector confirms it; its notices are numbered by their authorities and print as PDFs whose text
is read back (pdfium, the engine of Chrome's viewer) and whose page is not blank; unanswered past its
deadlines it goes up county → city → province, once each, in the audit trail; the site's report through
the gateway's signed rectification endpoint waits for re-inspection; closing (销号) is refused without a
re-inspection, and by anyone below the level it went up to; the province closes it with a photo and a note.
Another district sees none of it. The expected facts (numbers, deadlines, places) are written out here.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pypdfium2
import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from contract.wire import RECTIFICATIONS_PATH
from regulator.access.auth import Accounts
from regulator.cli import serve
from regulator.ledger.supervision import ListingPolicy
from regulator.reports.monthly import figures
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from tests.regulator.support import pg_database, real_jpeg, signed
from tests.regulator.test_jurisdictions import FT, NS, Site, post_event
from tests.regulator.test_review import CHEAP, PASSWORD

DAY = 86400.0
BEIJING = timezone(timedelta(hours=8))
YEAR = datetime.now(BEIJING).year
MAJOR_CLAUSE = "建质规〔2024〕5号 第八条(四) 起重量限制器失效"
USERS = {
    "ns": "广东省/深圳市/南山区",
    "ft": "广东省/深圳市/福田区",
    "sz": "广东省/深圳市",
    "gd": "广东省",
}
SHOT = Path("/tmp/sitegw-notice.png")


@dataclass
class Bureau:
    server: RegulatorServer
    clients: dict[str, httpx.AsyncClient]
    major: int  # the NS project's major hazard
    general: int  # and a general one


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_database() as url:
        yield url


@pytest.fixture
async def bureau(pg_url: str, tmp_path: Path) -> AsyncIterator[Bureau]:
    server = RegulatorServer(pg_url, evidence_dir=tmp_path / "evidence")
    for s in (NS, FT):
        server.repo.add_project(
            s.code, s.name, s.city, s.secret, s.district, "中建某局", supervisor="某监理公司"
        )
    await server.start()
    jpeg = base64.b64encode(real_jpeg("OVERLOAD", (30, 30, 160))).decode()
    await post_event(
        server, NS, alert="limiter", clause=MAJOR_CLAUSE, evidence=jpeg, message="1号塔吊 起重量限制器失效"
    )
    await post_event(server, NS, alert="wind", rule="crane.wind", clause="GB 5144-2006")
    await post_event(server, FT, alert="limiter", clause=MAJOR_CLAUSE)
    clients = {}
    accounts = Accounts(server.repo, CHEAP)
    for user, place in USERS.items():
        accounts.add_user(user, PASSWORD, "regulator", jurisdiction=place)
        clients[user] = httpx.AsyncClient(
            base_url=server.base_url, timeout=30
        )  # a notice typesets in seconds
        r = await clients[user].post("/ui/api/login", json={"username": user, "password": PASSWORD})
        assert r.status_code == 200, r.text
    rows = (await clients["ns"].get("/ui/api/hazards", params={"state": "all"})).json()["hazards"]
    ids = {h["alert_id"]: h["id"] for h in rows}
    yield Bureau(server, clients, ids["limiter"], ids["wind"])
    for c in clients.values():
        await c.aclose()
    await server.stop()


async def ok(r: Any) -> Any:
    response = await r
    assert response.status_code == 200, response.text
    return response.json()


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    document = pypdfium2.PdfDocument(pdf)
    return "".join("".join(page.get_textpage().get_text_range().split()) for page in document)


def day_of(ts: float) -> str:
    return datetime.fromtimestamp(ts, BEIJING).strftime("%Y-%m-%d")


async def gateway_pdf(server: RegulatorServer, site: Site, notice_id: int) -> httpx.Response:
    """A notice's PDF as a project's gateway fetches it (signed GET)."""
    path = f"/api/v1/notices/{notice_id}.pdf"
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        return await client.get(path, headers=signed(path, b"", "GET", site.secret, site.code))


async def report_fix(server: RegulatorServer, alert_id: str) -> httpx.Response:
    """The site's report of the fix, as its gateway sends it (signed, with a photo)."""
    body = json.dumps(
        {
            "project": NS.code,
            "alert_id": alert_id,
            "note": "已更换起重量限制器并复测",
            "photo": base64.b64encode(real_jpeg("FIXED", (30, 160, 30))).decode(),
            "actor": "zhang.an",
        }
    ).encode()
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        return await client.post(
            RECTIFICATIONS_PATH,
            content=body,
            headers=signed(RECTIFICATIONS_PATH, body, project=NS.code, secret=NS.secret),
        )


@pytest.mark.timeout(120)
async def test_a_major_hazard_is_listed_escalated_and_closed_only_after_reinspection(bureau: Bureau) -> None:
    ns, sz, gd, ft = (bureau.clients[u] for u in ("ns", "sz", "gd", "ft"))
    confirmed_at = time.time()
    await ok(ns.post(f"/ui/api/hazards/{bureau.major}/confirm", json={}))
    await ok(ns.post(f"/ui/api/hazards/{bureau.general}/confirm", json={}))
    await ok(ns.post(f"/ui/api/hazards/{bureau.major}/order", json={}))  # listed once, whatever follows

    listings = (await ok(ns.get("/ui/api/listings")))["listings"]
    assert (await ok(ns.get("/ui/api/listings")))["county_days"] == 30
    assert {(x["level"], x["authority"], x["hazard_id"]) for x in listings} == {
        ("district", "广东省/深圳市/南山区", bureau.major),
        ("city", "广东省/深圳市", bureau.major),
    }
    by_level = {x["level"]: x for x in listings}
    assert abs(by_level["district"]["deadline"] - (confirmed_at + 30 * DAY)) < 60
    assert abs(by_level["city"]["deadline"] - (confirmed_at + 60 * DAY)) < 60
    assert by_level["district"]["authority_name"] == "南山区住房和城乡建设局"
    assert [n["number"] for n in by_level["district"]["notices"]] == [f"南山区住建督〔{YEAR}〕1号"]
    assert [n["number"] for n in by_level["city"]["notices"]] == [f"深圳市住建督〔{YEAR}〕1号"]

    # the ledger's 督办 column and filter
    page = await ok(ns.get("/ui/api/hazards", params={"state": "all", "listed": "true"}))
    assert [(h["id"], h["supervision"]) for h in page["hazards"]] == [(bureau.major, "区县级、市级")]
    # the hazard's detail says it as the ledger does (its typed answer has the column too)
    assert (await ok(ns.get(f"/ui/api/hazards/{bureau.major}")))["supervision"] == "区县级、市级"
    assert (await ok(ns.get(f"/ui/api/hazards/{bureau.general}")))["supervision"] == ""
    # a general hazard is not listed by hand; a district inspector does not list at city level
    r = await ns.post(f"/ui/api/hazards/{bureau.general}/listings", json={"level": "district"})
    assert r.status_code == 422 and "一般隐患" in r.json()["error"], r.text
    # another district sees none of it: not the listings, the notice, nor the hazard to list or re-inspect
    assert (await ok(ft.get("/ui/api/listings")))["listings"] == []
    notice_id = by_level["district"]["notices"][0]["id"]
    for r in (
        await ft.get(f"/ui/api/notices/{notice_id}.pdf"),
        await ft.post(f"/ui/api/hazards/{bureau.major}/listings", json={"level": "district"}),
        await ft.post(f"/ui/api/listings/{by_level['district']['id']}/notices", json={"kind": "stop_work"}),
        await ft.post(
            f"/ui/api/hazards/{bureau.major}/reinspect",
            json={"passed": True, "note": "x", "photo": base64.b64encode(real_jpeg("X")).decode()},
        ),
        await gateway_pdf(bureau.server, FT, notice_id),  # another project's gateway
    ):
        assert r.status_code == 404, r.text
    assert (await gateway_pdf(bureau.server, NS, notice_id)).content.startswith(b"%PDF-")

    # the rectification notice, printed
    r = await ns.get(f"/ui/api/notices/{notice_id}.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = pdf_text(r.content)
    for said in (
        "南山区住房和城乡建设局",
        "整改通知书",
        f"南山区住建督〔{YEAR}〕1号",
        NS.name,
        NS.code,
        "中建某局",
        "某监理公司",
        "起重量限制器失效",
        "建质规〔2024〕5号第八条（四）",
        day_of(by_level["district"]["deadline"]),
        "区县级挂牌督办",
    ):
        assert said in text, said
    page_png = pypdfium2.PdfDocument(r.content)[0].render(scale=1.5).to_pil()
    pixels = np.asarray(page_png.convert("L"))
    assert (pixels < 128).mean() > 0.01  # text and the evidence picture, not a blank page
    assert (pixels[int(pixels.shape[0] * 0.55) :] < 100).any()  # ... down the page too
    page_png.save(SHOT)

    # the city orders work stopped: a stop-work order under its listing
    stop = await ok(sz.post(f"/ui/api/listings/{by_level['city']['id']}/notices", json={"kind": "stop_work"}))
    assert stop["number"] == f"深圳市住建停〔{YEAR}〕1号"
    text = pdf_text((await sz.get(stop["pdf_url"])).content)
    assert "停工整改通知书" in text and "深圳市住房和城乡建设局" in text and "立即停止" in text
    r = await ns.post(f"/ui/api/listings/{by_level['city']['id']}/notices", json={"kind": "stop_work"})
    assert r.status_code == 403, r.text  # the district issues none under the city's listing

    # unanswered past 30 days: the county listing goes up to the city; past 60, the city's to the province
    review = bureau.server.review
    review.escalate_overdue(confirmed_at + 31 * DAY)
    assert review.escalate_overdue(confirmed_at + 32 * DAY) == 0  # once
    mine = (await ok(sz.get("/ui/api/listings", params={"escalated_to_me": "true"})))["listings"]
    assert [(x["level"], x["state"], x["handled_by"]) for x in mine] == [
        ("district", "escalated", "广东省/深圳市")
    ]
    assert (await ok(gd.get("/ui/api/listings", params={"escalated_to_me": "true"})))["listings"] == []
    review.escalate_overdue(confirmed_at + 61 * DAY)
    mine = (await ok(gd.get("/ui/api/listings", params={"escalated_to_me": "true"})))["listings"]
    assert [(x["level"], x["escalated_to"]) for x in mine] == [("city", "广东省")]
    trail = (await ok(ns.get(f"/ui/api/hazards/{bureau.major}")))["actions"]
    escalations = [a["reason"] for a in trail if a["action"] == "escalate_listing"]
    assert len(escalations) == 2 and "提级至深圳市住房和城乡建设局督办" in escalations[0], escalations
    assert "提级至广东省住房和城乡建设厅督办" in escalations[1]

    # the site answers through its gateway; closing then needs a re-inspection at the province
    r = await report_fix(bureau.server, "limiter")
    assert r.status_code == 200, r.text
    r = await gd.post(f"/ui/api/hazards/{bureau.major}/close", json={})
    assert r.status_code == 409 and "reinspect" in r.json()["error"], r.text
    photo = base64.b64encode(real_jpeg("REINSPECTED")).decode()
    note = "复查：限制器已更换，试吊合格"
    for user in ("ns", "sz"):  # below the level it went up to
        r = await bureau.clients[user].post(
            f"/ui/api/hazards/{bureau.major}/reinspect", json={"passed": True, "note": note, "photo": photo}
        )
        assert r.status_code == 403 and "广东省" in r.json()["error"], r.text
    r = await gd.post(
        f"/ui/api/hazards/{bureau.major}/reinspect", json={"passed": True, "note": note, "photo": ""}
    )
    assert r.status_code == 422, r.text
    closed = await ok(
        gd.post(
            f"/ui/api/hazards/{bureau.major}/reinspect", json={"passed": True, "note": note, "photo": photo}
        )
    )
    assert (closed["action"], closed["to_state"], closed["actor"]) == ("close", "closed", "gd")
    assert (await ok(ns.get("/ui/api/listings")))["listings"] == []
    done = (await ok(ns.get("/ui/api/listings", params={"state": "closed"})))["listings"]
    assert {(x["level"], x["closed_by"]) for x in done} == {("district", "gd"), ("city", "gd")}
    hazard = await ok(ns.get(f"/ui/api/hazards/{bureau.major}"))
    assert hazard["state"] == "closed"
    assert [e["purpose"] for e in hazard["evidence"]][-2:] == ["rectification", "reinspection"]


@pytest.mark.timeout(60)
async def test_a_listed_hazard_escalates_on_its_listing_deadline_only(bureau: Bureau) -> None:
    """Review #16: a listed hazard ordered rectified (15 days, major) escalated twice, on the order's
    deadline and on its listings'. It follows its listings' deadlines only; a general hazard, not listed,
    still escalates on its order's deadline."""
    ns = bureau.clients["ns"]
    ordered_at = time.time()
    await ok(ns.post(f"/ui/api/hazards/{bureau.major}/order", json={}))  # major: 15 days, listed 30 and 60
    await ok(ns.post(f"/ui/api/hazards/{bureau.general}/order", json={}))  # general: 7 days, not listed
    review = bureau.server.review

    review.escalate_overdue(ordered_at + 16 * DAY)  # past both orders' deadlines, before any listing's
    major = await ok(ns.get(f"/ui/api/hazards/{bureau.major}"))
    general = await ok(ns.get(f"/ui/api/hazards/{bureau.general}"))
    assert [a["action"] for a in major["actions"] if a["action"].startswith("escalate")] == []
    assert major["escalated_at"] is None
    assert [a["action"] for a in general["actions"] if a["action"].startswith("escalate")] == ["escalate"]

    review.escalate_overdue(ordered_at + 31 * DAY)  # past the county listing's deadline
    major = await ok(ns.get(f"/ui/api/hazards/{bureau.major}"))
    assert [a["action"] for a in major["actions"] if a["action"].startswith("escalate")] == [
        "escalate_listing"
    ]


@pytest.mark.timeout(60)
async def test_a_district_listing_by_hand_is_closed_by_the_district(bureau: Bureau) -> None:
    """Listed by hand at county level only (ordered as major without the table): the district closes it."""
    ns = bureau.clients["ns"]
    # the FT alert of a project in another district is FT's; the general NS hazard reclassified major
    await ok(
        ns.post(
            f"/ui/api/hazards/{bureau.general}/reclassify",
            json={"major": True, "article": "第十五条", "item": "（二）", "reason": "大风天气违规吊装"},
        )
    )
    listing = await ok(
        ns.post(f"/ui/api/hazards/{bureau.general}/listings", json={"level": "district", "deadline_days": 10})
    )
    assert listing["deadline"] - listing["listed_at"] == pytest.approx(10 * DAY)
    r = await ns.post(f"/ui/api/hazards/{bureau.general}/listings", json={"level": "district"})
    assert r.status_code == 409, r.text
    r = await ns.post(f"/ui/api/hazards/{bureau.general}/listings", json={"level": "city"})
    assert r.status_code == 403, r.text
    await ok(ns.post(f"/ui/api/hazards/{bureau.general}/order", json={"major": False}))
    assert (await report_fix(bureau.server, "wind")).status_code == 200
    r = await ns.post(
        f"/ui/api/hazards/{bureau.general}/reinspect",
        json={"passed": False, "note": "未整改到位", "photo": ""},
    )
    assert r.status_code == 422, r.text
    photo = base64.b64encode(real_jpeg("CHECK")).decode()
    back = await ok(
        ns.post(
            f"/ui/api/hazards/{bureau.general}/reinspect",
            json={"passed": False, "note": "未整改到位", "photo": photo},
        )
    )
    assert (back["action"], back["to_state"]) == ("reject", "rectifying")
    assert (await report_fix(bureau.server, "wind")).status_code == 200
    closed = await ok(
        ns.post(
            f"/ui/api/hazards/{bureau.general}/reinspect",
            json={"passed": True, "note": "已整改", "photo": photo},
        )
    )
    assert closed["to_state"] == "closed"


@pytest.mark.timeout(60)
async def test_the_listing_deadlines_are_configurable(tmp_path: Path) -> None:
    """`serve --county-listing-days/--city-listing-days` (documented in --help) set the listings' deadlines."""
    app = typer.Typer()
    app.command()(serve)
    # rich draws the help in the terminal's width (COLUMNS): wide enough for every option's name
    help_text = CliRunner().invoke(app, ["--help"], terminal_width=200, env={"COLUMNS": "200"}).output
    assert "--county-listing-days" in help_text and "--city-listing-days" in help_text
    server = RegulatorServer(
        f"sqlite:///{tmp_path}/r.sqlite", evidence_dir=tmp_path / "evidence", listing=ListingPolicy(10, 20)
    )
    server.repo.add_project(NS.code, NS.name, NS.city, NS.secret, NS.district)
    await server.start()
    try:
        await post_event(server, NS, alert="limiter", clause=MAJOR_CLAUSE)
        hazard_id = server.review.hazard_for_alert(NS.code, "limiter")
        assert hazard_id is not None
        before = time.time()
        server.review.act(hazard_id, "confirm", Actor("ns", "regulator", jurisdiction=USERS["ns"]))
        listed = {
            x["level"]: x["deadline"] - before for x in server.supervision.listings(Actor("root", "admin"))
        }
        assert listed == {
            "district": pytest.approx(10 * DAY, abs=60),
            "city": pytest.approx(20 * DAY, abs=60),
        }
    finally:
        await server.stop()


@pytest.mark.timeout(60)
async def test_a_listed_hazard_is_overdue_on_its_listing_deadline_only(bureau: Bureau) -> None:
    """Review #16: a listed hazard past its rectification order's deadline showed as overdue in the queue,
    the overview, risk grading and the monthly report, though it escalates only on its listing's. Everywhere
    it is counted, overdue now reads the listing's deadline for a listed hazard, the order's for another."""
    ns = bureau.clients["ns"]
    await ok(ns.post(f"/ui/api/hazards/{bureau.major}/order", json={}))  # major: 15 days, listed 30 and 60
    await ok(ns.post(f"/ui/api/hazards/{bureau.general}/order", json={}))  # general: 7 days, not listed
    now = time.time()
    with bureau.server.repo.engine.begin() as db:  # both orders' deadlines have passed, the listings' not
        db.execute(sa.text("UPDATE hazards SET deadline = :past"), {"past": now - DAY})

    async def overdue_everywhere() -> list[tuple[str, Any]]:
        """Overdue as the queue's rows and filter, the overview, risk grading and the month's report count it."""
        rows = (await ok(ns.get("/ui/api/hazards", params={"state": "all"})))["hazards"]
        filtered = await ok(ns.get("/ui/api/hazards", params={"state": "all", "overdue": "true"}))
        [project] = (await ok(ns.get("/ui/api/overview")))["projects"]
        [graded] = (await ok(ns.get("/ui/api/risk")))["projects"]
        month = datetime.now(BEIJING).strftime("%Y-%m")
        report = figures(bureau.server.repo, Actor("ns", "regulator", None, USERS["ns"]), month)
        return [
            ("rows", {h["id"] for h in rows if h["overdue"]}),
            ("filter", {h["id"] for h in filtered["hazards"]}),
            ("overview", project["overdue"]),
            ("risk", graded["overdue"]),
            ("report", report.overdue),
        ]

    general = {bureau.general}
    assert await overdue_everywhere() == [
        ("rows", general), ("filter", general), ("overview", 1), ("risk", 1), ("report", 1)
    ]  # fmt: skip
    hazard = await ok(ns.get(f"/ui/api/hazards/{bureau.major}"))  # due on the county listing's 30 days
    assert hazard["due"] > now + 29 * DAY > now > hazard["deadline"]
    with bureau.server.repo.engine.begin() as db:  # the county listing's deadline passes too
        db.execute(
            sa.text("UPDATE listings SET deadline = :past WHERE hazard_id = :h AND level = 'district'"),
            {"past": now - DAY, "h": bureau.major},
        )
    both = {bureau.general, bureau.major}
    assert await overdue_everywhere() == [
        ("rows", both), ("filter", both), ("overview", 2), ("risk", 2), ("report", 2)
    ]  # fmt: skip
