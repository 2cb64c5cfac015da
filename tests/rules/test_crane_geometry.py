"""crane.collision (GB 5144-2006 §10.5) and crane.zone on the reference site.

crane-1 stands at (0, 0) with its jib at 45 m, crane-2 at (51, 0) with its jib at 33 m: crane-2
is the lower crane, so its jib must keep 2 m from crane-1's tower, and crane-1's hook must stay
2 m above crane-2's jib wherever it passes over it.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from rules import RuleEngine
from tests.rules.sites import levels, reference_site, run, sample, site_variant

MAST = 0.8 * math.sqrt(2)  # the tower taken as the circle through its corners


def slew_for_clearance(clearance: float) -> float:
    """crane-2's slew that brings its jib tip ``clearance`` m from crane-1's mast (jib pointing west).

    Triangle crane-2 axis (51 m from crane-1) - jib tip (50 m) - crane-1 axis: for these small
    angles the tip, not a point along the jib, is the part nearest crane-1's tower.
    """
    d = clearance + MAST
    return 180 - math.degrees(math.acos((51**2 + 50**2 - d**2) / (2 * 51 * 50)))


def collision(
    engine: RuleEngine, ts: float, slew2: float, slew1: float = 90, radius1: float = 20, height1: float = 40
):
    batches = [
        sample("crane-1", ts, slew_deg=slew1, radius_m=radius1, height_m=height1),
        sample("crane-2", ts, slew_deg=slew2, radius_m=20, height_m=20),
    ]
    return [r for r in run(engine, batches, "crane.collision") if r.ts == ts]


@pytest.mark.parametrize(
    ("clearance", "level"),
    [
        (7.01, None),
        (6.99, "warning"),
        (2.01, "warning"),
        (1.99, "alarm"),
        (0.51, "alarm"),
        (0.49, "critical"),  # below the stop clearance (制动)
        (-0.1, "critical"),
    ],
)
def test_horizontal_clearance_of_the_lower_jib_to_the_higher_tower(
    clearance: float, level: str | None
) -> None:
    results = collision(RuleEngine(reference_site()), 1, slew_for_clearance(clearance))
    assert results[-1].device == "crane-2"  # the lower crane carries the alert
    assert results[-1].level == level
    assert results[-1].value == pytest.approx(clearance, abs=0.01)
    assert results[-1].details["mode"] == "horizontal"


def test_jib_pointing_away_is_clear() -> None:
    [result] = collision(RuleEngine(reference_site()), 1, 0)
    assert result.level is None
    assert result.value == pytest.approx(51 - 11 - MAST, abs=0.01)  # the counter-jib end is the nearest part


@pytest.mark.parametrize(
    ("hook_height", "level"),
    [
        (40, None),
        (38.9, "warning"),
        (35.1, "warning"),
        (34.9, "alarm"),
        (33.6, "alarm"),
        (33.4, "critical"),  # less than the 0.5 m stop clearance above the jib (制动)
        (30, "critical"),  # the rope crosses the jib
    ],
)
def test_vertical_clearance_of_the_higher_hook_over_the_lower_jib(
    hook_height: float, level: str | None
) -> None:
    # crane-2's jib points north (x = 51); crane-1's hook at radius 51 due east is right above it
    [*_, result] = collision(
        RuleEngine(reference_site()), 1, slew2=90, slew1=0, radius1=51, height1=hook_height
    )
    assert result.device == "crane-2"
    assert result.level == level
    if level:
        assert result.details["mode"] == "vertical"
        assert result.value == pytest.approx(hook_height - 33)


def test_hook_more_than_2_m_away_in_plan_is_not_checked_vertically() -> None:
    [result] = collision(RuleEngine(reference_site()), 1, slew2=90, slew1=0, radius1=53.5, height1=25)
    assert result.level is None


def test_clearance_noise_around_2_m_does_not_flap() -> None:
    engine = RuleEngine(reference_site())
    rng = random.Random(3)
    results = []
    for ts in range(200):
        results += collision(engine, ts, slew_for_clearance(2.0 + rng.uniform(-0.08, 0.08)))
    assert levels(results) in (["alarm"], ["warning", "alarm"])


def test_alarm_clears_only_past_the_band() -> None:
    engine = RuleEngine(reference_site())
    seq = [1.5, 2.05, 2.2, 7.2, 7.5]  # alarm band ends at 2.1 m, warning band at 7.35 m
    results = [collision(engine, ts, slew_for_clearance(c))[-1].level for ts, c in enumerate(seq)]
    assert results == ["alarm", "alarm", "warning", "warning", None]


def test_cranes_at_the_same_height_check_each_other(tmp_path: Path) -> None:
    def same_height(data: dict) -> None:
        for d in data["devices"]:
            if d["id"] in ("crane-1", "crane-2"):
                d["crane"]["slew_limiter_set"] = True  # each jib reaches the other's tower
            if d["id"] == "crane-2":
                d["crane"]["jib_height_m"] = 45

    site = site_variant(tmp_path, same_height)
    results = collision(RuleEngine(site), 1, slew2=180, slew1=0)  # the jibs overlap, pointing at each other
    assert {(r.device, r.level) for r in results} == {("crane-1", "critical"), ("crane-2", "critical")}
    # the case: the jibs cross mid-span (at 25.5, 14.7), each tip 26 m and more from the other
    # tower, the hooks 8 m from the other jib: only jib against jib sees it
    results = collision(RuleEngine(site), 1, slew2=150, slew1=30)
    results = list({r.device: r for r in results}.values())  # each crane's verdict once both have moved
    assert {(r.device, r.level, r.details["parts"], r.value) for r in results} == {
        ("crane-1", "critical", "jib", 0.0),
        ("crane-2", "critical", "jib", 0.0),
    }
    assert all("同层臂架间水平净距 0.0 m" in r.message and "制动" in r.message for r in results)


def hook(engine: RuleEngine, ts: float, crane: str, slew: float, radius: float):
    return run(engine, [sample(crane, ts, slew_deg=slew, radius_m=radius)], "crane.zone")


def test_hook_over_the_school_is_an_alarm_for_either_crane() -> None:
    engine = RuleEngine(reference_site())
    [r1] = hook(engine, 1, "crane-1", 315, 42)  # (29.7, -29.7): inside (20..40, -40..-25)
    [r2] = hook(engine, 1, "crane-2", 225, 40)  # (22.7, -28.3): inside
    assert (r1.level, r2.level) == ("alarm", "alarm")
    assert r1.value == "学校操场"
    assert r1.message == "1号塔吊 吊钩进入禁吊区 学校操场，距边界 4.7 m：立即将吊钩移出禁吊区"
    assert r1.message_en == (
        "1号塔吊 hook 4.7 m inside no-lift zone 学校操场: move the hook out of the no-lift zone now"
    )
    [r3] = hook(engine, 2, "crane-2", 225, 30)  # (29.8, -21.2): north of the zone by 3.8 m
    assert r3.level is None
    assert r3.message == "2号塔吊 吊钩已离开禁吊区 学校操场，已恢复正常"


def test_zone_alarm_holds_until_the_hook_is_a_margin_outside() -> None:
    engine = RuleEngine(reference_site())

    # crane-1 slewing along y = -30 across the zone's west edge at x = 20
    def at(ts: float, x: float):
        return hook(engine, ts, "crane-1", math.degrees(math.atan2(-30, x)) % 360, math.hypot(x, -30))[
            0
        ].level

    assert [at(1, 25), at(2, 19.5), at(3, 18.5), at(4, 21)] == ["alarm", "alarm", None, "alarm"]
