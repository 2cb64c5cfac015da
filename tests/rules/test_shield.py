"""The shield machine (盾构机), written from docs/standards.md §16: GB 55034-2022 §3.7.3 (盾构掘进中遇有下列情况之一时，
应停止掘进，分析原因并采取措施: 盾构自转角度超出允许范围; 盾构位置偏离超出允许范围; 盾构推力增大超出预计范围), §3.7.2
(the advance matched to the muck and the grouting: practice warnings), GB 50446-2017 §8.1.1–8.1.2 (special
sections) and 建质规〔2024〕5号 Art. 13(五) (盾尾密封失效、铰链部位发生渗漏仍继续掘进: a major hazard).

The machine is the kind's testcases' shield-1 (kinds/shield/testcases/site.yaml, the sample plan): roll ±1°,
deviations ±50 mm, thrust up to 18000 kN and chamber 180–240 kPa, but 16000 kN and 200–260 kPa at rings 150–175,
grout at least 5.5 m³ and muck at most 52 m³ a ring, the special section 下穿幸福里小区 at rings 150–175. Every line
is tried on it, just below and just above, as its word says: 超出/超过/低于 are strict (the line itself is within).
Missing, stale, faulty and silent input never clears an alert; only a fresh sound reading does."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract.config import ConfigError, LoadedSite, load_site
from contract.readings import Quality, Reading
from drivers.simulators.device_sim import make_sim
from kinds.shield.leak import CLAUSES as LEAK_CLAUSES
from kinds.shield.words import STOP_ACTION
from regulator.ledger import classify
from rules import RuleEngine, RuleResult
from sitegw.replay import replay_file
from tests.rules.sites import PROJECT, levels, run

REPO = Path(__file__).resolve().parents[2]
HOME = REPO / "kinds" / "shield"
SITE_FILE = HOME / "testcases" / "site.yaml"
SITE = load_site(SITE_FILE)
DEV = "shield-1"
T0 = 1_795_226_400.0  # 2026-11-21 10:00 +08:00
EVERY = 10.0
QUIET: dict[str, float] = {
    "ring": 120,
    "advance_mm_min": 40,
    "thrust_kn": 10000,
    "torque_knm": 2500,
    "cutter_rpm": 1.2,
    "chamber_kpa": 210,
    "grout_m3": 6,
    "muck_m3": 48,
    "roll_deg": 0.1,
    "dev_h_mm": 5,
    "dev_v_mm": -5,
    "tail_seal_leak": 0,
    "articulation_leak": 0,
}
STOPPED = {"advance_mm_min": 0.0, "torque_knm": 0.0, "cutter_rpm": 0.0}


def scan(
    ts: float,
    changes: Mapping[str, float] | None = None,
    quality: Quality = Quality.OK,
    omit: tuple[str, ...] = (),
) -> list[Reading]:
    """One PLC scan of shield-1: the quiet values with ``changes``, less ``omit``."""
    values = {**QUIET, **(changes or {})}
    return [
        Reading(ts, PROJECT, DEV, m, float(v), quality=quality) for m, v in values.items() if m not in omit
    ]


def verdicts(
    rule: str, *scans: Mapping[str, float], site: LoadedSite = SITE, point: str | None = None
) -> list[RuleResult]:
    """``rule``'s verdicts (of ``point`` if given) over scans EVERY s apart on a fresh engine."""
    got = run(RuleEngine(site), [scan(T0 + i * EVERY, s) for i, s in enumerate(scans)], rule)
    return [r for r in got if point is None or r.point == point]


def level(
    rule: str, changes: Mapping[str, float], point: str | None = None, site: LoadedSite = SITE
) -> str | None:
    """``rule``'s level at one scan of a fresh engine."""
    [got] = verdicts(rule, changes, site=site, point=point)
    return got.level


def variant(
    tmp_path: Path, shield: dict[str, Any] | None = None, rules: dict[str, Any] | None = None
) -> LoadedSite:
    """The testcases' site with shield-1's plan updated by ``shield`` and the site's ``rules``."""
    data = yaml.safe_load(SITE_FILE.read_text(encoding="utf-8"))
    data["devices"][0]["shield"].update(shield or {})
    if rules:
        data["rules"] = rules
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_site(path)


# ---- §3.7.3: roll, deviation, thrust beyond the plan: alarm, stop and analyse --------------------------------


@pytest.mark.parametrize(
    ("roll", "expected"),
    [(0.99, None), (1.0, None), (1.01, "alarm"), (-1.0, None), (-1.01, "alarm"), (-5.0, "alarm")],
)
def test_roll_beyond_the_allowed_range_either_way_is_an_alarm(roll: float, expected: str | None) -> None:
    assert level("shield.roll", {"roll_deg": roll}) == expected


