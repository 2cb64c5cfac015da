"""Temporary power (施工现场临时用电), written from standards.md §17: the reference site's power-main is a
总配电箱 whose RCD is rated 100 mA / 0.2 s (20 mA·s ≤ 30, JGJ 46-2005 §8.2.11); power-b2 a 开关箱 in a wet
basement, so its RCD is the splash-proof 15 mA / 0.1 s (§8.2.10). The site's practice values are the
defaults: leakage warning at half the RCD's rating, temperatures 60/70 ℃, a rise of 15 ℃ in 10 minutes,
a second fault arc within 8 hours critical, an arc alert held 30 minutes. Each threshold is tried at, just
below and just above its line, on a fresh engine, as its clause words it (达到: on the line counts)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contract.config import ConfigError
from contract.readings import Quality, Reading
from rules import RuleEngine, RuleResult
from tests.rules.sites import device, reference_site, run, sample, site_variant

SITE = reference_site()
T0 = 1_795_000_000.0
EVERY = 5.0  # the boxes' poll interval
QUIET: dict[str, float | str] = {
    "leakage_ma": 2.0,
    "rcd_state": 0,
    "arc_alarm": 0,
    "temp_l1_c": 30.0,
    "temp_l2_c": 30.0,
    "temp_l3_c": 30.0,
    "temp_n_c": 29.0,
    "temp_box_c": 27.0,
}


def box(dev: str, ts: float, quality: Quality = Quality.OK, **changes: float | str) -> list[Reading]:
    return sample(dev, ts, quality=quality, **{**QUIET, **changes})


def first(rule: str, dev: str = "power-b2", **changes: float | str) -> RuleResult:
    """The verdict of ``rule`` on one sample of a fresh engine."""
    [got] = run(RuleEngine(SITE), [box(dev, T0, **changes)], rule)
    return got


# ---- power.leakage: half the rating reached is a warning, the rating reached an alarm -------------------


@pytest.mark.parametrize(
    ("dev", "leakage", "level"),
    [
        ("power-b2", 7.49, None),
        ("power-b2", 7.5, "warning"),  # half of 15 mA reached (达到)
        ("power-b2", 7.51, "warning"),
        ("power-b2", 14.99, "warning"),
        ("power-b2", 15.0, "alarm"),  # the rated residual operating current reached
        ("power-b2", 15.01, "alarm"),
        ("power-main", 49.9, None),
        ("power-main", 50.0, "warning"),
        ("power-main", 99.9, "warning"),
        ("power-main", 100.0, "alarm"),
        ("power-main", 100.1, "alarm"),
    ],
)
def test_leakage_half_the_rcd_rating_warns_and_the_rating_alarms(
    dev: str, leakage: float, level: str | None
) -> None:
    got = first("power.leakage", dev, leakage_ma=leakage)
    assert got.level == level
    if level == "warning":
        assert "JGJ/T 46-2024" in got.clause and "行业惯例" in got.clause
        assert got.message.endswith("安排电工检测该箱下游线路和用电设备的绝缘，查明漏电原因")
    if level == "alarm":
        assert "第8.2.10条" in got.clause and "第3.3节" in got.clause
        assert "确认漏电保护器已动作" in got.message


def test_a_terminal_box_in_a_dry_place_gets_30_ma_by_default(tmp_path: Path) -> None:
    def dry(data: dict[str, Any]) -> None:
        device(data, "power-b2")["power"] = {"level": "terminal"}

    engine = RuleEngine(site_variant(tmp_path, dry))
    [below, on] = run(
        engine,
        [box("power-b2", T0, leakage_ma=14.9), box("power-b2", T0 + EVERY, leakage_ma=15.0)],
        "power.leakage",
    )
    assert (below.level, on.level, on.details["rcd_rated_ma"]) == (None, "warning", 30.0)


def test_a_sub_box_without_an_rcd_is_shown_not_judged(tmp_path: Path) -> None:
    def sub(data: dict[str, Any]) -> None:
        device(data, "power-b2")["power"] = {"level": "sub"}

    engine = RuleEngine(site_variant(tmp_path, sub))
    assert run(engine, [box("power-b2", T0, leakage_ma=500.0)], "power.leakage") == []


# ---- power.rcd: the rating reached with the RCD closed past its rated time -----------------------------


def rcd(samples: list[tuple[float, float, float]], dev: str = "power-b2") -> list[str | None]:
    """power.rcd's level at each (seconds after T0, leakage, RCD state) sample that gave a verdict."""
    engine = RuleEngine(SITE)
    batches = [box(dev, T0 + t, leakage_ma=ma, rcd_state=state) for t, ma, state in samples]
    return [r.level for r in run(engine, batches, "power.rcd")]


