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


def _fill_slots(
    self: Reading,
    ts: float,
    project: str,
    device: str,
    metric: str,
    value: float | str,
    unit: str = "",
    quality: Quality = Quality.OK,
    point: str = "",
) -> None:
    """Reading's constructor: the dataclass's own, but each field stored through its slot directly.

    A frozen dataclass stores every field with ``object.__setattr__`` (a generic attribute lookup
    per field), which made building a Reading 1.1-1.4 µs, the largest cost a Modbus poll paid in
    Python after the network (README, performance); setting the slots directly takes half of that.
    Assignment after construction still raises FrozenInstanceError: only this function has the
    slots' setters. tests/contract/test_readings.py holds it to the dataclass's fields and defaults.
    """
    _set_ts(self, ts)
    _set_project(self, project)
    _set_device(self, device)
    _set_metric(self, metric)
    _set_value(self, value)
    _set_unit(self, unit)
    _set_quality(self, quality)
    _set_point(self, point)


_slot = Reading.__dict__
_set_ts, _set_project, _set_device, _set_metric = (
    _slot[n].__set__ for n in ("ts", "project", "device", "metric")
)
_set_value, _set_unit, _set_quality, _set_point = (
    _slot[n].__set__ for n in ("value", "unit", "quality", "point")
)
_fill_slots.__qualname__ = "Reading.__init__"
Reading.__init__ = _fill_slots  # type: ignore[method-assign]


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