@pytest.mark.parametrize(
    ("metric", "point", "value", "expected"),
    [
        ("dev_h_mm", "H", 49.9, None),
        ("dev_h_mm", "H", 50.0, None),
        ("dev_h_mm", "H", 50.1, "alarm"),
        ("dev_h_mm", "H", -50.1, "alarm"),
        ("dev_v_mm", "V", -50.0, None),
        ("dev_v_mm", "V", -50.1, "alarm"),
        ("dev_v_mm", "V", 50.1, "alarm"),
    ],
)
def test_a_deviation_beyond_its_allowed_range_is_an_alarm_at_its_own_point(
    metric: str, point: str, value: float, expected: str | None
) -> None:
    assert level("shield.deviation", {metric: value}, point) == expected


@pytest.mark.parametrize(
    ("ring", "thrust", "expected"),
    [
        (120, 17999, None),
        (120, 18000, None),  # on the planned upper end: within (超出 is strict)
        (120, 18001, "alarm"),
        (149, 16001, None),  # the drive's 18000 before the ring range
        (150, 15999, None),
        (150, 16000, None),
        (150, 16001, "alarm"),  # the ring range's own 16000
        (175, 16001, "alarm"),
        (176, 16001, None),
        (176, 18001, "alarm"),
    ],
)
def test_thrust_above_the_rings_planned_upper_end_is_an_alarm(
    ring: int, thrust: float, expected: str | None
) -> None:
    assert level("shield.thrust", {"ring": ring, "thrust_kn": thrust}) == expected


def test_the_stop_items_cite_3_7_3_and_say_to_stop_advancing_and_analyse() -> None:
    cases: list[tuple[str, dict[str, float], str, str | None]] = [
        ("shield.roll", {"roll_deg": 1.2}, "盾构自转角度超出允许范围", None),
        ("shield.deviation", {"dev_h_mm": 60}, "盾构位置偏离超出允许范围", "H"),
        ("shield.thrust", {"ring": 150, "thrust_kn": 17000}, "盾构推力增大超出预计范围", None),
    ]
    for rule, change, item, point in cases:
        [fired, cleared] = verdicts(rule, change, {}, point=point)
        assert fired.level == "alarm"
        assert fired.clause.startswith("GB 55034-2022 第3.7.3条") and item in fired.clause, fired.clause
        assert "标准未给数值" in fired.clause  # the range is the plan's: no standard's number is claimed
        assert fired.message.startswith("1号盾构机（左线）（第 ") and fired.message.endswith(STOP_ACTION[0])
        assert fired.message_en.endswith(STOP_ACTION[1])
        assert (
            cleared.level is None
            and cleared.message.endswith("已恢复正常")
            and "停止掘进" not in cleared.message
        )
        assert classify.classify([], rule, fired.clause)["classification"] == "general"
    [thrust, _] = verdicts("shield.thrust", {"ring": 150, "thrust_kn": 17000}, {})
    assert "（第 150 环） 总推力 17000 kN，超出计划上限 16000 kN" in thrust.message


def test_a_level_clears_only_past_the_clearing_band() -> None:
    # 5 %: held while the roll is above 0.95°, cleared at it
    got = verdicts("shield.roll", *({"roll_deg": r} for r in (1.01, 0.96, 0.951, 0.95)))
    assert [r.level for r in got] == ["alarm", "alarm", "alarm", None]
    # the thrust's band below 18000 is 17100
    got = verdicts("shield.thrust", *({"thrust_kn": f} for f in (18001, 17101, 17100)))
    assert [r.level for r in got] == ["alarm", "alarm", None]


# ---- §3.7.2 practice: chamber band, grout below plan, muck above theoretical: warning ------------------------


@pytest.mark.parametrize(
    ("ring", "pressure", "expected"),
    [
        (120, 180.0, None),  # on an end: inside the band
        (120, 179.9, "warning"),
        (120, 240.0, None),
        (120, 240.1, "warning"),
        (120, 199.9, None),
        (150, 199.9, "warning"),  # the ring range's own band, 200-260
        (150, 200.0, None),
        (150, 260.0, None),
        (150, 260.1, "warning"),
    ],
)
def test_chamber_pressure_outside_the_rings_set_band_is_a_warning(
    ring: int, pressure: float, expected: str | None
) -> None:
    assert level("shield.chamber", {"ring": ring, "chamber_kpa": pressure}) == expected


