"""The confined-space simulator's scenarios judged by the rules: each morning raises exactly its own
alerts, at the times its docstring gives (kinds/confined_space/sim.py), the normal one none."""

from __future__ import annotations

import pytest

from contract.readings import Reading
from kinds.confined_space.sim import ConfinedSpaceSim
from rules import RuleEngine
from tests.rules.sites import PROJECT, reference_site

T0 = 1_790_000_000.0
STEP_S = 30  # cs-1's poll interval: how often the monitor publishes


def morning(scenario: str) -> list[tuple[str, str | None, float]]:
    """Every alert change of a simulated morning on cs-1: (rule, level, seconds in)."""
    site = reference_site()
    sim = ConfinedSpaceSim(site.config.device("cs-1"), site, scenario, seed=3)
    readings = []
    for t in range(0, 7500, STEP_S):
        for key, value in sim.values(t).items():
            metric, _, point = key.partition("@")
            readings.append(Reading(T0 + t, PROJECT, "cs-1", metric, float(value), point=point))
    engine = RuleEngine(site)
    last: dict[tuple[str, str], str | None] = {}
    out = []
    for _, _, found in engine.replay(readings):
        for r in found:
            if last.get((r.rule, r.point)) != r.level and (r.level or (r.rule, r.point) in last):
                out.append((r.rule, r.level, r.ts - T0))
            last[(r.rule, r.point)] = r.level
    return out


def test_a_normal_noisy_morning_raises_nothing() -> None:
    assert morning("normal") == []


def test_entry_without_ventilation_is_critical_for_each_worker_until_they_come_out() -> None:
    assert morning("no_ventilation") == [
        ("confined_space.entry", "critical", 60),
        ("confined_space.entry", "critical", 90),
        ("confined_space.entry", None, 3600),
        ("confined_space.entry", None, 3600),
        # back from a 10-minute break: still no fan, both critical again until they leave at 7200
        ("confined_space.entry", "critical", 4200),
        ("confined_space.entry", "critical", 4200),
        ("confined_space.entry", None, 7200),
        ("confined_space.entry", None, 7200),
    ]


def test_h2s_rising_while_inside_is_critical_and_lasts_past_the_evacuation() -> None:
    got = morning("h2s_rise")
    assert [(rule, level) for rule, level, _ in got] == [("confined_space.gas", "critical")]
    # 7.1 ppm (10 mg/m³) is passed 71 s into the 120 s climb to 12 ppm: the first report after 371 s
    assert got[0][2] == 390


@pytest.mark.parametrize(
    ("scenario", "rule"),
    [("detector_silent", "confined_space.silent"), ("attendant_away", "confined_space.attendant")],
)
def test_a_silent_detector_or_an_empty_post_is_an_alarm_for_its_time(scenario: str, rule: str) -> None:
    got = morning(scenario)
    assert [(r, level) for r, level, _ in got if r == rule] == [(rule, "alarm"), (rule, None)]
    raised, cleared = (t for r, _, t in got if r == rule)
    # the trouble runs 300-600 s; the last good report at 270 s (detector) or its end at 300 s (post)
    assert 330 <= raised <= 390 and cleared == 600
    assert {r for r, _, _ in got} == {rule}  # the badges and the fan keep the device itself online