def test_the_rcd_not_acting_past_its_rated_time_is_critical() -> None:
    # 15 mA reached, still closed: at once it may be tripping (≤ 0.1 s); at 0.1 s still allowed; past it, 拒动
    assert rcd([(0, 15.0, 0), (0.1, 15.0, 0)]) == [None]
    assert rcd([(0, 15.0, 0), (0.11, 15.0, 0)]) == [None, "critical"]
    assert rcd([(0, 15.0, 0), (EVERY, 15.0, 0)]) == [None, "critical"]
    assert rcd([(0, 14.99, 0), (EVERY, 14.99, 0)]) == [None]  # below the rating: the RCD need not act
    assert rcd([(0, 15.0, 1), (EVERY, 15.0, 1)]) == [None]  # it tripped: power.trip's
    assert rcd([(0, 150.0, 0), (0.15, 150.0, 0)], "power-main") == [None]  # the main RCD's 0.2 s
    assert rcd([(0, 150.0, 0), (0.21, 150.0, 0)], "power-main") == [None, "critical"]


def test_the_rcd_alert_names_the_time_and_says_to_cut_the_supply_above() -> None:
    engine = RuleEngine(SITE)
    [_, got] = run(engine, [box("power-b2", T0 + t, leakage_ma=18.0) for t in (0, EVERY)], "power.rcd")
    assert got.level == "critical" and got.threshold == 15.0
    assert "剩余电流 18 mA 已达漏电保护器额定动作电流 15 mA，5.0 s 仍未动作" in got.message
    assert got.message.endswith(
        "立即就地断开该箱上级电源，停止该回路全部作业，更换漏电保护器并试跳合格后方可送电"
    )
    assert "JGJ/T 46-2024" in got.clause and "拒动" in got.clause


def test_the_rcd_alert_holds_on_missing_stale_and_band_readings_and_clears_on_a_trip() -> None:
    engine = RuleEngine(SITE)
    fired = run(engine, [box("power-b2", T0 + t, leakage_ma=18.0) for t in (0, EVERY)], "power.rcd")
    assert fired[-1].level == "critical"
    t = T0 + 2 * EVERY
    held = run(
        engine,
        [
            sample("power-b2", t, temp_box_c=27.0),  # a sample without the leakage or the RCD's state
            sample("power-b2", t + EVERY, quality=Quality.STALE, leakage_ma=0.0, rcd_state=0),
            box("power-b2", t + 2 * EVERY, leakage_ma=14.5),  # within the 5 % band below 15 mA
        ],
        "power.rcd",
    )
    assert all(r.level == "critical" for r in held)
    [cleared] = run(engine, [box("power-b2", t + 3 * EVERY, leakage_ma=0.0, rcd_state=1)], "power.rcd")
    assert cleared.level is None and cleared.message.endswith("，已恢复正常")


# ---- power.bypass and power.trip: what the RCD says of itself -----------------------------------------


@pytest.mark.parametrize(
    ("state", "bypass", "trip"), [(0, None, None), (1, None, "alarm"), (2, None, None), (3, "critical", None)]
)
def test_rcd_states(state: int, bypass: str | None, trip: str | None) -> None:
    assert first("power.bypass", rcd_state=state).level == bypass
    assert first("power.trip", rcd_state=state).level == trip


def test_a_trip_says_a_person_closes_it_on_site_never_remotely() -> None:
    got = first("power.trip", rcd_state=1)
    assert "严禁远程或预约送电" in got.message and "GB 55034-2022 第3.10.5条" in got.clause
    bypass = first("power.bypass", rcd_state=3)
    assert bypass.message.startswith("地下室2号开关箱 漏电保护器的漏电保护已退出运行：")


