"""training.train.load_fused_onnx: a shipped float graph (batch norms folded into its convolutions) read
back into its torch network gives the graph's outputs, in training mode too (the folded norms stay
frozen), so a fine-tune starts exactly where the shipped network is. Both networks: the detector
(HeadNet) and, since round 7, the head classifier (LiteHeadClassifier with its box output); and round
10's detector on the pretrained body (LiteHeadNet), kept for the next round to fine-tune or mine on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is in the train extra")
pytest.importorskip("onnx", reason="onnx is in the train extra")

from training.model import HeadNet, LiteHeadClassifier, LiteHeadNet  # noqa: E402
from training.train import load_fused_onnx  # noqa: E402
from vision.detectors.onnx_net import OnnxNet  # noqa: E402

WEIGHTS = Path(__file__).resolve().parents[2] / "training" / "weights"


@pytest.mark.parametrize(
    ("make", "graph", "shape"),
    [
        (HeadNet, "helmet_det_fp32.onnx", (1, 3, 128, 192)),
        (LiteHeadNet, "helmet_det_lite0_fp32.onnx", (1, 3, 128, 192)),
        (lambda: LiteHeadClassifier(refine=True), "helmet_cls_fp32.onnx", (3, 3, 64, 64)),
    ],
)
def test_read_back_network_gives_the_graphs_outputs(make, graph: str, shape: tuple[int, ...]) -> None:  # type: ignore[no-untyped-def]
    net = make()
    load_fused_onnx(net, WEIGHTS / graph, torch.zeros(shape))
    x = np.random.default_rng(0).uniform(0, 255, shape).astype(np.float32)
    want = OnnxNet(WEIGHTS / graph)(x)
    # as the training loops run it: straight after loading (no .train() call yet), then in training mode;
    # the folded batch norms must never switch to batch statistics
    for mode in ("as loaded", "training"):
        if mode == "training":
            net.train()
        with torch.no_grad():
            got = net(torch.from_numpy(x)).numpy()
        assert got.shape == want.shape
        assert np.abs(got - want).max() < 1e-3, mode


def test_a_graph_of_another_network_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match=r"helmet_det_fp32\.onnx.*not a graph exported from this network"):
        load_fused_onnx(
            LiteHeadClassifier(refine=True), WEIGHTS / "helmet_det_fp32.onnx", torch.zeros(2, 3, 64, 64)
        )
