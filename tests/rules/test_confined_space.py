"""Confined spaces, written from docs/standards.md §9: 先通风、再检测、后作业 (建质规〔2024〕5号 第十一条(二)),
the test order O2 → combustible → toxic (GB 55034-2022 §3.9.3), a test valid 30 min before entry and
after a break of more than 30 min, the limits (O2 19.5-23.5 % vol, < 10 % LEL, H2S < 10 mg/m³,
CO < 20 mg/m³; ppm converted at 20 °C), continuous detection while anyone is inside, and an attendant
at the entrance the whole time (第十一条(三)). The reference site's cs-1 (2号污水井) reports H2S and CO in ppm."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from contract.readings import Reading
from rules import RuleEngine, RuleResult
from tests.rules.sites import device, reference_site, sample, site_variant

T0 = 1_790_000_000.0
CS = "cs-1"
CLEAN = {"o2_pct": 20.9, "lel_pct": 0.0, "h2s_ppm": 0.4, "co_ppm": 2.0}


def gas(ts: float, **values: float) -> list[Reading]:
    return sample(CS, ts, **{**CLEAN, **values})


def fan(ts: float, on: bool = True) -> list[Reading]:
    return sample(CS, ts, fan_on=1.0 if on else 0.0)


def enter(ts: float, person: str = "W-0001") -> list[Reading]:
    return sample(CS, ts, point=person, inside=1.0)


def leave(ts: float, person: str = "W-0001") -> list[Reading]:
    return sample(CS, ts, point=person, inside=0.0)


def post(ts: float, present: bool = True, person: str = "JH-01") -> list[Reading]:
    return sample(CS, ts, point=person, attendant=1.0 if present else 0.0)


def play(batches: Iterable[list[Reading]], rule: str, engine: RuleEngine | None = None) -> list[RuleResult]:
    """The verdicts of ``rule``, ticked at every instant as the gateway and replay do."""
    engine = engine or RuleEngine(reference_site())
    readings = sorted((r for b in batches for r in b), key=lambda r: r.ts)
    return [r for _, _, found in engine.replay(readings) for r in found if r.rule == rule]


def raised(results: list[RuleResult]) -> list[tuple[str | None, float]]:
    """Each change of level and its instant (repeats of a level collapsed)."""
    out: list[tuple[str | None, float]] = []
    for r in results:
        if out[-1][0] != r.level if out else r.level is not None:
            out.append((r.level, r.ts))
    return out


def prepared(t: float = T0) -> list[list[Reading]]:
    """Fan on, a full reading set a minute later, the attendant at the entrance."""
    return [fan(t), gas(t + 60), post(t + 90)]


def working(start: float, end: float, **values: float) -> list[list[Reading]]:
    """The detector every 30 s from ``start`` to ``end``."""
    return [gas(t, **values) for t in range(int(start), int(end) + 1, 30)]


def attended(start: float, end: float, person: str = "JH-01") -> list[list[Reading]]:
    """The entrance's reader re-sending ``person`` at the post every 30 s from ``start`` to ``end`` (the profile's
    presence report, by which the gateway hears the reader alive)."""
    return [post(t, person=person) for t in range(int(start), int(end) + 1, 30)]


def test_a_proper_entry_raises_nothing() -> None:
    batches = [*prepared(), enter(T0 + 120), *working(T0 + 150, T0 + 900), *attended(T0 + 150, T0 + 900)]
    batches += [leave(T0 + 910)]
    for rule in (
        "confined_space.entry",
        "confined_space.gas",
        "confined_space.silent",
        "confined_space.attendant",
        "device.offline",
    ):
        assert raised(play(batches, rule)) == [], rule


def test_entry_with_the_fan_stopped_is_critical_until_the_person_comes_out() -> None:
    got = play(
        [gas(T0), post(T0), enter(T0 + 60), *working(T0 + 90, T0 + 300), leave(T0 + 310)],
        "confined_space.entry",
    )
    assert raised(got) == [("critical", T0 + 60), (None, T0 + 310)]
    first = next(r for r in got if r.level)
    assert first.point == "W-0001" and "通风机未运行" in first.message
    assert (
        "立即撤出" in first.message
        and "第十一条(二)" in first.clause
        and "先通风、再检测、后作业" in first.clause
    )


def test_a_test_taken_before_the_fan_ran_is_not_ventilate_then_test() -> None:
    got = play([gas(T0), fan(T0 + 30), post(T0 + 30), enter(T0 + 60)], "confined_space.entry")
    assert raised(got) == [("critical", T0 + 60)]
    assert "检测前未先通风" in got[-1].message


def test_a_set_out_of_order_is_not_a_set() -> None:
    # combustible gas first, then oxygen, then the toxic gases: GB 55034 §3.9.3 asks O2 first
    batches = [
        fan(T0),
        sample(CS, T0 + 10, lel_pct=0.0),
        sample(CS, T0 + 20, o2_pct=20.9),
        sample(CS, T0 + 30, h2s_ppm=0.1, co_ppm=1.0),
        post(T0 + 40),
        enter(T0 + 50),
    ]
    got = play(batches, "confined_space.entry")
    assert raised(got) == [("critical", T0 + 50)] and "无完整合格的气体检测" in got[-1].message
    ordered = [fan(T0), sample(CS, T0 + 10, o2_pct=20.9), sample(CS, T0 + 20, lel_pct=0.0)]
    ordered += [sample(CS, T0 + 30, h2s_ppm=0.1, co_ppm=1.0), post(T0 + 40), enter(T0 + 50)]
    assert raised(play(ordered, "confined_space.entry")) == []


@pytest.mark.parametrize(("age_s", "level"), [(1799, None), (1800, None), (1801, "critical")])
def test_a_test_is_valid_for_30_minutes(age_s: int, level: str | None) -> None:
    got = play([fan(T0 - 60), gas(T0), post(T0), enter(T0 + age_s)], "confined_space.entry")
    assert [r.level for r in got] == [level]


GAS_CASES = [
    # oxygen: 19.5-23.5 % vol is normal, the bounds included (below 19.5 缺氧, above 23.5 富氧)
    ("o2_pct", 19.6, None),
    ("o2_pct", 19.5, None),
    ("o2_pct", 19.4, "critical"),
    ("o2_pct", 23.4, None),
    ("o2_pct", 23.5, None),
    ("o2_pct", 23.6, "critical"),
    # combustible gas: entry needs below 10 % LEL, reaching it is too much
    ("lel_pct", 9.9, None),
    ("lel_pct", 10.0, "critical"),
    ("lel_pct", 10.1, "critical"),
    # H2S 10 mg/m³ and CO 20 mg/m³ (the detector's first alarm at 100 % OEL: reached)
    ("h2s_mgm3", 9.9, None),
    ("h2s_mgm3", 10.0, "critical"),
    ("h2s_mgm3", 10.1, "critical"),
    ("co_mgm3", 19.9, None),
    ("co_mgm3", 20.0, "critical"),
    ("co_mgm3", 20.1, "critical"),
    # ppm at 20 °C: 7.0 ppm H2S = 9.92 mg/m³, 7.1 = 10.07; 17.1 ppm CO = 19.92 mg/m³, 17.2 = 20.04
    ("h2s_ppm", 7.0, None),
    ("h2s_ppm", 7.1, "critical"),
    ("co_ppm", 17.1, None),
    ("co_ppm", 17.2, "critical"),
]


@pytest.mark.parametrize(("metric", "value", "level"), GAS_CASES)
def test_each_limit_at_below_and_above_while_someone_is_inside(
    metric: str, value: float, level: str | None
) -> None:
    got = play([*prepared(), enter(T0 + 120), sample(CS, T0 + 130, **{metric: value})], "confined_space.gas")
    assert [r.level for r in got if r.ts == T0 + 130] == ([level] if level else [])
    if level:
        hit = next(r for r in got if r.level)
        assert "立即停止作业、撤离" in hit.message and "有人在内" in hit.message
        assert "应急管理部令第13号 第十五条" in hit.clause


def test_ppm_is_shown_with_its_mg_per_cubic_metre() -> None:
    got = play([*prepared(), enter(T0 + 120), gas(T0 + 130, h2s_ppm=8.0)], "confined_space.gas")
    hit = next(r for r in got if r.level)
    assert hit.point == "h2s" and hit.value == pytest.approx(8.0 * 34.08 / 24.04, rel=1e-3)
    assert "8 ppm（11.3 mg/m³）" in hit.message and hit.threshold == 10


def test_bad_air_with_nobody_inside_raises_nothing_but_bars_entry() -> None:
    batches = [*prepared(), gas(T0 + 100, h2s_ppm=9.0), enter(T0 + 120)]
    assert raised(play(batches, "confined_space.gas")) == []
    entry = play(batches, "confined_space.entry")
    assert raised(entry) == [("critical", T0 + 120)] and "无完整合格的气体检测" in entry[-1].message


def test_a_gas_alert_outlasts_the_evacuation_and_the_silence_and_clears_with_clean_air() -> None:
    batches = [*prepared(), enter(T0 + 120), gas(T0 + 150, h2s_ppm=9.0), leave(T0 + 170)]
    batches += [gas(T0 + 600, h2s_ppm=6.8), gas(T0 + 630, h2s_ppm=6.0)]
    # 6.8 ppm = 9.64 mg/m³: back below 10 but within the 5 % band (9.5); 6.0 ppm = 8.5 mg/m³ clears
    got = play(batches, "confined_space.gas")
    assert raised(got) == [("critical", T0 + 150), (None, T0 + 630)]


def test_the_detector_silent_while_someone_is_inside_is_an_alarm() -> None:
    batches = [*prepared(), enter(T0 + 120), gas(T0 + 150)]
    ticks = [post(T0 + t) for t in (200, 210, 211, 212)]  # the attendant's reader keeps the clock going
    got = play([*batches, *ticks, gas(T0 + 240)], "confined_space.silent")
    # silent for more than 60 s (超过): 210 is exactly 60 s after the last reading
    assert raised(got) == [("alarm", T0 + 211), (None, T0 + 240)]
    hit = next(r for r in got if r.level)
    assert "气体检测仪" in hit.message and "撤出" in hit.message and "第十五条" in hit.clause


def test_a_silent_detector_with_nobody_inside_is_no_alarm_and_leaving_ends_one() -> None:
    assert raised(play([*prepared(), post(T0 + 400)], "confined_space.silent")) == []
    got = play([*prepared(), enter(T0 + 120), post(T0 + 200), leave(T0 + 300)], "confined_space.silent")
    assert raised(got) == [("alarm", T0 + 200), (None, T0 + 300)]


def test_nobody_at_the_entrance_while_someone_is_inside_is_an_alarm() -> None:
    batches = [*prepared(), enter(T0 + 120), *attended(T0 + 150, T0 + 180), post(T0 + 200, False)]
    batches += [*working(T0 + 150, T0 + 330), post(T0 + 340)]
    got = play(batches, "confined_space.attendant")
    # away from 200: 60 s is the grace, more than 60 s an alarm (at the 270 s reading)
    assert raised(got) == [("alarm", T0 + 270), (None, T0 + 340)]
    hit = next(r for r in got if r.level)
    assert "无监护人" in hit.message and "W-0001" in hit.message and "第十一条(三)" in hit.clause


def test_an_attendant_who_goes_in_is_not_at_the_entrance() -> None:
    batches = [*prepared(), enter(T0 + 120), enter(T0 + 125, "JH-01"), *working(T0 + 150, T0 + 210)]
    assert raised(play(batches, "confined_space.attendant")) == [("alarm", T0 + 210)]


def reader_silent_from_180(*extra: list[Reading]) -> list[list[Reading]]:
    """W-0001 inside from +120 s, JH-01 at the post; the entrance's reader last heard at +180 s while the gas
    detector goes on reporting every 30 s (the device online, its link fine)."""
    return [*prepared(), enter(T0 + 120), *attended(T0 + 150, T0 + 180), *working(T0 + 150, T0 + 900), *extra]


@pytest.mark.parametrize(("silent_s", "level"), [(59, None), (60, None), (61, "alarm")])
def test_a_silent_badge_reader_leaves_the_post_unattended_past_60_s(silent_s: int, level: str | None) -> None:
    """A dead or unplugged reader at the entrance: JH-01, last shown at the post, cannot be taken as still there.
    More than 60 s (超过) without the reader with W-0001 inside is the attendant alarm, saying why."""
    at = T0 + 180 + silent_s
    got = play(
        reader_silent_from_180(gas(at)),
        "confined_space.attendant",  # an instant judged at ``at``
    )
    assert {r.level for r in got if r.ts == at and r.level} == ({level} if level else set())
    assert {r.level for r in got if r.ts <= T0 + 240} <= {None}
    if level:
        hit = next(r for r in got if r.level)
        assert hit.value == 61.0 and hit.threshold == 60.0 and hit.unit == "s"
        assert "W-0001 在内，入口读卡器 61 秒无数据，监护人是否在岗未知" in hit.message
        assert "刷卡确认在岗" in hit.message and "读卡器" in hit.message and "撤出" in hit.message
        assert "第十一条(三)" in hit.clause
        assert hit.message.index("入口读卡器") < hit.message.index("撤出")


def test_the_gas_detector_reporting_keeps_the_device_online_but_not_the_post_attended() -> None:
    batches = reader_silent_from_180()
    assert raised(play(batches, "device.offline")) == []
    assert raised(play(batches, "confined_space.silent")) == []
    # the alarm goes on as long as the reader is silent with W-0001 inside, the detector's readings clearing none
    assert raised(play(batches, "confined_space.attendant")) == [
        ("alarm", T0 + 270)
    ]  # first instant past 240


def test_the_reader_heard_again_ends_the_alarm_only_with_an_attendant_at_the_post() -> None:
    # back with JH-01 at the post: his presence confirmed, the alarm ends at once
    got = play(reader_silent_from_180(post(T0 + 400)), "confined_space.attendant")
    assert raised(got) == [("alarm", T0 + 270), (None, T0 + 400), ("alarm", T0 + 480)]  # and silent again
    # back showing JH-01 gone: he may have left any time since +180 s, so the alarm stays (no all-clear within
    # the grace of a departure just heard) and counts from +180 s; JH-02 badging in ends it
    got = play(
        reader_silent_from_180(post(T0 + 400, False), post(T0 + 700, person="JH-02")),
        "confined_space.attendant",
    )
    assert raised(got) == [("alarm", T0 + 270), (None, T0 + 700), ("alarm", T0 + 780)]
    at_400 = [r for r in got if r.ts == T0 + 400][-1]  # after the reader's reading
    assert (at_400.level, at_400.value) == ("alarm", 220.0) and "入口 220 秒无监护人" in at_400.message
    # a reader back with the post empty while the grace is longer than its silence: still no all-clear
    got = play(reader_silent_from_180(post(T0 + 250, False)), "confined_space.attendant")
    assert raised(got) == [("alarm", T0 + 250)]


def test_a_reader_reporting_within_its_limit_keeps_the_post_attended_all_shift() -> None:
    batches = [*prepared(), enter(T0 + 120), *working(T0 + 150, T0 + 3600), *attended(T0 + 150, T0 + 3600)]
    assert raised(play(batches, "confined_space.attendant")) == []


def test_the_readers_limit_is_the_sites(tmp_path: Path) -> None:
    def slow_reader(data: dict[str, Any]) -> None:
        device(data, CS)["confined_space"]["reader_silent_s"] = 120

    batches = reader_silent_from_180()
    got = play(batches, "confined_space.attendant", RuleEngine(site_variant(tmp_path, slow_reader)))
    assert raised(got)[:1] == [
        ("alarm", T0 + 330)
    ]  # the first instant judged past 120 s (300 is on the line)


def _valid_60_min(data: dict[str, Any]) -> None:
    device(data, CS)["confined_space"]["test_valid_min"] = 60


@pytest.mark.parametrize(("break_s", "level"), [(1800, None), (1801, "critical")])
def test_back_in_after_a_break_of_more_than_30_min_needs_a_new_test(
    tmp_path: Path, break_s: int, level: str | None
) -> None:
    # tests valid an hour on this site: only the break makes the set taken before it too old
    engine = RuleEngine(site_variant(tmp_path, _valid_60_min))
    out = T0 + 300
    batches = [*prepared(), enter(T0 + 120), gas(T0 + 280), leave(out), enter(out + break_s)]
    got = play(batches, "confined_space.reentry", engine)
    assert [r.level for r in got if r.ts == out + break_s] == ([level] if level else [])
    # a break of exactly 30 min is not "more than 30 min": an ordinary entry, its set still valid
    entry = RuleEngine(site_variant(tmp_path, _valid_60_min))
    assert raised(play(batches, "confined_space.entry", entry)) == []
    if level:
        assert "中断后未重新检测" in got[-1].message and "第十五条" in got[-1].clause


def test_a_new_set_after_the_break_allows_the_reentry() -> None:
    out = T0 + 300
    batches = [*prepared(), enter(T0 + 120), gas(T0 + 280), leave(out), gas(out + 3000), enter(out + 3100)]
    assert raised(play(batches, "confined_space.reentry")) == []
    assert raised(play(batches, "confined_space.entry")) == []


def test_a_missing_fan_or_detector_reading_never_clears_an_entry_alert() -> None:
    # entered with the fan off; the fan's and the detector's readings stop: the alert holds
    batches = [gas(T0), post(T0), enter(T0 + 60), *[post(T0 + t) for t in range(100, 1000, 100)]]
    got = play(batches, "confined_space.entry")
    assert raised(got) == [("critical", T0 + 60)]


def test_a_restart_remembers_who_is_inside_from_the_warm_up() -> None:
    # the gateway's warm-up replays stored history through a new engine and drops the verdicts
    history = [gas(T0), post(T0), enter(T0 + 60), gas(T0 + 90)]
    engine = RuleEngine(reference_site())
    assert "confined_space.entry" in {
        r.rule
        for _, _, found in engine.replay(sorted((r for b in history for r in b), key=lambda r: r.ts))
        for r in found
    }
    restart = T0 + 100
    engine.resume(restart)
    # the gateway's own downtime is not the detector's silence: 60 s counted from the restart
    assert [r.level for r in engine.tick(restart + 60) if r.rule == "confined_space.silent" and r.level] == []
    assert [r.level for r in engine.tick(restart + 61) if r.rule == "confined_space.silent"] == ["alarm"]
    # W-0001 is still known to be inside: his coming out resolves the entry alert the store kept firing
    out = [r for r in engine.process(leave(restart + 70)) if r.rule == "confined_space.entry"]
    assert [(r.point, r.level) for r in out] == [("W-0001", None)]


@pytest.mark.parametrize(("away_s", "level"), [(59, None), (60, None), (61, "alarm")])
def test_the_attendants_grace_is_60_s_and_more_is_an_alarm(away_s: int, level: str | None) -> None:
    batches = [*prepared(), enter(T0 + 120), gas(T0 + 150), post(T0 + 180), post(T0 + 200, False)]
    batches += [gas(T0 + 200 + away_s)]
    got = play(batches, "confined_space.attendant")
    assert {r.level for r in got if r.ts == T0 + 200 + away_s and r.level} == ({level} if level else set())


@pytest.mark.parametrize(
    ("metric", "broken"), [("h2s_ppm", -1.0), ("co_ppm", -5.0), ("lel_pct", -2.0), ("o2_pct", -1.0)]
)
def test_an_impossible_gas_reading_is_a_sensor_fault_and_never_clears_the_gas_alarm(
    metric: str, broken: float
) -> None:
    """A detector reporting a concentration below zero is broken: the reading says
    nothing of the air, so the evacuation it called for stands (fail safe), a sensor.fault is reported,
    and only a sound reading back within the limits ends the alarm."""
    bad = {"h2s_ppm": 14.0, "co_ppm": 40.0, "lel_pct": 20.0, "o2_pct": 18.0}[metric]
    batches = [
        *prepared(),
        enter(T0 + 120),
        gas(T0 + 150, **{metric: bad}),
        gas(T0 + 180, **{metric: broken}),
        gas(T0 + 210, **{metric: broken}),
        gas(T0 + 240),
    ]
    assert raised(play(batches, "confined_space.gas")) == [("critical", T0 + 150), (None, T0 + 240)]
    faults = raised(play(batches, "sensor.fault"))
    assert faults == [("warning", T0 + 180), (None, T0 + 240)]


def test_an_impossible_gas_reading_is_no_test_and_keeps_the_detection_silent() -> None:
    # a set of readings with a broken H2S is not a test: entering after it is an untested entry
    batches = [fan(T0), gas(T0 + 60, h2s_ppm=-1.0), post(T0 + 90), enter(T0 + 120)]
    assert raised(play(batches, "confined_space.entry")) == [("critical", T0 + 120)]


def test_only_broken_readings_are_a_silent_detector() -> None:
    # inside from +120 s, the detector's last sound reading at +150 s, then only a broken H2S every 30 s:
    # nothing measured for more than the 60 s allowed from +210 s on, an alarm at the next instant judged
    broken = [sample(CS, T0 + t, h2s_ppm=-1.0) for t in range(180, 400, 30)]
    batches = [*prepared(), enter(T0 + 120), gas(T0 + 150), *broken]
    assert raised(play(batches, "confined_space.silent"))[:1] == [("alarm", T0 + 240)]


@pytest.mark.parametrize(
    ("metric", "value", "level"),
    # standards.md §9: CO2 PC-TWA 9000 mg/m³ (GBZ 2.1-2019); in ppm at 20 °C, 9000 × 24.04 / 44.01 = 4916.2
    [
        ("co2_mgm3", 8999.0, None),
        ("co2_mgm3", 9000.0, "critical"),
        ("co2_mgm3", 9001.0, "critical"),
        ("co2_ppm", 4915.0, None),
        ("co2_ppm", 4917.0, "critical"),
    ],
)
def test_carbon_dioxide_reaching_its_pc_twa_with_people_inside(
    metric: str, value: float, level: str | None
) -> None:
    batches = [*prepared(), enter(T0 + 120), sample(CS, T0 + 150, **{metric: value})]
    got = [r for r in play(batches, "confined_space.gas") if r.point == "co2"]
    assert [r.level for r in got][-1:] == [level]
    if level:
        assert "二氧化碳" in got[-1].message and "9000" in got[-1].clause


HOURS_2 = 7200.0


def _entries_heard(detector_offset_s: float) -> list[tuple[str, str | None, float]]:
    """The live gateway hears each report as it comes (``heard``, its own clock): the fan and a test at +60 s
    stamped by the detector's clock (``detector_offset_s`` off the gateway's), W-0001 in at +120 s and out at
    +300 s by the manhole reader's (right), back in at +2200 s (a break of 31 min 40 s) with no new test."""
    engine = RuleEngine(reference_site())
    heard = [
        (0, fan(T0 + detector_offset_s)),
        (60, gas(T0 + 60 + detector_offset_s)),
        (90, post(T0 + 90)),
        (120, enter(T0 + 120)),
        (300, leave(T0 + 300)),
        (2200, enter(T0 + 2200)),
    ]
    return [
        (r.rule, r.level, t)
        for t, batch in heard
        for r in engine.evaluate(batch, heard=T0 + t).results
        if r.rule in ("confined_space.entry", "confined_space.reentry") and r.level
    ]


