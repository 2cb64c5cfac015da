"""Train the hard-hat network on the committed split, resumably, and export ONNX.

    nice -n 15 .venv/bin/python -m training.train --run r13_det --arch lite0 --steps 40000 --minutes 20
    nice -n 15 .venv/bin/python -m training.train --run r13_det --resume --minutes 20   # the next session

A run is a number of optimiser steps (--steps); the learning rate follows a cosine over them, so a run
ends annealed however many sessions it took. --minutes is this session's share: when it is spent the
run writes its checkpoint and stops, and `--resume` continues it where it stopped (training/checkpoint.py:
weights, optimiser, step, best val score, data order). It also writes one every --checkpoint-minutes, so a
session killed outright loses at most that much. After each epoch the validation AP50 is measured; the
best weights are kept in training/checkpoints/RUN/ and exported to ONNX (on the CPU, checked to run in
onnxruntime), so a stopped run still leaves a usable model. The test part of the split is never read here.
--device cuda trains on a lent accelerator with the same command; the data, the augmentation, the
checkpoint and the ONNX export stay on the CPU.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from training import checkpoint, split
from training.checkpoint import CHECKPOINTS, RECIPES
from training.data import augment, eval_view, load_set, targets
from training.feature_cache import CACHE, FeatureCache, parse_scales
from training.model import HeadNet, LiteHeadNet
from training.sampling import draw_weights, parse_oversample
from vision.detectors.centernet import CLASSES, STRIDE, decode
from vision.detectors.onnx_net import OnnxNet
from vision.metrics import Evaluator, bootstrap_ap50

RUNS = Path(__file__).parent / "runs"
REPO = Path(__file__).resolve().parents[1]


def _lite0() -> nn.Module:
    net = LiteHeadNet()
    net.load_imagenet()
    return net


def frozen_lite0(init_onnx: Path | None, size: int, cut: int = 16) -> LiteHeadNet:
    """LiteHeadNet from a fused ONNX graph (or ImageNet's body alone) with its body frozen up to stride
    `cut`: the network of a --cached run, whose frozen maps training/feature_cache.py computes once
    (cut 16: the whole body; cut 8: its stride-16 stages still train)."""
    net = LiteHeadNet()
    net.load_imagenet()
    if init_onnx is not None:
        load_fused_onnx(net, init_onnx, torch.zeros(1, 3, size, size))
    for p in net.body.parameters():
        p.requires_grad = False
    if cut == 8:
        for p in net.deep().parameters():
            p.requires_grad = True
    return net


# --arch: the network and its learning rate when --lr is not given
ARCHS = {"plain": (HeadNet, 3e-3), "lite0": (_lite0, 1e-3)}


def cosine_lr(base: float, step: int, frac: float) -> float:
    """Learning rate after `step` steps with `frac` of the budget spent: 100-step warm-up, cosine to 2 %."""
    return base * min(1.0, (step + 1) / 100) * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * frac)))


def focal_loss(
    pred: torch.Tensor, gt: torch.Tensor, bare_weight: float = 1.0, valid: torch.Tensor | None = None
) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss on sigmoid heat maps; the no_helmet map weighs bare_weight.
    `valid` (N, 1, H, W) leaves out the cells a batch of cached maps was padded with (no image there)."""
    pred = pred.clamp(1e-4, 1 - 1e-4)
    pos = gt.eq(1).float()
    neg = 1 - pos if valid is None else (1 - pos) * valid
    pos_l = torch.log(pred) * (1 - pred) ** 2 * pos
    neg_l = torch.log(1 - pred) * pred**2 * (1 - gt) ** 4 * neg
    w = torch.tensor([1.0, bare_weight], device=pred.device).view(1, 2, 1, 1)
    n = pos.sum().clamp(min=1)
    return -((pos_l + neg_l) * w).sum() / n


class FrozenBN(nn.BatchNorm2d):
    """Batch norm that always uses its stored statistics (for weights read back from a BN-fused ONNX)."""

    def __init__(self, num_features: int, eps: float = 1e-5) -> None:
        """Made in eval mode: a module is born training, and a training loop that never calls .train()
        before its first epoch would otherwise normalise by batch statistics and overwrite the stored
        ones (that wrecked every fine-tune's first epoch: val mAP50 0.56 -> 0.06-0.23)."""
        super().__init__(num_features, eps=eps)
        super().train(False)

    def train(self, mode: bool = True) -> FrozenBN:
        """Stays in eval mode; its scale and shift still learn."""
        return super().train(False)


def conv_bn_pairs(net: nn.Module, sample: torch.Tensor) -> list[tuple[nn.Conv2d, nn.Module, str]]:
    """Each convolution that a batch norm follows, with that batch norm's parent and name, in the order
    a forward pass of `sample` runs them: the order of the convolutions the ONNX export folded them into."""
    after: dict[nn.Conv2d, tuple[nn.Module, str]] = {}
    for parent in net.modules():
        for (_, a), (name, b) in itertools.pairwise(parent.named_children()):
            if isinstance(a, nn.Conv2d) and isinstance(b, nn.BatchNorm2d):
                after[a] = (parent, name)
    ran: list[nn.Conv2d] = []
    hooks = [c.register_forward_hook(lambda m, _i, _o: ran.append(m)) for c in after]
    was_training = net.training
    net.eval()
    with torch.no_grad():
        net(sample)
    net.train(was_training)
    for h in hooks:
        h.remove()
    return [(c, *after[c]) for c in ran]


def load_fused_onnx(net: nn.Module, path: Path, sample: torch.Tensor) -> None:
    """Weights of an exported network's ONNX (each batch norm folded into its convolution) back into
    `net` (HeadNet or LiteHeadClassifier), those batch norms frozen; `sample` is an input of the
    network's shape (one forward pass orders its convolutions as the graph does).

    The .pt files of the shipped networks were lost; their float ONNX graphs (training/weights/) are
    all there is to fine-tune from.
    """
    import onnx
    from onnx import numpy_helper

    m = onnx.load(str(path))
    init = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    # the exporter names a folded convolution's new weight and bias onnx::Conv_N; the others keep their names
    fused = [
        (init[n.input[1]], init[n.input[2]])
        for n in m.graph.node
        if n.op_type == "Conv" and n.input[1].startswith("onnx::")
    ]
    pairs = conv_bn_pairs(net, sample)
    if len(fused) != len(pairs):
        raise ValueError(
            f"{path}: {len(fused)} fused convolutions, {type(net).__name__} has {len(pairs)}: "
            "not a graph exported from this network"
        )
    for (w, b), (conv, parent, name) in zip(fused, pairs, strict=True):
        if tuple(w.shape) != tuple(conv.weight.shape):
            raise ValueError(
                f"{path}: conv shape {w.shape} where {type(net).__name__} has {tuple(conv.weight.shape)}"
            )
        conv.weight.data = torch.from_numpy(w.copy())
        old = getattr(parent, name)
        bn = FrozenBN(len(b), eps=old.eps)
        bn.running_var.fill_(1 - bn.eps)  # so that the frozen norm is x * 1 + bias, as in the folded graph
        bn.bias.data = torch.from_numpy(b.copy())
        setattr(parent, name, bn)
    sd = net.state_dict()
    for k in sd:
        if k in init:
            sd[k] = torch.from_numpy(init[k].copy())
    net.load_state_dict(sd)


def detection_loss(
    out: torch.Tensor,
    hm: torch.Tensor,
    reg: torch.Tensor,
    mask: torch.Tensor,
    bare_weight: float,
    valid: torch.Tensor | None = None,
) -> torch.Tensor:
    """The CenterNet loss of a batch: heat maps (focal), box size and centre offset (L1 at the centres)."""
    m = mask[:, None]
    n = mask.sum().clamp(min=1)
    l_hm = focal_loss(out[:, :2], hm, bare_weight, valid)
    l_wh = (F.l1_loss(out[:, 2:4], reg[:, :2], reduction="none") * m).sum() / n
    l_off = (F.l1_loss(out[:, 4:6], reg[:, 2:4], reduction="none") * m).sum() / n
    return l_hm + 0.5 * l_wh + l_off


def cached_batch(
    cache: FeatureCache,
    samples: list[tuple[np.ndarray, np.ndarray]],
    flips: list[bool],
    size: int,
    deep: nn.Module | None = None,
    scales: list[float] | None = None,
) -> tuple[torch.Tensor, ...]:
    """The body's maps of each photo's view padded with zeros to the size's grid, the valid cells, and
    the targets: what a --cached step trains the neck and head on. The stride-8 map comes from the
    cache; the stride-16 one too, or with `deep` (the body's stride-16 stages, still training) from
    them, one photo at a time at its own size, so no padding ever enters the body. `scales`: each
    photo's view's scale (feature_cache.view; default 1)."""
    g = size // STRIDE
    rows: list[tuple[torch.Tensor, ...]] = []
    for (img, boxes), flip, scale in zip(samples, flips, scales or [1.0] * len(samples), strict=True):
        a8, a16, b = cache.get(img, boxes, flip, scale)
        c8 = torch.from_numpy(a8)
        c16 = torch.from_numpy(a16) if deep is None else deep(c8[None])[0]
        h, w = c8.shape[1:]
        valid = torch.zeros((1, g, g))
        valid[:, :h, :w] = 1
        rows.append(
            (
                F.pad(c8, (0, g - w, 0, g - h)),
                F.pad(c16, (0, g // 2 - c16.shape[2], 0, g // 2 - c16.shape[1])),
                valid,
                *(torch.from_numpy(t) for t in targets(b, size)),
            )
        )
    return tuple(torch.stack(v) for v in zip(*rows, strict=True))


def folder_scores(evs: dict[str, Evaluator], resamples: int = 200) -> str:
    """Each val folder's mean AP50 of the two classes with its 95 % bootstrap interval over its photos,
    and the two classes' AP50: the line each epoch of a --cached run prints (round 14's journal)."""
    parts = []
    for folder, ev in sorted(evs.items()):
        res = ev.result({})
        boot = bootstrap_ap50([ev], resamples)[:, 0].mean(1)
        lo, hi = np.percentile(boot, [2.5, 97.5])
        mean = float(np.mean([r.ap50 for r in res]))
        parts.append(
            f"{folder} {mean:.3f} [{lo:.3f}, {hi:.3f}] (helmet {res[0].ap50:.3f}, no_helmet {res[1].ap50:.3f})"
        )
    return "; ".join(parts)


def validate_cached(
    net: LiteHeadNet,
    cache: FeatureCache,
    val: list[tuple[np.ndarray, np.ndarray]],
    folders: list[str],
    cut: int = 16,
) -> tuple[float, str]:
    """Mean AP50 of the two classes on the val part (as validate, from the cached maps; with `cut` 8 the
    stride-16 map from the network's own, training, stages), and each folder's."""
    net.eval()
    ev = Evaluator(CLASSES)
    evs = {f: Evaluator(CLASSES) for f in sorted(set(folders))}
    with torch.no_grad():
        for (img, boxes), folder in zip(val, folders, strict=True):
            a8, a16, b = cache.get(img, boxes, False)
            c8 = torch.from_numpy(a8[None])
            out = net.maps(c8, torch.from_numpy(a16[None]) if cut == 16 else net.deep()(c8)).numpy()
            pred = decode(out, 0.05)
            ev.add(pred, b)
            evs[folder].add(pred, b)
    net.train()
    return float(np.mean([r.ap50 for r in ev.result({})])), folder_scores(evs)


def batch_tensors(samples: list[tuple[np.ndarray, np.ndarray]], size: int) -> tuple[torch.Tensor, ...]:
    """Stack images and targets of one batch."""
    imgs, hms, regs, masks = [], [], [], []
    for img, boxes in samples:
        hm, reg, mask = targets(boxes, size)
        imgs.append(img.transpose(2, 0, 1))
        hms.append(hm)
        regs.append(reg)
        masks.append(mask)
    return (
        torch.from_numpy(np.stack(imgs)).float(),
        torch.from_numpy(np.stack(hms)),
        torch.from_numpy(np.stack(regs)),
        torch.from_numpy(np.stack(masks)),
    )


def validate(
    net: nn.Module, val: list[tuple[np.ndarray, np.ndarray]], size: int, device: str = "cpu"
) -> float:
    """Mean AP50 of the two classes on the validation part."""
    net.eval()
    ev = Evaluator(CLASSES)
    with torch.no_grad():
        for img, boxes in val:
            lb, b, _ = eval_view(img, boxes, size)
            out = net(torch.from_numpy(lb.transpose(2, 0, 1)[None]).float().to(device)).cpu().numpy()
            ev.add(decode(out, 0.05), b)
    net.train()
    res = ev.result({})
    return float(np.mean([r.ap50 for r in res]))


def export(net: nn.Module, size: int, path: Path) -> None:
    """ONNX (opset 13) with free input height and width, so the model card may pick the run-time size.

    Refuses a graph that onnxruntime (as the gateway runs it) cannot run at the training size and at a larger one.
    """
    net.eval()
    torch.onnx.export(
        net,
        torch.zeros(1, 3, size, size),
        str(path),
        opset_version=13,
        input_names=["image"],
        output_names=["maps"],
        dynamo=False,
        dynamic_axes={"image": {2: "height", 3: "width"}, "maps": {2: "h8", 3: "w8"}},
    )
    net.train()
    runtime = OnnxNet(path)
    for s in (size, size + 128):
        got = runtime(np.zeros((1, 3, s, s), np.float32))
        if got.shape != (1, 6, s // 8, s // 8):
            raise RuntimeError(f"onnxruntime output shape {got.shape} at input {s} for {path}")


# the arguments that decide a run's weights: kept in its checkpoint and recipe, taken from there on --resume
# (where the data lies is not one of them: the split lists' digests say which photos a run reads)
RECIPE_ARGS = (
    "split_dir",
    "steps",
    "size",
    "batch",
    "arch",
    "lr",
    "init_onnx",
    "bare_weight",
    "bare_oversample",
    "cached",
    "cache_cut",
    "cache_scales",
    "folder_oversample",
)
# what a recipe written before an argument existed means by it
RECIPE_DEFAULTS: dict[str, Any] = {
    "cached": False,
    "cache_cut": 16,
    "cache_scales": "1",
    "folder_oversample": "",
}


def parser() -> argparse.ArgumentParser:
    """The command line of a training session."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", default="helmet_det", help="the run's name: its checkpoint folder and recipe")
    ap.add_argument("--resume", action="store_true", help="continue the run from its last checkpoint")
    ap.add_argument("--data", type=Path, default=Path("../shared/data/helmet"))
    ap.add_argument(
        "--split-dir", type=Path, default=split.SPLIT_DIR, help="the train.txt and val.txt to read"
    )
    ap.add_argument(
        "--steps", type=int, default=20000, help="optimiser steps of the whole run (all sessions)"
    )
    ap.add_argument(
        "--minutes", type=float, default=None, help="this session's share; then checkpoint and stop"
    )
    ap.add_argument(
        "--checkpoint-minutes", type=float, default=5.0, help="how often to checkpoint (0: every step)"
    )
    ap.add_argument("--stop-at-step", type=int, default=None, help="checkpoint and stop at this step")
    ap.add_argument("--size", type=int, default=384)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument(
        "--arch",
        choices=sorted(ARCHS),
        default="plain",
        help="plain: HeadNet from scratch; lite0: LiteHeadNet on the pretrained EfficientNet-Lite0 body",
    )
    ap.add_argument("--lr", type=float, default=None, help="peak learning rate (default: the arch's)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="cpu", help="cpu, or cuda on a lent accelerator")
    ap.add_argument(
        "--init-onnx",
        type=Path,
        default=None,
        help="fine-tune from an exported model (BN-fused ONNX), BN kept frozen",
    )
    ap.add_argument(
        "--bare-weight", type=float, default=1.0, help="weight of the no_helmet heat map in the loss"
    )
    ap.add_argument(
        "--bare-oversample",
        type=float,
        default=2.0,
        help="how much more often an image with a bare head is drawn",
    )
    ap.add_argument(
        "--folder-oversample",
        default="",
        help="how much more often a photo of a data folder is drawn, as FOLDER=FACTOR,... (cap=3,sfchd=3: the "
        "close-up folders three times as often; training/sampling.py); empty: every folder alike",
    )
    ap.add_argument(
        "--cached",
        action="store_true",
        help="lite0 only: freeze the whole body, compute its maps once per photo and view "
        "(training/feature_cache.py) and train the neck and head on them; val per folder each epoch",
    )
    ap.add_argument(
        "--cache-cut",
        type=int,
        choices=(16, 8),
        default=16,
        help="with --cached: 16 trains the neck and head on the cached stride-16 and stride-8 maps; 8 also "
        "trains the body's stride-16 stages, on the cached stride-8 map",
    )
    ap.add_argument(
        "--cache-scales",
        default="1",
        help="with --cached: the scales of each train photo's cached views, mirrored and not, one drawn a "
        "step (feature_cache.view: below 1 the photo smaller, above 1 a window around its heads larger; "
        "round 15); 1: round 14's two views",
    )
    ap.add_argument(
        "--cache-dir", type=Path, default=CACHE, help="where --cached keeps the body's maps (outside git)"
    )
    ap.add_argument(
        "--val-only",
        action="store_true",
        help="print the val mAP50 of the network as it starts (--init-onnx, or the run's checkpoint with "
        "--resume) and stop",
    )
    ap.add_argument("--checkpoints", type=Path, default=CHECKPOINTS, help="where runs keep their checkpoints")
    ap.add_argument("--recipes", type=Path, default=RECIPES, help="where runs keep their recipes")
    return ap


def _as_text(v: object) -> object:
    """A path as the recipe keeps it: inside the repository, relative to its root (where the commands run),
    so that another checkout (a lent accelerator's, the merged main) resumes and rebuilds it."""
    if not isinstance(v, Path):
        return v
    try:
        return str(v.resolve().relative_to(REPO))
    except ValueError:
        return str(v)


def recipe_args(args: argparse.Namespace) -> dict[str, Any]:
    """The arguments that decide the weights, as the recipe keeps them (paths as text)."""
    return {k: _as_text(v) for k, v in vars(args).items() if k in RECIPE_ARGS}


def resumed_args(args: argparse.Namespace, given: set[str], kept: dict[str, Any]) -> argparse.Namespace:
    """The session's arguments with the run's own recipe; a recipe argument given again must agree."""
    mine = recipe_args(args)
    kept = RECIPE_DEFAULTS | kept
    clash = [k for k in sorted(given & set(RECIPE_ARGS)) if mine[k] != kept[k]]
    if clash:
        raise SystemExit(
            "a resumed run keeps its recipe: "
            + ", ".join(f"--{k.replace('_', '-')} {mine[k]} given, the run has {kept[k]}" for k in clash)
        )
    out = argparse.Namespace(**vars(args))
    for k in RECIPE_ARGS:
        v = kept.get(k, RECIPE_DEFAULTS.get(k))
        setattr(out, k, Path(v) if k in ("data", "split_dir", "init_onnx") and v is not None else v)
    return out


def given_options(argv: list[str]) -> set[str]:
    """The destinations of the options written on the command line (not left at their defaults)."""
    names = {w.split("=")[0] for w in argv if w.startswith("--")}
    return {n[2:].replace("-", "_") for n in names}


def main(argv: list[str] | None = None) -> None:
    """Command line entry of a training session (a new run, or --resume of one)."""
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    run_dir = args.checkpoints / args.run
    ckpt = None
    if args.resume:
        ckpt = checkpoint.load(run_dir)
        args = resumed_args(args, given_options(argv), ckpt["recipe"]["args"])
        recipe = ckpt["recipe"] | {"args": recipe_args(args)}  # its paths as this checkout spells them
        if not checkpoint.same_split(recipe, args.split_dir):
            raise SystemExit(
                f"{args.split_dir}'s train or val list changed since run {args.run!r} started: a resumed run "
                "would go on with other data; start a new run"
            )
    elif (run_dir / "last.pt").exists() and not args.val_only:
        raise SystemExit(
            f"run {args.run!r} has a checkpoint in {run_dir}: --resume continues it; a new run needs another --run"
        )
    else:
        recipe = checkpoint.new_recipe(args.run, recipe_args(args), args.split_dir)
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(1)
    rng = np.random.default_rng(split.SEED)
    torch.manual_seed(split.SEED)

    if args.cached and args.arch != "lite0":
        raise SystemExit("--cached trains on the maps of LiteHeadNet's frozen body: it needs --arch lite0")
    try:
        oversample = parse_oversample(args.folder_oversample)
    except ValueError as e:
        raise SystemExit(str(e)) from None
    train_ids = (args.split_dir / "train.txt").read_text().split()
    train = load_set(args.data, train_ids)
    val_ids = (args.split_dir / "val.txt").read_text().split()
    val = load_set(args.data, val_ids)
    # no_helmet heads are 1 in 7: images that contain one drawn more often, and the folders the run names
    bare = [bool((b[:, 4] == 1).any()) for _, b in train]
    weights = draw_weights(train_ids, bare, args.bare_oversample, oversample)
    print(f"run {args.run}: train {len(train)} images, val {len(val)} images", flush=True)

    make, lr = ARCHS[args.arch]
    lr = args.lr or lr
    cache = None
    scales = parse_scales(args.cache_scales)
    if args.cached:
        net: nn.Module = frozen_lite0(args.init_onnx, args.size, args.cache_cut)
        cache = FeatureCache(args.cache_dir, net, args.size)
        print(f"body maps: {cache.dir}", flush=True)
    else:
        net = make()
        if args.init_onnx:
            load_fused_onnx(net, args.init_onnx, torch.zeros(1, 3, args.size, args.size))
    net.to(args.device)
    # LiteHeadNet's frozen stem has no gradient to step
    opt = torch.optim.AdamW([p for p in net.parameters() if p.requires_grad], lr=lr, weight_decay=5e-4)
    progress: dict[str, float | int] = {"step": 0, "best": -1.0, "best_step": 0, "epoch_loss": 0.0}
    if ckpt is not None:
        progress = checkpoint.restore(ckpt, net, opt, rng)
        print(f"resumed at step {progress['step']} of {args.steps}", flush=True)
    folders = [i.split("/")[0] for i in val_ids]

    def val_score() -> tuple[float, str]:
        if cache is None:
            return validate(net, val, args.size, args.device), ""
        assert isinstance(net, LiteHeadNet)
        return validate_cached(net, cache, val, folders, args.cache_cut)

    if args.val_only or (cache is not None and progress["step"] == 0):
        v, per_folder = val_score()
        print(f"step {progress['step']}: val mAP50 {v:.3f} {per_folder}", flush=True)
        if args.val_only:
            return

    def batch_loss(idx: np.ndarray) -> torch.Tensor:
        """The loss of one batch of the photos `idx`, drawing its augmentation (or views) from rng."""
        if cache is None:
            x, hm, reg, mask = (
                t.to(args.device)
                for t in batch_tensors(
                    [augment(train[i][0], train[i][1], args.size, rng) for i in idx], args.size
                )
            )
            return detection_loss(net(x), hm, reg, mask, args.bare_weight)
        assert isinstance(net, LiteHeadNet)
        flips = (rng.random(len(idx)) < 0.5).tolist()
        # one scale drawn only where there are several: a run of scale 1 alone keeps round 14's draws
        picked = [scales[j] for j in rng.integers(len(scales), size=len(idx))] if len(scales) > 1 else None
        deep = net.deep() if args.cache_cut == 8 else None
        c8, c16, valid, hm, reg, mask = (
            t.to(args.device)
            for t in cached_batch(cache, [train[i] for i in idx], flips, args.size, deep, picked)
        )
        return detection_loss(net.maps(c8, c16, valid), hm, reg, mask, args.bare_weight, valid)

    train_steps(args, net, opt, rng, len(train), weights, batch_loss, val_score, progress, lr, recipe)


def train_steps(
    args: argparse.Namespace,
    net: nn.Module,
    opt: torch.optim.Optimizer,
    rng: np.random.Generator,
    n_train: int,
    weights: np.ndarray,
    batch_loss: Callable[[np.ndarray], torch.Tensor],
    val_score: Callable[[], tuple[float, str]],
    progress: dict[str, float | int],
    lr: float,
    recipe: dict[str, Any],
) -> None:
    """Steps from progress['step'] to the run's end, the session's end or --stop-at-step, checkpointing:
    each step draws `batch` of the `n_train` photos by `weights` and steps on `batch_loss` of them;
    `val_score` (val mean AP50, and each folder's in words) is read after each epoch."""
    run_dir = args.checkpoints / args.run
    run_dir.mkdir(parents=True, exist_ok=True)
    steps_per_epoch = max(1, n_train // args.batch)
    t0 = last_save = time.monotonic()
    end = args.steps if args.stop_at_step is None else min(args.steps, args.stop_at_step)
    step = int(progress["step"])
    while step < end:
        for g in opt.param_groups:
            g["lr"] = cosine_lr(lr, step, step / args.steps)
        loss = batch_loss(rng.choice(n_train, args.batch, p=weights))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 10.0)
        opt.step()
        step += 1
        progress["step"] = step
        progress["epoch_loss"] = float(progress["epoch_loss"]) + loss.item()
        if step % steps_per_epoch == 0 or step == args.steps:
            v, per_folder = val_score()
            print(
                f"epoch {step // steps_per_epoch} step {step} {(time.monotonic() - t0) / 60:.1f} min "
                f"loss {float(progress['epoch_loss']) / steps_per_epoch:.3f} val mAP50 {v:.3f} {per_folder}",
                flush=True,
            )
            progress["epoch_loss"] = 0.0
            if v > float(progress["best"]):
                progress["best"], progress["best_step"] = v, step
                cpu = copy.deepcopy(net).cpu()  # the exported graph is the CPU's, whatever trained it
                torch.save(cpu.state_dict(), run_dir / "best.pt")
                export(cpu, args.size, run_dir / "best.onnx")
        over = args.minutes is not None and time.monotonic() - t0 >= args.minutes * 60
        due = time.monotonic() - last_save >= args.checkpoint_minutes * 60
        if due or over or step == end:
            digest = checkpoint.save(run_dir, net, opt, rng, progress, recipe)
            entry = {
                "step": step,
                "weights_sha256": digest,
                "device": args.device,
                "threads": args.threads,
                "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            checkpoint.record(args.recipes, recipe, entry)
            last_save = time.monotonic()
        if over and step < end:
            print(
                f"session over at step {step} of {args.steps}: continue with --run {args.run} --resume",
                flush=True,
            )
            return
    print(
        f"step {step} of {args.steps}; best val mAP50 {float(progress['best']):.3f} at step "
        f"{progress['best_step']}: {run_dir / 'best.onnx'}",
        flush=True,
    )


if __name__ == "__main__":
    main()
