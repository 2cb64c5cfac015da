"""What vision hands to the alert path: a check starting or ending on a camera, with its evidence.

Vision's workers say what they saw (``message``: in Chinese, without the camera's name; ``message_en`` the
same in English) and keep the evidence; the rules word it as an alert, with its clause and what to do
(rules/vision_rules.py), and the shell only forwards the verdict to the alert manager.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class VisionEvent:
    """A vision check became true (firing) or stopped being true (resolved) on one camera."""

    camera: str
    rule: str  # vision.no_helmet, vision.edge_missing, vision.zone_intrusion or camera.offline
    target: str  # zone or edge name, "" for the hard-hat check and camera.offline
    state: Literal["firing", "resolved"]
    ts: float
    score: float
    message: str = ""  # what was seen while firing, in Chinese, without the camera's name ("" once resolved)
    evidence_jpeg: bytes | None = None
    evidence_path: str = ""
    clip_path: str = ""  # written `clip_post_s` after the event
    message_en: str = ""  # the same in English