CLOCKS = pytest.mark.parametrize(
    "offset_s", [0.0, HOURS_2, -HOURS_2], ids=["right", "detector-ahead", "detector-behind"]
)


@CLOCKS
def test_the_break_and_the_tests_age_do_not_depend_on_two_devices_clocks(offset_s: float) -> None:
    # the first entry is proper; the re-entry after more than 30 min without a new test is critical
    assert _entries_heard(offset_s) == [("confined_space.reentry", "critical", 2200)]


ENTRIES = ("confined_space.entry", "confined_space.reentry")


def _live(engine: RuleEngine, heard: Iterable[tuple[float, list[Reading]]]) -> list[tuple[RuleResult, float]]:
    """Each batch judged as the live gateway judges it, heard at ``T0 + t`` on its clock: the entry rules' verdicts
    that raise something, with the ``t`` they were heard at."""
    return [
        (r, t)
        for t, batch in heard
        for r in engine.evaluate(batch, heard=T0 + t).results
        if r.rule in ENTRIES and r.level
    ]


@CLOCKS
@pytest.mark.parametrize(("age_s", "level"), [(1799, None), (1800, None), (1801, "critical")])
def test_a_test_is_valid_30_min_before_an_entry_by_the_gateways_clock(
    offset_s: float, age_s: int, level: str | None
) -> None:
    """The fan (its own clock, right) heard at +0 s, the set at +60 s stamped by the detector's clock
    (``offset_s`` off), W-0001 in ``age_s`` after the set by the manhole reader's: a set more than 30 min old
    (超过) is stale, whatever the detector's clock says of its age."""
    heard = [(0, fan(T0)), (60, gas(T0 + 60 + offset_s)), (90, post(T0 + 90))]
    got = _live(RuleEngine(reference_site()), [*heard, (60 + age_s, enter(T0 + 60 + age_s))])
    assert [(r.rule, r.level, t) for r, t in got] == (
        [("confined_space.entry", level, 60 + age_s)] if level else []
    )
    if level:
        hit = got[0][0]
        # its age to the second against the limit it passed (30 分钟 would read as within it)
        assert "未通风检测即进入（最近一次合格检测已过 30 分 1 秒，超过 30 分钟有效期）" in hit.message
        assert "立即撤出" in hit.message
        assert "第十一条(二)" in hit.clause


