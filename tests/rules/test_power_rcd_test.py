"""power.rcd_test and the test trip (试跳), written from standards.md §17: "the daily RCD test-button check (试跳)
recorded as a checklist item [practice]" (the interval the site's, 24 h by default: older than it is overdue,
a warning); a test that does not trip the RCD is critical, 漏电保护器试跳不动作 (JGJ/T 46-2024 §3.3); a test trip
is no residual-current trip (no power.trip). Silence never counts as a test. The reference site's power-b2 is
a wet terminal box (RCD 15 mA / 0.1 s) polled every 5 s."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contract.readings import Quality
from regulator.ledger import classify
from rules import RuleEngine, RuleResult
from tests.rules.sites import device, reference_site, run, sample, site_variant

SITE = reference_site()
T0 = 1_795_000_000.0
DAY = 86_400.0
QUIET: dict[str, float | str] = {"leakage_ma": 2.0, "rcd_state": 0, "arc_alarm": 0}


def box(t: float, dev: str = "power-b2", quality: Quality = Quality.OK, **changes: float | str) -> list[Any]:
    return sample(dev, T0 + t, quality=quality, **{**QUIET, **changes})


def verdicts(
    batches: list[list[Any]], rule: str = "power.rcd_test", engine: RuleEngine | None = None
) -> list[RuleResult]:
    return run(engine or RuleEngine(SITE), batches, rule)


def levels(batches: list[list[Any]], rule: str = "power.rcd_test") -> list[tuple[float, str | None]]:
    """(seconds after T0, level) of each verdict of ``rule`` (a clear rule already said so says nothing)."""
    return [(r.ts - T0, r.level) for r in verdicts(batches, rule)]


def level_at(found: list[tuple[float, str | None]], t: float) -> str | None:
    """The level in force at ``t`` seconds after T0: the last verdict at or before it."""
    return [level for at, level in found if at <= t][-1]


# ---- overdue: older than the interval (strict), measured from the last test that tripped the RCD -----------


@pytest.mark.parametrize(("after", "level"), [(DAY - 1, None), (DAY, None), (DAY + 1, "warning")])
def test_a_test_older_than_the_interval_warns_and_one_on_it_does_not(after: float, level: str | None) -> None:
    found = levels([box(0, rcd_state=1, rcd_test=1), box(5), box(after)])
    assert level_at(found, after) == level


def test_the_clock_starts_at_the_first_reading_when_no_test_is_known() -> None:
    found = verdicts([box(0), box(DAY), box(DAY + 1)])
    assert [(r.ts - T0, r.level) for r in found] == [(0, None), (DAY + 1, "warning")]
    assert "自开始监测起未收到试跳记录" in found[-1].message and found[-1].details["tested"] == "no"


def test_silence_never_counts_as_a_test() -> None:
    # tested, then silent for 30 hours: the first reading after it finds the test overdue
    found = levels([box(0, rcd_state=1, rcd_test=1), box(30 * 3600)])
    assert found[-1] == (30 * 3600, "warning")


def test_the_warning_holds_on_readings_without_a_test_stale_or_faulty_ones_and_clears_on_a_test() -> None:
    engine = RuleEngine(SITE)
    assert verdicts([box(0), box(DAY + 1)], engine=engine)[-1].level == "warning"
    held = verdicts(
        [
            box(DAY + 5),  # no test reported
            box(DAY + 10, rcd_test=0),  # the register's "none"
            sample("power-b2", T0 + DAY + 15, quality=Quality.STALE, rcd_test=1),  # no proof
            sample("power-b2", T0 + DAY + 20, quality=Quality.FAULT, rcd_test=1),
        ],
        engine=engine,
    )
    assert [r.level for r in held] == ["warning", "warning"]  # the two proofless samples judged nothing
    [cleared] = verdicts([box(DAY + 25, rcd_state=1, rcd_test=1)], engine=engine)
    assert cleared.level is None and cleared.message == "地下室2号开关箱 漏电保护器试跳，已恢复正常"


def test_the_interval_is_the_sites_per_box(tmp_path: Path) -> None:
    def shift(data: dict[str, Any]) -> None:
        data["rules"].setdefault("devices", {})["power-b2"] = {"power": {"rcd_test_interval_h": 8}}

    engine = RuleEngine(site_variant(tmp_path, shift))
    found = run(engine, [box(0), box(0, "power-main"), box(8 * 3600 + 1), box(8 * 3600 + 1, "power-main")])
    said = {(r.device, r.level) for r in found if r.rule == "power.rcd_test" and r.ts > T0}
    assert said == {("power-b2", "warning")}  # power-main's 24 h: clear, and already said so at 0


def test_a_sub_box_without_an_rcd_has_no_test_to_miss(tmp_path: Path) -> None:
    def sub(data: dict[str, Any]) -> None:
        device(data, "power-b2")["power"] = {"level": "sub"}

    engine = RuleEngine(site_variant(tmp_path, sub))
    assert run(engine, [box(0), box(2 * DAY)], "power.rcd_test") == []


# ---- a test that does not trip the RCD: critical until one that does -----------------------------------


def test_a_failed_test_is_critical_and_only_a_test_that_trips_clears_it() -> None:
    engine = RuleEngine(SITE)
    [fired] = verdicts([box(0, rcd_test=2)], engine=engine)
    assert fired.level == "critical"
    assert fired.message.startswith("地下室2号开关箱 漏电保护器试跳不动作：立即停止该箱供电的全部作业")
    assert fired.clause.startswith(
        "JGJ/T 46-2024《建筑与市政工程施工现场临时用电安全技术标准》 第3.3节 剩余电流保护"
    )
    assert "试跳不动作" in fired.clause and "行业惯例" not in fired.clause
    held = verdicts(
        [
            box(5),
            box(10, rcd_test=0),
            sample("power-b2", T0 + 15, quality=Quality.STALE, rcd_test=1),
            box(DAY * 2),  # long past the interval, still the failed test's
        ],
        engine=engine,
    )
    assert [r.level for r in held] == ["critical"] * 3
    [cleared] = verdicts([box(DAY * 2 + 5, rcd_state=1, rcd_test=1)], engine=engine)
    assert cleared.level is None


def test_a_late_failure_older_than_a_pass_is_over() -> None:
    found = levels([box(10, rcd_state=1, rcd_test=1), box(5, rcd_test=2)])
    assert found == [(10, None)]


# ---- the test trip: not a residual-current trip -------------------------------------------------------


def test_a_test_trip_raises_no_trip_and_counts_as_the_test() -> None:
    engine = RuleEngine(SITE)
    found = run(engine, [box(0), box(5, rcd_state=1, rcd_test=1, leakage_ma=0.0), box(10, rcd_state=1)])
    assert {r.level for r in found if r.rule == "power.trip"} == {None}
    assert run(engine, [box(15), box(DAY + 5)], "power.rcd_test") == []  # tested at 5 s: on time at 24 h


def test_a_trip_without_the_flag_is_a_trip() -> None:
    assert levels([box(0), box(5, rcd_state=1)], "power.trip")[-1] == (5, "alarm")


def test_a_flag_kept_up_excuses_no_trip() -> None:
    # a monitor that keeps "passed" up: the trip's first reading has no newly risen flag
    found = levels([box(0, rcd_test=1), box(5, rcd_state=1, rcd_test=1)], "power.trip")
    assert found[-1] == (5, "alarm")


def test_a_flag_after_a_trip_does_not_clear_it() -> None:
    found = levels([box(0), box(5, rcd_state=1), box(10, rcd_state=1, rcd_test=1)], "power.trip")
    assert found[-2:] == [(5, "alarm"), (10, "alarm")]


def test_a_silence_within_a_test_trip_ends_what_was_known() -> None:
    # tripped by the test, then silent: it may have been closed and tripped by a leak meanwhile
    found = levels([box(0), box(5, rcd_state=1, rcd_test=1), box(600, rcd_state=1)], "power.trip")
    assert found[-1] == (600, "alarm")


# ---- a restart --------------------------------------------------------------------------------------


def test_a_restart_leaves_the_downtime_out_of_the_wait_and_keeps_an_alert_firing() -> None:
    engine = RuleEngine(SITE)
    run(engine, [box(0, rcd_state=1, rcd_test=1), box(0, "power-main", rcd_state=1, rcd_test=1)])
    assert verdicts([box(DAY + 1, "power-main")], engine=engine)[-1].level == "warning"
    engine.tick(T0 + DAY + 1)  # the warm-up's last instant
    engine.resume(T0 + DAY + 3601)  # down an hour: a test of power-b2 then could not be heard
    after = run(engine, [box(DAY + 3600), box(DAY + 3600, "power-main")], "power.rcd_test")
    # re-armed: each box's first verdict after the restart is said, power-b2's clear
    assert {(r.device, r.level) for r in after} == {("power-b2", None), ("power-main", "warning")}
    assert verdicts([box(DAY + 3601)], engine=engine)[-1].level == "warning"  # 24 h listened to, and a second


def test_restarts_more_often_than_the_interval_do_not_hide_an_untested_rcd() -> None:
    engine = RuleEngine(SITE)
    found: list[RuleResult] = []
    for hour in range(30):  # a reading an hour, a restart of a few seconds after each
        found += run(engine, [box(hour * 3600)], "power.rcd_test")
        engine.tick(T0 + hour * 3600)
        engine.resume(T0 + hour * 3600 + 5)
    assert [(r.ts - T0) / 3600 for r in found if r.level] == [
        25,
        26,
        27,
        28,
        29,
    ]  # 24 h and 2 min of downtime


def test_an_alert_firing_at_the_stop_that_the_warm_up_did_not_find_goes_on() -> None:
    engine = RuleEngine(SITE)
    engine.resume(T0, {("power.rcd_test", "power-b2", ""): ("critical", 30.0)})
    assert [r.level for r in verdicts([box(5), box(10)], engine=engine)] == ["critical", "critical"]
    assert verdicts([box(15, rcd_state=1, rcd_test=1)], engine=engine)[-1].level is None


# ---- the words -------------------------------------------------------------------------------------


def test_the_overdue_warning_says_how_long_and_what_to_do() -> None:
    [*_, got] = verdicts([box(0, rcd_state=1, rcd_test=1), box(DAY + 1800)])
    assert got.message == (
        "地下室2号开关箱 漏电保护器超过 24 小时未试跳（距上次试跳动作 24.5 小时）："
        "电工按漏电保护器试验按钮试跳，确认动作后就地合闸并记录；试跳不动作立即停用更换"
    )
    assert got.message_en.startswith(
        "地下室2号开关箱: its RCD not tested for over 24 h (24.5 h since its last"
    )
    assert got.clause.startswith("JGJ/T 46-2024") and got.clause.endswith(
        "（阈值为行业惯例，非标准条文，可配置）"
    )
    assert (got.value, got.unit, got.threshold) == (
        24.5,
        "h",
        None,
    )  # a clock: no limit, no worsening updates


def test_neither_level_is_a_major_hazard_of_the_2024_criteria() -> None:
    from kinds.power import rcd_test  # here: the kind's modules load through the registry first

    for clause in rcd_test.CLAUSES.values():
        assert classify.classify([], "power.rcd_test", clause)["classification"] == "general", clause
