"""Open-air hot work in wind (docs/standards.md §18, §12): GB/T 50720-2011（2025年版）§6.3.1(7), as the 2011
edition words it, 五级(含五级)以上风力时，应停止焊接、切割等室外动火作业. Level 5 starts at 8.0 m/s and 含五级 takes
the line itself in: 7.9 m/s leaves an open-air permit alone, 8.0 and 8.1 stop it (hot_work.wind, one alarm per
permit, judged at the tick after weather-1 of the reference site reports the wind)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contract.hot_work import Permit
from kinds.welder.judge import probe_permit
from rules import RuleEngine, RuleResult
from tests.rules.sites import reference_site, sample

T0 = datetime.fromisoformat("2026-11-26T09:00:00+08:00").timestamp()
PLACE = "3号楼5层"  # welder-1's place in the reference site
RULE = "hot_work.wind"


def permit(outdoor: bool, windbreak: bool = False) -> Permit:
    """A permit for 3号楼5层 in force from an hour before T0 for a day, every measure confirmed."""
    begin = datetime.fromtimestamp(T0 - 3600, UTC)
    made = probe_permit("DH-20261126-001", PLACE, begin, timedelta(hours=24), outdoor)
    return made.model_copy(update={"windbreak": windbreak})


def windy(gust_ms: float, outdoor: bool = True, windbreak: bool = False) -> list[RuleResult]:
    """hot_work.wind's verdicts, on a fresh engine with one permit, at the tick after weather-1 reported
    ``gust_ms``."""
    engine = RuleEngine(reference_site())
    engine.set_permits([permit(outdoor, windbreak)])
    engine.process(sample("weather-1", T0, gust_ms=gust_ms))
    return [r for r in engine.tick(T0 + 1) if r.rule == RULE]


@pytest.mark.parametrize(
    ("gust_ms", "stopped"),
    [(7.9, False), (8.0, True), (8.1, True)],  # 五级(含五级)以上: level 5 from 8.0 m/s, the line included
)
def test_open_air_hot_work_stops_at_level_5_the_line_included(gust_ms: float, stopped: bool) -> None:
    found = windy(gust_ms)
    assert [r.level for r in found] == (["alarm"] if stopped else [])
    if stopped:
        [alarm] = found
        assert alarm.point == "DH-20261126-001" and alarm.details["place"] == PLACE
        assert alarm.message.startswith(f"动火许可证 DH-20261126-001（{PLACE}，")
        assert f"风速 {gust_ms:.1f} m/s（5级）" in alarm.message and "达到五级风" in alarm.message
        assert "停止室外焊接、切割等动火作业" in alarm.message and "挡风措施" in alarm.message
        assert alarm.clause.startswith("GB/T 50720-2011（2025年版）第6.3.1条第7款 五级(含五级)以上风力时")


def test_a_permit_indoors_is_not_stopped_by_the_wind() -> None:
    # §6.3.1(7) stops 室外动火作业 only
    assert windy(8.1, outdoor=False) == []


@pytest.mark.parametrize(("gust_ms", "level"), [(7.9, None), (8.0, "warning"), (8.1, "warning")])
def test_behind_a_windbreak_its_signer_recorded_the_wind_warns_instead(
    gust_ms: float, level: str | None
) -> None:
    """确需动火作业时，应采取可靠的挡风措施: the permit records the windbreak, so the work may go on behind it;
    the wind at level 5 still warns that the windbreak is what it rests on."""
    found = windy(gust_ms, windbreak=True)
    assert [r.level for r in found] == ([level] if level else [])
    if level:
        [warning] = found
        assert "许可证记载已设置挡风措施" in warning.message and "确认挡风措施可靠" in warning.message
        assert "behind the windbreak" in warning.message_en
        assert warning.clause.startswith("GB/T 50720-2011（2025年版）第6.3.1条第7款")
