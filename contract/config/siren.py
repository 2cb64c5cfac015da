"""The site's own audible/visual alarm (声光报警器): a relay behind a Modbus coil or an MQTT topic,
switched by the alerts that people on the ground must hear (docs/standards.md §6: the people
under the formwork learn of a danger alarm from it, not from a dashboard)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from contract.alert_event import Level
from contract.config.common import Model
from contract.config.transport import Transport


class SirenOutput(Model):
    """One siren (or a relay driving several), and the alerts that switch it on."""

    name: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        title="Name",
        description="unique among the sirens, e.g. siren-formwork",
    )
    label: str = Field("", title="Label", description="where it sounds, e.g. 高支模区域声光报警器")
    transport: Transport = Field(
        title="Transport",
        description="modbus_tcp or modbus_rtu (the relay's coil is written, FC05), or mqtt "
        "(payload_on / payload_off published, retained, on topic_prefix + topic)",
    )
    coil: int = Field(
        0, ge=0, le=65535, title="Coil", description="Modbus: 0-based coil address of the relay"
    )
    topic: str = Field(
        "siren/set", title="Topic", description="MQTT: topic under the transport's topic_prefix"
    )
    payload_on: str = Field("ON", title="Payload on", description="MQTT: payload that switches it on")
    payload_off: str = Field("OFF", title="Payload off", description="MQTT: payload that switches it off")
    rules: list[str] = Field(
        default_factory=lambda: ["*"],
        min_length=1,
        title="Rules",
        description="rule ids that drive it, shell patterns allowed (formwork.*, pit.jump, hoist.door)",
    )
    devices: list[str] = Field(
        default_factory=list,
        title="Devices",
        description="device ids whose alerts drive it; empty: every device",
    )
    min_level: Level = Field(
        "critical", title="Lowest level", description="alerts below this level never sound it"
    )
    off_on: Literal["resolved", "acknowledged"] = Field(
        "acknowledged",
        title="Switched off when",
        description="acknowledged: when every alert driving it is acknowledged or resolved "
        "(someone has heard it); resolved: only when every one is resolved",
    )
    refresh_s: float = Field(
        10,
        gt=0,
        le=3600,
        title="Refresh",
        description="seconds between re-writes of the wanted state (a relay that restarted "
        "or missed a write is put right within this time)",
    )

    @model_validator(mode="after")
    def _where(self) -> SirenOutput:
        if self.transport.type == "mqtt" and not self.topic.strip("/"):
            raise ValueError("an MQTT siren needs topic: (e.g. siren/set)")
        return self