def test_the_chamber_warning_says_which_end_and_clears_past_the_band_of_its_half_width() -> None:
    got = verdicts("shield.chamber", *({"chamber_kpa": p} for p in (250.0, 239.0, 238.5)))
    assert [r.level for r in got] == ["warning", "warning", None]  # 210 ± 30 × 0.95 = 238.5
    fired = got[0]
    assert "土仓压力 250 kPa，设定范围 180～240 kPa，高于上限" in fired.message and fired.threshold == 240.0
    assert fired.clause.startswith("GB 55034-2022 第3.7.2条") and "行业惯例" in fired.clause
    [low] = verdicts("shield.chamber", {"chamber_kpa": 170.0})
    assert "低于下限" in low.message and low.threshold == 180.0
    # worse both ways: each says which, for the alert manager's worsening updates
    assert (fired.details["worse"], low.details["worse"]) == ("higher", "lower")


def test_roll_and_deviation_say_they_worsen_away_from_zero_either_way() -> None:
    [right] = verdicts("shield.roll", {"roll_deg": 1.2})
    [left] = verdicts("shield.roll", {"roll_deg": -1.2})
    [down] = verdicts("shield.deviation", {"dev_v_mm": -60}, point="V")
    assert (right.details["worse"], left.details["worse"], down.details["worse"]) == (
        "higher",
        "lower",
        "lower",
    )


@pytest.mark.parametrize(
    ("rule", "metric", "value", "expected"),
    [
        ("shield.grout", "grout_m3", 5.51, None),
        ("shield.grout", "grout_m3", 5.5, None),  # exactly the plan: enough (低于 is strict)
        ("shield.grout", "grout_m3", 5.49, "warning"),
        ("shield.grout", "grout_m3", 0.0, "warning"),
        ("shield.muck", "muck_m3", 51.99, None),
        ("shield.muck", "muck_m3", 52.0, None),  # exactly the theoretical volume: no excess (超过 is strict)
        ("shield.muck", "muck_m3", 52.01, "warning"),
    ],
)
def test_a_rings_grout_below_plan_or_muck_above_theory_is_a_warning(
    rule: str, metric: str, value: float, expected: str | None
) -> None:
    assert level(rule, {metric: value}) == expected


def test_the_volume_warnings_name_the_last_ring_and_what_to_do() -> None:
    [grout] = verdicts("shield.grout", {"grout_m3": 5.0})
    assert "最近一环同步注浆量 5 m³，低于计划量 5.5 m³" in grout.message and "补足注浆" in grout.message
    [muck] = verdicts("shield.muck", {"muck_m3": 55.0})
    assert "最近一环出土量 55 m³，超过理论出土量 52 m³" in muck.message and "超挖" in muck.message
    for r in (grout, muck):
        assert r.level == "warning" and "第3.7.2条" in r.clause and "行业惯例" in r.clause


# ---- Art. 13(五): a leak while advancing is the major hazard; while stopped an alarm ---------------------------


@pytest.mark.parametrize(
    ("metric", "point"), [("tail_seal_leak", "tail_seal"), ("articulation_leak", "articulation")]
)
@pytest.mark.parametrize(
    ("advance", "flag", "expected"),
    [
        (0.0, 0.0, None),
        (40.0, 0.0, None),
        (0.0, 1.0, "alarm"),  # stopped: 0 is not above 0
        (0.01, 1.0, "critical"),  # any movement is advancing
        (40.0, 1.0, "critical"),
        (40.0, 0.5, "critical"),  # a fraction of 1 is a mis-scaled leak, never the leak stopped
    ],
)
def test_a_leak_while_advancing_is_critical_and_while_stopped_an_alarm(
    metric: str, point: str, advance: float, flag: float, expected: str | None
) -> None:
    assert level("shield.leak", {"advance_mm_min": advance, metric: flag}, point) == expected


def test_the_advancing_line_is_the_sites_and_above_it_is_advancing(tmp_path: Path) -> None:
    site = variant(tmp_path, rules={"shield": {"advancing_mm_min": 2}})
    assert level("shield.leak", {"advance_mm_min": 2.0, "tail_seal_leak": 1}, "tail_seal", site) == "alarm"
    assert (
        level("shield.leak", {"advance_mm_min": 2.01, "tail_seal_leak": 1}, "tail_seal", site) == "critical"
    )


