"""The smoke/heat detectors' section of the site file's ``rules:`` (docs/standards.md §18, "smoke/heat detector
alarm near a just-closed permit → alarm (watch period configurable, 30 min is common practice [U])"). GB 50720
§6.3.1(8) asks for the place to be checked after hot work, and gives no period: the watch period is practice,
set per site or per detector under ``rules.devices.<id>.fire_detector``."""

from __future__ import annotations

from pydantic import Field

from contract.config.common import Model


class FireDetectorRule(Model):
    """fire_detector.alarm: how long after hot work a detector's alarm is named that work's (docs/standards.md §18)."""

    watch_min: float = Field(
        30.0,
        gt=0,
        le=1440,
        title="Watch after hot work",
        description="minutes after a permit at the detector's place stopped being in force (closed, or its "
        "window or validity over) within which an alarm is named a suspected rekindling of that hot work; "
        "at exactly this many minutes it still is (以内) [U: practice, 30 min]",
    )
