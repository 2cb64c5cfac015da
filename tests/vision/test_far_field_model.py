"""A camera's hard-hat model: the default card, or the far-field card a site file written before round 17 may name.

What an installer checks: the site file's `helmet_model: far_field` makes that camera's worker load the
shipped far-field card (its detector, its own classifier beside it, its thresholds: since round 17 the same
networks and thresholds as the default card), the others keep the vision section's model, check-config says the
line can go, and a misspelt value is an error at its line that lists the values there are.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.config import ConfigError, load_site
from tests.config.test_check_config import SITE, run_cli, write_site
from vision.detectors.helmet import HelmetDetector, ModelCard
from vision.model_files import DEFAULT_MODEL, FAR_FIELD_MODEL
from vision.worker import helmet_model

CAMERAS = """\
vision:
  model: {model}
  cameras:
    - name: cam-tower
      source: rtsp://192.168.1.64:554/Streaming/Channels/101
      helmet_model: {choice}
    - name: cam-gate
      source: rtsp://192.168.1.65:554/Streaming/Channels/101
"""


def site_with(tmp_path: Path, choice: str, model: Path = DEFAULT_MODEL) -> Path:
    return write_site(tmp_path, SITE + CAMERAS.format(choice=choice, model=model))


def test_a_far_field_camera_runs_the_far_field_card_and_the_others_the_vision_model(tmp_path: Path) -> None:
    own = tmp_path / "own_helmet.onnx"  # a site's own model, named in the vision section
    vision = load_site(site_with(tmp_path, "far_field", own)).config.vision
    assert vision is not None
    tower, gate = vision.cameras
    assert helmet_model(tower, vision) == str(FAR_FIELD_MODEL)
    assert helmet_model(gate, vision) == str(own)
    # what the far-field worker then loads: the card beside the file, its own classifier, not the default's
    det = HelmetDetector(Path(helmet_model(tower, vision)))
    assert det.card == ModelCard.for_model(FAR_FIELD_MODEL) != ModelCard.for_model(DEFAULT_MODEL)
    assert det.card.classifier.model == "helmet_site_cls.onnx"


def test_a_camera_left_unset_runs_the_shipped_card(tmp_path: Path) -> None:
    site = SITE + "vision:\n  cameras:\n    - {name: cam-gate, source: rtsp://192.168.1.65/1}\n"
    vision = load_site(write_site(tmp_path, site)).config.vision
    assert vision is not None
    assert vision.cameras[0].helmet_model == "default"  # auto is a choice (tests/vision/test_auto_card.py)
    assert helmet_model(vision.cameras[0], vision) == str(DEFAULT_MODEL)


def test_a_misspelt_model_choice_is_named_at_its_line_with_the_choices(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        load_site(site_with(tmp_path, "far"))
    (issue,) = exc.value.issues
    assert issue.path == "vision.cameras[0].helmet_model"
    assert issue.line == SITE.count("\n") + 6
    assert "'auto'" in str(issue) and "'default'" in str(issue) and "'far_field'" in str(issue)


@pytest.mark.parametrize("choice", ["far_field", "auto"])
def test_check_config_says_a_far_field_or_auto_line_runs_the_default_card(
    tmp_path: Path, choice: str
) -> None:
    result = run_cli("check-config", str(site_with(tmp_path, choice)))
    said = " ".join(result.stdout.split())  # the console wraps long lines
    assert result.returncode == 0 and said.count("helmet_model") == 1, result.stdout
    assert (
        f"hint camera cam-tower: helmet_model {choice} runs the same hard-hat card as the default since round "
        "17 (one card for every view): the line can go" in said
    ), result.stdout
    # the networks and thresholds are the default card's: only the classifier's file name differs
    far, default = ModelCard.for_model(FAR_FIELD_MODEL), ModelCard.for_model(DEFAULT_MODEL)
    assert far.thresholds == default.thresholds and far.size == default.size
    assert FAR_FIELD_MODEL.read_bytes() == DEFAULT_MODEL.read_bytes()
    assert (FAR_FIELD_MODEL.parent / far.classifier.model).read_bytes() == (
        DEFAULT_MODEL.parent / default.classifier.model
    ).read_bytes()
