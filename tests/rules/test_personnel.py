"""Key personnel on duty, written from docs/standards.md §7: while dangerous work goes on the project
manager and a safety officer must be on site (absence past the 30-min grace: alarm, never a major
hazard); an expired safety certificate is critical (建质规〔2024〕5号 第四条(二)); the project manager
on site for at least 80 % of the month's working time (建质〔2011〕111号). The reference site's roster:
KP-01 project manager, KP-02 and KP-03 safety officers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from contract.readings import Reading
from rules import RuleEngine, RuleResult
from rules.personnel_attendance import working_seconds
from tests.rules.sites import reference_site, sample, site_variant

CST = "+08:00"


def at(text: str) -> float:
    return datetime.fromisoformat(text + CST).timestamp()


def gate(ts: float, person: str, inside: bool) -> list[Reading]:
    return sample("gate-1", ts, point=person, on_site=1.0 if inside else 0.0)


def lifting(ts: float) -> list[Reading]:
    return sample("crane-1", ts, load_t=1.5, radius_m=20.0, slew_deg=90.0, height_m=30.0)


def replay(engine: RuleEngine, batches: list[list[Reading]], rule: str) -> list[RuleResult]:
    flat = sorted((r for b in batches for r in b), key=lambda r: r.ts)
    return [r for _, _, found in engine.replay(flat) for r in found if r.rule == rule]


def test_lifting_with_no_project_manager_on_site_is_an_alarm_after_the_grace_period() -> None:
    start = at("2026-09-01T09:00:00")
    batches = [gate(start - 600, "KP-02", True)]  # a safety officer is in, the manager is not
    batches += [lifting(start + m * 60) for m in range(45)]
    batches.append(gate(start + 44 * 60 + 30, "KP-01", True))
    batches.append(lifting(start + 45 * 60))
    got = replay(RuleEngine(reference_site()), batches, "personnel.absent")
    fired = [r for r in got if r.level]
    assert fired and fired[0].point == "project_manager" and fired[0].level == "alarm"
    assert fired[0].ts == start + 30 * 60  # the grace period, from the first lift
    assert "项目负责人不在现场" in fired[0].message and "1号塔吊吊装" in fired[0].message
    assert got[-1].level is None and got[-1].point == "project_manager"
    assert all(r.point != "safety_officer" for r in got)


def test_no_safety_officer_is_its_own_alert() -> None:
    start = at("2026-09-01T09:00:00")
    batches = [gate(start - 600, "KP-01", True)] + [lifting(start + m * 60) for m in range(35)]
    got = replay(RuleEngine(reference_site()), batches, "personnel.absent")
    assert [(r.point, r.level) for r in got if r.level][:1] == [("safety_officer", "alarm")]


def test_nobody_needed_when_no_dangerous_work_goes_on() -> None:
    start = at("2026-09-01T09:00:00")
    idle = gate(start - 60, "W-1", True) + sample(
        "crane-1", start, load_t=0.0, radius_m=20.0, slew_deg=90.0, height_m=30.0
    )
    batches = [idle] + [sample("crane-1", start + m * 60, load_t=0.0) for m in range(1, 90)]
    assert replay(RuleEngine(reference_site()), batches, "personnel.absent") == []


def test_a_pour_is_dangerous_work_too() -> None:
    start = at("2026-09-01T20:00:00")
    batches = [gate(start - 3600, "W-1", True), sample("formwork-1", start, pour_active=1.0)]
    batches += [sample("formwork-1", start + m * 30, point="M1", settle_mm=1.0) for m in range(1, 70)]
    got = replay(RuleEngine(reference_site()), batches, "personnel.absent")
    assert {r.point for r in got if r.level} == {"project_manager", "safety_officer"}
    assert "高支模浇筑" in next(r for r in got if r.level).message


def test_an_expired_safety_certificate_is_critical_from_the_day_after_expiry(tmp_path: Path) -> None:
    def expiring(data: dict[str, Any]) -> None:
        data["key_personnel"][2]["certificate_valid_until"] = "2026-10-31"

    got = replay(
        RuleEngine(site_variant(tmp_path, expiring)),
        [gate(at("2026-10-31T12:00:00"), "W-1", True), gate(at("2026-11-01T08:00:00"), "W-1", False)],
        "personnel.certificate",
    )
    kp03 = [r for r in got if r.point == "KP-03"]
    # the expiry day itself is valid, within the 30 days' warning; the day after, critical
    assert [r.level for r in kp03] == ["warning", "critical"]
    assert "第四条(二)" in kp03[1].clause and "赵永刚" in kp03[1].message
    assert "将于 2026-10-31 到期" in kp03[0].message and "办理证书延续" in kp03[0].message


@pytest.mark.parametrize(("day", "level"), [("2026-09-30", None), ("2026-10-01", "warning")])
def test_a_safety_certificate_due_within_30_days_is_a_warning(
    tmp_path: Path, day: str, level: str | None
) -> None:
    def expiring(data: dict[str, Any]) -> None:
        data["key_personnel"][2]["certificate_valid_until"] = "2026-10-31"

    got = replay(
        RuleEngine(site_variant(tmp_path, expiring)),
        [gate(at(f"{day}T12:00:00"), "W-1", True)],
        "personnel.certificate",
    )
    assert [r.level for r in got if r.point == "KP-03"] == [level]


def test_working_seconds_count_only_the_local_working_hours() -> None:
    from datetime import timedelta, timezone

    cst = timezone(timedelta(hours=8))
    # Friday 18:00 to Saturday 08:00, working hours 07-19: one hour each day
    assert working_seconds(at("2026-09-04T18:00:00"), at("2026-09-05T08:00:00"), cst, (7, 19)) == 7200


def test_a_project_manager_on_site_half_the_working_time_gets_the_monthly_warning() -> None:
    batches: list[list[Reading]] = []
    for day in range(1, 4):
        morning = at(f"2026-09-0{day}T07:00:00")
        batches.append(gate(morning, "KP-01", True))
        batches.append(gate(morning + 6 * 3600, "KP-01", False))  # leaves at 13:00 of 07-19
        batches.append(gate(morning + 12 * 3600, "W-7", True))  # something to tick on
    got = replay(RuleEngine(reference_site()), batches, "personnel.attendance")
    assert got and got[-1].level == "warning" and got[-1].value == 50.0
    assert "80%" in got[-1].message and "建质〔2011〕111号" in got[-1].clause


def test_who_is_on_site_now() -> None:
    engine = RuleEngine(reference_site())
    list(engine.replay([*gate(100.0, "KP-01", True), *gate(101.0, "W-3", True), *gate(102.0, "W-3", False)]))
    assert engine.on_site() == [("KP-01", 100.0)]


def test_without_any_passage_from_the_gates_nobody_is_judged_absent() -> None:
    # no feed is the gate's problem, not an absence: a site whose gate is not wired yet gets no alarm
    start = at("2026-09-01T09:00:00")
    got = replay(
        RuleEngine(reference_site()), [lifting(start + m * 60) for m in range(45)], "personnel.absent"
    )
    assert got == []
