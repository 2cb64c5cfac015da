"""A distribution box's door opened while no certified electrician is on site, written from docs/standards.md §19
("Gate/badge logic": accept only certState 01 and today ≤ expiringDate, with the category matching the task,
"01 for anyone opening a distribution box"; expired, 暂扣/吊销/撤销/注销 → critical, 建质规〔2024〕5号 第四条(三)) and
§17 (the monitors report the door open). power.door_electrician: critical while a box's door is open and no
roster electrician certified that day is inside by the gates; it clears when the door closes or one badges in.

The reference site: power-main (1号总配电箱) and power-b2 (地下室2号开关箱), the gate gate-1, and on the roster
EL-01 周建平, booked as an electrician (建筑电工, 01), valid until 2028-05-31."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from contract.readings import Reading
from drivers.simulators.device_sim import make_sim
from rules import RuleEngine, RuleResult
from sitegw.cli import app
from tests.rules.sites import reference_site, sample, site_variant

RULE = "power.door_electrician"
T0 = datetime.fromisoformat("2026-11-26T08:00:00+08:00").timestamp()
OPEN, CLOSED = 1.0, 0.0


def gate(ts: float, person: str, inside: bool = True) -> list[Reading]:
    return sample("gate-1", ts, point=person, on_site=1.0 if inside else 0.0)


def door(ts: float, state: float, box: str = "power-main") -> list[Reading]:
    return sample(box, ts, door_state=state)


def verdicts(engine: RuleEngine, batches: list[list[Reading]]) -> list[RuleResult]:
    """The rule's verdicts, the engine ticked at each batch's instant as a live gateway is."""
    out: list[RuleResult] = []
    for batch in batches:
        out.extend(r for r in engine.tick(batch[0].ts) + engine.process(batch) if r.rule == RULE)
    return out


def levels(found: list[RuleResult]) -> list[str | None]:
    seq: list[str | None] = []
    for r in found:
        if not seq or seq[-1] != r.level:
            seq.append(r.level)
    return seq


def el01(**changes: object) -> Any:
    """A site-file change: EL-01's roster entry with ``changes``."""

    def change(data: dict[str, Any]) -> None:
        next(op for op in data["operators"] if op["id"] == "EL-01").update(changes)

    return change


def test_a_door_opened_with_a_certified_electrician_inside_raises_nothing() -> None:
    found = verdicts(RuleEngine(reference_site()), [gate(T0, "EL-01"), door(T0 + 60, OPEN)])
    assert [r.level for r in found] == [None]
    assert "持有效建筑电工证人员周建平（EL-01）在场" in found[0].message
    assert found[0].details["certified_on_site"] == ["周建平（EL-01）"]


def test_a_door_opened_with_no_electrician_inside_is_critical() -> None:
    found = verdicts(RuleEngine(reference_site()), [door(T0, OPEN)])
    assert [r.level for r in found] == ["critical"]
    alert = found[0]
    assert alert.device == "power-main"
    assert alert.message.startswith(
        "1号总配电箱箱门打开时现场无持有效建筑电工证人员（周建平（EL-01）闸机记录不在场）"
    )
    assert "立即关闭配电箱，由持有效建筑电工(01)操作资格证书的电工经闸机实名进场后操作" in alert.message
    assert "建质规〔2024〕5号 第四条(三)" in alert.clause and "重大事故隐患" in alert.clause
    assert "条文未核实" in alert.clause  # JGJ/T 46 on electricians operating boxes: not in standards.md [U]
    assert alert.details["box"] == "1号总配电箱"
    assert alert.details["electricians"] == ["周建平（EL-01）闸机记录不在场"]


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"valid_until": "2026-11-25"}, "操作资格证书已于 2026-11-25 过期"),
        ({"state": "suspended"}, "操作资格证书状态为暂扣(02)"),
        ({"state": "revoked"}, "操作资格证书状态为吊销(03)"),
        ({"state": "withdrawn"}, "操作资格证书状态为撤销(04)"),
        ({"state": "cancelled"}, "操作资格证书状态为注销(05)"),
        ({"valid_until": None}, "无特种作业操作资格证书"),
        # booked as an electrician, certified as a tower-crane driver (05): not the task's category
        (
            {"category": "tower_crane_driver"},
            "持建筑起重机械司机（塔式起重机）(05)证书，不是建筑电工(01)证书",
        ),
    ],
)
def test_an_electrician_inside_whose_certificate_does_not_cover_the_day_or_the_task_is_no_electrician(
    tmp_path: Path, changes: dict[str, object], said: str
) -> None:
    engine = RuleEngine(site_variant(tmp_path, el01(**changes)))
    found = verdicts(engine, [gate(T0, "EL-01"), door(T0 + 60, OPEN)])
    assert [r.level for r in found] == ["critical"]
    assert f"周建平（EL-01）{said}" in found[0].message


