"""The bare-head threshold by view, on val only (issue #54, round 18).

Round 17's card calls bare heads at one threshold chosen on val pooled, where 914 of 1073 photos are far-field
(hhwraw): on test the close-ups' bare heads came out at precision 0.55-0.60 where the card before held 0.74-0.79
(training/rounds/round17.md, section 2). This asks, on val alone, whether a second no_helmet threshold for heads
that are large in the detector's view (``head_px``: the head's height scaled as the whole frame is to the
card's input, the measure round 13's ``auto`` chooser used) holds precision 0.80 on close-ups without costing the
far-field folders their recall.

Both networks run once per val photo (``training.evaluate.stages``, the card's own proposer at the camera's
default tiles, cap's and sfchd's helmet labels grown to heads, the val audit of unlabelled bare heads added); the
result is kept in ``--cache`` so the analysis can be read again without the networks. Nothing here reads test.

Run: ``python -m training.view_thresholds [--cache training/runs/view_thresholds_val.npz]``
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image

from contract.config.camera import HELMET_TILE_PX
from training import split
from training.evaluate import PRECISION_GOAL, stages
from training.heldout import POOLED
from training.label_convention import HAT_TO_HEAD
from vision.detectors.centernet import CLASSES, iou_one_to_many
from vision.detectors.helmet import NOT_HEAD, HelmetDetector, ModelCard, combine
from vision.metrics import Evaluator, match
from vision.model_files import DEFAULT_MODEL

NO_HELMET = CLASSES.index("no_helmet")
CLOSE_UPS, FAR_FIELD = POOLED["close-ups"], POOLED["far-field"]


def compute(model: Path, data: Path, tile_px: int) -> dict[str, np.ndarray]:
    """Every val photo through both networks: the proposals, the classifier's probabilities, the truth and
    the photo's size (any mixing of the two scores is made from them later)."""
    det = HelmetDetector(model, score_floor=0.0)
    ids = split.load("val")
    items = stages(det, data, ids, split.val_unlabelled_bare_heads(), tile_px, HAT_TO_HEAD)
    sizes = [Image.open(split.image_path(data, i)).size for i in ids]  # the header: stages decoded each
    return {
        "ids": np.array(ids),
        "cands": np.array([c for c, _, _ in items], dtype=object),
        "probs": np.array([p for _, p, _ in items], dtype=object),
        "truths": np.array([t for _, _, t in items], dtype=object),
        "sizes": np.array(sizes),
        "input": np.array(det.card.size),
    }


def head_px(rows: np.ndarray, width: int, height: int, size: int) -> np.ndarray:
    """Each row's head height in the detector's view of the whole frame (the card's input over the longer side)."""
    return (rows[:, 3] - rows[:, 1]) * size / max(width, height)


class View(NamedTuple):
    """How bare heads are called: the detector's weight in their score (det_power) and the threshold."""

    det_power: float
    threshold: float
    det_floor: float = 0.0  # a bare head whose proposal the detector scored under this is not called


def called(
    cached: dict[str, np.ndarray], index: int, far: View, near: View, cut: float
) -> tuple[np.ndarray, np.ndarray]:
    """Photo ``index``'s bare heads called (rows) and its labelled bare heads: a head under ``cut`` px in the
    detector's view is called as ``far`` says, from it as ``near`` says."""
    cands, probs, truth = cached["cands"][index], cached["probs"][index], cached["truths"][index]
    w, h = (int(v) for v in cached["sizes"][index])
    size = int(cached["input"])
    out = []
    for view, is_near in ((far, False), (near, True)):
        kept = cands[:, 4] >= view.det_floor
        rows = combine(cands[kept], probs[kept], view.det_power)
        rows = rows[(rows[:, 5] == NO_HELMET) & (rows[:, 4] >= view.threshold)]
        out.append(rows[(head_px(rows, w, h, size) >= cut) == is_near])
    rows = np.concatenate(out)
    return rows[np.argsort(-rows[:, 4], kind="stable")], truth[truth[:, 4] == NO_HELMET]


