"""The campaign grading's answers and edits (regulator/reports/grading.py, regulator/ledger/enforcement.py), typed for the
API's documentation."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from regulator.answers import Answer
from regulator.ledger.enforcement_models import PersonTotal

MAX_DAYS = 3_650.0


class PolicyNumbers(BaseModel):
    """The grading policy's numbers; in an edit, only those given change."""

    model_config = ConfigDict(extra="forbid")

    accident_days: float | None = Field(
        None, ge=0, le=MAX_DAYS, description="accidents counted back, days (730: 两年)"
    )
    deduction_points: float | None = Field(
        None, ge=0, le=1000, description="deductions reaching this (>=) count"
    )
    deduction_days: float | None = Field(
        None, ge=0, le=MAX_DAYS, description="deductions added up over, days"
    )
    stop_work_days: float | None = Field(
        None, ge=0, le=MAX_DAYS, description="stop-work orders counted back, days"
    )
    inspections_per_month: float | None = Field(
        None, ge=0, le=31, description="a key-risk project's inspections due"
    )
    reports_per_month: float | None = Field(None, ge=0, le=31, description="a key-risk project's reports due")
    publish_ratio: float | None = Field(
        None,
        ge=0,
        le=1,
        description="stopped sites over sites under construction from which a company is published",
    )
    sanction_days: float | None = Field(
        None,
        ge=0,
        le=MAX_DAYS,
        description="penalties, 约谈, 通报 counted back, days (a local rule; 0: not counted)",
    )
    score_points: float | None = Field(
        None,
        ge=0,
        le=1000,
        description="个人记分: a person is listed at this running total (the province's rules)",
    )
    score_days: float | None = Field(
        None, ge=0, le=MAX_DAYS, description="个人记分's period, days (365: 12 months)"
    )


class GradingFact(Answer):
    """One named fact and its source record."""

    fact: str = Field(description="accident, deductions, stop_work, major_overdue or sanction")
    fact_name: str = Field(description="the fact in Chinese")
    project: str = Field(description="the project it is of (empty: the company's own)")
    source: str = Field(description="the record it comes from, e.g. 事故险情台账 #12")
    at: float = Field(description="when, Unix seconds (an overdue hazard: its deadline)")
    at_text: str = Field(description="when, Beijing time")
    detail: str = Field(description="what the record says")


class KeyProject(Answer):
    """A key-risk project, its facts and this month's duties."""

    code: str = Field(description="project code")
    name: str = Field(description="project name")
    contractor: str = Field(description="main contractor (施工单位)")
    place: str | None = Field(description="its district's path")
    stopped: bool = Field(description="a stop-work order in force now")
    deduction_total: float = Field(description="its deductions in the window, points")
    facts: list[GradingFact] = Field(description="why it is key-risk")
    inspections: int = Field(description="inspections recorded this month")
    inspection_done: bool = Field(description="this month's inspections done")
    reports: int = Field(description="monthly reports recorded this month")
    report_done: bool = Field(description="this month's report received")


class CompanyGrade(Answer):
    """A contractor over the projects the user sees."""

    name: str = Field(description="the company")
    projects: int = Field(description="its sites under construction")
    key_projects: list[str] = Field(description="its key-risk projects")
    stopped: list[str] = Field(description="its sites stopped now")
    ratio: float = Field(description="stopped over under construction")
    deduction_total: float = Field(description="its own deductions in the window, points")
    key: bool = Field(description="key-risk company")
    facts: list[GradingFact] = Field(description="why")


class GradingView(Answer):
    """The jurisdiction graded by the campaign's criteria."""

    policy: PolicyNumbers = Field(description="the numbers in force")
    month: str = Field(description="the month of the duties, yyyy-MM (Beijing time)")
    projects: int = Field(description="projects graded")
    key_projects: list[KeyProject] = Field(description="the key-risk projects, by code")
    companies: list[CompanyGrade] = Field(description="key-risk companies")
    published: list[CompanyGrade] = Field(description="the companies to publish (曝光), highest ratio first")
    scored: list[PersonTotal] = Field(
        description="the persons whose 个人记分 over the period reach score_points, highest first"
    )


class NewRecord(BaseModel):
    """A supervision record: deduction, stop-work order, inspection or monthly report."""

    model_config = ConfigDict(extra="forbid")

    project: str = Field(min_length=1, description="project code")
    kind: str = Field(
        description="deduction (动态扣分), stop_work (责令停工), inspection (监督检查) or report (月度报告)"
    )
    happened_at: float = Field(ge=0, description="when, Unix seconds")
    company: str = Field("", max_length=200, description="a deduction's company")
    points: float = Field(0.0, ge=0, le=100, allow_inf_nan=False, description="a deduction's points")
    note: str = Field("", max_length=2000, description="the decision's number, what was found")


class Lifting(BaseModel):
    """A stop-work order lifted."""

    lifted_at: float = Field(ge=0, description="when work resumed, Unix seconds")


class Recorded(Answer):
    """The record kept."""

    id: int = Field(description="the record's id")
