"""Train the hard-hat check's second stage, the head crop classifier (helmet / no_helmet / not a head).

    nice -n 5 .venv/bin/python -m training.classifier --data ../shared/data/helmet --arch lite0 --refine \
        --skip-bystanders --steps 5954 --threads 2

Round 5's classifier was made by exactly that command; the shipped one (round 7) is it fine-tuned with
the same options plus `--init-onnx training/weights/helmet_cls_fp32.onnx --lr 3e-4 --minutes 9` on a
train part that holds the site-camera folder hhw (docs/vision.md, "Round 7"). Then it was quantised
(`python -m training.quantize`), and `python -m training.evaluate` chose the proposals, the score
mixing and the thresholds on the val part and wrote the model card.

Why a second stage: the detector (vision/models/helmet.onnx) finds most bare heads but gives them low
scores, so a threshold that keeps precision throws them away. Here every proposal of the detector is
looked at again, cut from the full-resolution image with context, by a network that only has to
tell three things apart.

Samples, all from the train part of the split (val only chooses the best epoch; test is never read):
- labelled heads, with random shift and scale of the box (bare heads, 1 in 7, more copies);
- the detector's own proposals at input 384 and 576 with score >= 0.1 (with --card-proposals, input
  384's and those the detector's model card sets: round 7's card proposes at 576 on the frame and its
  mirror down to 0.05): those on a labelled head (IoU >= 0.5) are examples of its class, those on
  nothing (IoU < 0.3) are hard "not a head" examples;
  with --skip-bystanders, those on the head of a person the labels do not mention are left out
  (training.bystanders);
- random boxes of head size away from every head;
- with --refine, box-only samples (a looser jitter of each labelled head, the proposals at IoU 0.3-0.5):
  they teach the box output where the head is, not its class.
With --audited-labels the heads the train labels omit, found by looking (split/train_unlabelled_heads.txt,
training.head_audit), join the labelled heads, and val is scored with its audited bare heads as
training.evaluate scores it.
Training draws the classes in fixed shares (CLASS_DRAW; --bare-share sets the bare heads'), flips, shifts colour and light, and sometimes shrinks a
crop to a few pixels and back (far workers). Learning rate: cosine over the budget (--minutes, or
--steps, which makes a run the same length on a slower box). After each
round the pipeline (detector + this classifier) is scored on val (mean AP50 of the two classes);
the best is exported to ONNX (opset 13, checked in onnxruntime) in training/runs/. Round 8 (not shipped)
added --card-proposals and --bare-share; its command and figures are in docs/vision.md, "Round 8".
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.nn import functional as F

from contract.config.camera import HELMET_TILE_PX
from training import label_convention, split
from training.bystanders import BYSTANDER_SCORE, bystander_zones, on_bystanders
from training.model import HeadClassifier, LiteHeadClassifier
from training.sampling import crop_weights, draw_crops, parse_oversample
from training.train import RUNS, cosine_lr, load_fused_onnx
from vision.detectors.centernet import CLASSES, max_iou
from vision.detectors.helmet import (
    NOT_HEAD,
    HeadProposer,
    ModelCard,
    box_deltas,
    combine,
    head_crops,
    on_heads,
    to_blob,
)
from vision.detectors.onnx_net import OnnxNet
from vision.detectors.person import PersonDetector
from vision.images import read_image
from vision.metrics import Evaluator
from vision.model_files import DEFAULT_MODEL

SIDE = 64
CONTEXT = 1.6
FLOOR = 0.1
MAX_CANDIDATES = 48
MINE_SIZES = (384, 576)
VAL_SIZE = 480
VAL_DET_POWER = 0.5
# copies of each labelled head with a jittered box; bare heads are rare, so they get more
JITTER_COPIES = (2, 8)
# (largest shift in box sides, scale range) of the jitter of labelled heads
JITTER = (0.15, (0.8, 1.25))
# a refining classifier also learns to move loose boxes onto their head (IoU down to ~0.35, as the
# detector's near misses); those boxes teach the box output only: a first run that also taught them
# their head's class called fewer bare heads bare on val (no_helmet AP50 0.678 against 0.747)
JITTER_REFINE = (0.25, (0.7, 1.45))
NEAR_IOU = 0.3  # a proposal at IoU 0.3-0.5 with a labelled head is such a loose box; below 0.3 "not a head"
BOX_ONLY = -100  # the label of a box-only sample (cross-entropy's ignore_index)
# how often a training draw takes a helmet, a bare head, a "not a head", and (refining) a box-only sample
CLASS_DRAW = (0.35, 0.30, 0.35)
CLASS_DRAW_REFINE = (0.30, 0.25, 0.30, 0.15)


def class_draw(refine: bool, bare_share: float | None = None) -> tuple[float, ...]:
    """The shares of a batch drawn from each class (helmet, no_helmet, not a head, and with `refine`
    box-only); `bare_share` sets the bare heads' share and the others give up or gain theirs in proportion."""
    draw = np.array(CLASS_DRAW_REFINE if refine else CLASS_DRAW)
    if bare_share is None:
        return tuple(draw.tolist())
    if not 0 < bare_share < 1:
        raise SystemExit(
            f"--bare-share {bare_share}: give the bare heads' share of a batch, above 0 and below 1"
        )
    others = np.delete(draw, 1)
    others *= (1 - bare_share) / others.sum()
    return tuple(np.insert(others, 1, bare_share).tolist())