@CLOCKS
@pytest.mark.parametrize(("break_s", "level"), [(1799, None), (1800, None), (1801, "critical")])
def test_a_set_heard_before_a_break_of_more_than_30_min_does_not_allow_the_reentry(
    tmp_path: Path, offset_s: float, break_s: int, level: str | None
) -> None:
    """Tests valid an hour on this site, so that only the break makes the set heard at +280 s, 20 s before W-0001
    came out at +300 s, no longer enough: more than 30 min later (超过, by the manhole reader's own clock) he goes
    back in without a new test. Whether the set came before the exit is the gateway's, whatever the detector's
    clock stamped it."""
    heard = [(0, fan(T0)), (60, gas(T0 + 60 + offset_s)), (90, post(T0 + 90)), (120, enter(T0 + 120))]
    heard += [(280, gas(T0 + 280 + offset_s)), (300, leave(T0 + 300))]
    back = 300 + break_s
    got = _live(RuleEngine(site_variant(tmp_path, _valid_60_min)), [*heard, (back, enter(T0 + back))])
    assert [(r.rule, r.level, t) for r, t in got] == (
        [("confined_space.reentry", level, back)] if level else []
    )
    if level:
        hit = got[0][0]
        assert "作业中断后未重新检测即进入（中断后未重新检测）" in hit.message and "立即撤出" in hit.message
        assert "第十五条" in hit.clause


