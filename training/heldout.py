"""The full vision evaluation (``make vision-eval``): both shipped hard-hat cards on the held-out test part of the
split, per data folder, the close-ups and the far-field photos pooled, and overall.

    .venv/bin/python -m training.heldout [--data ../shared/data/helmet] [--out .state/vision-eval.md]

Every test photo goes once per card through the path ``sitegw vision eval`` and the camera workers run
(vision.cli.judged: the analyser on each folder of files, boxes kept down to the evaluation floor), and is scored
in each group it belongs to; both cards see the same photos in the same order, so the far-field card's difference from the
default card has a paired bootstrap interval (1,000 resamples, seed 0), as ``sitegw vision eval --baseline``
gives it. The table goes to stdout and to ``--out`` (markdown). Two cards on 796 photos: 93 s on a 2-core
box. The data folder is ``--data``, else ``$SITEGW_HELMET_DATA``, else ``../shared/data/helmet``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from contract.config.camera import HELMET_TILE_PX
from training import split
from vision.cli import EVAL_FLOOR, judged
from vision.detectors.centernet import CLASSES
from vision.detectors.helmet import HelmetDetector, ModelCard
from vision.metrics import Evaluator, Spread, bootstrap_ap50
from vision.model_files import DEFAULT_MODEL, FAR_FIELD_MODEL

# the kinds of frame a site has, as the issues and docs/vision.md report them
POOLED = {"close-ups": ("cap", "sfchd"), "far-field": ("hhw", "hhwraw")}


def groups_of(folder: str) -> list[str]:
    """The groups a photo of ``folder`` is scored in: its folder, its kind of frame, all."""
    return [folder, *(g for g, members in POOLED.items() if folder in members), "all"]


def make_view(data: Path, ids: list[str], dest: Path) -> None:
    """``dest/FOLDER/images`` and ``dest/FOLDER/labels``: links to each photo of ``ids`` and its label file
    (split.link; a photo without a label file is a photo without heads, as ``sitegw vision eval`` reads it),
    after checking that every photo is there."""
    for i in ids:
        image = split.image_path(data, i)
        if not image.exists():
            raise FileNotFoundError(
                f"{image} (test photo {i} of training/split/test.txt) is missing from {data}"
            )
    split.link(data, ids, dest)


def scored(card: Path, view: Path) -> dict[str, Evaluator]:
    """The card on every photo of ``view`` (make_view), folder by folder in name order, each photo scored in
    its groups (groups_of)."""
    det = HelmetDetector(card, score_floor=EVAL_FLOOR, operating=False)
    out: dict[str, Evaluator] = {}
    for folder in sorted(p.name for p in view.iterdir()):
        for _, found, truth in judged(
            det, view / folder / "images", view / folder / "labels", HELMET_TILE_PX
        ):
            for g in groups_of(folder):
                out.setdefault(g, Evaluator(CLASSES)).add(found, truth)
    return out


def table(default: dict[str, Evaluator], far: dict[str, Evaluator], resamples: int = 1000) -> str:
    """Markdown rows per group: each card's AP50 per class, and the far-field card's mean minus the default's."""
    thresholds = [ModelCard.for_model(m).thresholds for m in (DEFAULT_MODEL, FAR_FIELD_MODEL)]
    lines = [
        "| photos | n | default card: helmet AP50 / no_helmet AP50 (no_helmet P / R) | far-field card: the same "
        "| far-field − default, mean AP50 [95 %] |",
        "|---|---|---|---|---|",
    ]
    order = [*split.SETS, *POOLED, "all"]
    for g in (g for g in order if g in default):
        cells, means = [], []
        for ev, thr in zip((default[g], far[g]), thresholds, strict=True):
            helmet, bare = ev.result(thr)
            cells.append(f"{helmet.ap50:.3f} / {bare.ap50:.3f} ({bare.precision:.2f} / {bare.recall:.2f})")
            means.append((helmet.ap50 + bare.ap50) / 2)
        # (resamples, card): the mean AP50 of the classes, far-field card first
        per = bootstrap_ap50([far[g], default[g]], resamples).mean(2)
        s = Spread.of(per[:, 0] - per[:, 1])
        lines.append(
            f"| {g} | {default[g].images} | {cells[0]} | {cells[1]} | "
            f"{means[1] - means[0]:+.3f} [{s.low:+.3f}, {s.high:+.3f}] |"
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
