"""Warnings down the chain and the sites' receipts back up, at the parent's door (issue 50 §2), and a district
registered at its city (§5): each behaviour on its own, where tests/regulator/test_forwarding_three_levels.py
runs the whole chain.

Before §2 the parent had no warnings to answer a child (404) and refused a ``warning_site`` record as an
unknown kind; before §5 ``add-city`` refused a district's place."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from contract.wire import signed_headers
from regulator.forwarding import liveness, warnings
from regulator.forwarding.cities import NotACity, register
from regulator.forwarding.sender import Forwarder, ForwardLink, ForwardRetry, readable_warnings
from regulator.forwarding.wire import FORWARD_PATH, WARNINGS_PATH, Batch, DownWarnings, Record
from regulator.ledger.review import ReviewError
from regulator.ledger.weather_warning_models import NewWarning
from regulator.ledger.weather_warnings import WeatherWarnings
from regulator.server import RegulatorServer
from regulator.storage.jurisdictions import add
from regulator.storage.projects import LIVENESS
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor
from tests.regulator.support import PROJECT, SECRET, pg_database
from tests.regulator.test_forwarding_refusals import (  # noqa: F401 (pg_url, province: fixtures)
    KEY,
    hazard,
    pg_url,
    project,
    province,
    send,
)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

GD = Actor("gd.ting", "regulator", None, "广东省")
PLACE = "广东省/深圳市/南山区"


@pytest.fixture
def child() -> Iterator[Repository]:
    """The city's own database (the child's side of the poll)."""
    with pg_database() as url:
        repo = Repository(url)
        repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
        yield repo
        repo.close()


async def poll(server: RegulatorServer, held: list[int] | None = None, city: str = "SZ") -> httpx.Response:
    path = WARNINGS_PATH + (f"?held={','.join(map(str, held))}" if held else "")
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        return await client.get(path, headers=signed_headers(city, KEY, path, b"", method="GET"))


def issue(server: RegulatorServer, place: str, colour: str = "red") -> int:
    with server.repo.engine.begin() as db:
        add(db, place)  # the province's tree holds the place (a city's project there adds it too)
    warning = WeatherWarnings(server.repo).issue(
        GD,
        NewWarning(type="gale", colour=colour, jurisdiction=place),  # type: ignore[arg-type]
    )
    return int(warning["id"])


async def test_a_child_keeps_one_copy_of_each_warning_over_its_place_and_hears_it_lifted_while_away(
    province: RegulatorServer, child: Repository
) -> None:
    over = issue(province, "广东省")
    under = issue(province, PLACE, "yellow")
    issue(province, "广东省/广州市")  # another city's: never answered to 深圳
    answer = await poll(province)
    assert answer.status_code == 200, answer.text
    listed = DownWarnings.model_validate_json(answer.content).warnings
    assert [w.id for w in listed] == [over, under]
    assert warnings.take(child.engine, listed, "广东省/深圳市") == 2
    assert warnings.take(child.engine, listed, "广东省/深圳市") == 0  # polled again: nothing twice
    desk = WeatherWarnings(child)
    assert [(w["jurisdiction"], w["colour"]) for w in desk.for_project(PROJECT)] == [
        ("广东省", "red"),
        (PLACE, "yellow"),
    ]
    held = warnings.held(child.engine, time.time())
    assert sorted(held) == [over, under]

    # lifted at the province while the city was away: no longer in force there, so only the city's naming it
    # as held brings its end down
    WeatherWarnings(province.repo).lift(GD, over)
    live = DownWarnings.model_validate_json((await poll(province)).content).warnings
    assert [w.id for w in live] == [under]
    named = DownWarnings.model_validate_json((await poll(province, held)).content).warnings
    assert [(w.id, w.valid_to is not None) for w in named] == [(over, True), (under, False)]
    assert warnings.take(child.engine, named, "广东省/深圳市") == 1
    assert [w["colour"] for w in desk.for_project(PROJECT)] == ["yellow"]  # the site's gateway clears it
    assert warnings.held(child.engine, time.time()) == [under]

    # a copy is the parent's to lift, and the parent's answer for another place is passed over
    with pytest.raises(ReviewError, match="上级平台") as refused:
        desk.lift(Actor("sz.admin", "admin"), int(desk.for_project(PROJECT)[0]["id"]))
    assert refused.value.status == 409
    foreign = live[0].model_copy(update={"id": 999, "jurisdiction": "广东省/广州市"})
    assert warnings.take(child.engine, [foreign], "广东省/深圳市") == 0

    async with httpx.AsyncClient(base_url=province.base_url) as client:
        path = WARNINGS_PATH + "?held=1,x"
        bad = await client.get(path, headers=signed_headers("SZ", KEY, path, b"", method="GET"))
        path = WARNINGS_PATH
        stranger = await client.get(path, headers=signed_headers("ZZ", KEY, path, b"", method="GET"))
    assert bad.status_code == 422 and "held" in bad.text
    assert stranger.status_code == 401


def site(seq: int, warning: int, received: float, acked: float | None = None, by: str = "") -> Record:
    row = {
        "warning_id": warning,
        "project": "GD-SZ-1",
        "received_at": received,
        "acked_at": acked,
        "acked_by": by,
    }
    return Record(seq=seq, kind="warning_site", ref=f"7:GD-SZ-1:{seq}", row=row)


def receipt(server: RegulatorServer, warning: int) -> list[tuple[object, ...]]:
    with server.repo.engine.connect() as db:
        return [
            tuple(r)
            for r in db.execute(
                sa.text(
                    "SELECT project, received_at, acked_at, acked_by FROM weather_warning_sites WHERE warning_id = :w"
                ),
                {"w": warning},
            )
        ]


async def test_a_sites_receipt_and_acknowledgement_are_kept_once_the_first_of_each_winning(
    province: RegulatorServer,
) -> None:
    warning = issue(province, "广东省/深圳市")
    elsewhere = issue(province, "广东省/广州市")
    batch = Batch(
        city="SZ",
        jurisdiction="广东省/深圳市",
        records=[project("GD-SZ-1", PLACE), site(2, warning, 100.0), site(3, warning, 50.0, 120.0, "super1")],
    )
    r = await send(province, batch)
    assert r.status_code == 200, r.text
    assert receipt(province, warning) == [("GD-SZ-1", 50.0, 120.0, "super1")]
    # sent again, and a later word of another acknowledgement and a later receipt: nothing changes
    again = Batch(
        city="SZ",
        jurisdiction="广东省/深圳市",
        records=[site(4, warning, 100.0), site(5, warning, 70.0, 130.0, "someone-else")],
    )
    assert (await send(province, again)).status_code == 200
    assert receipt(province, warning) == [("GD-SZ-1", 50.0, 120.0, "super1")]

    # what is not the city's to say is refused for good, the record named with its reason
    wrong = Batch(
        city="SZ",
        jurisdiction="广东省/深圳市",
        records=[
            site(6, elsewhere, 1.0),
            site(7, 10**6, 1.0),
            Record(
                seq=8,
                kind="warning_site",
                ref="1:X",
                row={**site(8, warning, 1.0).row, "project": "GD-SZ-404"},
            ),
        ],
    )
    async with httpx.AsyncClient(base_url=province.base_url) as client:
        path = f"{FORWARD_PATH}?verdicts=1"
        body = wrong.model_dump_json().encode()
        r = await client.post(path, content=body, headers=signed_headers("SZ", KEY, path, body))
    assert r.status_code == 200, r.text
    assert [(v["seq"], v["code"]) for v in r.json()["refused"]] == [
        (6, "not_allowed"),
        (7, "conflict"),
        (8, "unknown_project"),
    ]
    assert receipt(province, elsewhere) == []


async def test_a_district_forwards_to_its_city_under_the_same_rules_a_level_down(
    province: RegulatorServer, tmp_path: Path
) -> None:
    # the server plays the city here: 南山区's platform registered at it
    with pytest.raises(NotACity, match="province"):
        register(province.repo, "GD", "广东省平台", "广东省", KEY)
    assert register(province.repo, "NS", "南山区平台", PLACE, KEY) == PLACE

    def listing(level: str, seq: int) -> Record:
        row = {
            "hazard_id": 11,
            "project": "GD-SZ-1",
            "level": level,
            "authority": PLACE if level == "district" else "广东省/深圳市",
            "deadline": 2e9,
            "state": "listed",
            "listed_by": "ns.chief",
            "listed_at": 1.7e9,
        }
        return Record(seq=seq, kind="listing", ref=str(seq), row=row)

    ok = Batch(
        city="NS", jurisdiction=PLACE, records=[project("GD-SZ-1", PLACE), hazard(), listing("district", 3)]
    )
    r = await send(province, ok, city="NS")
    assert r.status_code == 200, r.text
    city_level = Batch(city="NS", jurisdiction=PLACE, records=[listing("city", 4)])
    r = await send(province, city_level, city="NS")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "records.0.row.level", r.text
    # the district's summary of its project's liveness goes on up from the city as the district said it (the
    # city has none of the project's readings or pictures to count)
    now = time.time()
    alive = {"at": now, "last_seen_at": now, "devices_online": 3, "devices_total": 4}
    summary = Record(
        seq=5, kind="liveness", ref="GD-SZ-1", row=alive | {"cameras_online": 1, "cameras_total": 2}
    )
    r = await send(province, Batch(city="NS", jurisdiction=PLACE, records=[summary]), city="NS")
    assert r.status_code == 200, r.text
    with province.repo.engine.connect() as db:
        passed_on = liveness.summaries(db, time.time(), "GD-SZ-1")["GD-SZ-1"]
    assert [passed_on[k] for k in LIVENESS] == [3, 4, 1, 2]
    # a district's project outside its place is refused as a city's is
    other = Batch(city="NS", jurisdiction=PLACE, records=[project("GD-SZ-2", "广东省/深圳市/福田区")])
    r = await send(province, other, city="NS")
    assert r.status_code == 422 and "not under the city's place" in r.text


class ProvinceBeforeWarnings(ThreadingHTTPServer):
    """A province of the release before warnings came down, as FastAPI answers the city's poll: no such
    route (404). ``asked``: the warnings polls it heard."""

    def __init__(self) -> None:
        self.asked = 0
        province = self

        class Door(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                province.asked += self.path.startswith(WARNINGS_PATH)
                body = b'{"detail":"Not Found"}'
                self.send_response(404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Door)


async def test_a_province_of_an_earlier_release_is_asked_for_warnings_once_and_said_so(
    child: Repository, caplog: pytest.LogCaptureFixture
) -> None:
    old = ProvinceBeforeWarnings()
    threading.Thread(target=old.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{old.server_address[1]}"
    try:
        forwarder = Forwarder(child, ForwardLink(url, "SZ", KEY, "广东省/深圳市"))
        with caplog.at_level(logging.WARNING):
            assert await forwarder.poll_warnings_once() == 0
            assert await forwarder.poll_warnings_once() == 0
        assert old.asked == 1 and "answers no warning signals" in caplog.text
    finally:
        old.shutdown()


def test_a_warning_this_city_cannot_read_keeps_no_other_from_its_sites() -> None:
    good = {
        "id": 1,
        "jurisdiction": "广东省",
        "type": "gale",
        "colour": "red",
        "measure": "停止一切户外作业",
        "valid_from": 1.0,
        "valid_to": None,
        "issued_by": "gd.ting",
        "issued_at": 1.0,
    }
    newer = good | {"id": 2, "type": "sandstorm"}  # a signal type of a later release
    answer = httpx.Response(200, json={"warnings": [newer, good]})
    assert [w.id for w in readable_warnings(answer)] == [1]
    with pytest.raises(ForwardRetry, match="without the province's warnings"):
        readable_warnings(httpx.Response(200, text="<html>proxy</html>"))
