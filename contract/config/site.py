"""The site file: one YAML per construction site, validated as a whole."""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field, ValidationInfo, field_validator, model_validator

from contract.config.camera import Place, VisionConfig
from contract.config.common import Model
from contract.config.crane import Operator, Zone
from contract.config.dangerous_works import DangerousWork
from contract.config.device import DeviceConfig
from contract.config.errors import Located, raise_located
from contract.config.gb28181 import Gb28181Config
from contract.config.hot_work_permits import HotWorkPermitsConfig
from contract.config.over_scale import by_facts
from contract.config.papers import MachineDevice
from contract.config.personnel import KeyPerson
from contract.config.rules import RulesConfig
from contract.config.sinks import ApiConfig, InfluxConfig, LocalStoreConfig, SafetyLogConfig
from contract.config.siren import SirenOutput
from contract.config.transport import ModbusRtuTransport, MqttBroker, MqttTransport
from contract.config.uniqueness import DUPLICATE_DEVICE_ID, duplicate_codes, require_unique
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
        description="what to read: each entry is the model of its kind (kinds/<kind>/kind.py), told apart by kind",
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
    hot_work_places: list[Place] = Field(
        default_factory=list,
        max_length=200,
        title="Hot-work places",
        description="the site's hot-work places (动火地点) as its permits name them, beyond the places its "
        "welders serve (a gas-cutting bay no welder's sensor watches), e.g. [3号楼5层, 钢筋加工棚]; a camera "
        "zone's hot_work_at names one of these or a welder's place",
    )
    hot_work_permits: HotWorkPermitsConfig = Field(
        default_factory=HotWorkPermitsConfig,
        title="Hot-work permits",
        description="how long a hot-work permit (动火许可证) may run, by its approval level: the company's "
        "scheme, not GB 50720's (which defines no levels); defaults 一级 1 day, 二级 3 days, 三级 and no "
        "level 1 week, the scheme docs/standards.md §18 quotes [U]; a window longer is refused at issue, and "
        "a kept permit past its level's validity here (from its start) covers no hot work, whatever it was "
        "signed for",
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

    @field_validator("dangerous_works")
    @classmethod
    def _over_scale_by_facts(cls, works: list[DangerousWork], info: ValidationInfo) -> list[DangerousWork]:
        # fail safe: an item its devices show 超过一定规模 asks for its expert review whatever its flag says
        # (contract/config/over_scale.py); the devices, declared first, are validated by now (absent: invalid,
        # and the site is refused for them anyway)
        devices = info.data.get("devices")
        return by_facts(works, devices) if devices is not None else works

    @model_validator(mode="after")
    def _cross_refs(self) -> SiteConfig:
        # every reference that does not hold, each at the entry concerned (load_site names its line)
        raise_located(
            [
                *self._device_refs(),
                *self._serial_lines(),
                *_unique_names("uplinks", [u.name for u in self.uplinks]),
                *_unique_names("sirens", [s.name for s in self.sirens]),
                *self._siren_refs(),
                *self._gb28181_refs(),
                *self._dangerous_works_refs(),
                *self._install_notice_refs(),
                *self._exclusion_refs(),
                *self._hot_work_refs(),
            ]
        )
        return self

    @model_validator(mode="after")
    def _unique_ids(self) -> SiteConfig:
        # typed errors: load_site replaces them with one naming the lines of both ids
        require_unique([d.id for d in self.devices], DUPLICATE_DEVICE_ID, "device ids")
        require_unique(
            [w.id for w in self.dangerous_works], "duplicate_dangerous_work_id", "dangerous_works ids"
        )
        return self

    def _device_refs(self) -> list[Located]:
        problems = []
        for i, d in enumerate(self.devices):
            problems += [Located(("devices", i), problem) for problem in d.check_site(self.devices)]
            if isinstance(d.transport, MqttTransport) and d.transport.broker not in self.mqtt_brokers:
                problems.append(
                    _unknown_broker(
                        ("devices", i, "transport", "broker"),
                        f"device {d.id}",
                        d.transport.broker,
                        self.mqtt_brokers,
                    )
                )
        return problems

    def _serial_lines(self) -> list[Located]:
        problems = []
        units: dict[tuple[str, int], str] = {}
        lines: dict[str, tuple[str, ModbusRtuTransport]] = {}
        for i, d in enumerate(self.devices):
            t = d.transport
            if not isinstance(t, ModbusRtuTransport):
                continue
            if (t.port, t.unit_id) in units:
                problems.append(
                    Located(
                        ("devices", i, "transport", "unit_id"),
                        f"devices {units[(t.port, t.unit_id)]} and {d.id} share unit id {t.unit_id} on {t.port}",
                        "each device on one RS-485 line answers to its own unit id: set another on one of them",
                    )
                )
            units.setdefault((t.port, t.unit_id), d.id)
            first = lines.setdefault(t.port, (d.id, t))
            if first[1].model_dump(exclude={"unit_id"}) != t.model_dump(exclude={"unit_id"}):
                problems.append(
                    Located(
                        ("devices", i, "transport"),
                        f"devices {first[0]} and {d.id} are on the same serial port {t.port} "
                        "but with different line settings (baudrate, bytesize, parity, stopbits)",
                        f"one line has one setting: write {first[0]}'s baudrate, bytesize, parity and stopbits",
                    )
                )
        return problems

    def _siren_refs(self) -> list[Located]:
        problems = []
        polled = {t.port for t in (d.transport for d in self.devices) if isinstance(t, ModbusRtuTransport)}
        for i, siren in enumerate(self.sirens):
            t = siren.transport
            if isinstance(t, MqttTransport) and t.broker not in self.mqtt_brokers:
                problems.append(
                    _unknown_broker(
                        ("sirens", i, "transport", "broker"),
                        f"siren {siren.name}",
                        t.broker,
                        self.mqtt_brokers,
                    )
                )
            if isinstance(t, ModbusRtuTransport) and t.port in polled:
                # two masters on one RS-485 line garble each other's frames
                problems.append(
                    Located(
                        ("sirens", i, "transport", "port"),
                        f"siren {siren.name}: serial port {t.port} is already polled for devices",
                        "put the relay on its own line or on Modbus TCP",
                    )
                )
        return problems

    def _gb28181_refs(self) -> list[Located]:
        if self.gb28181 is None:
            return []
        cameras = {c.name for c in self.vision.cameras} if self.vision is not None else set()
        return [
            Located(
                ("gb28181", "channels", i, "camera"),
                f"gb28181: channel {ch.channel_id} names camera {ch.camera!r}, which is not in "
                f"vision.cameras (cameras: {sorted(cameras) or 'none'})",
                "name a camera of vision.cameras, or add the camera there",
            )
            for i, ch in enumerate(self.gb28181.channels)
            if ch.camera not in cameras
        ]

    def _dangerous_works_refs(self) -> list[Located]:
        ids = {d.id for d in self.devices}
        return [
            Located(
                ("dangerous_works", i, "devices", j),
                f"dangerous_works: item {w.id} ({w.name}) names device {device!r}, which is not in "
                f"devices (devices: {sorted(ids) or 'none'})",
                "fix the id or add the device",
            )
            for i, w in enumerate(self.dangerous_works)
            for j, device in enumerate(w.devices)
            if device not in ids
        ]

    def _install_notice_refs(self) -> list[Located]:
        """Each 安拆 notice names an item of the 危大 list: its plan is judged from there (<kind>.install plan)."""
        ids = {w.id for w in self.dangerous_works}
        return [
            Located(
                ("devices", i, "papers", "install_notices", j, "dangerous_work"),
                f"device {d.id}: its {n.stage} notice of {n.notified_on} names dangerous work {n.dangerous_work!r}, "
                f"which is not in dangerous_works (items: {sorted(ids) or 'none'})",
                "add the 安拆 job to dangerous_works (its plan, review and expert review) and name its id here",
            )
            for i, d in enumerate(self.devices)
            if isinstance(d, MachineDevice) and d.papers is not None
            for j, n in enumerate(d.papers.install_notices)
            if n.dangerous_work not in ids
        ]

    def _exclusion_refs(self) -> list[Located]:
        machines = {d.id for d in self.devices if d.kind in ("crane", "hoist")}
        problems: list[Located] = []
        kept: set[str] = set()
        cameras = self.vision.cameras if self.vision is not None else []
        for i, cam in enumerate(cameras):
            for j, zone in enumerate(cam.zones):
                machine = zone.exclusion_of
                if machine is None:
                    continue
                where = ("vision", "cameras", i, "zones", j, "exclusion_of")
                if machine not in machines:
                    problems.append(
                        Located(
                            where,
                            f"camera {cam.name}: zone {zone.name!r} is the exclusion zone of {machine!r}, "
                            f"which is not a crane or hoist of devices (those: {sorted(machines) or 'none'})",
                            "name a crane's or hoist's id, or leave exclusion_of out for a standing 禁入区",
                        )
                    )
                elif machine in kept:
                    problems.append(
                        Located(
                            where,
                            f"camera {cam.name}: zone {zone.name!r} is a second exclusion zone of {machine}",
                            "a machine's 警戒区 is one zone: draw it whole on one camera",
                        )
                    )
                kept.add(machine)
        return problems

    def _hot_work_refs(self) -> list[Located]:
        """Each place a camera's hot-work zone names is one the site's permits can name: a typo would leave
        the zone without any permit that covers it."""
        known = set(self.hot_work_places) | {p for d in self.devices if (p := d.hot_work_place()) is not None}
        cameras = self.vision.cameras if self.vision is not None else []
        return [
            Located(
                ("vision", "cameras", i, "zones", j, "hot_work_at", k),
                f"camera {cam.name}: zone {zone.name!r} watches hot-work place {place!r}, which no welder or fire detector "
                f"serves and hot_work_places does not list (places: {sorted(known) or 'none'})",
                "write the place as the permits name it, or add it to the site's hot_work_places",
            )
            for i, cam in enumerate(cameras)
            for j, zone in enumerate(cam.zones)
            for k, place in enumerate(zone.hot_work_at)
            if place not in known
        ]

    def device(self, device_id: str) -> DeviceConfig:
        """The device with this id (KeyError if none)."""
        for d in self.devices:
            if d.id == device_id:
                return d
        raise KeyError(device_id)


def _unknown_broker(
    loc: tuple[str | int, ...], who: str, broker: str, brokers: dict[str, MqttBroker]
) -> Located:
    return Located(
        loc,
        f"{who}: broker {broker!r} is not in mqtt_brokers (known: {sorted(brokers) or 'none'})",
        f"add {broker}: under mqtt_brokers, or name one of those there",
    )


def _unique_names(section: str, names: list[str]) -> list[Located]:
    """Each entry of ``section`` whose name an earlier entry has."""
    return [
        Located(
            (section, later, "name"),
            f"{section}: name {names[later]!r} is already used by {section}[{first}]",
            "names must be unique: rename one",
        )
        for later, first in duplicate_codes(names)
    ]


def _devices_union() -> None:
    """``SiteConfig.devices`` as the union of every registered kind's device model, told apart by
    ``kind`` (rebuilt when a plug-in registers a kind)."""
    models = tuple(k.device for k in registry.kinds())
    item: Any = Annotated[Union[models], Field(discriminator="kind")] if len(models) > 1 else models[0]  # noqa: UP007
    SiteConfig.model_fields["devices"].annotation = list[item]
    SiteConfig.model_rebuild(force=True)


registry.on_change(_devices_union)
