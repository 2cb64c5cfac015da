"""What vision hands to the alert path: a rule starting or ending on a camera, with its evidence.

The shell turns each into the alert manager's verdict (sitegw/cameras.py, ``to_rule_result``): the one
place a vision event becomes an alert. An event's ``message`` is what was seen, in Chinese, without the
camera's name (``message_en`` the same in English); the shell names the camera and adds the action.

Hard hats and generic edge protection are everyday hazards (一般隐患), not items of the 2024
major-hazard criteria (docs/standards.md §3); a site's danger zones and its cameras are its own
arrangements, and their clauses say so instead of naming a standard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from contract.alert_event import Level

CLAUSES: dict[str, tuple[str, Level]] = {
    "vision.no_helmet": (
        "JGJ 59-2011 进入施工现场的人员应正确佩戴安全帽并系紧下颏带（安全帽符合 GB 2811）；一般隐患",
        "warning",
    ),
    "vision.edge_missing": (
        "JGJ 80-2016 临边作业应设防护栏杆（上杆 1.0–1.2 m、中杆 0.5–0.6 m、挡脚板不低于 180 mm）；一般隐患",
        "alarm",
    ),
    "vision.zone_intrusion": ("本站自设禁入区（非标准条文）：人员不得进入", "alarm"),
    "camera.offline": ("本站视频监控中断（非标准条文）：该摄像头的安全帽、临边、禁入区检查暂停", "warning"),
}

# what to do while a rule fires, in Chinese and in English
ACTIONS: dict[str, tuple[str, str]] = {
    "vision.no_helmet": ("立即佩戴安全帽", "put on a hard hat now"),
    "vision.edge_missing": (
        "恢复临边防护，恢复前禁止人员靠近临边",
        "restore the edge protection; keep people off the edge until then",
    ),
    "vision.zone_intrusion": ("人员撤出危险区域", "get everyone out of the danger zone"),
    "camera.offline": (
        "检查摄像头供电与网络，恢复前安排人员现场巡查",
        "check the camera's power and network; patrol on foot until it is back",
    ),
}

# the words burned into evidence pictures for each rule (Chinese: the people on site read them)
LABELS: dict[str, str] = {
    "vision.no_helmet": "未戴安全帽",
    "vision.edge_missing": "临边防护缺失",
    "vision.zone_intrusion": "人员进入禁入区",
}


def cleared_what(rule: str, target: str) -> tuple[str, str]:
    """What a rule that stopped firing says, in Chinese and English (the shell adds "back to normal")."""
    if rule == "vision.no_helmet":
        return "未再发现未戴安全帽人员", "sees no one without a hard hat any more"
    if rule == "vision.edge_missing":
        return f"临边 {target} 防护在位", f"sees edge protection at {target} in place"
    if rule == "vision.zone_intrusion":
        return f"禁入区 {target} 内已无人员", f"sees nobody inside danger zone {target}"
    return "视频在线", "online"


@dataclass(frozen=True, slots=True)
class VisionEvent:
    """A vision rule became true (firing) or stopped being true (resolved) on one camera."""

    camera: str
    rule: str
    target: str  # zone or edge name, "" for the hard-hat check and camera.offline
    state: Literal["firing", "resolved"]
    ts: float
    score: float
    message: str  # what was seen, in Chinese, without the camera's name
    evidence_jpeg: bytes | None = None
    evidence_path: str = ""
    clip_path: str = ""  # written `clip_post_s` after the event
    message_en: str = ""  # the same in English
