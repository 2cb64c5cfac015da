"""The gateway's side of the daily safety log from a real local store (gateway/site/safety_log/): the key people's
day from the gates' passages (first in, last out, minutes; a person inside at midnight; a missed exit), the
gates' passages kept 90 days while other readings go after the store's 35, the log's wind and windows from
readings (a faulty reading never the maximum), and the schedule that drafts at the configured time and queues
every finished day's attendance once, catching up the days a stopped gateway missed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from contract.config import load_site
from contract.config.sinks import LocalStoreConfig
from contract.readings import Quality, Reading
from contract.weather import WarningSignal
from gateway.alerts.manager import AlertManager
from gateway.site.safety_log.attendance import day_bounds, person_day
from gateway.site.safety_log.draft import Sources, draft
from gateway.site.safety_log.schedule import SafetyLogSchedule
from gateway.site.safety_log.store import SafetyLogStore
from gateway.site.weather_warnings import WarningBoard
from gateway.store.local import LocalStore
from gateway.uplinks.base import BEIJING
from rules.result import RuleResult

ROOT = Path(__file__).resolve().parents[2]
SITE = load_site(ROOT / "config" / "examples" / "site.yaml")
PM = SITE.config.key_personnel[0]  # 王海峰, project_manager
PROJECT = SITE.config.project.code
DAY = date(2026, 11, 20)
START, END = day_bounds(DAY)
H = 3600.0


def test_a_day_from_passages_counts_from_midnight_to_the_last_exit() -> None:
    passages = [
        (START - 2 * H, True),  # came in the evening before, still in at midnight
        (START + 1 * H, False),
        (START + 8 * H, True),
        (START + 9 * H, True),  # a second entry without an exit between (a tailgate): the first counts
        (START + 12 * H, False),
        (START + 13 * H, False),  # an exit without an entry: no time is invented
    ]
    day = person_day(PM, passages, START, END)
    assert (day.first_in, day.last_out, day.minutes) == (START, START + 12 * H, 60 + 4 * 60)


def test_a_person_still_inside_counts_to_the_end_and_one_never_seen_is_absent() -> None:
    inside = person_day(PM, [(START + 20 * H, True)], START, END)
    assert (inside.first_in, inside.last_out, inside.minutes) == (START + 20 * H, None, 240)
    absent = person_day(PM, [(START - 3 * H, True), (START - 1 * H, False)], START, END)
    assert (absent.first_in, absent.last_out, absent.minutes) == (None, None, 0)


def test_gate_passages_are_kept_90_days_other_readings_35(tmp_path: Path) -> None:
    store = LocalStore(
        tmp_path / "h.db", LocalStoreConfig(flush_interval_s=0.05), maintenance_interval_s=3600
    )
    store.start()
    now = time.time()
    ages = (34, 36, 89, 91)  # days
    store.add([Reading(now - d * 86400, PROJECT, "gate-1", "on_site", 1.0, point="KP-01") for d in ages])
    store.add([Reading(now - d * 86400, PROJECT, "anemo-1", "wind_ms", 5.0) for d in ages])
    assert store.flush(10)
    report = store.maintain()
    store.stop()
    assert report is not None and report.expired_rows == 4  # wind of 36, 89, 91 days; the gate's of 91
    gate = store.reader.history("gate-1", "on_site", now - 100 * 86400, now, point="KP-01")
    wind = store.reader.history("anemo-1", "wind_ms", now - 100 * 86400, now)
    assert gate is not None and [round((now - p.ts) / 86400) for p in gate.points] == [89, 36, 34]
    assert wind is not None and [round((now - p.ts) / 86400) for p in wind.points] == [34]


class Judged:
    """The rules' side of the warning board: told the signals, as the RuleEngine is."""

    def set_warnings(self, signals: list[WarningSignal]) -> None:
        self.signals = signals


