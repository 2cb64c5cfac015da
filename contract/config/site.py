"""The site file: one YAML per construction site, validated as a whole."""

from __future__ import annotations

from pydantic import Field, model_validator

from contract.config.camera import VisionConfig
from contract.config.common import Model
from contract.config.crane import CraneSpec, Operator, Zone
from contract.config.pit import PitSpec
from contract.config.profile import DeviceKind
from contract.config.rules import RulesConfig
from contract.config.sinks import ApiConfig, InfluxConfig, LocalStoreConfig
from contract.config.transport import ModbusRtuTransport, MqttBroker, MqttTransport, Transport
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


class DeviceConfig(Model):
    """One device on the site and how to reach it."""

    id: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        title="Device id",
        description="unique on the site, e.g. crane-1 (letters, digits, - _ .)",
    )
    name: str = Field("", title="Name", description="display name, e.g. 1号塔吊")
    kind: DeviceKind = Field(title="Kind", description="crane, anemometer, pit, camera or generic")
    profile: str = Field(
        title="Profile", description="name of a file in contract/config/profiles (without .yaml)"
    )
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

    @model_validator(mode="after")
    def _kind_fields(self) -> DeviceConfig:
        if self.kind == "crane" and self.crane is None:
            raise ValueError(
                "a crane needs crane: (position_m, jib_m, counter_jib_m, jib_height_m, load_chart)"
            )
        if self.kind == "pit" and self.pit is None:
            raise ValueError("a pit needs pit: (grade, support, excavation_depth_m, points)")
        if self.crane is not None and self.kind != "crane":
            raise ValueError(f"crane: is only for kind crane, this device is kind {self.kind}")
        if self.pit is not None and self.kind != "pit":
            raise ValueError(f"pit: is only for kind pit, this device is kind {self.kind}")
        return self


class SiteConfig(Model):
    """Everything one gateway needs to run a site."""

    project: ProjectInfo = Field(title="Project", description="the works")
    devices: list[DeviceConfig] = Field(default_factory=list, title="Devices", description="what to read")
    mqtt_brokers: dict[str, MqttBroker] = Field(
        default_factory=dict, title="MQTT brokers", description="brokers by name, referred to by MQTT devices"
    )
    operators: list[Operator] = Field(
        default_factory=list, title="Operators", description="roster of licensed crane operators"
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
        ids = [d.id for d in self.devices]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"device ids must be unique: {', '.join(dupes)} used twice")
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
        return self

    def device(self, device_id: str) -> DeviceConfig:
        """The device with this id (KeyError if none)."""
        for d in self.devices:
            if d.id == device_id:
                return d
        raise KeyError(device_id)
