"""Tunnel monitoring during construction, written from docs/standards.md §16 (GB 50911-2013 §9.1): each point
against its pair of control values (cumulative mm and rate mm/d, the design's, else §16's fallback); the
colours as the practice table words them, every line reached (达到) at its value: yellow when both reach
70 % or one reaches 85 %, orange when both reach 85 % or one reaches 100 %, red when both reach 100 % or the
rate suddenly accelerates. The reference site's tunnel-1 is a mined running tunnel: vault GD-01/GD-02 and
convergence SL-01 on the fallback 10 mm and 2 mm/d, surface DB-01/DB-02 on the design's 30 mm and 3 mm/d;
every point reports each 1800 s, and a point silent for more than three of its intervals is an alarm."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contract.config.errors import ConfigError
from contract.readings import Quality, Reading
from kinds.tunnel.colour import banded_colour, colour
from kinds.tunnel.thresholds import TunnelRule
from rules import RuleEngine, RuleResult
from tests.rules.sites import PROJECT, device, levels, reference_site, run, sample, site_variant

T0 = 1_790_000_000.0
DAY, STEP = 86400.0, 1800.0
CFG = TunnelRule()


def at(ts: float, code: str, **metrics: float) -> list[Reading]:
    return sample("tunnel-1", ts, code, Quality.OK, **metrics)


def vault(values: list[float], step: float = STEP, code: str = "GD-01") -> list[list[Reading]]:
    return [at(T0 + i * step, code, vault_settle_mm=v) for i, v in enumerate(values)]


# ---- the colour table, each line at, below and above (shares of the control values) -------------------

BELOW = 1 - 1e-6


@pytest.mark.parametrize(
    ("cumulative", "rate", "expected"),
    [
        # one item alone: yellow at 85 % reached, orange at 100 % reached
        (0.85 * BELOW, None, None),
        (0.85, None, "warning"),
        (0.9, None, "warning"),
        (1.0 * BELOW, None, "warning"),
        (1.0, None, "alarm"),
        (1.2, None, "alarm"),  # the cumulative value alone is never red
        (0.0, 0.85 * BELOW, None),
        (0.0, 0.85, "warning"),
        (0.0, 1.0 * BELOW, "warning"),
        (0.0, 1.0, "alarm"),
        # both together: yellow at 70 %, orange at 85 %, red at 100 %
        (0.7, 0.7 * BELOW, None),
        (0.7 * BELOW, 0.7, None),
        (0.7, 0.7, "warning"),
        (0.8, 0.75, "warning"),
        (0.85, 0.85 * BELOW, "warning"),
        (0.85, 0.85, "alarm"),
        (0.9, 0.95, "alarm"),
        (1.0, 1.0 * BELOW, "alarm"),
        (1.0 * BELOW, 1.0, "alarm"),
        (1.0, 1.0, "critical"),
        (1.3, 1.1, "critical"),
    ],
)
def test_the_colour_table_reaches_each_line_at_its_value(
    cumulative: float, rate: float | None, expected: str | None
) -> None:
    assert colour(cumulative, rate, False, CFG) == expected


def test_a_sudden_acceleration_is_red_whatever_the_shares() -> None:
    assert colour(0.1, 0.7, True, CFG) == "critical"


def test_a_level_is_left_only_past_its_clearing_band() -> None:
    # orange from the cumulative value alone: held down to 95 %, left below it (5 % band)
    assert banded_colour(0.951, None, False, CFG, "alarm") == "alarm"
    assert banded_colour(0.949, None, False, CFG, "alarm") == "warning"
    assert banded_colour(0.0, 0.0, False, CFG, "warning") is None


def test_the_project_sets_its_own_colours_in_order() -> None:
    assert TunnelRule(yellow_both=0.6, yellow_one=0.8, orange_both=0.8).yellow_both == 0.6
    with pytest.raises(ValueError, match="colours must rise"):
        TunnelRule(yellow_both=0.9)


# ---- through the rules engine, on the reference site ------------------------------------------------


def test_slow_steady_settlement_reaches_yellow_and_orange_on_its_cumulative_value() -> None:
    """0.02 mm a reading (0.96 mm/d, under half the 2 mm/d rate control, far under any step a sensor
    could be blamed for): the cumulative value alone reaches 8.5 mm (85 %: yellow) and 10 mm (orange)."""
    values = [round(0.02 * i, 2) for i in range(520)]
    got = run(RuleEngine(reference_site()), vault(values), "tunnel.vault")
    assert levels(got) == [None, "warning", "alarm"]
    first = {r.level: r for r in reversed(got)}
    assert first["warning"].value == 8.5 and first["alarm"].value == 10.0
    assert first["alarm"].threshold == 10.0 and first["alarm"].unit == "mm"
    message = first["alarm"].message
    assert message.startswith("地铁连接通道 测点 GD-01 拱顶沉降累计 10.00 mm（控制值 10 mm 的 100%）")
    assert "橙色预警" in message and "报送警情" in message
    clause = first["alarm"].clause
    assert clause.startswith("GB 50911-2013 第9.1.1条") and "第9.1.5条" in clause
    assert "表9.2.2" in clause and "凭记忆转录" in clause  # the fallback, said to be one
    # 10.0 mm is at (达到) the control value, not above it (超过), and §16's fallback is no design value
    assert MAJOR not in clause


def test_a_yellow_settlement_that_keeps_growing_is_told_as_a_worsening(tmp_path: Path) -> None:
    """GB 50911-2013 §9.1.5: data reaching a warning standard must be reported. A yellow vault settlement (85 % of
    its 10 mm) that keeps growing within its level is worse away from zero: the uplinks hear of it as ``updated``
    events carrying the larger values. Its value lies under its control value, which the worsening tracker used
    to read as lower-is-worse: a growing settlement was never told until it turned orange."""
    from contract.alert_event import AlertEvent
    from contract.config.rules import WorseningUpdates
    from gateway.alerts.manager import AlertManager

    sent: list[AlertEvent] = []
    now = [T0]
    manager = AlertManager(tmp_path / "alerts.db", PROJECT, sent.append, lambda: now[0], WorseningUpdates())
    got = run(RuleEngine(reference_site()), vault([round(0.02 * i, 2) for i in range(481)]), "tunnel.vault")
    assert levels(got) == [None, "warning"] and got[-1].value == 9.6
    try:
        for r in got:
            now[0] = r.ts
            manager.handle([r])
            manager.tick()
    finally:
        manager.close()
    assert [e.state for e in sent][:1] == ["firing"] and sent[0].value == 8.5
    updates = [e.value for e in sent if e.state == "updated"]
    assert updates and updates[-1] == 9.6 and updates == sorted(updates)


MAJOR = "建质规〔2024〕5号 第十三条(三)"


@pytest.mark.parametrize(
    ("value", "level", "major"),
    # DB-01: the design's 30 mm. Art. 13(三) is data 超过 the design's control value: above it, not at it
    [(29.9, "warning", False), (30.0, "alarm", False), (30.1, "alarm", True), (-30.1, "alarm", True)],
)
def test_article_13_3_is_cited_only_above_a_design_control_value(
    value: float, level: str, major: bool
) -> None:
    [got] = run(RuleEngine(reference_site()), [at(T0, "DB-01", surface_settle_mm=value)], "tunnel.surface")
    assert got.level == level
    assert (MAJOR in got.clause) == major, got.clause
    if major:
        assert "监测数据超过设计控制值且未及时采取措施" in got.clause


def test_a_fallback_control_value_passed_is_orange_but_not_article_13_3() -> None:
    # GD-01 on §16's fallback 10 mm (from memory, not the design's): far past it, orange, and no major hazard
    [got] = run(RuleEngine(reference_site()), vault([12.0]), "tunnel.vault")
    assert got.level == "alarm" and "凭记忆转录" in got.clause
    assert MAJOR not in got.clause


def test_a_rate_above_its_design_control_value_cites_article_13_3(tmp_path: Path) -> None:
    """GD-01 with the design's 10 mm and 2 mm/d: 2.4 mm/d over a day (cumulative 2.4 mm) is above the rate's."""
    site = change_tunnel(
        tmp_path, points=[{"code": "GD-01", "item": "vault", "cumulative_mm": 10, "rate_mm_d": 2}]
    )
    for per_day, major in ((2.0, False), (2.4, True)):
        values = [per_day * i * STEP / DAY for i in range(49)]
        got = run(RuleEngine(site), vault(values), "tunnel.vault")
        assert got[-1].level == "alarm", per_day
        assert (MAJOR in got[-1].clause) == major, per_day


def test_the_rate_alone_reaches_yellow_at_85_percent_and_not_below() -> None:
    # steady at 1.7 mm/d (85 % of 2) and at 1.69 mm/d: the first rate is known a window in
    for per_day, expected in ((1.7, ["warning"]), (1.69, [])):
        values = [per_day * i * STEP / DAY for i in range(60)]
        got = run(RuleEngine(reference_site()), vault(values), "tunnel.vault")
        assert [r.level for r in got if r.level][:1] == expected, per_day
        # the first rate is known a window in (the 49th reading), not before
        assert all(r.ts >= T0 + DAY for r in got if r.level)


def test_both_at_70_percent_are_yellow_and_just_under_is_nothing() -> None:
    """Cumulative 7.0 mm (70 % of 10) with a day's rate of 1.4 mm/d (70 % of 2); 6.99 mm is under."""
    for start, expected in ((5.6, ["warning"]), (5.59, [])):
        values = [start + 1.4 * i * STEP / DAY for i in range(49)]  # the 49th reading: one day on
        got = run(RuleEngine(reference_site()), vault(values), "tunnel.vault")
        assert [r.level for r in got if r.level] == expected, start


