"""The cameras' checks as rules: vision.no_helmet, vision.edge_missing, vision.zone_intrusion, camera.offline.

Vision's workers judge frames (vision/) and report a check starting or ending on a camera as a VisionEvent
(contract/vision_event.py); here each becomes a verdict like every other rule's: its clause, its level, the
camera named, and while it fires what to do (rules/wording.py). Hard hats and generic edge protection are
everyday hazards (一般隐患), not items of the 2024 major-hazard criteria (docs/standards.md §3); a site's
danger zones and its cameras are its own arrangements, and their clauses say so instead of naming a
standard.
"""

from __future__ import annotations

import base64
import time

from contract.alert_event import Level
from contract.vision_event import VisionEvent
from rules.result import RuleResult
from rules.wording import pick, pick_en

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


def cleared_what(rule: str, target: str) -> tuple[str, str]:
    """What a check that stopped firing says, in Chinese and English (the wording adds "back to normal")."""
    if rule == "vision.no_helmet":
        return "未再发现未戴安全帽人员", "sees no one without a hard hat any more"
    if rule == "vision.edge_missing":
        return f"临边 {target} 防护在位", f"sees edge protection at {target} in place"
    if rule == "vision.zone_intrusion":
        return f"禁入区 {target} 内已无人员", f"sees nobody inside danger zone {target}"
    return "视频在线", "online"


def to_rule_result(event: VisionEvent) -> RuleResult:
    """A vision check's change as the alert manager takes every rule's verdict: the camera named, and
    while it fires the action to take."""
    clause, firing_level = CLAUSES[event.rule]
    level = firing_level if event.state == "firing" else None
    action, action_en = ACTIONS[event.rule]
    what, what_en = (
        (event.message, event.message_en or event.message)
        if level
        else cleared_what(event.rule, event.target)
    )
    details: dict[str, float | str | list[str]] = {"camera": event.camera}
    if event.clip_path:
        details["clip"] = event.clip_path
    return RuleResult(
        rule=event.rule,
        device=event.camera,
        point=event.target,
        level=level,
        ts=event.ts or time.time(),
        clause=clause,
        value=round(event.score, 3),
        unit="",
        message=pick(level, f"摄像头 {event.camera} {what}", action),
        message_en=pick_en(level, f"camera {event.camera} {what_en}", action_en),
        details=details,
        evidence=base64.b64encode(event.evidence_jpeg).decode() if event.evidence_jpeg else None,
    )
