"""The full vision evaluation (``make vision-eval``): both shipped hard-hat cards on the held-out test part of the
split, per data folder, the close-ups and the far-field photos pooled, and overall.

    .venv/bin/python -m training.heldout [--data ../shared/data/helmet] [--out .state/vision-eval.md]

Every test photo goes once per card through the path ``sitegw vision eval`` and the camera workers run
(vision.cli.analysed on a folder of files, boxes kept down to the evaluation floor), and is scored in each group
it belongs to; both cards see the same photos in the same order, so the far-field card's difference from the
default card has a paired bootstrap interval (1,000 resamples, seed 0), as ``sitegw vision eval --baseline``
gives it. The table goes to stdout and to ``--out`` (markdown). Two cards on 796 photos: 93 s on a 2-core
box. The data folder is ``--data``, else ``$SITEGW_HELMET_DATA``, else ``../shared/data/helmet``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np

from contract.config.camera import HELMET_TILE_PX
from training import split
from vision.cli import EVAL_FLOOR, analysed, detect_camera, rows
from vision.detectors.centernet import CLASSES
from vision.detectors.helmet import HelmetDetector
from vision.labels import read_yolo
from vision.metrics import Evaluator, Spread, bootstrap_ap50
from vision.model_files import DEFAULT_MODEL, FAR_FIELD_MODEL

# the kinds of frame a site has, as the issues and docs/vision.md report them
POOLED = {"close-ups": ("cap", "sfchd"), "far-field": ("hhw", "hhwraw")}
SEP = "__"  # a photo's name in the view: FOLDER__FILE (two folders may hold the same file name)


def groups_of(folder: str) -> list[str]:
    """The groups a photo of ``folder`` is scored in: its folder, its kind of frame, all."""
    return [folder, *(g for g, members in POOLED.items() if folder in members), "all"]


def make_view(data: Path, ids: list[str], dest: Path) -> None:
    """``dest/images`` and ``dest/labels``: links to each photo of ``ids`` and its label file, named
    FOLDER__FILE (a photo without a label file is a photo without heads, as ``sitegw vision eval`` reads it)."""
    (dest / "images").mkdir(parents=True)
    (dest / "labels").mkdir()
    for i in ids:
        folder, name = i.split("/", 1)
        image = split.image_path(data, i)
        if not image.exists():
            raise FileNotFoundError(
                f"{image} (test photo {i} of training/split/test.txt) is missing from {data}"
            )
        (dest / "images" / f"{folder}{SEP}{name}").symlink_to(image.resolve())
        label = split.label_path(data, i)
        if label.exists():
            (dest / "labels" / f"{folder}{SEP}{label.name}").symlink_to(label.resolve())


def scored(card: Path, view: Path) -> dict[str, Evaluator]:
    """The card on every photo of ``view``, each scored in its groups (groups_of)."""
    det = HelmetDetector(card, score_floor=EVAL_FLOOR, operating=False)
    out: dict[str, Evaluator] = {}
    for frame, res in analysed(detect_camera(view / "images", 1.0, False, HELMET_TILE_PX), det, None):
        h, w = frame.image.shape[:2]
        truth = read_yolo(view / "labels" / (Path(frame.name).stem + ".txt"), w, h)
        for g in groups_of(frame.name.split(SEP, 1)[0]):
            out.setdefault(g, Evaluator(CLASSES)).add(rows(res.detections), truth)
    return out


def table(default: dict[str, Evaluator], far: dict[str, Evaluator], resamples: int = 1000) -> str:
    """Markdown rows per group: each card's AP50 per class, and the far-field card's mean minus the default's."""
    thresholds = [HelmetDetector(m).card.thresholds for m in (DEFAULT_MODEL, FAR_FIELD_MODEL)]
    lines = [
        "| photos | n | default card: helmet AP50 / no_helmet AP50 (no_helmet P / R) | far-field card: the same "
        "| far-field − default, mean AP50 [95 %] |",
        "|---|---|---|---|---|",
    ]
    order = [*split.SETS, *POOLED, "all"]
    for g in (g for g in order if g in default):
        cells = []
        for ev, thr in zip((default[g], far[g]), thresholds, strict=True):
            helmet, bare = ev.result(thr)
            cells.append(f"{helmet.ap50:.3f} / {bare.ap50:.3f} ({bare.precision:.2f} / {bare.recall:.2f})")
        per = bootstrap_ap50([far[g], default[g]], resamples).mean(
            2
        )  # (resamples, card): mean of the classes
        diff = per[:, 0] - per[:, 1]
        means = [np.mean([r.ap50 for r in ev.result({})]) for ev in (far[g], default[g])]
        s = Spread.of(diff)
        lines.append(
            f"| {g} | {default[g].images} | {cells[0]} | {cells[1]} | "
            f"{means[0] - means[1]:+.3f} [{s.low:+.3f}, {s.high:+.3f}] |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Command line entry: the evaluation, printed and written."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("SITEGW_HELMET_DATA") or "../shared/data/helmet"),
        help="the hard-hat data folder (cap/, hhw/, hhwraw/, sfchd/, each with images/ and labels/)",
    )
    ap.add_argument("--out", type=Path, default=Path(".state/vision-eval.md"), help="the table, as markdown")
    args = ap.parse_args()
    if not (args.data / "cap").is_dir():
        ap.error(f"--data {args.data}: no hard-hat data there (set --data or SITEGW_HELMET_DATA)")
    ids = split.load("test")
    with tempfile.TemporaryDirectory() as tmp:
        view = Path(tmp)
        make_view(args.data, ids, view)
        default, far = scored(DEFAULT_MODEL, view), scored(FAR_FIELD_MODEL, view)
    text = (
        f"Held-out test part ({len(ids)} photos), `sitegw vision eval`'s path, heads proposed in tiles of "
        f"{HELMET_TILE_PX} px, IoU >= 0.5; P / R at each card's thresholds.\n\n" + table(default, far)
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text, end="")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
