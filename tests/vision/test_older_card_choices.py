"""A site file written before round 17, when a camera chose between two hard-hat cards, on today's gateway.

What an installer checks after an upgrade: such a file still loads; a camera at `helmet_model: far_field` or
`auto` runs the one card every camera runs (the vision section's model, else the shipped one); check-config says
which lines can go; and a misspelt value is an error at its line that lists the values there are.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.config import ConfigError, load_site
from tests.config.test_check_config import SITE, run_cli, write_site
from vision.model_files import DEFAULT_MODEL
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


@pytest.mark.parametrize("choice", ["far_field", "auto"])
def test_a_camera_of_an_older_site_file_runs_the_one_card(tmp_path: Path, choice: str) -> None:
    own = tmp_path / "own_helmet.onnx"  # a site's own model, named in the vision section
    vision = load_site(site_with(tmp_path, choice, own)).config.vision
    assert vision is not None
    assert helmet_model(vision) == str(own)  # every camera's worker loads it, whatever the camera chose


def test_a_site_without_a_model_runs_the_shipped_card(tmp_path: Path) -> None:
    site = SITE + "vision:\n  cameras:\n    - {name: cam-gate, source: rtsp://192.168.1.65/1}\n"
    vision = load_site(write_site(tmp_path, site)).config.vision
    assert vision is not None
    assert helmet_model(vision) == str(DEFAULT_MODEL)


def test_a_misspelt_model_choice_is_named_at_its_line_with_the_choices(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        load_site(site_with(tmp_path, "far"))
    (issue,) = exc.value.issues
    assert issue.path == "vision.cameras[0].helmet_model"
    assert issue.line == SITE.count("\n") + 6
    assert "'auto'" in str(issue) and "'default'" in str(issue) and "'far_field'" in str(issue)


@pytest.mark.parametrize("choice", ["far_field", "auto"])
def test_check_config_says_an_older_card_choice_can_go(tmp_path: Path, choice: str) -> None:
    site = site_with(tmp_path, choice)
    site.write_text(
        site.read_text().replace(
            f"helmet_model: {choice}\n", f"helmet_model: {choice}\n      helmet_auto_s: 60\n"
        )
    )
    result = run_cli("check-config", str(site))
    said = " ".join(result.stdout.split())  # the console wraps long lines
    assert result.returncode == 0, result.stdout
    assert (
        f"hint camera cam-tower: helmet_model {choice} runs the same hard-hat card as the default since round "
        "17 (one card for every view): the line can go" in said
    ), result.stdout
    assert (
        "hint camera cam-tower: helmet_auto_s is read by nothing since round 17 (one hard-hat card): the line "
        "can go" in said
    ), result.stdout
    assert "cam-gate" not in said, result.stdout  # a camera written today is told nothing
