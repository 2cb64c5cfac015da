"""Command functions of `sitegw vision detect` and `sitegw vision eval` (the lead registers them in sitegw/cli.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import typer

from contract.config.camera import CameraConfig
from vision.detectors.centernet import CLASSES
from vision.detectors.helmet import DEFAULT_MODEL, HelmetDetector
from vision.detectors.person import PersonDetector
from vision.labels import list_images, read_yolo
from vision.metrics import Evaluator
from vision.pipeline import CameraAnalyzer
from vision.sources import FrameSource, SourceError


def _fail(message: str) -> typer.Exit:
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(2)


def detect(
    input: Path = typer.Option(..., "--input", help="an image, a folder of images, or a video file"),
    out: Path = typer.Option(..., "--out", help="JSON lines, one per image or analysed frame"),
    fps: float = typer.Option(1.0, "--fps", help="analysed frames per second of video time"),
    persons: bool = typer.Option(
        True, "--persons/--no-persons", help="also run the person network (SSDLite)"
    ),
    model: Path = typer.Option(
        DEFAULT_MODEL, "--model", help="hard-hat ONNX (with its .json card beside it)"
    ),
) -> None:
    """Run the vision checks on images or a video; write detections and violations as JSON lines."""
    if not input.exists():
        raise _fail(f"--input {input} does not exist")
    try:
        cam = CameraConfig(
            name="detect", source=str(input), fps=fps, motion_gate=False, helmet_frames=1, persons=persons
        )
        analyzer = CameraAnalyzer(cam, HelmetDetector(model), PersonDetector() if persons else None)
        n = 0
        with out.open("w") as f:
            for frame in FrameSource(cam).frames():
                res, _ = analyzer.analyse(frame)
                f.write(
                    json.dumps(
                        {
                            "image": frame.name,
                            "width": res.width,
                            "height": res.height,
                            "detections": [d.to_json() for d in res.detections],
                            "violations": [v.to_json() for v in res.violations],
                        },
                        ensure_ascii=False,
                    )
                )
                f.write("\n")
                n += 1
    except (SourceError, FileNotFoundError, ValueError) as e:
        raise _fail(str(e)) from None
    print(f"{n} frame(s) analysed, written to {out}", file=sys.stderr)


def evaluate(
    images: Path = typer.Option(..., "--images", help="folder of images"),
    labels: Path = typer.Option(..., "--labels", help="folder of YOLO .txt labels (0 helmet, 1 no_helmet)"),
    model: Path = typer.Option(
        DEFAULT_MODEL, "--model", help="hard-hat ONNX (with its .json card beside it)"
    ),
) -> None:
    """Precision and recall at the model's thresholds, and AP50, per class against YOLO labels (IoU >= 0.5)."""
    for p, what in ((images, "--images"), (labels, "--labels")):
        if not p.is_dir():
            raise _fail(f"{what} {p} is not a folder")
    files = list_images(images)
    if not files:
        raise _fail(f"no images in {images}")
    try:
        det = HelmetDetector(model, score_floor=0.05)
        ev = Evaluator(CLASSES)
        for p in files:
            img = cv2.imread(str(p))
            if img is None:
                raise ValueError(f"cannot decode image {p}")
            ev.add(det.raw(img), read_yolo(labels / (p.stem + ".txt"), img.shape[1], img.shape[0]))
    except (FileNotFoundError, ValueError) as e:
        raise _fail(str(e)) from None
    print(f"{len(files)} images, IoU >= 0.5, thresholds {det.card.thresholds}")
    print(f"{'class':<10} {'truth':>6} {'pred':>6} {'precision':>9} {'recall':>7} {'AP50':>6}")
    for r in ev.result(det.card.thresholds):
        print(
            f"{r.label:<10} {r.n_truth:>6} {r.n_pred:>6} {r.precision:>9.3f} {r.recall:>7.3f} {r.ap50:>6.3f}"
        )
