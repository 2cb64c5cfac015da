"""What vision hands to the alert path: a rule starting or ending on a camera, with its evidence."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Literal

from contract.alert_event import AlertEvent, Level

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

    def to_alert_event(self, project: str) -> AlertEvent:
        """The AlertEvent for the regulator protocol (evidence inline as base64 JPEG)."""
        clause, level = CLAUSES[self.rule]
        details: dict[str, float | str | list[str]] = {"camera": self.camera}
        if self.clip_path:
            details["clip"] = self.clip_path
        return AlertEvent(
            alert_id=f"{project}:{self.camera}:{self.target}:{self.rule}",
            project=project,
            device=self.camera,
            point=self.target,
            rule=self.rule,
            clause=clause,
            level=level,
            state=self.state,
            value=round(self.score, 3),
            ts=self.ts,
            message=self.message,
            details=details,
            evidence=base64.b64encode(self.evidence_jpeg).decode() if self.evidence_jpeg else None,
        )
