"""Command functions of `sitegw vision detect` and `sitegw vision eval` (the lead registers them in sitegw/cli.py).

Every `sitegw` process imports this module to build its command line, the gateway's `sitegw run`
too, so the networks' libraries (OpenCV, onnxruntime, numpy: 49 MB of the gateway's memory when
imported here) are imported by the commands that use them, not at the top.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from contract.config.camera import HELMET_TILE_PX, CameraConfig, tile_px_problem
from vision.model_files import DEFAULT_MODEL

if TYPE_CHECKING:
    import numpy as np

    from vision.detections import Detection, FrameResult
    from vision.detectors.helmet import HelmetDetector
    from vision.detectors.person import PersonDetector
    from vision.metrics import Evaluator
    from vision.sources import Frame

EVAL_FLOOR = 0.05  # scores kept for AP50 below the operating thresholds


def _fail(message: str) -> typer.Exit:
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(2)


def detect_camera(source: Path, fps: float, persons: bool, tile_px: int = HELMET_TILE_PX) -> CameraConfig:
    """The camera `detect` and `eval` analyse files through: every frame looked at whole (no motion
    gate), a bare head reported at the first frame, each picture its own scene, heads proposed in
    tiles of ``tile_px`` as a camera left at its default does."""
    return CameraConfig(
        name="detect",
        source=str(source),
        fps=fps,
        motion_gate=False,
        helmet_frames=1,
        persons=persons,
        helmet_tile_px=tile_px,
    )


def _tile_px(value: int) -> int:
    problem = tile_px_problem(value)
    if problem:
        raise typer.BadParameter(problem)
    return value


# The --tile-px option of `detect` and `eval` (default: the camera's, HELMET_TILE_PX), with its check.
TileOption = Annotated[
    int,
    typer.Option(
        "--tile-px",
        min=0,
        callback=_tile_px,
        help="longest side of what the head detector sees at once; larger frames are cut into "
        "overlapping tiles (a camera's helmet_tile_px, same default); 0: whole frames and their mirror",
    ),
]
# The --model option of `detect` and `eval` (default: DEFAULT_MODEL): the card a camera's helmet_model
# picks, or a new one.
ModelOption = Annotated[
    Path,
    typer.Option(
        "--model",
        help="hard-hat ONNX with its .json card beside it",
    ),
]


def analysed(
    cam: CameraConfig, helmet: HelmetDetector, persons: PersonDetector | None
) -> Iterator[tuple[Frame, FrameResult]]:
    """Every frame of ``cam``'s source through the camera workers' analyser: the one path that
    `detect` writes and `eval` scores."""
    from vision.pipeline import CameraAnalyzer
    from vision.sources import FrameSource

    analyzer = CameraAnalyzer(cam, helmet, persons)
    for frame in FrameSource(cam).frames():
        yield frame, analyzer.analyse(frame)[0]


def detect(
    input: Path = typer.Option(..., "--input", help="an image, a folder of images, or a video file"),
    out: Path = typer.Option(..., "--out", help="JSON lines, one per image or analysed frame"),
    fps: float = typer.Option(1.0, "--fps", help="analysed frames per second of video time"),
    persons: bool = typer.Option(
        True, "--persons/--no-persons", help="also run the person network (SSDLite)"
    ),
    model: ModelOption = DEFAULT_MODEL,
    tile_px: TileOption = HELMET_TILE_PX,
) -> None:
    """Run the vision checks on images or a video; write detections and violations as JSON lines."""
    from vision.detectors.helmet import HelmetDetector
    from vision.detectors.person import PersonDetector
    from vision.sources import SourceError

    if not input.exists():
        raise _fail(f"--input {input} does not exist")
    try:
        cam = detect_camera(input, fps, persons, tile_px)
        n = 0
        with out.open("w") as f:
            for frame, res in analysed(cam, HelmetDetector(model), PersonDetector() if persons else None):
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


def rows(detections: list[Detection]) -> np.ndarray:
    """The hard-hat detections as the evaluator's rows (x1, y1, x2, y2, score, class)."""
    import numpy as np

    from vision.detectors.centernet import CLASSES

    heads = [(*d.box, d.score, CLASSES.index(d.label)) for d in detections if d.label in CLASSES]
    return np.array(heads, np.float32).reshape(-1, 6)


def _scored(
    model: Path, images: Path, labels: Path, files: int, tile_px: int, helmet_height: float
) -> tuple[HelmetDetector, Evaluator]:
    """The hard-hat card `model` on every image of `images`, scored against `labels`, one image at a time
    in name order (so two cards' evaluators hold the same images, for a paired bootstrap)."""
    from vision.detectors.centernet import CLASSES
    from vision.detectors.helmet import HelmetDetector
    from vision.metrics import Evaluator

    # the path `detect` and the camera workers run, keeping the boxes below the card's thresholds
    # too (for AP50); precision and recall are taken at the thresholds, from the same boxes
    det = HelmetDetector(model, score_floor=EVAL_FLOOR, operating=False)
    ev = Evaluator(CLASSES)
    for _, found, truth in judged(det, images, labels, tile_px, helmet_height):
        ev.add(found, truth)
    if ev.images != files:
        raise ValueError(
            f"{files - ev.images} of {files} images in {images} could not be decoded (see the log)"
        )
    return det, ev


