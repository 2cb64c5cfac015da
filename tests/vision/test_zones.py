"""Danger zones: inertia, loitering time, and who counts as inside."""

from __future__ import annotations

import pytest

from contract.config.camera import ZoneConfig
from vision.detections import Detection
from vision.zones import ZoneWatch

PIT = ZoneConfig(
    name="pit-edge", polygon=[(100, 100), (500, 100), (500, 400), (100, 400)], inertia=3, loiter_s=0
)


def head_at(x: float, y: float, label: str = "helmet") -> Detection:
    return Detection(label, (x - 10, y - 10, x + 10, y + 10), 0.9)  # type: ignore[arg-type]


def test_intrusion_needs_inertia_frames_in_a_row() -> None:
    zw = ZoneWatch([PIT])
    assert zw.update(0, [head_at(300, 200)]) == []
    assert zw.update(1, [head_at(300, 200)]) == []
    (v,) = zw.update(2, [head_at(300, 200)])
    assert (v.rule, v.target) == ("vision.zone_intrusion", "pit-edge")
    assert zw.update(3, []) == []  # left: the run starts again
    assert zw.update(4, [head_at(300, 200)]) == []


def test_loitering_time_is_measured_from_the_first_frame_inside() -> None:
    zw = ZoneWatch([PIT.model_copy(update={"inertia": 1, "loiter_s": 10.0})])
    assert zw.update(100.0, [head_at(300, 200)]) == []
    assert zw.update(105.0, [head_at(300, 200)]) == []
    (v,) = zw.update(110.0, [head_at(300, 200, "no_helmet")])
    assert "10 s" in v.message


def test_someone_outside_or_a_person_whose_feet_are_outside_does_not_count() -> None:
    zw = ZoneWatch([PIT.model_copy(update={"inertia": 1})])
    assert zw.update(0, [head_at(600, 200)]) == []
    # a standing person whose feet are below the zone: only the feet decide
    assert zw.update(1, [Detection("person", (250, 150, 300, 450), 0.8)]) == []
    assert zw.update(2, [Detection("person", (250, 100, 300, 390), 0.8)]) != []


CRANE_ZONE = PIT.model_copy(update={"name": "塔吊安拆警戒区", "exclusion_of": "crane-1", "inertia": 2})


def test_an_exclusion_zone_counts_its_people_and_raises_no_intrusion_of_its_own() -> None:
    zw = ZoneWatch([PIT.model_copy(update={"inertia": 1}), CRANE_ZONE])
    assert zw.exclusions() == {}  # no frame yet: nothing said
    assert [v.target for v in zw.update(0, [head_at(300, 200)])] == ["pit-edge"]
    assert zw.exclusions() == {"塔吊安拆警戒区": 0}  # one frame inside: not yet its inertia
    assert [v.target for v in zw.update(1, [head_at(300, 200), head_at(400, 300)])] == ["pit-edge"]
    assert zw.exclusions() == {"塔吊安拆警戒区": 2}
    zw.update(2, [head_at(600, 200)])
    assert zw.exclusions() == {"塔吊安拆警戒区": 0}


@pytest.mark.parametrize(("feet_y", "inside"), [(399.0, 1), (400.0, 1), (401.0, 0)])
def test_a_person_whose_feet_are_on_the_exclusion_zones_edge_is_inside(feet_y: float, inside: int) -> None:
    zw = ZoneWatch([CRANE_ZONE.model_copy(update={"inertia": 1})])
    zw.update(0, [Detection("person", (250, feet_y - 200, 300, feet_y), 0.8)])
    assert zw.exclusions() == {"塔吊安拆警戒区": inside}
