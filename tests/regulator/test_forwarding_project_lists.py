"""Issue 50 §4: a project's 危大工程清单 and its membership of the video-monitoring set reach the province,
between two real `sitegw regulator serve` processes on their own PostgreSQL databases (tests/regulator/chain.py),
the city's gateway's heartbeats signed HTTP to the city.

The province's 危大 screen lists the city's project's list with its major hazard, its 举一反三 sweep after a
platform accident finds the project by its 吊篮 item, a heartbeat that repeats the list changes nothing there, a
changed list replaces the province's copy and a list the city no longer holds leaves the province. The city's
regulator putting the project in the video-monitoring set puts it in the province's: its patrol coverage counts
it, its wall's set filter shows the camera; a change of category and the removal follow, each in the province's
history of the set."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from contract.config.dangerous_works import DangerousWork
from contract.wire import HEARTBEAT_PATH, PictureFindings
from regulator.forwarding import pictures
from regulator.forwarding.status import status
from regulator.forwarding.wire import Batch, Record
from regulator.inspections.sweeps import WORKS, doing
from regulator.ledger import dangerous_works, video_set
from regulator.names import BEIJING
from regulator.server import RegulatorServer
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor
from tests.regulator.chain import Chain, chain, wait
from tests.regulator.support import PROJECT, SECRET
from tests.regulator.test_forwarding import REGULATOR
from tests.regulator.test_forwarding_city_facts import GD, big_jpeg, picture
from tests.regulator.test_forwarding_liveness import gateway_post, province_ui
from tests.regulator.test_forwarding_refusals import project, send
from tests.regulator.test_forwarding_three_levels import DISTRICT_PLACE, arrive, in_process_levels
from tests.regulator.test_forwarding_trust import PLACE, batch, one, pg_url, province, refused_field  # noqa: F401

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

PLATFORM = DangerousWork(
    id="dl-1",
    name="2号楼外墙高处作业吊篮",
    actual_start=date(2026, 1, 5),
    devices=["platform-1"],
)  # under way, its plan neither written nor reviewed, not accepted: major hazards (Art. 4(四)(五))
DONE_RIGHT = PLATFORM.model_copy(update={"plan_written": True, "plan_reviewed": True, "accepted": True})


def beat(c: Chain, works: list[DangerousWork]) -> None:
    doc = {
        "project": PROJECT,
        "ts": time.time(),
        "dangerous_works": [w.model_dump(mode="json") for w in works],
    }
    gateway_post(c, HEARTBEAT_PATH, doc)


def province_lists(ui: httpx.Client) -> list[dict[str, Any]]:
    r = ui.get("/ui/api/dangerous-works")
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()["projects"]
    return found


@pytest.fixture
def linked() -> Iterator[tuple[Chain, httpx.Client]]:
    """The chain with the city's project at the province, and a signed-in regulator of the province."""
    with chain() as c, province_ui(c) as ui:
        wait(lambda: c.province.rows("SELECT code FROM projects") == [(PROJECT,)], "the project", 60, c)
        yield c, ui


def at_city(c: Chain, decide: Callable[[Repository], object]) -> None:
    """``decide`` done on the city's database (a regulator's decision there, a row deleted)."""
    city = c.city.repo()
    try:
        decide(city)
    finally:
        city.close()


def test_a_citys_danger_list_is_the_provinces_and_follows_each_change(
    linked: tuple[Chain, httpx.Client],
) -> None:
    c, ui = linked
    assert province_lists(ui) == []
    beat(c, [PLATFORM])
    wait(lambda: province_lists(ui) != [], "the list at the province", 60, c)
    [listed] = province_lists(ui)
    assert (listed["project"], listed["monitored"], listed["major"]) == (PROJECT, 1, 1)
    assert [w["id"] for w in listed["works"]] == ["dl-1"]
    assert len(listed["works"][0]["major_hazards"]) == 2  # the plan, and no acceptance
    today = datetime.fromtimestamp(time.time(), BEIJING).date().isoformat()
    repo = c.province.repo()
    try:  # the province's 举一反三 sweep after a platform accident reaches the city's site by its 吊篮
        with repo.scoped(GD) as db:
            assert PROJECT in doing(db, WORKS["platform"], "广东省", today)
    finally:
        repo.close()

    first = c.province.rows("SELECT received_at FROM dangerous_works")
    for _ in range(3):  # heartbeats repeating the list: not a change, nothing goes up
        beat(c, [PLATFORM])
    wait(lambda: c.backlog() == 0, "the city's outbox empty", 60, c)
    time.sleep(3)
    assert c.province.rows("SELECT received_at FROM dangerous_works") == first

    beat(c, [DONE_RIGHT])  # the plan written and reviewed, the platform accepted: no major hazard
    wait(lambda: province_lists(ui)[0]["major"] == 0, "the changed list at the province", 60, c)
    beat(c, [])  # the site keeps no 危大 item any more
    wait(lambda: province_lists(ui)[0]["works"] == [], "the emptied list at the province", 60, c)

    def drop_list(city: Repository) -> None:
        with city.engine.begin() as db:
            db.exec_driver_sql("DELETE FROM dangerous_works")

    at_city(c, drop_list)  # the city's list removed: the province's copy goes too
    wait(lambda: province_lists(ui) == [], "the list gone at the province", 60, c)


