"""The values that flow through the gateway: one Reading per measured value.

Drivers produce Readings, everything downstream (rules, stores, API, uplinks) consumes them.
Keeping this type tiny and immutable is what lets one event loop move tens of thousands
of them per second.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Quality(StrEnum):
    """How far a Reading can be trusted (docs/design.md: ok, stale, fault, backfill)."""

    OK = "ok"
    STALE = "stale"  # last known value repeated after the device stopped answering
    FAULT = "fault"  # the sensor itself is judged broken (sensor.fault), no hazard may come from it
    BACKFILL = "backfill"  # recorded earlier, delivered late (补传)


@dataclass(slots=True, frozen=True)
class Reading:
    """One value of one metric of one device (and monitoring point), at one instant.

    ``ts`` is Unix seconds (UTC, float). ``value`` is a float for measurements and a str for
    the few text metrics (``operator_id``). ``point`` is the site's own code of a pit
    monitoring point (``ZQS-01``) and empty for devices that are a single point.
    """

    ts: float
    project: str
    device: str
    metric: str
    value: float | str
    unit: str = ""
    quality: Quality = Quality.OK
    point: str = ""


@dataclass(slots=True, frozen=True)
class DeviceStatus:
    """A change of a device's link state, published by its driver.

    ``online`` False means the device stopped answering (``reason`` says how); rules turn a
    lasting offline state into ``device.offline`` alerts.
    """

    ts: float
    device: str
    online: bool
    reason: str = ""
