"""fire_detector.alarm, written from the standard (docs/standards.md §18: "smoke/heat detector alarm near a
just-closed permit → alarm (watch period configurable, 30 min is common practice [U])"; GB/T 50720-2011
（2025年版）§6.3.1(8): 动火作业后，应对现场进行检查，并应在确认无火灾危险后，动火操作人员再离开).

Every alarm is an alarm. Within the watch period after a permit at the detector's place stopped being in force
(以内: at exactly 30 min still), it names the permit as a suspected rekindling and cites §6.3.1(8); while one is in
force, a fire at the work (§6.3.1(6)); otherwise a plain alarm, practice. Only a fresh 0 ends it: stale, faulty,
NaN, a value that is no state, or silence never do. Driven as a site sees it: readings replayed through the rules
engine and the alert manager (sitegw.replay) on the reference site with the kind's sample detector, smoke-1 at
3号楼5层 (kinds/fire_detector/site.yaml)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract.alert_event import AlertEvent
from contract.config import LoadedSite, load_site
from contract.config.errors import ConfigError
from contract.hot_work import Permit
from contract.readings import Quality, Reading
from kinds.fire_detector.alarm import CLAUSE_NONE
from rules import RuleEngine
from sitegw.replay import replay, replay_file
from tests.gateway.test_hot_work_register import request
from tests.rules.sites import PROJECT, site_variant

REPO = Path(__file__).resolve().parents[2]
HOME = REPO / "kinds" / "fire_detector"
RULE, DEV, PLACE = "fire_detector.alarm", "smoke-1", "3号楼5层"
END = datetime.fromisoformat("2026-11-21T10:00:00+08:00")  # the permits' work ends here
T_END = END.timestamp()
MIN = 60.0
AFTER_WORK = "GB/T 50720-2011（2025年版）第6.3.1条第8款 动火作业后，应对现场进行检查"
DURING_WORK = "GB/T 50720-2011（2025年版）第6.3.1条第6款 "


def site_of(tmp_path: Path, rules: dict[str, Any] | None = None, **more: Any) -> LoadedSite:
    """The reference site with the kind's sample detector (smoke-1 at 3号楼5层, polled every 5 s) and ``rules``."""
    sample = yaml.safe_load((HOME / "site.yaml").read_text(encoding="utf-8"))

    def change(data: dict[str, Any]) -> None:
        data["devices"] += sample
        if rules:
            data.setdefault("rules", {}).update(rules)
        data.update(more)

    return site_variant(tmp_path, change)


def permit(
    pid: str = "DH-1",
    place: str = PLACE,
    start: datetime = END - timedelta(hours=1),
    end: datetime = END,
    closed: datetime | None = END,
    level: str | None = None,
) -> Permit:
    """A permit for ``place`` over [start, end), closed with its post-work check at ``closed`` (None: never)."""
    issued = request(place=place, start=start, end=end, level=level).model_dump()
    return Permit(
        **issued,
        id=pid,
        signer="王工",
        signed_ts=start.timestamp(),
        closed_ts=None if closed is None else closed.timestamp(),
        closed_by="王工" if closed is not None else "",
    )


def reading(ts: float, value: float, quality: Quality = Quality.OK, device: str = DEV) -> Reading:
    return Reading(ts, PROJECT, device, "fire_alarm", value, quality=quality)


def normal_until(ts: float, start: float = T_END + MIN) -> list[Reading]:
    """The detector reading 0 every 5 s (its poll) from ``start`` up to, not at, ``ts``."""
    return [reading(t, 0.0) for t in _every(start, ts, 5.0)]


def _every(start: float, end: float, step: float) -> list[float]:
    return [start + i * step for i in range(max(0, math.ceil((end - start) / step)))]


def events(site: LoadedSite, readings: list[Reading], permits: tuple[Permit, ...]) -> list[AlertEvent]:
    """The detector's fire_detector.alarm events, as the site sees them."""
    out: list[AlertEvent] = []
    replay(site, readings, out.append, permits=permits)
    return [e for e in out if e.rule == RULE and e.device == DEV]


def alarm_at(site: LoadedSite, after_s: float, permits: tuple[Permit, ...]) -> AlertEvent:
    """The alert of an alarm ``after_s`` after the permits' end, the detector quiet since a minute after it."""
    ts = T_END + after_s
    found = events(site, [*normal_until(ts, min(ts, T_END + MIN) - 5.0), reading(ts, 1.0)], permits)
    assert [(e.state, e.level) for e in found] == [("firing", "alarm")], found
    return found[0]


