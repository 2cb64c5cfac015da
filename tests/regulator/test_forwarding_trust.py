"""A province trusts no city blindly (issue 56 findings 3, 7, 10): a city's records are checked field by
field against the forwarding contract, a city never writes what belongs to the province's level (a listing
at the province's level, a province user as the one who acted, the province's own listings and actions that
came down to it), a malformed record is a 422 naming its field (never a 500 or 503 the city retries for
ever), and an unknown city is answered exactly as a wrong key is.

Each test ran against main before the fix and failed there: a city's province-level listing was kept, the
province's listing and action were rewritten, ``level_rank=9`` was stored, an unknown ``to_level`` made the
incidents' page 500, an ``upstream_id`` on an incident answered 503, and the two 401s differed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from regulator.access.auth import Accounts
from regulator.forwarding.cities import register
from regulator.forwarding.outbox import PRIVATE, TABLES
from regulator.forwarding.rows import MODELS
from regulator.forwarding.wire import Batch, Record
from regulator.server import RegulatorServer
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor
from tests.regulator.test_forwarding_refusals import (  # noqa: F401 (pg_url: a fixture)
    KEY,
    hazard,
    held,
    pg_url,
    project,
    send,
)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse 1"
PLACE = "广东省/深圳市/南山区"
PROVINCE_USER = Actor("gd.ting", "regulator", None, "广东省")
HOSTILE = '"><img src=x onerror="window.__pwned=1">'


@pytest.fixture
async def province(pg_url: str, tmp_path: Path) -> AsyncIterator[RegulatorServer]:
    server = RegulatorServer(pg_url, evidence_dir=tmp_path / "evidence")
    register(server.repo, "SZ", "深圳市平台", "广东省/深圳市", KEY)
    Accounts(server.repo, CHEAP).add_user("gd.ting", PASSWORD, "regulator", jurisdiction="广东省")
    await server.start()
    yield server
    await server.stop()


def batch(*records: Record) -> Batch:
    return Batch(city="SZ", jurisdiction="广东省/深圳市", records=list(records))


def one(server: RegulatorServer, query: str, **args: Any) -> Any:
    with server.repo.engine.connect() as db:
        return db.exec_driver_sql(query, args).first()


def refused_field(r: httpx.Response) -> str:
    assert r.status_code == 422, r.text
    return str(r.json()["errors"][0]["field"])


async def test_malformed_records_are_422_naming_the_field_and_probes_learn_no_city(
    province: RegulatorServer,
) -> None:
    # finding 10: the same answer for an unknown city and a wrong key
    good = batch(project("GD-SZ-1", PLACE))
    unknown = await send(province, good, city="ZZ")
    wrong_key = await send(province, good, key="not-the-key-of-this-city-0000")
    assert unknown.status_code == wrong_key.status_code == 401
    assert unknown.json() == wrong_key.json()
    assert "add-city" in unknown.json()["error"]

    assert (await send(province, good)).status_code == 200
    base = hazard()
    cases = {
        "records.0.row.level": hazard(level=HOSTILE),
        "records.0.row.site_state": hazard(site_state=HOSTILE),
        "records.0.row.state": hazard(state="gone"),
        "records.0.row.first_ts": hazard(first_ts="yesterday"),
        "records.0.row.peak_dir": hazard(peak_dir=7),
        # the list of its pictures at the city (linked evidence): JSON of purposes and hashes, bounded
        "records.0.row.evidence": hazard(
            evidence='[{"purpose": "event", "sha256": "../../etc", "created_at": 1}]'
        ),
    }
    for field, rec in cases.items():
        assert refused_field(await send(province, batch(rec))) == field
    # an incident's upstream_id: once a 503 "no such column: hazard_id" the city retried for ever
    incident = Record(
        seq=3,
        kind="incident",
        ref="5",
        upstream_id="1",
        row={
            "project": "GD-SZ-1",
            "kind": "accident",
            "occurred_at": 1.7e9,
            "recorded_by": "sz.li",
            "recorded_at": 1.7e9,
        },
    )
    assert refused_field(await send(province, batch(incident))) == "records.0.upstream_id"
    listing = Record(seq=4, kind="listing", ref="3", upstream_id="x", row={})
    assert refused_field(await send(province, batch(base, listing))) == "records.1.upstream_id"
    assert held(province) == 1  # the project only: a refused batch keeps nothing

    # level_rank is the province's to derive: 9 would pin it at the top of every queue
    assert (await send(province, batch(hazard(level="warning", level_rank=9)))).status_code == 200
    assert tuple(one(province, "SELECT level, level_rank FROM hazards")) == ("warning", 1)

    # finding 7: an incident report to a level the province does not know
    incident.upstream_id = None
    report = Record(
        seq=6,
        kind="incident_report",
        ref="8",
        row={
            "incident_id": 5,
            "to_level": "moon",
            "reported_by": "sz",
            "reported_at": 1.7e9,
            "recorded_by": "sz.li",
            "recorded_at": 1.7e9,
        },
    )
    assert refused_field(await send(province, batch(incident, report))) == "records.1.row.to_level"


async def test_a_stored_report_to_an_unknown_level_does_not_break_the_incidents_pages(
    province: RegulatorServer,
) -> None:
    """Rows stored before the receiver checked ``to_level``: the pages name the level as stored."""
    province.repo.add_project("GD-SZ-1", "示范项目", "深圳", "k" * 32, "南山区", "")
    with province.repo.engine.begin() as db:
        made = db.exec_driver_sql(
            "INSERT INTO incidents(project, kind, occurred_at, deaths, injuries, description, recorded_by, "
            "recorded_at) VALUES ('GD-SZ-1', 'accident', 1.7e9, 0, 1, '', 'sz.li', 1.7e9) RETURNING id"
        ).scalar_one()
        db.exec_driver_sql(
            "INSERT INTO incident_reports(incident_id, to_level, reported_by, reported_at, note, recorded_by, "
            "recorded_at, how) VALUES (%(i)s, 'moon', 'sz', 1.7e9, '', 'sz.li', 1.7e9, 'teleport')",
            {"i": made},
        )
    async with httpx.AsyncClient(base_url=province.base_url, timeout=30) as client:
        signed = await client.post("/ui/api/login", json={"username": "gd.ting", "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        for path in ("/ui/api/incidents", "/ui/api/incidents/alerts"):
            r = await client.get(path)
            assert r.status_code == 200, (path, r.text)
        # the accident occurred 2023-11-14 (1.7e9): the national package of that month lists it
        r = await client.get(
            "/ui/api/exports/national.zip", params={"from": "2023-11-01", "to": "2023-12-01"}
        )
        assert r.status_code == 200, r.text
        reports = (await client.get("/ui/api/incidents")).json()["incidents"][0]["reports"]
        assert reports[0]["to_name"] == "moon" and reports[0]["how_name"] == "teleport"


LISTING: dict[str, Any] = {
    "hazard_id": 11,
    "project": "GD-SZ-1",
    "level": "province",
    "authority": "广东省",
    "deadline": 1.8e9,
    "state": "listed",
    "listed_by": "sz.li",
    "listed_at": 1.7e9,
}


async def listed_by_province(province: RegulatorServer) -> tuple[int, int, Any]:
    """The city's project and major hazard at the province, listed there at the province's level by a
    province regulator: the hazard's id, the listing's, and the province's ``list`` action (id, actor, kind)."""
    assert (await send(province, batch(project("GD-SZ-1", PLACE), hazard()))).status_code == 200
    mine = int(one(province, "SELECT id FROM hazards")[0])
    listed = province.supervision.list_by_hand(mine, PROVINCE_USER, "province", "rectify", None)
    action = one(province, "SELECT id, actor, action FROM actions WHERE action = 'list'")
    return mine, int(listed["id"]), action