@pytest.mark.parametrize(
    ("until", "level"),
    [("2026-11-25", "critical"), ("2026-11-26", None), ("2026-11-27", None)],  # expired, expiry day, before
)
def test_the_certificate_is_judged_on_the_site_s_date_the_expiry_day_still_valid(
    tmp_path: Path, until: str, level: str | None
) -> None:
    engine = RuleEngine(site_variant(tmp_path, el01(valid_until=until)))
    found = verdicts(engine, [gate(T0, "EL-01"), door(T0 + 60, OPEN)])
    assert [r.level for r in found] == [level]


def test_a_certificate_expiring_at_midnight_is_caught_at_the_next_day_s_first_tick(tmp_path: Path) -> None:
    engine = RuleEngine(site_variant(tmp_path, el01(valid_until="2026-11-26")))
    late = datetime.fromisoformat("2026-11-26T23:59:59+08:00").timestamp()
    assert levels(verdicts(engine, [gate(T0, "EL-01"), door(late, OPEN)])) == [None]
    midnight = datetime.fromisoformat("2026-11-27T00:00:01+08:00").timestamp()
    turned = [r for r in engine.tick(midnight) if r.rule == RULE]
    assert [r.level for r in turned] == ["critical"]
    assert "操作资格证书已于 2026-11-26 过期" in turned[0].message


def test_others_on_the_roster_and_key_people_badged_in_are_no_electrician() -> None:
    # OP-1001: a driver on the older roster (no trade, no category), whose certificate the crane's rules take for
    # the machine's; SG-01 a signalman (04); KP-01 the project manager: none of them may open a box
    batches = [gate(T0, "OP-1001"), gate(T0 + 1, "SG-01"), gate(T0 + 2, "KP-01"), door(T0 + 60, OPEN)]
    assert levels(verdicts(RuleEngine(reference_site()), batches)) == ["critical"]


def test_a_worker_booked_for_another_trade_holding_an_electricians_certificate_counts(tmp_path: Path) -> None:
    # the certificate is what 75号 asks for: its category 01, whatever trade the site books its holder for
    engine = RuleEngine(site_variant(tmp_path, el01(trade="signalman", category="electrician")))
    assert [r.level for r in verdicts(engine, [gate(T0, "EL-01"), door(T0 + 60, OPEN)])] == [None]


def test_the_electrician_badging_in_clears_it_and_leaving_with_the_door_open_raises_it_again() -> None:
    batches = [door(T0, OPEN), gate(T0 + 300, "EL-01"), door(T0 + 305, OPEN), gate(T0 + 900, "EL-01", False)]
    found = verdicts(RuleEngine(reference_site()), batches)
    assert levels(found) == ["critical", None, "critical"]
    cleared = next(r for r in found if r.level is None)
    assert cleared.ts == T0 + 300 and "已恢复正常" in cleared.message


def test_the_door_closing_clears_it() -> None:
    found = verdicts(
        RuleEngine(reference_site()), [door(T0, OPEN), door(T0 + 5, OPEN), door(T0 + 60, CLOSED)]
    )
    assert levels(found) == ["critical", None]
    assert found[-1].message == "1号总配电箱箱门关闭，已恢复正常"