@CLOCKS
def test_a_set_heard_after_the_exit_allows_the_reentry_whatever_the_detectors_clock(offset_s: float) -> None:
    heard = [(0, fan(T0)), (60, gas(T0 + 60 + offset_s)), (90, post(T0 + 90)), (120, enter(T0 + 120))]
    heard += [(300, leave(T0 + 300)), (2000, gas(T0 + 2000 + offset_s)), (2200, enter(T0 + 2200))]
    assert _live(RuleEngine(reference_site()), heard) == []


@CLOCKS
@pytest.mark.parametrize(("fan_s", "level"), [(59, None), (60, None), (61, "critical")])
def test_the_fan_runs_before_the_test_by_the_gateways_clock(
    offset_s: float, fan_s: int, level: str | None
) -> None:
    """The fan (its own clock, right) heard starting at ``fan_s``, the set at +60 s stamped by the detector's clock:
    a fan started after the set is 先检测、后通风, whatever the two clocks say."""
    heard = [
        (fan_s, fan(T0 + fan_s)),
        (60, gas(T0 + 60 + offset_s)),
        (90, post(T0 + 90)),
        (120, enter(T0 + 120)),
    ]
    got = _live(RuleEngine(reference_site()), sorted(heard, key=lambda h: h[0]))
    assert [(r.rule, r.level, t) for r, t in got] == ([("confined_space.entry", level, 120)] if level else [])
    if level:
        assert "（检测前未先通风）" in got[0][0].message