def test_both_at_100_percent_are_red_and_the_work_stops() -> None:
    values = [8.0 + 2.0 * i * STEP / DAY for i in range(49)]  # 10.0 mm at 2.0 mm/d
    got = run(RuleEngine(reference_site()), vault(values), "tunnel.vault")
    assert got[-1].level == "critical"
    assert "红色预警" in got[-1].message and "暂停掘进（开挖）" in got[-1].message


def test_a_rate_that_suddenly_quadruples_is_red() -> None:
    """Two days at 0.4 mm/d, then 1.6 mm/d: a day on, the day's rate (1.6, 80 % of the control: only
    yellow by itself would be 85 %) is four times the day's before it: red."""
    step = 6 * 3600.0
    values, v = [], 0.0
    for i in range(13):
        values.append(round(v, 4))
        v += (0.4 if i < 8 else 1.6) * step / DAY
    got = run(RuleEngine(reference_site()), vault(values, step), "tunnel.vault")
    assert levels(got) == [None, "critical"]
    assert "速率突然增大" in got[-1].message and got[-1].details["accelerating"] == "yes"
    # red from the acceleration alone: no value is above a control value, so no Art. 13(三)
    assert MAJOR not in got[-1].clause


def doubling(before: float, after: float) -> list[float]:
    """GD-01 read every 6 h: two days at ``before`` mm/d, then a day at ``after`` mm/d (13 readings)."""
    values, v = [], 0.0
    for i in range(13):
        values.append(round(v, 4))
        v += (before if i < 8 else after) * 6 * 3600.0 / DAY
    return values


