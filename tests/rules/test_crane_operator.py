"""crane.operator: roster and licence validity (建质规〔2022〕2号: unlicensed operator = major hazard)."""

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
    assert "OP-1002" in result.message and "过期" in result.message
    assert "建质规〔2022〕2号" in result.clause


def test_unknown_operator_is_critical() -> None:
    [result] = operator("OP-9999", "2026-11-21T09:00:00+08:00")
    assert result.level == "critical" and "不在持证名单" in result.message


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


def test_numeric_card_id_from_a_register_matches_the_roster(tmp_path) -> None:
    from tests.rules.sites import site_variant

    site = site_variant(
        tmp_path, lambda d: d["operators"].append({"id": "1003", "valid_until": "2030-01-01"})
    )
    ts = datetime.fromisoformat("2026-11-21T09:00:00+08:00").timestamp()
    [result] = run(RuleEngine(site), [sample("crane-1", ts, operator_id=1003.0)], "crane.operator")
    assert result.level is None and result.value == "1003"
