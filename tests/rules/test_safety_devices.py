"""crane.safety_device and hoist.safety_device: the black box's own safety-device status bits
(建质规〔2024〕5号 第八条(四): safety devices failed, bypassed or removed; GB 5144-2006 §10.5)."""

from __future__ import annotations

import random

import pytest

from contract.config import load_profile
from contract.config.loader import shipped_profile
from contract.kinds import registry
from rules.result import RuleResult
from rules.safety_devices import FLAGS, SafetyDevices
from tests.rules.sites import levels


def feed(
    rule: SafetyDevices, metric: str, bits: list[float], kind: str = "crane", start: float = 0.0
) -> list[RuleResult]:
    """One reading of ``metric`` per second, as the black box is polled."""
    name = "1号塔吊" if kind == "crane" else "1号施工升降机"
    out = []
    for i, bit in enumerate(bits):
        result = rule.evaluate(kind, f"{kind}-1", name, metric, bit, start + i, False)
        if result is not None:
            out.append(result)
    return out


@pytest.mark.parametrize(
    ("metric", "level", "message"),
    [
        (
            "flag_limiter_bypass",
            "critical",
            "1号塔吊 黑匣子报告安全限制器被旁路（短接）：立即停止作业，恢复安全限制器并查明旁路原因，经检查合格后方可使用",
        ),
        (
            "flag_limiter_fault",
            "critical",
            "1号塔吊 黑匣子报告安全限制器失效：立即停止作业，检修安全限制器，经检查合格后方可使用",
        ),
        (
            "flag_sensor_fault",
            "alarm",
            "1号塔吊 黑匣子报告传感器故障或断线：停止作业，检修传感器；修复前黑匣子的监测与限位不可信",
        ),
        (
            "flag_anticollision",
            "warning",
            "1号塔吊 黑匣子防碰撞系统正在干预：减速，确认与相邻塔机的距离，不得强行操作",
        ),
        (
            "flag_zone_limit",
            "warning",
            "1号塔吊 黑匣子区域限位正在干预：确认吊钩位置，不得强行驶入限制区域",
        ),
    ],
)
def test_each_flag_sets_at_once_with_its_level_and_action(metric: str, level: str, message: str) -> None:
    [normal, raised] = feed(SafetyDevices(), metric, [0, 1])
    assert normal.level is None  # the first reading is reported: it resolves what a restart left open
    assert (raised.rule, raised.device, raised.point, raised.level) == (
        "crane.safety_device",
        "crane-1",
        metric,
        level,
    )
    assert raised.message == message
    assert raised.message_en.startswith("1号塔吊 ") and ": " in raised.message_en


@pytest.mark.parametrize("metric", ["flag_limiter_bypass", "flag_limiter_fault", "flag_sensor_fault"])
def test_failed_or_bypassed_devices_cite_the_2024_major_hazard_item(metric: str) -> None:
    [raised] = feed(SafetyDevices(), metric, [1])
    assert raised.clause.startswith(
        "建质规〔2024〕5号 第八条(四) 建筑起重机械安全装置不齐全、失效或者被违规拆除、破坏"
    )
    assert "重大事故隐患" in raised.clause


def test_intervening_systems_cite_the_clearance_and_the_boxs_own_limiter() -> None:
    [collision] = feed(SafetyDevices(), "flag_anticollision", [1])
    [zone] = feed(SafetyDevices(), "flag_zone_limit", [1])
    assert collision.clause.startswith("GB 5144-2006 第10.5条") and "防碰撞系统" in collision.clause
    assert "区域限位装置" in zone.clause
    assert "重大事故隐患" not in collision.clause + zone.clause  # a limiter doing its job is no failure