def test_the_leak_while_advancing_cites_art_13_5_as_a_major_hazard_and_stopped_says_it_is_not() -> None:
    advancing, stopped = {"tail_seal_leak": 1.0}, {"tail_seal_leak": 1.0, **STOPPED}
    [critical, alarm, cleared] = verdicts("shield.leak", advancing, stopped, {**STOPPED}, point="tail_seal")
    assert (critical.level, alarm.level, cleared.level) == ("critical", "alarm", None)
    assert (
        critical.clause
        == "建质规〔2024〕5号 第十三条(五) 盾尾密封失效、铰链部位发生渗漏仍继续掘进属重大事故隐患"
    )
    assert "盾尾密封渗漏，盾构仍在掘进（推进速度 40 mm/min）：立即停止掘进" in critical.message
    assert "按重大事故隐患报告" in critical.message
    assert "盾尾密封渗漏，盾构已停止掘进：处理渗漏并确认密封有效，此前不得恢复掘进" in alarm.message
    assert "不构成" in alarm.clause and cleared.message.endswith("盾尾密封未报渗漏，已恢复正常")
    # the regulator files the critical level major from its citation, the alarm general
    major = classify.classify([], "shield.leak", LEAK_CLAUSES["critical"])
    assert (major["classification"], major["article"], major["item"]) == ("major", "第十三条", "（五）")
    assert classify.classify([], "shield.leak", LEAK_CLAUSES["alarm"])["classification"] == "general"


def test_a_leak_before_any_advance_rate_is_read_is_an_alarm_that_asks_to_make_sure_it_stopped() -> None:
    [got] = [
        r
        for r in run(
            RuleEngine(SITE), [scan(T0, {"tail_seal_leak": 1}, omit=("advance_mm_min",))], "shield.leak"
        )
        if r.point == "tail_seal"
    ]
    assert got.level == "alarm" and "掘进状态未知" in got.message and "立即确认盾构已停止掘进" in got.message


# ---- fail safe: only a fresh sound reading ends an alert --------------------------------------------------------


def test_missing_stale_nan_and_broken_readings_never_clear_a_thrust_alarm() -> None:
    engine = RuleEngine(SITE)
    batches = [
        scan(T0, {"thrust_kn": 18500}),
        scan(T0 + 10, omit=("thrust_kn",)),  # missing
        scan(
            T0 + 20, {"ring": 176}, omit=("thrust_kn",)
        ),  # a new ring with no thrust read: judged only when read
        [Reading(T0 + 30, PROJECT, DEV, "thrust_kn", 10000.0, quality=Quality.STALE)],
        [Reading(T0 + 40, PROJECT, DEV, "thrust_kn", 10000.0, quality=Quality.FAULT)],
        [Reading(T0 + 50, PROJECT, DEV, "thrust_kn", math.nan)],
        scan(T0 + 60, {"thrust_kn": -5.0}),  # below zero: no thrust a jack can give
    ]
    got = run(engine, batches)
    thrust = [r.level for r in got if r.rule == "shield.thrust"]
    assert thrust == ["alarm"], thrust
    faults = [r.level for r in got if r.rule == "sensor.fault"]
    assert faults and all(lv == "warning" for lv in faults)
    [cleared] = run(engine, [scan(T0 + 70, {"thrust_kn": 10000})], "shield.thrust")
    assert cleared.level is None


def test_a_missing_stale_or_broken_advance_rate_keeps_a_critical_leak_critical() -> None:
    engine = RuleEngine(SITE)
    batches = [
        scan(T0, {"tail_seal_leak": 1}),
        scan(T0 + 10, {"tail_seal_leak": 1}, omit=("advance_mm_min",)),
        scan(T0 + 20, {"tail_seal_leak": 1}),
        [Reading(T0 + 30, PROJECT, DEV, "advance_mm_min", 0.0, quality=Quality.STALE)],
        scan(
            T0 + 40, {"tail_seal_leak": 1, "advance_mm_min": -1.0}
        ),  # a rate below zero: broken, the last stands
        scan(T0 + 50, omit=("tail_seal_leak",)),  # the flag missing: the last (1) stands
        scan(T0 + 60, {"tail_seal_leak": 2.0}),  # no state of a flag: a sensor.fault, the leak stands
    ]
    got = [r.level for r in run(engine, batches, "shield.leak") if r.point == "tail_seal"]
    assert set(got) == {"critical"}, got
    [stopped] = [
        r
        for r in run(engine, [scan(T0 + 70, {"tail_seal_leak": 1, **STOPPED})], "shield.leak")
        if r.point == "tail_seal"
    ]
    assert stopped.level == "alarm"
    stale = Reading(T0 + 80, PROJECT, DEV, "tail_seal_leak", 0.0, quality=Quality.STALE)
    assert [r.level for r in run(engine, [[stale]], "shield.leak")] == []
    assert levels(run(engine, [scan(T0 + 90, {"tail_seal_leak": 0, **STOPPED})], "shield.leak")) == [None]


