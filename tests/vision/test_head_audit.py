"""The audit of heads the train labels omit (training/split/train_unlabelled_heads.txt): the file reads
as the training truth needs it, names its own bad lines, adds no head twice, and its contact sheets show
every box looked at.

The checks against the labels read the hard-hat data beside the checkout and skip where it is absent."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.vision.conftest import SAMPLE, load
from tests.vision.test_helmet_stage2 import DATA, needs_data
from training import split
from training.contact_sheets import contact_sheets
from vision.detectors.centernet import max_iou


def test_the_train_audit_lists_helmets_and_bare_heads_of_train_images_only() -> None:
    audited = split.train_unlabelled_heads()
    rows = np.concatenate(list(audited.values()))
    assert set(audited) <= set(split.load("train"))  # val and test stay as published
    # 112 hard hats and 76 bare heads were kept (its header); one bare head left with its photo (removed.txt)
    assert np.bincount(rows[:, 4].astype(int)).tolist() == [112, 76 - 1]
    assert (rows[:, 2] > rows[:, 0]).all() and (rows[:, 3] > rows[:, 1]).all()
    # the val audit, in the same format without a class column, still reads as bare heads
    assert (np.concatenate(list(split.val_unlabelled_bare_heads().values()))[:, 4] == 1).all()


@needs_data
def test_an_audited_head_is_one_the_labels_omit_and_the_truth_gains_it() -> None:
    audited = split.train_unlabelled_heads()
    for i, rows in audited.items():
        img = cv2.imread(str(split.image_path(DATA, i)))
        h, w = img.shape[:2]
        published = split.truth(DATA, i, w, h)
        assert (max_iou(rows, published)[0] < 0.3).all(), i  # not a labelled head again
        assert (rows[:, :2] >= -1).all() and (rows[:, 2] <= w + 1).all() and (rows[:, 3] <= h + 1).all()
        for k in range(len(rows)):  # one line per head
            assert (max_iou(rows[k : k + 1], np.delete(rows, k, 0))[0] < 0.5).all(), (i, rows[k])
        assert len(split.truth(DATA, i, w, h, audited)) == len(published) + len(rows)


def test_a_bad_audit_line_is_an_error_naming_the_file_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(split, "SPLIT_DIR", tmp_path)
    for bad in ("cap/b.jpg 1 2 3 4 hat", "cap/b.jpg 1 2 three 4 helmet", "cap/b.jpg 1 2 3"):
        (tmp_path / "audit.txt").write_text(f"# header\ncap/a.jpg 1 2 3 4 helmet\n{bad}\n")
        with pytest.raises(ValueError, match=r"audit.txt:3: expected `image_id x1 y1 x2 y2 \[helmet"):
            split.audited_heads("audit.txt")


def test_contact_sheets_show_every_box_with_its_line_in_the_template(tmp_path: Path) -> None:
    names = sorted(p.name for p in (SAMPLE / "images").iterdir())[:2]
    sample = [(f"cap/{n}", SAMPLE / "images" / n, head) for n in names for head in load(n)[1]]
    contact_sheets(sample, tmp_path, margin=0.7, grid=(3, 2))
    sheets = sorted(tmp_path.glob("sheet_*.png"))
    assert len(sheets) == -(-len(sample) // 6)
    assert cv2.imread(str(sheets[0])).shape == (2 * 200, 3 * 200, 3)
    lines = (tmp_path / "audit_template.txt").read_text().splitlines()
    assert [line.split()[0] for line in lines] == [s[0] for s in sample]
    assert all(line.endswith(" ?") for line in lines)
    first = np.array([float(v) for v in lines[0].split()[1:5]])
    assert np.allclose(first, sample[0][2][:4], atol=0.05)
