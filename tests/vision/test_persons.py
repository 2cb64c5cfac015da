"""The person check (SSDLite-MobileNetV2 in onnxruntime), as a user of the danger-zone check would test it.

Photos are the shipped CC BY 4.0 demo sample (real site photos the project's networks never trained
on). Its labels are heads, so "a worker is found" means a labelled head lies inside a person box.
The measurement on 1,714 sfchd photos is in docs/vision.md (training.evaluate_persons).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from contract.config.camera import CameraConfig, ZoneConfig
from tests.vision.conftest import SAMPLE, load
from training.evaluate_persons import held, read_audit, wilson
from vision.detectors.person import PERSON_MODEL, SCORE_MIN, PersonDetector
from vision.pipeline import CameraAnalyzer
from vision.sources import Frame


@pytest.fixture(scope="module")
def persons() -> PersonDetector:
    return PersonDetector()


def test_workers_in_real_site_photos_are_found(persons: PersonDetector) -> None:
    n_heads = inside = 0
    for path in sorted((SAMPLE / "images").iterdir()):
        img, heads = load(path.name)
        found = persons.detect(img)
        assert all(d.label == "person" and SCORE_MIN <= d.score <= 1 for d in found)
        boxes = np.array([d.box for d in found]).reshape(-1, 4)
        assert (boxes[:, [0, 2]] >= 0).all() and (boxes[:, [0, 2]] <= img.shape[1]).all()
        n_heads += len(heads)
        inside += int((held(heads, boxes).max(1, initial=0) >= 0.7).sum())
    # crowds merge into fewer boxes, so not every head has its own; most workers must be covered
    assert inside >= 0.6 * n_heads, f"{inside} of {n_heads} labelled workers' heads inside a person box"


def test_a_view_without_people_gives_no_person(persons: PersonDetector) -> None:
    img, heads = load("000702.jpg")
    sky = img[: int(heads[:, 1].min()) - 20]  # the buildings above the highest head
    assert sky.shape[0] >= 150
    assert persons.detect(sky) == []


def test_a_worker_standing_in_a_danger_zone_is_an_intrusion(persons: PersonDetector) -> None:
    img, _ = load("000702.jpg")  # workers standing on the ground at the bottom half of the photo
    zone = ZoneConfig(name="pit-edge", polygon=[(0, 400), (640, 400), (640, 640), (0, 640)], inertia=2)
    cam = CameraConfig(
        name="c", source="x", helmet=False, motion_gate=False, drawn_on=(640, 640), zones=[zone]
    )
    an = CameraAnalyzer(cam, None, persons)
    events = [e for t in range(3) for e in an.analyse(Frame(float(t), img, str(t), True))[1]]
    assert [(e.rule, e.state) for e in events] == [("vision.zone_intrusion", "firing")]
    empty = CameraAnalyzer(
        cam.model_copy(
            update={"zones": [zone.model_copy(update={"polygon": [(0, 0), (640, 0), (640, 60), (0, 60)]})]}
        ),
        None,
        persons,
    )
    assert [e for t in range(3) for e in empty.analyse(Frame(float(t), img, str(t), True))[1]] == []


def test_missing_person_model_is_an_error_naming_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"persons\.onnx.*training\.person_model"):
        PersonDetector(tmp_path / PERSON_MODEL.name)
    bad = tmp_path / "bad.onnx"
    shutil.copy(SAMPLE / "images" / "000702.jpg", bad)
    with pytest.raises(ValueError, match=r"bad\.onnx is not a network"):
        PersonDetector(bad)


def test_audited_precision_interval_and_a_bad_verdict_named(tmp_path: Path) -> None:
    lo, hi = wilson(5, 10)  # the textbook Wilson interval of 5 in 10
    assert (round(lo, 3), round(hi, 3)) == (0.237, 0.763)
    assert wilson(0, 10)[0] == pytest.approx(0) and wilson(10, 10)[1] == pytest.approx(1)
    people, seen = read_audit()
    assert seen == 100 - 1 and 0 < people <= seen  # a sample of 100, one left with its photo (its header)
    bad = tmp_path / "audit.txt"
    bad.write_text("# header\n000002 38 33 123 321 person\n000004 421 30 506 270 maybe\n")
    with pytest.raises(ValueError, match=r"audit\.txt.*'person' or 'not'.*maybe"):
        read_audit(bad)
