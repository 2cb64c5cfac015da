"""What every device of a site file has, whatever its kind: its id, name, kind, profile, transport and
polling. Each kind adds its own section in a model of its own (contract/kinds/), and the site's
``devices`` list is the union of those models, told apart by ``kind``."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from contract.config.common import Model
from contract.config.transport import Transport


class DeviceConfig(Model):
    """One device on the site and how to reach it (the fields every kind shares)."""

    id: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=64,
        title="Device id",
        description="unique on the site, e.g. crane-1 (letters, digits, - _ .; at most 64 characters)",
    )
    name: str = Field("", max_length=100, title="Name", description="display name, e.g. 1号塔吊")
    kind: str = Field(
        title="Kind",
        description="the kind of device (`sitegw kinds` lists them): crane, anemometer, pit, hoist, "
        "formwork, attendance (access gates), camera, generic, and any kind a plug-in adds",
    )
    profile: str = Field(
        title="Profile",
        description="a profile's name: its file (NAME.yaml) in profiles_dir or a kind's profiles/",
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

    def check_site(self, devices: Sequence[DeviceConfig]) -> list[str]:
        """What is wrong with this device among the site's ``devices`` (a reference to another device)."""
        return []

    def hot_work_place(self) -> str | None:
        """The hot-work place the device serves, as permits name places (a welder's; None: none)."""
        return None

    def over_scale_reasons(self) -> list[str]:
        """Why a 危大 item this device is attached to (contract/config/over_scale.py) is 超过一定规模 by the
        device's own facts, read against 建办质〔2018〕31号 附件2 (contract/config/scale_lines.py); none when
        they say nothing of it."""
        return []

    def point_codes(self) -> frozenset[str] | None:
        """The monitoring point codes the device may report (None: single-point device, any point)."""
        return None

    @property
    def display_name(self) -> str:
        """What people call it: its name, or its id when it has none."""
        return self.name or self.id