def proposers(detectors: list[Path], card_proposals: bool) -> tuple[list[HeadProposer], HeadProposer, float]:
    """The proposers whose boxes are mined for training crops, the one val is scored on, and the det_power
    val's scores mix in.

    By default (rounds 3-7) inputs MINE_SIZES unmirrored at FLOOR, val at VAL_SIZE. With `card_proposals`
    each detector's own model card sets the mined proposals (its input, mirror pass, floor, most
    candidates; the default camera's tiles), plus input 384's for variety: the classifier then learns the
    very boxes the shipped check hands it (round 7's card proposes down to a floor of 0.05 on the frame
    and its mirror, boxes rounds 3-7 never trained on). Val is scored on the first detector's card
    proposals with its det_power: the card the classifier is to ship in; the other detectors' boxes only
    add training crops (round 12: close-up heads as round 7's detector boxes them).
    """
    if not card_proposals:
        return (
            [HeadProposer(d, s, FLOOR, MAX_CANDIDATES) for d in detectors for s in MINE_SIZES],
            HeadProposer(detectors[0], VAL_SIZE, FLOOR, MAX_CANDIDATES),
            VAL_DET_POWER,
        )
    mined = []
    for d in detectors:
        card = ModelCard.for_model(d)
        c = card.classifier
        # with the tiles a camera at its default adds to a frame wider than HELMET_TILE_PX
        shipped = HeadProposer(d, card.size, c.candidate_floor, c.max_candidates, c.flip, HELMET_TILE_PX)
        mined += [HeadProposer(d, MINE_SIZES[0], FLOOR, MAX_CANDIDATES), shipped]
    return mined, mined[1], ModelCard.for_model(detectors[0]).classifier.det_power


def _jittered(
    truth: np.ndarray,
    copies: int,
    rng: np.random.Generator,
    jitter: tuple[float, tuple[float, float]] = JITTER,
) -> np.ndarray:
    """`copies` boxes per truth box (in truth's order, each repeated), shifted and scaled at random:
    up to `jitter[0]` of its size, by a factor in the range `jitter[1]`."""
    shift, (lo, hi) = jitter
    b = np.repeat(truth[:, :4], copies, 0)
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    cx = (b[:, 0] + b[:, 2]) / 2 + rng.uniform(-shift, shift, len(b)) * w
    cy = (b[:, 1] + b[:, 3]) / 2 + rng.uniform(-shift, shift, len(b)) * h
    s = np.exp(rng.uniform(math.log(lo), math.log(hi), len(b)))
    return np.stack([cx - w * s / 2, cy - h * s / 2, cx + w * s / 2, cy + h * s / 2], 1)


