"""The site file: one YAML per construction site, validated as a whole."""

from __future__ import annotations

from pydantic import Field, model_validator

from contract.config.camera import VisionConfig
from contract.config.common import Model
from contract.config.crane import CraneSpec, Operator, Zone
from contract.config.formwork import FormworkSpec
from contract.config.gb28181 import Gb28181Config
from contract.config.hoist import HoistSpec
from contract.config.personnel import KeyPerson
from contract.config.pit import PitSpec
from contract.config.profile import DeviceKind
from contract.config.rules import RulesConfig
from contract.config.sinks import ApiConfig, InfluxConfig, LocalStoreConfig
from contract.config.siren import SirenOutput
from contract.config.transport import ModbusRtuTransport, MqttBroker, MqttTransport, Transport
from contract.config.uniqueness import DUPLICATE_DEVICE_ID, require_unique
from contract.config.uplinks import OutboxConfig, Uplink


class ProjectInfo(Model):
    """The works as the housing authority registered them."""

    code: str = Field(
        min_length=1, title="Project code", description="regulator's project code, e.g. GD-SZ-2026-0001"
    )
    name: str = Field("", title="Name", description="project name")
    city: str = Field("", title="City", description="e.g. 深圳")
    district: str = Field("", title="District", description="e.g. 南山区")
    contractor: str = Field("", title="Contractor", description="general contractor")


# the kinds that need a section of their own, and what it holds (for the error that asks for it)
KIND_SECTIONS = {
    "crane": "position_m, jib_m, counter_jib_m, jib_height_m, load_chart",
    "pit": "grade, support, excavation_depth_m, points",
    "hoist": "rated_load_t, rated_persons, erected_height_m, arrester_calibrated_on",
    "formwork": "points with their codes and alarm values",
}


class DeviceConfig(Model):
    """One device on the site and how to reach it."""

    id: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        title="Device id",
        description="unique on the site, e.g. crane-1 (letters, digits, - _ .)",
    )
    name: str = Field("", title="Name", description="display name, e.g. 1号塔吊")
    kind: DeviceKind = Field(
        title="Kind",
        description="crane, anemometer, pit, hoist, formwork, attendance (access gates), camera or generic",
    )
    profile: str = Field(title="Profile", description="name of a file in config/profiles (without .yaml)")
    transport: Transport = Field(title="Transport", description="modbus_tcp, modbus_rtu or mqtt")
    poll_interval_s: float = Field(
        1.0,
        gt=0,
        le=86400,
        title="Poll interval",
        description="seconds between polls (Modbus); expected reporting interval (MQTT)",
    )
    timeout_s: float = Field(1.0, gt=0, le=60, title="Timeout", description="seconds to wait for each answer")
    retries: int = Field(
        2,
        ge=0,
        le=10,
        title="Retries",
        description="failed polls in a row before the device is marked offline",
    )
    backoff_max_s: float = Field(
        30,
        gt=0,
        title="Backoff cap",
        description="longest wait between reconnect attempts of an offline device",
    )
    crane: CraneSpec | None = Field(
        None, title="Crane", description="for kind crane: geometry and load chart"
    )
    serves: list[str] = Field(
        default_factory=list, title="Serves", description="for kind anemometer: the cranes whose wind this is"
    )
    pit: PitSpec | None = Field(None, title="Pit", description="for kind pit: grade, support and points")
    hoist: HoistSpec | None = Field(
        None, title="Hoist", description="for kind hoist: rated load and persons, height, fall arrester"
    )
    formwork: FormworkSpec | None = Field(
        None, title="Formwork", description="for kind formwork: monitoring points and their alarm values"
    )

    @model_validator(mode="after")
    def _kind_fields(self) -> DeviceConfig:
        for kind, needs in KIND_SECTIONS.items():
            section = getattr(self, kind)
            if self.kind == kind and section is None:
                raise ValueError(f"a {kind} needs {kind}: ({needs})")
            if section is not None and self.kind != kind:
                raise ValueError(f"{kind}: is only for kind {kind}, this device is kind {self.kind}")
        return self


def point_codes(device: DeviceConfig) -> frozenset[str] | None:
    """The monitoring point codes a device may report (None: any, or single-point devices)."""
    if device.pit is not None:
        return frozenset(p.code for p in device.pit.points)
    if device.formwork is not None:
        return frozenset(p.code for p in device.formwork.points)
    return None


