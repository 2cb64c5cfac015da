"""Certified hands at the gate, written from docs/standards.md §19: a worker booked for a special-operations
trade passes the access gate; only a certificate valid in the issuer's register (certState 01), of the booked
trade's category, on a day no later than its expiringDate (the day itself still valid) lets them in
without a critical alert (建质规〔2024〕5号 第四条(三)); within the 90-day renewal window it is a warning.
The machines refuse a driver whose certificate is another trade's as they refuse an expired one.

The reference site's booked workers: OP-2001 hoist driver (to 2028-03-31), SG-01 signalman (to 2027-08-31),
SG-02 signalman (to 2026-09-30), EL-01 electrician (to 2028-05-31)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from contract.readings import Reading
from gateway.site.papers import paper_rows
from kinds.attendance.sim import GateSim
from rules import RuleEngine, RuleResult
from tests.rules.sites import reference_site, run, sample, site_variant

RULE = "personnel.trade_certificate"


def at(text: str) -> float:
    return datetime.fromisoformat(text + "+08:00").timestamp()


def gate(ts: float, person: str, inside: bool) -> list[Reading]:
    return sample("gate-1", ts, point=person, on_site=1.0 if inside else 0.0)


def entering(engine: RuleEngine, when: str, person: str) -> list[RuleResult]:
    return run(engine, [gate(at(when), person, True)], RULE)


@pytest.mark.parametrize(
    ("day", "level"),
    [
        ("2026-09-29", "warning"),  # before its expiry day: valid, inside the renewal window
        ("2026-09-30", "warning"),  # at: the expiry day itself is still valid (today ≤ expiringDate)
        ("2026-10-01", "critical"),  # after: expired
    ],
)
def test_an_expiring_certificate_at_before_and_after_its_expiry_day(day: str, level: str) -> None:
    [found] = entering(RuleEngine(reference_site()), f"{day}T07:30:00", "SG-02")
    assert found.level == level and found.device == "gate-1" and found.point == "SG-02"
    assert found.message.startswith("特种作业人员 吴振华（SG-02，建筑起重司索信号工(04)）")
    if level == "critical":
        assert "操作资格证书已于 2026-09-30 过期" in found.message and "第四条(三)" in found.clause
        assert "重大事故隐患" in found.clause and "禁止其进场从事该特种作业" in found.message
    else:
        assert "将于 2026-09-30 到期" in found.message and "延期复核" in found.message


@pytest.mark.parametrize(("day", "level"), [("2027-06-01", None), ("2027-06-02", "warning")])
def test_the_renewal_window_is_90_days_before_expiry(day: str, level: str | None) -> None:
    # SG-01 to 2027-08-31: 2027-06-02 is 90 days before (inside), 2027-06-01 91 days (outside)
    [found] = entering(RuleEngine(reference_site()), f"{day}T08:00:00", "SG-01")
    assert found.level == level
    if level:
        assert "剩 90 天" in found.message and "建质〔2008〕75号" in found.clause


def test_a_valid_certificate_well_before_expiry_is_quiet_and_unbooked_people_are_not_judged() -> None:
    engine = RuleEngine(reference_site())
    [valid] = entering(engine, "2026-11-26T07:30:00", "EL-01")
    assert valid.level is None and "持有效操作资格证书" in valid.message
    assert entering(engine, "2026-11-26T07:31:00", "W-0001") == []  # not on the roster: no trade booked
    assert entering(engine, "2026-11-26T07:32:00", "OP-1002") == []  # an older roster entry: no trade booked


def roster_with(tmp_path: Path, **worker: Any) -> RuleEngine:
    def change(data: dict[str, Any]) -> None:
        data["operators"].append({"id": "X-01", "name": "郑测试", **worker})

    return RuleEngine(site_variant(tmp_path, change))


@pytest.mark.parametrize(
    ("worker", "problem"),
    [
        ({"trade": "scaffolder", "licence_no": ""}, "无特种作业操作资格证书"),
        (
            {"trade": "electrician", "licence_no": "E-1", "valid_until": "2028-01-01", "state": "revoked"},
            "吊销(03)",
        ),
        (
            {"trade": "electrician", "licence_no": "E-1", "valid_until": "2028-01-01", "state": "suspended"},
            "暂扣(02)",
        ),
        (
            {"trade": "tower_crane_installer", "category": "hoist_installer", "valid_until": "2028-01-01"},
            "持建筑起重机械安装拆卸工（施工升降机）(09)证书，不是建筑起重机械安装拆卸工（塔式起重机）(08)证书",
        ),
    ],
)
def test_a_missing_invalid_or_other_trades_certificate_is_critical_at_the_gate(
    tmp_path: Path, worker: dict[str, Any], problem: str
) -> None:
    [found] = entering(roster_with(tmp_path, **worker), "2026-11-26T07:30:00", "X-01")
    assert found.level == "critical" and problem in found.message, found.message
    assert "第四条(三)" in found.clause


def test_critical_until_they_leave_and_again_when_they_return() -> None:
    engine = RuleEngine(reference_site())
    got = run(
        engine,
        [
            gate(at("2026-11-26T07:30:00"), "SG-02", True),
            gate(at("2026-11-26T09:00:00"), "KP-01", True),  # someone else's passage changes nothing
            gate(at("2026-11-26T10:00:00"), "SG-02", False),
            gate(at("2026-11-27T07:30:00"), "SG-02", True),
        ],
        RULE,
    )
    assert [r.level for r in got] == ["critical", None, "critical"]
    assert "已出场" in got[1].message


def test_a_certificate_expiring_at_midnight_is_caught_on_a_worker_still_on_site() -> None:
    engine = RuleEngine(reference_site())
    entered = run(engine, [gate(at("2026-09-30T20:00:00"), "SG-02", True)], RULE)
    assert [r.level for r in entered] == ["warning"]  # its last valid day
    late = [r.level for r in engine.tick(at("2026-09-30T23:59:59")) if r.rule == RULE]
    assert "critical" not in late
    turned = [r for r in engine.tick(at("2026-10-01T00:00:01")) if r.rule == RULE]
    assert [(r.point, r.level) for r in turned] == [("SG-02", "critical")]


def test_a_crane_refuses_a_signalman_at_the_controls_and_a_hoist_a_suspended_driver(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        for op in data["operators"]:
            if op["id"] == "OP-2001":
                op["state"] = "suspended"

    ts = at("2026-11-26T09:00:00")
    crane = run(
        RuleEngine(reference_site()),
        [sample("crane-1", ts, operator_id="SG-01", load_t=1.0, radius_m=20.0, slew_deg=0.0, height_m=30.0)],
        "crane.operator",
    )
    assert crane[-1].level == "critical"
    assert "不是建筑起重机械司机（塔式起重机）(05)证书" in crane[-1].message
    hoist = run(
        RuleEngine(site_variant(tmp_path, change)),
        [sample("hoist-1", ts, driver_id="OP-2001", speed_ms=0.6, load_kg=0.0)],
        "hoist.operator",
    )
    assert hoist[-1].level == "critical" and "暂扣(02)" in hoist[-1].message


def test_the_hoist_accepts_its_booked_driver_and_refuses_a_tower_crane_driver_booked_as_such(
    tmp_path: Path,
) -> None:
    def change(data: dict[str, Any]) -> None:
        data["operators"].append(
            {"id": "OP-1003", "name": "钱塔司", "trade": "tower_crane_driver", "valid_until": "2028-01-01"}
        )

    engine = RuleEngine(site_variant(tmp_path, change))
    ts = at("2026-11-26T09:00:00")
    ok = run(
        engine, [sample("hoist-1", ts, driver_id="OP-2001", speed_ms=0.6, load_kg=0.0)], "hoist.operator"
    )
    assert all(r.level is None for r in ok)
    refused = run(
        engine, [sample("hoist-1", ts + 1, driver_id="OP-1003", speed_ms=0.6, load_kg=0.0)], "hoist.operator"
    )
    assert refused[-1].level == "critical" and "(06)证书" in refused[-1].message


PLATFORM_AT_WORK = {"load_kg": 150.0, "counterweight_kg": 1000.0, "tilt_deg": 0.5, "top_distance_m": 20.0}


def installed_by(
    tmp_path: Path, az01: dict[str, Any], az02: dict[str, Any] | None = None
) -> list[RuleResult]:
    """platform-1 (installed on 2026-05-22 by AZ-01 and AZ-02) at work, its papers judged at the next tick."""

    def change(data: dict[str, Any]) -> None:
        for op in data["operators"]:
            if op["id"] == "AZ-01":
                op.update(az01)
            if op["id"] == "AZ-02" and az02:
                op.update(az02)

    engine = RuleEngine(site_variant(tmp_path, change))
    ts = at("2026-11-26T09:00:00")
    engine.process(sample("platform-1", ts, persons=2.0, buckles=2.0, **PLATFORM_AT_WORK))
    return [r for r in engine.tick(ts + 1) if r.rule == "platform.papers" and r.point == "installers"]


@pytest.mark.parametrize(
    ("until", "level"),
    [("2026-05-21", "critical"), ("2026-05-22", None), ("2026-05-23", None)],  # after, at, before expiry
)
def test_a_platform_erected_by_an_installer_whose_certificate_had_expired_refuses_work(
    tmp_path: Path, until: str, level: str | None
) -> None:
    [found] = installed_by(tmp_path, {"valid_until": until})
    assert found.level == level
    if level:
        assert "孙海涛（AZ-01）操作资格证书已于 2026-05-21 过期" in found.message
        assert "第四条(三)" in found.clause and "立即停止使用" in found.message


def test_a_platform_erected_with_a_tower_crane_installers_certificate_refuses_work(tmp_path: Path) -> None:
    [found] = installed_by(tmp_path, {}, {"category": "tower_crane_installer"})
    assert found.level == "critical"
    assert (
        "马立军（AZ-02）持建筑起重机械安装拆卸工（塔式起重机）(08)证书，不是高处作业吊篮安装拆卸工(11)证书"
        in found.message
    )


def test_the_demo_gates_day_brings_the_booked_workers_in_after_the_key_people() -> None:
    site = reference_site()
    gate_1 = next(d for d in site.config.devices if d.id == "gate-1")
    entries = [p for p in GateSim(gate_1, site, "normal", 1).schedule if p.direction == "in"]
    booked = [p.person_id for p in entries if not p.person_id.startswith(("W-", "KP-"))]
    assert booked == ["OP-2001", "SG-01", "SG-02", "EL-01", "AZ-01", "AZ-02", "AZ-11", "AZ-12", "AZ-21"]


def test_the_papers_list_names_each_booked_workers_trade_and_a_certificate_the_register_revoked(
    tmp_path: Path,
) -> None:
    def change(data: dict[str, Any]) -> None:
        next(op for op in data["operators"] if op["id"] == "EL-01")["state"] = "revoked"

    rows = {r.holder: r for r in paper_rows(site_variant(tmp_path, change), date(2026, 11, 26))}
    assert rows["SG-01"].kind == "建筑起重司索信号工(04)" and rows["SG-01"].status == "ok"
    assert rows["SG-02"].status == "expired"
    assert rows["EL-01"].status == "missing" and rows["EL-01"].problem == "操作资格证书状态为吊销(03)"
    assert rows["OP-1001"].kind == "特种作业人员"  # an older roster entry: no trade booked