def test_the_disk_budget_takes_other_readings_and_leaves_the_gates_passages(tmp_path: Path) -> None:
    store = LocalStore(
        tmp_path / "h.db", LocalStoreConfig(max_disk_mb=1, flush_interval_s=0.05), maintenance_interval_s=3600
    )
    store.start()
    now = time.time()
    store.add(
        [
            Reading(now - 80 * 86400 + k * 60, PROJECT, "gate-1", "on_site", float(k % 2), point="KP-01")
            for k in range(10)
        ]
    )
    start = now - 86400
    for k in range(10):
        store.add(
            [
                Reading(start + (k * 10_000 + i) * 0.5, PROJECT, "crane-1", "load_t", float(i))
                for i in range(10_000)
            ]
        )
    assert store.flush(30)
    report = store.maintain()
    store.stop()
    assert report is not None and report.budget_rows > 0 and report.used_bytes <= 0.8e6
    gate = store.reader.history("gate-1", "on_site", now - 90 * 86400, now, point="KP-01")
    assert gate is not None and len(gate.points) == 10  # 80 days old, inside their 90: all kept


@pytest.fixture
def sources(tmp_path: Path) -> Iterator[Sources]:
    store = LocalStore(tmp_path / "h.db", LocalStoreConfig(flush_interval_s=0.05), maintenance_interval_s=1e9)
    store.start()
    alerts = AlertManager(tmp_path / "alerts.sqlite", PROJECT, lambda _: None, clock=lambda: START + 13 * H)
    [fired] = alerts.handle(
        [
            RuleResult(
                rule="crane.wind",
                device="crane-1",
                point="",
                level="critical",
                ts=START + 10 * H,
                clause="GB/T 5144-2006",
                value=12.5,
                message="1号塔吊 风速 12.5 m/s：停止吊装",
            )
        ]
    )
    alerts.acknowledge(fired.alert_id, "super1", "已停止吊装")
    alerts.resolve(fired.alert_id, "super1", "风速回落，恢复作业")
    store.add(
        [
            Reading(START + 10 * H, PROJECT, "anemo-1", "wind_ms", 12.5),
            Reading(START + 11 * H, PROJECT, "anemo-1", "wind_ms", 99.0, quality=Quality.FAULT),
            Reading(START + 12 * H, PROJECT, "anemo-1", "wind_ms", 8.0),
            Reading(START + 13 * H, PROJECT, "ws-1", "wind_ms", 11.0),  # a weather station's, lighter
            Reading(START + 13 * H, PROJECT, "ws-1", "gust_ms", 17.3),
            Reading(START + 13 * H, PROJECT, "ws-1", "temp_c", 31.0),
            Reading(START + 15 * H, PROJECT, "ws-1", "temp_c", 33.5),
            Reading(START - 3 * H, PROJECT, "ws-1", "temp_c", 36.0),  # the day before: not this day's
            Reading(START - 2 * H, PROJECT, "formwork-1", "pour_active", 1.0),  # a pour through the night
            Reading(START + 3 * H, PROJECT, "formwork-1", "pour_active", 0.0),
            Reading(START + 14 * H, PROJECT, "crane-1", "jacking_active", 1.0),  # jacking still open
            Reading(START + 9 * H, PROJECT, "cs-1", "inside", 1.0, point="W-0007"),
            Reading(START + 10 * H, PROJECT, "cs-1", "inside", 0.0, point="W-0007"),
            Reading(START + 7 * H, PROJECT, "gate-1", "on_site", 1.0, point=PM.id),
            Reading(START + 17 * H, PROJECT, "gate-1", "on_site", 0.0, point=PM.id),
        ]
    )
    assert store.flush(10)
    board = WarningBoard(tmp_path / "warnings.sqlite", Judged())
    at = datetime.fromtimestamp(START, BEIJING)
    board.set("gale", "yellow", at + timedelta(hours=6), at + timedelta(hours=20), "super1")
    board.set("rainstorm", "blue", at - timedelta(days=3), at - timedelta(days=2), "super1")  # over before
    try:
        yield Sources(SITE, store.reader, alerts, board)
    finally:
        store.stop()
        alerts.close()
        board.close()


