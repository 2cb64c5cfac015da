"""What vision hands to the alert path: a rule starting or ending on a camera, with its evidence.

The shell turns each into the alert manager's verdict (sitegw/cameras.py, ``to_rule_result``): the one
place a vision event becomes an alert."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from contract.alert_event import Level

CLAUSES: dict[str, tuple[str, Level]] = {
    "vision.no_helmet": ("JGJ 59-2011 (hard hats per GB 2811)", "warning"),
    "vision.edge_missing": ("JGJ 80-2016 临边防护", "alarm"),
    "vision.zone_intrusion": ("site danger zone 禁入区", "alarm"),
    "camera.offline": ("camera link", "warning"),
}


@dataclass(frozen=True, slots=True)
class VisionEvent:
    """A vision rule became true (firing) or stopped being true (resolved) on one camera."""

    camera: str
    rule: str
    target: str  # zone or edge name, "" for the hard-hat check and camera.offline
    state: Literal["firing", "resolved"]
    ts: float
    score: float
    message: str
    evidence_jpeg: bytes | None = None
    evidence_path: str = ""
    clip_path: str = ""  # written `clip_post_s` after the event
