"""crane.recalibration, written from docs/standards.md §10 ("After the window: verticality (standards.md §1) and
limiter re-calibration reminders") and §1 (the load and moment limiters, GB 5144-2006 §6.1.2, §6.2.1): a jacking
window closed without the limiters recorded re-adjusted and tested for the new height is a warning (a reminder,
practice, no major hazard), until the site records them; nothing else ends it."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import pytest

from contract.alert_event import AlertEvent
from contract.readings import Quality
from rules import RuleEngine
from rules.result import RuleResult
from sitegw.replay import replay
from sitegw.replay_inputs import read_inputs
from tests.rules.sites import levels, reference_site, sample

RULE = "crane.recalibration"
NOON = 4 * 3600.0  # 12:00 in UTC+8 on 1 Jan 1970: daytime, no night warning


def window(active: bool, ts: float, **more: float) -> list:
    """crane-1's jacking window opening or closing, with the readings published at the same instant before it
    (the gateway publishes its height and the limiters' record first)."""
    extra = sample("crane-1", ts, **more) if more else []
    return extra + sample("crane-1", ts, jacking_active=1.0 if active else 0.0)


def run(engine: RuleEngine, batches: list[list]) -> list[RuleResult]:
    """Each batch as the live gateway judges it (its instant ticked first), the rule's verdicts."""
    out: list[RuleResult] = []
    for batch in batches:
        ts = batch[0].ts
        out += [r for r in engine.tick(ts) + engine.process(batch) if r.rule == RULE]
    return out


def closed_without(engine: RuleEngine) -> list[RuleResult]:
    """A window opened at NOON and closed an hour later at 51 m, the limiters not re-calibrated."""
    return run(
        engine,
        [window(True, NOON), window(False, NOON + 3600, jib_height_m=51.0, limiters_recalibrated=0.0)],
    )


def test_a_window_closed_without_the_limiters_recalibrated_is_a_reminder() -> None:
    [found] = closed_without(RuleEngine(reference_site()))
    assert (found.device, found.point, found.level, found.ts) == ("crane-1", "", "warning", NOON + 3600)
    assert found.message.startswith("1号塔吊") and "限位器" in found.message
    assert "起升高度限位器" in found.message and "重新调整并试验" in found.message  # what to do
    # the standard's limiters and clauses, the reminder itself marked practice: no major-hazard item cited
    assert "GB 5144-2006" in found.clause and "第6.1.2条" in found.clause and "第6.2.1条" in found.clause
    assert "行业惯例" in found.clause and "建质规" not in found.clause


def test_a_window_closed_without_any_record_of_them_reminds_too() -> None:
    # a window closed by its reading alone (an older gateway, a replay without the record): not recorded is not done
    results = run(RuleEngine(reference_site()), [window(True, NOON), window(False, NOON + 60)])
    assert levels(results) == ["warning"]


def test_recalibrated_at_the_close_raises_nothing() -> None:
    engine = RuleEngine(reference_site())
    batches = [window(True, NOON), window(False, NOON + 3600, jib_height_m=51.0, limiters_recalibrated=1.0)]
    assert [r.level for r in run(engine, batches) if r.level] == []


def test_a_record_after_the_close_in_the_same_instant_ends_it_at_once() -> None:
    engine = RuleEngine(reference_site())
    closing = sample("crane-1", NOON + 60, jacking_active=0.0) + sample(
        "crane-1", NOON + 60, limiters_recalibrated=1.0
    )
    assert levels(run(engine, [window(True, NOON), closing]))[-1:] in ([], [None])


def test_a_record_before_the_window_opened_does_not_count() -> None:
    engine = RuleEngine(reference_site())
    batches = [
        sample("crane-1", NOON - 600, limiters_recalibrated=1.0),  # last climb's, before this one
        window(True, NOON),
        window(False, NOON + 60),
    ]
    assert levels(run(engine, batches)) == ["warning"]


def test_a_later_record_ends_it_and_nothing_else_does() -> None:
    engine = RuleEngine(reference_site())
    out = closed_without(engine)
    t = NOON + 3600
    nothing = [
        sample("crane-1", t + 10, limiters_recalibrated=0.0),  # a record that says not done
        sample("crane-1", t + 20, quality=Quality.STALE, limiters_recalibrated=1.0),
        sample("crane-1", t + 30, quality=Quality.FAULT, limiters_recalibrated=1.0),
        sample("crane-1", t + 40, limiters_recalibrated=math.nan),
        sample("crane-1", t + 7200, load_t=0.0, radius_m=20.0, slew_deg=0.0, height_m=10.0),  # hours later
        window(True, t + 8000),  # the next climb opens and closes: still owed
        window(False, t + 9000),
    ]
    out += run(engine, nothing)
    assert levels(out) == ["warning"]
    [ended] = run(engine, [sample("crane-1", t + 9100, limiters_recalibrated=1.0)])
    assert ended.level is None and "恢复正常" in ended.message


def test_a_restart_holds_a_reminder_whose_close_the_warm_up_did_not_see() -> None:
    engine = RuleEngine(reference_site())
    engine.resume(NOON, {(RULE, "crane-1", ""): ("warning", 0.0)})
    quiet = sample("crane-1", NOON + 1, load_t=0.0, radius_m=20.0, slew_deg=0.0, height_m=10.0)
    assert [r.level for r in run(engine, [quiet]) if r.level is None] == []
    [ended] = run(engine, [sample("crane-1", NOON + 2, limiters_recalibrated=1.0)])
    assert ended.level is None


@pytest.mark.parametrize(
    ("recalibrated_at", "expected"),
    [
        (None, [("warning", "firing", "11:00")]),
        ("11:00", []),  # recorded with the close (sitegw jacking end --limiters-recalibrated)
        ("11:30", [("warning", "firing", "11:00"), ("warning", "resolved", "11:30")]),
    ],
)
def test_a_replay_of_the_window_gives_the_same_alert(
    tmp_path: Path, recalibrated_at: str | None, expected: list[tuple[str, str, str]]
) -> None:
    site = reference_site()
    day = "2026-11-21T{}:00+08:00"
    line = (
        '{"input": "window", "window": "jacking", "device": "crane-1", '
        f'"start": "{day.format("09:00")}", "end": "{day.format("11:00")}", "height_m": 51'
    )
    if recalibrated_at:
        line += f', "recalibrated_at": "{day.format(recalibrated_at)}"'
    (tmp_path / "in.jsonl").write_text(line + "}\n", encoding="utf-8")
    inputs = read_inputs(tmp_path / "in.jsonl", site)
    events: list[AlertEvent] = []
    replay(site, inputs.readings, events.append)
    mine = [
        (e.level, e.state, datetime.fromtimestamp(e.ts, datetime.fromisoformat(day.format("09:00")).tzinfo))
        for e in events
        if e.rule == RULE
    ]
    assert [(lv, st, at.strftime("%H:%M")) for lv, st, at in mine] == expected
