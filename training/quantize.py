"""Turn the trained float networks into the int8 ones the gateway runs (onnxruntime static quantisation).

    .venv/bin/python -m training.quantize --data ../shared/data/helmet \\
        --detector training/weights/helmet_det_fp32.onnx --classifier training/weights/helmet_cls_fp32.onnx \\
        --out-detector training/runs/det_int8.onnx --out-classifier training/runs/cls_int8.onnx

Why: on this box the int8 graphs run the detector 1.7x and the crop classifier 2x faster than float
(AVX-512 VNNI; a CPU without VNNI gains less), which is what pays for the mirrored proposal pass.
Weights are quantised per output channel (signed), activations per tensor (unsigned) with ranges
calibrated on 64 images of the train part (every 24th): the letterboxed frames for the detector, the
crops of the float detector's proposals for the classifier. Val and test are never read here;
`python -m training.evaluate` then measures the int8 pair exactly as the gateway runs it.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import onnx
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process

from training import split
from vision.detectors.centernet import letterbox
from vision.detectors.helmet import HeadProposer, head_crops, to_blob
from vision.images import read_image

CALIBRATION_IMAGES = 64
CALIBRATION_SIZE = 576  # the detector's run-time input; ranges barely move between 480 and 672
# outputs stay float: an int8 softmax's rows do not sum to 1 and int8 heat maps tie scores in steps of 1/255
FLOAT_OUTPUT_OPS = {"Softmax", "Sigmoid", "Concat"}


class Feeds(CalibrationDataReader):
    """Hands onnxruntime's calibrator one input dict at a time."""

    def __init__(self, feeds: Iterator[dict[str, np.ndarray]]) -> None:
        self.feeds = feeds

    def get_next(self) -> dict[str, np.ndarray] | None:
        """The next calibration input, None when done."""
        return next(self.feeds, None)


def calibration_images(data: Path) -> list[np.ndarray]:
    """Every 24th image of the train part, at most CALIBRATION_IMAGES."""
    ids = split.load("train")[::24][:CALIBRATION_IMAGES]
    return [read_image(split.image_path(data, i)) for i in ids]


def quantize(src: Path, dest: Path, feeds: Iterator[dict[str, np.ndarray]]) -> None:
    """Static QDQ int8 quantisation of `src` into `dest`, activations calibrated on `feeds`."""
    src, dest = src.resolve(), dest.resolve()
    # the quantiser leaves scratch files in the working directory: keep them in a temporary one
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        # the graphs have free input sizes, which symbolic shape inference cannot resolve; plain inference can
        pre = Path(tmp) / "pre.onnx"
        quant_pre_process(str(src), str(pre), skip_symbolic_shape=True)
        keep_float = [n.name for n in onnx.load(str(pre)).graph.node if n.op_type in FLOAT_OUTPUT_OPS]
        quantize_static(
            str(pre),
            str(dest),
            Feeds(feeds),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            # 7-bit weights: x86 CPUs without VNNI (AVX2 only, as many edge boxes) multiply u8 x s8 pairs
            # in 16-bit sums that saturate with full 8-bit weights; with them the fused int8 kernels gave
            # heat maps up to 3.3 logits off the float graph there, against 0.14 on VNNI machines
            reduce_range=True,
            nodes_to_exclude=keep_float,
        )


def main() -> None:
    """Command line entry."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/helmet"))
    ap.add_argument("--detector", type=Path, required=True, help="the float head detector ONNX")
    ap.add_argument("--classifier", type=Path, required=True, help="the float head classifier ONNX")
    ap.add_argument("--out-detector", type=Path, required=True)
    ap.add_argument("--out-classifier", type=Path, required=True)
    args = ap.parse_args()
    from training import classifier as stage2  # torch: the head networks' training settings

    cv2.setNumThreads(1)
    images = calibration_images(args.data)
    quantize(
        args.detector,
        args.out_detector,
        ({"image": cv2.dnn.blobFromImage(letterbox(img, CALIBRATION_SIZE)[0])} for img in images),
    )
    proposer = HeadProposer(args.detector, CALIBRATION_SIZE, stage2.FLOOR, stage2.MAX_CANDIDATES)
    crops = (to_blob(head_crops(img, proposer(img), stage2.CONTEXT, stage2.SIDE)) for img in images)
    quantize(args.classifier, args.out_classifier, ({"crops": c} for c in crops if len(c)))
    print(
        f"int8 detector {args.out_detector}, int8 classifier {args.out_classifier}; measure them with "
        f"python -m training.evaluate --model {args.out_detector} --classifier {args.out_classifier}"
    )


if __name__ == "__main__":
    main()