@pytest.mark.parametrize(
    ("before", "after", "red"),
    [
        # §16: red when "the rate suddenly accelerates"; no figure in any standard, the practice factor is
        # reaching 2.0 times the day's rate before it (with the rate at least 70 % of its 2 mm/d control)
        (0.8, 1.6, True),  # 2.0 times: reached
        (0.8, 1.592, False),  # 1.99 times
        (0.8, 1.608, True),  # 2.01 times
        (0.7, 1.4, True),  # 2.0 times, 1.4 mm/d: 70 % of the control reached
        (0.69, 1.38, False),  # 2.0 times, but under 70 % of the rate's control: too slow to be red
    ],
)
def test_a_rate_that_doubles_is_red_and_one_just_under_double_is_not(
    before: float, after: float, red: bool
) -> None:
    got = run(RuleEngine(reference_site()), vault(doubling(before, after), 6 * 3600.0), "tunnel.vault")
    # 3.2 mm of 10 and at most 1.608 of 2 mm/d: no colour but the acceleration's
    assert levels(got) == ([None, "critical"] if red else [None])
    if red:
        assert got[-1].details["accelerating"] == "yes" and "速率突然增大" in got[-1].message
        assert "红色预警" in got[-1].message and "暂停掘进（开挖）" in got[-1].message
    else:
        assert all(r.details["accelerating"] == "no" for r in got)


