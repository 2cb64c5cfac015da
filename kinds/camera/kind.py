"""Cameras as devices of the site file: the counts vision's workers report for each analysed frame.

A site's cameras are configured under ``vision.cameras``; their checks are judged in vision's worker and by
the vision rules (rules/vision_rules.py), and a silent camera is camera.offline, not device.offline. The
people it counts in a zone marked for hot work are judged against the permits by the site's hot-work rules
(rules/hot_work_zone.py), whose rule the welder kind declares with the other hot_work rules.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contract.config.device import DeviceConfig
from contract.kinds.kind import Kind, Metric


class CameraDevice(DeviceConfig):
    """A camera read as a device (its per-frame counts)."""

    kind: Literal["camera"] = Field(title="Kind", description="camera: per-frame counts of a camera")


KIND = Kind(
    name="camera",
    zh="摄像头",
    en="camera",
    device=CameraDevice,
    metrics=(
        Metric("persons", "人数", "", "persons", summary="max"),
        Metric("no_helmet", "未戴安全帽", "", "no hard hat"),
        Metric("edge_missing", "临边缺失", "", "edge protection missing"),
        Metric("zone_intrusions", "闯入", "", "zone intrusions"),
        Metric("exclusion_persons", "警戒区人数", "", "people in an 安拆 exclusion zone"),
        Metric("hot_work_persons", "动火区人数", "", "people in a zone marked for hot work"),
    ),
    watched=False,
    rules={
        "vision.no_helmet": "未戴安全帽",
        "vision.edge_missing": "临边防护缺失",
        "vision.zone_intrusion": "危险区闯入",
        "camera.offline": "摄像头离线",
    },
    simulator="kinds.camera.sim:CameraSim",
    card="kinds.camera.card:CARD",
)