class SiteConfig(Model):
    """Everything one gateway needs to run a site."""

    project: ProjectInfo = Field(title="Project", description="the works")
    devices: list[DeviceConfig] = Field(default_factory=list, title="Devices", description="what to read")
    mqtt_brokers: dict[str, MqttBroker] = Field(
        default_factory=dict, title="MQTT brokers", description="brokers by name, referred to by MQTT devices"
    )
    operators: list[Operator] = Field(
        default_factory=list,
        title="Operators",
        description="roster of licensed special-operations workers: crane operators and hoist drivers",
    )
    key_personnel: list[KeyPerson] = Field(
        default_factory=list,
        title="Key personnel",
        description="project manager, safety officers, chief supervision engineer: who must be on "
        "site while dangerous work goes on, with their certificates",
    )
    sirens: list[SirenOutput] = Field(
        default_factory=list,
        title="Sirens",
        description="the site's audible/visual alarms (声光报警器) and the alerts that switch them",
    )
    no_lift_zones: list[Zone] = Field(
        default_factory=list, title="No-lift zones", description="polygons the hook must never be above"
    )
    store: LocalStoreConfig = Field(
        default_factory=LocalStoreConfig, title="Local store", description="embedded history"
    )
    influx: InfluxConfig | None = Field(None, title="InfluxDB", description="optional InfluxDB sink")
    api: ApiConfig = Field(default_factory=ApiConfig, title="API", description="dashboard and REST API")
    uplinks: list[Uplink] = Field(
        default_factory=list, title="Uplinks", description="where alerts are delivered"
    )
    rules: RulesConfig = Field(
        default_factory=RulesConfig,
        title="Rules",
        description="safety rule thresholds (defaults from the standards)",
    )
    vision: VisionConfig | None = Field(
        None,
        title="Vision",
        description="cameras and their checks (hard hats, danger zones, edge "
        "protection), evidence folder and budget",
    )
    gb28181: Gb28181Config | None = Field(
        None,
        title="GB/T 28181",
        description="register the cameras with a GB/T 28181 video platform as one device, its channels "
        "streamed live on request",
    )
    outbox: OutboxConfig = Field(
        default_factory=OutboxConfig, title="Outbox", description="the disk queue in front of every uplink"
    )
    profiles_dir: str = Field(
        "",
        title="Profiles folder",
        description="extra folder of device profiles, relative to this file; "
        "searched before the profiles shipped with sitegw",
    )

    @model_validator(mode="after")
    def _cross_refs(self) -> SiteConfig:
        # a typed error: load_site replaces it with one naming the lines of both ids
        require_unique([d.id for d in self.devices], DUPLICATE_DEVICE_ID, "device ids")
        cranes = {d.id for d in self.devices if d.kind == "crane"}
        for d in self.devices:
            unknown = [s for s in d.serves if s not in cranes]
            if unknown:
                raise ValueError(
                    f"device {d.id}: serves {unknown} which are not cranes of this site "
                    f"(cranes: {sorted(cranes) or 'none'})"
                )
            if isinstance(d.transport, MqttTransport) and d.transport.broker not in self.mqtt_brokers:
                raise ValueError(
                    f"device {d.id}: broker {d.transport.broker!r} is not in mqtt_brokers "
                    f"(known: {sorted(self.mqtt_brokers) or 'none'})"
                )
        units: dict[tuple[str, int], str] = {}
        lines: dict[str, tuple[str, ModbusRtuTransport]] = {}
        for d in self.devices:
            t = d.transport
            if not isinstance(t, ModbusRtuTransport):
                continue
            if (t.port, t.unit_id) in units:
                raise ValueError(
                    f"devices {units[(t.port, t.unit_id)]} and {d.id} share unit id {t.unit_id} on {t.port}"
                )
            units[(t.port, t.unit_id)] = d.id
            first = lines.setdefault(t.port, (d.id, t))
            if first[1].model_dump(exclude={"unit_id"}) != t.model_dump(exclude={"unit_id"}):
                raise ValueError(
                    f"devices {first[0]} and {d.id} are on the same serial port {t.port} "
                    "but with different line settings (baudrate, bytesize, parity, stopbits)"
                )
        names = [u.name for u in self.uplinks]
        if len(set(names)) != len(names):
            raise ValueError("uplink names must be unique")
        sirens = [s.name for s in self.sirens]
        if len(set(sirens)) != len(sirens):
            raise ValueError("siren names must be unique")
        polled = {t.port for t in (d.transport for d in self.devices) if isinstance(t, ModbusRtuTransport)}
        for siren in self.sirens:
            t = siren.transport
            if isinstance(t, MqttTransport) and t.broker not in self.mqtt_brokers:
                raise ValueError(
                    f"siren {siren.name}: broker {t.broker!r} is not in mqtt_brokers "
                    f"(known: {sorted(self.mqtt_brokers) or 'none'})"
                )
            if isinstance(t, ModbusRtuTransport) and t.port in polled:
                # two masters on one RS-485 line garble each other's frames
                raise ValueError(
                    f"siren {siren.name}: serial port {t.port} is already polled for devices; "
                    "put the relay on its own line or on Modbus TCP"
                )
        if self.gb28181 is not None:
            cameras = {c.name for c in self.vision.cameras} if self.vision is not None else set()
            for ch in self.gb28181.channels:
                if ch.camera not in cameras:
                    raise ValueError(
                        f"gb28181: channel {ch.channel_id} names camera {ch.camera!r}, which is not in "
                        f"vision.cameras (cameras: {sorted(cameras) or 'none'})"
                    )
        return self

    def device(self, device_id: str) -> DeviceConfig:
        """The device with this id (KeyError if none)."""
        for d in self.devices:
            if d.id == device_id:
                return d
        raise KeyError(device_id)