# ---- the watch period: 以内, at exactly 30 min still after the work ------------------------------------


@pytest.mark.parametrize(
    ("after_s", "after_work"),
    [
        (10 * MIN, True),
        (30 * MIN - 1, True),
        (30 * MIN, True),
        (30 * MIN + 1, False),
        (45 * MIN, False),
    ],
    ids=["10 min", "1 s below 30 min", "at 30 min", "1 s above 30 min", "45 min"],
)
def test_an_alarm_within_30_min_after_a_permit_closed_names_it_as_a_suspected_rekindling(
    tmp_path: Path, after_s: float, after_work: bool
) -> None:
    e = alarm_at(site_of(tmp_path), after_s, (permit(),))
    assert e.level == "alarm"  # the level never depends on the permit
    if after_work:
        assert "动火许可证 DH-1（3号楼5层，电焊）已于 11-21 10:00:00 检查关闭" in e.message, e.message
        assert "动火作业结束后" in e.message and "疑似余火复燃" in e.message, e.message
        assert e.clause.startswith(AFTER_WORK) and "（阈值为行业惯例，非标准条文，可配置）" in e.clause
        assert "permit DH-1 closed" in e.message_en and "suspected rekindling" in e.message_en
        assert e.threshold == 30.0
    else:
        assert "DH-1" not in e.message and "疑似余火复燃" not in e.message, e.message
        assert e.clause == CLAUSE_NONE
    # Chinese first, then what to do
    assert e.message.index("烟感温感探测器报警") < e.message.index("：立即到场核查")


def test_the_elapsed_time_is_said_to_the_second_at_the_boundary(tmp_path: Path) -> None:
    site = site_of(tmp_path)
    assert "动火作业结束后 10 分钟报警（观察期 30 分钟内）" in alarm_at(site, 10 * MIN, (permit(),)).message
    assert "动火作业结束后 29 分 59 秒报警" in alarm_at(site, 30 * MIN - 1, (permit(),)).message


@pytest.mark.parametrize(
    ("rules", "after_s", "after_work"),
    [
        ({"fire_detector": {"watch_min": 60}}, 45 * MIN, True),
        ({"fire_detector": {"watch_min": 60}}, 60 * MIN + 1, False),
        ({"fire_detector": {"watch_min": 5}}, 10 * MIN, False),
        ({"devices": {DEV: {"fire_detector": {"watch_min": 60}}}}, 45 * MIN, True),
    ],
    ids=["site 60: 45 min in", "site 60: 60 min 1 s out", "site 5: 10 min out", "device 60: 45 min in"],
)
def test_the_watch_period_is_the_sites_or_the_detectors(
    tmp_path: Path, rules: dict[str, Any], after_s: float, after_work: bool
) -> None:
    e = alarm_at(site_of(tmp_path, rules), after_s, (permit(),))
    assert ("疑似余火复燃" in e.message) is after_work, e.message


def test_a_permit_whose_window_ended_unchecked_counts_from_its_end(tmp_path: Path) -> None:
    # hot work stops at the window's end, checked or not: the watch runs from there, and the alert says no
    # post-work check was recorded
    e = alarm_at(site_of(tmp_path), 20 * MIN, (permit(closed=None),))
    assert "已于 11-21 10:00:00 结束（未记录动火后检查）" in e.message and "疑似余火复燃" in e.message
    assert e.clause.startswith(AFTER_WORK)


def test_a_permit_cut_by_its_levels_validity_counts_from_there(tmp_path: Path) -> None:
    # a 一级 permit (1 day under the default scheme) signed for 2 days stopped covering hot work after 24 h
    start = END - timedelta(hours=24)
    long = permit(start=start, end=start + timedelta(hours=48), closed=None, level="一级")
    assert "疑似余火复燃" in alarm_at(site_of(tmp_path), 10 * MIN, (long,)).message


def test_of_two_permits_ended_the_alarm_names_the_last(tmp_path: Path) -> None:
    earlier = permit("DH-0", start=END - timedelta(hours=3), end=END - timedelta(hours=2), closed=None)
    e = alarm_at(site_of(tmp_path), 10 * MIN, (earlier, permit()))
    assert "DH-1" in e.message and "DH-0" not in e.message


