"""The site file: one YAML per construction site, validated as a whole."""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field, model_validator

from contract.config.camera import VisionConfig
from contract.config.common import Model
from contract.config.crane import Operator, Zone
from contract.config.dangerous_works import DangerousWork
from contract.config.device import DeviceConfig
from contract.config.gb28181 import Gb28181Config
from contract.config.personnel import KeyPerson
from contract.config.rules import RulesConfig
from contract.config.sinks import ApiConfig, InfluxConfig, LocalStoreConfig, SafetyLogConfig
from contract.config.siren import SirenOutput
from contract.config.transport import ModbusRtuTransport, MqttBroker, MqttTransport
from contract.config.uniqueness import DUPLICATE_DEVICE_ID, require_unique
from contract.config.uplinks import OutboxConfig, Uplink
from contract.kinds import registry


class ProjectInfo(Model):
    """The works as the housing authority registered them."""

    code: str = Field(
        min_length=1, title="Project code", description="regulator's project code, e.g. GD-SZ-2026-0001"
    )
    name: str = Field("", title="Name", description="project name")
    city: str = Field("", title="City", description="e.g. 深圳")
    district: str = Field("", title="District", description="e.g. 南山区")
    contractor: str = Field("", title="Contractor", description="general contractor")
    # where the site is, for the regulator's map: sent with the gateway's heartbeat, kept by the regulator
    # when it has no coordinates for the project yet (an admin's stay)
    lat: float | None = Field(
        None, ge=3, le=54, title="Latitude", description="the site's latitude, WGS-84 degrees N, e.g. 22.527"
    )
    lon: float | None = Field(
        None,
        ge=73,
        le=136,
        title="Longitude",
        description="the site's longitude, WGS-84 degrees E, e.g. 113.905",
    )

    @model_validator(mode="after")
    def _both_or_neither(self) -> ProjectInfo:
        if (self.lat is None) != (self.lon is None):
            raise ValueError(
                "give both lat and lon (WGS-84 degrees, e.g. lat: 22.527, lon: 113.905), or neither"
            )
        return self


class SiteConfig(Model):
    """Everything one gateway needs to run a site."""

    project: ProjectInfo = Field(title="Project", description="the works")
    devices: list[DeviceConfig] = Field(
        default_factory=list,
        title="Devices",
        description="what to read: each entry is the model of its kind (contract/kinds/), told apart by kind",
    )
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
    dangerous_works: list[DangerousWork] = Field(
        default_factory=list,
        title="Dangerous works",
        description="the 危大工程清单: each item with its scale, dates, people, plan, review, briefing and "
        "acceptance, and the devices that monitor it; sent to the regulator with the heartbeat",
    )
    no_lift_zones: list[Zone] = Field(
        default_factory=list, title="No-lift zones", description="polygons the hook must never be above"
    )
    store: LocalStoreConfig = Field(
        default_factory=LocalStoreConfig, title="Local store", description="embedded history"
    )
    influx: InfluxConfig | None = Field(None, title="InfluxDB", description="optional InfluxDB sink")
    safety_log: SafetyLogConfig = Field(
        default_factory=SafetyLogConfig, title="Safety log", description="the daily safety log's drafting"
    )
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
        for d in self.devices:
            problems = d.check_site(self.devices)
            if problems:
                raise ValueError("; ".join(problems))
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
        self._dangerous_works_refs()
        return self

    def _dangerous_works_refs(self) -> None:
        require_unique(
            [w.id for w in self.dangerous_works], "duplicate_dangerous_work_id", "dangerous_works ids"
        )
        ids = {d.id for d in self.devices}
        for w in self.dangerous_works:
            for device in w.devices:
                if device not in ids:
                    raise ValueError(
                        f"dangerous_works: item {w.id} ({w.name}) names device {device!r}, which is not in "
                        f"devices (devices: {sorted(ids) or 'none'}): fix the id or add the device"
                    )

    def device(self, device_id: str) -> DeviceConfig:
        """The device with this id (KeyError if none)."""
        for d in self.devices:
            if d.id == device_id:
                return d
        raise KeyError(device_id)


def _devices_union() -> None:
    """``SiteConfig.devices`` as the union of every registered kind's device model, told apart by
    ``kind`` (rebuilt when a plug-in registers a kind)."""
    models = tuple(k.device for k in registry.kinds())
    item: Any = Annotated[Union[models], Field(discriminator="kind")] if len(models) > 1 else models[0]  # noqa: UP007
    SiteConfig.model_fields["devices"].annotation = list[item]
    SiteConfig.model_rebuild(force=True)


registry.on_change(_devices_union)
