"""The alerts' life: one alert per fingerprint, escalation, acknowledgement, resolution, silences,
inhibition, delivery order, and persistence in SQLite across restarts."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract.alert_event import AlertEvent, Level
from gateway.alerts.manager import AlertError, AlertManager
from gateway.alerts.models import SilenceSpec
from plumbing.sqlite import sqlite3
from rules import RuleResult

PROJECT = "GD-SZ-2026-0001"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def load(level: Level | None, ts: float, device: str = "crane-1", pct: float = 95.0) -> RuleResult:
    return RuleResult(
        rule="crane.load",
        device=device,
        point="",
        level=level,
        ts=ts,
        clause="GB 5144-2006 §6.1.2",
        value=pct,
        threshold=90.0,
        unit="%",
        message=f"load {pct}%",
    )


def offline(level: Level | None, ts: float, device: str = "crane-1") -> RuleResult:
    return RuleResult(
        rule="device.offline",
        device=device,
        point="",
        level=level,
        ts=ts,
        clause="practice",
        value=3.0,
        unit="s",
    )


@pytest.fixture
def sent() -> list[AlertEvent]:
    return []


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def manager(tmp_path: Path, sent: list[AlertEvent], clock: Clock) -> Iterator[AlertManager]:
    m = AlertManager(tmp_path / "state" / "alerts.db", PROJECT, sent.append, clock)
    yield m
    m.close()


def test_escalation_updates_one_alert(manager: AlertManager, sent: list[AlertEvent]) -> None:
    manager.handle(
        [
            load("warning", 1),
            load("warning", 2),
            load("alarm", 3),
            load("critical", 4),
            load("alarm", 5),
            load(None, 6),
            load(None, 7),
        ]
    )
    assert [(e.state, e.level) for e in sent] == [
        ("firing", "warning"),
        ("updated", "alarm"),
        ("updated", "critical"),
        ("updated", "alarm"),
        ("resolved", "alarm"),
    ]
    assert len({e.alert_id for e in sent}) == 1 and len({e.event_id for e in sent}) == 5
    assert sent[0].alert_id == f"{PROJECT}:crane-1::crane.load:1"
    [alert] = manager.list_alerts()
    assert alert.state == "resolved" and alert.resolved_ts == 6
    # the condition comes back: a new alert for the same fingerprint
    manager.handle([load("warning", 8)])
    assert sent[-1].alert_id.endswith(":2") and sent[-1].state == "firing"


def test_acknowledge_needs_a_name_and_an_escalation_reopens(
    manager: AlertManager, sent: list[AlertEvent], clock: Clock
) -> None:
    manager.handle([load("alarm", 1)])
    alert_id = sent[0].alert_id
    with pytest.raises(AlertError, match="name the supervisor"):
        manager.acknowledge(alert_id, "  ")
    clock.now = 1234.0
    event = manager.acknowledge(alert_id, "王工 (safety officer)", "吊物已落地，检查限位器")
    assert event is not None and (event.state, event.actor, event.ts) == (
        "acknowledged",
        "王工 (safety officer)",
        1234.0,
    )
    assert manager.get(alert_id).alert.state == "acknowledged"
    with pytest.raises(AlertError, match="already acknowledged"):
        manager.acknowledge(alert_id, "李工")
    manager.handle([load("critical", 2)])
    assert sent[-1].state == "updated" and manager.get(alert_id).alert.state == "firing"


def test_resolve_by_hand_and_errors(manager: AlertManager, sent: list[AlertEvent]) -> None:
    jump = RuleResult(
        rule="pit.jump", device="pit-1", point="ZQS-05", level="critical", ts=1, clause="§8.0.9", latched=True
    )
    manager.handle([jump])
    alert_id = sent[0].alert_id
    manager.handle([RuleResult(rule="pit.jump", device="pit-1", point="ZQS-05", level=None, ts=2, clause="")])
    assert manager.get(alert_id).alert.state == "firing"  # latched: the rules cannot clear it
    event = manager.resolve(alert_id, "张工", "现场复核，位移稳定")
    assert event is not None and event.state == "resolved" and event.note == "现场复核，位移稳定"
    with pytest.raises(AlertError, match="already resolved"):
        manager.resolve(alert_id, "张工")
    with pytest.raises(AlertError, match="no alert"):
        manager.acknowledge("nope", "张工")
    history = manager.get(alert_id).history
    assert [e.state for e in history] == ["firing", "resolved"]


def test_alerts_survive_a_restart(tmp_path: Path, clock: Clock) -> None:
    db = tmp_path / "alerts.db"
    first: list[AlertEvent] = []
    m1 = AlertManager(db, PROJECT, first.append, clock)
    m1.handle([load("alarm", 1), offline("warning", 1, device="anemo-1")])
    m1.acknowledge(first[0].alert_id, "王工", "处理中")
    m1.close()  # the gateway restarts

    second: list[AlertEvent] = []
    m2 = AlertManager(db, PROJECT, second.append, clock)
    active = m2.list_alerts(state="acknowledged")
    assert [a.alert_id for a in active] == [first[0].alert_id]
    m2.handle([load("alarm", 5)])  # the restarted rules report the same level: nothing new
    assert second == []
    m2.handle([load(None, 6)])  # and then that it is over: the same alert resolves
    assert [(e.alert_id, e.state) for e in second] == [(first[0].alert_id, "resolved")]
    assert [e.state for e in m2.get(first[0].alert_id).history] == ["firing", "acknowledged", "resolved"]
    m2.close()
    mode = sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_events_the_outbox_refused_are_offered_again_in_order(tmp_path: Path, clock: Clock) -> None:
    db = tmp_path / "alerts.db"
    accepted: list[AlertEvent] = []
    broken = True

    def outbox(event: AlertEvent) -> None:
        if broken:
            raise OSError("disk full")
        accepted.append(event)

    m1 = AlertManager(db, PROJECT, outbox, clock)
    m1.handle([load("warning", 1), load("alarm", 2)])
    assert accepted == []
    m1.close()
    broken = False
    m2 = AlertManager(db, PROJECT, outbox, clock)  # start-up offers what was never accepted
    assert [(e.state, e.level) for e in accepted] == [("firing", "warning"), ("updated", "alarm")]
    m2.handle([load("critical", 3)])
    assert accepted[-1].level == "critical"
    m2.close()


def test_silence_holds_events_back_until_its_window_ends(
    manager: AlertManager, sent: list[AlertEvent]
) -> None:
    silence = manager.add_silence(
        SilenceSpec(
            device="crane-1",
            rule="crane.load",
            author="王工",
            reason="1号塔吊顶升加节",
            start_ts=0,
            end_ts=100,
        )
    )
    manager.handle([load("alarm", 10)])
    assert sent == []
    assert manager.list_alerts(device="crane-1")[0].state == "firing"  # tracked all the same
    assert [s.id for s in manager.list_silences(active_at=50)] == [silence.id]
    manager.handle([load("warning", 20), offline("warning", 20, device="crane-2")])
    assert [e.device for e in sent] == ["crane-2"]  # another device is not silenced
    manager.tick(99)
    assert len(sent) == 1
    manager.tick(100)  # the window is over and the alert still active: deliver where it stands
    assert (sent[-1].rule, sent[-1].state, sent[-1].level) == ("crane.load", "firing", "warning")


def test_silenced_alert_that_ends_within_the_window_is_never_sent(
    manager: AlertManager, sent: list[AlertEvent]
) -> None:
    manager.add_silence(SilenceSpec(device="crane-1", author="王工", reason="维保", start_ts=0, end_ts=100))
    manager.handle([load("alarm", 10), load(None, 20)])
    manager.tick(200)
    assert sent == []
    assert [e.state for e in manager.get(manager.list_alerts()[0].alert_id).history] == ["firing", "resolved"]


def test_deleting_a_silence_releases_what_it_held(
    manager: AlertManager, sent: list[AlertEvent], clock: Clock
) -> None:
    s = manager.add_silence(
        SilenceSpec(rule="crane.load", author="王工", reason="标定", start_ts=0, end_ts=1e9)
    )
    manager.handle([load("alarm", 10)])
    manager.delete_silence(s.id, "王工")
    assert (
        manager.list_silences() == [] and manager.list_silences(include_deleted=True)[0].deleted_by == "王工"
    )
    manager.tick(11)
    assert [(e.state, e.level) for e in sent] == [("firing", "alarm")]


def test_silence_must_name_what_and_end_after_it_starts() -> None:
    with pytest.raises(ValueError, match="device or a rule"):
        SilenceSpec(author="a", reason="b", start_ts=0, end_ts=1)
    with pytest.raises(ValueError, match="end after it starts"):
        SilenceSpec(device="crane-1", author="a", reason="b", start_ts=5, end_ts=1)


def test_offline_device_inhibits_its_other_alerts(manager: AlertManager, sent: list[AlertEvent]) -> None:
    manager.handle([offline("warning", 1)])
    manager.handle([load("alarm", 2, pct=101)])  # a late reading of the silent crane
    assert [e.rule for e in sent] == ["device.offline"]
    manager.handle([load("alarm", 3, device="crane-2")])  # another crane is not inhibited
    manager.handle([offline(None, 4)])
    manager.tick(4)
    assert [(e.device, e.rule, e.state) for e in sent] == [
        ("crane-1", "device.offline", "firing"),
        ("crane-2", "crane.load", "firing"),
        ("crane-1", "device.offline", "resolved"),
        ("crane-1", "crane.load", "firing"),
    ]


def test_list_filters(manager: AlertManager) -> None:
    manager.handle(
        [load("warning", 10), load("critical", 20, device="crane-2"), offline("alarm", 30, "anemo-1")]
    )
    assert {a.device for a in manager.list_alerts(rule="crane.load")} == {"crane-1", "crane-2"}
    assert [a.device for a in manager.list_alerts(level="critical")] == ["crane-2"]
    assert [a.device for a in manager.list_alerts(since=25)] == ["anemo-1"]
    assert [a.device for a in manager.list_alerts(until=15)] == ["crane-1"]
    assert manager.list_alerts(state="resolved") == []


def test_vision_results_take_the_same_path_with_their_evidence(
    manager: AlertManager, sent: list[AlertEvent]
) -> None:
    def helmet(level: Level | None, ts: float, evidence: str | None = None) -> RuleResult:
        return RuleResult(
            rule="vision.no_helmet",
            device="cam-1",
            point="",
            level=level,
            ts=ts,
            clause="JGJ 59-2011",
            message="未戴安全帽",
            evidence=evidence,
        )

    manager.handle([helmet("warning", 1, "data:image/jpeg;base64,/9j/AAA="), helmet(None, 5)])
    assert [(e.state, e.evidence) for e in sent] == [
        ("firing", "data:image/jpeg;base64,/9j/AAA="),
        ("resolved", None),
    ]


def test_a_verdicts_whole_number_details_are_kept_as_the_alert_types_them(
    manager: AlertManager, sent: list[AlertEvent]
) -> None:
    """power.arc counts its arcs as an int: the escalation's figures must reach the alert as its model types
    them (a float), as the firing's do, or every dump of the alert warns (the demo printed pydantic's
    serializer warnings on its console) and the two events disagree on the detail's type."""

    def arcs(level: Level, ts: float, count: int) -> RuleResult:
        return RuleResult(rule="power.arc", device="power-main", point="", level=level, ts=ts,
                          clause="JGJ/T 46-2024", value=float(count), details={"arcs_in_shift": count})  # fmt: skip

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        manager.handle([arcs("alarm", 1, 1), arcs("critical", 2, 2)])
        (alert,) = manager.list_alerts(rule="power.arc")
        assert alert.model_dump_json()
        assert [e.model_dump_json() for e in sent]
    assert alert.details == {"arcs_in_shift": 2.0}
    assert isinstance(alert.details["arcs_in_shift"], float)
    assert [type(e.details["arcs_in_shift"]) for e in sent] == [float, float]
