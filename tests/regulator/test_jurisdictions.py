"""Jurisdictions (#16 item 1) on real PostgreSQL (and the embedded SQLite) over real HTTP: four projects in two provinces, three cities
and four districts, and regulator users at each level (the top, a province, two cities, two districts).
Each sees exactly the projects below their place in every place the UI reads the ledger (the queue and its
search filters, a hazard, its pictures, the overview and map, the warning counters, the projects list,
the audit trail); acting on another place's hazard answers 404 as if it did not exist and changes
nothing. The sets each user should see are written out here from the places, not asked of the code.
The exports and the monthly report (#16 item 9) read through the same scope: tests/regulator/test_exports.py.

Also: the CLI gives a user a place and names the fix for an unknown one; the migration places the
projects of a 0007 database and keeps its users seeing everything; a scoped query that forgets the
scope is refused."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from contract.wire import EVENTS_PATH, PICTURES_PATH, CameraPicture
from regulator.access.auth import Accounts
from regulator.cli import add_place, add_project, add_user
from regulator.server import RegulatorServer
from regulator.storage.db import create_engine, migrate
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor, ScopeError
from tests.regulator.support import make_event, pg_database, real_jpeg, signed
from tests.regulator.test_review import CHEAP, PASSWORD


@dataclass(frozen=True)
class Site:
    """A project of the test and where it is."""

    code: str
    name: str
    city: str
    district: str
    secret: str
    province: str = ""


NS = Site("GD-SZ-NS-01", "南山某项目", "深圳", "南山区", "secret-ns-00000001")
FT = Site("GD-SZ-FT-01", "福田某项目", "深圳", "福田区", "secret-ft-00000001")
TH = Site("GD-GZ-TH-01", "天河某项目", "广州", "天河区", "secret-th-00000001")
QX = Site("GX-NN-QX-01", "青秀某项目", "南宁", "青秀区", "secret-qx-00000001", province="广西壮族自治区")
SITES = (NS, FT, TH, QX)
ALL = {s.code for s in SITES}

# user -> (role, jurisdiction as an operator would type it, the projects they must see)
USERS: dict[str, tuple[str, str | None, set[str]]] = {
    "root": ("admin", None, ALL),
    "old.hand": ("regulator", None, ALL),  # a regulator from before jurisdictions
    "gd": ("regulator", "广东省", {NS.code, FT.code, TH.code}),
    "sz": ("regulator", "广东/深圳", {NS.code, FT.code}),
    "gz": ("regulator", "广东省/广州市", {TH.code}),
    "ns": ("regulator", "广东省/深圳市/南山区", {NS.code}),
    "ft": ("regulator", "广东省/深圳市/福田区", {FT.code}),
}


@dataclass
class Bureau:
    """The regulator, a signed-in client per user, and each project's alarm hazard id."""

    server: RegulatorServer
    clients: dict[str, httpx.AsyncClient]
    hazard: dict[str, int]
    picture: dict[str, str]


async def post_event(server: RegulatorServer, site: Site, **fields: Any) -> None:
    event = make_event(project=site.code, **fields)
    body = event.model_dump_json().encode()
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        r = await client.post(
            EVENTS_PATH,
            content=body,
            headers=signed(EVENTS_PATH, body, project=site.code, secret=site.secret),
        )
    assert r.status_code == 200, r.text


async def post_picture(server: RegulatorServer, site: Site, jpeg: str) -> None:
    body = CameraPicture(
        project=site.code, camera="cam-gate", taken_at=time.time(), jpeg=jpeg
    ).model_dump_json()
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        r = await client.post(
            PICTURES_PATH,
            content=body.encode(),
            headers=signed(PICTURES_PATH, body.encode(), project=site.code, secret=site.secret),
        )
    assert r.status_code == 200, r.text


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_database() as url:
        yield url