def test_a_red_from_acceleration_alone_on_design_values_cites_no_article_13_3(tmp_path: Path) -> None:
    site = change_tunnel(
        tmp_path, points=[{"code": "GD-01", "item": "vault", "cumulative_mm": 10, "rate_mm_d": 2}]
    )
    step = 6 * 3600.0
    values, v = [], 0.0
    for i in range(13):
        values.append(round(v, 4))
        v += (0.4 if i < 8 else 1.6) * step / DAY
    got = run(RuleEngine(site), vault(values, step), "tunnel.vault")
    assert got[-1].level == "critical" and "控制值采用设计值" in got[-1].clause
    assert MAJOR not in got[-1].clause


def test_convergence_and_surface_points_have_their_own_rules_and_controls() -> None:
    got = run(
        RuleEngine(reference_site()),
        [at(T0, "SL-01", convergence_mm=10.0), at(T0, "DB-01", surface_settle_mm=-25.5)],
    )
    by_rule = {r.rule: r for r in got if r.rule.startswith("tunnel.")}
    assert by_rule["tunnel.convergence"].level == "alarm"  # 10 mm: the mined fallback reached
    # heave judged on its size: 25.5 of the design's 30 mm is 85 %; the clause says the design's value
    assert by_rule["tunnel.surface"].level == "warning"
    assert "控制值采用设计值（第9.1.2条）" in by_rule["tunnel.surface"].clause


def test_a_broken_reading_never_clears_a_level_and_is_a_sensor_fault() -> None:
    engine = RuleEngine(reference_site())
    got = run(engine, [*vault([10.2]), at(T0 + STEP, "GD-01", vault_settle_mm=9999.0)])
    assert [(r.point, r.level) for r in got if r.rule == "sensor.fault" and r.level] == [("GD-01", "warning")]
    vaults = [r for r in got if r.rule == "tunnel.vault"]
    assert [r.level for r in vaults] == ["alarm"]  # nothing said of the broken reading: still orange


def test_readings_out_of_order_are_kept_but_not_judged() -> None:
    engine = RuleEngine(reference_site())
    got = run(engine, [*vault([10.2]), at(T0 - STEP, "GD-01", vault_settle_mm=0.0)], "tunnel.vault")
    assert [r.level for r in got] == ["alarm"]


def backfilled(ts: float, code: str, **metrics: float) -> list[Reading]:
    return sample("tunnel-1", ts, code, Quality.BACKFILL, **metrics)


def test_a_loggers_backlog_older_than_the_live_readings_is_judged_as_history() -> None:
    """GB 50911 §9.1.5: data reaching the warning criteria must be reported, however late they come. The live
    GD-01 read 1.0 mm at T0+2h; the system's logger then serves what it kept of T0+1h: 12.0 mm, past the
    10 mm control value: an orange warning, marked backfill."""
    engine = RuleEngine(reference_site())
    got = run(engine, [at(T0 + 2 * 3600, "GD-01", vault_settle_mm=1.0)], "tunnel.vault")
    assert [r.level for r in got] in ([], [None])
    [late] = run(engine, [backfilled(T0 + 3600, "GD-01", vault_settle_mm=12.0)], "tunnel.vault")
    assert (late.level, late.backfill, late.ts) == ("alarm", True, T0 + 3600)
    assert "拱顶沉降累计 12.00 mm" in late.message and "第9.1.5条" in late.clause
    # the backlog's own series: its next, older-than-live reading below every line clears only the history's
    # verdict (the alert manager never lets an older verdict lower a current alert); the live stream is as it was
    [history] = run(engine, [backfilled(T0 + 5400, "GD-01", vault_settle_mm=0.5)], "tunnel.vault")
    assert (history.level, history.backfill) == (None, True)
    live = run(engine, [at(T0 + 3 * 3600, "GD-01", vault_settle_mm=1.0)], "tunnel.vault")
    assert all(r.level is None and not r.backfill for r in live)


def test_a_backlog_reading_older_than_the_history_judged_is_not_judged() -> None:
    engine = RuleEngine(reference_site())
    run(engine, [at(T0 + 2 * 3600, "GD-01", vault_settle_mm=1.0)])
    run(engine, [backfilled(T0 + 3600, "GD-01", vault_settle_mm=0.5)])
    assert run(engine, [backfilled(T0 + 1800, "GD-01", vault_settle_mm=12.0)], "tunnel.vault") == []


# ---- a point gone silent while its system reports -------------------------------------------------


