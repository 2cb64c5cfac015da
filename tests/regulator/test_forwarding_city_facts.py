"""Issue 50 §4: what the province's duties read of a city's work arrives there, between two real
`sitegw regulator serve` processes on their own PostgreSQL databases (tests/regulator/chain.py).

A deduction (动态扣分) and a stop-work order (责令停工) recorded at the city only: the province's grading makes
the city's project key-risk by both and its contractor key-risk by the deduction, the province's public page
publishes the contractor (its one site stopped), and the province's national export package holds both
records. The order lifted at the city (复工) updates the province's copy, not a second one: the contractor
drops off the province's published list too."""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile
from datetime import datetime, timedelta
from typing import Any, Literal

import cv2
import httpx
import numpy as np
import pytest
from pydantic import BaseModel

from contract.safety_log import (
    ATTENDANCE_PATH,
    SAFETY_LOGS_PATH,
    KeyAttendance,
    PersonDay,
    SafetyLog,
    SafetyLogContent,
)
from contract.wire import PICTURES_PATH, CameraPicture
from regulator.access.auth import Accounts
from regulator.channels.safety_logs import LogPolicy, flag_missing, log_days, look_back
from regulator.forwarding.wire import Batch, Record
from regulator.ledger import enforcement, video_set
from regulator.ledger.review import DAY_S, Review
from regulator.names import BEIJING
from regulator.reports.grading import grade
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from tests.regulator.chain import CITY_ID, Chain, chain, wait
from tests.regulator.support import PROJECT, SECRET, signed
from tests.regulator.test_forwarding import PASSWORD, REGULATOR, enrol
from tests.regulator.test_forwarding_refusals import hazard, project, send
from tests.regulator.test_forwarding_trust import PLACE, batch, one, pg_url, province, refused_field  # noqa: F401

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

GD = Actor("gd.ting", "regulator", None, "广东省")
CONTRACTOR = "中建某局"  # the chain's project's contractor at the city


def day(ts: float) -> str:
    return datetime.fromtimestamp(ts, BEIJING).strftime("%Y-%m-%d")


def grading(ui: httpx.Client) -> dict[str, Any]:
    r = ui.get("/ui/api/grading")
    assert r.status_code == 200, r.text
    graded: dict[str, Any] = r.json()
    return graded


def published(c: Chain) -> list[tuple[str, int, int]]:
    """The province's public page's list: each company, its sites and its sites stopped."""
    r = httpx.get(c.province.url + "/public/api/page", timeout=30)
    assert r.status_code == 200, r.text
    return [(x["name"], x["projects"], x["stopped"]) for x in r.json()["companies"]]


def exported(ui: httpx.Client, start: float, end: float) -> list[dict[str, Any]]:
    """The enforcement records of the province's national package for [start, end)."""
    r = ui.get("/ui/api/exports/national.zip", params={"from": day(start), "to": day(end)})
    assert r.status_code == 200, r.text
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        package = json.loads(z.read("package.json"))
    records: list[dict[str, Any]] = package["items"]["enforcement"]
    return records


