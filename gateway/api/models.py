"""Response models of the API: the OpenAPI document is generated from these."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from gateway.alerts.models import Alert, AlertDetail
from gateway.uplinks.decisions import Decision


class MetricView(BaseModel):
    """One metric of a kind, as its declaration names it (contract/kinds/)."""

    name: str = Field(description="the metric's id, e.g. load_t")
    zh: str = Field(description="its Chinese name, e.g. 起重量")
    en: str = Field("", description="its English name")
    unit: str = Field("", description="its unit, e.g. t")
    text: bool = Field(False, description="a text value (a driver's card), never a number")
    states: dict[int, str] = Field(
        default_factory=dict,
        description="a state coded as a number: each value and its words, e.g. 0: 全部关闭",
    )


class KindView(BaseModel):
    """A kind of device on the site, as its declaration describes it."""

    name: str = Field(description="the kind, e.g. crane")
    zh: str = Field(description="its Chinese name, e.g. 塔吊")
    en: str = Field(description="its English name")
    card: str = Field(description="how the dashboard draws its devices: its own card, or generic")
    script: str = Field(
        "", description="the script of its card, relative to the dashboard (cards/crane.js); empty: none"
    )
    metrics: list[MetricView] = Field(description="every metric its devices report")


class DeviceView(BaseModel):
    """A device with its link state."""

    id: str
    name: str
    kind: str
    kind_name: str = Field("", description="the kind's Chinese name, e.g. 塔吊")
    card: str = Field("generic", description="how the dashboard draws it: its kind's card, or generic")
    profile: str
    transport: str = Field(description="modbus_tcp, modbus_rtu or mqtt")
    online: bool | None = Field(description="None until the device was heard from")
    reason: str = Field("", description="why it is offline")
    last_reading_ts: float | None
    readings: int = Field(description="readings since the gateway started")
    latest: list[dict[str, Any]] = Field(default_factory=list)


class ZoneView(BaseModel):
    """A no-lift zone on the site plan."""

    name: str
    polygon: list[tuple[float, float]]


class SiteView(BaseModel):
    """The project, its devices and its plan; each kind's card adds its own list (``site_view_model``)."""

    code: str
    name: str
    city: str
    district: str
    devices: list[DeviceView]
    kinds: list[KindView] = Field(
        default_factory=list,
        description="the kinds of the site's devices, with their metrics' names and units",
    )
    zones: list[ZoneView]
    cameras: list[CameraView]


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


class Gb28181Health(BaseModel):
    """The site as a GB/T 28181 device on its video platform."""

    registered: bool = Field(description="registered with the platform now")
    registrations: int = Field(description="registrations granted since start (renewals included)")
    keepalives_answered: int = Field(description="keepalives the platform answered since start")
    streams: int = Field(description="live views being sent now")
    last_error: str = Field(description="why the last registration failed or was lost; empty when it holds")
    channels: list[str] = Field(description="the channel IDs offered to the platform")


class HealthView(BaseModel):
    """What an operator checks first when something looks wrong."""

    version: str
    uptime_s: float
    readings_in: int
    devices: dict[str, dict[str, Any]]
    store: dict[str, Any]
    influx: dict[str, Any] | None
    uplinks: dict[str, Any]
    cameras: list[dict[str, Any]] = Field(description="camera workers (empty when the site has none)")
    patrol: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description="camera patrol per regulator uplink: pictures waiting, sent and dropped (replaced by a "
        "newer one or over the disk budget) since start; empty without patrol",
    )
    clips: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description="vision alerts' evidence clips per regulator uplink that takes them: waiting, sent and "
        "dropped (over vision.clip_budget_mb, refused, or their alert never reached the regulator) since "
        "start; empty without cameras",
    )
    gb28181: Gb28181Health | None = Field(
        None, description="registration with the GB/T 28181 video platform; null without a gb28181 section"
    )
    live_clients: int = Field(description="SSE and WebSocket clients connected")
    versions: dict[str, str] = Field(description="sitegw, Python and the main libraries")


