"""High formwork during pours, written from docs/standards.md §6 (DBJ/T 15-197-2020): alarm values
settlement 8 mm, horizontal displacement 12 mm, tilt 4‰ (0.229°), axial force the design value
(20 kN on the reference site's M1-M4); pre-warning at 80 %; reaching the alarm value means stop
pouring and evacuate; during a pour every point reports at least twice a minute."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from contract.readings import Reading
from rules import RuleEngine, RuleResult
from tests.rules.sites import device, levels, reference_site, run, sample, site_variant

T0 = 1_790_000_000.0


def point(ts: float, code: str, **metrics: float) -> list[Reading]:
    return sample("formwork-1", ts, point=code, **metrics)


def pour(ts: float, active: bool) -> list[Reading]:
    return sample("formwork-1", ts, pour_active=1.0 if active else 0.0)


@pytest.mark.parametrize(
    ("metric", "rule", "warn_at", "alarm"),
    [
        ("settle_mm", "formwork.settle", 6.4, 8.0),
        ("disp_h_mm", "formwork.disp", 9.6, 12.0),
        ("tilt_deg", "formwork.tilt", 0.2 * 0.916, 0.229),
        ("axial_kn", "formwork.axial", 16.0, 20.0),
    ],
)
def test_warning_at_80_percent_and_critical_at_the_alarm_value(
    metric: str, rule: str, warn_at: float, alarm: float
) -> None:
    values = [0.5 * alarm, 0.8 * alarm, alarm, 0.5 * alarm]
    got = run(
        RuleEngine(reference_site()), [point(T0 + i, "M2", **{metric: v}) for i, v in enumerate(values)], rule
    )
    assert [r.level for r in got] == [None, "warning", "critical", None]
    assert got[2].point == "M2" and got[2].threshold == pytest.approx(alarm)
    assert "DBJ/T 15-197-2020" in got[2].clause and "第8.0.5条" in got[2].clause
    assert "立即停止浇筑，撤离支撑体系下方人员" in got[2].message
    assert "立即停止浇筑" not in got[3].message


def test_settlement_and_displacement_are_judged_by_size_whatever_their_sign() -> None:
    got = run(RuleEngine(reference_site()), [point(T0, "M1", disp_h_mm=-12.5)], "formwork.disp")
    assert got[0].level == "critical"


def test_a_design_value_given_per_point_replaces_the_table(tmp_path: Path) -> None:
    def design(data: dict[str, Any]) -> None:
        device(data, "formwork-1")["formwork"]["points"][0]["settle_mm"] = 5.0

    engine = RuleEngine(site_variant(tmp_path, design))
    got = run(engine, [point(T0, "M1", settle_mm=5.0), point(T0, "M2", settle_mm=5.0)], "formwork.settle")
    assert [(r.point, r.level) for r in got] == [("M1", "critical"), ("M2", None)]


def test_noise_around_the_pre_warning_does_not_flap() -> None:
    rnd = random.Random(3)
    values = [6.4 + rnd.uniform(-0.2, 0.2) for _ in range(300)]  # ±3 % around 80 % of 8 mm
    got = run(
        RuleEngine(reference_site()),
        [point(T0 + i, "M4", settle_mm=v) for i, v in enumerate(values)],
        "formwork.settle",
    )
    assert levels(got).count("warning") == 1


def test_axial_force_without_a_design_value_is_kept_but_not_judged(tmp_path: Path) -> None:
    def no_design(data: dict[str, Any]) -> None:
        del device(data, "formwork-1")["formwork"]["points"][0]["axial_design_kn"]

    assert (
        run(
            RuleEngine(site_variant(tmp_path, no_design)), [point(T0, "M1", axial_kn=500.0)], "formwork.axial"
        )
        == []
    )


def silent(engine: RuleEngine, batches: list[list[Reading]]) -> list[RuleResult]:
    flat = [r for b in batches for r in b]
    return [r for _, _, found in engine.replay(flat) for r in found if r.rule == "formwork.silent"]


def every_point(ts: float, skip: str = "") -> list[Reading]:
    return [r for code in ("M1", "M2", "M3", "M4") if code != skip for r in point(ts, code, settle_mm=1.0)]


def test_a_point_silent_for_60_s_during_a_pour_is_an_alarm_and_clears_when_it_reports() -> None:
    engine = RuleEngine(reference_site())
    batches = [pour(T0, True)] + [every_point(T0 + t, skip="M3") for t in range(30, 121, 30)]
    batches.append(every_point(T0 + 150))  # M3 is back
    got = silent(engine, batches)
    assert [(r.point, r.level) for r in got] == [("M3", "alarm"), ("M3", None)]
    assert got[0].ts == T0 + 90 and got[0].value == 90.0  # first tick past 60 s silence
    assert "浇筑中" in got[0].message and "第7.0.3条" in got[0].clause


def test_outside_a_pour_silence_is_not_a_formwork_alarm() -> None:
    engine = RuleEngine(reference_site())
    assert silent(engine, [every_point(T0 + t, skip="M3") for t in range(0, 600, 30)]) == []


def test_ending_the_pour_clears_the_silence_alarms() -> None:
    engine = RuleEngine(reference_site())
    batches = [pour(T0, True), every_point(T0 + 30), every_point(T0 + 60, skip="M1")]
    got = silent(engine, [*batches, every_point(T0 + 95, skip="M1"), pour(T0 + 130, False)])
    assert [(r.point, r.level) for r in got] == [("M1", "alarm"), ("M1", None)]


def test_the_pour_is_said_in_the_limit_alerts() -> None:
    engine = RuleEngine(reference_site())
    [got] = run(engine, [pour(T0, True), point(T0 + 1, "M3", settle_mm=8.2)], "formwork.settle")
    assert "浇筑中" in got.message and got.details["pouring"] == "yes"