@CLOCKS
@pytest.mark.parametrize("step_s", [3600.0, -3600.0], ids=["slow-corrected", "fast-corrected"])
@pytest.mark.parametrize(("age_s", "level"), [(1799, None), (1800, None), (1801, "critical")])
def test_a_tests_age_and_the_break_are_measured_across_a_step_of_the_gateways_clock(
    offset_s: float, step_s: float, age_s: int, level: str | None
) -> None:
    """The gateway's clock off by ``step_s`` until NTP steps it at +600 s (the devices' clocks untouched, the
    detector's ``offset_s`` off): the set heard at +60 s is ``age_s`` old when W-0001 goes in, by the time that
    really passed. After the step W-0001 comes out, a new set is heard and he goes back in after 31 min."""
    engine = RuleEngine(reference_site())

    def before(t: float, batch: list[Reading]) -> tuple[float, list[Reading]]:
        return t - step_s, batch  # heard by the clock not yet stepped

    heard = [before(0, fan(T0)), before(60, gas(T0 + 60 + offset_s)), before(90, post(T0 + 90))]
    got = _live(engine, heard)
    engine.clock_stepped(step_s, T0 + 600)
    entry = 60 + age_s
    got += _live(engine, [(entry, enter(T0 + entry))])
    assert [(r.rule, r.level, t) for r, t in got] == (
        [("confined_space.entry", level, entry)] if level else []
    )
    out = entry + 60
    later = [
        (out, leave(T0 + out)),
        (out + 600, gas(T0 + out + 600 + offset_s)),
        (out + 1860, enter(T0 + out + 1860)),
    ]
    assert _live(engine, later) == []