class CameraView(BaseModel):
    """A camera as the dashboard tiles show it."""

    id: str
    name: str
    online: bool
    last_frame_ts: float | None
    late_s: float | None = Field(
        None,
        description="seconds from a frame being taken to its analysis done, the worst of the last 10 s (or "
        "the wait for the next frame past the camera's rate, when longer); null before the first frame "
        "and while offline",
    )
    behind: bool = Field(
        False,
        description="late_s above 2 s: the box cannot judge this camera in time (too many cameras for its "
        "cores, or a stalled worker); see the vision page of the site guide for sizing",
    )


class AlertAction(BaseModel):
    """A supervisor's note with an acknowledgement or resolution (what was done, who was called)."""

    note: str = Field("", max_length=2000, description="e.g. 已通知司机停止起吊，卸载至额定以下")


class SilenceRequest(BaseModel):
    """A maintenance window set from the API; the author is the logged-in user."""

    device: str = Field("", description="device id; empty: every device")
    rule: str = Field("", description="rule id; empty: every rule")
    point: str = Field("", description="monitoring point; empty: every point")
    reason: str = Field(min_length=1, max_length=500, description="why, e.g. 1号塔吊顶升加节")
    start_ts: float | None = Field(None, description="Unix seconds; default now")
    end_ts: float = Field(description="Unix seconds")


class AlertView(Alert):
    """An alert with the regulator's latest decision on it: an annotation, the alert's own state stays its own."""

    regulator: Decision | None = Field(
        None,
        description="the regulator's latest decision (e.g. 监管: 限期整改至 "
        "2026-12-01); None until it decided",
    )


class AlertDetailView(AlertDetail):
    """An alert with every change of its life and every decision of the regulator on it, oldest first."""

    alert: AlertView
    decisions: list[Decision] = Field(
        default_factory=list, description="the regulator's decisions, oldest first"
    )


class StreamPosition(BaseModel):
    """Where the live stream is now, to start streaming from after loading a snapshot."""

    last_event_id: str = Field(
        description="id of the newest event (BOOT.SEQ): pass it as the stream's "
        "`last_event_id` after loading the snapshot, so nothing published "
        "meanwhile is missed"
    )


class PourStateView(BaseModel):
    """One high-formwork device's pour: under way or not, and who last started or ended it."""

    device: str = Field(description="formwork device id, e.g. formwork-1")
    name: str = Field(description="display name, e.g. 3号楼5层高支模")
    area: str = Field("", description="where the formwork stands")
    active: bool = Field(description="a pour is under way (the rules watch its points as a pour)")
    changed_ts: float | None = Field(None, description="Unix seconds of the last start or end; null: never")
    changed_by: str = Field("", description="the user who started the pour under way, or ended the last one")


class KeyPersonView(BaseModel):
    """One key person (关键岗位人员) and whether the access gates saw them enter."""

    id: str = Field(description="the id the access gates report, e.g. KP-01")
    name: str = Field(description="full name")
    role: str = Field(description="project_manager, safety_officer, chief_supervisor or technical_lead")
    role_zh: str = Field(description="the role in Chinese, e.g. 项目负责人")
    on_site: bool = Field(description="the gates saw them enter and not leave")
    since: float | None = Field(None, description="Unix seconds of their entry, when on site")
    certificate_no: str = Field("", description="safety assessment certificate number (考核合格证书)")
    certificate_valid_until: date | None = Field(None, description="the certificate's expiry date")
    certificate_valid: bool = Field(description="the certificate is valid today (or no expiry is known)")


class PersonnelOnSiteView(BaseModel):
    """The key people, on site or not, and how many other workers are in."""

    key_people: list[KeyPersonView]
    others_on_site: int = Field(description="workers on site who are not key personnel (head count)")