def test_a_citys_deduction_and_stop_work_order_count_at_the_province() -> None:
    now = time.time()
    with chain() as c:
        province = c.province.repo()
        try:
            gd = Accounts(province).add_user("gd", PASSWORD, "regulator", jurisdiction="广东省")
        finally:
            province.close()
        wait(lambda: c.province.rows("SELECT code FROM projects") == [(PROJECT,)], "the project", 60, c)
        with httpx.Client(base_url=c.province.url, timeout=30) as ui:
            enrol(ui, "gd", gd.enrolment_code or "")  # `serve` requires an authority user's second factor
            before = grading(ui)
            assert before["key_projects"] == before["published"] == []
            assert exported(ui, now - 3 * DAY_S, now + DAY_S) == []

            city = c.city.repo()
            try:  # recorded at the city only, by the city's inspector
                deduction = enforcement.Entry(
                    PROJECT, "deduction", now - DAY_S, CONTRACTOR, 40.0, "深南建扣〔2026〕3号"
                )
                enforcement.record(city, REGULATOR, deduction)
                stop = enforcement.record(
                    city, REGULATOR, enforcement.Entry(PROJECT, "stop_work", now - DAY_S, note="停工令 7 号")
                )
            finally:
                city.close()
            wait(
                lambda: len(c.province.rows("SELECT id FROM enforcement")) == 2 and c.backlog() == 0,
                "the city's two records at the province",
                60,
                c,
            )

            [key] = grading(ui)["key_projects"]
            assert (key["code"], key["stopped"], key["deduction_total"]) == (PROJECT, True, 40)
            assert sorted(f["fact"] for f in key["facts"]) == ["deductions", "stop_work"]
            company = next(x for x in grading(ui)["companies"] if x["name"] == CONTRACTOR)
            assert company["deduction_total"] == 40
            # its one site stopped, a ratio of 1: on the province's list and its public page (built at most
            # once a minute, so asked first now)
            assert [x["name"] for x in grading(ui)["published"]] == [CONTRACTOR]
            assert published(c) == [(CONTRACTOR, 1, 1)]
            records = exported(ui, now - 3 * DAY_S, now + DAY_S)
            assert sorted((r["project"], r["kind"], r["company"], r["points"]) for r in records) == [
                (PROJECT, "动态扣分", CONTRACTOR, 40),
                (PROJECT, "责令停工", "", 0),
            ]

            # work resumes (复工) at the city: the province's copy of the order follows, no second one
            city = c.city.repo()
            try:
                enforcement.lift(city, REGULATOR, stop, now - 60)
            finally:
                city.close()
            wait(
                lambda: (
                    c.province.rows("SELECT lifted_at FROM enforcement WHERE kind = 'stop_work'")
                    == [(now - 60,)]
                ),
                "the lifting at the province",
                60,
                c,
            )
            [key] = grading(ui)["key_projects"]
            assert key["stopped"] is False
            assert grading(ui)["published"] == []
            assert len(exported(ui, now - 3 * DAY_S, now + DAY_S)) == 2
        assert c.province.rows(
            f"SELECT COUNT(*) FROM forward_records WHERE origin = '{CITY_ID}' AND kind = 'enforcement'"
        ) == [(2,)]
        assert len(c.province.rows("SELECT id FROM enforcement")) == 2


def deduction_row(**over: Any) -> dict[str, Any]:
    return {
        "project": "GD-SZ-1",
        "kind": "deduction",
        "company": CONTRACTOR,
        "points": 40.0,
        "happened_at": time.time() - DAY_S,
        "recorded_by": "sz.inspector",
        "recorded_at": time.time(),
    } | over


async def test_a_citys_record_is_refused_naming_the_field(province: RegulatorServer) -> None:
    """Trusted for the city's own projects and its own users only, and bounded as the city's form is."""
    assert (await send(province, batch(project("GD-SZ-1", PLACE)))).status_code == 200

    def sent(n: int, **over: Any) -> Batch:
        return batch(Record(seq=n, kind="enforcement", ref=str(n), row=deduction_row(**over)))

    assert refused_field(await send(province, sent(2, project="GD-GZ-9"))) == "records.0.row.project"
    assert refused_field(await send(province, sent(3, recorded_by="gd.ting"))) == "records.0.row.recorded_by"
    assert refused_field(await send(province, sent(4, points=100.5))) == "records.0.row.points"
    assert refused_field(await send(province, sent(5, kind="fine"))) == "records.0.row.kind"
    assert (await send(province, sent(6))).status_code == 200
    assert one(province, "SELECT project, kind, points, company FROM enforcement") == (
        "GD-SZ-1",
        "deduction",
        40.0,
        CONTRACTOR,
    )