@pytest.fixture
async def bureau(db_url: str, tmp_path: Path) -> AsyncIterator[Bureau]:
    """PostgreSQL as a bureau runs it, and the embedded SQLite, which must scope the same."""
    server = RegulatorServer(db_url, evidence_dir=tmp_path / "evidence")
    for s in SITES:
        server.repo.add_project(s.code, s.name, s.city, s.secret, s.district, "某建设集团", s.province)
    await server.start()
    now = 1_800_000_000.0
    for s in SITES:
        jpeg = base64.b64encode(real_jpeg(s.code)).decode()
        await post_event(server, s, alert="load", evidence=jpeg, ts=now)
        # a warning the site resolved at once (counted), and one still open (held)
        await post_event(server, s, alert="gust", rule="crane.wind", level="warning", ts=now)
        await post_event(
            server, s, alert="gust", rule="crane.wind", level="warning", state="resolved", ts=now + 5
        )
        await post_event(server, s, alert="breeze", rule="crane.wind", level="warning", ts=now)
        # the camera patrol's latest picture of the site's gate camera
        await post_picture(server, s, jpeg)
    clients: dict[str, httpx.AsyncClient] = {}
    accounts = Accounts(server.repo, CHEAP)
    for user, (role, place, _) in USERS.items():
        accounts.add_user(user, PASSWORD, role, jurisdiction=place)
        clients[user] = httpx.AsyncClient(base_url=server.base_url)
        r = await clients[user].post("/ui/api/login", json={"username": user, "password": PASSWORD})
        assert r.status_code == 200, r.text
    root = clients["root"]
    found = (await root.get("/ui/api/hazards", params={"state": "all"})).json()["hazards"]
    hazard = {h["project"]: h["id"] for h in found}
    assert set(hazard) == ALL
    picture = {}
    for code, hazard_id in hazard.items():
        detail = (await root.get(f"/ui/api/hazards/{hazard_id}")).json()
        picture[code] = detail["evidence"][0]["sha256"]
        r = await root.post(f"/ui/api/hazards/{hazard_id}/confirm", json={})
        assert r.status_code == 200, r.text  # an action per project for the audit trail
    yield Bureau(server, clients, hazard, picture)
    for c in clients.values():
        await c.aclose()
    await server.stop()


async def get(client: httpx.AsyncClient, path: str, **params: Any) -> Any:
    r = await client.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.timeout(300)
async def test_each_level_sees_exactly_the_projects_below_it_everywhere(bureau: Bureau) -> None:
    for user, (_, place, sees) in USERS.items():
        client = bureau.clients[user]
        me = await get(client, "/ui/api/me")
        assert (me["jurisdiction"] is None) == (place is None), (user, me)
        page = await get(client, "/ui/api/hazards", state="all")
        assert {h["project"] for h in page["hazards"]} == sees, user
        assert page["total"] == len(sees), user
        for code, hazard_id in bureau.hazard.items():
            r = await client.get(f"/ui/api/hazards/{hazard_id}")
            assert r.status_code == (200 if code in sees else 404), (user, code, r.text)
            r = await client.get(f"/ui/api/evidence/{bureau.picture[code]}")
            assert r.status_code == (200 if code in sees else 404), (user, code)
            if code not in sees:
                assert code not in r.text
            # the search: another place's project by its code finds nothing, one's own finds it
            found = await get(client, "/ui/api/hazards", state="all", project=code)
            assert found["total"] == (1 if code in sees else 0), (user, code)
        for city, codes in (("深圳", {NS.code, FT.code}), ("广州", {TH.code})):
            found = await get(client, "/ui/api/hazards", state="all", city=city)
            assert {h["project"] for h in found["hazards"]} == codes & sees, (user, city)
        overview = await get(client, "/ui/api/overview")
        assert sum(a["projects"] for a in overview["areas"]) == len(sees) or overview["by"] == "project"
        assert sum(r["open"] for r in overview["rules"]) == len(sees), user  # one open alarm each
        assert await drilled(client, "") == sees, user
        warnings = await get(client, "/ui/api/warnings")
        assert {c["project"] for c in warnings["counts"]} == sees, user
        assert warnings["held_now"] == len(sees), user
        projects = await get(client, "/ui/api/projects")
        assert {p["code"] for p in projects["projects"]} == sees, user
        audit = await get(client, "/ui/api/audit")
        assert {a["project"] for a in audit["actions"]} == sees, user


async def drilled(client: httpx.AsyncClient, place: str) -> set[str]:
    """The projects found by opening the overview's areas from ``place`` down to each district's projects
    (its area rows, as the UI's drill-down opens them)."""
    overview = await get(client, "/ui/api/overview", place=place)
    if overview["by"] == "project":
        return {p["code"] for p in overview["projects"]}
    found = set()
    for area in overview["areas"]:
        below = await drilled(client, area["path"])
        assert len(below) == area["projects"], area
        found |= below
    return found