async def test_a_city_cannot_list_at_the_provinces_level_or_in_a_province_users_name(
    province: RegulatorServer,
) -> None:
    assert (await send(province, batch(project("GD-SZ-1", PLACE), hazard()))).status_code == 200
    # a listing at the province's level, made by the city: refused (main showed it as 省级挂牌督办)
    forged = Record(seq=5, kind="listing", ref="3", row=LISTING)
    assert refused_field(await send(province, batch(forged))) == "records.0.row.level"
    # one at the city's level in the name of a province user: refused
    in_their_name = Record(
        seq=5,
        kind="listing",
        ref="3",
        row=LISTING | {"level": "city", "authority": "广东省/深圳市", "listed_by": "gd.ting"},
    )
    assert refused_field(await send(province, batch(in_their_name))) == "records.0.row.listed_by"
    assert one(province, "SELECT COUNT(*) FROM listings")[0] == 0


async def test_a_city_cannot_close_the_provinces_listing_or_the_hazard_it_holds(
    province: RegulatorServer,
) -> None:
    mine, listing, _ = await listed_by_province(province)
    # the province's listing come back up, closed by "a province user" at the city: the province's stays open
    closed = LISTING | {"state": "closed", "closed_by": "gd.ting", "closed_at": 1.75e9}
    back = Record(seq=6, kind="listing", ref="4", upstream_id=str(listing), row=closed)
    assert (await send(province, batch(back))).status_code == 200
    back_again = Record(seq=7, kind="listing", ref="4", row=closed)  # and once more without upstream_id
    assert (await send(province, batch(back_again))).status_code == 200
    state = one(province, "SELECT state, closed_by FROM listings WHERE id = %(i)s", i=listing)
    assert tuple(state) == ("listed", None)

    # the hazard closed at the city while the province's listing holds it: refused
    r = await send(province, batch(hazard(seq=8, state="closed", closed_at=1.75e9)))
    assert refused_field(r) == "records.0.row.state"
    assert one(province, "SELECT state FROM hazards WHERE id = %(i)s", i=mine)[0] == "rectifying"


