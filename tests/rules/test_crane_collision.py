"""crane.collision on config/examples/site-two-cranes.yaml: jib against jib in one layer, the prediction
over the braking time, stale data, and the set-up check (GB 5144-2006 §10.5; standards.md §11).

crane-a stands at (0, 0), crane-b at (60, 0), both jibs 50 m (counter-jibs 12 m) at 45 m: one layer.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from contract.config import ConfigError, LoadedSite, load_site
from contract.config.crane import CraneSpec
from contract.readings import Quality
from kinds.crane.collision import (
    CraneView,
    Frame,
    _worst,
    clearances,
    pairs_of,
    predicted_clearance,
    travel_m,
    worst_clearance,
)
from kinds.crane.kind import CraneDevice
from kinds.crane.motion import Motion
from kinds.crane.thresholds import CraneCollisionRule
from rules import RuleEngine, RuleResult
from rules.geometry import segment_distance, segments_distance
from tests.rules.sites import run, sample

TWO = Path(__file__).resolve().parents[2] / "config" / "examples" / "site-two-cranes.yaml"
CFG = CraneCollisionRule()


def two_cranes() -> LoadedSite:
    return load_site(TWO)


def spec_of(device: str) -> CraneSpec:
    dev = two_cranes().config.device(device)
    assert isinstance(dev, CraneDevice)
    return dev.crane


# --- plan geometry -------------------------------------------------------------------------------

coord = st.floats(-100, 100, allow_nan=False)
points = st.tuples(coord, coord)
P = tuple[float, float]


@given(points, points, points, points)
def test_segment_distance_is_symmetric_and_no_more_than_any_end_distance(a: P, b: P, c: P, d: P) -> None:
    found = segments_distance(a, b, c, d)
    assert found >= 0
    assert found == pytest.approx(segments_distance(c, d, a, b), abs=1e-6)
    assert found == pytest.approx(segments_distance(b, a, d, c), abs=1e-6)
    for end, seg in ((a, (c, d)), (b, (c, d)), (c, (a, b)), (d, (a, b))):
        assert found <= segment_distance(end, *seg) + 1e-6


@given(points, points, points, points)
def test_segment_distance_is_the_least_over_points_of_both(a: P, b: P, c: P, d: P) -> None:
    """No pair of points along the two segments is closer than the distance found; and the points
    sampled along them come as close as the sampling step allows (to a micrometre: nearly parallel
    segments round in the last digits)."""
    found = segments_distance(a, b, c, d)
    n = 40
    along = lambda p, q, k: (p[0] + (q[0] - p[0]) * k / n, p[1] + (q[1] - p[1]) * k / n)  # noqa: E731
    first = [along(a, b, k) for k in range(n + 1)]
    sampled = min(segment_distance(p, c, d) for p in first)
    step = math.dist(a, b) / n
    assert found <= sampled + 1e-6
    assert sampled <= found + step / 2 + 1e-6


@given(st.floats(0.01, 0.99), st.floats(0.01, 0.99), points, points, points)
def test_segments_through_a_common_point_touch(s: float, t: float, p: P, u: P, v: P) -> None:
    """Two segments each drawn through the point p cross there: distance 0 (to rounding)."""
    a, b = (p[0] - s * u[0], p[1] - s * u[1]), (p[0] + (1 - s) * u[0], p[1] + (1 - s) * u[1])
    c, d = (p[0] - t * v[0], p[1] - t * v[1]), (p[0] + (1 - t) * v[0], p[1] + (1 - t) * v[1])
    assert segments_distance(a, b, c, d) == pytest.approx(0, abs=1e-6)


def test_parallel_segments_are_their_offset_apart() -> None:
    assert segments_distance((0, 0), (10, 0), (2, 3), (12, 3)) == pytest.approx(3)
    assert segments_distance((0, 0), (10, 0), (13, 4), (20, 4)) == pytest.approx(5)  # end to end


# --- which structures meet ------------------------------------------------------------------------


def test_layers_are_2_m_plus_the_higher_trolley_apart() -> None:
    low = spec_of("crane-a")
    for gap, layer in ((0.0, True), (3.49, True), (3.5, False), (10.0, False)):
        high = low.model_copy(update={"jib_height_m": low.jib_height_m + gap, "position_m": (60.0, 0.0)})
        assert low.shares_layer(high, CFG.min_clearance_m) is layer, gap
        assert high.shares_layer(low, CFG.min_clearance_m) is layer, gap


def test_jibs_crossing_mid_span_are_a_clearance_of_zero() -> None:
    """The issue's case: both at 45 m, jibs crossing halfway; tower to tip is 30 m either way."""
    a, b = spec_of("crane-a"), spec_of("crane-b")
    va, vb = CraneView("crane-a", "A", a, 30, 20, 30), CraneView("crane-b", "B", b, 150, 20, 30)
    found = {c.mode: c.metres for c in clearances(va, vb, CFG)}
    assert found["jib"] == pytest.approx(0)
    assert found["mast"] > 25 and found["own_mast"] > 25