def _random_boxes(truth: np.ndarray, w: int, h: int, rng: np.random.Generator, n: int = 4) -> np.ndarray:
    """Up to n head-sized boxes (sizes from the image's heads) that overlap no head."""
    sides = (truth[:, 2] - truth[:, 0]) if len(truth) else np.array([0.06 * max(w, h)])
    side = rng.choice(sides, n) * rng.uniform(0.6, 1.8, n)
    x = rng.uniform(0, np.maximum(w - side, 1))
    y = rng.uniform(0, np.maximum(h - side, 1))
    b = np.stack([x, y, x + side, y + side], 1)
    return b[max_iou(b, truth)[0] < 0.2]


def _box_only(heads: np.ndarray) -> np.ndarray:
    """Truth rows whose class is BOX_ONLY: their crops teach where the head is, not what it is."""
    out = heads.copy()
    out[:, 4] = BOX_ONLY
    return out


def mine(
    data: Path,
    ids: list[str],
    proposers: list[HeadProposer],
    rng: np.random.Generator,
    refine: bool = False,
    persons: PersonDetector | None = None,
    audited: dict[str, np.ndarray] | None = None,
    helmet_heights: dict[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Training crops (N, SIDE, SIDE, 3), labels (0 helmet, 1 no_helmet, 2 not a head), box targets
    (N, 4: box_deltas of the crop's head, NaN for "not a head") and each crop's image (its index in `ids`)
    of images `ids`.

    With `refine` there are also box-only samples (label BOX_ONLY): one looser jitter of each labelled
    head and the proposals at IoU NEAR_IOU-0.5 with one. With `persons`, proposals on nothing that lie
    where an unlabelled person's head is (training.bystanders) are left out instead of taught as
    "not a head". `audited` adds heads the labels omit (split.train_unlabelled_heads) to the truth;
    `helmet_heights` grows the helmet labels of the folders it names to heads (split.truth)."""
    crops, labels, targets, origin = [], [], [], []
    skipped = 0
    for n, i in enumerate(ids):
        img = read_image(split.image_path(data, i))
        h, w = img.shape[:2]
        truth = split.truth(data, i, w, h, audited, helmet_heights)
        by_cls = [truth[truth[:, 4] == c] for c in range(len(CLASSES))]
        zones = (
            bystander_zones(np.array([d.box for d in persons.detect(img)]), truth)
            if persons is not None
            else None
        )
        boxes = [_jittered(t, JITTER_COPIES[c], rng) for c, t in enumerate(by_cls)]
        heads = [np.repeat(t, JITTER_COPIES[c], 0) for c, t in enumerate(by_cls)]
        box_only = [_jittered(truth, 1, rng, JITTER_REFINE)] if refine else []
        box_only_heads = [_box_only(truth)] if refine else []
        for p in proposers:
            cand = p(img)
            best, which = max_iou(cand, truth)
            hit, miss = best >= 0.5, best < NEAR_IOU
            near = ~hit & ~miss
            if zones is not None:
                bystander = miss & on_bystanders(cand, zones)
                skipped += int(bystander.sum())
                miss &= ~bystander
            boxes += [cand[hit, :4], cand[miss, :4]]
            heads += [truth[which[hit]], np.full((int(miss.sum()), 5), np.nan)]
            if refine:
                box_only.append(cand[near, :4])
                box_only_heads.append(_box_only(truth[which[near]]))
        rand = _random_boxes(truth, w, h, rng)
        boxes.append(rand)
        heads.append(np.full((len(rand), 5), np.nan))
        b, hd = np.concatenate(boxes + box_only), np.concatenate(heads + box_only_heads)
        crops.append(head_crops(img, b, CONTEXT, SIDE))
        labels.append(np.where(np.isnan(hd[:, 4]), NOT_HEAD, np.nan_to_num(hd[:, 4])))
        targets.append(box_deltas(b, hd, CONTEXT))
        origin.append(np.full(len(b), n))
        if n % 200 == 0:
            print(f"  mined {n}/{len(ids)} images", flush=True)
    if persons is not None:
        print(f"  left out {skipped} proposals on the heads of people the labels do not mention", flush=True)
    return (
        np.concatenate(crops),
        np.concatenate(labels).astype(np.int64),
        np.concatenate(targets),
        np.concatenate(origin),
    )


def augment(batch: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Flip, hue/saturation/light shifts and, for some crops, a shrink to 10-32 px and back; returns the
    crops and which were mirrored (a box target's x shift changes sign)."""
    out = batch.copy()
    flipped = rng.random(len(out)) < 0.5
    for k in range(len(out)):
        x = out[k]
        if flipped[k]:
            x = x[:, ::-1]
        if rng.random() < 0.3:
            t = int(rng.integers(10, 33))
            x = cv2.resize(cv2.resize(x, (t, t), interpolation=cv2.INTER_AREA), (SIDE, SIDE))
        hsv = cv2.cvtColor(np.ascontiguousarray(x), cv2.COLOR_BGR2HSV).astype(np.float32)
        hsv[..., 0] = (hsv[..., 0] + rng.uniform(-6, 6)) % 180
        hsv[..., 1] *= rng.uniform(0.6, 1.4)
        hsv[..., 2] = hsv[..., 2] * rng.uniform(0.6, 1.4) + rng.uniform(-20, 20)
        out[k] = cv2.cvtColor(np.clip(hsv, 0, 255).astype(np.uint8), cv2.COLOR_HSV2BGR)
    return out, flipped


class ValSet:
    """The val part's detector proposals (input VAL_SIZE), their crops and truth, to score the pipeline."""

    def __init__(
        self,
        data: Path,
        proposer: HeadProposer,
        audited: dict[str, np.ndarray] | None = None,
        det_power: float = VAL_DET_POWER,
        helmet_heights: dict[str, float] | None = None,
    ) -> None:
        """`audited` adds the bare heads the val labels omit (split.val_unlabelled_bare_heads), as
        training.evaluate scores val; `det_power` mixes the detector's score into each head's;
        `helmet_heights` grows the helmet labels of the folders it names to heads (split.truth), as training does."""
        self.det_power = det_power
        self.items: list[tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]] = []
        for i in split.load("val"):
            img = read_image(split.image_path(data, i))
            cand = proposer(img)
            h, w = img.shape[:2]
            self.items.append(
                (
                    cand,
                    to_blob(head_crops(img, cand, CONTEXT, SIDE)),
                    split.truth(data, i, w, h, audited, helmet_heights),
                    (w, h),
                )
            )

    def score(self, net: torch.nn.Module) -> tuple[float, float]:
        """(mean AP50, no_helmet AP50) of detector + classifier on val."""
        net.eval()
        ev = Evaluator(CLASSES)
        with torch.no_grad():
            for cand, blob, truth, (w, h) in self.items:
                out = net(torch.from_numpy(blob)).numpy() if len(cand) else np.zeros((0, 3), np.float32)
                ev.add(combine(cand, on_heads(cand, out, CONTEXT, w, h), self.det_power), truth)
        net.train()
        res = ev.result({})
        return float(np.mean([r.ap50 for r in res])), res[1].ap50


def export(net: torch.nn.Module, path: Path) -> None:
    """ONNX (opset 13) with a free batch size; refuses a graph whose onnxruntime output differs from torch."""
    net.eval()
    torch.onnx.export(
        net,
        torch.zeros(2, 3, SIDE, SIDE),
        str(path),
        opset_version=13,
        dynamo=False,
        input_names=["crops"],
        output_names=["probs"],
        dynamic_axes={"crops": {0: "n"}, "probs": {0: "n"}},
    )
    x = torch.from_numpy(np.random.default_rng(0).uniform(0, 255, (5, 3, SIDE, SIDE)).astype(np.float32))
    with torch.no_grad():
        want = net(x).numpy()
    net.train()
    got = OnnxNet(path)(x.numpy())
    if got.shape != want.shape or not np.allclose(got, want, atol=1e-4):
        raise RuntimeError(f"onnxruntime runs {path} differently from torch: {got.shape} vs {want.shape}")


def _lite0(refine: bool) -> tuple[torch.nn.Module, float]:
    net = LiteHeadClassifier(refine=refine)
    net.load_imagenet()
    return net, 1e-3


def _plain(refine: bool) -> tuple[torch.nn.Module, float]:
    if refine:
        raise SystemExit("--refine needs --arch lite0 (the plain classifier has no box output)")
    return HeadClassifier(), 3e-3


ARCHS = {"plain": _plain, "lite0": _lite0}


def main() -> None:
    """Command line entry of the training run."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/helmet"))
    ap.add_argument(
        "--detector",
        type=Path,
        action="append",
        help="a stage-1 ONNX whose proposals are mined (default vision/models/helmet.onnx); give it again "
        "to mine several detectors' proposals: val is scored with the first",
    )
    ap.add_argument("--minutes", type=float, default=25.0)
    ap.add_argument(
        "--steps",
        type=int,
        default=None,
        help="train this many batches instead of for --minutes (the same run on any box)",
    )
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument(
        "--arch",
        choices=sorted(ARCHS),
        default="plain",
        help="plain: small CNN from scratch; lite0: EfficientNet-Lite0 body pretrained on ImageNet",
    )
    ap.add_argument(
        "--lr", type=float, default=None, help="peak learning rate (default 3e-3 plain, 1e-3 lite0)"
    )
    ap.add_argument(
        "--refine",
        action="store_true",
        help="also regress each proposal's head box inside its crop (4 more outputs): fixes the "
        "detector's near misses (IoU 0.3-0.5), which otherwise count as a false and a missed head",
    )
    ap.add_argument(
        "--skip-bystanders",
        action="store_true",
        help="leave out proposals on the heads of people the labels do not mention (found by the "
        "person network) instead of teaching them as 'not a head'",
    )
    ap.add_argument(
        "--audited-labels",
        action="store_true",
        help="add the audited heads the train labels omit (split/train_unlabelled_heads.txt) to "
        "the training truth, and score val with its audited bare heads, as evaluate does",
    )
    ap.add_argument(
        "--seed",
        type=int,
        default=split.SEED,
        help="seed of the jitter, the draws, the augmentation and the initial head (another seed "
        "retrains the same recipe: how far two runs differ is the noise a round must beat)",
    )
    ap.add_argument(
        "--init-onnx",
        type=Path,
        default=None,
        help="fine-tune from an exported classifier of the same --arch and --refine (its float ONNX, "
        "training/weights/helmet_cls_fp32.onnx; batch norms kept frozen) instead of from ImageNet",
    )
    ap.add_argument(
        "--card-proposals",
        action="store_true",
        help="mine the crops on, and score val on, the proposals the --detector's model card sets "
        "(input, mirror pass, floor, most candidates, det_power), as the shipped check makes them, "
        "plus input 384's; default: inputs 384 and 576 unmirrored at floor 0.1, val at input 480",
    )
    ap.add_argument(
        "--bare-share",
        type=float,
        default=None,
        help="share of each batch drawn from bare heads (default 0.25 with --refine, 0.30 without); "
        "the other classes' shares scale to fill the rest",
    )
    ap.add_argument(
        "--folder-oversample",
        default="",
        help="FOLDER=FACTOR,...: a crop from a photo of a named data folder is drawn FACTOR times as often as "
        "another of its class (round 15: cap=3, the close-up helmets a classifier mined on far-field "
        "proposals lost); default: every crop of a class alike",
    )
    label_convention.add_option(ap, "grow to heads in training and in the val score")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps-per-round", type=int, default=300)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(1)
    RUNS.mkdir(exist_ok=True)
    rng = np.random.default_rng(args.seed)
    torch.manual_seed(args.seed)

    t_mine = time.monotonic()
    # the crops stay in memory only: images of the sfchd set must not be written into the project
    bystanders = PersonDetector(score_min=BYSTANDER_SCORE) if args.skip_bystanders else None
    draw = class_draw(args.refine, args.bare_share)
    mine_with, val_with, val_power = proposers(args.detector or [DEFAULT_MODEL], args.card_proposals)
    try:
        folders = parse_oversample(args.folder_oversample)
    except ValueError as e:
        ap.error(str(e))
    helmet_heights = label_convention.option_factors(ap, args)
    train_ids = split.load("train")
    x, y, t, origin = mine(
        args.data,
        train_ids,
        mine_with,
        rng,
        args.refine,
        bystanders,
        split.train_unlabelled_heads() if args.audited_labels else None,
        helmet_heights,
    )
    val = ValSet(
        args.data,
        val_with,
        split.val_unlabelled_bare_heads() if args.audited_labels else None,
        val_power,
        helmet_heights,
    )
    by_class = [np.nonzero(y == c)[0] for c in (*range(NOT_HEAD + 1), *((BOX_ONLY,) if args.refine else ()))]
    cumulative = crop_weights(by_class, origin, train_ids, folders)
    print(
        f"mined in {(time.monotonic() - t_mine) / 60:.1f} min: crops per class "
        f"(helmet, no_helmet, not a head{', box only' if args.refine else ''}) "
        f"{[len(b) for b in by_class]}, drawn {[round(d, 3) for d in draw]}",
        flush=True,
    )

    net, lr = ARCHS[args.arch](args.refine)
    if args.init_onnx:
        load_fused_onnx(net, args.init_onnx, torch.zeros(2, 3, SIDE, SIDE))
    lr = args.lr or lr
    net = net.to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=5e-4)
    budget = args.minutes * 60
    t0 = time.monotonic()

    def done() -> float:
        """How much of the budget is spent (0 to 1 and beyond)."""
        return step / args.steps if args.steps else (time.monotonic() - t0) / budget

    best, step, rnd = -1.0, 0, 0
    while done() < 1:
        rnd += 1
        tl, n = 0.0, 0
        for n in range(1, args.steps_per_round + 1):  # noqa: B007  (n: the round's steps, for its mean loss)
            for g in opt.param_groups:
                g["lr"] = cosine_lr(lr, step, min(1.0, done()))
            cls = rng.choice(len(draw), args.batch, p=draw)
            idx = draw_crops(rng, by_class, cls, cumulative)
            crops, flipped = augment(x[idx], rng)
            xb = torch.from_numpy(to_blob(crops)).contiguous(memory_format=torch.channels_last)
            logits, deltas = net.outputs(xb)
            loss = F.cross_entropy(logits, torch.from_numpy(y[idx]), label_smoothing=0.05)
            if deltas is not None:
                tb = t[idx].copy()
                tb[flipped, 0] *= -1
                has = ~np.isnan(tb[:, 0])
                loss = loss + F.smooth_l1_loss(deltas[torch.from_numpy(has)], torch.from_numpy(tb[has]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            tl += loss.item()
            step += 1
            if done() >= 1:
                break
        m, nh = val.score(net)
        print(
            f"round {rnd} step {step} {(time.monotonic() - t0) / 60:.1f} min loss {tl / max(n, 1):.3f} "
            f"val mAP50 {m:.3f} no_helmet AP50 {nh:.3f}",
            flush=True,
        )
        if m > best:
            best = m
            torch.save(net.state_dict(), RUNS / "cls_best.pt")
            export(net, RUNS / "cls_best.onnx")
    print(
        f"best val mAP50 {best:.3f}; copy {RUNS / 'cls_best.onnx'} to vision/models/helmet_cls.onnx, "
        f"then run python -m training.evaluate",
        flush=True,
    )


if __name__ == "__main__":
    main()