# ---- during the work, another place, no permit ---------------------------------------------------------


def test_an_alarm_while_a_permit_is_in_force_is_a_fire_at_the_work(tmp_path: Path) -> None:
    in_force = permit(start=END - timedelta(hours=1), end=END + timedelta(hours=2), closed=None)
    e = alarm_at(site_of(tmp_path), 10 * MIN, (in_force,))
    assert e.level == "alarm"
    assert "动火许可证 DH-1（3号楼5层，电焊）动火作业进行中：立即停止动火" in e.message, e.message
    assert e.clause.startswith(DURING_WORK) and "动火监护人" in e.clause
    assert "during hot work under permit DH-1" in e.message_en


@pytest.mark.parametrize(
    "permits",
    [
        (),
        (permit(place="2号楼3层"),),
        (permit(start=END + timedelta(hours=1), end=END + timedelta(hours=2), closed=None),),
        (permit(closed=END - timedelta(hours=2)),),  # closed before its start: never in force, no hot work
    ],
    ids=["none", "another place", "not begun", "never in force"],
)
def test_an_alarm_no_permit_explains_is_still_an_alarm_citing_practice(
    tmp_path: Path, permits: tuple[Permit, ...]
) -> None:
    e = alarm_at(site_of(tmp_path), 10 * MIN, permits)
    assert e.level == "alarm" and e.clause == CLAUSE_NONE
    assert "不对应具体标准条文" in e.clause and "行业惯例" in e.clause  # no article invented
    assert "许可证 DH" not in e.message and "烟感温感探测器报警：立即到场核查有无明火" in e.message


def test_the_alarms_words_are_what_held_when_it_began(tmp_path: Path) -> None:
    # an alarm that began 10 min after the permit closed and still stands at 40 min is still that permit's
    engine = RuleEngine(site_of(tmp_path))
    engine.set_permits([permit()])
    said = [
        r
        for t in _every(T_END + 10 * MIN, T_END + 40 * MIN + 5, 5.0)
        for r in engine.process([reading(t, 1.0)])
        if r.rule == RULE
    ]
    assert said and all(r.level == "alarm" and "DH-1" in r.message for r in said)


# ---- fail safe: only a fresh 0 ends it ------------------------------------------------------------------


def test_stale_faulty_broken_or_silent_never_clears_only_a_fresh_0_does(tmp_path: Path) -> None:
    ts = T_END + 10 * MIN
    after = [
        reading(ts + 5, 0.0, Quality.STALE),
        reading(ts + 10, 0.0, Quality.FAULT),
        reading(ts + 15, math.nan),
        reading(ts + 20, 2.0),  # no state of a detector (a vendor's fault code)
        reading(ts + 25, -1.0),
        reading(ts + 30, 0.5),  # a fraction: a mis-scaled 1, never normal
        # then silent for 20 minutes (device.offline's), and a stale 0 after it
        reading(ts + 30 + 20 * MIN, 0.0, Quality.STALE),
    ]
    readings = [*normal_until(ts), reading(ts, 1.0), *after]
    site = site_of(tmp_path)
    out: list[AlertEvent] = []
    replay(site, readings, out.append, permits=(permit(),))
    mine = [e for e in out if e.rule == RULE and e.device == DEV]
    assert [e.state for e in mine] == ["firing"], [(e.state, e.message) for e in mine]
    others = {(e.rule, e.state) for e in out if e.device == DEV}
    assert ("sensor.fault", "firing") in others and ("device.offline", "firing") in others, others
    cleared_at = ts + 31 + 20 * MIN
    mine = events(site, [*readings, reading(cleared_at, 0.0)], (permit(),))
    assert [e.state for e in mine] == ["firing", "resolved"] and mine[-1].ts == cleared_at
    assert mine[-1].message == "3号楼5层1号烟感（3号楼5层）烟感温感探测器复位，已恢复正常"


@pytest.mark.parametrize("value", [2.0, -1.0, 1.5, 65535.0])
def test_a_value_that_is_no_state_is_a_sensor_fault_and_starts_no_alarm(tmp_path: Path, value: float) -> None:
    ts = T_END + 10 * MIN
    out: list[AlertEvent] = []
    replay(site_of(tmp_path), [*normal_until(ts), reading(ts, value), reading(ts + 5, 0.0)], out.append)
    assert [(e.rule, e.state) for e in out if e.device == DEV] == [
        ("sensor.fault", "firing"),
        ("sensor.fault", "resolved"),
    ]


