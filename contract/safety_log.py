"""The site's daily safety log (施工安全日志, standards.md §14) and its key people's attendance (关键岗位人员
考勤, §7) on the wire: sent by the site's gateway to the regulator, signed like events (contract/wire.py).

``POST /api/v1/safety-logs``: one signed log per project and day; the same day again is the same log (the
regulator keeps the first and answers ``duplicate``), so a retry after a lost answer stores nothing twice.
``POST /api/v1/key-attendance``: one day's first in, last out and minutes on site per key person; the same day
again replaces the day (a later send knows the same or more passages).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

SAFETY_LOGS_PATH = "/api/v1/safety-logs"
ATTENDANCE_PATH = "/api/v1/key-attendance"


class PersonDay(BaseModel):
    """One key person's day at the site, from the real-name gates' passages."""

    person: str = Field(description="the id the gates report")
    name: str = Field(description="full name")
    role: str = Field(description="project_manager, safety_officer, chief_supervisor or technical_lead")
    first_in: float | None = Field(
        None, description="first entry of the day, Unix seconds (None: not on site)"
    )
    last_out: float | None = Field(
        None, description="last exit of the day, Unix seconds (None: still on site)"
    )
    minutes: int = Field(0, ge=0, le=1440, description="minutes on site within the day")


class KeyAttendance(BaseModel):
    """One day's attendance of the site's key people."""

    project: str
    day: date = Field(description="the site's calendar day (Beijing time)")
    people: list[PersonDay]


class LogAlert(BaseModel):
    """An alert of the day, with how it was handled and closed."""

    alert_id: str
    device: str
    rule: str
    clause: str
    level: str
    message: str
    opened_ts: float
    resolved_ts: float | None = Field(None, description="when it closed (None: still open at drafting)")
    handled_by: str = Field("", description="who acknowledged it")
    handling: str = Field("", description="their note")
    closed_by: str = Field(
        "", description="who resolved it by hand (empty: it cleared by itself, or is open)"
    )
    closing_note: str = Field("", description="their note at closing")


class LogWindow(BaseModel):
    """A pour (浇筑) or a crane jacking (顶升) window of the day."""

    what: Literal["pour", "jacking"]
    device: str
    started_ts: float | None = Field(None, description="None: opened before the day")
    ended_ts: float | None = Field(None, description="None: still open at drafting")


class LogEntry(BaseModel):
    """A confined-space entry of the day (有限空间作业, §9)."""

    device: str
    point: str = Field("", description="the entrant, where the detector reports one")
    entered_ts: float
    left_ts: float | None = None


class LogPaper(BaseModel):
    """A machine's or person's paper due within 30 days (§13)."""

    holder: str
    name: str
    paper: str
    until: date | None
    days_left: int | None


class SafetyLogContent(BaseModel):
    """What the gateway drafts, and the safety officer confirms or amends."""

    weather: str = Field("", description="天气: the safety officer's words (sunny, rain …)")
    wind_max_ms: float | None = Field(
        None, description="the day's strongest wind reading, m/s (None: no reading)"
    )
    wind_device: str = Field("", description="the anemometer that read it")
    weather_max: dict[str, float] = Field(
        default_factory=dict,
        description="the day's maxima of a weather station's gust_ms (阵风), rain_mm_h (雨强) and temp_c (气温)",
    )
    warnings: list[str] = Field(default_factory=list, description="weather warnings in force during the day")
    alerts: list[LogAlert] = Field(default_factory=list)
    windows: list[LogWindow] = Field(default_factory=list)
    confined: list[LogEntry] = Field(default_factory=list)
    people: list[PersonDay] = Field(default_factory=list)
    papers_due: list[LogPaper] = Field(default_factory=list)
    hot_work: list[str] = Field(
        default_factory=list,
        description="the day's hot-work permits (动火许可证): place, window, operator and card, fire watch, "
        "extinguishers, signer, closing",
    )
    work: str = Field("", description="今日施工内容 and the safety officer's notes")


class SafetyLog(BaseModel):
    """A signed day's log, as the regulator receives it."""

    project: str
    day: date
    content: SafetyLogContent
    signed_by: str = Field(min_length=1, description="the supervisor who signed it")
    signed_at: float = Field(description="Unix seconds")


class DocumentReceipt(BaseModel):
    """The regulator's answer to a log or an attendance day: which day it holds."""

    project: str
    day: date
    status: Literal["recorded", "duplicate", "replaced"]
