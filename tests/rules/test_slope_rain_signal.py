"""slope.rain_signal, written from docs/standards.md §15 ("A rainstorm signal (§12) ... → raise sampling rate and
issue a warning [practice]") and §12 (the CMA rainstorm signals, blue to red): while a rainstorm signal of any
colour is in force on a site with a high slope, each slope station warns (加密监测、巡查坡顶坡脚、排水), citing the
practice as practice; the warning ends when the signal ends (its own end time, or cleared), and never because the
slope's readings stop or break."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from contract.alert_event import AlertEvent
from contract.readings import Quality
from contract.weather import COLOURS, WarningSignal
from rules import RuleEngine
from rules.result import RuleResult
from sitegw.replay import replay
from tests.rules.sites import levels, reference_site, sample, site_variant

CST = timezone(timedelta(hours=8))
T0 = datetime.fromisoformat("2026-11-21T09:00:00+08:00").timestamp()
RULE = "slope.rain_signal"


def signal(
    colour: str = "blue",
    kind: str = "rainstorm",
    hours: float | None = 6.0,
    cleared_after_h: float | None = None,
) -> WarningSignal:
    start = datetime.fromtimestamp(T0, CST)
    return WarningSignal(
        id=f"{kind}-{colour}",
        type=kind,  # type: ignore[arg-type]
        colour=colour,  # type: ignore[arg-type]
        valid_from=start,
        valid_to=None if hours is None else start + timedelta(hours=hours),
        cleared_ts=None if cleared_after_h is None else T0 + cleared_after_h * 3600,
    )


def ticks(engine: RuleEngine, *at: float) -> list[RuleResult]:
    return [r for ts in at for r in engine.tick(ts) if r.rule == RULE]


@pytest.mark.parametrize("colour", COLOURS)
def test_a_rainstorm_signal_of_any_colour_puts_the_slope_on_watch(colour: str) -> None:
    engine = RuleEngine(reference_site())
    engine.set_warnings([signal(colour)])
    [found] = ticks(engine, T0)
    assert (found.device, found.point, found.level, found.value) == ("slope-1", "", "warning", colour)
    # Chinese first, saying what to do: denser monitoring, walk the top and toe, drain
    assert found.message.startswith("东侧高边坡") and "暴雨" in found.message
    for what in ("加密", "坡顶", "坡脚", "排水"):
        assert what in found.message, what
    # the clause says the warning itself is practice, and names the monitored item and the signal's source
    assert "表19.1.3" in found.clause and "行业惯例" in found.clause and "第16号" in found.clause
    assert "建质规" not in found.clause  # a watch, not a major hazard of the 2024 criteria
    assert {r.level for r in ticks(engine, T0 + 1, T0 + 60)} == {"warning"}  # held while it lasts


@pytest.mark.parametrize("kind", ["gale", "typhoon", "lightning", "heat", "cold"])
def test_other_signals_do_not(kind: str) -> None:
    engine = RuleEngine(reference_site())
    engine.set_warnings([signal("orange", kind)])
    assert [r for r in ticks(engine, T0, T0 + 1) if r.level] == []


def test_a_signal_not_yet_in_force_raises_nothing_until_it_is() -> None:
    engine = RuleEngine(reference_site())
    later = signal("yellow").model_copy(update={"valid_from": datetime.fromtimestamp(T0 + 600, CST)})
    engine.set_warnings([later])
    assert [r.level for r in ticks(engine, T0, T0 + 599)] in ([], [None])
    assert [r.level for r in ticks(engine, T0 + 600)] == ["warning"]


def test_it_clears_when_the_signal_lapses_by_its_own_end_time() -> None:
    engine = RuleEngine(reference_site())
    engine.set_warnings([signal("blue", hours=6)])
    assert [r.level for r in ticks(engine, T0)] == ["warning"]
    assert [r.level for r in ticks(engine, T0 + 6 * 3600 - 1)] == ["warning"]  # in force until valid_to
    [ended] = ticks(engine, T0 + 6 * 3600)
    assert ended.level is None and "已解除或过期" in ended.message and "恢复正常" in ended.message


def test_it_clears_when_a_supervisor_clears_the_signal() -> None:
    engine = RuleEngine(reference_site())
    engine.set_warnings([signal("red", hours=None)])
    assert [r.level for r in ticks(engine, T0)] == ["warning"]
    engine.set_warnings([signal("red", hours=None, cleared_after_h=1)])  # the board hands the cleared record
    assert [r.level for r in ticks(engine, T0 + 1800)] == ["warning"]
    assert [r.level for r in ticks(engine, T0 + 3600)] == [None]


def test_two_signals_one_alert_held_until_the_last_ends() -> None:
    engine = RuleEngine(reference_site())
    engine.set_warnings([signal("blue", hours=2), signal("orange", hours=4)])
    [found] = ticks(engine, T0)
    assert found.value == "orange" and found.message.index("橙色") < found.message.index("蓝色")
    assert [r.level for r in ticks(engine, T0 + 2 * 3600)] == ["warning"]  # the orange one still in force
    assert [r.level for r in ticks(engine, T0 + 4 * 3600)] == [None]


def test_the_slope_silent_or_broken_never_clears_it() -> None:
    """A station gone silent, reading NaN, stale or out of its range: the signal is the input, not the slope."""
    engine = RuleEngine(reference_site())
    engine.set_warnings([signal("yellow", hours=12)])
    out = ticks(engine, T0)
    for i, (value, quality) in enumerate(
        [(math.nan, Quality.OK), (0.0, Quality.STALE), (0.0, Quality.FAULT), (9999.0, Quality.OK)]
    ):
        ts = T0 + 600 * (i + 1)
        out += [
            r
            for r in engine.process(sample("slope-1", ts, "BYL-01", quality, rain_mm=value))
            if r.rule == RULE
        ]
        out += ticks(engine, ts + 1)
    out += ticks(engine, T0 + 11 * 3600)  # hours without a reading
    assert levels(out) == ["warning"]


def test_a_site_without_a_slope_has_no_slope_watch(tmp_path: Path) -> None:
    def drop(data: dict) -> None:
        data["devices"] = [d for d in data["devices"] if d["kind"] != "slope"]

    engine = RuleEngine(site_variant(tmp_path, drop))
    engine.set_warnings([signal("red")])
    assert ticks(engine, T0, T0 + 1) == []


def test_a_replay_fires_it_once_per_slope_and_resolves_it_at_the_signal_end() -> None:
    """As a site sees it: the AlertEvents of a replay with the signal as an input (sitegw replay --inputs)."""
    site, events = reference_site(), list[AlertEvent]()
    readings = [r for i in range(9) for r in sample("slope-1", T0 + 900 * i, "BYL-01", rain_mm=0.0)]
    replay(site, readings, events.append, warnings=[signal("blue", hours=1.5)])
    mine = [(e.device, e.level, e.state, e.ts - T0) for e in events if e.rule == RULE]
    assert mine == [("slope-1", "warning", "firing", 0), ("slope-1", "warning", "resolved", 5400)]