def test_a_fraction_is_an_alarm_never_normal(tmp_path: Path) -> None:
    # a profile scaling the state wrongly (0.1 for 1) must not hide a fire
    ts = T_END + 10 * MIN
    found = events(site_of(tmp_path), [*normal_until(ts), reading(ts, 0.1)], ())
    assert [(e.state, e.level) for e in found] == [("firing", "alarm")]


def test_a_detector_at_no_hot_work_place_gives_plain_alarms(tmp_path: Path) -> None:
    # a store's detector: no place, no permit is its, whatever is issued for 3号楼5层
    def at_store(data: dict[str, Any]) -> None:
        sample = yaml.safe_load((HOME / "site.yaml").read_text(encoding="utf-8"))
        del sample[0]["fire_detector"]
        data["devices"] += sample

    site = site_variant(tmp_path, at_store)
    assert site.config.device(DEV).hot_work_place() is None
    e = alarm_at(site, 10 * MIN, (permit(),))
    assert e.clause == CLAUSE_NONE and e.message.startswith("3号楼5层1号烟感烟感温感探测器报警：立即到场核查")


# ---- the place --------------------------------------------------------------------------------------


def _zone_at(place: str) -> dict[str, Any]:
    zone = {"name": "动火区", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]], "hot_work_at": [place]}
    return {"cameras": [{"name": "cam-1", "source": "rtsp://127.0.0.1:1/x", "zones": [zone]}]}


def test_a_detectors_place_is_a_place_the_permits_can_name(tmp_path: Path) -> None:
    # a cutting bay only a detector watches: a camera zone may name it, as it may a welder's place; a zone
    # naming a place nothing serves or lists is still refused, naming it
    def bay(zone_place: str) -> Callable[[dict[str, Any]], None]:
        def change(data: dict[str, Any]) -> None:
            sample = yaml.safe_load((HOME / "site.yaml").read_text(encoding="utf-8"))
            sample[0]["fire_detector"]["place"] = "钢筋加工棚"
            data["devices"] += sample
            data["vision"] = _zone_at(zone_place)

        return change

    site = site_variant(tmp_path, bay("钢筋加工棚"))
    assert site.config.device(DEV).hot_work_place() == "钢筋加工棚"
    (tmp_path / "typo").mkdir()
    with pytest.raises(ConfigError, match="钢筋加工蓬"):
        site_variant(tmp_path / "typo", bay("钢筋加工蓬"))


# ---- the golden replays say what their README says --------------------------------------------------


def golden(tmp_path: Path, case: str) -> list[dict[str, Any]]:
    """The events of ``kinds/fire_detector/testcases/<case>``, replayed as `sitegw replay` does."""
    folder = HOME / "testcases" / case
    site = load_site(REPO / (folder / "site.path").read_text(encoding="utf-8").strip())
    out = tmp_path / "alerts.jsonl"
    replay_file(site, folder / "readings.csv", out, folder / "inputs.jsonl")
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_the_golden_after_work_case_names_the_permit_and_cites_6_3_1_8(tmp_path: Path) -> None:
    first = golden(tmp_path, "after_work")[0]
    assert first["state"] == "firing" and "DH-1" in first["message"], first
    assert "动火作业结束后 10 分钟报警" in first["message"] and first["clause"].startswith(AFTER_WORK)


def test_the_golden_no_permit_case_is_a_plain_alarm(tmp_path: Path) -> None:
    first = golden(tmp_path, "no_permit")[0]
    assert first["level"] == "alarm" and first["clause"] == CLAUSE_NONE and "DH-" not in first["message"]


def test_the_golden_boundary_case_is_in_at_30_min_and_out_at_30_min_1_s(tmp_path: Path) -> None:
    fired = {e["device"]: e for e in golden(tmp_path, "watch_boundary") if e["state"] == "firing"}
    assert "29 分 59 秒" in fired["smoke-1"]["message"] and "疑似余火复燃" in fired["smoke-1"]["message"]
    assert "结束后 30 分钟报警" in fired["smoke-3"]["message"]
    assert "疑似余火复燃" not in fired["smoke-4"]["message"] and fired["smoke-4"]["level"] == "alarm"