# user -> places they may open (one level below theirs: the overview's areas) and places they may not
DRILLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ns": ((), ("广东省/深圳市/福田区", "广东省/深圳市", "广东省", "广东省/广州市/天河区")),
    "sz": (("广东省/深圳市/南山区", "广东/深圳"), ("广东省/广州市", "广东省/广州市/天河区", "广东省")),
    "gd": (("广东省/广州市", "广东省/深圳市/福田区"), ("广西壮族自治区", "广西壮族自治区/南宁市")),
}


async def test_the_overview_opens_only_places_under_the_users_own(bureau: Bureau) -> None:
    """A district inspector asking for another district's, their city's or another city's overview, and a
    city's for another city's or one of its districts, are answered 404 as the monthly report's place is:
    nothing of it comes back. Their own places open, with the way back up to their own."""
    for user, (may, may_not) in DRILLS.items():
        client = bureau.clients[user]
        for place in may_not:
            r = await client.get("/ui/api/overview", params={"place": place})
            assert r.status_code == 404, (user, place, r.text)
            assert all(code not in r.text for code in ALL), (user, place)
        home = (await get(client, "/ui/api/me"))["jurisdiction"]
        for place in may:
            opened = await get(client, "/ui/api/overview", place=place)
            assert opened["trail"][0]["path"] == home, opened["trail"]
            assert opened["trail"][-1]["path"] == opened["place"]["path"]
    opened = await get(bureau.clients["sz"], "/ui/api/overview", place="广东省/深圳市/南山区")
    assert opened["by"] == "project" and [p["code"] for p in opened["projects"]] == [NS.code]
    assert [t["name"] for t in opened["trail"]] == ["深圳市", "南山区"]


