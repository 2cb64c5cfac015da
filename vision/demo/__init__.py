"""The demo site's camera: real CC BY 4.0 photos (see cap/ATTRIBUTION.md) replayed as a looping feed."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from contract.config.camera import CameraConfig, VisionConfig, ZoneConfig
from vision.images import read_image

FRAMES = Path(__file__).resolve().parent / "cap" / "images"
CAMERA_SIZE = (1280, 720)


def camera_frames() -> list[np.ndarray]:
    """The shipped photos scaled to a site camera's 1280x720: the frames every vision cost is measured on
    (`make bench`, and the budget `training.evaluate` chooses within)."""
    frames = []
    for p in sorted(FRAMES.iterdir()):
        frames.append(cv2.resize(read_image(p), CAMERA_SIZE))
    return frames


def demo_vision(
    evidence_dir: Path, fps: float = 0.5, exclusion_of: str | None = None, hot_work_at: str | None = None
) -> VisionConfig:
    """One camera over the shipped photos, with the hard-hat check and a danger zone at the hoist's entrance (施工升降机入口:
    its name is what the dashboard, the alerts and the regulator show), and, given ``exclusion_of`` (a
    hoist's id), the lower two thirds of the picture as that hoist's 安拆 exclusion zone (施工升降机安拆警戒区),
    watched by the install rule only while its window is open; given ``hot_work_at`` (a hot-work place), the
    upper half as that place's 动火区: people there with no permit in force are hot_work.zone_unpermitted
    after 20 s (the demo's few minutes; a site's default is 60 s).

    Each photo is held for 3 frames, as a fixed camera sees a still scene: a photo with a bare
    head fires `vision.no_helmet` (2 frames) with evidence within seconds of the demo starting, and
    nothing seen in one photo carries to the next; the zone (middle of the picture) catches the
    workers standing there.
    """
    cam = CameraConfig(
        name="cam-gate",
        source=str(FRAMES),
        loop=True,
        hold_frames=3,
        fps=fps,
        helmet_frames=2,
        persons=False,
        motion_gate=False,
        drawn_on=(640, 640),  # the demo photos' size
        zones=[
            ZoneConfig(
                name="施工升降机入口", polygon=[(160, 120), (480, 120), (480, 420), (160, 420)], inertia=2
            ),
            *(
                [
                    ZoneConfig(
                        name="施工升降机安拆警戒区",
                        polygon=[(0, 200), (640, 200), (640, 640), (0, 640)],
                        inertia=2,
                        exclusion_of=exclusion_of,
                    )
                ]
                if exclusion_of
                else []
            ),
            *(
                [
                    ZoneConfig(
                        name="钢筋加工区动火点",
                        polygon=[(0, 0), (640, 0), (640, 320), (0, 320)],
                        inertia=2,
                        hot_work_at=[hot_work_at],
                        hot_work_settle_s=20.0,
                    )
                ]
                if hot_work_at
                else []
            ),
        ],
    )
    return VisionConfig(cameras=[cam], evidence_dir=evidence_dir, evidence_budget_mb=50)
