"""How a label set boxes its helmets (training.label_convention) and the helmet labels grown to heads
(vision.labels.as_heads, `sitegw vision eval --helmet-label-height`), on label files written here: a set that
boxes heads (a helmet 40 high and 32 wide, a bare head 40 by 32) and one that boxes only the hat (a helmet 25
high, the same bare head): worked out by hand."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from training import split
from training.label_convention import aspects, factors, hat_ratio
from vision.labels import as_heads


def label_set(root: Path, folder: str, helmet_h: int) -> list[str]:
    """One 200x100 photo with a helmet of ``helmet_h`` px by 32 and a bare head of 40 by 32."""
    (root / folder / "images").mkdir(parents=True)
    (root / folder / "labels").mkdir()
    cv2.imwrite(str(root / folder / "images" / "a.jpg"), np.zeros((100, 200, 3), np.uint8))
    lines = [f"0 0.25 0.5 {32 / 200} {helmet_h / 100}", f"1 0.75 0.5 {32 / 200} {40 / 100}"]
    (root / folder / "labels" / "a.txt").write_text("\n".join(lines) + "\n")
    return [f"{folder}/a.jpg"]


def test_a_set_that_boxes_only_the_hat_has_flatter_helmets_than_bare_heads(tmp_path: Path) -> None:
    heads = aspects(tmp_path, label_set(tmp_path, "heads", 40))
    hats = aspects(tmp_path, label_set(tmp_path, "hats", 25))
    assert heads[0] == pytest.approx([40 / 32]) and heads[1] == pytest.approx([40 / 32])
    assert hats[0] == pytest.approx([25 / 32])
    assert hat_ratio(heads) == pytest.approx(1.0)
    assert hat_ratio(hats) == pytest.approx(40 / 25)  # the factor that grows its helmets to heads


def test_helmet_labels_grow_downwards_from_their_top_and_stay_in_the_image() -> None:
    truth = np.array([[10, 20, 42, 45, 0], [60, 20, 92, 60, 1], [100, 80, 132, 96, 0]], np.float32)
    grown = as_heads(truth, 1.6, height=100)
    assert grown[0].tolist() == pytest.approx([10, 20, 42, 60, 0])  # 25 high -> 40, the top kept
    assert grown[1].tolist() == truth[1].tolist()  # a bare head is a head already
    assert grown[2].tolist() == pytest.approx([100, 80, 132, 100, 0])  # 16 -> 25.6, cut at the image's edge
    assert truth[0, 3] == 45  # the caller's rows are not changed


def test_a_training_run_names_each_folder_and_its_factor_and_a_bad_pair_says_the_form() -> None:
    assert factors(["cap=1.53", "sfchd=1.38"]) == {"cap": 1.53, "sfchd": 1.38}
    for bad in ("cap", "cap=x", "cap=2.5", "nope=1.5"):
        with pytest.raises(ValueError, match="expected FOLDER=K"):
            factors([bad])


def test_the_training_truth_grows_only_the_named_folders_helmets(tmp_path: Path) -> None:
    [hats] = label_set(tmp_path, "cap", 25)
    [heads] = label_set(tmp_path, "hhw", 40)
    plain, grown = (
        split.truth(tmp_path, hats, 200, 100),
        split.truth(tmp_path, hats, 200, 100, helmet_heights={"cap": 1.6}),
    )
    assert grown[0, 3] - grown[0, 1] == pytest.approx(40) and grown[0, 1] == plain[0, 1]  # the hat, grown
    assert np.array_equal(grown[1], plain[1])  # the bare head
    other = split.truth(tmp_path, heads, 200, 100, helmet_heights={"cap": 1.6})
    assert np.array_equal(other, split.truth(tmp_path, heads, 200, 100))  # a folder not named