def coverage(ui: httpx.Client) -> list[str]:
    r = ui.get("/ui/api/patrol-coverage")
    assert r.status_code == 200, r.text
    return [m["project"] for m in r.json()["unseen"] + r.json()["covered"]]


def wall(ui: httpx.Client) -> list[str]:
    r = ui.get("/ui/api/patrol", params={"video_set": "true"})
    assert r.status_code == 200, r.text
    return [t["project"] for t in r.json()["tiles"]]


def test_the_citys_video_set_is_the_provinces_on_its_wall_and_coverage(
    linked: tuple[Chain, httpx.Client],
) -> None:
    c, ui = linked
    assert coverage(ui) == [] and wall(ui) == []
    at_city(
        c,
        lambda r: video_set.include(
            r, REGULATOR, video_set.Decision(PROJECT, "地铁车站深基坑", "", "rail_transit")
        ),
    )
    picture(c, PROJECT, SECRET, time.time(), big_jpeg("gate"))
    wait(
        lambda: coverage(ui) == [PROJECT] and wall(ui) == [PROJECT],
        "the project in the province's set",
        60,
        c,
    )
    members = ui.get("/ui/api/video-set").json()["members"]
    assert [(m["project"], m["category"], m["reason"]) for m in members] == [
        (PROJECT, "rail_transit", "地铁车站深基坑")
    ]

    at_city(
        c,
        lambda r: video_set.include(
            r, REGULATOR, video_set.Decision(PROJECT, "改为市政隧道", "", "municipal_tunnel")
        ),
    )
    wait(
        lambda: c.province.rows("SELECT category FROM video_set") == [("municipal_tunnel",)],
        "the category changed at the province",
        60,
        c,
    )
    at_city(c, lambda r: video_set.remove(r, REGULATOR, video_set.Decision(PROJECT, "主体结构完工")))
    wait(lambda: coverage(ui) == [] and wall(ui) == [], "the project out of the province's set", 60, c)
    history = ui.get(f"/ui/api/video-set/{PROJECT}/history").json()
    assert [(h["action"], h["category"], h["reason"], h["decided_by"]) for h in history] == [
        ("include", "rail_transit", "地铁车站深基坑", REGULATOR.name),
        ("change", "municipal_tunnel", "改为市政隧道", REGULATOR.name),
        ("remove", "municipal_tunnel", "主体结构完工", REGULATOR.name),
    ]
    # the patrol wall without the set's filter still shows the camera: its picture stays, only the set changed
    assert [t["project"] for t in ui.get("/ui/api/patrol").json()["tiles"]] == [PROJECT]


def test_a_picture_taken_before_the_project_joined_the_set_is_on_the_provinces_wall_within_seconds(
    linked: tuple[Chain, httpx.Client],
) -> None:
    """A camera's picture the city took in before its project joined the video set goes up with the join, not
    with the camera's next picture (its period: 10 minutes), and once: a change of category sends it no more.
    Before, the province's wall waited for that next picture."""
    c, ui = linked
    taken = time.time() - 60
    picture(c, PROJECT, SECRET, taken, big_jpeg("before"))
    wait(lambda: c.backlog() == 0, "the city's outbox empty", 60, c)
    assert c.province.rows("SELECT COUNT(*) FROM camera_pictures") == [(0,)]  # outside the set: none up
    joined = time.monotonic()
    at_city(
        c,
        lambda r: video_set.include(
            r, REGULATOR, video_set.Decision(PROJECT, "地铁车站", "", "rail_transit")
        ),
    )
    wait(lambda: wall(ui) == [PROJECT], "the joined project's camera on the province's wall", 30, c)
    print(f"the picture on the province's wall {time.monotonic() - joined:.1f} s after the join")
    shown = ui.get(f"/ui/api/patrol/{PROJECT}/cam-gate/picture")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg", shown.text
    assert c.province.rows("SELECT camera, taken_at FROM camera_pictures") == [("cam-gate", taken)]

    [(received,)] = c.province.rows("SELECT received_at FROM camera_pictures")
    at_city(
        c,
        lambda r: video_set.include(
            r, REGULATOR, video_set.Decision(PROJECT, "改为隧道", "", "municipal_tunnel")
        ),
    )
    wait(
        lambda: (
            c.province.rows("SELECT category FROM video_set") == [("municipal_tunnel",)] and c.backlog() == 0
        ),
        "the category changed at the province",
        60,
        c,
    )
    assert c.province.rows("SELECT received_at FROM camera_pictures") == [(received,)]  # not sent again


