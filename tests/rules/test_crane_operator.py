"""crane.operator: roster and licence validity (建质规〔2024〕5号 第四条(三): unlicensed operator = major hazard)."""

from __future__ import annotations

from datetime import datetime

import pytest

from rules import RuleEngine
from tests.rules.sites import reference_site, run, sample


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
        == "1号塔吊 操作员 OP-1002 李卫东 操作资格证已于 2026-06-30 过期：立即停止作业，由持证司机操作"
    )
    assert result.message_en == (
        "1号塔吊 operator OP-1002's licence expired on 2026-06-30: "
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


def test_card_removed_clears() -> None:
    engine = RuleEngine(reference_site())
    results = run(
        engine,
        [sample("crane-1", 1, operator_id="OP-9999"), sample("crane-1", 2, operator_id="")],
        "crane.operator",
    )
    assert [r.level for r in results] == ["critical", None]
    assert results[1].message == "1号塔吊 操作员已退出登录，已恢复正常"


def test_numeric_card_id_from_a_register_matches_the_roster(tmp_path) -> None:
    from tests.rules.sites import site_variant

    site = site_variant(
        tmp_path, lambda d: d["operators"].append({"id": "1003", "valid_until": "2030-01-01"})
    )
    ts = datetime.fromisoformat("2026-11-21T09:00:00+08:00").timestamp()
    [result] = run(RuleEngine(site), [sample("crane-1", ts, operator_id=1003.0)], "crane.operator")
    assert result.level is None and result.value == "1003"
