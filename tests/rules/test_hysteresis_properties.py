"""Rule evaluation under hostile input (issue #19): random reading sequences on the reference site.

1. Whatever the readings (any device, metric, point, quality, value: NaN, infinity, text where a
   number belongs, times that go backwards), link states and clock ticks, no exception leaves the
   engine and every verdict is well formed.
2. A level only changes as the clearing band allows (rules/levels.py, docs/design.md): it is
   entered when its threshold is crossed as its clause words it (value >= threshold for 达到/及以上;
   value > threshold for 大于/超过: crane.wind's alarm, above 13.8 m/s and only after
   ``alarm_samples`` samples in a row above it, crane.tilt's alarm, beyond the 4/1000 allowed, and
   crane.load's alarm, 大于额定起重量),
   it is left only once the value is past the threshold by the band (value < threshold × (1 − band)),
   and it is not held once it is. A reading judged broken (out of its physical range, not a number)
   changes no level.
The expected levels are worked out here from the thresholds of the site file, not by the rules' code.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.alert_event import LEVEL_RANK
from contract.readings import DeviceStatus, Quality, Reading
from rules import RuleEngine, RuleResult
from tests.rules.sites import PROJECT, reference_site

SITE = reference_site()
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
LEVELS = (None, "warning", "alarm", "critical")
BAND = 0.05  # hysteresis_pct 5 of the reference site's rules (the default)


def _metrics() -> list[str]:
    names = {"junk_metric"}
    for profile in SITE.profiles.values():
        if profile.modbus:
            names.update(v.metric for v in profile.modbus.values)
        if profile.mqtt:
            names.update(v.metric for t in profile.mqtt.topics for v in t.values)
    return sorted(names)


DEVICES = [d.id for d in SITE.config.devices] + ["not-a-device", "cam-1"]
POINTS = ["", "ZQS-01", "CX-01", "ZL-01", "SW-01", "M1", "M4", "KP-01", "KP-04", "worker-77", "nope"]
VALUES = st.one_of(
    st.floats(),  # NaN and both infinities included
    st.floats(-50, 50),
    st.integers(-(10**6), 10**6).map(float),
    st.sampled_from([0.0, 1.0, 1001.0, 13.9, 20.8, 1e308]),
    st.text(max_size=8),
)
READINGS = st.builds(
    lambda dev, metric, point, value, quality: (dev, metric, point, value, quality),
    st.sampled_from(DEVICES),
    st.sampled_from(_metrics()),
    st.sampled_from(POINTS),
    VALUES,
    st.sampled_from(list(Quality)),
)
# one step: a batch of readings at one instant, a link-state change, or a clock tick
STEPS = st.one_of(
    st.tuples(st.just("batch"), st.lists(READINGS, min_size=1, max_size=6)),
    st.tuples(st.just("status"), st.tuples(st.sampled_from(DEVICES), st.booleans())),
    st.tuples(st.just("tick"), st.none()),
)


@SETTINGS
@given(
    steps=st.lists(st.tuples(st.floats(-30, 3600), STEPS), max_size=40),
    start=st.sampled_from([1_780_000_000.0, 1_790_000_000.0]),
)
def test_no_reading_sequence_makes_the_engine_raise(steps: list[tuple[float, Any]], start: float) -> None:
    engine = RuleEngine(SITE)
    now = start
    for dt, (kind, item) in steps:
        now += dt  # mostly forward; a negative step is a clock jumping back or a late backfill
        if kind == "batch":
            batch = [
                Reading(now, PROJECT, dev, metric, value, quality=quality, point=point)
                for dev, metric, point, value, quality in item
            ]
            evaluation = engine.evaluate(batch)
            assert len(evaluation.readings) == len(batch), "every reading is kept, judged or not"
            results = evaluation.results
        elif kind == "status":
            device, online = item
            results = engine.on_status(DeviceStatus(now, device, online, "test"))
        else:
            results = engine.tick(now)
        for r in results:
            assert isinstance(r, RuleResult) and r.level in LEVELS and r.rule and r.device
            assert math.isfinite(r.ts)


def rank(level: str | None) -> int:
    return LEVEL_RANK[level] if level else 0  # type: ignore[index]


def check_band(
    thresholds: list[tuple[str, float]],
    judged: list[tuple[float | None, str | None]],
    may_enter: Callable[[int, str], bool] = lambda _i, _level: True,
    above: frozenset[str] = frozenset(),
) -> None:
    """Walk (value judged, or None for a reading judged broken; level after it) and check each change.

    ``may_enter(i, level)`` is a rule's extra condition for entering ``level`` at step ``i``;
    ``above`` the levels whose clause says 大于/超过 (a value on the line has not crossed it).
    """
    thr = dict(thresholds)
    eps = 1e-9
    before: str | None = None
    for i, (value, level) in enumerate(judged):
        if value is None:
            assert level == before, f"step {i}: a reading judged broken changed {before} to {level}"
            continue
        crossed = [
            lv
            for lv, t in thresholds
            if (value > t + abs(t) * eps if lv in above else value >= t - abs(t) * eps)
        ]
        top = crossed[-1] if crossed else None
        if rank(level) > rank(before):
            assert level == top or (not may_enter(i, top or "") and rank(level) < rank(top)), (
                f"step {i}: {value} raised {before} to {level}, the value crosses {top}"
            )
            assert level is None or value >= thr[level] * (1 - eps), f"step {i}: {value} entered {level}"
        if rank(level) < rank(before):
            for lv, t in thresholds:
                if rank(level) < rank(lv) <= rank(before):
                    assert value < t * (1 - BAND) + abs(t) * eps or (lv == top and not may_enter(i, lv)), (
                        f"step {i}: {value} left {lv} (threshold {t}) inside its clearing band"
                    )
        if level is not None and rank(level) >= rank(before):
            assert value >= thr[level] * (1 - BAND) - abs(thr[level]) * eps, (
                f"step {i}: {value} held {level} although past its clearing band"
            )
        if rank(top) > rank(level):
            assert not may_enter(i, top or ""), f"step {i}: {value} crosses {top} but the level is {level}"
        before = level


def levels_after(readings: list[list[Reading]], rule: str, device: str) -> list[str | None]:
    """The rule's level for ``device`` after each batch (unchanged when it reported nothing)."""
    engine = RuleEngine(SITE)
    level: str | None = None
    out = []
    for batch in readings:
        for r in engine.process(batch):
            if r.rule == rule and r.device == device:
                level = r.level
        out.append(level)
    return out