async def test_a_citys_reinspection_is_an_inspector_on_the_site_at_the_province(
    province: RegulatorServer,
) -> None:
    """A city inspector's re-inspection (复查) this month counts in the province's grading as the monthly
    inspection of the project, as the province's own would; one by a province user or another city's
    inspector is refused naming the column."""
    now = time.time()
    assert (
        await send(province, batch(project("GD-SZ-1", PLACE), hazard(state="reported")))
    ).status_code == 200
    row = {
        "id": 5,
        "hazard_id": 11,
        "project": "GD-SZ-1",
        "inspector": "sz.inspector",
        "jurisdiction": PLACE,
        "passed": True,
        "note": "复查合格",
        "photo_sha256": "a" * 64,
        "ts": now - 60,
    }

    def sent(n: int, **over: Any) -> Batch:
        return batch(Record(seq=n, kind="reinspection", ref=str(n), row=row | over))

    assert refused_field(await send(province, sent(3, inspector="gd.ting"))) == "records.0.row.inspector"
    assert refused_field(await send(province, sent(4, jurisdiction="广东省/广州市"))) == (
        "records.0.row.jurisdiction"
    )
    assert (await send(province, sent(5, hazard_id=99))).status_code == 409  # a hazard not received yet
    graded = {p.code: p for p in grade(province.repo, GD, now).projects}
    assert graded["GD-SZ-1"].inspections == 0
    assert (await send(province, sent(6))).status_code == 200
    assert (
        await send(province, sent(6, note="复查合格，照片见市平台"))
    ).status_code == 200  # again: the same
    graded = {p.code: p for p in grade(province.repo, GD, now).projects}
    assert graded["GD-SZ-1"].inspections == 1
    hazard_here = one(province, "SELECT id FROM hazards")[0]
    assert one(province, "SELECT hazard_id, inspector, note FROM reinspections") == (
        hazard_here,
        "sz.inspector",
        "复查合格，照片见市平台",
    )


def big_jpeg(text: str) -> bytes:
    """A 1280x720 camera frame (a gradient under some noise, so it does not compress to nothing)."""
    rng = np.random.default_rng(7)
    ramp = np.linspace(0, 200, 1280, dtype=np.uint8)[None, :, None]
    img = (ramp + rng.integers(0, 40, (720, 1280, 3))).astype(np.uint8)
    cv2.putText(img, text, (40, 360), cv2.FONT_HERSHEY_SIMPLEX, 3, (255, 255, 255), 6)
    ok, buf = cv2.imencode(".jpg", img)
    assert ok
    return bytes(buf.tobytes())


def picture(c: Chain, project: str, secret: str, taken_at: float, jpeg: bytes) -> None:
    """A gateway's camera picture to the city."""
    sent = CameraPicture(
        project=project, camera="cam-gate", taken_at=taken_at, jpeg=base64.b64encode(jpeg).decode()
    )
    body = sent.model_dump_json().encode()
    headers = signed(PICTURES_PATH, body, project=project, secret=secret)
    r = httpx.post(c.city.url + PICTURES_PATH, content=body, headers=headers, timeout=30)
    assert r.status_code == 200, r.text


def test_a_video_set_projects_camera_is_on_the_provinces_patrol_wall_with_its_picture() -> None:
    """The city's video-set project's camera shows on the province's wall with a small version of its
    latest picture, a newer one replacing it; a project outside the set sends none."""
    other, other_secret = "GD-SZ-2026-0002", "other-project-secret-0000000000"
    with chain() as c:
        city = c.city.repo()
        try:
            city.add_project(other, "另一项目", "深圳", other_secret, "福田区", "乙建设公司")
            video_set.include(
                city, REGULATOR, video_set.Decision(PROJECT, "地铁车站深基坑", category="rail_transit")
            )
        finally:
            city.close()
        province = c.province.repo()
        try:
            gd = Accounts(province).add_user("gd", PASSWORD, "regulator", jurisdiction="广东省")
        finally:
            province.close()
        now = time.time()
        full = big_jpeg("first")
        picture(c, other, other_secret, now - 30, big_jpeg("not in the set"))
        picture(c, PROJECT, SECRET, now - 30, full)
        wait(lambda: c.province.rows("SELECT project FROM camera_pictures") != [], "a picture up", 60, c)
        wait(lambda: c.backlog() == 0, "the city's outbox empty", 60, c)
        assert c.province.rows("SELECT project, camera, taken_at FROM camera_pictures") == [
            (PROJECT, "cam-gate", now - 30)
        ]
        with httpx.Client(base_url=c.province.url, timeout=30) as ui:
            enrol(ui, "gd", gd.enrolment_code or "")
            wall = ui.get("/ui/api/patrol").json()
            assert [(t["project"], t["camera"]) for t in wall["tiles"]] == [(PROJECT, "cam-gate")]
            shown = ui.get(f"/ui/api/patrol/{PROJECT}/cam-gate/picture")
            assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
            small = cv2.imdecode(np.frombuffer(shown.content, np.uint8), cv2.IMREAD_COLOR)
            assert small is not None and small.shape[:2] == (180, 320)  # a tile's size, the frame's shape
            assert len(shown.content) < len(full) // 10
            picture(c, PROJECT, SECRET, now, big_jpeg("second"))
            wait(
                lambda: c.province.rows("SELECT taken_at FROM camera_pictures") == [(now,)],
                "the newer picture at the province",
                60,
                c,
            )


