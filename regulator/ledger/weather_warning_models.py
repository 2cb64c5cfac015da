"""What the regulator's warning signals (regulator/ledger/weather_warnings.py) take and answer: an authority's new
warning, a warning with its sites' receipt and acknowledgement, what a gateway hears on each poll and what it
sends back when a supervisor acknowledged one."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from contract.weather import Colour, SignalType
from regulator.answers import Answer


class NewWarning(BaseModel):
    """A warning an authority issues for its jurisdiction (or a place under it)."""

    type: SignalType = Field(description="typhoon, gale, rainstorm, lightning, heat or cold (寒潮/道路结冰)")
    colour: Colour = Field(description="blue, yellow, orange or red")
    jurisdiction: str = Field(
        "",
        max_length=200,
        description="the place it is for, 省/市/区县 or a place under the issuer's (福田区); empty: the issuer's own",
    )
    measure: str = Field(
        "", max_length=2000, description="the measures it requires; empty: the default of its type and colour"
    )
    valid_from: datetime | None = Field(None, description="in force from (ISO 8601 with offset); none: now")
    valid_to: datetime | None = Field(
        None, description="in force until (ISO 8601 with offset); none: until it ends"
    )


class WarningRow(Answer):
    """One warning as the authority's list shows it."""

    id: int
    jurisdiction: str = Field(description="the place it is for, e.g. 广东省/深圳市")
    type: SignalType
    colour: Colour
    title: str = Field(description="e.g. 大风红色预警")
    measure: str
    valid_from: float = Field(description="Unix seconds")
    valid_to: float | None = Field(description="Unix seconds; none: until it ends")
    issued_by: str
    issued_at: float
    in_force: bool = Field(description="in force now")
    sites: int = Field(description="projects of the place the viewer may see")
    received: int = Field(description="of them, those whose gateway received it")
    acknowledged: int = Field(description="of them, those whose supervisor acknowledged it")
    kept_working: int = Field(description="of them, those with a 冒险作业 (weather.work) hazard in its time")


class WarningSite(Answer):
    """One project of the warning's place: when its gateway received the warning, who acknowledged it."""

    project: str
    name: str
    district: str
    received_at: float | None = Field(
        description="Unix seconds of the first poll that carried it; none: not yet"
    )
    acked_at: float | None = Field(description="Unix seconds a supervisor acknowledged it; none: not yet")
    acked_by: str = Field(description="the supervisor, as the gateway names them")


class KeptWorking(Answer):
    """A 冒险作业 hazard (weather.work, 建质规〔2024〕5号 第十五条(二)) of one of the place's projects in the
    warning's time: the machine kept running during a stop; its readings are the evidence."""

    hazard_id: int
    project: str
    device: str
    message: str = Field(description="the gateway's alert text")
    value: str = Field(description="the reading that showed the machine at work")
    unit: str
    clause: str
    level: str
    state: str = Field(description="the hazard's state in the closed loop")
    first_ts: float
    last_ts: float
    link: str = Field(description="the hazard in the review UI")


class WarningDetail(WarningRow):
    """A warning with each site's receipt and acknowledgement and the sites that kept working."""

    site_list: list[WarningSite]
    kept_working_list: list[KeptWorking]


class WarningList(Answer):
    """The warnings the viewer may see, newest first."""

    warnings: list[WarningRow]


class FeedbackWarning(Answer):
    """A warning in force or to come for the project's place, as its gateway hears it on each poll."""

    id: int = Field(description="the regulator's warning id")
    jurisdiction: str
    type: SignalType
    colour: Colour
    measure: str
    valid_from: datetime
    valid_to: datetime | None
    issued_by: str
    issued_at: float = Field(description="Unix seconds it was issued")
    acked_at: float | None = Field(
        description="when the regulator heard the site's acknowledgement; none: not yet"
    )


class AckReceipt(Answer):
    """The regulator's record of a site's acknowledgement (the first one; a repeat answers the same)."""

    warning_id: int
    project: str
    acked_at: float = Field(description="Unix seconds the supervisor acknowledged it")
    acked_by: str = Field(description="the supervisor, as the gateway names them")


class WarningAck(BaseModel):
    """A gateway's word that a supervisor acknowledged a warning (signed with the project's secret)."""

    project: str = Field(max_length=64)
    actor: str = Field(max_length=200, description="the supervisor who acknowledged it")
    acked_at: float = Field(description="Unix seconds they did")