def test_a_bypass_cites_the_2024_standard_and_the_mandatory_code_the_2005_text_only_as_the_source() -> None:
    """standards.md §17: JGJ 46-2005 is repealed; cite JGJ/T 46-2024 (§3.3 剩余电流保护) and GB 55034-2022 §3.10
    for what is mandatory; the two-level system was confirmed in JGJ 46-2005 §1.0.3 only, unverified in 2024."""
    clause = first("power.bypass", rcd_state=3).clause
    assert clause.startswith(
        "JGJ/T 46-2024《建筑与市政工程施工现场临时用电安全技术标准》 第3.3节 剩余电流保护："
    ), clause
    assert "GB 55034-2022 第3.10节" in clause
    assert "经 JGJ 46-2005 第1.0.3条核实，2024版是否仍规定二级未核实" in clause
    assert "强制性条文" not in clause and not clause.startswith("JGJ 46-2005")
    # every power rule's clause leads with the 2024 standard; the 2005 text is only where a value was confirmed
    from kinds.power import arc, leakage, rcd, rise, temp, trip

    clauses = [rcd.CLAUSE, trip.TRIP.clause, *arc.CLAUSES.values()]
    clauses += [c for words in (leakage.WORDS, temp.WORDS, rise.WORDS) for c in words.clauses.values()]
    for said in clauses:
        assert said.startswith("JGJ/T 46-2024"), said
        assert "JGJ 46-2005" not in said or "数值经2005版核实，2024版条文未核实" in said, said


# ---- power.temp: each probe against 60 ℃ (warning) and 70 ℃ (alarm), reached ---------------------------


@pytest.mark.parametrize(
    ("temp", "level"),
    [(59.9, None), (60.0, "warning"), (60.1, "warning"), (69.9, "warning"), (70.0, "alarm"), (70.1, "alarm")],
)
def test_terminal_temperature(temp: float, level: str | None) -> None:
    engine = RuleEngine(SITE)
    found = run(engine, [box("power-main", T0, temp_l2_c=temp)], "power.temp")
    got = next(r for r in found if r.point == "L2")
    assert got.level == level
    if level:
        assert "B相进线端子温度" in got.message and "行业惯例" in got.clause


def test_temperature_thresholds_are_set_per_box(tmp_path: Path) -> None:
    def cooler(data: dict[str, Any]) -> None:
        data["rules"].setdefault("devices", {})["power-b2"] = {"power": {"temp_c": [45, 55]}}

    engine = RuleEngine(site_variant(tmp_path, cooler))
    found = run(
        engine, [box("power-b2", T0, temp_box_c=45.0), box("power-main", T0, temp_box_c=45.0)], "power.temp"
    )
    assert {(r.device, r.level) for r in found if r.point == "box"} == {
        ("power-b2", "warning"),
        ("power-main", None),
    }


def test_bad_temperature_thresholds_name_the_fix(tmp_path: Path) -> None:
    def upside_down(data: dict[str, Any]) -> None:
        data["rules"]["power"] = {"temp_c": [70, 60]}

    with pytest.raises(ConfigError) as err:
        site_variant(tmp_path, upside_down)
    assert "rules.power" in str(err.value) and "[warning, alarm]" in str(err.value)


def test_a_probe_out_of_its_range_is_a_sensor_fault_and_clears_nothing(tmp_path: Path) -> None:
    def ranged(data: dict[str, Any]) -> None:
        data["rules"].setdefault("sensor_fault", {})["ranges"] = {"temp_l1_c": [-40, 150]}

    engine = RuleEngine(site_variant(tmp_path, ranged))
    fired = run(engine, [box("power-main", T0, temp_l1_c=75.0)], "power.temp")
    assert [r.level for r in fired if r.point == "L1"] == ["alarm"]
    # the probe unplugged: the monitor's 0x8000 (-3276.8 ℃) is a fault, never a cool terminal
    broken = run(engine, [box("power-main", T0 + EVERY, temp_l1_c=-3276.8)])
    assert [r.rule for r in broken if r.level] == ["sensor.fault"]
    assert not [r for r in broken if r.rule == "power.temp" and r.point == "L1"]  # not judged: still alarm
    mended = run(engine, [box("power-main", T0 + 2 * EVERY, temp_l1_c=30.0)])
    assert {(r.rule, r.level) for r in mended if r.point in ("", "L1")} >= {
        ("power.temp", None),
        ("sensor.fault", None),
    }


