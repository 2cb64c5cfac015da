"""A hazard keeps the worst value of all its events and of the readings summaries of its device, point and
metric while it is open, with its time (issue #37), over real HTTP on SQLite and PostgreSQL: in any order
of arrival, lower being worse for a clearance, readings from before its first event or after its
resolution and of other points left out, a worse reading that came before the hazard opened or while
flood control held its warning counted, and never lowered by a later, smaller one."""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa

from contract.alert_event import AlertEvent
from contract.wire import EVENTS_PATH, READINGS_PATH
from regulator.server import RegulatorServer
from regulator.storage.db import migrate
from tests.regulator.support import HAZARD_0002, PROJECT, make_event, older_ledger
from tests.regulator.test_review import send

CRITICAL_CLAUSE = (
    "DBJ/T 15-197-2020 第8.0.4条、第8.0.5条 达到报警值（设计值）：危险报警 建质规〔2024〕5号 第六条(二)"
)
WARNING_CLAUSE = "DBJ/T 15-197-2020 第8.0.4条 达到报警值（设计值）的 80% 预警"


def axial(alert: str, n: int, kn: float, ts: float, state: str = "", level: str = "critical") -> AlertEvent:
    """An event of formwork-1 M3's axial force (design value 20 kN), as the gateway words it."""
    return make_event(
        alert,
        n,
        device="formwork-1",
        point="M3",
        rule="formwork.axial",
        clause=CRITICAL_CLAUSE if level == "critical" else WARNING_CLAUSE,
        level=level,
        state=state or ("firing" if n == 0 else "updated"),
        value=kn,
        threshold=20.0 if level == "critical" else 16.0,
        unit="kN",
        ts=ts,
        message=f"高支模 测点 M3 立杆轴力 {kn:g} kN，为报警值 20 kN 的 {kn / 20 * 100:.0f}%",
        details={"n": float(n)},
    )


async def deliver(receiver: RegulatorServer, *events: AlertEvent) -> None:
    for event in events:
        r = await send(receiver, EVENTS_PATH, json.loads(event.model_dump_json()))
        assert r.status_code == 200, r.text


async def readings(receiver: RegulatorServer, *values: tuple[str, str, float, float]) -> None:
    """A readings summary of formwork-1: (point, metric, ts, value) each."""
    body = {
        "project": PROJECT,
        "readings": [
            {
                "device": "formwork-1",
                "point": point,
                "metric": metric,
                "ts": ts,
                "value": value,
                "unit": "deg" if metric == "tilt_deg" else "kN",
            }
            for point, metric, ts, value in values
        ],
    }
    r = await send(receiver, READINGS_PATH, body)
    assert r.status_code == 200, r.text


def peak(receiver: RegulatorServer, alert: str) -> dict[str, Any]:
    with receiver.repo.engine.connect() as db:
        row = db.execute(
            sa.text(
                "SELECT peak_value, peak_ts, peak_message, peak_threshold, clause, level, value "
                "FROM hazards WHERE alert_id = :a"
            ),
            {"a": alert},
        ).one()
    return dict(row._mapping)


async def test_the_worst_of_all_events_in_any_order(receiver: RegulatorServer) -> None:
    t0 = time.time() - 3600
    firing, worse, worst, resolved = (
        axial("m3", 0, 20.88, t0),
        axial("m3", 1, 35.0, t0 + 60),
        axial("m3", 2, 59.0, t0 + 120),
        axial("m3", 3, 3.0, t0 + 600, state="resolved"),
    )
    await deliver(receiver, resolved, worst, firing, worse)  # the resolution redelivered first
    got = peak(receiver, "m3")
    assert (got["peak_value"], got["peak_ts"]) == (59.0, t0 + 120)
    assert got["peak_message"] == worst.message and got["clause"] == CRITICAL_CLAUSE
    assert (got["value"], got["level"]) == ("3.0", "critical")  # the newest value, the worst level


async def test_lower_is_worse_for_a_clearance(receiver: RegulatorServer) -> None:
    t0 = time.time() - 3600

    def clearance(alert: str, n: int, metres: float, ts: float, state: str = "") -> AlertEvent:
        return make_event(
            alert,
            n,
            rule="crane.collision",
            clause="GB 5144-2006 §10.5 建质规〔2024〕5号 第八条(八)",
            state=state or ("firing" if n == 0 else "updated"),
            value=metres,
            threshold=2.0,
            unit="m",
            ts=ts,
            message=f"1号塔吊与2号塔吊 最小净距 {metres} m",
        )

    await deliver(
        receiver,
        clearance("c1", 0, 1.8, t0),
        clearance("c1", 1, 1.2, t0 + 30),
        clearance("c1", 2, 1.6, t0 + 60),
        clearance("c1", 3, 2.6, t0 + 90, state="resolved"),
    )
    # the update first, then the firing event that says which way is worse
    await deliver(receiver, clearance("c2", 1, 1.1, t0 + 30), clearance("c2", 0, 1.9, t0))
    assert (peak(receiver, "c1")["peak_value"], peak(receiver, "c1")["peak_ts"]) == (1.2, t0 + 30)
    assert peak(receiver, "c2")["peak_value"] == 1.1


