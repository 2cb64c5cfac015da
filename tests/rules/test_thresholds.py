"""Every threshold of the rules against the word its clause uses (/work/shared/standards.md, the item's
row): a value at the line, a hair below it and a hair above it, each with the level the words give,
written here from those words, through the engine on the reference site (config/examples/site.yaml).

Words: 大于/超过/exceeds/more than/above = strictly above (on the line is not yet over it);
达到/不小于/及以上/≥/reaching/"N % → level" = at or above; 小于/低于/below = strictly below;
不少于/at least = a value below it is short, on it is enough. A limit given as what is allowed (允许偏差,
≤, rated) is over only once exceeded. Where a line is practice with no clause word, it is read as
"reaching" (the level table of standards.md: alarm = "limit reached") and says so. Every comparison
counts a value within 1e-9 of its line as on it (rules/levels.py SLACK), whatever float arithmetic made it.

| rule | line (reference site) | words (standards.md) | comparison |
|---|---|---|---|
| crane.load warning | 90 % of rated | §1 "90 % of rated load → warning" | ≥ |
| crane.load alarm | 100 % of rated | §1 GB 5144 §6.1.2 "load > 100 %" (大于额定起重量) | > |
| crane.load critical | 110 % of rated | §1 "104–110 % cut"; clause 达 110 % | ≥ |
| crane.wind warning | 10.8 m/s | §1/§12 Beaufort 6 "or more", 六级及以上 (以上 includes it) | ≥ |
| crane.wind alarm | 13.8 m/s, 2 samples | §1 "> 13.8 m/s in 2 consecutive work cycles" | > (each sample) |
| crane.wind critical | 20.8 m/s | §12 Beaufort 9 = 20.8–24.4 (practice) | ≥ |
| crane.tilt warning | 80 % of 4‰ = 3.2‰ | practice | ≥ |
| crane.tilt alarm | 4‰ | §1 "≤ 4/1000" allowed (JGJ 196 允许偏差) | > |
| crane.tilt critical | 2 × 4‰ = 8‰ | practice (达限值 2 倍) | ≥ |
| pit.cumulative warning | 70 % of alarm (14 mm) | §2 "pre-warning at 70 %" | ≥ |
| pit.cumulative alarm | 20 mm (ZQS-01), 2400 kN (ZL-01) | §2 "exceeding either triggers an alarm" | > |
| pit.cumulative anchor | 80 % of the design prestress (400 kN of 500) | §2 Table 8.0.4 anchor force minimum | < (tests/rules/test_pit.py) |
| pit.rate warning | 70 % of 2 mm/d | §2 pre-warning at 70 % | ≥ |
| pit.rate alarm | 2 mm/d | §2 "rate reaches the table value" | ≥ |
| pit.rate alarm (note) | 70 % of 2 mm/d, 3 days | §2 "or exceeds 70 % of it three times in a row" | > |
| pit.jump | 2 mm step (the daily rate) | §2 "sudden jump" (practice: a step above the jump value) | > |
| hoist.load warning | 90 % of 2.0 t | §5 "90 % of rated load → warning" | ≥ |
| hoist.load alarm | 100 % of 2.0 t | §5 Overload (超载: above the rated load) | > |
| hoist.load critical | 110 % of 2.0 t | §5 "110 % → must not start" | ≥ |
| hoist.persons | 20 persons | §5 "more than the rated number" | > |
| hoist.wind | 20 m/s | §5 "wind at the mast top > 20 m/s" (大于) | > |
| hoist.tilt | 70 mm at the 90 m mast (h/1000 to 70 m, then 70/90/110/130 mm) | §5 mast verticality, an allowed deviation | > (tests/rules/test_hoist.py) |
| hoist.door, hoist.limit | moving = |speed| > 0.1 m/s | §5 "must not move with any door open" (moving_ms: practice) | > |
| hoist.limit | limit_state 3 / 1, 2 standing | §5 final limit 冲顶 critical; travel limit as stop control | state |
| hoist.arrester | calibration + 365 d, 30 d ahead | §5 "within its one-year calibration period" | valid through the anniversary date (tests/rules/test_hoist.py) |
| hoist.arrester drop test | last drop test + 3 calendar months | §5 "at least every 3 months" | in time through that date (tests/rules/test_hoist.py) |
| hoist.operator, crane.operator | licence valid_until | §5/§7 licensed driver | valid through that local date (test_crane_operator.py) |
| formwork.* warning | 80 % of alarm | §6 pre-warning 80 % (§8.0.4) | ≥ |
| formwork.* critical | 8 mm, 12 mm, 0.229°, design kN | §6 "data reaching the alarm value" (§8.0.5) | ≥ |
| formwork.silent | 60 s | §6 "at least 2 times a minute" (60 s: practice) | > |
| personnel.absent | 30 min | practice (no word): reaching the grace | ≥ |
| personnel.attendance | 80 % of the month | §7 "at least 80 %" | warning < 80 % |
| personnel.certificate | certificate valid_until | §7 valid certificate | valid through that date |
| device.offline warning | 3 intervals (hoist 3 s, pit 6 h) | practice; GB/T 28181 "3 missed = offline" | > |
| device.offline alarm | max(600 s, 6 intervals) | practice | > |
| sensor.fault range | wind 0–60 m/s, pit ±500 mm | §1 realistic ranges (the ends are readings) | outside: < lo or > hi |
| sensor.fault hoist wind | 0–60 m/s at the mast top | §1 realistic ranges | outside: a fault, never a calm that clears hoist.wind |
| <kind>.safety_device clear | 3 readings of 0 over ≥ 5 s | practice (flickering contacts) | ≥ both |
| crane.zone clear | 1 m outside the zone (clear_margin_m) | practice | ≥ |
| personnel.absent work hold | 300 s after the machine says it rests (active_hold_s) | practice | > |
| sensor.fault stuck | 24 h of one value | practice | ≥ |
| sensor.fault step | 10 × the jump value (20 mm) | practice: "a step above" | > |

Changed by these words: hoist.wind (≥ → >), hoist.load alarm (≥ → >), crane.load alarm (≥ → >), crane.tilt alarm (≥ → >),
pit.cumulative alarm (≥ → >), crane.wind alarm's line (≥ → >, its run of samples was already >), and
every comparison made with the same 1e-9 slack (pit.jump, the three-day note, sensor ranges and steps,
formwork.silent, personnel shares, the hoist's moving speed).
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from rules import RuleEngine, RuleResult
from rules.personnel_attendance import PersonnelAttendance
from tests.rules.sites import reference_site, run, sample, site_variant
from tests.rules.test_hoist import hoist

CST = "+08:00"
T0 = datetime.fromisoformat("2026-11-02T09:00:00+08:00").timestamp()  # arrester and licences valid
H2, DAY = 7200.0, 86400.0


def at(text: str) -> float:
    return datetime.fromisoformat(text + CST).timestamp()


def level_of(results: list[RuleResult], point: str | None = None) -> str | None:
    """The level the rule stands at after ``results`` (None: none reported, or cleared)."""
    found = [r for r in results if point is None or r.point == point]
    return found[-1].level if found else None


def deg(per_mille: float) -> float:
    """The tilt angle whose verticality (tan × 1000) is ``per_mille``."""
    return math.degrees(math.atan(per_mille / 1000))


# ---- tower cranes (standards.md §1, §12) -----------------------------------------------------------

RATED_AT_15_4 = 6.0  # crane-1's chart: 6.0 t at 15.4 m


@pytest.mark.parametrize(
    ("load_t", "level"),
    [
        (5.39, None),  # 89.8 %
        (5.4, "warning"),  # 90 %: reached
        (5.41, "warning"),
        (5.99, "warning"),
        (6.0, "warning"),  # 100 %: the rated load itself is not more than it (大于)
        (6.01, "alarm"),  # above the rated load
        (6.59, "alarm"),
        (6.6, "critical"),  # 110 %: reached
        (6.61, "critical"),
    ],
)
def test_crane_load(load_t: float, level: str | None) -> None:
    cards = sample("crane-1", T0, load_t=load_t, radius_m=15.4, operator_id="OP-1001")
    assert level_of(run(RuleEngine(reference_site()), [cards], "crane.load")) == level


@pytest.mark.parametrize(
    ("wind_ms", "level"),
    [
        (10.7, None),
        (10.8, "warning"),  # Beaufort 6 "or more": 10.8 is level 6
        (10.9, "warning"),
        (13.7, "warning"),
        (13.8, "warning"),  # not above 13.8, however many samples
        (13.9, "alarm"),  # above it two samples running
        (20.7, "alarm"),
        (20.8, "critical"),  # Beaufort 9 from 20.8
        (20.9, "critical"),
    ],
)
def test_crane_wind_held_two_samples(wind_ms: float, level: str | None) -> None:
    gusts = [sample("anemo-1", T0 + i, wind_ms=wind_ms) for i in range(2)]
    assert level_of(run(RuleEngine(reference_site()), gusts, "crane.wind")) == level


@pytest.mark.parametrize(
    ("per_mille", "level"),
    [
        (3.19, None),
        (3.2, "warning"),  # 80 % of 4/1000 reached
        (3.21, "warning"),
        (3.99, "warning"),
        (4.0, "warning"),  # 4/1000 is the deviation allowed: within spec
        (4.01, "alarm"),  # beyond it
        (7.99, "alarm"),
        (8.0, "critical"),  # twice the limit reached
        (8.01, "critical"),
        (-4.01, "alarm"),  # either way
    ],
)
def test_crane_tilt(per_mille: float, level: str | None) -> None:
    tilt = sample("crane-1", T0, tilt_deg=deg(per_mille))
    assert level_of(run(RuleEngine(reference_site()), [tilt], "crane.tilt")) == level


# ---- deep pit (standards.md §2): pit-1 grade 一级, bored piles, H = 12 m ----------------------------
# ZQS-01 wall-top horizontal: min(20 mm, 0.2 % × 12 m = 24 mm) = 20 mm, rate 2 mm/d, jump 2 mm


def pit_levels(values: list[float], rule: str, point: str = "ZQS-01", metric: str = "disp_h_mm") -> list:
    readings = [sample("pit-1", T0 + i * H2, point=point, **{metric: v}) for i, v in enumerate(values)]
    return run(RuleEngine(reference_site()), readings, rule)


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (13.9, None),
        (14.0, "warning"),  # 70 % of 20 mm reached
        (14.1, "warning"),
        (19.9, "warning"),
        (20.0, "warning"),  # at the alarm value: not exceeding it yet
        (20.1, "alarm"),  # exceeding it
        (-20.1, "alarm"),  # either direction
    ],
)
def test_pit_cumulative(value: float, level: str | None) -> None:
    assert level_of(pit_levels([value], "pit.cumulative")) == level


@pytest.mark.parametrize(
    ("force_kn", "level"),
    [(1679, None), (1680, "warning"), (2399, "warning"), (2400, "warning"), (2401, "alarm")],
)
def test_pit_strut_force(force_kn: float, level: str | None) -> None:
    # ZL-01: 60 % of its 4000 kN capacity = 2400 kN; 70 % of that = 1680 kN
    assert level_of(pit_levels([force_kn], "pit.cumulative", "ZL-01", "axial_kn")) == level


def steady_rate(mm_per_day: float, days: int) -> list[float]:
    """Readings every 2 h moving ``mm_per_day`` a day, for ``days`` days: each 24 h rate is that."""
    return [mm_per_day * i / 12 for i in range(12 * days + 1)]


@pytest.mark.parametrize(
    ("rate", "level"),
    [
        (1.39, None),
        (1.4, "warning"),  # 70 % of 2 mm/d reached
        (1.41, "warning"),
        (1.99, "warning"),
        (2.0, "alarm"),  # the rate value reached
        (2.01, "alarm"),
    ],
)
def test_pit_rate_over_one_day(rate: float, level: str | None) -> None:
    assert level_of(pit_levels(steady_rate(rate, 1), "pit.rate")) == level


@pytest.mark.parametrize(
    ("rate", "level"),
    [
        (1.39, None),
        (1.4, "warning"),  # at 70 % three days: not exceeding it
        (1.41, "alarm"),  # above 70 % now, 24 h and 48 h ago (Table 8.0.4 note)
    ],
)
def test_pit_rate_three_days_above_70_percent(rate: float, level: str | None) -> None:
    assert level_of(pit_levels(steady_rate(rate, 3), "pit.rate")) == level


@pytest.mark.parametrize(
    ("step", "jump", "fault"),
    [
        (1.99, None, None),
        (2.0, None, None),  # a step of the jump value is not above it
        (2.01, "critical", None),
        (19.99, "critical", None),
        (20.0, "critical", None),  # 10 × 2 mm: still a movement the ground can make
        (20.01, None, "warning"),  # above 10 × the jump value: the sensor, not the ground
    ],
)
def test_pit_jump_and_impossible_step(step: float, jump: str | None, fault: str | None) -> None:
    readings = [
        sample("pit-1", T0 + i * H2, point="ZQS-01", disp_h_mm=v) for i, v in enumerate([1.0, 1.0 + step])
    ]
    results = run(RuleEngine(reference_site()), readings)
    assert level_of([r for r in results if r.rule == "pit.jump"]) == jump
    assert level_of([r for r in results if r.rule == "sensor.fault"]) == fault


# ---- construction hoist (standards.md §5): hoist-1 rated 2.0 t, 20 persons ------------------------


def hoist_level(rule: str, **changes: float | str) -> str | None:
    cage = hoist(T0, **changes)  # a quiet cage at a landing, a licensed driver logged in, but for changes
    return level_of(run(RuleEngine(reference_site()), [cage], rule))


@pytest.mark.parametrize(
    ("load_t", "level"),
    [
        (1.79, None),
        (1.8, "warning"),  # 90 % reached
        (1.81, "warning"),
        (1.99, "warning"),
        (2.0, "warning"),  # the rated load: not overloaded
        (2.01, "alarm"),  # above it: overload
        (2.19, "alarm"),
        (2.2, "critical"),  # 110 % reached: must not start
        (2.21, "critical"),
    ],
)
def test_hoist_load(load_t: float, level: str | None) -> None:
    assert hoist_level("hoist.load", load_t=load_t) == level


@pytest.mark.parametrize(("persons", "level"), [(19, None), (20, None), (21, "alarm")])
def test_hoist_persons(persons: int, level: str | None) -> None:
    # more than the rated 20 persons
    assert hoist_level("hoist.persons", persons=persons) == level


@pytest.mark.parametrize(("wind_ms", "level"), [(19.9, None), (20.0, None), (20.1, "alarm")])
def test_hoist_wind(wind_ms: float, level: str | None) -> None:
    # 大于 20 m/s at the mast top: 20.0 m/s is still allowed
    assert hoist_level("hoist.wind", wind_ms=wind_ms) == level


@pytest.mark.parametrize(
    ("speed_ms", "level"),
    [(0.09, None), (0.1, None), (0.11, "critical"), (-0.11, "critical")],
)
def test_hoist_moving_with_a_door_open(speed_ms: float, level: str | None) -> None:
    # moving: |speed| above moving_ms (0.1 m/s); a cage moving with a door open is critical
    assert hoist_level("hoist.door", door_state=2, speed_ms=speed_ms) == level


@pytest.mark.parametrize(
    ("limit_state", "speed_ms", "level"),
    [
        (0, 0.0, None),
        (1, 0.6, None),  # the upper travel limit stopping the cage: what it is for
        (1, 0.0, "warning"),  # standing on it: used as the stop control (JGJ 215 §5.2.10)
        (2, 0.0, "warning"),
        (3, 0.0, "critical"),  # the final limit: 冲顶
        (3, 0.6, "critical"),
    ],
)
def test_hoist_limit_states(limit_state: int, speed_ms: float, level: str | None) -> None:
    assert hoist_level("hoist.limit", limit_state=limit_state, speed_ms=speed_ms) == level


# ---- high formwork (standards.md §6): formwork-1 points at the Table 8.0.4 values ------------------


@pytest.mark.parametrize(
    ("metric", "value", "level"),
    [
        ("settle_mm", 6.39, None),
        ("settle_mm", 6.4, "warning"),  # 80 % of 8 mm reached
        ("settle_mm", 7.99, "warning"),
        ("settle_mm", 8.0, "critical"),  # the alarm value reached: stop pouring
        ("settle_mm", 8.01, "critical"),
        ("disp_h_mm", 9.59, None),
        ("disp_h_mm", 9.6, "warning"),
        ("disp_h_mm", 11.99, "warning"),
        ("disp_h_mm", 12.0, "critical"),
        ("disp_h_mm", -12.0, "critical"),
        ("tilt_deg", 0.1831, None),
        ("tilt_deg", 0.1832, "warning"),  # 80 % of 0.229°
        ("tilt_deg", 0.2289, "warning"),
        ("tilt_deg", 0.229, "critical"),
        ("tilt_deg", 0.2291, "critical"),
        ("axial_kn", 15.9, None),
        ("axial_kn", 16.0, "warning"),  # 80 % of the 20 kN design value
        ("axial_kn", 19.9, "warning"),
        ("axial_kn", 20.0, "critical"),
        ("axial_kn", 20.1, "critical"),
    ],
)
def test_formwork(metric: str, value: float, level: str | None) -> None:
    rule = {"settle_mm": "formwork.settle", "disp_h_mm": "formwork.disp", "tilt_deg": "formwork.tilt"}
    point = sample("formwork-1", T0, point="M1", **{metric: value})
    assert level_of(run(RuleEngine(reference_site()), [point], rule.get(metric, "formwork.axial"))) == level


@pytest.mark.parametrize(("silent_s", "level"), [(59.9, None), (60.0, None), (60.1, "alarm")])
def test_formwork_silent_during_a_pour(silent_s: float, level: str | None) -> None:
    # at least two readings a minute during a pour: a point silent longer than 60 s
    engine = RuleEngine(reference_site())
    engine.process(sample("formwork-1", T0, pour_active=1.0))
    engine.process(sample("formwork-1", T0, point="M1", settle_mm=1.0))
    assert level_of([r for r in engine.tick(T0 + silent_s) if r.rule == "formwork.silent"], "M1") == level


# ---- key personnel (standards.md §7) ---------------------------------------------------------------


@pytest.mark.parametrize(("absent_s", "level"), [(1799.0, None), (1800.0, "alarm"), (1801.0, "alarm")])
def test_personnel_absent_grace(absent_s: float, level: str | None) -> None:
    # a safety officer in, the manager not; a crane lifting from `start`: 30 min of grace (practice)
    start = at("2026-09-01T09:00:00")
    batches = [sample("gate-1", start - 600, point="KP-02", on_site=1.0)]
    batches += [sample("crane-1", start + m * 60, load_t=1.5, radius_m=20.0) for m in range(29)]
    batches.append(sample("crane-1", start + absent_s, load_t=1.5, radius_m=20.0))
    flat = sorted((r for b in batches for r in b), key=lambda r: r.ts)
    found = [
        r
        for _, _, out in RuleEngine(reference_site()).replay(flat)
        for r in out
        if r.rule == "personnel.absent"
    ]
    assert level_of(found, "project_manager") == level


@pytest.mark.parametrize(("present_s", "level"), [(34559.0, "warning"), (34560.0, None), (34561.0, None)])
def test_personnel_attendance_share(present_s: float, level: str | None) -> None:
    # at least 80 % of the working time: 80 % of a 12-hour working day (07-19) is 34560 s
    rule = PersonnelAttendance(8.0)
    morning = at("2026-09-01T07:00:00")
    rule.advance(morning, True, (7, 19))
    rule.advance(morning + present_s, True, (7, 19))  # on site until then
    rule.advance(morning + 12 * 3600, False, (7, 19))  # away for the rest of the day
    found = rule.evaluate("gate-1", morning + 12 * 3600, 0.8, (7, 19))
    assert (found.level if found else None) == level


@pytest.mark.parametrize(
    # its last day is valid (within the 30 days' renewal warning), the next day it is not
    ("when", "level"),
    [("2026-10-31T23:59:59", "warning"), ("2026-11-01T00:00:00", "critical")],
)
def test_personnel_certificate_valid_through_its_last_day(
    tmp_path: Path, when: str, level: str | None
) -> None:
    def expiring(data: dict[str, Any]) -> None:
        data["key_personnel"][2]["certificate_valid_until"] = "2026-10-31"  # KP-03

    gates = [*sample("gate-1", at("2026-10-31T12:00:00"), point="W-1", on_site=1.0)]
    gates += sample("gate-1", at(when), point="W-1", on_site=0.0)
    found = [
        r
        for _, _, out in RuleEngine(site_variant(tmp_path, expiring)).replay(gates)
        for r in out
        if r.rule == "personnel.certificate"
    ]
    assert level_of(found, "KP-03") == level


# ---- device offline and sensor faults (practice; standards.md §1 ranges) --------------------------


@pytest.mark.parametrize(
    ("device", "reading", "silent_s", "level"),
    [
        ("hoist-1", {"load_t": 0.5, "driver_id": "OP-1001"}, 3.0, None),  # 3 intervals of 1 s: not yet
        ("hoist-1", {"load_t": 0.5, "driver_id": "OP-1001"}, 3.001, "warning"),
        ("hoist-1", {"load_t": 0.5, "driver_id": "OP-1001"}, 600.0, "warning"),
        ("hoist-1", {"load_t": 0.5, "driver_id": "OP-1001"}, 600.001, "alarm"),  # past 600 s
        ("pit-1", {"disp_h_mm": 1.0}, 21600.0, None),  # 3 intervals of 2 h
        ("pit-1", {"disp_h_mm": 1.0}, 21600.001, "warning"),
        ("pit-1", {"disp_h_mm": 1.0}, 43200.0, "warning"),  # 6 intervals (longer than 600 s)
        ("pit-1", {"disp_h_mm": 1.0}, 43200.001, "alarm"),
    ],
)
def test_device_offline_limits(
    device: str, reading: dict[str, Any], silent_s: float, level: str | None
) -> None:
    engine = RuleEngine(reference_site())
    point = "ZQS-01" if device == "pit-1" else ""
    engine.process(sample(device, T0, point=point, **reading))
    found = [r for r in engine.tick(T0 + silent_s) if r.rule == "device.offline"]
    assert max((r.level for r in found), key=["warning", "alarm"].index, default=None) == level


@pytest.mark.parametrize(
    ("device", "point", "metric", "value", "level"),
    [
        ("anemo-1", "", "wind_ms", -0.1, "warning"),
        ("anemo-1", "", "wind_ms", 0.0, None),  # the ends of 0-60 m/s are readings
        ("anemo-1", "", "wind_ms", 60.0, None),
        ("anemo-1", "", "wind_ms", 60.1, "warning"),
        ("pit-1", "ZQS-01", "disp_h_mm", -500.1, "warning"),
        ("pit-1", "ZQS-01", "disp_h_mm", -500.0, None),
        ("pit-1", "ZQS-01", "disp_h_mm", 500.0, None),
        ("pit-1", "ZQS-01", "disp_h_mm", 500.1, "warning"),
    ],
)
def test_sensor_ranges(device: str, point: str, metric: str, value: float, level: str | None) -> None:
    readings = [sample(device, T0, point=point, **{metric: value})]
    assert level_of(run(RuleEngine(reference_site()), readings, "sensor.fault")) == level


@pytest.mark.parametrize(("held_s", "level"), [(DAY - 1, None), (DAY, "warning"), (DAY + 1, "warning")])
def test_sensor_stuck_for_a_day(held_s: float, level: str | None) -> None:
    # exactly the same value for 24 h (practice): a reading at 24 h has been stuck that long
    same = [sample("pit-1", T0 + t, point="ZQS-01", disp_h_mm=3.3) for t in (0.0, H2, held_s)]
    assert level_of(run(RuleEngine(reference_site()), same, "sensor.fault")) == level


# ---- lines the table above lacked (issue #37): clearing lines, ranges and holds -----------------------


@pytest.mark.parametrize(
    ("wind_ms", "level"),
    [(-0.1, "warning"), (0.0, None), (60.0, None), (60.1, "warning")],
)
def test_hoist_wind_sensor_range(wind_ms: float, level: str | None) -> None:
    # the mast-top anemometer's 0-60 m/s (sensor_fault.ranges, the ends are readings): outside it the
    # sensor is broken, a sensor.fault, and the reading is no calm (it cannot clear hoist.wind)
    assert hoist_level("sensor.fault", wind_ms=wind_ms) == level


def test_hoist_wind_alarm_is_not_cleared_by_a_broken_anemometer() -> None:
    readings = [hoist(T0, wind_ms=22.0), hoist(T0 + 1, wind_ms=-1.0), hoist(T0 + 2, wind_ms=21.0)]
    assert [r.level for r in run(RuleEngine(reference_site()), readings, "hoist.wind")] == ["alarm", "alarm"]


@pytest.mark.parametrize(
    ("zeros", "span_s", "level"), [(2, 5.0, "critical"), (3, 4.9, "critical"), (3, 5.0, None)]
)
def test_safety_device_clears_after_3_zeros_over_5_s(zeros: int, span_s: float, level: str | None) -> None:
    # a bypassed limiter (critical at once) clears only once the bit has read 0 three times in a row over
    # at least 5 s (rules/safety_devices.py CLEAR_SAMPLES, CLEAR_S: practice against flickering contacts)
    batches = [sample("crane-1", T0, flag_limiter_bypass=1.0)]
    batches += [
        sample("crane-1", T0 + 1 + span_s * i / (zeros - 1), flag_limiter_bypass=0.0) for i in range(zeros)
    ]
    assert level_of(run(RuleEngine(reference_site()), batches, "crane.safety_device")) == level


@pytest.mark.parametrize(("outside_m", "level"), [(0.0, "alarm"), (0.99, "alarm"), (1.0, None), (1.5, None)])
def test_crane_zone_clears_a_metre_outside(outside_m: float, level: str | None) -> None:
    # the school's playground x 20-40, y -40..-25; crane-1 at the origin, slew counter-clockwise from +x:
    # the hook over (30, -30), then due east of the zone's right edge by outside_m (clear_margin_m 1.0:
    # the hook must be a metre out before the alarm clears; on the edge it is inside)
    def at(x: float, y: float, ts: float) -> list:
        slew = math.degrees(math.atan2(y, x)) % 360
        return sample(
            "crane-1", ts, slew_deg=slew, radius_m=math.hypot(x, y), load_t=0.5, operator_id="OP-1001"
        )

    batches = [at(30.0, -30.0, T0), at(40.0 + outside_m, -30.0, T0 + 1)]
    assert level_of(run(RuleEngine(reference_site()), batches, "crane.zone")) == level


@pytest.mark.parametrize(("rest_s", "level"), [(299.0, "alarm"), (300.0, "alarm"), (301.0, None)])
def test_personnel_absence_holds_the_work_300_s_after_the_machine_rests(
    rest_s: float, level: str | None
) -> None:
    # a crane lifting with no project manager for 30 min, then silent for 10 min (it has not said it
    # stopped), then its hook empty: the work counts as going on until active_hold_s (300 s) after that
    start = at("2026-09-01T09:00:00")
    batches = [sample("gate-1", start - 600, point="KP-02", on_site=1.0)]
    batches += [sample("crane-1", start + m * 60, load_t=1.5, radius_m=20.0) for m in range(31)]
    rest = start + 40 * 60
    batches.append(sample("crane-1", rest, load_t=0.0, radius_m=20.0))
    batches.append(sample("crane-1", rest + rest_s, load_t=0.0, radius_m=20.0))
    flat = sorted((r for b in batches for r in b), key=lambda r: r.ts)
    found = [
        r
        for _, _, out in RuleEngine(reference_site()).replay(flat)
        for r in out
        if r.rule == "personnel.absent" and r.point == "project_manager"
    ]
    assert level_of(found) == level
    if level is None:
        assert "已停止" in found[-1].message and "仍未到岗" in found[-1].message  # not that the manager came