def operating(
    cached: dict[str, np.ndarray], keep: Iterable[str], far: View, near: View, cut: float
) -> tuple[int, int, int]:
    """(bare heads called, of them true, bare heads labelled) over the photos of folders ``keep``. Matched per
    photo after the thresholds, as the product's boxes are."""
    folders = set(keep)
    n_called = hits = labelled = 0
    for index, image_id in enumerate(cached["ids"]):
        if str(image_id).split("/")[0] in folders:
            rows, truth = called(cached, index, far, near, cut)
            n_called += len(rows)
            hits += int(match(rows, truth).sum())
            labelled += len(truth)
    return n_called, hits, labelled


def bare_heads(
    cached: dict[str, np.ndarray], det_power: float, keep: Iterable[str], det_floor: float = 0.0
) -> Evaluator:
    """The bare heads of the photos of folders ``keep``, scored with ``det_power``, every score kept (of the
    proposals the detector scored at ``det_floor`` or more)."""
    folders = set(keep)
    ev = Evaluator(CLASSES)
    for index, image_id in enumerate(cached["ids"]):
        if str(image_id).split("/")[0] in folders:
            cands, probs = cached["cands"][index], cached["probs"][index]
            kept = cands[:, 4] >= det_floor
            rows = combine(cands[kept], probs[kept], det_power)
            ev.add(rows[rows[:, 5] == NO_HELMET], cached["truths"][index])
    return ev


def false_ones(cached: dict[str, np.ndarray], keep: Iterable[str], view: View) -> str:
    """Medians of the bare heads called at ``view`` over folders ``keep``, true against false: the detector's
    score of the proposal, the classifier's bare and not-a-head probabilities, the box's height (px), and the
    share of the false ones on no labelled head (IoU < 0.3 with every label). Read on the proposals' own boxes,
    before the classifier's box refinement and its NMS."""
    folders = set(keep)
    true: list[tuple[float, ...]] = []
    false: list[tuple[float, ...]] = []
    for index, image_id in enumerate(cached["ids"]):
        cands, probs, truth = cached["cands"][index], cached["probs"][index], cached["truths"][index]
        if str(image_id).split("/")[0] not in folders or not len(cands):
            continue
        bare = probs[:, :NOT_HEAD].argmax(1) == NO_HELMET
        score = probs[:, NO_HELMET] * cands[:, 4] ** view.det_power
        pick = np.nonzero(bare & (score >= view.threshold))[0]
        pick = pick[np.argsort(-score[pick], kind="stable")]
        rows = np.concatenate([cands[pick, :4], score[pick, None], np.full((len(pick), 1), NO_HELMET)], 1)
        hits = match(rows, truth[truth[:, 4] == NO_HELMET])
        for k, j in enumerate(pick):
            on_label = len(truth) and iou_one_to_many(cands[j, :4], truth[:, :4]).max() >= 0.3
            h = cands[j, 3] - cands[j, 1]
            (true if hits[k] else false).append(
                (cands[j, 4], probs[j, NO_HELMET], probs[j, NOT_HEAD], h, on_label)
            )
    t, f = np.array(true).reshape(-1, 5), np.array(false).reshape(-1, 5)
    med = [f"{np.median(t[:, c]):.2f} / {np.median(f[:, c]):.2f}" for c in range(4)]
    return (
        f"{len(t)} true / {len(f)} false: detector score {med[0]}, p(bare) {med[1]}, p(not a head) {med[2]}, "
        f"height {med[3]} px; false ones on no labelled head {1 - f[:, 4].mean():.2f}"
    )


def line(name: str, counts: tuple[int, int, int]) -> str:
    """One folder's precision and recall at an operating point."""
    called, hits, labelled = counts
    return (
        f"{name:>10}: called {called:4d}, precision {hits / max(called, 1):.3f}, "
        f"recall {hits / max(labelled, 1):.3f} of {labelled}"
    )


