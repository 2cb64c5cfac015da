"""Risk grading's answers and the weights' edit (regulator/reports/risk.py), typed for the API's documentation."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from regulator.paging import Paged

# bounds of an edit: generous for any real policy, small enough that a score stays a finite number
# (an infinite weight made every score infinite, which JSON cannot carry: schemathesis found it)
MAX_POINTS = 1_000.0
MAX_DAYS = 3_650.0
MAX_SCORE = 1_000_000.0


class Weights(BaseModel):
    """The risk score's weights and thresholds; in an edit, only those given change."""

    model_config = ConfigDict(extra="forbid")  # a misspelt weight is refused, not silently ignored

    open_major: float | None = Field(
        None, ge=0, le=MAX_POINTS, allow_inf_nan=False, description="points per open major (or listed) hazard"
    )
    open_general: float | None = Field(
        None, ge=0, le=MAX_POINTS, allow_inf_nan=False, description="points per other open hazard"
    )
    recent: float | None = Field(
        None,
        ge=0,
        le=MAX_POINTS,
        allow_inf_nan=False,
        description="points per hazard found in the last recent_days",
    )
    overdue: float | None = Field(
        None,
        ge=0,
        le=MAX_POINTS,
        allow_inf_nan=False,
        description="points per rectification past its deadline",
    )
    accident: float | None = Field(
        None,
        ge=0,
        le=MAX_POINTS,
        allow_inf_nan=False,
        description="points per accident in the last incident_days",
    )
    near_miss: float | None = Field(
        None,
        ge=0,
        le=MAX_POINTS,
        allow_inf_nan=False,
        description="points per serious near miss (重大险情) then",
    )
    recent_days: float | None = Field(
        None, ge=0, le=MAX_DAYS, allow_inf_nan=False, description="the window of recent hazards, days"
    )
    incident_days: float | None = Field(
        None,
        ge=0,
        le=MAX_DAYS,
        allow_inf_nan=False,
        description="the window of accidents and near misses, days",
    )
    high_from: float | None = Field(
        None, ge=0, le=MAX_SCORE, allow_inf_nan=False, description="a score from this is graded 高"
    )
    medium_from: float | None = Field(
        None,
        ge=0,
        le=MAX_SCORE,
        allow_inf_nan=False,
        description="a score from this (below high_from) is graded 中",
    )


class ProjectRisk(BaseModel):
    """A project's risk: what counts, its score and grade."""

    code: str = Field(description="project code")
    name: str = Field(description="project name")
    district: str = Field(description="the project's district or county")
    contractor: str = Field(description="main contractor (施工单位)")
    supervisor: str = Field(description="supervision company (监理单位)")
    open_major: int = Field(description="open hazards classified major or listed for supervision")
    open_general: int = Field(description="other open hazards")
    recent: int = Field(description="hazards found in the window, false alarms not counted")
    overdue: int = Field(description="rectifications past their deadline")
    accidents: int = Field(description="accidents in the window")
    near_misses: int = Field(description="serious near misses in the window")
    score: float = Field(description="the weighted sum")
    grade: str = Field(description="high, medium or low")
    grade_name: str = Field(description="高, 中 or 低")


class CompanyRisk(BaseModel):
    """A contractor's or supervision company's risk over its projects the user sees."""

    name: str = Field(description="the company")
    role: str = Field(description="contractor or supervisor")
    role_name: str = Field(description="施工单位 or 监理单位")
    projects: list[str] = Field(description="its projects' codes")
    score: float = Field(description="its projects' scores summed")
    grade: str = Field(description="its worst project's grade: high, medium or low")
    grade_name: str = Field(description="高, 中 or 低")


class RiskLists(Paged):
    """The riskiest projects and companies of the user's jurisdiction (重点风险企业、项目台账清单): one page of
    its projects (``total``: every one the user may see, graded)."""

    policy: Weights = Field(description="the weights and thresholds in force")
    grades: dict[str, int] = Field(description="projects per grade (high, medium, low), all of them")
    projects: list[ProjectRisk] = Field(description="this page of the projects, the riskiest first")
    companies: list[CompanyRisk] = Field(description="the riskiest companies first, up to companies")