async def test_a_citys_picture_the_wall_could_not_show_is_refused_naming_the_field(
    province: RegulatorServer,
) -> None:
    assert (await send(province, batch(project("GD-SZ-1", PLACE)))).status_code == 200
    row = {
        "project": "GD-SZ-1",
        "camera": "cam-gate",
        "taken_at": time.time(),
        "every_s": 600.0,
        "findings": "{}",
        "jpeg": base64.b64encode(big_jpeg("x")[:9000]).decode(),  # cut short: no end-of-image marker
    }

    def sent(**over: Any) -> Batch:
        return batch(Record(seq=2, kind="camera_picture", ref="GD-SZ-1:cam-gate", row=row | over))

    assert refused_field(await send(province, sent())) == "records.0.row.jpeg"
    assert refused_field(await send(province, sent(findings="<script>"))) == "records.0.row.findings"
    assert refused_field(await send(province, sent(camera="../x"))) == "records.0.row.camera"
    assert refused_field(await send(province, sent(project="GD-GZ-9"))) == "records.0.row.project"
    assert one(province, "SELECT COUNT(*) FROM camera_pictures") == (0,)


def site_document(c: Chain, path: str, doc: BaseModel) -> None:
    """The project's gateway's signed safety log or attendance day to the city."""
    body = doc.model_dump_json().encode()
    r = httpx.post(c.city.url + path, content=body, headers=signed(path, body), timeout=30)
    assert r.status_code == 200, r.text