def test_a_silent_gate_and_a_silent_box_never_clear_it() -> None:
    # a gate never heard from has nobody on site; the box then falls silent with its door open: nothing clears
    engine = RuleEngine(reference_site())
    found = verdicts(engine, [door(T0, OPEN)])
    for hours in range(1, 30):  # across midnight too
        found += [r for r in engine.tick(T0 + hours * 3600) if r.rule == RULE]
    assert levels(found) == ["critical"]


def test_a_door_value_other_than_closed_is_taken_for_open() -> None:
    assert levels(verdicts(RuleEngine(reference_site()), [door(T0, 2.0)])) == ["critical"]


def test_each_box_is_its_own_alert() -> None:
    batches = [door(T0, OPEN, "power-b2"), door(T0 + 1, CLOSED), gate(T0 + 60, "EL-01")]
    found = verdicts(RuleEngine(reference_site()), batches)
    assert [(r.device, r.level) for r in found] == [
        ("power-b2", "critical"),
        ("power-main", None),
        ("power-b2", None),
    ]


def test_a_roster_without_an_electrician_makes_every_opening_critical_and_check_config_says_so(
    tmp_path: Path,
) -> None:
    def none(data: dict[str, Any]) -> None:
        data["operators"] = [op for op in data["operators"] if op["id"] != "EL-01"]

    engine = RuleEngine(site_variant(tmp_path, none))
    found = verdicts(engine, [gate(T0, "OP-1001"), door(T0 + 60, OPEN)])
    assert [r.level for r in found] == ["critical"]
    assert "特种作业人员名单（operators）中无建筑电工(01)" in found[0].message
    out = " ".join(CliRunner().invoke(app, ["check-config", str(tmp_path / "site.yaml")]).output.split())
    assert "no operator holds an electrician (建筑电工, 01) certificate" in out


def test_a_site_without_access_gates_does_not_judge_doors_and_check_config_says_so(tmp_path: Path) -> None:
    """Without gates nobody is ever known on site: every opening of every box would be critical for ever, an
    alarm nobody could answer (kinds/power/door.py says why it is off instead)."""

    def no_gate(data: dict[str, Any]) -> None:
        data["devices"] = [d for d in data["devices"] if d["kind"] != "attendance"]

    engine = RuleEngine(site_variant(tmp_path, no_gate))
    assert verdicts(engine, [door(T0, OPEN), door(T0 + 60, OPEN)]) == []
    out = " ".join(CliRunner().invoke(app, ["check-config", str(tmp_path / "site.yaml")]).output.split())
    assert "power-main, power-b2: power.door_electrician is not judged: the site has no access gate" in out


def test_a_restart_finds_the_electrician_the_gates_let_in_before_it() -> None:
    """The electrician's passage is stored a series of its own (as a key person's), which the warm-up replays:
    a door opened after a restart with them still inside is not critical."""
    before = RuleEngine(reference_site())
    stored = before.evaluate(gate(T0, "EL-01")).readings
    assert [(r.point, r.metric) for r in stored] == [("EL-01", "on_site")]
    after = RuleEngine(reference_site())
    for _ in after.replay(stored):
        pass
    after.resume(T0 + 3600)
    assert [r.level for r in verdicts(after, [door(T0 + 3600, OPEN)])] == [None]


def test_the_demo_s_boxes_keep_their_doors_shut_so_the_demo_raises_no_door_alert() -> None:
    """The demo plays power-main and power-b2 from the simulator, which never opens a door: whatever the
    scenario, the rule says once that the door is closed and nothing more."""
    site = reference_site()
    for scenario in ("normal", "rcd_fails", "loose_terminal", "mains_lighting"):
        sim = make_sim(site.config.device("power-b2"), site, scenario, seed=5)
        engine = RuleEngine(site)
        batches = [
            [Reading(T0 + t, "GD-SZ-2026-0001", "power-b2", m, float(v)) for m, v in sim.values(t).items()]
            for t in range(0, 120, 5)
        ]
        assert [r.level for r in verdicts(engine, batches)] == [None], scenario
