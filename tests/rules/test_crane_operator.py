"""crane.operator: roster and licence validity (建质规〔2024〕5号 第四条(三): unlicensed operator = major hazard)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from rules import RuleEngine
from tests.rules.sites import levels, reference_site, run, sample, site_variant, without_metric


def operator(op: str, when: str):
    ts = datetime.fromisoformat(when).timestamp()
    return run(RuleEngine(reference_site()), [sample("crane-1", ts, operator_id=op)], "crane.operator")


def test_licensed_operator_is_fine() -> None:
    assert operator("OP-1001", "2026-11-21T09:00:00+08:00")[0].level is None


def test_expired_licence_is_critical() -> None:
    [result] = operator("OP-1002", "2026-11-21T09:00:00+08:00")
    assert result.level == "critical"
    assert (
        result.message
        == "1号塔吊 操作员 OP-1002 李卫东 操作资格证（T-440300-2020-1002）已于 2026-06-30 过期：立即停止作业，由持证司机操作"
    )
    assert result.message_en == (
        "1号塔吊 operator OP-1002's licence T-440300-2020-1002 expired on 2026-06-30: "
        "stop work now; only a licensed operator may run the crane"
    )
    assert result.clause.startswith("建设部令第166号 第二十五条；建质规〔2024〕5号 第四条(三)")
    assert "重大事故隐患" in result.clause


def test_unknown_operator_is_critical() -> None:
    [result] = operator("OP-9999", "2026-11-21T09:00:00+08:00")
    assert result.level == "critical"
    assert result.message == "1号塔吊 操作员 OP-9999 不在持证人员名单：立即停止作业，由持证司机操作"


@pytest.mark.parametrize(
    ("when", "level"), [("2026-06-30T23:59:00+08:00", None), ("2026-07-01T00:01:00+08:00", "critical")]
)
def test_expiry_day_is_read_in_china_standard_time(when: str, level: str | None) -> None:
    # 2026-07-01T00:01+08:00 is still 30 June in UTC: the licence ends on the local date
    assert operator("OP-1002", when)[0].level == level


NOON = datetime.fromisoformat("2026-11-21T12:00:00+08:00").timestamp()


def test_logging_out_of_an_idle_crane_clears() -> None:
    engine = RuleEngine(reference_site())
    results = run(
        engine,
        [
            sample("crane-1", NOON, load_t=0.0, radius_m=20, operator_id="OP-9999"),
            sample("crane-1", NOON + 1, load_t=0.0, radius_m=20, operator_id=""),
        ],
        "crane.operator",
    )
    assert [r.level for r in results] == ["critical", None]
    assert results[1].message == "1号塔吊 操作员已退出登录，已恢复正常"


# nobody logged in as a black box says it: an empty id, the vendor's 255, no id in the sample at all
NOBODY = [{"operator_id": ""}, {"operator_id": "255"}, {"operator_id": 255.0}, {}]


@pytest.mark.parametrize("card", NOBODY, ids=["empty", "255", "255-number", "absent"])
def test_a_loaded_hook_with_nobody_logged_in_is_critical(card: dict[str, str | float]) -> None:
    # 建质规〔2024〕5号 第四条(三): a lift needs a licensed operator; a missing identity is none
    engine = RuleEngine(reference_site())
    lifts = [
        sample("crane-1", NOON, load_t=0.0, radius_m=20, operator_id="OP-1001"),
        sample("crane-1", NOON + 1, load_t=2.0, radius_m=20, **card),
        sample("crane-1", NOON + 2, load_t=0.0, radius_m=20, **card),  # load set down: nobody at work
        sample("crane-1", NOON + 3, load_t=2.0, radius_m=20, **card),
        sample("crane-1", NOON + 4, load_t=2.0, radius_m=20, operator_id="OP-1001"),
    ]
    results = run(engine, lifts, "crane.operator")
    assert levels(results) == [None, "critical", None, "critical", None]
    fired = next(r for r in results if r.level)
    assert fired.message.startswith("1号塔吊 吊钩有载，操作员 ") and "第四条(三)" in fired.clause
    assert ("无人登录" if card else "未上报") in fired.message


def test_nobody_logged_in_while_the_load_is_unknown_gives_no_all_clear() -> None:
    # the unlicensed operator logs out, but whether the hook is loaded is not known: the alert stands
    engine = RuleEngine(reference_site())
    results = run(
        engine,
        [sample("crane-1", 1, operator_id="OP-9999"), sample("crane-1", 2, operator_id="")],
        "crane.operator",
    )
    assert [r.level for r in results] == ["critical", "critical"]


def test_a_crane_whose_box_does_not_report_operators_is_not_judged_on_a_missing_one(tmp_path: Path) -> None:
    engine = RuleEngine(without_metric(tmp_path, "crane-1", "operator_id"))
    assert run(engine, [sample("crane-1", NOON, load_t=2.0, radius_m=20)], "crane.operator") == []


def test_numeric_card_id_from_a_register_matches_the_roster(tmp_path: Path) -> None:
    site = site_variant(
        tmp_path, lambda d: d["operators"].append({"id": "1003", "valid_until": "2030-01-01"})
    )
    ts = datetime.fromisoformat("2026-11-21T09:00:00+08:00").timestamp()
    [result] = run(RuleEngine(site), [sample("crane-1", ts, operator_id=1003.0)], "crane.operator")
    assert result.level is None and result.value == "1003"