def _warm_up(history: Iterable[list[Reading]], restart: float) -> RuleEngine:
    """A gateway restarted at ``T0 + restart`` after its warm-up replayed ``history`` at the readings' stamps."""
    engine = RuleEngine(reference_site())
    for _ in engine.replay(sorted((r for b in history for r in b), key=lambda r: r.ts)):
        pass
    engine.resume(T0 + restart)
    return engine


def test_a_test_heard_before_a_restart_allows_no_entry_after_it() -> None:
    """The gateway restarted 40 s after the set: the warm-up knows the set only by the detector's stamp, which
    says nothing of its age on the gateway's clock. W-0001 going in before a new one is critical, saying why; the
    detector's next sample is a set again."""
    engine = _warm_up([fan(T0), gas(T0 + 60), post(T0 + 90)], 100)
    got = _live(engine, [(160, enter(T0 + 160))])
    assert [(r.rule, r.level, t) for r, t in got] == [("confined_space.entry", "critical", 160)]
    assert "须重新检测" in got[0][0].message and "立即撤出" in got[0][0].message
    assert _live(engine, [(190, gas(T0 + 190)), (220, enter(T0 + 220, "W-0002"))]) == []


@pytest.mark.parametrize("retested", [False, True])
def test_a_restart_never_lets_an_untested_reentry_pass(retested: bool) -> None:
    """The detector's clock 20 min ahead: the set taken at +60 s, before W-0001 came out at +300 s, is stamped
    +1260 s, after the exit, and not in the future at the restart (+2000 s). Back in at +2200 s, a break of more
    than 30 min, without a new test: critical; with sets heard live after the restart (two samples a minute
    apart, which confirm the detector's clock), proper."""
    history = [fan(T0), gas(T0 + 1260), post(T0 + 90), enter(T0 + 120), leave(T0 + 300)]
    engine = _warm_up(history, 2000)
    heard = [(2040, gas(T0 + 3240)), (2100, gas(T0 + 3300))] if retested else []
    got = _live(engine, [*heard, (2200, enter(T0 + 2200))])
    assert [(r.rule, r.level, t) for r, t in got] == (
        [] if retested else [("confined_space.reentry", "critical", 2200)]
    )


def _detector(start: int, end: int, offset_s: float) -> list[tuple[float, list[Reading]]]:
    """The detector heard live every 30 s from ``+start`` to ``+end``, stamped by its clock ``offset_s`` off."""
    return [(t, gas(T0 + t + offset_s)) for t in range(start, end + 1, 30)]


def _backlog(taken: Iterable[int], heard: float, offset_s: float) -> list[tuple[float, list[Reading]]]:
    """Samples taken at ``+taken`` (stamped ``offset_s`` off), buffered while the detector's link was down and
    heard in a burst from ``+heard``, oldest first (an MQTT persistent session's queue, a logger's backlog)."""
    return [(heard + i * 0.2, gas(T0 + t + offset_s)) for i, t in enumerate(taken)]


def _went_offline_before_the_exit(offset_s: float) -> list[tuple[float, list[Reading]]]:
    """The fan from +0 s, the detector heard live from +30 s to +180 s, then its link down: the samples it took at
    +210, +240 and +270 s, before W-0001 (in at +120 s) came out at +300 s, are heard only at +600 s."""
    heard = [(0, fan(T0)), (90, post(T0 + 90)), (120, enter(T0 + 120)), (300, leave(T0 + 300))]
    heard += _detector(30, 180, offset_s) + _backlog((210, 240, 270), 600, offset_s)
    return sorted(heard, key=lambda h: h[0])