def test_the_draft_reads_the_wind_windows_entries_and_people_from_the_store(sources: Sources) -> None:
    log = draft(sources, DAY, END + 3600)
    assert (log.wind_max_ms, log.wind_device) == (12.5, "anemo-1")  # the faulty 99 m/s is no reading
    assert log.weather_max == {"gust_ms": 17.3, "temp_c": 33.5}
    assert [(w.what, w.device, w.started_ts, w.ended_ts) for w in log.windows] == [
        ("pour", "formwork-1", None, START + 3 * H),
        ("jacking", "crane-1", START + 14 * H, None),
    ]
    assert [(e.point, e.entered_ts, e.left_ts) for e in log.confined] == [
        ("W-0007", START + 9 * H, START + 10 * H)
    ]
    pm = next(p for p in log.people if p.person == PM.id)
    assert (pm.first_in, pm.last_out, pm.minutes) == (START + 7 * H, START + 17 * H, 600)
    [gale] = log.warnings  # the rainstorm signal ended days before: not in force that day
    assert gale.startswith("大风黄色预警（11-20 06:00 至 11-20 20:00）：")
    [alert] = log.alerts
    assert (alert.rule, alert.opened_ts, alert.resolved_ts) == ("crane.wind", START + 10 * H, START + 13 * H)
    assert (alert.handled_by, alert.handling) == ("super1", "已停止吊装")
    assert (alert.closed_by, alert.closing_note) == ("super1", "风速回落，恢复作业")


def test_an_alarm_firing_since_an_earlier_day_is_in_the_log_and_one_closed_the_day_before_is_not(
    sources: Sources, tmp_path: Path
) -> None:
    clock = [START - 2 * 86400]
    alerts = AlertManager(tmp_path / "earlier.sqlite", PROJECT, lambda _: None, clock=lambda: clock[0])

    def fire(rule: str, device: str, point: str, ts: float, message: str) -> str:
        clock[0] = ts
        verdict = RuleResult(
            rule, device, point, "alarm", ts, clause="GB 50330-2013", value=3.1, message=message
        )
        [fired] = alerts.handle([verdict])
        return fired.alert_id

    # a slope's rate alarm raised two days before (its logger's backlog) and left firing, never changed since
    fire("slope.rate", "slope-1", "BP-02", START - 2 * 86400, "东侧高边坡 测点 BP-02 水平位移速率 3.10 mm/d")
    gone = fire("pit.rate", "pit-1", "P-03", START - 5 * H, "1号基坑 变形速率")
    clock[0] = START - 4 * H
    alerts.resolve(gone, "super1", "复测正常")  # closed the evening before: that day's, not this one's
    try:
        log = draft(Sources(SITE, sources.readings, alerts, sources.warnings), DAY, END + 3600)
    finally:
        alerts.close()
    [alert] = log.alerts
    assert (alert.rule, alert.opened_ts, alert.resolved_ts) == ("slope.rate", START - 2 * 86400, None)
    assert alert.level == "alarm" and "BP-02" in alert.message and alert.closed_by == ""


def test_the_schedule_drafts_at_its_time_and_queues_each_finished_day_once(
    sources: Sources, tmp_path: Path
) -> None:
    store = SafetyLogStore(tmp_path / "logs.sqlite", PROJECT, ["regulator"])
    at = datetime.combine(DAY, datetime.min.time(), BEIJING).timestamp()
    clock = [at + 17 * H + 59 * 60]
    schedule = SafetyLogSchedule(sources, store, "18:00", clock=lambda: clock[0])
    schedule.tick()  # the gateway's first tick: the log starts today
    assert [r.day for r in store.listing()] == [DAY]
    first = store.get(DAY)
    assert first is not None
    clock[0] = at + 18 * H  # at 18:00 the draft is there already; a redraft keeps the officer's words
    store.edit(DAY, "晴", "浇筑", "super1")
    assert schedule.draft_day(DAY) and store.get(DAY).content.weather == "晴"  # type: ignore[union-attr]
    # the gateway was off for two days; back on the third at 17:00, before the draft time
    clock[0] = at + 3 * 86400 + 17 * H
    schedule.tick()
    days = [r.day for r in store.listing()]
    assert days == [
        DAY + timedelta(days=2),
        DAY + timedelta(days=1),
        DAY,
    ]  # the missed days drafted, not today
    assert [store.attendance_queued(DAY + timedelta(days=n)) for n in range(4)] == [True, True, True, False]
    sent = store.oldest("regulator")
    assert sent is not None and sent.doc == "attendance" and sent.day == DAY
    assert b'"minutes":600' in sent.body
    schedule.tick()  # nothing queued twice
    clock[0] = at + 3 * 86400 + 18 * H
    schedule.tick()
    assert store.get(DAY + timedelta(days=3)) is not None
    store.close()
