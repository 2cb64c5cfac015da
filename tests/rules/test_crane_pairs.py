"""crane.collision checks only pairs of cranes that could come close (GB 5144-2006 §10.5).

A large site sets its cranes out of each other's reach where it can; skipping those pairs is only
safe if no slew, trolley or hook position of such a pair could ever give a clearance that matters.
Hypothesis searches for one.
"""

from __future__ import annotations

import math

from hypothesis import example, given, settings
from hypothesis import strategies as st

from contract.config.crane import CraneSpec
from kinds.crane.collision import CraneView, can_come_close, clearances
from kinds.crane.thresholds import CraneCollisionRule

CFG = CraneCollisionRule()
WARNING_HELD = (CFG.min_clearance_m + CFG.warning_margin_m) * (1 + CFG.hysteresis_pct / 100)


def spec(x: float, y: float, jib: float, counter: float, height: float) -> CraneSpec:
    return CraneSpec.model_validate(
        {
            "position_m": (x, y),
            "jib_m": jib,
            "counter_jib_m": counter,
            "jib_height_m": height,
            "load_chart": [{"radius_m": 2.5, "rated_t": 6.0}, {"radius_m": jib, "rated_t": 1.5}],
        }
    )


jibs = st.floats(20, 70)
counters = st.floats(5, 20)
MAST = 0.8 * math.sqrt(2)


def pointing(spec_: CraneSpec, at: tuple[float, float], arm: float) -> float:
    """The slew that points the jib (arm > 0) or the counter-jib (arm < 0) at ``at``."""
    bearing = math.degrees(math.atan2(at[1] - spec_.position_m[1], at[0] - spec_.position_m[0]))
    return (bearing if arm > 0 else bearing + 180) % 360


@settings(max_examples=400, deadline=None)
# found once in a full run: the higher crane exactly at the edge of reach (delta the smallest float), both
# jibs pointed at each other, the hook at the jib tip; rounding put the hook inside the lower jib's plan
# distance while the pair was skipped
@example(
    jib1=61.05149205889116,
    c1=14.352913663222223,
    jib2=53.609916235191285,
    c2=10.0,
    bearing=199.06254755451278,
    delta=5e-324,
    jitter1=0.0,
    jitter2=0.0,
    trolley=1.0,
    hook=0.0,
    height2=45.0,
)
@given(
    jib1=jibs,
    c1=counters,
    jib2=jibs,
    c2=counters,
    bearing=st.floats(0, 360),
    delta=st.floats(-2, 2),
    jitter1=st.floats(-3, 3),
    jitter2=st.floats(-3, 3),
    trolley=st.floats(0.9, 1.0),
    hook=st.floats(0, 80),
    height2=st.sampled_from([30.0, 32.0, 45.0]),
)
def test_pairs_just_out_of_reach_are_skipped_and_never_matter(
    jib1: float,
    c1: float,
    jib2: float,
    c2: float,
    bearing: float,
    delta: float,
    jitter1: float,
    jitter2: float,
    trolley: float,
    hook: float,
    height2: float,
) -> None:
    """The cranes are placed around the edge of reach (horizontal: the lower one's longer arm, the
    higher one's mast and the warning distance held by hysteresis; vertical: both arms and the hook's
    plan distance; both slewing structures in one layer), with both jibs pointed at each other: inside
    the edge the pair must be checked; outside it, no clearance may matter, or skipping it would hide
    a hazard. The higher crane stands in the lower one's layer (30 or 32 m) or above it (45 m)."""
    swing, swing2 = max(jib1, c1), max(jib2, c2)
    edge = max(swing + MAST + WARNING_HELD, swing + swing2 + max(WARNING_HELD, CFG.hook_plan_m))
    d = edge + delta
    where = (d * math.cos(math.radians(bearing)), d * math.sin(math.radians(bearing)))
    lower, higher = spec(0, 0, jib1, c1, 30), spec(*where, jib2, c2, height2)
    if delta < -0.01:
        assert can_come_close(lower, higher, CFG), "a pair within reach was skipped"
    if can_come_close(lower, higher, CFG):
        return
    arm = jib1 if jib1 >= c1 else -c1
    low = CraneView("crane-1", "1号塔吊", lower, pointing(lower, where, arm) + jitter1, 20.0, 10.0)
    high = CraneView(
        "crane-2", "2号塔吊", higher, pointing(higher, (0, 0), 1) + jitter2, trolley * jib2, hook
    )
    for me, other in ((low, high), (high, low)):
        for c in clearances(me, other, CFG):
            assert c.mode in ("mast", "jib", "own_mast") and c.metres > WARNING_HELD, c


def test_overlapping_cranes_are_checked_and_far_ones_are_not() -> None:
    lower = spec(0, 0, 50, 12, 30)
    assert can_come_close(lower, spec(90, 0, 50, 12, 45), CFG)  # jibs overlap
    assert not can_come_close(lower, spec(130, 0, 50, 12, 45), CFG)  # 30 m between the tips