@pytest.mark.parametrize("metric", sorted(FLAGS))
def test_clears_after_five_seconds_of_zeros_with_no_action(metric: str) -> None:
    results = feed(SafetyDevices(), metric, [1, 1, 0, 0, 0, 0, 0, 0, 0])
    assert [r.level for r in results][:2] == [FLAGS[metric].level] * 2
    held = results[2:-1]
    assert held and all(r.level == FLAGS[metric].level for r in held)  # 0 for under 5 s: still open
    assert "信号已复位" in held[0].message
    clear = results[-1]
    assert clear.level is None and clear.ts == 7.0  # the first 0 at 2 s, clear at 7 s
    assert clear.message.endswith("，已恢复正常") and "：" not in clear.message
    assert clear.message_en.endswith(", back to normal") and ": " not in clear.message_en
    assert FLAGS[metric].action not in clear.message
    assert feed(SafetyDevices(), metric, [0, 0, 0])[1:] == []  # clear stays quiet once reported


def test_cleared_messages_name_the_normal_state() -> None:
    rule = SafetyDevices()
    *_, clear = feed(rule, "flag_limiter_bypass", [1] + [0] * 6)
    assert clear.message == "1号塔吊 安全限制器在用，已恢复正常"
    assert clear.message_en == "1号塔吊 limiter in use, back to normal"


@pytest.mark.parametrize("metric", sorted(FLAGS))
def test_a_flickering_bit_keeps_one_alert_per_set_and_clear(metric: str) -> None:
    rng = random.Random(11)
    noisy = [1.0]  # a loose contact: 1s and 0s at random, never 0 for 4 readings (4 s) in a row
    while len(noisy) < 60:
        noisy.append(1.0 if noisy[-3:] == [0.0] * 3 else float(rng.random() < 0.5))
    bits = [0.0, 0.0, *noisy, *[0.0] * 10, *noisy, *[0.0] * 10]
    results = feed(SafetyDevices(), metric, bits)
    assert levels(results) == [None, FLAGS[metric].level, None, FLAGS[metric].level, None]


def test_a_hoist_box_sensor_fault_is_a_hoist_alert() -> None:
    rule = SafetyDevices()
    [raised] = feed(rule, "flag_sensor_fault", [1], kind="hoist")
    assert (raised.rule, raised.device, raised.level) == ("hoist.safety_device", "hoist-1", "alarm")
    assert raised.message.startswith("1号施工升降机 黑匣子报告传感器故障或断线：停止作业")
    # a hoist has no anti-collision system or zone limiter: those bits are not judged on a hoist
    assert feed(rule, "flag_anticollision", [1], kind="hoist") == []


def test_flags_of_one_crane_are_separate_alerts() -> None:
    rule = SafetyDevices()
    a = feed(rule, "flag_anticollision", [1])
    b = feed(rule, "flag_limiter_bypass", [1])
    assert [(r.point, r.level) for r in a + b] == [
        ("flag_anticollision", "warning"),
        ("flag_limiter_bypass", "critical"),
    ]


def test_other_status_bits_are_left_to_the_rules_that_judge_the_values() -> None:
    # overload, wind and tilt flags repeat what crane.load, crane.wind and crane.tilt judge from the values
    rule = SafetyDevices()
    for metric in ("flag_overload", "flag_wind_alarm", "flag_tilt_alarm", "flag_operator_logged_in"):
        assert feed(rule, metric, [1]) == []


def test_every_judged_crane_flag_is_a_bit_of_the_reference_black_box() -> None:
    profile = load_profile(shipped_profile("tower_crane_blackbox"))
    assert profile.modbus is not None
    bits = {v.metric: v.bit for v in profile.modbus.values if v.address == 12}
    assert set(registry.get("crane").flags) <= set(bits)
    assert (bits["flag_limiter_fault"], bits["flag_anticollision"], bits["flag_zone_limit"]) == (6, 7, 8)


def test_a_reading_that_says_nothing_neither_raises_nor_clears() -> None:
    rule = SafetyDevices()
    assert feed(rule, "flag_limiter_bypass", [float("nan")]) == []
    feed(rule, "flag_limiter_bypass", [1])
    results = feed(rule, "flag_limiter_bypass", [float("nan")] * 10, start=1)
    assert results == []  # no run of zeros: the bypass alert stays open
    assert feed(rule, "flag_limiter_bypass", [1], start=11)[0].level == "critical"
