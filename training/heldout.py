"""The full vision evaluation (``make vision-eval``): the shipped hard-hat card on the held-out test part of the
split, per data folder, the close-ups and the far-field photos pooled, and overall.

    .venv/bin/python -m training.heldout [--data ../shared/data/helmet] [--out .state/vision-eval.md]

Every test photo goes once through the path ``sitegw vision eval`` and the camera workers run (vision.cli.judged:
the analyser on each folder of files, boxes kept down to the evaluation floor), and is scored in each group it
belongs to, with its interval over 1,000 resamples of the photos (seed 0), as ``sitegw vision eval --bootstrap``
gives it. The card boxes a head, hard hat or not (round 17): the folders whose helmet labels box only the hat
(cap, sfchd) are read with them grown to heads (training.label_convention.HAT_TO_HEAD), as every read since
round 16. The table goes to stdout and to ``--out`` (markdown). The data folder is ``--data``, else
``$SITEGW_HELMET_DATA``, else ``../shared/data/helmet``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from contract.config.camera import HELMET_TILE_PX
from training import split
from training.label_convention import HAT_TO_HEAD
from vision.cli import EVAL_FLOOR, judged
from vision.detectors.centernet import CLASSES
from vision.detectors.helmet import HelmetDetector, ModelCard
from vision.metrics import Evaluator, Spread, bootstrap_ap50
from vision.model_files import DEFAULT_MODEL

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
    its groups (groups_of), the helmet labels of HAT_TO_HEAD's folders grown to heads."""
    det = HelmetDetector(card, score_floor=EVAL_FLOOR, operating=False)
    out: dict[str, Evaluator] = {}
    for folder in sorted(p.name for p in view.iterdir()):
        for _, found, truth in judged(
            det,
            view / folder / "images",
            view / folder / "labels",
            HELMET_TILE_PX,
            HAT_TO_HEAD.get(folder, 1.0),
        ):
            for g in groups_of(folder):
                out.setdefault(g, Evaluator(CLASSES)).add(found, truth)
    return out


def table(card: Path, evs: dict[str, Evaluator], resamples: int = 1000) -> str:
    """Markdown rows per group: the card's AP50 per class, the bare heads' precision and recall at its
    thresholds, and the mean AP50 with its interval."""
    thresholds = ModelCard.for_model(card).thresholds
    lines = [
        "| photos | n | helmet AP50 / no_helmet AP50 | no_helmet P / R | mean AP50 [95 %] |",
        "|---|---|---|---|---|",
    ]
    order = [*split.SETS, *POOLED, "all"]
    for g in (g for g in order if g in evs):
        helmet, bare = evs[g].result(thresholds)
        s = Spread.of(bootstrap_ap50([evs[g]], resamples)[:, 0].mean(1))
        lines.append(
            f"| {g} | {evs[g].images} | {helmet.ap50:.3f} / {bare.ap50:.3f} | {bare.precision:.2f} / "
            f"{bare.recall:.2f} | {(helmet.ap50 + bare.ap50) / 2:.3f} [{s.low:.3f}, {s.high:.3f}] |"
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
        evs = scored(DEFAULT_MODEL, view)
    heads = ", ".join(f"{f} x {k}" for f, k in HAT_TO_HEAD.items())
    text = (
        f"Held-out test part ({len(ids)} photos), `sitegw vision eval`'s path with {DEFAULT_MODEL.name}, heads "
        f"proposed in tiles of {HELMET_TILE_PX} px, IoU >= 0.5, helmet labels grown to heads ({heads}); P / R "
        "at the card's thresholds.\n\n" + table(DEFAULT_MODEL, evs)
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text, end="")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
