"""Alerts and silences as the API and the dashboard see them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from contract.alert_event import AlertEvent, Level

AlertState = Literal["firing", "acknowledged", "resolved"]


class Alert(BaseModel):
    """One alert: a fingerprint's hazard from opening to resolution."""

    alert_id: str = Field(description="fingerprint (project:device:point:rule) and occurrence number")
    fingerprint: str = Field(description="project:device:point:rule")
    project: str
    device: str
    point: str = ""
    rule: str
    clause: str
    level: Level
    state: AlertState
    value: float | str | None = None
    threshold: float | None = None
    unit: str = ""
    message: str = ""
    message_en: str = ""
    details: dict[str, float | str | list[str]] = Field(default_factory=dict)
    opened_ts: float = Field(description="Unix seconds the alert opened")
    updated_ts: float = Field(description="Unix seconds of its last change")
    resolved_ts: float | None = None
    acked_by: str = ""
    ack_note: str = ""
    notified_level: Level | None = Field(None, description="level last delivered to on_event (None: never)")
    latched: bool = Field(False, description="never clears by itself: a supervisor resolves it")
    evidence: str | None = Field(None, description="latest evidence (JPEG as base64, or a URL)")
    peak_value: float | None = Field(
        None,
        description="the worst value the site saw while the alert was active, by its rule's direction "
        "(None: a text value, or no limit to compare with)",
    )
    peak_ts: float | None = Field(None, description="Unix seconds of the reading with the worst value")
    lower_is_worse: bool | None = Field(
        None, description="lower values are worse (a clearance, a share); None: the value has no peak"
    )
    reported_peak: float | None = Field(
        None, description="the worst value delivered to the uplinks in a firing or updated event"
    )
    reported_at: float | None = Field(
        None, description="Unix seconds (the gateway's clock) the last firing or updated event was delivered"
    )


class AlertDetail(BaseModel):
    """An alert with every change of its life, oldest first."""

    alert: Alert
    history: list[AlertEvent]


class SilenceSpec(BaseModel):
    """A maintenance window: alerts matching it are tracked but not delivered."""

    device: str = Field("", description="device id; empty: every device")
    rule: str = Field("", description="rule id; empty: every rule")
    point: str = Field("", description="monitoring point; empty: every point")
    author: str = Field(min_length=1, description="who set the silence")
    reason: str = Field(min_length=1, description="why, e.g. 1号塔吊顶升加节")
    start_ts: float = Field(description="Unix seconds")
    end_ts: float = Field(description="Unix seconds")

    @model_validator(mode="after")
    def _window(self) -> SilenceSpec:
        if self.end_ts <= self.start_ts:
            raise ValueError("a silence must end after it starts (end_ts > start_ts)")
        if not (self.device or self.rule):
            raise ValueError("a silence needs a device or a rule: silencing the whole site is not allowed")
        return self

    def matches(self, device: str, point: str, rule: str, ts: float) -> bool:
        """Does this silence cover that alert at ``ts``?"""
        return (
            self.start_ts <= ts < self.end_ts
            and self.device in ("", device)
            and self.rule in ("", rule)
            and self.point in ("", point)
        )


class Silence(SilenceSpec):
    """A stored silence."""

    id: int
    created_ts: float
    deleted_ts: float | None = None
    deleted_by: str = ""