async def test_no_ui_endpoint_shows_a_district_anothers_projects(bureau: Bureau) -> None:
    """Every GET of the UI's API the service documents, a new one included, asked by a district inspector
    for another district's hazard and picture: nothing of the other projects comes back."""
    client = bureau.clients["ns"]
    spec = await get(client, "/openapi.json")
    paths = [p for p, ops in spec["paths"].items() if p.startswith("/ui/api/") and "get" in ops]
    assert "/ui/api/hazards/{hazard_id}" in paths and "/ui/api/overview" in paths
    # the other district's hazard listed for supervision (挂牌督办), with its notice
    theirs, root = bureau.hazard[FT.code], bureau.clients["root"]
    major = {"major": True, "article": "第八条", "item": "（四）", "reason": "限制器失效"}
    assert (await root.post(f"/ui/api/hazards/{theirs}/reclassify", json=major)).status_code == 200
    listed = await root.post(f"/ui/api/hazards/{theirs}/listings", json={"level": "district"})
    assert listed.status_code == 200, listed.text
    # a public report from Futian, naming the project (regulator/channels/public.py): Futian's to check
    sent = await client.post(
        "/public/api/reports",
        json={"district": "广东省/深圳市/福田区", "site": FT.name, "description": f"{FT.code} 塔吊大风吊装"},
    )
    assert sent.status_code == 200, sent.text
    # a Futian inspector's patrol of Futian's project (regulator/ledger/patrol_duty.py)
    ft = bureau.clients["ft"]
    patrol = (await ft.post("/ui/api/patrols")).json()
    seen = {"project": FT.code, "camera": "cam-gate", "finding": f"{FT.name} 塔吊"}
    assert (await ft.post(f"/ui/api/patrols/{patrol['id']}/sightings", json=seen)).status_code == 200
    # a Futian regulator's gale warning for Futian (regulator/ledger/weather_warnings.py)
    gale = await ft.post("/ui/api/weather-warnings", json={"type": "gale", "colour": "yellow"})
    assert gale.status_code == 200, gale.text
    # a Futian regulator's package for the national platform (regulator/reports/national_export.py)
    today = date.today()
    period = {"from": str(today - timedelta(days=190)), "to": str(today + timedelta(days=190))}
    package = await ft.get("/ui/api/exports/national.zip", params=period)
    assert package.status_code == 200, package.text
    # a Futian regulator's round, its inspection of Futian's project, a 双随机 draw over Futian
    # (regulator/inspections/), and a penalty with its decision document (regulator/ledger/enforcement_records.py)
    year = "/ui/api/inspections"
    due = str(today + timedelta(days=30))
    plan = await ft.post(f"{year}/plans", json={"kind": "round", "title": "福田第一轮", "due": due})
    assert plan.status_code == 200, plan.text
    inspected = await ft.post(f"{year}/plans/{plan.json()['id']}/records", json={"project": FT.code})
    assert inspected.status_code == 200, inspected.text
    # the same inspection from a Futian inspector's phone (regulator/inspections/on_site.py), with a photo
    shot = {"jpeg": base64.b64encode(real_jpeg(FT.code)).decode(), "taken_at": time.time()}
    assert (await ft.put(f"{year}/photos/futian-photo-1", json=shot)).status_code == 200
    visit = {"project": FT.code, "inspected_at": time.time(), "note": FT.name, "photos": ["futian-photo-1"]}
    on_site = await ft.put(f"{year}/plans/{plan.json()['id']}/on-site/futian-visit-1", json=visit)
    assert on_site.status_code == 200, on_site.text
    for kind, members in (("inspector", ["ft"]), ("project", [FT.code])):
        pooled = await ft.post(f"{year}/pools/福田池", json={"kind": kind, "members": members})
        assert pooled.status_code == 200, pooled.text
    draw = {"title": "福田双随机", "inspector_pool": "福田池", "project_pool": "福田池", "projects": 1}
    drawn = await ft.post(f"{year}/draws", json=draw | {"per_project": 1, "due": due})
    assert drawn.status_code == 200, drawn.text
    fine = {
        "kind": "penalty",
        "project": FT.code,
        "happened_at": time.time() - 86_400,
        "party": "福田某建设集团",
        "case_number": "深福建罚〔2026〕3号",
        "article": "《建设工程安全生产管理条例》第六十二条",
        "amount": 20_000,
        "reason": f"{FT.name} 未配备专职安全生产管理人员",
        "document": base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode(),
    }
    fined = await ft.post("/ui/api/enforcement/actions", json=fine)
    assert fined.status_code == 200, fined.text
    fill = {
        "{package_id}": package.headers["X-Package-Id"],
        "{warning_id}": str(gale.json()["id"]),
        "{patrol_id}": str(patrol["id"]),
        "{report_id}": str(sent.json()["id"]),
        "{hazard_id}": str(theirs),
        "{sha256}": bureau.picture[FT.code],
        "{project}": FT.code,
        "{camera}": "cam-gate",
        "{notice_id}": str(listed.json()["notices"][0]["id"]),
        "{plan_id}": str(plan.json()["id"]),
        "{pool}": "福田池",
        "{draw_id}": str(drawn.json()["id"]),
        "{action_id}": str(fined.json()["id"]),
        "{record_id}": str(on_site.json()["id"]),
    }
    for path in paths:
        for key, value in fill.items():
            path = path.replace(key, value)
        assert "{" not in path, f"{path}: a path parameter this test does not know how to fill"
        params = {"/ui/api/hazards": {"state": "all"}, "/ui/api/exports/national.zip": period}.get(path)
        r = await client.get(path, params=params)
        assert r.status_code in (200, 403, 404), (path, r.text)  # 403: an admin's (the sign-in audit trail)
        for other in (FT, TH, QX):
            assert other.code not in r.text and other.name not in r.text, (path, other.code)
        if path in ("/ui/api/hazards", "/ui/api/patrol"):
            assert NS.code in r.text  # the inspector's own project is there: the check above can fail


async def test_the_patrol_wall_shows_each_user_the_cameras_of_their_place(bureau: Bureau) -> None:
    for user, (_, _, expected) in USERS.items():
        wall = await get(bureau.clients[user], "/ui/api/patrol")
        assert {t["project"] for t in wall["tiles"]} == expected and wall["total"] == len(expected), user


async def test_projects_sit_in_the_chain_their_city_and_district_name(bureau: Bureau) -> None:
    projects = (await get(bureau.clients["root"], "/ui/api/projects"))["projects"]
    assert {p["code"]: p["jurisdiction"] for p in projects} == {
        NS.code: "广东省/深圳市/南山区",
        FT.code: "广东省/深圳市/福田区",
        TH.code: "广东省/广州市/天河区",
        QX.code: "广西壮族自治区/南宁市/青秀区",
    }