async def test_a_citys_list_or_membership_is_refused_naming_the_field(province: RegulatorServer) -> None:
    """Trusted for the city's own projects and its own users only, each list item checked as a heartbeat's."""
    assert (await send(province, batch(project("GD-SZ-1", PLACE)))).status_code == 200
    member = {
        "project": "GD-SZ-1",
        "category": "rail_transit",
        "reason": "地铁",
        "decided_by": "sz.inspector",
    }
    item = {"id": "dl-1", "name": "吊篮", "actual_start": "2026-11-20", "actual_end": "2026-11-01"}

    def sent(kind: Any, row: dict[str, Any]) -> Batch:
        return batch(Record(seq=2, kind=kind, ref="GD-SZ-1", row=row))

    assert refused_field(await send(province, sent("video_set", member | {"project": "GD-GZ-9"}))) == (
        "records.0.row.project"
    )
    assert refused_field(await send(province, sent("video_set", member | {"category": "mine"}))) == (
        "records.0.row.category"
    )
    assert refused_field(await send(province, sent("video_set", member | {"decided_by": "gd.ting"}))) == (
        "records.0.row.decided_by"
    )
    works = {
        "project": "GD-SZ-1",
        "received_at": 1.0,
        "items": "[" + json.dumps(item, ensure_ascii=False) + "]",
    }
    assert refused_field(await send(province, sent("dangerous_works", works))).startswith(
        "records.0.row.items"
    )
    assert refused_field(await send(province, sent("dangerous_works", works | {"items": "[{"}))) == (
        "records.0.row.items"
    )
    assert one(province, "SELECT COUNT(*) FROM video_set") == (0,)
    assert one(province, "SELECT COUNT(*) FROM dangerous_works") == (0,)
    # a long list in parts, joined: what a list longer than one value of the wire becomes
    text = "[" + ",".join(json.dumps({"id": f"w-{n}", "name": "高支模" * 60}) for n in range(120)) + "]"
    parts = {
        f"items_{n}" if n else "items": text[i : i + 20_000]
        for n, i in enumerate(range(0, len(text), 20_000))
    }
    assert len(parts) > 1
    long = {"project": "GD-SZ-1", "received_at": 1.0, **parts}
    r = await send(province, sent("dangerous_works", long))
    assert r.status_code == 200, r.text
    stored = one(province, "SELECT items FROM dangerous_works")[0]
    assert [w["id"] for w in json.loads(stored)] == [f"w-{n}" for n in range(120)]
    assert (await send(province, sent("video_set", member))).status_code == 200
    assert one(province, "SELECT project, category FROM video_set") == ("GD-SZ-1", "rail_transit")


@pytest.mark.timeout(180)
async def test_a_districts_list_and_membership_reach_the_province_through_its_city(tmp_path: Path) -> None:
    """Issue 50 §5: a district's platform forwarding to its city, which forwards to the province, all three
    in this process on their own PostgreSQL: the district's 危大 list and video-set membership are the city's
    and then the province's, with the camera's picture the district held when its set went up (through the
    city, which held none), and the district's forwarding page names its city as the level above."""
    with ExitStack() as stack:
        _, (district, city, province) = in_process_levels(stack, tmp_path)
        dangerous_works.keep(district.repo, PROJECT, [PLATFORM], time.time())
        taken = time.time() - 60
        with district.repo.engine.begin() as db:
            pictures.keep(
                db,
                {
                    "project": PROJECT,
                    "camera": "cam-gate",
                    "taken_at": taken,
                    "every_s": 600.0,
                    "findings": PictureFindings().model_dump_json(),
                    "jpeg": big_jpeg("gate"),
                },
                taken,
            )
        ns = Actor("ns", "regulator", None, DISTRICT_PLACE)
        video_set.include(district.repo, ns, video_set.Decision(PROJECT, "地铁车站", category="rail_transit"))
        servers = (province, city, district)
        for server in servers:
            await server.start()
        try:

            def at_province() -> bool:
                with province.repo.engine.connect() as db:
                    works = db.exec_driver_sql("SELECT project FROM dangerous_works").all()
                    members = db.exec_driver_sql("SELECT project, category, decided_by FROM video_set").all()
                    shown = db.exec_driver_sql("SELECT project, camera, taken_at FROM camera_pictures").all()
                return (
                    [tuple(w) for w in works] == [(PROJECT,)]
                    and [tuple(m) for m in members] == [(PROJECT, "rail_transit", "ns")]
                    and [tuple(p) for p in shown] == [(PROJECT, "cam-gate", taken)]
                )

            await arrive(
                lambda: asyncio.to_thread(at_province), "the district's list and set at the province", 60
            )
            video_set.remove(district.repo, ns, video_set.Decision(PROJECT, "完工"))

            def gone() -> bool:
                with province.repo.engine.connect() as db:
                    return db.exec_driver_sql("SELECT COUNT(*) FROM video_set").scalar_one() == 0

            await arrive(lambda: asyncio.to_thread(gone), "the removal at the province", 60)
            with district.repo.engine.connect() as db:
                up = status(db).up
            assert up is not None and (up.parent_level, up.parent_name, up.own_name) == (
                "city",
                "市级",
                "区县",
            )
        finally:
            for server in reversed(servers):
                await server.stop()