async def test_a_city_cannot_rewrite_the_provinces_audit_trail(province: RegulatorServer) -> None:
    _, _, action = await listed_by_province(province)
    rewritten = Record(
        seq=9,
        kind="action",
        ref="21",
        upstream_id=str(action[0]),
        row={
            "hazard_id": 11,
            "project": "GD-SZ-1",
            "action": "dismiss",
            "actor": "sz.li",
            "role": "regulator",
            "from_state": "rectifying",
            "to_state": "dismissed",
            "reason": "",
            "ts": 1.7e9,
        },
    )
    assert (await send(province, batch(rewritten))).status_code == 200
    again = Record(seq=10, kind="action", ref="21", row=rewritten.row)  # and once more without upstream_id
    assert (await send(province, batch(again))).status_code == 200
    now = one(province, "SELECT id, actor, action FROM actions WHERE id = %(i)s", i=action[0])
    assert tuple(now) == tuple(action)


async def test_a_city_echoing_the_provinces_own_decision_is_not_refused(province: RegulatorServer) -> None:
    """The city's own listing escalated to the province, then closed there (its re-inspection closes every
    listing of the hazard): the city keeps that decision and forwards its listing again, ``closed_by`` the
    province's user, which is what the province holds already, so not the city's assertion."""
    city_listing: dict[str, Any] = {
        "hazard_id": 11,
        "project": "GD-SZ-1",
        "level": "city",
        "authority": "广东省/深圳市",
        "deadline": 1.8e9,
        "state": "escalated",
        "listed_by": "sz.li",
        "listed_at": 1.7e9,
        "escalated_to": "广东省",
        "escalated_at": 1.75e9,
    }
    listing = Record(seq=3, kind="listing", ref="3", row=city_listing)
    assert (await send(province, batch(project("GD-SZ-1", PLACE), hazard(), listing))).status_code == 200
    # escalated to the province: the city cannot close the hazard itself
    r = await send(province, batch(hazard(seq=4, state="closed", closed_at=1.76e9)))
    assert refused_field(r) == "records.0.row.state"
    with province.repo.engine.begin() as db:  # the province's re-inspection passed
        db.exec_driver_sql("UPDATE listings SET state = 'closed', closed_by = 'gd.ting', closed_at = 1.76e9")
        db.exec_driver_sql("UPDATE hazards SET state = 'closed', closed_at = 1.76e9")
    closed = {"state": "closed", "closed_by": "gd.ting", "closed_at": 1.76e9}
    echoed = Record(seq=5, kind="listing", ref="3", row=city_listing | closed)
    r = await send(province, batch(echoed, hazard(seq=6, state="closed", closed_at=1.76e9)))
    assert r.status_code == 200, r.text


def test_every_column_the_province_stores_is_in_the_forwarding_contract(tmp_path: Path) -> None:
    """A column a later migration adds to a forwarded table must be added to rows.py's model of its kind,
    with its type and bound: a column the model does not name is dropped, so the city's value would be lost."""
    repo = Repository(f"sqlite:///{tmp_path}/schema.sqlite")
    try:
        inspector = sa.inspect(repo.engine)
        for kind, (table, key) in TABLES.items():
            stored = {c["name"] for c in inspector.get_columns(table)}
            derived = {key, "level_rank"} | (PRIVATE if kind == "project" else set())
            missing = stored - derived - set(MODELS[kind].model_fields)
            assert not missing, f"{kind}: {sorted(missing)} not in regulator/forwarding/rows.py"
    finally:
        repo.close()
