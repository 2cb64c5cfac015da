"""The incident ledger's requests and answers (regulator/incidents.py), typed for the API's documentation."""

from __future__ import annotations

from pydantic import BaseModel, Field


class NewIncident(BaseModel):
    """An accident or serious near miss to record."""

    project: str = Field(min_length=1, title="项目编号", description="the project's code")
    kind: str = Field(title="类别", description="accident (事故) or near_miss (重大险情)")
    occurred_at: float = Field(title="发生时间", description="when it happened, Unix seconds")
    deaths: int = Field(0, ge=0, le=10_000, title="死亡人数", description="people killed")
    injuries: int = Field(0, ge=0, le=10_000, title="受伤人数", description="people injured")
    description: str = Field(min_length=1, max_length=10_000, title="经过", description="what happened")


class NewReport(BaseModel):
    """A report of an incident to a level or system, as it was made."""

    to: str = Field(
        title="上报对象",
        description="county, city, province (the authorities), provincial_system (省事故报送系统) or "
        "national_platform (全国工程质量安全监管信息平台)",
    )
    reported_by: str = Field(min_length=1, max_length=200, title="上报人", description="who reported")
    reported_at: float = Field(title="上报时间", description="when it was reported, Unix seconds")
    note: str = Field("", max_length=2_000, title="说明", description="anything worth keeping with it")


class ClockRow(BaseModel):
    """One reporting clock of an incident."""

    to: str = Field(description="the level or system the report goes to")
    name: str = Field(description="the same in Chinese, e.g. 县级主管部门")
    hours: float = Field(description="hours the clock gives")
    basis: str = Field(description="the rule that sets it, Chinese first")
    deadline: float | None = Field(description="Unix seconds; None while the report it runs from is not made")
    reported_at: float | None = Field(description="when the first report to it was made")
    state: str = Field(description="met, late, due, overdue or waiting")
    state_name: str = Field(description="the same in Chinese, e.g. 按时上报")
    seconds: float | None = Field(
        description="due: seconds left; overdue: seconds past the deadline; late: how late the report came"
    )


class ReportRow(BaseModel):
    """One report made of an incident."""

    id: int = Field(description="the report's id")
    incident_id: int = Field(description="the incident's id")
    to: str = Field(description="the level or system reported to")
    to_name: str = Field(description="the same in Chinese")
    reported_by: str = Field(description="who reported")
    reported_at: float = Field(description="when, Unix seconds")
    note: str = Field(description="the note kept with it")
    recorded_by: str = Field(description="the user who entered it")
    recorded_at: float = Field(description="when it was entered, Unix seconds")


class IncidentRow(BaseModel):
    """One incident of the ledger, with its reports and clocks."""

    id: int = Field(description="the incident's id")
    project: str = Field(description="project code")
    project_name: str = Field(description="project name")
    city: str = Field(description="the project's city")
    district: str = Field(description="the project's district or county")
    kind: str = Field(description="accident or near_miss")
    kind_name: str = Field(description="事故 or 重大险情")
    occurred_at: float = Field(description="when it happened, Unix seconds")
    deaths: int = Field(description="people killed")
    injuries: int = Field(description="people injured")
    description: str = Field(description="what happened")
    recorded_by: str = Field(description="the user who entered it")
    recorded_at: float = Field(description="when it was entered, Unix seconds")
    reports: list[ReportRow] = Field(description="reports made, oldest first")
    clocks: list[ClockRow] = Field(description="each reporting clock's state now")


class IncidentLedger(BaseModel):
    """The incidents the user may see, newest first."""

    now: float = Field(description="the regulator's time the clocks were read at, Unix seconds")
    destinations: dict[str, str] = Field(
        description="levels and systems a report may go to, with Chinese names"
    )
    incidents: list[IncidentRow] = Field(description="newest first, at most 500")
