"""The full vision evaluation (``make vision-eval``, training/heldout.py) as its reader relies on it: each photo
scored in its folder, its kind of frame and overall, and the figures the ones ``sitegw vision eval`` prints
for the same photos (the shipped CC BY sample laid out as a data folder of two sets)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.vision.conftest import SAMPLE
from training.heldout import groups_of, make_view, scored, table
from training.label_convention import HAT_TO_HEAD
from vision.cli import evaluate
from vision.model_files import DEFAULT_MODEL

app = typer.Typer()
app.command("eval")(evaluate)
app.command("unused")(lambda: None)  # two commands: `eval` is then named on the command line, as sitegw's


def data_folder(root: Path) -> list[str]:
    """The sample as a data folder: the cap photos under cap/, the Hard Hat Workers frames under hhw/; their ids."""
    ids = []
    for image in sorted((SAMPLE / "images").iterdir()):
        folder = "hhw" if image.name.startswith("hard_hat_workers") else "cap"
        for sub in ("images", "labels"):
            (root / folder / sub).mkdir(parents=True, exist_ok=True)
        shutil.copy(image, root / folder / "images" / image.name)
        label = SAMPLE / "labels" / f"{image.stem}.txt"
        if label.exists():
            shutil.copy(label, root / folder / "labels" / label.name)
        ids.append(f"{folder}/{image.name}")
    return ids


def test_each_photo_counts_in_its_folder_its_kind_of_frame_and_overall() -> None:
    assert groups_of("cap") == ["cap", "close-ups", "all"]
    assert groups_of("sfchd") == ["sfchd", "close-ups", "all"]
    assert groups_of("hhwraw") == ["hhwraw", "far-field", "all"]


def test_the_figures_are_those_sitegw_vision_eval_prints_for_the_same_photos(tmp_path: Path) -> None:
    ids = data_folder(tmp_path / "data")
    make_view(tmp_path / "data", ids, tmp_path / "view")
    evs = scored(DEFAULT_MODEL, tmp_path / "view")
    assert {g: e.images for g, e in evs.items()} == {
        "cap": 6,
        "close-ups": 6,
        "hhw": 2,
        "far-field": 2,
        "all": 8,
    }
    text = table(DEFAULT_MODEL, evs, resamples=100)
    assert [ln.split(" | ")[0] for ln in text.splitlines()[2:]] == [
        "| cap",
        "| hhw",
        "| close-ups",
        "| far-field",
        "| all",
    ]
    # the cap photos through the command a user runs, its helmet labels grown to heads as the table reads
    # them: the same AP50 per class
    r = CliRunner().invoke(
        app,
        [
            "eval",
            "--images",
            str(tmp_path / "data" / "cap" / "images"),
            "--labels",
            str(tmp_path / "data" / "cap" / "labels"),
            "--helmet-label-height",
            str(HAT_TO_HEAD["cap"]),
            "--bootstrap",
            "0",
        ],
    )
    assert r.exit_code == 0, r.output
    printed = {
        ln.split()[0]: float(ln.split()[5])
        for ln in r.output.splitlines()
        if ln.split()[:1] in (["helmet"], ["no_helmet"])
    }
    ours = {x.label: round(x.ap50, 3) for x in evs["cap"].result({})}
    assert printed == pytest.approx(ours, abs=0.0005), (printed, ours)


def test_a_test_photo_missing_from_the_data_folder_is_named(tmp_path: Path) -> None:
    ids = data_folder(tmp_path / "data")
    (tmp_path / "data" / "cap" / "images" / "000702.jpg").unlink()
    with pytest.raises(FileNotFoundError, match=r"test photo cap/000702\.jpg of training/split/test\.txt"):
        make_view(tmp_path / "data", ids, tmp_path / "view")