async def test_projects_come_a_page_at_a_time_by_code_with_their_total(bureau: Bureau) -> None:
    """A province's projects are thousands: the list pages them, by code, each page saying how many match in
    all; a search by code or name, in any case, narrows them (a literal ``%`` or ``_`` matches only itself), within the
    user's scope."""
    root, gd = bureau.clients["root"], bureau.clients["gd"]
    first = await get(root, "/ui/api/projects", page=1, page_size=3)
    second = await get(root, "/ui/api/projects", page=2, page_size=3)
    assert [p["code"] for p in first["projects"] + second["projects"]] == sorted(ALL)
    assert (first["total"], first["pages"], len(first["projects"]), second["page"]) == (4, 2, 3, 2)
    assert (await get(root, "/ui/api/projects", page=3, page_size=3))["projects"] == []
    found = await get(gd, "/ui/api/projects", q="某项目")  # every project's name holds it: gd's three
    assert ({p["code"] for p in found["projects"]}, found["total"]) == ({NS.code, FT.code, TH.code}, 3)
    assert [p["code"] for p in (await get(gd, "/ui/api/projects", q="sz-ft"))["projects"]] == [FT.code]
    assert (await get(gd, "/ui/api/projects", q="GX-NN"))["total"] == 0  # Guangxi is not gd's
    assert (await get(root, "/ui/api/projects", q="GD_SZ"))["total"] == 0  # not a wildcard
    assert (await get(root, "/ui/api/projects", q="%"))["total"] == 0


@pytest.mark.timeout(300)
async def test_acting_on_another_places_hazard_is_404_and_changes_nothing(bureau: Bureau) -> None:
    root = bureau.clients["root"]
    theirs = bureau.hazard[FT.code]
    before = await get(root, f"/ui/api/hazards/{theirs}")
    for user in ("ns", "gz"):
        client = bureau.clients[user]
        attempts = {
            "order": {"deadline_days": 3},
            "dismiss": {"reason": "误报"},
            "close": {},
            "reject": {"reason": "整改不到位"},
        }
        for action, body in attempts.items():
            r = await client.post(f"/ui/api/hazards/{theirs}/{action}", json=body)
            assert r.status_code == 404, (user, action, r.text)
            assert FT.code not in r.text and "福田" not in r.text
        r = await client.post(
            f"/ui/api/hazards/{theirs}/reclassify",
            json={"major": True, "article": "第八条", "item": "（一）", "reason": "越权改判"},
        )
        assert r.status_code == 404, (user, r.text)
    # the classification table classifies every project's alerts: kept by the province, not a district
    row = {"rule": "crane.wind", "clause_contains": "", "major": False, "basis": "本区规定"}
    r = await bureau.clients["ns"].put("/ui/api/classifications", json=row)
    assert r.status_code == 403 and "province" in r.text, r.text
    r = await bureau.clients["gd"].put("/ui/api/classifications", json=row)
    assert r.status_code == 200, r.text
    after = await get(root, f"/ui/api/hazards/{theirs}")
    assert after["state"] == before["state"] == "confirmed"
    assert after["classification"] == before["classification"]
    assert [a["actor"] for a in after["actions"]] == ["root"]
    # the same request on one's own hazard goes through
    r = await bureau.clients["ns"].post(
        f"/ui/api/hazards/{bureau.hazard[NS.code]}/order", json={"deadline_days": 3}
    )
    assert r.status_code == 200, r.text
    r = await bureau.clients["sz"].post(f"/ui/api/hazards/{theirs}/order", json={"deadline_days": 3})
    assert r.status_code == 200, r.text  # the city above the district may