async def test_readings_summaries_count_while_the_hazard_is_open(receiver: RegulatorServer) -> None:
    t0 = time.time() - 3600
    await deliver(receiver, axial("m3", 0, 20.88, t0))
    await readings(
        receiver,
        ("M3", "axial_kn", t0 - 120, 70.0),  # before the hazard: another episode's
        ("M3", "axial_kn", t0 + 60, 45.0),  # the minute's peak between the site's events
        ("M2", "axial_kn", t0 + 60, 80.0),  # another pole
        ("M3", "tilt_deg", t0 + 60, 90.0),  # another metric
    )
    got = peak(receiver, "m3")
    assert (got["peak_value"], got["peak_ts"], got["peak_message"]) == (45.0, t0 + 60, "")
    await deliver(receiver, axial("m3", 1, 50.0, t0 + 90))  # the site's worse update: its words too
    got = peak(receiver, "m3")
    assert (got["peak_value"], got["peak_message"]) == (50.0, axial("m3", 1, 50.0, t0).message)
    # a late summary of a minute replaces its value lower: the peak is never lowered
    await readings(receiver, ("M3", "axial_kn", t0 + 61, 40.0))
    assert peak(receiver, "m3")["peak_value"] == 50.0
    await deliver(receiver, axial("m3", 2, 4.0, t0 + 600, state="resolved"))
    await readings(receiver, ("M3", "axial_kn", t0 + 700, 90.0))  # after the resolution: another episode's
    assert peak(receiver, "m3")["peak_value"] == 50.0
    await readings(receiver, ("M3", "axial_kn", t0 + 540, 55.0))  # backfilled from before it: counts
    assert (peak(receiver, "m3")["peak_value"], peak(receiver, "m3")["peak_ts"]) == (55.0, t0 + 540)


async def test_a_worse_reading_that_came_before_the_hazard_opened_counts(receiver: RegulatorServer) -> None:
    t0 = time.time() - 3600
    await readings(receiver, ("M3", "axial_kn", t0 + 30, 33.0))
    await deliver(receiver, axial("m3", 0, 21.0, t0))  # the event delivered after an outage
    assert (peak(receiver, "m3")["peak_value"], peak(receiver, "m3")["peak_ts"]) == (33.0, t0 + 30)


async def test_readings_while_flood_control_held_the_warning_count(receiver: RegulatorServer) -> None:
    t0 = time.time() - 3600
    # a warning (16 kN, 80 % of the design value) is held until the site keeps it open past the hold
    await deliver(receiver, axial("w", 0, 17.0, t0, level="warning"))
    await readings(receiver, ("M3", "axial_kn", t0 + 60, 19.5))
    with receiver.repo.engine.connect() as db:
        assert db.execute(sa.text("SELECT COUNT(*) FROM hazards WHERE alert_id = 'w'")).scalar() == 0
    await deliver(receiver, axial("w", 1, 17.5, t0 + 900, level="warning"))  # past the hold: a hazard
    assert (peak(receiver, "w")["peak_value"], peak(receiver, "w")["peak_ts"]) == (19.5, t0 + 60)


# a hazard as the 0015 release wrote it (with its peak, without a direction)
HAZARD_0015 = (
    HAZARD_0002.split(" ON CONFLICT")[0]
    .replace("state, updated_at)", "state, updated_at, peak_value, peak_threshold, peak_message, peak_ts)")
    .replace("'pending', :now)", "'pending', :now, :peak_value, :threshold, :message, :ts)")
)


def test_upgrade_to_0016_gives_the_hazards_there_are_a_direction_and_a_series(db_url: str) -> None:
    events = [
        axial("m3", 0, 21.0, 1.0),
        make_event("c1", rule="crane.collision", value=1.5, threshold=2.0, unit="m"),
        make_event("op", rule="crane.operator", value="OP-1002"),
    ]
    engine = older_ledger(db_url, "0015", HAZARD_0015, events)
    migrate(engine)
    with engine.connect() as db:
        rows = db.execute(
            sa.text("SELECT alert_id, peak_dir, peak_metric FROM hazards ORDER BY alert_id")
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("c1", -1, None), ("m3", 1, "axial_kn"), ("op", None, None)]