@CLOCKS
@pytest.mark.parametrize("valid_min", [30, 60])
def test_a_set_taken_before_the_exit_and_heard_after_it_does_not_allow_the_reentry(
    tmp_path: Path, offset_s: float, valid_min: int
) -> None:
    """The backlog's last set was taken at +270 s, before the exit, whatever the detector's clock and however late
    it was heard: W-0001 back in at +2160 s (a break of 31 min) without a new test is critical. Tests valid 30 min
    (the set 31.5 min old when he goes back in) or an hour (only the break makes it stale)."""
    site = site_variant(tmp_path, _valid_60_min) if valid_min == 60 else reference_site()
    got = _live(RuleEngine(site), [*_went_offline_before_the_exit(offset_s), (2160, enter(T0 + 2160))])
    assert [(r.rule, r.level, t) for r, t in got] == [("confined_space.reentry", "critical", 2160)]
    lack = "最近一次合格检测已过 31 分 30 秒，超过 30 分钟有效期" if valid_min == 30 else "中断后未重新检测"
    assert f"（{lack}）" in got[0][0].message and "立即撤出" in got[0][0].message


@CLOCKS
def test_a_live_set_after_the_exit_allows_the_reentry_after_a_backlog(offset_s: float) -> None:
    """The detector back online after its backlog, heard live from +1900 s: its sets were taken after the exit."""
    heard = [
        *_went_offline_before_the_exit(offset_s),
        *_detector(1900, 2140, offset_s),
        (2160, enter(T0 + 2160)),
    ]
    assert _live(RuleEngine(reference_site()), heard) == []


@CLOCKS
@pytest.mark.parametrize(("break_s", "level"), [(1799, None), (1800, None), (1801, "critical")])
def test_the_break_after_a_backlog_needs_more_than_30_min(
    tmp_path: Path, offset_s: float, break_s: int, level: str | None
) -> None:
    """Tests valid an hour: W-0001 back in ``break_s`` after he came out (超过 30 min is a break), the detector's
    last set taken before the exit and heard after it."""
    back = 300 + break_s
    heard = [*_went_offline_before_the_exit(offset_s), (back, enter(T0 + back))]
    got = _live(RuleEngine(site_variant(tmp_path, _valid_60_min)), heard)
    assert [(r.rule, r.level, t) for r, t in got] == (
        [("confined_space.reentry", level, back)] if level else []
    )


@CLOCKS
@pytest.mark.parametrize(("age_s", "level"), [(1799, None), (1800, None), (1801, "critical")])
def test_a_backlogs_test_is_as_old_as_when_it_was_taken(
    offset_s: float, age_s: int, level: str | None
) -> None:
    """The detector heard live from +30 s to +120 s, then its samples of +150 and +180 s heard at +1000 s: W-0001
    going in ``age_s`` after +180 s finds a test that old (超过 30 min is stale), not one heard at +1000 s."""
    heard = [(0, fan(T0)), (90, post(T0 + 90)), *_detector(30, 120, offset_s)]
    heard += _backlog((150, 180), 1000, offset_s)
    entry = 180 + age_s
    got = _live(
        RuleEngine(reference_site()), sorted([*heard, (entry, enter(T0 + entry))], key=lambda h: h[0])
    )
    assert [(r.rule, r.level, t) for r, t in got] == (
        [("confined_space.entry", level, entry)] if level else []
    )


HOUR = 3600.0


@CLOCKS
@pytest.mark.parametrize("step_s", [HOUR, -HOUR], ids=["stepped-forward", "stepped-back"])
def test_the_detectors_clock_stepped_mid_session(tmp_path: Path, offset_s: float, step_s: float) -> None:
    """The detector heard live every 30 s; its own clock stepped by ``step_s`` (NTP, a battery reset). W-0001 in at
    +120 s, out at +300 s, back in at +2200 s, tests valid an hour (only the break makes a set stale)."""
    after = offset_s + step_s
    people = [(0, fan(T0)), (90, post(T0 + 90)), (120, enter(T0 + 120)), (300, leave(T0 + 300))]
    # stepped after its sample of +600 s, during the break: its live sets after the exit allow the re-entry
    heard = sorted([*people, *_detector(30, 600, offset_s), *_detector(630, 2190, after)], key=lambda h: h[0])
    assert _live(RuleEngine(site_variant(tmp_path, _valid_60_min)), [*heard, (2200, enter(T0 + 2200))]) == []
    # stepped after its sample of +120 s, its link down from +180 s: its backlog of +210..+270 s, heard at +600 s
    # by its new clock, was still taken before the exit
    heard = [*people, *_detector(30, 120, offset_s), *_detector(150, 180, after)]
    heard += _backlog((210, 240, 270), 600, after)
    got = _live(
        RuleEngine(site_variant(tmp_path, _valid_60_min)),
        [*sorted(heard, key=lambda h: h[0]), (2200, enter(T0 + 2200))],
    )
    assert [(r.rule, r.level, t) for r, t in got] == [("confined_space.reentry", "critical", 2200)]


