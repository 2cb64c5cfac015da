"""Every rule speaks as rules/wording.py says: while a hazard lasts, one Chinese sentence with what,
where, how far and the action (and its English twin); once clear, the facts and no action; clauses
in Chinese citing a standard or saying that none applies, never the repealed 建质规〔2022〕2号.

Each case drives the reference site's real rule engine with the figures of docs/standards.md across a
threshold and back."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

import pytest

from contract.readings import DeviceStatus
from rules import RuleEngine, RuleResult
from rules.result import rank
from tests.rules.sites import reference_site, run, sample
from tests.rules.test_crane_geometry import slew_for_clearance

Case = Callable[[RuleEngine], tuple[RuleResult, RuleResult]]
NOON = datetime.fromisoformat("2026-11-21T12:00:00+08:00").timestamp()
H2, DAY = 7200.0, 86400.0


def _pair(results: list[RuleResult]) -> tuple[RuleResult, RuleResult]:
    """The worst firing verdict of the first hazard, and the clear verdict that ends it."""
    first = next(i for i, r in enumerate(results) if r.level)
    end = next(i for i in range(first, len(results)) if results[i].level is None)
    return max(results[first:end], key=lambda r: rank(r.level)), results[end]


def crane_load(engine: RuleEngine) -> tuple[RuleResult, RuleResult]:
    # GB 5144-2006 §6.1.2: crane-1's chart gives 2.85 t at 30 m; 104 % then back to half
    return _pair(
        run(
            engine,
            [sample("crane-1", t, load_t=2.85 * pct, radius_m=30) for t, pct in enumerate([1.04, 0.5])],
            "crane.load",
        )
    )


def crane_wind(engine: RuleEngine) -> tuple[RuleResult, RuleResult]:
    # JGJ 276-2012 §3.0.12: Beaufort 6 from 10.8 m/s; > 13.8 m/s twice is the regulator's alarm
    speeds = [13.9, 13.9, 5.0]
    return _pair(run(engine, [sample("anemo-1", t, wind_ms=v) for t, v in enumerate(speeds)], "crane.wind"))


def crane_tilt(engine: RuleEngine) -> tuple[RuleResult, RuleResult]:
    # JGJ 196-2010: 4/1000 free-standing allowed; 4.5/1000 is beyond it
    tilts = [math.degrees(math.atan(pm / 1000)) for pm in (4.5, 1.0)]
    return _pair(run(engine, [sample("crane-1", t, tilt_deg=d) for t, d in enumerate(tilts)], "crane.tilt"))


def crane_collision(engine: RuleEngine) -> tuple[RuleResult, RuleResult]:
    # GB 5144-2006 §10.5: 2 m; the lower crane-2's jib tip 1.5 m from crane-1's tower, then pointing away
    results = []
    for t, slew in enumerate([slew_for_clearance(1.5), 0.0]):
        batch = sample("crane-1", t, slew_deg=90, radius_m=20, height_m=40) + sample(
            "crane-2", t, slew_deg=slew, radius_m=20, height_m=20
        )
        results += [r for r in run(engine, [batch], "crane.collision") if r.device == "crane-2"]
    return _pair(results)


def crane_zone(engine: RuleEngine) -> tuple[RuleResult, RuleResult]:
    # the reference site's no-lift zone over the school playground
    moves = [sample("crane-1", 1, slew_deg=315, radius_m=42), sample("crane-1", 2, slew_deg=90, radius_m=20)]
    return _pair(run(engine, moves, "crane.zone"))


def crane_operator(engine: RuleEngine) -> tuple[RuleResult, RuleResult]:
    # 建质规〔2024〕5号 第四条(三): OP-1002's licence ended on 2026-06-30
    cards = [
        sample("crane-1", NOON, operator_id="OP-1002"),
        sample("crane-1", NOON + 1, operator_id="OP-1001"),
    ]
    return _pair(run(engine, cards, "crane.operator"))


def pit_cumulative(engine: RuleEngine) -> tuple[RuleResult, RuleResult]:
    # GB 50497-2019 Table 8.0.4, grade 一级 bored piles: wall-top horizontal 20 mm
    values = [20.5, 5.0]
    batches = [sample("pit-1", i * H2, point="ZQS-01", disp_h_mm=v) for i, v in enumerate(values)]
    return _pair(run(engine, batches, "pit.cumulative"))


def pit_rate(engine: RuleEngine) -> tuple[RuleResult, RuleResult]:
    # Table 8.0.4: 2 mm/d; 3 mm/d for a day and a half, then still
    values = [i * 3 / 12 for i in range(19)]
    values += [values[-1]] * 14
    batches = [sample("pit-1", i * H2, point="ZQS-02", disp_h_mm=v) for i, v in enumerate(values)]
    return _pair(run(engine, batches, "pit.rate"))


def hoist_wind(engine: RuleEngine) -> tuple[RuleResult, RuleResult]:
    # JGJ 215-2010 (practice): above 20 m/s at the mast top, then calm
    speeds = [20.5, 20.5, 5.0]
    return _pair(run(engine, [sample("hoist-1", t, wind_ms=v) for t, v in enumerate(speeds)], "hoist.wind"))


def device_offline(engine: RuleEngine) -> tuple[RuleResult, RuleResult]:
    # silent for more than 10 minutes, then a reading
    engine.process(sample("crane-1", 0, load_t=1.0))
    silent = [r for r in engine.tick(700) if r.rule == "device.offline"]
    back = [r for r in engine.process(sample("crane-1", 701, load_t=1.0)) if r.rule == "device.offline"]
    return _pair(silent + back)


def driver_offline(engine: RuleEngine) -> tuple[RuleResult, RuleResult]:
    engine.process(sample("crane-2", 0, load_t=1.0))
    down = engine.on_status(DeviceStatus(1.5, "crane-2", False, "timeout after 2 retries"))
    back = [r for r in engine.process(sample("crane-2", 2, load_t=1.0)) if r.rule == "device.offline"]
    return _pair(down + back)


def sensor_fault(engine: RuleEngine) -> tuple[RuleResult, RuleResult]:
    # a DAU's failed measurement is sent as -9999: out of range
    batches = [sample("pit-1", i * H2, point="CX-01", incl_mm=v) for i, v in enumerate([-9999, 3.0])]
    return _pair(run(engine, batches, "sensor.fault"))


CASES: dict[str, tuple[Case, str, str]] = {
    "crane.load": (crane_load, "立即停止起升，卸载至额定起重量以内", "stop hoisting up now"),
    "crane.wind": (crane_wind, "停止吊装，吊钩升起、臂架随风自由回转", "stop lifting, raise the hook"),
    "crane.tilt": (crane_tilt, "停止使用，检查塔身垂直度与基础", "stop using the crane"),
    "crane.collision": (
        crane_collision,
        "减速并停止向对方回转、变幅，司机与信号工联系，确认两机安全距离后再作业",
        "slow down and stop slewing",
    ),
    "crane.zone": (crane_zone, "立即将吊钩移出禁吊区", "move the hook out of the no-lift zone now"),
    "crane.operator": (crane_operator, "立即停止作业，由持证司机操作", "stop work now"),
    "pit.cumulative": (
        pit_cumulative,
        "加密监测，通知设计与监理，危险时撤离基坑内人员",
        "monitor more often",
    ),
    "pit.rate": (pit_rate, "加密监测，通知设计与监理，危险时撤离基坑内人员", "monitor more often"),
    "hoist.wind": (hoist_wind, "停止使用，吊笼降至底层，人员撤出", "stop: bring the cage down"),
    "device.offline": (
        device_offline,
        "检查设备供电与通讯，恢复监测前停止相关危险作业",
        "check the device's power",
    ),
    "device.offline (driver)": (driver_offline, "检查设备供电与通讯", "check the device's power"),
    "sensor.fault": (
        sensor_fault,
        "检修传感器，修复前该读数不可信，不得作为安全判断依据",
        "repair the sensor",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_firing_says_what_to_do_and_clear_does_not(name: str) -> None:
    case, action, action_en = CASES[name]
    fired, cleared = case(RuleEngine(reference_site()))
    assert fired.rule == name.split(" ")[0]
    assert fired.message.endswith(action) and "：" in fired.message, fired.message
    assert action_en in fired.message_en, fired.message_en
    assert " | " not in fired.message  # no more "中文 | English" in one field
    assert cleared.message.endswith("，已恢复正常"), cleared.message
    assert cleared.message_en.endswith(", back to normal"), cleared.message_en
    assert "：" not in cleared.message and action not in cleared.message
    assert action_en not in cleared.message_en


@pytest.mark.parametrize("name", sorted(CASES))
def test_messages_name_the_place_and_clauses_are_chinese_and_current(name: str) -> None:
    case, _, _ = CASES[name]
    site = reference_site()
    fired, cleared = case(RuleEngine(site))
    # the device as the site file names it, whatever its kind (a plug-in's too): 1号塔吊风速仪, 1号基坑 ...
    place = site.config.device(fired.device).display_name
    assert place in fired.message and place in cleared.message, (place, fired.message, cleared.message)
    for clause in (fired.clause, cleared.clause):
        assert not clause[:4].isascii() or clause.startswith(("GB ", "GB/T ", "JGJ ")), clause
        assert any("\u4e00" <= ch <= "\u9fff" for ch in clause), clause
        for stale in ("2022", "practice", "table values", "major hazard"):
            assert stale not in clause, clause


def test_pit_jump_is_a_danger_alarm_that_orders_evacuation() -> None:
    engine = RuleEngine(reference_site())
    batches = [sample("pit-1", i * H2, point="ZQS-05", disp_h_mm=v) for i, v in enumerate([5.0, 5.1, 8.2])]
    [jump] = run(engine, batches, "pit.jump")
    assert jump.message.endswith("：立即撤离基坑内人员，现场核查并通知设计与监理")
    assert jump.message_en.endswith(
        ": clear the pit of people now, inspect on site and tell the designer and the supervising engineer"
    )


@pytest.mark.parametrize(
    ("speed", "action"),
    [(10.8, "停止吊装作业"), (21.0, "停止吊装，吊钩升起、臂架随风自由回转，司机离开塔机")],
)
def test_wind_action_grows_with_the_wind(speed: float, action: str) -> None:
    [*_, last] = run(RuleEngine(reference_site()), [sample("anemo-1", 0, wind_ms=speed)], "crane.wind")
    assert last.message.endswith(f"：1号塔吊、2号塔吊 {action}")
