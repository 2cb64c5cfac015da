"""AlertEvent: every change of an alert's life, the unit that is stored, streamed and delivered.

Its JSON form is the body of the default regulator protocol (docs/design.md), so field names and
meanings are a contract with regulator/ and with other platforms' adapters.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Level = Literal["warning", "alarm", "critical"]
State = Literal["firing", "updated", "acknowledged", "resolved"]

LEVELS: tuple[Level, ...] = ("warning", "alarm", "critical")
LEVEL_RANK: dict[str, int] = {level: rank for rank, level in enumerate(LEVELS, 1)}


def new_event_id() -> str:
    """A UUIDv7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then 74 random bits.

    Ids made in later milliseconds sort after earlier ones (as text too), so the regulator's index on
    them grows at its end; the random bits keep ids unique across gateways. Python 3.11 has no uuid7().
    """
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")  # 80 bits, of which 12 + 62 are used
    rand_a = rand >> 68  # 12 bits
    rand_b = rand & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


class AlertEvent(BaseModel):
    """One change of one alert (opened, escalated or updated, acknowledged, resolved). The receiver takes
    ``null`` for an optional field as its default; unknown fields are refused (contract/nulls.py)."""

    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(
        default_factory=new_event_id, description="unique id of this change (idempotency key)"
    )
    alert_id: str = Field(description="stable id of the alert: fingerprint project+device+point+rule")
    project: str = Field(description="project code")
    device: str = Field(
        description="device id (the anemometer for crane.wind, the lower crane for collision)"
    )
    point: str = Field("", description="monitoring point code, empty for single-point devices")
    rule: str = Field(description="rule id, e.g. crane.load")
    clause: str = Field(description="standard and clause the rule implements, e.g. GB 5144-2006 §6.1.2")
    level: Level = Field(description="warning, alarm or critical")
    state: State = Field(description="firing, updated, acknowledged or resolved")
    value: float | str | None = Field(None, description="measured value that decided the level")
    threshold: float | None = Field(None, description="limit the value was compared with")
    unit: str = Field("", description="unit of value and threshold")
    ts: float = Field(description="Unix seconds of the reading (or action) behind this change")
    message: str = Field(
        "",
        description="what a safety officer reads, in Chinese: what, where, how far over the limit and "
        "the action, e.g. 1号塔吊 起重量 104%（额定 2.85 t @ 30 m）：立即停止起升，卸载至额定以内",
    )
    message_en: str = Field("", description="the same in English, for a dashboard switched to English")
    backfill: bool = Field(False, description="delivered after an outage (补传)")
    actor: str = Field("", description="who acknowledged or resolved by hand")
    note: str = Field("", description="the supervisor's note")
    evidence: str | None = Field(None, description="evidence JPEG as base64, or a URL")
    details: dict[str, float | str | list[str]] = Field(
        default_factory=dict, description="rule-specific facts (cranes served, ...)"
    )