def test_a_citys_safety_logs_and_key_attendance_are_the_provinces_compliance_and_look_back() -> None:
    """The city's site sends its logs (one on time, one late, a day missing) and its key people's days (one
    sent again without the safety officer): the province's safety-log page lists the project's days as the
    city's does, its 90-day look-back counts the same people and minutes, and the province does not flag the
    city's missing log itself (the city does, and that hazard comes up with the ledger)."""
    today = datetime.fromtimestamp(time.time(), BEIJING).date()
    day = {n: today - timedelta(days=n) for n in range(5)}
    pm = PersonDay(
        person="p-1", name="张经理", role="project_manager", first_in=0.0, last_out=1.0, minutes=480
    )
    officer = PersonDay(person="p-2", name="李安全", role="safety_officer", minutes=300)
    with chain() as c:
        for n in (4, 3, 2):
            site_document(
                c, ATTENDANCE_PATH, KeyAttendance(project=PROJECT, day=day[n], people=[pm, officer])
            )
        site_document(c, ATTENDANCE_PATH, KeyAttendance(project=PROJECT, day=day[2], people=[pm]))  # replaced
        for n, off_s in ((3, -3600.0), (2, 3600.0)):  # by the deadline (noon the next day), and after it
            signed_at = LogPolicy().deadline(day[n]) + off_s
            site_document(
                c,
                SAFETY_LOGS_PATH,
                SafetyLog(
                    project=PROJECT,
                    day=day[n],
                    content=SafetyLogContent(),
                    signed_by="王监理",
                    signed_at=signed_at,
                ),
            )
        wait(lambda: len(c.province.rows("SELECT day FROM safety_logs")) == 2, "the logs up", 60, c)
        wait(lambda: c.backlog() == 0, "the city's outbox empty", 60, c)
        wait(
            lambda: c.province.rows(f"SELECT COUNT(*) FROM key_attendance WHERE day = '{day[2]}'") == [(1,)],
            "the day sent again replaced at the province",
            60,
            c,
        )
        city, province = c.city.repo(), c.province.repo()
        try:
            gd = Accounts(province).add_user("gd", PASSWORD, "regulator", jurisdiction="广东省")
            sz = Actor("sz", "regulator", None, "广东省/深圳市")
            at_city = [d.model_dump() for d in log_days(city, sz, LogPolicy(), 7, PROJECT)]
            city_look_back = look_back(city, sz, PROJECT)
            # the province's upkeep leaves the city's missing log to the city: no hazard of its own
            flag_missing(Review(province), LogPolicy())
        finally:
            city.close()
            province.close()
        own = c.province.rows(
            "SELECT h.alert_id FROM hazards h WHERE NOT EXISTS (SELECT 1 FROM forward_records f "
            "WHERE f.kind = 'hazard' AND f.local_id = CAST(h.id AS TEXT))"
        )
        assert own == []
        with httpx.Client(base_url=c.province.url, timeout=30) as ui:
            enrol(ui, "gd", gd.enrolment_code or "")
            listed = ui.get("/ui/api/safety-logs", params={"project": PROJECT, "days": 7})
            assert listed.status_code == 200, listed.text
            statuses = {d["day"]: d["status"] for d in listed.json()}
            assert [statuses[str(day[n])] for n in (4, 3, 2, 0)] == ["missing", "received", "late", "due"]
            assert listed.json() == [{**d, "day": str(d["day"])} for d in at_city]
            looked = ui.get(f"/ui/api/key-attendance/{PROJECT}")
            assert looked.status_code == 200, looked.text
            assert city_look_back is not None
            assert looked.json() == city_look_back.model_dump(mode="json")
            people = {p["person"]: (p["days_on_site"], p["minutes"]) for p in looked.json()["people"]}
            assert people == {"p-1": (3, 1440), "p-2": (2, 600)}


async def test_a_citys_safety_log_or_attendance_day_out_of_bounds_is_refused_naming_the_field(
    province: RegulatorServer,
) -> None:
    assert (await send(province, batch(project("GD-SZ-1", PLACE)))).status_code == 200
    log = {
        "project": "GD-SZ-1",
        "day": "2026-11-20",
        "signed_by": "王监理",
        "signed_at": 1.0,
        "received_at": 1.0,
    }
    person = {"person": "p-1", "name": "张经理", "role": "project_manager", "minutes": 60}
    day = {"project": "GD-SZ-1", "day": "2026-11-20", "people": json.dumps([person]), "received_at": 1.0}

    def sent(kind: Literal["safety_log", "attendance_day"], row: dict[str, Any]) -> Batch:
        return batch(Record(seq=2, kind=kind, ref=f"{row['project']}:{row['day']}", row=row))

    assert refused_field(await send(province, sent("safety_log", log | {"day": "20/11/2026"}))) == (
        "records.0.row.day"
    )
    assert refused_field(await send(province, sent("safety_log", log | {"project": "GD-GZ-9"}))) == (
        "records.0.row.project"
    )
    too_long = json.dumps([person | {"minutes": 1441}])
    assert refused_field(await send(province, sent("attendance_day", day | {"people": too_long}))) == (
        "records.0.row.people.minutes"
    )
    assert refused_field(await send(province, sent("attendance_day", day | {"people": "[]"}))) == (
        "records.0.row.people"
    )
    assert one(province, "SELECT COUNT(*) FROM safety_logs") == (0,)
    assert one(province, "SELECT COUNT(*) FROM key_attendance") == (0,)
    assert (await send(province, sent("attendance_day", day))).status_code == 200
    assert one(province, "SELECT person, minutes FROM key_attendance") == ("p-1", 60)