def test_two_probes_unplugged_at_once_make_one_sensor_fault_and_a_sound_probe_none(tmp_path: Path) -> None:
    """The same fault, worded as a hoist's or a crane's (rules/sample_ranges.py): one warning a sample,
    naming the first broken probe in the metrics' order (the same in every replay); a probe never broken
    gets no sensor.fault verdict."""

    def ranged(data: dict[str, Any]) -> None:
        data["rules"].setdefault("sensor_fault", {})["ranges"] = {
            "temp_l1_c": [-40, 150],
            "temp_l2_c": [-40, 150],
        }

    engine = RuleEngine(site_variant(tmp_path, ranged))
    assert run(engine, [box("power-main", T0)], "sensor.fault") == []
    [fault] = run(
        engine, [box("power-main", T0 + EVERY, temp_l1_c=-3276.8, temp_l2_c=-3276.8)], "sensor.fault"
    )
    assert fault.level == "warning" and "监测传感器故障" in fault.clause
    assert "A相进线端子温度传感器故障（超出量程，读数 -3276.8）" in fault.message
    assert fault.details["metric"] == "temp_l1_c"
    assert fault.message.endswith("检修传感器，修复前该读数不可信，不得作为安全判断依据")


# ---- power.temp_rise: a rise within the window, however slowly it comes ---------------------------------


@pytest.mark.parametrize(("rise", "level"), [(14.9, None), (15.0, "warning"), (15.1, "warning")])
def test_a_rise_of_15_degrees_within_10_minutes_is_reached(rise: float, level: str | None) -> None:
    engine = RuleEngine(SITE)
    batches = [box("power-b2", T0 + t, temp_l3_c=30.0 + rise * t / 300) for t in range(0, 301, 30)]
    found = [r for r in run(engine, batches, "power.temp_rise") if r.point == "L3"]
    assert found[-1].level == level


def test_a_slow_steady_rise_far_below_any_step_still_fires() -> None:
    # 0.15 ℃ a sample (5 s): no sample differs from the one before by more than a sensor's noise
    engine = RuleEngine(SITE)
    batches = [box("power-b2", T0 + i * EVERY, temp_l1_c=30.0 + 0.15 * i) for i in range(121)]
    found = [r for r in run(engine, batches, "power.temp_rise") if r.point == "L1" and r.level]
    assert found, "a rise of 18 ℃ in 10 minutes, 0.15 ℃ a sample, raised nothing"
    assert found[0].ts == T0 + 100 * EVERY  # 15 ℃ over the lowest of the window, reached at sample 100


def test_a_rise_within_seconds_says_seconds_and_one_over_minutes_says_minutes() -> None:
    # a loose terminal heats in seconds: "0 分钟内" would tell the electrician it took no time at all
    fast = [box("power-b2", T0 + t, temp_l3_c=30.0 + t) for t in range(0, 21, 5)]
    found = [r for r in run(RuleEngine(SITE), fast, "power.temp_rise") if r.point == "L3" and r.level]
    assert "20 秒内由 30 ℃ 升至 50 ℃" in found[-1].message
    slow = [box("power-b2", T0 + t, temp_l3_c=30.0 + 16 * t / 300) for t in range(0, 301, 30)]
    found = [r for r in run(RuleEngine(SITE), slow, "power.temp_rise") if r.point == "L3" and r.level]
    assert "5 分钟内由 30 ℃ 升至 46 ℃" in found[-1].message


