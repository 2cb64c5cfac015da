"""Response models of the API: the OpenAPI document is generated from these."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class DeviceView(BaseModel):
    """A device with its link state."""

    id: str
    name: str
    kind: str
    profile: str
    transport: str = Field(description="modbus_tcp, modbus_rtu or mqtt")
    online: bool | None = Field(description="None until the device was heard from")
    reason: str = Field("", description="why it is offline")
    last_reading_ts: float | None
    readings: int = Field(description="readings since the gateway started")
    latest: list[dict[str, Any]] = Field(default_factory=list)


class CraneGeometry(BaseModel):
    """Where a crane stands and how far it reaches, for the site plan."""

    id: str
    x: float
    y: float
    jib_m: float
    counter_jib_m: float
    jib_height_m: float
    slew_offset_deg: float
    slew_direction: str


class ZoneView(BaseModel):
    """A no-lift zone on the site plan."""

    name: str
    polygon: list[tuple[float, float]]


class SiteView(BaseModel):
    """The project, its devices and its plan."""

    code: str
    name: str
    city: str
    district: str
    devices: list[DeviceView]
    cranes: list[CraneGeometry]
    zones: list[ZoneView]


class LatestView(BaseModel):
    """The latest value of one series."""

    device: str
    point: str
    metric: str
    value: float | str
    unit: str
    ts: float
    quality: str


class HistoryView(BaseModel):
    """History of one series; bucket_s 0 means raw readings."""

    device: str
    point: str
    metric: str
    unit: str
    start: float
    end: float
    bucket_s: float
    points: list[dict[str, Any]]


class HealthView(BaseModel):
    """What an operator checks first when something looks wrong."""

    version: str
    uptime_s: float
    readings_in: int
    devices: dict[str, dict[str, Any]]
    store: dict[str, Any]
    influx: dict[str, Any] | None
    uplinks: dict[str, Any]