def judged(
    det: HelmetDetector, images: Path, labels: Path, tile_px: int, helmet_height: float = 1.0
) -> Iterator[tuple[Frame, np.ndarray, np.ndarray]]:
    """Each image of `images`, in name order, through the camera workers' analyser with `det`: the frame,
    its hard-hat rows (rows) and its labelled heads from `labels` (none where it has no label file), the
    helmet labels' height times `helmet_height` (vision.labels.as_heads)."""
    from vision.labels import as_heads, read_yolo

    for frame, res in analysed(detect_camera(images, 1.0, False, tile_px), det, None):
        h, w = frame.image.shape[:2]
        truth = read_yolo(labels / (Path(frame.name).stem + ".txt"), w, h)
        yield (
            frame,
            rows(res.detections),
            as_heads(truth, helmet_height, h) if helmet_height != 1.0 else truth,
        )


def _table(name: str, det: HelmetDetector, ev: Evaluator, resampled: np.ndarray | None) -> None:
    """One card's rows: precision and recall at its thresholds, AP50 and its bootstrap interval."""
    from vision.metrics import Spread

    print(f"{name}: thresholds {det.card.thresholds}")
    print(
        f"{'class':<10} {'truth':>6} {'pred':>6} {'precision':>9} {'recall':>7} {'AP50':>6}"
        + (f" {'AP50 95 % interval':>19}" if resampled is not None else "")
    )
    res = ev.result(det.card.thresholds)
    for c, r in enumerate(res):
        s = Spread.of(resampled[:, c]) if resampled is not None else None
        spread = f" {s.low:>9.3f} {s.high:>9.3f}" if s else ""
        print(
            f"{r.label:<10} {r.n_truth:>6} {r.n_pred:>6} {r.precision:>9.3f} {r.recall:>7.3f} {r.ap50:>6.3f}"
            + spread
        )


def evaluate(
    images: Path = typer.Option(..., "--images", help="folder of images"),
    labels: Path = typer.Option(..., "--labels", help="folder of YOLO .txt labels (0 helmet, 1 no_helmet)"),
    model: ModelOption = DEFAULT_MODEL,
    tile_px: TileOption = HELMET_TILE_PX,
    baseline: Path | None = typer.Option(
        None,
        "--baseline",
        help="another hard-hat card (ONNX with its .json beside it) measured on the same images in the same "
        "run: prints its figures and the difference, model minus baseline, with its paired bootstrap interval",
    ),
    bootstrap: int = typer.Option(
        1000,
        "--bootstrap",
        min=0,
        max=100_000,
        help="resamples of the images (drawn with replacement, seed 0) for each AP50's 95 % interval; 0: none",
    ),
    helmet_label_height: float = typer.Option(
        1.0,
        "--helmet-label-height",
        min=1.0,
        max=2.0,
        help="for labels that box only the hard hat, not the head under it: each helmet label's height times "
        "this, its top kept, before matching (a head is the hard hat with the face under it; python -m "
        "training.label_convention measures a label set); 1: the labels as they are",
    ),
) -> None:
    """Precision and recall at the model's thresholds, and AP50, per class against YOLO labels (IoU >= 0.5),
    with the spread of AP50 over bootstrap resamples of the images."""
    from vision.labels import list_images
    from vision.metrics import bootstrap_ap50
    from vision.sources import SourceError

    for p, what in ((images, "--images"), (labels, "--labels")):
        if not p.is_dir():
            raise _fail(f"{what} {p} is not a folder")
    files = list_images(images)
    if not files:
        raise _fail(f"no images in {images}")
    try:
        cards = [(str(model), *_scored(model, images, labels, len(files), tile_px, helmet_label_height))]
        if baseline is not None:
            scored = _scored(baseline, images, labels, len(files), tile_px, helmet_label_height)
            cards.append((f"baseline {baseline}", *scored))
    except (SourceError, FileNotFoundError, ValueError) as e:
        raise _fail(str(e)) from None
    resampled = bootstrap_ap50([ev for _, _, ev in cards], bootstrap) if bootstrap else None
    tiles = f"heads proposed in tiles of {tile_px} px" if tile_px else "whole frames and their mirror"
    spread = f", AP50 intervals over {bootstrap} bootstrap resamples of the images" if bootstrap else ""
    grown = f", helmet labels {helmet_label_height:g}x their height" if helmet_label_height != 1.0 else ""
    print(f"{len(files)} images, IoU >= 0.5{grown}, {tiles}{spread}")
    for k, (name, det, ev) in enumerate(cards):
        _table(name, det, ev, None if resampled is None else resampled[:, k])
    if baseline is not None:
        _difference(cards[0][2], cards[1][2], resampled)


def _difference(model: Evaluator, baseline: Evaluator, resampled: np.ndarray | None) -> None:
    """AP50 of the model minus the baseline's per class and their mean, with the paired interval."""
    import numpy as np

    from vision.metrics import Spread

    ap = np.array([[r.ap50 for r in ev.result({})] for ev in (model, baseline)])
    ap = np.concatenate([ap, ap.mean(1, keepdims=True)], 1)  # the mean of the classes as a last column
    print(
        f"difference, model minus baseline (same images{', paired resamples' if resampled is not None else ''}):"
    )
    for c, label in enumerate([*model.labels, "mean"]):
        line = f"diff {label:<10} AP50 {ap[0, c] - ap[1, c]:+.3f}"
        if resampled is not None:
            per = resampled[:, 0] - resampled[:, 1]
            s = Spread.of(np.concatenate([per, per.mean(1, keepdims=True)], 1)[:, c])
            line += f"  95 % interval {s.low:+.3f} {s.high:+.3f} (std {s.std:.3f})"
        print(line)
