"""A crane's 安拆 exclusion zone (警戒区) seen by a camera, end to end: the site file's camera and zone, the
person network on a real site photo (the shipped CC BY 4.0 sample, workers standing in its lower part), the
frame's readings as vision's worker puts them on the bus, and the rule engine with crane-1's 安拆 window
open or closed (the rule's edges: tests/rules/test_install_zone.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.config import LoadedSite
from contract.config.camera import ZoneConfig
from rules import RuleEngine, RuleResult
from sitegw.cameras import patrol_findings
from tests.rules.sites import PROJECT, sample
from tests.rules.test_install_zone import CREW_IN, T0, ZONE, zone_site
from tests.vision.conftest import load
from vision.detectors.person import PersonDetector
from vision.pipeline import CameraAnalyzer
from vision.sources import Frame
from vision.worker import FrameSummary

GROUND = ((0.0, 0.625), (1.0, 0.625), (1.0, 1.0), (0.0, 1.0))  # where the photo's workers stand
SKY = ((0.0, 0.0), (1.0, 0.0), (1.0, 0.09), (0.0, 0.09))  # above the buildings: nobody


@pytest.fixture(scope="module")
def persons() -> PersonDetector:
    return PersonDetector()


def watched(site: LoadedSite, persons: PersonDetector, stage: float) -> tuple[list[RuleResult], list[str]]:
    """Three frames of the photo through the camera's analysis into the engine, crane-1's window at
    ``stage`` (0: closed): the crane.install exclusion verdicts, and the vision events the frames raised."""
    assert site.config.vision is not None
    analyzer = CameraAnalyzer(site.config.vision.cameras[0], None, persons)
    engine = RuleEngine(site)
    img, _ = load("000702.jpg")
    out: list[RuleResult] = []
    events: list[str] = []
    batches = [*CREW_IN, sample("crane-1", T0 + 60, install_active=stage)]
    for t in range(3):
        res, found = analyzer.analyse(Frame(T0 + 61 + t, img, str(t), True))
        events += [e.rule for e in found]
        batches.append(FrameSummary.of(res).readings(PROJECT))
    for batch in batches:
        out += [r for r in engine.process(batch) if r.point == "exclusion"]
    return out, events


def test_workers_in_the_zone_while_the_crane_is_erected_are_an_alarm(
    tmp_path: Path, persons: PersonDetector
) -> None:
    found, events = watched(zone_site(tmp_path, polygon=GROUND), persons, 1.0)
    assert [r.level for r in found] == [None, "alarm", "alarm", "alarm"]  # empty as it opened, then seen
    assert all(r.rule == "crane.install" for r in found)
    assert "1号塔吊安装警戒区（摄像头 cam-crane「塔吊安拆警戒区」）内发现" in found[1].message
    assert "vision.zone_intrusion" not in events  # no standing 禁入区: the window makes it one


def test_workers_in_the_zone_with_no_window_open_are_no_alert(
    tmp_path: Path, persons: PersonDetector
) -> None:
    found, events = watched(zone_site(tmp_path, polygon=GROUND), persons, 0.0)
    assert found == [] and events == []


def test_nobody_in_the_zone_while_the_window_is_open_is_no_alert(
    tmp_path: Path, persons: PersonDetector
) -> None:
    found, _ = watched(zone_site(tmp_path, polygon=SKY), persons, 1.0)
    assert [r.level for r in found] == [None]
    assert "1号塔吊安装警戒区（摄像头 cam-crane「塔吊安拆警戒区」）内无人" in found[0].message


def test_the_patrol_picture_names_only_standing_zones_not_the_exclusion_zone_as_empty(
    tmp_path: Path, persons: PersonDetector
) -> None:
    # the workers stand in the 警戒区 and in a standing 禁入区 drawn over the same ground: the regulator's
    # patrol wall shows the 禁入区 with people in it, and no "禁入区 塔吊安拆警戒区：无人" (vision judges nobody there)
    site = zone_site(tmp_path, polygon=GROUND)
    assert site.config.vision is not None
    zoned = site.config.vision.cameras[0]
    camera = zoned.model_copy(
        update={"zones": [*zoned.zones, ZoneConfig(name="塔吊回转半径", polygon=list(GROUND), inertia=1)]}
    )
    img, _ = load("000702.jpg")
    res, _ = CameraAnalyzer(camera, None, persons).analyse(Frame(T0, img, "0", True))
    findings = patrol_findings(camera, FrameSummary.of(res))
    assert findings.zones == {"塔吊回转半径": True} and ZONE not in findings.zones
    assert findings.persons >= 2