def others(ts: float) -> list[Reading]:
    return [
        *at(ts, "GD-02", vault_settle_mm=0.5),
        *at(ts, "SL-01", convergence_mm=0.5),
        *(r for code in ("DB-01", "DB-02") for r in at(ts, code, surface_settle_mm=0.5)),
        *at(ts, "ZC-01", axial_kn=400.0),  # the strut on its preload
    ]


def silent_run(last_gd01: float, until: float, step: float = 900.0) -> list[RuleResult]:
    engine = RuleEngine(reference_site())
    out: list[RuleResult] = []
    ts = T0
    while ts <= until:
        batch = others(ts) + (at(ts, "GD-01", vault_settle_mm=0.5) if ts <= last_gd01 else [])
        out.extend(engine.tick(ts))
        out.extend(engine.process(batch))
        ts += step
    return [r for r in out if r.rule == "tunnel.silent" and r.point == "GD-01"]


def test_a_point_silent_for_more_than_three_intervals_is_an_alarm() -> None:
    # three intervals (5400 s) exactly is not more than three; 6300 s is
    assert [r.level for r in silent_run(T0, T0 + 5400)] == []
    got = silent_run(T0, T0 + 6300)
    assert [r.level for r in got] == ["alarm"]
    assert got[0].message.startswith("地铁连接通道 测点 GD-01 1.8 小时无有效数据：检查测点")
    assert "GB 50911-2013 第9.1.5条" in got[0].clause


def test_a_silent_point_ends_only_with_a_valid_reading() -> None:
    engine = RuleEngine(reference_site())
    got: list[RuleResult] = []
    for ts in (T0, T0 + 900, T0 + 1800, T0 + 6300, T0 + 7200, T0 + 8100):
        got.extend(engine.tick(ts))
        batch = others(ts) + at(ts, "GD-01", vault_settle_mm=0.5) if ts == T0 else others(ts)
        if ts == T0 + 7200:
            batch += at(ts, "GD-01", vault_settle_mm=-9999.0)  # a value its sensor cannot give
        if ts == T0 + 8100:
            batch += at(ts, "GD-01", vault_settle_mm=0.6)
        got.extend(engine.process(batch))
    silent = [r.level for r in got if r.rule == "tunnel.silent" and r.point == "GD-01"]
    assert silent == ["alarm", None]


def test_a_loggers_backlog_blames_only_the_point_its_reports_go_on_without() -> None:
    # the system's logger serves its last four hours at once, oldest first, the gateway ticking between its
    # reports: GD-01 reports through them all, its prism hidden from the third hour before now
    engine = RuleEngine(reference_site())
    now = T0 + 4 * 3600
    got: list[RuleResult] = []
    for ts in [T0 + k * STEP for k in range(8)]:
        batch = others(ts) + (at(ts, "GD-01", vault_settle_mm=0.5) if ts <= T0 + STEP else [])
        got.extend(engine.process(batch))
        got.extend(engine.tick(now))  # the wall clock, hours after the report just served
    silent = [r for r in got if r.rule == "tunnel.silent"]
    # once its system's reports cover all but three intervals: nothing before, for no other point
    assert [(r.point, r.level) for r in silent] == [("GD-01", "alarm")]
    assert silent[0].message.startswith("地铁连接通道 测点 GD-01 3.5 小时无有效数据")


def test_a_system_not_reporting_either_is_device_offlines_not_its_points() -> None:
    engine = RuleEngine(reference_site())
    engine.process(others(T0) + at(T0, "GD-01", vault_settle_mm=0.5))
    assert [r for r in engine.tick(T0 + 6300) if r.rule == "tunnel.silent"] == []
    got = engine.process(others(T0 + 6300))  # the system again, GD-01 still without a reading
    got += engine.tick(T0 + 6300)
    assert [(r.point, r.level) for r in got if r.rule == "tunnel.silent"] == [("GD-01", "alarm")]


# ---- the site file ---------------------------------------------------------------------------------