# ---- GB 50446 §8.1: a special section raises the monitoring's frequency ------------------------------------------


@pytest.mark.parametrize(
    ("ring", "expected"), [(149, None), (150, "warning"), (162, "warning"), (175, "warning"), (176, None)]
)
def test_the_drive_inside_a_special_section_is_a_warning_naming_it(ring: int, expected: str | None) -> None:
    assert level("shield.section", {"ring": ring}, "下穿幸福里小区") == expected


def test_the_section_warning_says_to_monitor_more_often_and_ends_past_its_last_ring() -> None:
    got = verdicts("shield.section", {"ring": 150}, {"ring": 175}, {"ring": 176})
    assert [r.level for r in got] == ["warning", "warning", None]
    fired = got[0]
    assert "第 150 环进入特殊地段「下穿幸福里小区」（第 150～175 环）：提高监测频率" in fired.message
    assert fired.clause.startswith("GB 50446-2017 第8.1.1条、第8.1.2条") and "行业惯例" in fired.clause
    assert fired.threshold is None  # a ring further in is no worse: no worsening updates
    assert got[-1].message.endswith("已恢复正常")


# ---- the plan: the site file's section, checked -------------------------------------------------------------------


def test_a_machine_without_a_plan_value_is_refused_naming_it(tmp_path: Path) -> None:
    site = variant(tmp_path, {"grout_min_m3": None})
    with pytest.raises(ConfigError) as err:
        RuleEngine(site)
    assert "grout_min_m3" in str(err.value) and "专项施工方案" in str(err.value)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            {
                "rings": [
                    {"from_ring": 1, "to_ring": 10, "thrust_max_kn": 9000},
                    {"from_ring": 10, "to_ring": 20, "thrust_max_kn": 8000},
                ]
            },
            "overlap",
        ),
        ({"rings": [{"from_ring": 10, "to_ring": 20}]}, "change nothing"),
        ({"rings": [{"from_ring": 20, "to_ring": 10, "thrust_max_kn": 9000}]}, "to_ring"),
        ({"chamber_kpa": [240, 180]}, "low < high"),
        ({"chamber_kpa": [180000, 240000]}, "kPa"),  # written in Pa
        (
            {
                "sections": [
                    {"name": "A", "from_ring": 1, "to_ring": 2},
                    {"name": "A", "from_ring": 5, "to_ring": 6},
                ]
            },
            "unique",
        ),
    ],
)
def test_a_plan_the_rules_cannot_judge_by_is_refused(
    tmp_path: Path, change: dict[str, Any], said: str
) -> None:
    with pytest.raises(ConfigError) as err:
        variant(tmp_path, change)
    assert said in str(err.value)


# ---- the golden replays and the simulator -------------------------------------------------------------------------


def test_the_tail_leak_replay_says_advancing_then_stopped(tmp_path: Path) -> None:
    folder = HOME / "testcases" / "tail_leak"
    out = tmp_path / "alerts.jsonl"
    replay_file(SITE, folder / "readings.csv", out)
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    leak = [e for e in events if e["rule"] == "shield.leak"]
    assert [(e["level"], e["state"]) for e in leak] == [
        ("critical", "firing"),
        ("alarm", "updated"),
        ("alarm", "resolved"),
    ]
    assert "盾构仍在掘进" in leak[0]["message"] and "第十三条(五)" in leak[0]["clause"]
    assert "盾构已停止掘进" in leak[1]["message"] and "不构成" in leak[1]["clause"]


def test_the_tail_leak_scenario_is_critical_while_advancing_then_an_alarm_then_sealed() -> None:
    device = SITE.config.device(DEV)
    sim = make_sim(device, SITE, "tail_leak", seed=1)
    engine = RuleEngine(SITE)
    found: list[RuleResult] = []
    for t in range(0, 1800, 10):
        values = sim.values(float(t))
        batch = [Reading(T0 + t, PROJECT, DEV, m, float(v)) for m, v in values.items()]
        found += [r for r in engine.process(batch) if r.rule == "shield.leak" and r.point == "tail_seal"]
    assert levels(found) == [None, "critical", "alarm", None]
    normal = make_sim(device, SITE, "normal", seed=1)
    engine = RuleEngine(SITE)
    quiet = [
        r
        for t in range(0, 4 * 3600, 60)
        for r in engine.process(
            [Reading(T0 + t, PROJECT, DEV, m, float(v)) for m, v in normal.values(float(t)).items()]
        )
        if r.level is not None and r.rule != "shield.section"
    ]
    assert quiet == []
