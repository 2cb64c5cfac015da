"""Vision cost on this machine: CPU ms per analysed 1280x720 frame, on a still scene, and RSS per camera worker.

One camera worker uses one thread (cv2.setNumThreads(1)), as in production. Frames are the
shipped real photos (vision/demo/cap) scaled to 1280x720. "all checks" = motion gate, hard-hat
network, the SSDLite person network, one danger zone and one protected edge on the whole frame (the gate
switched off, so every frame is a full analysis: the worst case). "still scene" = the same
frame again and again with the gate on. "local motion" = 1920x1080 frames of a still photo with two people
walking in opposite corners, the gate on (heads proposed in the moved tiles only), against a full pass of the
same frames. CPU time is process time of the analysing thread's process.

Run: .venv/bin/python bench/vision_bench.py [--frames N] [--candidate MODEL]

--candidate, a retrained hard-hat model (its ONNX with its card and classifier beside it), is timed on the same
frames in the same run, so it says its frame cost as a ratio to the shipped card's (the machine is shared:
figures from separate runs are not comparable). Since round 17 the far-field card a camera may still name is the
shipped card itself.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import watched
from contract.config.camera import CameraConfig, EdgeConfig, VisionConfig, ZoneConfig
from training.evaluate_persons import HogPersons
from vision.demo import FRAMES, camera_frames
from vision.detectors.helmet import HelmetDetector, head_crops, to_blob
from vision.detectors.onnx_net import OnnxNet
from vision.detectors.person import PersonDetector
from vision.pipeline import CameraAnalyzer
from vision.sources import Frame
from vision.worker import VisionSupervisor

WEIGHTS = (
    Path(__file__).resolve().parents[1] / "training" / "weights"
)  # the fp32 graphs the int8 ones came from


def cpu_ms(fn, n: int) -> float:  # type: ignore[no-untyped-def]
    """Median process-CPU milliseconds of n calls."""
    out = []
    for i in range(n):
        t = time.process_time()
        fn(i)
        out.append((time.process_time() - t) * 1000)
    return statistics.median(out)


def frame_ms(analyzer: CameraAnalyzer, imgs: list[np.ndarray], n: int) -> float:
    """CPU ms per analysed frame, the bench frames in turn, each a new moment of the camera."""
    return cpu_ms(lambda i: analyzer.analyse(Frame(float(i), imgs[i % len(imgs)], str(i), True)), n)


def runtime_costs(helmet: HelmetDetector, imgs: list[np.ndarray], n: int, tile_px: int) -> dict[str, float]:
    """CPU ms per frame of both hard-hat networks: shipped (int8, onnxruntime) and the two baselines.

    Same inputs for all three: the detector's letterboxed tiles of the frame as a camera at
    ``tile_px`` cuts them and the classifier's crops of the shipped proposals. Baselines: the float networks the int8
    ones were quantised from (training/weights/) in onnxruntime, and in cv2.dnn (the first runtime).
    """
    c = helmet.card.classifier
    inputs = [
        (
            [inp.blob for inp in helmet.proposer.inputs(img, tile_px)],
            to_blob(head_crops(img, helmet.candidates(img, tile_px), c.context, c.input)),
        )
        for img in imgs
    ]
    det_fp32, cls_fp32 = WEIGHTS / "helmet_det_fp32.onnx", WEIGHTS / "helmet_cls_fp32.onnx"
    runners: dict[str, tuple[Callable[[np.ndarray], object], Callable[[np.ndarray], object]]] = {
        "int8_onnxruntime": (helmet.proposer.net, helmet.cls_net),
        "fp32_onnxruntime": (OnnxNet(det_fp32), OnnxNet(cls_fp32)),
        "fp32_cv2dnn": (_dnn(det_fp32), _dnn(cls_fp32)),
    }

    def timed(det: Callable[[np.ndarray], object], cls: Callable[[np.ndarray], object]) -> float:
        def once(i: int) -> None:
            blobs, crops = inputs[i % len(inputs)]
            for b in blobs:
                det(b)
            cls(crops)

        return cpu_ms(once, n)

    return {name: timed(*nets) for name, nets in runners.items()}


def _dnn(path: Path) -> Callable[[np.ndarray], object]:
    net = cv2.dnn.readNetFromONNX(str(path))

    def run(x: np.ndarray) -> object:
        net.setInput(x)
        return net.forward()

    return run


def walking(imgs: list[np.ndarray], n: int) -> list[np.ndarray]:
    """``n`` 1920x1080 frames of a still site (a shipped photo) where two people (crops of other shipped
    photos, 240x360) walk 40 px a frame in opposite corners: the motion gate's window is the whole frame (its
    regions lie far apart), the moved tiles two or three of the six."""
    scene = cv2.resize(imgs[0], (1920, 1080))
    a, b = (cv2.resize(imgs[k], (640, 360))[:, 200:440] for k in (1, 2))
    frames = []
    for i in range(n):
        f = scene.copy()
        x = 40 * (i % 8)
        f[40:400, 40 + x : 280 + x] = a
        f[680:1040, 1600 - x : 1840 - x] = b
        frames.append(f)
    return frames


def local_motion(cam: CameraConfig, helmet: HelmetDetector, persons: PersonDetector, n: int) -> str:
    """CPU per analysed 1080p frame with two people walking in opposite corners: the gate on (heads
    proposed in the moved tiles only), against a full pass of each of the same frames, same run."""
    frames = walking(camera_frames(), n + 1)
    at_1080 = cam.model_copy(update={"drawn_on": (1280, 720), "still_recheck_s": 1e9})
    gated = CameraAnalyzer(at_1080, helmet, persons)
    gated.analyse(Frame(0.0, frames[0], "0", True))  # the first frame is a full pass
    tiles = helmet.proposer.net
    passes = 0

    def counted(x: np.ndarray) -> np.ndarray:
        nonlocal passes
        passes += 1
        return tiles(x)

    helmet.proposer.net = counted  # type: ignore[assignment]
    try:
        moving_ms = cpu_ms(lambda i: gated.analyse(Frame(1.0 + i, frames[1 + i], str(i), True)), n)
    finally:
        helmet.proposer.net = tiles
    full = CameraAnalyzer(at_1080.model_copy(update={"motion_gate": False}), helmet, persons)
    full_ms = cpu_ms(lambda i: full.analyse(Frame(1.0 + i, frames[1 + i], str(i), True)), n)
    return (
        f"vision_frame_local_motion_1920x1080: {moving_ms:.1f} ms_cpu, {passes / n - 1:.1f} of 6 hard-hat tiles "
        f"run a frame (the moved ones); a full pass of the same frames (all 6 tiles, as every motion "
        f"pass whose window was the whole frame ran before): {full_ms:.1f} ms_cpu ({moving_ms / full_ms:.2f}x)"
    )


def worker_rss_mb(folder: Path) -> float:
    """Resident memory of one real camera worker process after it analysed a few frames."""
    cam = CameraConfig(name="bench", source=str(folder), loop=True, fps=5)
    frames: list[object] = []
    with tempfile.TemporaryDirectory() as tmp:
        sup = VisionSupervisor(
            VisionConfig(cameras=[cam], evidence_dir=Path(tmp)), lambda e: None, frames.append
        )
        sup.start()
        try:
            end = time.monotonic() + 60
            while len(frames) < 10 and time.monotonic() < end:
                time.sleep(0.2)
            pid = sup._workers[0].proc.pid  # type: ignore[union-attr]
            status = Path(f"/proc/{pid}/status").read_text()
            return int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmRSS"))) / 1024
        finally:
            sup.stop()


def main() -> None:
    """Print the figures as `name: value unit` lines."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=24)
    ap.add_argument(
        "--candidate",
        type=Path,
        default=None,
        help="a hard-hat ONNX with its .json card and its classifier beside it, timed beside the shipped card",
    )
    args = ap.parse_args()
    cv2.setNumThreads(1)
    imgs = camera_frames()
    with tempfile.TemporaryDirectory() as tmp:
        ref = Path(tmp) / "ref.jpg"
        cv2.imwrite(str(ref), imgs[0])
        cam = CameraConfig(
            name="bench",
            source="bench",
            drawn_on=(1280, 720),  # the bench frames' size
            zones=[ZoneConfig(name="pit", polygon=[(100, 400), (700, 400), (700, 700), (100, 700)])],
            edges=[EdgeConfig(name="edge", polyline=[(100, 380), (1200, 380)])],
            edge_reference=ref,
            still_recheck_s=1e9,
        )
        helmet, persons = HelmetDetector(), PersonDetector()
        every_frame = cam.model_copy(update={"motion_gate": False})
        full = CameraAnalyzer(every_frame, helmet, persons)
        # baseline: the same frame with the person check shipped before (HOG), same run
        hog = HogPersons()
        full_hog = CameraAnalyzer(every_frame, helmet, hog)  # type: ignore[arg-type]
        full_ms = frame_ms(full, imgs, args.frames)
        hog_frame_ms = frame_ms(full_hog, imgs, args.frames)
        # and with the hard-hat detector on the whole frame and its mirror image (no tiles: before)
        whole = CameraAnalyzer(every_frame.model_copy(update={"helmet_tile_px": 0}), helmet, persons)
        whole_ms = frame_ms(whole, imgs, args.frames)
        print(
            f"vision_frame_all_checks_1280x720: {full_ms:.1f} ms_cpu (heads in tiles of {cam.helmet_tile_px} px); "
            f"same frames with HOG persons (before): {hog_frame_ms:.1f} ms_cpu ({full_ms / hog_frame_ms:.2f}x); "
            f"whole frame and its mirror (helmet_tile_px 0, before): {whole_ms:.1f} ms_cpu "
            f"({full_ms / whole_ms:.2f}x)"
        )
        print(
            f"vision_frame_whole_1280x720: {whole_ms:.1f} ms_cpu (hard hats on the whole frame and its mirror)"
        )
        for name, model in [("candidate", args.candidate)] if args.candidate else []:
            other_ms = frame_ms(
                CameraAnalyzer(every_frame, HelmetDetector(model), persons), imgs, args.frames
            )
            print(
                f"vision_frame_all_checks_{name}_1280x720: {other_ms:.1f} ms_cpu with {model} "
                f"({other_ms / full_ms:.2f}x the default card's {full_ms:.1f} ms_cpu, same run)"
            )
        print(local_motion(cam, helmet, persons, args.frames))
        still = CameraAnalyzer(cam, helmet, persons)
        still.analyse(Frame(0.0, imgs[0], "0", True))
        print(
            f"vision_frame_still_scene_1280x720: "
            f"{cpu_ms(lambda i: still.analyse(Frame(1.0 + i, imgs[0], str(i), True)), args.frames * 4):.2f}"
            f" ms_cpu"
        )
        print(
            "vision_helmet_net_only_1280x720: "
            f"{cpu_ms(lambda i: helmet.raw(imgs[i % len(imgs)], tile_px=cam.helmet_tile_px), args.frames):.1f}"
            " ms_cpu"
        )
        costs = runtime_costs(helmet, imgs, args.frames, cam.helmet_tile_px)
        shipped = costs["int8_onnxruntime"]
        print(
            f"vision_helmet_nets_int8_onnxruntime: {shipped:.1f} ms_cpu; same inputs, baselines: "
            + ", ".join(
                f"{k} {v:.1f} ms_cpu ({v / shipped:.2f}x)"
                for k, v in costs.items()
                if k != "int8_onnxruntime"
            )
        )
        ssd_ms = cpu_ms(lambda i: persons.detect(imgs[i % len(imgs)]), args.frames)
        hog_ms = cpu_ms(lambda i: hog.detect(imgs[i % len(imgs)]), args.frames)
        print(
            f"vision_persons_only_1280x720: {ssd_ms:.1f} ms_cpu; HOG (before) {hog_ms:.1f} ms_cpu "
            f"({ssd_ms / hog_ms:.2f}x)"
        )
    print(f"vision_worker_rss: {worker_rss_mb(FRAMES):.0f} MB")


if __name__ == "__main__":
    with watched():
        main()