def change_tunnel(tmp_path: Path, **tunnel: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        device(data, "tunnel-1")["tunnel"].update(tunnel)

    return site_variant(tmp_path, change)


def test_a_mined_surface_point_without_the_designs_values_is_refused_with_the_fix(tmp_path: Path) -> None:
    points = [{"code": "DB-01", "item": "surface"}]
    site = change_tunnel(tmp_path, points=points)
    with pytest.raises(ConfigError) as err:
        RuleEngine(site)
    text = str(err.value)
    assert "point DB-01 (地表沉降) has no control values" in text
    assert "cumulative_mm: and rate_mm_d: from the construction drawings" in text


def test_a_shield_tunnels_fallbacks_follow_its_ground_and_diameter(tmp_path: Path) -> None:
    points = [{"code": "GD-01", "item": "vault"}, {"code": "SL-01", "item": "convergence"}]
    site = change_tunnel(tmp_path, method="shield", ground="soft", diameter_m=6.2, points=points)
    got = run(
        RuleEngine(site),
        [at(T0, "GD-01", vault_settle_mm=17.0), at(T0, "SL-01", convergence_mm=12.4)],
    )
    judged = {r.rule: (r.level, r.threshold) for r in got if r.rule.startswith("tunnel.")}
    # soft ground: 20 mm (17 is 85 %: yellow); convergence 0.2 % of 6.2 m = 12.4 mm (orange)
    assert judged == {"tunnel.vault": ("warning", 20.0), "tunnel.convergence": ("alarm", pytest.approx(12.4))}


@pytest.mark.parametrize(
    ("mm", "level"),
    # §16's fallback for a shield tunnel's convergence: 0.2 % D, 12.4 mm for D = 6.2 m. Orange when it is
    # reached (100 %, 达到: on the line counts); just under it, still past 85 % of it: yellow
    [(12.39, "warning"), (12.4, "alarm"), (12.41, "alarm")],
)
def test_a_shield_tunnels_convergence_at_below_and_above_0_2_percent_of_its_diameter(
    tmp_path: Path, mm: float, level: str
) -> None:
    points = [{"code": "SL-01", "item": "convergence"}]
    site = change_tunnel(tmp_path, method="shield", ground="soft", diameter_m=6.2, points=points)
    [got] = run(RuleEngine(site), [at(T0, "SL-01", convergence_mm=mm)], "tunnel.convergence")
    assert (got.level, got.value, got.threshold) == (level, mm, pytest.approx(12.4))
    assert (
        got.message.startswith("地铁连接通道 测点 SL-01 净空收敛累计")
        and "（控制值 12.4 mm 的" in got.message
    )
    assert ("橙色预警" if level == "alarm" else "黄色预警") in got.message
    # what the message says of the line agrees with the colour: just under it is not 100 % of it
    share = {12.39: "99%", 12.4: "100%", 12.41: "100%"}[mm]
    assert f"累计 {mm:.2f} mm（控制值 12.4 mm 的 {share}）" in got.message, got.message
    assert "表9.2.2" in got.clause and MAJOR not in got.clause  # the fallback, never the design's value


def test_a_shield_convergence_point_needs_the_diameter_or_the_designs_values(tmp_path: Path) -> None:
    points = [{"code": "SL-01", "item": "convergence"}]
    site = change_tunnel(tmp_path, method="shield", points=points)
    with pytest.raises(ConfigError, match="no diameter_m is given"):
        RuleEngine(site)


def test_a_shield_drives_heave_keeps_its_own_10_mm_where_the_design_gives_only_the_settlements(
    tmp_path: Path,
) -> None:
    points = [{"code": "DB-01", "item": "surface", "cumulative_mm": 30, "rate_mm_d": 3}]
    site = change_tunnel(tmp_path, method="shield", points=points)
    for value, expected, control in ((-8.5, "warning", 10.0), (-8.49, None, 10.0), (25.5, "warning", 30.0)):
        [got] = run(RuleEngine(site), [at(T0, "DB-01", surface_settle_mm=value)], "tunnel.surface")
        assert (got.level, got.threshold) == (expected, control), value
    [heaved] = run(RuleEngine(site), [at(T0, "DB-01", surface_settle_mm=-10.0)], "tunnel.surface")
    assert heaved.level == "alarm" and "（控制值 10 mm 的 100%）" in heaved.message


def test_a_heave_control_on_a_point_that_is_not_a_surface_point_is_refused(tmp_path: Path) -> None:
    site = change_tunnel(tmp_path, points=[{"code": "GD-01", "item": "vault", "heave_mm": 5}])
    with pytest.raises(ConfigError, match="heave_mm is a surface point's"):
        RuleEngine(site)
