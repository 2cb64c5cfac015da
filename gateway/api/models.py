"""Response models of the API: the OpenAPI document is generated from these."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from contract.config.platform import PlatformSpec
from contract.kinds.confined_space import GasLimits
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
    bands: CraneBands


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
    kinds: list[KindView] = Field(
        default_factory=list,
        description="the kinds of the site's devices, with their metrics' names and units",
    )
    cranes: list[CraneGeometry]
    zones: list[ZoneView]
    pit_points: list[PitPointView]
    cameras: list[CameraView]
    hoists: list[HoistView] = Field(
        default_factory=list, description="construction hoists with their limits (empty: none)"
    )
    formwork_points: list[FormworkPointView] = Field(
        default_factory=list, description="high-formwork monitoring points with their alarm values"
    )
    platforms: list[PlatformView] = Field(
        default_factory=list, description="suspended platforms with their limits (empty: none)"
    )
    confined_spaces: list[ConfinedSpaceView] = Field(
        default_factory=list, description="confined spaces with the gas limits their rules use (empty: none)"
    )


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


class Bands(BaseModel):
    """A gauge's warning / alarm / critical thresholds (same unit as the value)."""

    warning: float
    alarm: float
    critical: float


class CraneBands(BaseModel):
    """The thresholds a crane's gauges draw, from the site's rules."""

    load_pct: Bands = Field(description="% of rated load (also used for moment %)")
    wind_ms: Bands
    tilt_deg: Bands = Field(description="verticality limit as a tilt angle")


class PointLimitView(BaseModel):
    """A pit point metric's alarm values (GB 50497 Table 8.0.4 or the designer's): the trend plot
    draws ``cumulative`` (100 %) and ``warning_fraction`` × it (70 %)."""

    metric: str
    unit: str = Field(description="mm or kN (water level: mm of change from the baseline)")
    cumulative: float | None
    rate_per_day: float | None
    warning_fraction: float
    baseline: float | None = None
    clause: str


class PitPointView(BaseModel):
    """A deep-pit monitoring point and its alarm values."""

    device: str
    code: str
    kind: str
    limits: list[PointLimitView]


class ConfinedSpaceView(BaseModel):
    """A confined space (有限空间) and the limits its card draws its last readings against."""

    id: str
    area: str = Field(description="where it is, e.g. 3号楼北侧 2号污水检查井")
    limits: GasLimits = Field(description="O2 range in % vol; % LEL, H2S and CO (mg/m³) reached are too much")
    test_valid_min: float = Field(description="minutes a complete in-limit reading set allows entry")


class HoistView(BaseModel):
    """A construction hoist's nameplate and the limits its card draws, from the site's rules."""

    id: str
    model: str = Field(description="manufacturer's model, e.g. SC200/200")
    rated_load_t: float = Field(description="t the cage may carry")
    rated_persons: int = Field(description="people the cage may carry; more is an alarm")
    erected_height_m: float = Field(description="m, mast height as erected")
    load_pct: Bands = Field(description="% of rated load (hoist.load)")
    wind_alarm_ms: float = Field(description="m/s at the mast top: no use above it (hoist.wind)")
    moving_ms: float = Field(description="m/s: a cage faster than this is moving (|speed|)")
    arrester_calibrated_on: date = Field(description="the fall arrester's last calibration")
    arrester_valid_until: date = Field(
        description="last day the calibration is valid (JGJ 215-2010 §4.1.7: one year)"
    )


class PlatformView(BaseModel):
    """A suspended platform's nameplate and limits (its site-file section), as its card draws them."""

    id: str
    spec: PlatformSpec = Field(description="the platform's section of the site file: ratings and limits")
    lock_valid_until: date = Field(description="last day the safety locks' calibration is valid")


class FormworkLimitView(BaseModel):
    """One metric's alarm value at a formwork point (DBJ/T 15-197-2020 Table 8.0.4 or the design's)."""

    metric: str = Field(description="settle_mm, disp_h_mm, tilt_deg or axial_kn")
    unit: str = Field(description="mm, ° or kN")
    alarm: float | None = Field(
        description="the alarm value (100 %, a danger alarm); null: kept but not judged (axial force "
        "without a design value)"
    )
    by_size: bool = Field(
        description="judged by its size whatever its sign (settlement, displacement, tilt); axial force "
        "is judged as compression (positive)"
    )


class FormworkPointView(BaseModel):
    """A high-formwork monitoring point and its alarm values."""

    device: str = Field(description="formwork device id")
    code: str = Field(description="the point's code, e.g. M1")
    warning_fraction: float = Field(description="pre-warning at this fraction of the alarm value (0.8)")
    limits: list[FormworkLimitView]


class CameraView(BaseModel):
    """A camera as the dashboard tiles show it."""

    id: str
    name: str
    online: bool
    last_frame_ts: float | None
    helmet_card: str = Field(description="the hard-hat card the camera runs: default or far_field")
    helmet_card_why: str = Field(
        description="the site file's helmet_model, or what helmet_model auto saw: the median head size in "
        "the detector's view over its first minutes"
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