def test_the_rise_holds_for_a_whole_window_after_a_silence() -> None:
    engine = RuleEngine(SITE)
    rising = [box("power-b2", T0 + i * EVERY, temp_l1_c=30.0 + 0.5 * i) for i in range(31)]
    assert run(engine, rising, "power.temp_rise")[-1].level == "warning"
    back = T0 + 30 * EVERY + 900  # silent for 15 minutes, then flat
    flat = [box("power-b2", back + i * EVERY, temp_l1_c=45.0) for i in range(125)]
    levels = [(r.ts - back, r.level) for r in run(engine, flat, "power.temp_rise") if r.point == "L1"]
    assert levels[-1] == (600.0, None)  # cleared once a whole window was read after the silence
    assert all(level == "warning" for ts, level in levels[:-1])


# ---- power.arc: an arc alarms, a second within the shift is critical, held 30 minutes -----------------


def arcs(
    engine: RuleEngine, start_min: float, end_min: float, arc: int = 0
) -> list[tuple[float, str | None]]:
    """power.arc's verdicts (minutes after T0, level) for a sample every 5 s from ``start_min`` to
    ``end_min`` (both included), the detector reporting ``arc``."""
    steps = round((end_min - start_min) * 60 / EVERY)
    batches = [box("power-b2", T0 + start_min * 60 + i * EVERY, arc_alarm=arc) for i in range(steps + 1)]
    return [((r.ts - T0) / 60, r.level) for r in run(engine, batches, "power.arc")]


def test_an_arc_alarms_and_is_held_30_minutes_of_readings_after_the_last() -> None:
    engine = RuleEngine(SITE)
    assert arcs(engine, 0, 0, arc=1) == [(0, "alarm")]
    held = arcs(engine, 1 / 12, 30)
    assert held[-1] == (30, None) and {level for _, level in held[:-1]} == {"alarm"}


def test_a_second_arc_within_the_shift_is_critical_and_one_past_it_is_not() -> None:
    engine = RuleEngine(SITE)
    arcs(engine, 0, 0, arc=1)
    arcs(engine, 1 / 12, 119 + 11 / 12)
    assert arcs(engine, 120, 120, arc=1) == [(120, "critical")]  # two in 2 hours
    arcs(engine, 120 + 1 / 12, 600 + 1 / 12)
    # the second, 8 hours and 5 s ago, is out of the shift (and the first long before): one in it
    assert arcs(engine, 600 + 2 / 12, 600 + 2 / 12, arc=1) == [(600 + 2 / 12, "alarm")]


def test_a_silence_never_ends_the_arc_hold() -> None:
    engine = RuleEngine(SITE)
    arcs(engine, 0, 0, arc=1)
    # silent from 1 minute to 25: an arc may have come meanwhile; the hold starts again when it speaks
    arcs(engine, 1 / 12, 1)
    after = arcs(engine, 25, 56)
    assert [m for m, level in after if level is None] == [55]


# ---- the box's section, checked as §8.2.10 and §8.2.11 word it -----------------------------------------


@pytest.mark.parametrize(
    ("power", "message"),
    [
        (
            {"level": "terminal", "rcd_rated_ma": 50},
            "JGJ/T 46-2024 §3.3 剩余电流保护 (values confirmed in JGJ 46-2005 §8.2.10): ≤ 30 mA",
        ),
        # 不应大于30mA: a hair above the line is refused (30 mA itself is taken, below)
        ({"level": "terminal", "rcd_rated_ma": 30.1}, "RCD 30.1 mA / 0.1 s"),
        ({"level": "terminal", "wet": True, "rcd_rated_ma": 30}, "§8.2.10): ≤ 15 mA"),
        (
            {"level": "terminal", "wet": True, "rcd_rated_ma": 15.1},
            "潮湿或有腐蚀介质场所的开关箱 RCD 15.1 mA",
        ),
        ({"level": "terminal", "rcd_time_s": 0.2}, "≤ 0.1 s"),
        ({"level": "terminal", "rcd_time_s": 0.11}, "RCD 30 mA / 0.11 s"),  # 不应大于0.1s
        ({"level": "main"}, "needs rcd_rated_ma and rcd_time_s"),
        ({"level": "main", "rcd_rated_ma": 300, "rcd_time_s": 0.2}, "60 mA·s"),  # §17's example that fails
        ({"level": "main", "rcd_rated_ma": 100, "rcd_time_s": 0.31}, "100 mA × 0.31 s = 31 mA·s"),
        ({"level": "main", "rcd_rated_ma": 30, "rcd_time_s": 0.5}, "above 30 mA"),  # 应大于30mA: 30 is not
        # 应大于0.1s: 0.1 s itself is not above it, whatever the product
        ({"level": "main", "rcd_rated_ma": 100, "rcd_time_s": 0.1}, "100 mA × 0.1 s"),
        ({"level": "sub", "rcd_rated_ma": 100}, "both rcd_rated_ma and rcd_time_s"),
    ],
)
def test_an_rcd_the_standard_forbids_is_refused_at_its_line(
    tmp_path: Path, power: dict[str, object], message: str
) -> None:
    def change(data: dict[str, Any]) -> None:
        device(data, "power-b2")["power"] = power

    with pytest.raises(ConfigError) as err:
        site_variant(tmp_path, change)
    text = str(err.value)
    assert message in text and "power" in text and "site.yaml:" in text, text