def test_a_higher_counterweight_over_the_lower_top() -> None:
    """crane-b raised 10 m and turned so its counter-jib passes over crane-a's tower: the clearance is
    its jib height − the counterweight's depth − crane-a's top."""
    a = spec_of("crane-a")
    b = spec_of("crane-b").model_copy(update={"jib_height_m": 55.0, "position_m": (10.0, 0.0)})
    below = CraneView("crane-a", "A", a, 90, 20, 30)
    above = CraneView("crane-b", "B", b, 0, 20, 50)  # pointing east: its counter-jib over (0, 0)
    tops = [c for c in clearances(below, above, CFG) if c.mode == "top"]
    assert [c.metres for c in tops] == [pytest.approx(55 - 2.0 - 45)]
    jib_over = CraneView("crane-b", "B", b, 180, 20, 50)  # its jib (and trolley) over crane-a's top
    assert [c.metres for c in clearances(below, jib_over, CFG) if c.mode == "top"] == [
        pytest.approx(55 - 1.5 - 45)
    ]


# --- prediction ----------------------------------------------------------------------------------


def test_a_slew_towards_the_other_crane_is_predicted_over_the_braking_time() -> None:
    """crane-a at 12° slewing back at 0.8 °/s towards crane-b's counter-jib end (48, 0): the clearance
    48·sin θ is 9.98 m now and 48·sin 8° = 6.68 m at the end of its 5 s braking time."""
    a, b = spec_of("crane-a"), spec_of("crane-b")
    moving = CraneView("crane-a", "A", a, 12.0, 20, 30, 0.0, (-0.8, 0.0, 0.0))
    still = CraneView("crane-b", "B", b, 0.0, 20, 30, 0.0)
    ahead = predicted_clearance(moving, [still], CFG)
    assert ahead is not None
    worst, in_s = ahead
    assert worst.mode == "jib" and worst.metres == pytest.approx(48 * math.sin(math.radians(8)), abs=1e-6)
    assert in_s == pytest.approx(5.0)
    away = CraneView("crane-a", "A", a, 12.0, 20, 30, 0.0, (0.8, 0.0, 0.0))
    best = predicted_clearance(away, [still], CFG)
    assert best is not None and best[0].metres > 48 * math.sin(math.radians(12))  # opening: no nearer
    assert predicted_clearance(CraneView("crane-a", "A", a, 12.0, 20, 30), [still], CFG) is None


def slewing(
    engine: RuleEngine, slews: list[float], b_slew: float = 0.0, t0: float = 1000.0
) -> list[RuleResult]:
    """crane-a through ``slews``, one a second, crane-b standing at ``b_slew``: crane-a's verdicts."""
    batches = []
    for k, slew in enumerate(slews):
        batches += [
            sample("crane-a", t0 + k, slew_deg=slew, radius_m=20, height_m=30),
            sample("crane-b", t0 + k, slew_deg=b_slew, radius_m=20, height_m=30),
        ]
    return [r for r in run(engine, batches, "crane.collision") if r.device == "crane-a"]


def test_warning_comes_5_s_before_the_clearance_does() -> None:
    """Slewing in at 0.8 °/s from 20°: the predicted clearance reaches 7 m at 12.0° (now 9.98 m),
    the clearance itself at 8.0° (6.68 m) five samples later."""
    slews = [round(20 - 0.8 * k, 1) for k in range(16)]
    results = slewing(RuleEngine(two_cranes()), slews)
    first = next(r for r in results if r.level == "warning")
    assert slews[int(first.ts - 1000)] == 12.0
    assert first.details["now_m"] == pytest.approx(48 * math.sin(math.radians(12)), abs=0.01)
    assert first.details["in_s"] == pytest.approx(5.0)
    assert "按当前速度 5 s 内将降至 6.7 m" in first.message and "GB 5144-2006 第10.5条" in first.message
    assert "司机与信号工联系" in first.message
    still = slewing(RuleEngine(two_cranes()), [12.0] * 3)  # standing there: 9.98 m, nothing predicted
    assert all(r.level is None for r in still)


def test_a_jump_faster_than_the_crane_can_slew_is_not_a_speed() -> None:
    motion = Motion(max_slew_deg_s=5.0, max_gap_s=3.0)
    motion.update(0.0, 350.0, 20.0, 30.0)
    motion.update(1.0, 2.0, 20.5, 29.0)  # 12° across north in 1 s: a jump
    assert (motion.slew_deg_s, motion.radius_ms, motion.height_ms) == (0.0, 0.5, -1.0)
    motion.update(2.0, 358.0, 20.5, 29.0)  # 4° back across north: a speed, the short way round
    assert motion.slew_deg_s == pytest.approx(-4.0)
    motion.update(6.0, 357.0, 20.5, 29.0)  # 4 s after the last sample: too old to give a speed
    assert not motion.moving()


