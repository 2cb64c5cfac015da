"""The incident ledger's requests and answers (regulator/ledger/incidents.py), typed for the API's documentation."""

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
    how: str = Field(
        "manual",
        title="方式",
        description="manual (人工登记), forwarded (逐级转报: the level below passed it up) or export "
        "(导出报送: the national platform's export sent)",
    )


class NewStep(BaseModel):
    """One 四不放过 step done."""

    note: str = Field(min_length=1, max_length=2_000, title="情况说明", description="what was done")


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
    how: str = Field(description="manual, forwarded or export")
    how_name: str = Field(description="the same in Chinese")
    late_s: float | None = Field(
        description="seconds past its clock's deadline when it was made (迟报); None: in time or no clock yet"
    )


class StepRow(BaseModel):
    """One step of the 四不放过 checklist."""

    step: str = Field(description="cause_found, responsible_dealt, people_educated or measures_taken")
    name: str = Field(description="the same in Chinese")
    done: bool = Field(description="ticked")
    by: str | None = Field(description="who ticked it")
    at: float | None = Field(description="when, Unix seconds")
    note: str = Field(description="what was done")


class StageRow(BaseModel):
    """The investigation or the penalty of an accident."""

    stage: str = Field(description="investigation or penalty")
    name: str = Field(description="the same in Chinese")
    days: float = Field(description="days after the accident it should be finished by")
    due_at: float = Field(description="Unix seconds")
    done_at: float | None = Field(description="when it was marked finished")
    done_by: str | None = Field(description="who marked it")
    overdue: bool = Field(description="not finished past due_at")


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
    investigation_done_at: float | None = Field(description="when the investigation was marked finished")
    investigation_done_by: str | None = Field(description="who marked it")
    penalty_done_at: float | None = Field(description="when the penalty was marked decided")
    penalty_done_by: str | None = Field(description="who marked it")
    closed_at: float | None = Field(description="when it was closed (结案), all four steps done")
    closed_by: str | None = Field(description="who closed it")
    steps: list[StepRow] = Field(description="the 四不放过 checklist, in order")
    stages: list[StageRow] = Field(description="the investigation and the penalty")
    proposal: str | None = Field(
        description="挂牌督办或申请提级调查 with the reason, for an open accident whose investigation or "
        "penalty is overdue"
    )


class IncidentLedger(BaseModel):
    """The incidents the user may see, newest first."""

    now: float = Field(description="the regulator's time the clocks were read at, Unix seconds")
    destinations: dict[str, str] = Field(
        description="levels and systems a report may go to, with Chinese names"
    )
    incidents: list[IncidentRow] = Field(description="newest first, at most 500")


class IncidentAlert(BaseModel):
    """Something about an incident the authority's supervisors must act on (shown in red)."""

    incident_id: int = Field(description="the incident's id")
    kind: str = Field(description="clock (a reporting clock overdue) or proposal (挂牌督办或申请提级调查)")
    message: str = Field(description="what, Chinese first, with the rule and what to do")


class IncidentAlerts(BaseModel):
    """The incident alerts of the user's scope."""

    alerts: list[IncidentAlert] = Field(
        description="overdue clocks first per incident, newest incident first"
    )