def main() -> None:
    """Command line entry of the study."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="the card's detector ONNX")
    ap.add_argument("--data", type=Path, default=Path("../shared/data/helmet"))
    ap.add_argument("--cache", type=Path, default=Path("training/runs/view_thresholds_val.npz"))
    ap.add_argument("--tile-px", type=int, default=HELMET_TILE_PX)
    ap.add_argument("--cuts", default="60,100,160", help="head heights (px in the detector's view)")
    ap.add_argument(
        "--powers", default="0.25,0.5,0.75,1,1.5,2", help="det_power values to try for bare heads"
    )
    args = ap.parse_args()
    if not args.cache.exists():
        args.cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(args.cache, **compute(args.model, args.data, args.tile_px))  # type: ignore[arg-type]
    cached = dict(np.load(args.cache, allow_pickle=True))
    card = ModelCard.for_model(args.model)
    far = View(card.classifier.det_power, card.thresholds["no_helmet"])
    folders = sorted({str(i).split("/")[0] for i in cached["ids"]})
    print(f"the card, bare heads at {far}:")
    for f in folders:
        print(line(f, operating(cached, [f], far, far, 0.0)))
    print(line("close-ups", operating(cached, CLOSE_UPS, far, far, 0.0)))
    print(line("far-field", operating(cached, FAR_FIELD, far, far, 0.0)))
    print("close-ups' bare heads, true / false:", false_ones(cached, CLOSE_UPS, far))
    print("far-field bare heads, true / false:", false_ones(cached, FAR_FIELD, far))
    print(
        "a second threshold for heads large in the detector's view (the lowest giving close-ups precision 0.80):"
    )
    for cut in (float(c) for c in args.cuts.split(",")):
        for threshold in np.round(np.arange(far.threshold, 1.0, 0.01), 3):
            near = View(far.det_power, float(threshold))
            close = operating(cached, CLOSE_UPS, far, near, cut)
            if close[1] / max(close[0], 1) >= PRECISION_GOAL:
                break
        print(f"from {cut:.0f} px, {near}:")
        for f in folders:
            print(line(f, operating(cached, [f], far, near, cut)))
        print(line("close-ups", close))
    print(
        "bare heads scored with another det_power, the threshold chosen for precision 0.80 on val pooled "
        "as training.evaluate chooses it:"
    )
    for power in (float(p) for p in args.powers.split(",")):
        pooled = bare_heads(cached, power, folders)
        view = View(power, round(pooled.threshold_for_precision("no_helmet", PRECISION_GOAL), 6))
        ap50 = {f: bare_heads(cached, power, [f]).result({})[NO_HELMET].ap50 for f in folders}
        print(
            f"{view}: no_helmet AP50 pooled {pooled.result({})[NO_HELMET].ap50:.3f}, "
            + ", ".join(f"{f} {a:.3f}" for f, a in ap50.items())
        )
        for f in folders:
            print(line(f, operating(cached, [f], view, view, 0.0)))
        print(line("close-ups", operating(cached, CLOSE_UPS, view, view, 0.0)))
    print(
        "bare heads called only where the detector scored the proposal at a floor (the card's mixing), the "
        "threshold as the card's, then chosen again for precision 0.80 on val pooled:"
    )
    for floor in (0.1, 0.2, 0.3, 0.4, 0.5):
        pooled = bare_heads(cached, far.det_power, folders, floor)
        again = round(pooled.threshold_for_precision("no_helmet", PRECISION_GOAL), 6)
        for view in (far._replace(det_floor=floor), View(far.det_power, again, floor)):
            print(f"{view}: no_helmet AP50 pooled {pooled.result({})[NO_HELMET].ap50:.3f}")
            for f in folders:
                print(line(f, operating(cached, [f], view, view, 0.0)))
            print(line("close-ups", operating(cached, CLOSE_UPS, view, view, 0.0)))
            print(line("far-field", operating(cached, FAR_FIELD, view, view, 0.0)))


if __name__ == "__main__":
    main()