@given(st.floats(-5, 5), st.floats(-3, 3), st.floats(-3, 3))
def test_the_motion_travel_is_the_views(slew: float, trolley: float, hoist: float) -> None:
    """The judge's Motion works out a crane's travel with its speeds; a view made without it works it
    out itself: the same figure."""
    spec = spec_of("crane-a")
    motion = Motion(spec.max_slew_deg_s, 3.0, max(spec.jib_m, spec.counter_jib_m), spec.braking_time_s)
    motion.update(0.0, 100.0, 20.0, 30.0)
    motion.update(1.0, 100.0 + slew, 20.0 + trolley, 30.0 + hoist)
    speeds = (motion.slew_deg_s, motion.radius_ms, motion.height_ms)
    assert motion.travel_m == pytest.approx(travel_m(Frame(spec), speeds), rel=1e-12, abs=1e-12)


# --- stale data never clears ---------------------------------------------------------------------


def test_stale_data_of_the_other_crane_never_clears_the_alert() -> None:
    engine = RuleEngine(two_cranes())
    t = 1000.0
    cross = sample("crane-a", t, slew_deg=30, radius_m=20, height_m=30) + sample(
        "crane-b", t, slew_deg=150, radius_m=20, height_m=30
    )
    last = {r.device: r.level for r in run(engine, [cross], "crane.collision")}
    assert last == {"crane-a": "critical", "crane-b": "critical"}
    # crane-b silent (or its rows stale): crane-a turning away 5 s later does not clear either crane
    gone = sample("crane-b", t + 5, slew_deg=90, radius_m=20, height_m=30, quality=Quality.STALE)
    away = sample("crane-a", t + 5, slew_deg=90, radius_m=20, height_m=30)
    held = run(engine, [gone, away], "crane.collision")
    assert held and {r.level for r in held} == {"critical"}
    # fresh again, both beyond the band now and ahead: resolved
    fresh = sample("crane-b", t + 6, slew_deg=90, radius_m=20, height_m=30)
    assert {(r.device, r.level) for r in run(engine, [fresh], "crane.collision")} == {
        ("crane-a", None),
        ("crane-b", None),
    }


# --- the set-up check ----------------------------------------------------------------------------


def moved(tmp_path: Path, x: float, limiter: bool = False) -> Path:
    data = yaml.safe_load(TWO.read_text(encoding="utf-8"))
    crane = data["devices"][1]["crane"]
    crane["position_m"] = [x, 0]
    if limiter:
        data["devices"][0]["crane"]["slew_limiter_set"] = True
        crane["slew_limiter_set"] = True
    (tmp_path / "site.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return tmp_path / "site.yaml"


def test_a_jib_that_reaches_the_other_tower_is_a_config_error_naming_both(tmp_path: Path) -> None:
    load_site(moved(tmp_path, 52.8))  # 52.8 − 0.8 − 2 = 50.0: the 50 m jib just keeps its 2 m
    with pytest.raises(ConfigError) as err:
        load_site(moved(tmp_path, 52.7))
    text = str(err.value)
    assert "crane-a and crane-b can never be kept apart" in text
    assert "52.70 m" in text and "49.90 m" in text and "GB 5144-2006 §10.5" in text
    load_site(moved(tmp_path, 30.0, limiter=True))  # limiters set: accepted, still watched at run time
    # crane-b 1 m higher shares crane-a's layer: its jib reaching crane-a's tower is named as well
    data = yaml.safe_load(moved(tmp_path, 52.7).read_text(encoding="utf-8"))
    data["devices"][0]["crane"]["slew_limiter_set"] = True
    data["devices"][1]["crane"]["jib_height_m"] = 46
    (tmp_path / "site.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="cranes crane-b and crane-a can never be kept apart"):
        load_site(tmp_path / "site.yaml")
    data["devices"][1]["crane"]["jib_height_m"] = 48.5  # 3.5 m: another layer, crane-b's jib passes over
    (tmp_path / "site.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_site(tmp_path / "site.yaml")


@given(st.floats(0, 360), st.floats(0, 360), st.floats(30, 110), st.floats(0, 60))
def test_the_bound_skips_only_clearances_that_cannot_be_the_least_below_it(
    slew_a: float, slew_b: float, apart: float, floor: float
) -> None:
    """With a floor, the smallest clearance is the exact one wherever it is below the floor, and at or
    above the floor wherever the exact one is (the collision check then skips the crane or measures
    again)."""
    a = spec_of("crane-a")
    b = spec_of("crane-b").model_copy(update={"position_m": (apart, 0.0)})
    me, other = CraneView("crane-a", "A", a, slew_a, 20, 30), CraneView("crane-b", "B", b, slew_b, 20, 30)
    pairs = pairs_of(me, [other], CFG)
    exact = _worst(pairs, me.jib, [other.pose])
    bounded = _worst(pairs, me.jib, [other.pose], floor)
    assert exact is not None and bounded is not None
    assert exact == worst_clearance(me, [other], CFG)
    if exact.metres < floor:
        assert bounded == exact
    else:
        assert bounded.metres >= floor
