"""The words burned into evidence pictures for each camera check (Chinese: the people on site read them).

What a check's alert says, its clause and its action are the rules' (rules/vision_rules.py); a VisionEvent is
the contract's (contract/vision_event.py).
"""

from __future__ import annotations

LABELS: dict[str, str] = {
    "vision.no_helmet": "未戴安全帽",
    "vision.edge_missing": "临边防护缺失",
    "vision.zone_intrusion": "人员进入禁入区",
}