# values a broken or hostile sensor sends among real ones
BROKEN = st.sampled_from([math.nan, math.inf, -math.inf])


@SETTINGS
@given(
    speeds=st.lists(
        st.one_of(st.floats(0, 30), st.floats(9, 23), BROKEN, st.sampled_from([-1.0, 75.0])), max_size=60
    )
)
def test_crane_wind_levels_follow_thresholds_band_and_the_samples_in_a_row(speeds: list[float]) -> None:
    cfg = SITE.config.rules.crane_wind
    batches = [[Reading(1.8e9 + i, PROJECT, "anemo-1", "wind_ms", v)] for i, v in enumerate(speeds)]
    got = levels_after(batches, "crane.wind", "anemo-1")
    # 0-60 m/s is the anemometer's physical range (sensor_fault.ranges): outside it, or NaN, is broken
    judged = [(v if 0 <= v <= 60 else None, lv) for v, lv in zip(speeds, got, strict=True)]
    valid = [v for v, _ in judged]

    def may_enter(i: int, level: str) -> bool:
        if level != "alarm":
            return True
        # the last alarm_samples judged speeds (broken readings are no samples) are all above alarm_ms
        recent = [v for v in valid[: i + 1] if v is not None][-cfg.alarm_samples :]
        return len(recent) == cfg.alarm_samples and all(v > cfg.alarm_ms for v in recent)

    thresholds = [("warning", cfg.warning_ms), ("alarm", cfg.alarm_ms), ("critical", cfg.critical_ms)]
    check_band(thresholds, judged, may_enter, above=frozenset({"alarm"}))


@SETTINGS
@given(loads=st.lists(st.one_of(st.floats(0, 8), st.floats(5, 7), BROKEN), max_size=60))
def test_crane_load_levels_follow_thresholds_and_band(loads: list[float]) -> None:
    cfg = SITE.config.rules.crane_load
    # 15.4 m is a point of crane-1's load chart: rated 6.0 t, so the load ratio is load / 6 t
    batches = [
        [
            Reading(1.8e9 + i, PROJECT, "crane-1", "load_t", v),
            Reading(1.8e9 + i, PROJECT, "crane-1", "radius_m", 15.4),
        ]
        for i, v in enumerate(loads)
    ]
    got = levels_after(batches, "crane.load", "crane-1")
    judged = [(v / 6.0 * 100 if math.isfinite(v) else None, lv) for v, lv in zip(loads, got, strict=True)]
    thresholds = [("warning", cfg.warning_pct), ("alarm", cfg.alarm_pct), ("critical", cfg.critical_pct)]
    check_band(thresholds, judged, above=frozenset({"alarm"}))  # GB 5144-2006 §6.1.2: 大于额定起重量


@SETTINGS
@given(tilts=st.lists(st.one_of(st.floats(-1, 1), st.floats(0.15, 0.5), BROKEN), max_size=60))
def test_crane_tilt_levels_follow_thresholds_and_band(tilts: list[float]) -> None:
    cfg = SITE.config.rules.crane_tilt
    limit = SITE.config.device("crane-1").crane.tilt_limit_per_mille  # type: ignore[union-attr]
    batches = [[Reading(1.8e9 + i, PROJECT, "crane-1", "tilt_deg", v)] for i, v in enumerate(tilts)]
    got = levels_after(batches, "crane.tilt", "crane-1")
    # verticality in per mille: the horizontal offset per metre of height, tan(angle) × 1000
    judged = [
        (abs(math.tan(math.radians(v))) * 1000 if math.isfinite(v) else None, lv)
        for v, lv in zip(tilts, got, strict=True)
    ]
    thresholds = [
        ("warning", limit * cfg.warning_fraction),
        ("alarm", limit),
        ("critical", limit * cfg.critical_factor),
    ]
    check_band(thresholds, judged, above=frozenset({"alarm"}))