def test_the_cli_gives_a_user_a_place_and_names_the_fix_for_an_unknown_one(pg_url: str) -> None:
    # the commands of `sitegw regulator`, without sitegw's logging set-up (its handler would outlive the
    # runner's captured stderr between invocations)
    sitegw_app = typer.Typer()
    regulator = typer.Typer()
    sitegw_app.add_typer(regulator, name="regulator")
    for name, command in (("add-project", add_project), ("add-user", add_user), ("add-place", add_place)):
        regulator.command(name)(command)
    runner = CliRunner()
    db = ["--db", pg_url]
    for s in (NS, FT):
        r = runner.invoke(
            sitegw_app,
            [
                "regulator",
                "add-project",
                s.code,
                "--name",
                s.name,
                "--city",
                s.city,
                "--district",
                s.district,
                "--secret",
                s.secret,
                *db,
            ],
        )
        assert r.exit_code == 0, r.output
        assert f"广东省/深圳市/{s.district}" in r.output
    add = ["regulator", "add-user", "bao.an", "--role", "regulator", "--password", PASSWORD, *db]
    r = runner.invoke(sitegw_app, [*add, "--jurisdiction", "广东省/深圳市/宝安区"])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    for said in (
        "unknown place '宝安区'",
        "广东省/深圳市",
        "南山区",
        "福田区",
        "sitegw regulator add-place 广东省/深圳市/宝安区",
    ):
        assert said in r.output, r.output
    r = runner.invoke(sitegw_app, [*add, "--jurisdiction", "广东省/深圳/南山区/某街道"])
    assert r.exit_code == 2 and "1 to 3 levels" in r.output, r.output
    r = runner.invoke(sitegw_app, ["regulator", "add-place", "广东/深圳/宝安区", *db])
    assert r.exit_code == 0 and "广东省/深圳市/宝安区" in r.output, r.output
    r = runner.invoke(sitegw_app, [*add, "--jurisdiction", "广东省/深圳市/宝安区"])
    assert r.exit_code == 0 and "jurisdiction 广东省/深圳市/宝安区" in r.output, r.output
    r = runner.invoke(
        sitegw_app,
        [
            "regulator",
            "add-user",
            "boss",
            "--role",
            "admin",
            "--password",
            PASSWORD,
            *db,
            "--jurisdiction",
            "广东省",
        ],
    )
    assert r.exit_code == 2 and "--role regulator" in r.output, r.output
    repo = Repository(pg_url)
    token = Accounts(repo).login("bao.an", PASSWORD)
    assert Accounts(repo).actor(token) == Actor("bao.an", "regulator", None, "广东省/深圳市/宝安区")
    assert repo.visible_projects(Actor("bao.an", "regulator", None, "广东省/深圳市/宝安区"), 100) == ([], 0)
    repo.close()


def test_the_migration_places_old_projects_and_old_users_still_see_everything(db_url: str) -> None:
    engine = create_engine(db_url)
    migrate(engine, "0007")
    with engine.begin() as db:
        for code, city, district in (("P1", "深圳", "南山区"), ("P2", "广州市", ""), ("P3", "Atlantis", "")):
            db.execute(
                sa.text(
                    "INSERT INTO projects(code, name, city, district, secret, created_at) "
                    "VALUES (:c, '旧项目', :city, :d, 'old-secret-1', 1)"
                ),
                {"c": code, "city": city, "d": district},
            )
        db.execute(
            sa.text(
                "INSERT INTO users(username, password_hash, role, display_name, created_at) "
                "VALUES ('li.jian', :h, 'regulator', '李检', 1)"
            ),
            {"h": CHEAP.hash(PASSWORD)},
        )
    engine.dispose()
    repo = Repository(db_url)  # brings the schema to head
    accounts = Accounts(repo, CHEAP)
    old = accounts.actor(accounts.login("li.jian", PASSWORD))
    assert old == Actor("li.jian", "regulator", None, None)
    assert {p.code: place for p, place in repo.visible_projects(old, 100)[0]} == {
        "P1": "广东省/深圳市/南山区",
        "P2": "广东省/广州市/未定区县",  # no district: the city's users and those above see it
        "P3": "未定省份/Atlantis市/未定区县",  # a city the table does not know: only the top sees it
    }
    gz = Actor("x", "regulator", None, "广东省/广州市")
    assert [p.code for p, _ in repo.visible_projects(gz, 100)[0]] == ["P2"]
    repo.close()


def test_a_scoped_query_that_forgets_the_scope_is_refused(pg_url: str) -> None:
    repo = Repository(pg_url)
    with repo.scoped(Actor("ns", "regulator", None, "广东省/深圳市/南山区")) as db, pytest.raises(ScopeError):
        db.execute("SELECT COUNT(*) FROM hazards")
    repo.close()


async def test_another_places_hazard_reads_as_one_that_does_not_exist(bureau: Bureau) -> None:
    client = bureau.clients["ns"]
    missing = max(bureau.hazard.values()) + 1000
    answers = []
    for hazard_id in (bureau.hazard[FT.code], missing):
        r = await client.get(f"/ui/api/hazards/{hazard_id}")
        answers.append((r.status_code, r.json()["error"].replace(str(hazard_id), "N")))
    assert answers[0] == answers[1] == (404, "no hazard N")