@pytest.mark.parametrize(("entry_s", "level"), [(660, "critical"), (960, None)])
def test_a_detector_clock_stepped_back_counts_its_tests_older_for_at_most_5_minutes(
    entry_s: int, level: str | None
) -> None:
    """The detector's clock set back an hour after its sample of +600 s: until its readings have shown the step
    for 5 minutes (three at least), its sets lie an hour early, too old to allow an entry (fails safe); from
    then, where they were taken."""
    heard = [
        (0, fan(T0)),
        (90, post(T0 + 90)),
        *_detector(30, 600, 0.0),
        *_detector(630, entry_s - 30, -HOUR),
    ]
    got = _live(
        RuleEngine(reference_site()), [*sorted(heard, key=lambda h: h[0]), (entry_s, enter(T0 + entry_s))]
    )
    assert [(r.rule, r.level, t) for r, t in got] == (
        [("confined_space.entry", level, entry_s)] if level else []
    )


def test_after_a_restart_a_single_sample_cannot_show_it_was_taken_after_the_exit() -> None:
    """The first sample heard after a restart may be the detector's backlog from before the exit (its link down
    across it): it allows no re-entry after a break until the detector has been heard live for a minute."""
    history = [fan(T0), gas(T0 + 60), post(T0 + 90), enter(T0 + 120), leave(T0 + 300)]
    engine = _warm_up(history, 2000)
    got = _live(engine, [(2100, gas(T0 + 280)), (2200, enter(T0 + 2200))])
    assert [(r.rule, r.level, t) for r, t in got] == [("confined_space.reentry", "critical", 2200)]
    assert "无法确认检测在中断之后" in got[0][0].message


READERS = pytest.mark.parametrize(
    "reader_offset_s", [0.0, HOURS_2, -HOURS_2], ids=["reader-right", "reader-ahead", "reader-behind"]
)


def _reader_late_with_the_entry(reader_offset_s: float) -> list[tuple[float, list[Reading]]]:
    """The fan from +0 s; the manhole reader heard live from +0 s to +90 s (JH-01 at the post, re-sent every 30 s,
    stamped ``reader_offset_s`` off), then its link down: W-0001 going in at +120 s, and its reports of +150 to
    +270 s, are heard in a burst from +300 s, oldest first (its MQTT session's queue)."""

    def at_post(t: float) -> list[Reading]:
        return post(T0 + t + reader_offset_s)

    heard: list[tuple[float, list[Reading]]] = [(0, fan(T0))]
    heard += [(t, at_post(t)) for t in range(0, 91, 30)]
    backlog = [enter(T0 + 120 + reader_offset_s), *(at_post(t) for t in range(150, 271, 30))]
    heard += [(300 + i * 0.2, batch) for i, batch in enumerate(backlog)]
    return heard


def _heard_in_order(*parts: list[tuple[float, list[Reading]]]) -> list[tuple[float, list[Reading]]]:
    return sorted((h for part in parts for h in part), key=lambda h: h[0])


@READERS
def test_an_entry_heard_late_is_not_tested_by_the_sets_taken_while_the_worker_was_inside(
    reader_offset_s: float,
) -> None:
    """先通风、再检测、后作业: W-0001 went in at +120 s with no test; the detector's first set was taken at +180 s,
    with him inside, and it reports every 30 s from then. His entry, held up in the reader's backlog, is heard at
    +300 s, after those sets: still an entry without a test before it, critical, saying why."""
    got = _live(
        RuleEngine(reference_site()),
        _heard_in_order(_reader_late_with_the_entry(reader_offset_s), _detector(180, 330, 0.0)),
    )
    assert [(r.rule, r.level, t) for r, t in got] == [("confined_space.entry", "critical", 300)]
    assert "人员进入时尚无合格检测" in got[0][0].message and "立即撤出" in got[0][0].message


@READERS
@CLOCKS
def test_an_entry_heard_late_after_a_proper_test_raises_nothing(
    reader_offset_s: float, offset_s: float
) -> None:
    """The same late entry, the detector heard live every 30 s from +30 s, before he went in: the set in force at
    +120 s was taken within the limits after the fan started, whatever either device's clock."""
    heard = _heard_in_order(_reader_late_with_the_entry(reader_offset_s), _detector(30, 330, offset_s))
    assert _live(RuleEngine(reference_site()), heard) == []


@READERS
def test_an_entry_heard_late_is_judged_on_the_air_before_it_not_the_air_since(reader_offset_s: float) -> None:
    """The detector heard live from +30 s; at +90 and +120 s its H2S was over the limit (a set is void until a new
    one), clean again from +150 s. W-0001 went in at +120 s, into that air: critical, though the sets heard before
    his late entry are clean."""
    bad = [(float(t), gas(T0 + t, h2s_ppm=20.0)) for t in (90, 120)]
    detector = [h for h in _detector(30, 330, 0.0) if h[0] not in (90, 120)] + bad
    got = _live(
        RuleEngine(reference_site()), _heard_in_order(_reader_late_with_the_entry(reader_offset_s), detector)
    )
    assert [(r.rule, r.level, t) for r, t in got] == [("confined_space.entry", "critical", 300)]
    assert "人员进入时尚无合格检测" in got[0][0].message


def test_a_day_of_sets_keeps_only_what_a_late_entry_can_still_be_judged_on() -> None:
    """A detector reporting a full set every 30 s for 12 h with tests valid 30 min: the space keeps the sets heard
    in the last 30 min and the one in force before them (a bound on what a site's detector makes it hold), and an
    entry placed within that window finds the set heard by then."""
    # imported here: the kind's modules load through the rules' registry (rules, imported above), not before it
    from kinds.confined_space.state import Heard, Space

    space = Space(keep_s=1800)
    for k in range(12 * 120):
        t = T0 + 30 * k
        for key in ("o2", "lel", "h2s", "co"):
            space.gas(key, Heard(t, t), True, heard=t)
    assert len(space.sets) <= 1800 / 30 + 2
    last = T0 + 30 * (12 * 120 - 1)
    found = space.set_at(last - 1000)
    assert found is not None and found.done.at == last - 1020