@pytest.mark.parametrize(
    "power",
    [
        {"level": "terminal", "rcd_rated_ma": 30, "rcd_time_s": 0.1},
        {"level": "terminal", "wet": True, "rcd_rated_ma": 10},
        # 不应大于15mA and 不应大于0.1s where wet: both on the line
        {"level": "terminal", "wet": True, "rcd_rated_ma": 15, "rcd_time_s": 0.1},
        {"level": "main", "rcd_rated_ma": 100, "rcd_time_s": 0.3},  # exactly 30 mA·s: 不应大于
        {"level": "main", "rcd_rated_ma": 100, "rcd_time_s": 0.11},  # 应大于0.1s: a hair above it
        {"level": "main", "rcd_rated_ma": 30.1, "rcd_time_s": 0.2},  # 应大于30mA: a hair above it, 6.02 mA·s
        {"level": "sub"},
    ],
)
def test_an_rcd_within_the_standard_is_taken(tmp_path: Path, power: dict[str, object]) -> None:
    def change(data: dict[str, Any]) -> None:
        device(data, "power-b2")["power"] = power

    site_variant(tmp_path, change)


# ---- every alert: Chinese first, the place, the action while firing and none once clear ---------------


def fire_and_clear(rule: str) -> tuple[RuleResult, RuleResult]:
    engine = RuleEngine(SITE)
    hot: dict[str, dict[str, float | str]] = {
        "power.leakage": {"leakage_ma": 10.0},
        "power.rcd": {"leakage_ma": 20.0},
        "power.bypass": {"rcd_state": 3},
        "power.trip": {"rcd_state": 1},
        "power.temp": {"temp_box_c": 75.0},
        "power.temp_rise": {"temp_box_c": 50.0},
        "power.arc": {"arc_alarm": 1},
    }
    batches = [box("power-b2", T0, temp_box_c=27.0), box("power-b2", T0 + EVERY, **hot[rule])]
    batches += [box("power-b2", T0 + EVERY * 2, **hot[rule])]
    batches += [box("power-b2", T0 + EVERY * (3 + i)) for i in range(400)]
    found = run(engine, batches, rule)
    return next(r for r in found if r.level), next(r for r in found if r.level is None and r.ts > T0 + EVERY)


@pytest.mark.parametrize(
    "rule",
    [
        "power.leakage",
        "power.rcd",
        "power.bypass",
        "power.trip",
        "power.temp",
        "power.temp_rise",
        "power.arc",
    ],
)
def test_every_power_alert_says_what_to_do_and_clear_does_not(rule: str) -> None:
    fired, cleared = fire_and_clear(rule)
    assert fired.message.startswith("地下室2号开关箱 ") and "：" in fired.message, fired.message
    assert cleared.message.startswith("地下室2号开关箱 ") and cleared.message.endswith("，已恢复正常")
    assert "：" not in cleared.message and cleared.message_en.endswith(", back to normal")
    action = fired.message.split("：", 1)[1]
    assert action and action not in cleared.message
    for clause in (fired.clause, cleared.clause):
        assert clause.startswith(("JGJ", "GB ")) and any("\u4e00" <= ch <= "\u9fff" for ch in clause), clause
        assert "2022〕" not in clause
